from __future__ import annotations

from pathlib import PurePath

import libcst as cst

from cflint.analysis.literals import literal_value
from cflint.knowledge.secret_values import (
    CANDIDATE_TEXTS,
    PASSWORD_PARAMETERS,
    is_secret_name,
    looks_like_key,
    looks_like_password,
    structural_secret,
    url_with_password,
)
from cflint.project import FileContext
from cflint.rule import ParsedFile
from cflint.rule.scoped import ScopedRule
from cflint.rules.package.cf507_secret_parts import (
    CODE,
    LITERAL_KEY,
    MESSAGE,
    NAME,
    PASSWORD,
    READ_THE_ENVIRONMENT,
    SUMMARY,
    URL_PASSWORD,
    is_test_path,
)

Literal = cst.SimpleString | cst.ConcatenatedString
# Calls whose string arguments are defaults of the environment, not secrets in the code.
_ENVIRONMENT_READS = ("getenv", "environ.get", "environ.setdefault", "environ.pop")
# The last names of the callees that take a password: an import of one spells it.
_PASSWORD_CALLEES = frozenset(callee.rpartition(".")[2] for callee in PASSWORD_PARAMETERS)


def _literal_text(node: cst.BaseExpression) -> str | None:
    """The text of a plain string or bytes literal (an f-string has none)."""
    if not isinstance(node, Literal):
        return None
    value = literal_value(node)
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
    return is_test_path(relative)


class HardcodedSecret(ScopedRule):
    code = CODE
    name = NAME
    summary = SUMMARY
    message = MESSAGE
    requires_text = CANDIDATE_TEXTS

    def __init__(self, file: ParsedFile) -> None:
        super().__init__(file)
        self._seen: set[int] = set()
        self._skipped = _is_test_file(self.context)
        self._may_pass_password = any(callee in file.source for callee in _PASSWORD_CALLEES)

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
            what, kind = f"the URL for {host}", URL_PASSWORD
        if kind is None and name is not None and is_secret_name(name) and looks_like_key(text.strip()):
            kind = LITERAL_KEY
        if kind is not None:
            self.report(node, what=what, kind=kind, instead=READ_THE_ENVIRONMENT)

    def visit_Expr(self, node: cst.Expr) -> None:
        # A docstring or a bare string statement is documentation, not a value the code uses.
        if isinstance(node.value, Literal):
            self._seen.add(id(node.value))

    def _check_password(self, node: cst.BaseExpression, what: str) -> None:
        if self._skipped or id(node) in self._seen:
            return
        self._seen.add(id(node))
        text = _literal_text(node)
        if text is not None and looks_like_password(text):
            self.report(node, what=what, kind=PASSWORD, instead=READ_THE_ENVIRONMENT)

    def visit_Call(self, node: cst.Call) -> None:
        if _dotted(node.func).endswith(_ENVIRONMENT_READS):
            self._seen.update(id(arg.value) for arg in node.args if arg.keyword is None)
        qualified = (self.qualify(node.func) or "") if self._may_pass_password else ""
        parameters = PASSWORD_PARAMETERS.get(qualified, ())
        for index, arg in enumerate(node.args if parameters else ()):
            if arg.star:
                break
            if arg.keyword is not None:
                name = arg.keyword.value
            else:
                name = parameters[index] if index < len(parameters) else ""
            if name == "password":
                self._check_password(arg.value, f"the password of {qualified.rpartition('.')[2]}()")
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
