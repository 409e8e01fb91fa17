from __future__ import annotations

from pathlib import PurePosixPath
from typing import NamedTuple

import libcst as cst

from cflint.analysis.bindings import Form
from cflint.analysis.callgraph import Function, Place
from cflint.analysis.literals import LeadingText, leading_text, string_value
from cflint.analysis.names import parameters
from cflint.rule import ParsedFile
from cflint.rule.paths import evaluator_at
from cflint.rule.scoped import ScopedRule

_OPEN_FUNCTIONS = frozenset({"builtins.open", "io.open"})
_PATH_READ_METHODS = frozenset({"read_text", "read_bytes", "open"})
_WRITE_MODES = frozenset("wax")
_SETTING = "set the value as an environment variable in the console and read it with os.environ"
_SHIPPED = "ship the file in the ZIP and open it relative to the module: Path(__file__).parent / ..."
_OVER_TCP = "connect to the database's host and port over TCP, set as environment variables in the console"
# Cloud Run functions and App Engine mount a Unix socket per Cloud SQL instance here.
_CLOUD_SQL_SOCKETS = "/cloudsql/"


class _Mount(NamedTuple):
    folder: str
    platform: str
    remedy: str
    # Path parts a whole literal needs below the folder to name a file of the mount.
    depth: int = 1


_MOUNTS = (
    _Mount("/configs", "Fission's config map mount", _SETTING, depth=3),
    _Mount("/secrets", "Fission's secret mount", _SETTING, depth=3),
    _Mount("/var/run/secrets/kubernetes.io", "Kubernetes' service-account mount", _SETTING),
    _Mount("/run/secrets/kubernetes.io", "Kubernetes' service-account mount", _SETTING),
    _Mount("/var/openfaas/secrets", "OpenFaaS's secret mount", _SETTING),
    _Mount("/opt", "AWS Lambda's layer folder", _SHIPPED),
    _Mount("/home/site/wwwroot", "Azure Functions' app folder", _SHIPPED),
)


# Calls that test a path rather than use it.
_PROBES = frozenset({"os.path.exists", "os.path.lexists", "os.path.isdir", "os.path.isfile", "os.listdir"})
_PROBE_METHODS = frozenset({"startswith", "endswith", "exists", "is_dir", "is_file", "is_socket"})
# Environment variables that another platform sets to a folder it provides.
_ENVIRONMENT_MOUNTS = {
    "LAMBDA_TASK_ROOT": _Mount("$LAMBDA_TASK_ROOT", "AWS Lambda's task root (LAMBDA_TASK_ROOT)", _SHIPPED),
}


def _mount(lead: LeadingText) -> _Mount | None:
    """The other platform's mount the path is under; a whole literal must name a file in it."""
    for mount in _MOUNTS:
        if lead.complete:
            path = PurePosixPath(lead.text)
            folder = PurePosixPath(mount.folder)
            if folder in path.parents and len(path.parts) - len(folder.parts) >= mount.depth:
                return mount
        elif lead.text.startswith(mount.folder + "/"):
            return mount
    return None


class OtherPlatformFile(ScopedRule):
    code = "CF801"
    name = "other-platform-file"
    summary = (
        "A file is read from a path another platform mounts (Fission, Kubernetes, Lambda, Azure, OpenFaaS), "
        "or a database is reached through Cloud SQL's socket folder"
    )
    message = "{what} {path} from {platform}, which this runtime does not provide{when}; {remedy}"
    requires_text = (
        "/configs",
        "/secrets",
        "kubernetes.io",
        "/opt",
        "/home/site/wwwroot",
        "/var/openfaas/",
        *_ENVIRONMENT_MOUNTS,
        _CLOUD_SQL_SOCKETS,
        # a helper that reads the path its callers, in other modules, pass
        "open(",
        ".read_",
    )

    def __init__(self, file: ParsedFile) -> None:
        super().__init__(file)
        self._reported: set[int] = set()

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        qualified = self.qualify(func)
        probes = qualified in _PROBES or (isinstance(func, cst.Attribute) and func.attr.value in _PROBE_METHODS)
        for arg in node.args if not probes else ():
            self._check_socket(arg.value)
        if qualified in _OPEN_FUNCTIONS:
            if node.args and node.args[0].keyword is None and not node.args[0].star and not _writes(node, 1):
                self._check(node.args[0].value, f"{qualified}()".removeprefix("builtins."))
        elif (
            isinstance(func, cst.Attribute)
            and func.attr.value in _PATH_READ_METHODS
            and (func.attr.value != "open" or not _writes(node, 0))
        ):
            self._check(func.value, f"Path.{func.attr.value}()")

    def visit_Assign(self, node: cst.Assign) -> None:
        self._check_socket(node.value)

    def visit_DictElement(self, node: cst.DictElement) -> None:
        self._check_socket(node.value)

    def _check_socket(self, value: cst.BaseExpression) -> None:
        """A Cloud SQL socket path, alone (`unix_socket=`, psycopg2's `host=`) or in a database
        URL's query (`?unix_socket=/cloudsql/...`)."""
        lead = leading_text(value)
        if lead is None or id(lead.node) in self._reported:
            return
        named = lead.text.startswith(_CLOUD_SQL_SOCKETS) and (lead.text != _CLOUD_SQL_SOCKETS or not lead.complete)
        if not named and f"={_CLOUD_SQL_SOCKETS}" not in lead.text:
            return
        self._reported.add(id(lead.node))
        shown = lead.text if lead.complete else lead.text + "..."
        platform = "Google Cloud SQL's socket folder, which Cloud Run functions and App Engine mount"
        self.report(
            lead.node,
            what="the database connection uses",
            path=repr(shown),
            platform=platform,
            when="",
            remedy=_OVER_TCP,
        )

    def _check(self, path: cst.BaseExpression, what: str) -> None:
        graph = self.file.call_graph
        evaluator = evaluator_at(self, Place(graph.home, self.scope))
        lead = evaluator.leading_path(path)
        if lead is not None:
            self._report_mount(lead, _mount(lead), what, at_import=self.scope is None)
            return
        root = evaluator.environment_root(path)
        if root is not None:
            self._report_mount(root, _ENVIRONMENT_MOUNTS.get(root.text), what, at_import=self.scope is None)
            return
        name = evaluator.leading_name(path)
        if name is not None:
            self._check_parameter(name, name is not path, what)

    def _check_parameter(self, name: cst.Name, joined: bool, what: str) -> None:
        """A path built on a parameter of a local helper: each value the call graph shows the
        parameter gets (a call's argument, the default) that names another platform's mount.
        It is reported at the literal when that is in this module, else at the parameter."""
        scope = self.scope
        found = self.scopes.sole_binding(name.value, scope)
        if found is None or found[1].form is not Form.PARAMETER or not isinstance(scope, cst.FunctionDef):
            return
        graph = self.file.call_graph
        values = graph.parameter_values(Function(graph.home, scope), name.value)
        defaults = {id(param.default) for param in parameters(scope.params) if param.default is not None}
        for value in values or ():
            lead = evaluator_at(self, value.place).leading_path(value.value)
            if lead is None:
                continue
            if joined and lead.complete:
                lead = LeadingText(lead.text.rstrip("/") + "/", lead.node, False)
            if value.place.module is not graph.home:
                lead = LeadingText(lead.text, name, lead.complete)
            # The helper runs at import when a top-level statement passes the path to it.
            at_import = value.place.scope is None and id(value.value) not in defaults
            self._report_mount(lead, _mount(lead), what, at_import=at_import)

    def _report_mount(self, lead: LeadingText, mount: _Mount | None, what: str, at_import: bool) -> None:
        if mount is None or id(lead.node) in self._reported:
            return
        self._reported.add(id(lead.node))
        if mount.folder.startswith("$"):
            shown = mount.folder + "/..."
        else:
            shown = lead.text if lead.complete else lead.text + "..."
        when = " (the read runs at import, so the function fails to load)" if at_import else ""
        self.report(
            lead.node, what=f"{what} reads", path=repr(shown), platform=mount.platform, when=when, remedy=mount.remedy
        )


def _writes(call: cst.Call, position: int) -> bool:
    """Whether the call's mode argument (at `position` or `mode=`) opens the file for writing."""
    for index, arg in enumerate(call.args):
        if (arg.keyword is None and index == position and not arg.star) or (
            arg.keyword is not None and arg.keyword.value == "mode"
        ):
            mode = string_value(arg.value)
            return isinstance(mode, str) and bool(_WRITE_MODES & set(mode))
    return False
