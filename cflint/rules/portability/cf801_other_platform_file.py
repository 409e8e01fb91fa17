from __future__ import annotations

import contextlib
from pathlib import PurePosixPath
from typing import NamedTuple

import libcst as cst

from cflint.analysis.literals import LeadingText, leading_text, string_value
from cflint.analysis.static_paths import StaticPaths
from cflint.rule import ParsedFile
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
        evaluator = self._evaluator()
        lead = evaluator.leading_path(path)
        if lead is None:
            lead = evaluator.environment_root(path)
            mount = None if lead is None else _ENVIRONMENT_MOUNTS.get(lead.text)
            shown = "" if mount is None else mount.folder + "/..."
        else:
            mount = _mount(lead)
            shown = lead.text if lead.complete else lead.text + "..."
        if lead is None or mount is None or id(lead.node) in self._reported:
            return
        self._reported.add(id(lead.node))
        when = " (the read runs at import, so the function fails to load)" if self.scope is None else ""
        self.report(
            lead.node, what=f"{what} reads", path=repr(shown), platform=mount.platform, when=when, remedy=mount.remedy
        )

    def _evaluator(self) -> StaticPaths:
        module_path = None
        root = self.context.root
        if root is not None:
            with contextlib.suppress(ValueError):
                module_path = PurePosixPath(self.context.path.relative_to(root.path).as_posix())
        return StaticPaths(module_path, self.qualify, self._binding_values)

    def _binding_values(self, name: str) -> list[cst.BaseExpression] | None:
        found = self.values.binding_values(name, self.scope)
        return None if found is None else [value for value, _ in found]


def _writes(call: cst.Call, position: int) -> bool:
    """Whether the call's mode argument (at `position` or `mode=`) opens the file for writing."""
    for index, arg in enumerate(call.args):
        if (arg.keyword is None and index == position and not arg.star) or (
            arg.keyword is not None and arg.keyword.value == "mode"
        ):
            mode = string_value(arg.value)
            return isinstance(mode, str) and bool(_WRITE_MODES & set(mode))
    return False
