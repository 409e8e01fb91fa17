from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePath

import libcst as cst

from cflint.knowledge.secret_values import (
    CANDIDATE_TEXTS,
    is_secret_name,
    looks_like_key,
    structural_secret,
    url_with_password,
)
from cflint.model import Finding
from cflint.project import FileContext, FunctionRoot
from cflint.rule import ParsedFile, RootRule, Rule
from cflint.rules.imports.dependencies import finding_at

Literal = cst.SimpleString | cst.ConcatenatedString
# Calls whose string arguments are defaults of the environment, not secrets in the code.
_ENVIRONMENT_READS = ("getenv", "environ.get", "environ.setdefault", "environ.pop")
_URL_PASSWORD = "a password (user:password@)"
_READ_THE_ENVIRONMENT = "set it in the function's environment variables and read it from os.environ"
_EXPAND_IN_PIP = (
    "install the private packages into the folder (pip install -t .) before zipping, or write the "
    "credentials as ${VARIABLES}, which pip expands from the environment it runs in"
)
# pip's last name of `-i` is an old alias; the message says the name people write.
_OPTION_SHOWN = {"--pypi-url": "--index-url"}
_TEST_FOLDERS = frozenset({"test", "tests", "testing", "fixtures"})


def _literal_text(node: cst.BaseExpression) -> str | None:
    """The text of a plain string or bytes literal (an f-string has none)."""
    if not isinstance(node, Literal):
        return None
    value = node.evaluated_value
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return value


def _string_parts(node: cst.BaseExpression) -> list[int]:
    """The ids of the strings an implicit concatenation is made of, which are not checked alone."""
    if not isinstance(node, cst.ConcatenatedString):
        return []
    return [id(node.left), id(node.right), *_string_parts(node.left), *_string_parts(node.right)]


def _target_name(target: cst.BaseExpression) -> str | None:
    """The name a value is stored under: `NAME`, `obj.name`, `obj["name"]`."""
    if isinstance(target, cst.Name):
        return target.value
    if isinstance(target, cst.Attribute):
        return target.attr.value
    if isinstance(target, cst.Subscript) and len(target.slice) == 1:
        index = target.slice[0].slice
        if isinstance(index, cst.Index):
            return _literal_text(index.value)
    return None


def _dotted(node: cst.BaseExpression) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{_dotted(node.value)}.{node.attr.value}"
    return ""


def _is_test_file(context: FileContext) -> bool:
    """A test module or fixture: its keys are made up for the test."""
    path = PurePath(context.path)
    relative = path.relative_to(context.root.path) if context.root and path.is_relative_to(context.root.path) else path
    name = path.name
    return (
        name.startswith("test_")
        or name.endswith("_test.py")
        or name == "conftest.py"
        or any(part in _TEST_FOLDERS for part in relative.parts[:-1])
    )


class HardcodedSecret(Rule):
    code = "CF507"
    name = "hardcoded-secret"
    summary = "A secret is written into the code: an API key, token, password or private key"
    message = "{what} holds {kind}, written into a file that ships in the ZIP: {instead}"
    requires_text = CANDIDATE_TEXTS

    def __init__(self, file: ParsedFile) -> None:
        super().__init__(file)
        self._seen: set[int] = set()
        self._skipped = _is_test_file(self.context)

    def _check(self, node: cst.BaseExpression, name: str | None) -> None:
        if self._skipped or id(node) in self._seen:
            return
        self._seen.add(id(node))
        self._seen.update(_string_parts(node))
        text = _literal_text(node)
        if text is None:
            return
        what = f"`{name}`" if name else "this string"
        kind = structural_secret(text)
        if kind is None and (host := url_with_password(text)) is not None:
            what, kind = f"the URL for {host}", _URL_PASSWORD
        if kind is None and name is not None and is_secret_name(name) and looks_like_key(text.strip()):
            kind = "a literal key (long and random)"
        if kind is not None:
            self.report(node, what=what, kind=kind, instead=_READ_THE_ENVIRONMENT)

    def visit_Expr(self, node: cst.Expr) -> None:
        # A docstring or a bare string statement is documentation, not a value the code uses.
        if isinstance(node.value, Literal):
            self._seen.add(id(node.value))

    def visit_Call(self, node: cst.Call) -> None:
        if _dotted(node.func).endswith(_ENVIRONMENT_READS):
            self._seen.update(id(arg.value) for arg in node.args if arg.keyword is None)
        for arg in node.args:
            if arg.keyword is not None:
                self._check(arg.value, arg.keyword.value)

    def visit_Assign(self, node: cst.Assign) -> None:
        names = [_target_name(target.target) for target in node.targets]
        self._check(node.value, next((name for name in names if name and is_secret_name(name)), names[0]))

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._check(node.value, _target_name(node.target))

    def visit_Param(self, node: cst.Param) -> None:
        if node.default is not None:
            self._check(node.default, node.name.value)

    def visit_DictElement(self, node: cst.DictElement) -> None:
        self._check(node.value, _literal_text(node.key))

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        self._check(node, None)

    def visit_ConcatenatedString(self, node: cst.ConcatenatedString) -> None:
        self._check(node, None)


class HardcodedSecretInRequirements(RootRule):
    """CF507 on the requirement files: an index URL or a requirement's URL with a password
    (`--extra-index-url https://user:token@host/simple`), which pip reads and the ZIP ships."""

    part_of = HardcodedSecret
    code = HardcodedSecret.code
    name = HardcodedSecret.name
    summary = HardcodedSecret.summary
    message = HardcodedSecret.message

    def check(self, root: FunctionRoot) -> Iterator[Finding]:
        requirements = root.requirements
        places = [(option.path, option.line, option.option, option.value) for option in requirements.options]
        places.extend((line.path, line.line, "", line.text) for line in requirements.lines)
        places.extend((problem.path, problem.line, "", problem.text) for problem in requirements.problems)
        reported: set[tuple[PurePath, int]] = set()
        for path, line, option, text in places:
            host = url_with_password(text)
            if host is None or (path, line) in reported:
                continue
            reported.add((path, line))
            shown = _OPTION_SHOWN.get(option, option)
            what = f"the {shown} URL for {host}" if option else f"the URL for {host}"
            yield finding_at(self, root, path, line, what=what, kind=_URL_PASSWORD, instead=_EXPAND_IN_PIP)
