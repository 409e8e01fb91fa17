"""The edits rules make when they fix: import names added, moved or made absolute, a keyword
argument added or an argument replaced, a requirement line appended to requirements.txt.

Fixes of one file are applied together, so an edit here knows what the others do: a name is
never joined to an import line whose names another fix moves (it would move with them)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import libcst as cst

from cflint.analysis.names import dotted_name
from cflint.fix.proposal import Replace
from cflint.fix.text import LineIndex
from cflint.knowledge.removed_apis import API_NAMES
from cflint.model import TextEdit

# A line pip's requirements parser takes for a comment (pip's COMMENT_RE, matched at the start).
_PIP_COMMENT_LINE = r"(^|\s+)#"


def _comma() -> cst.Comma:
    return cst.Comma(cst.SimpleWhitespace(""), cst.SimpleWhitespace(" "))


def _listed(aliases: Sequence[cst.ImportAlias]) -> list[cst.ImportAlias]:
    """The aliases with a comma and a space between them, none after the last."""
    return [alias.with_changes(comma=_comma()) for alias in aliases[:-1]] + [
        aliases[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    ]


def holds_comments(node: cst.ImportFrom) -> bool:
    """Whether the import's parenthesised names hold a comment, which rewriting them would drop."""
    return node.lpar is not None and "#" in cst.Module(body=[]).code_for_node(node)


def moved_by_a_fix(node: cst.ImportFrom) -> bool:
    """Whether this import names an API removed from its library, which the CF603 fix moves
    to the module that has it now (with its line's other names, when they all moved)."""
    if node.relative or node.module is None or isinstance(node.names, cst.ImportStar):
        return False
    module = dotted_name(node.module)
    return any(f"{module}.{dotted_name(alias.name)}" in API_NAMES for alias in node.names)


def first_import_from(module: cst.Module, name: str) -> cst.ImportFrom | None:
    """The first top-level `from <name> import ...` that does not import a star."""
    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if (
                isinstance(small, cst.ImportFrom)
                and not small.relative
                and small.module is not None
                and dotted_name(small.module) == name
                and not isinstance(small.names, cst.ImportStar)
            ):
                return small
    return None


def _import_position(module: cst.Module) -> int:
    """After the docstring, `from __future__` imports and the imports that follow them."""
    index = 0
    body = module.body
    if body and isinstance(body[0], cst.SimpleStatementLine):
        first = body[0].body[0] if body[0].body else None
        if isinstance(first, cst.Expr) and isinstance(first.value, (cst.SimpleString, cst.ConcatenatedString)):
            index = 1
    while index < len(body):
        statement = body[index]
        if not isinstance(statement, cst.SimpleStatementLine) or not all(
            isinstance(small, (cst.Import, cst.ImportFrom)) for small in statement.body
        ):
            break
        index += 1
    return index


def add_import_name(module: cst.Module, name: str, alias: cst.ImportAlias) -> Replace:
    """Import `alias` from module `name`: joined to the first `from <name> import` line when it
    is one unparenthesised line that no other fix moves, else on a new line after the module's
    leading imports (two blank lines before a definition that follows it directly)."""
    existing = first_import_from(module, name)
    if existing is not None and existing.lpar is None and not moved_by_a_fix(existing):
        assert not isinstance(existing.names, cst.ImportStar)
        names = list(existing.names)
        names[-1] = names[-1].with_changes(comma=_comma())
        return Replace(existing, existing.with_changes(names=(*names, alias)))
    module_name = cst.parse_expression(name)
    assert isinstance(module_name, (cst.Name, cst.Attribute))
    statement_line = cst.SimpleStatementLine(body=[cst.ImportFrom(module=module_name, names=[alias])])
    index = _import_position(module)
    following = list(module.body[index:])
    if following and isinstance(following[0], (cst.FunctionDef, cst.ClassDef)) and not following[0].leading_lines:
        following[0] = following[0].with_changes(leading_lines=(cst.EmptyLine(), cst.EmptyLine()))
    return Replace(module, module.with_changes(body=(*module.body[:index], statement_line, *following)))


def _statement_in_block(
    module: cst.Module, node: cst.ImportFrom
) -> tuple[cst.Module | cst.IndentedBlock, cst.SimpleStatementLine] | None:
    """The block and the line holding `node` as the line's only statement."""
    pending: list[cst.Module | cst.IndentedBlock] = [module]
    while pending:
        block = pending.pop()
        for statement in block.body:
            if isinstance(statement, cst.SimpleStatementLine):
                if len(statement.body) == 1 and statement.body[0] is node:
                    return block, statement
                continue
            pending.extend(_blocks_of(statement))
    return None


def _blocks_of(node: cst.CSTNode) -> list[cst.IndentedBlock]:
    """The indented blocks of a compound statement and of its clauses (else, except, finally)."""
    found: list[cst.IndentedBlock] = []
    stack = [node]
    while stack:
        current = stack.pop()
        for child in current.children:
            if isinstance(child, cst.IndentedBlock):
                found.append(child)
            elif not isinstance(child, (cst.BaseExpression, cst.SimpleStatementLine)):
                stack.append(child)
    return found


def move_import_names(module: cst.Module, node: cst.ImportFrom, targets: Sequence[str | None]) -> Replace | None:
    """Import each name of `node` from the module `targets` gives it (None: it stays). When all
    go to one module the line names that module; otherwise the line keeps the names that stay
    and each target module gets a line of its own after it, so a name that stayed never moves.
    None when nothing moves, or when the line must be split but shares its line with another
    statement or its parenthesised names hold comments."""
    assert not isinstance(node.names, cst.ImportStar)
    distinct = set(targets)
    if len(distinct) == 1 and (target := distinct.pop()) is not None:
        return Replace(node, node.with_changes(module=cst.parse_expression(target)))
    if all(target is None for target in targets) or holds_comments(node):
        return None
    found = _statement_in_block(module, node)
    if found is None:
        return None
    block, line = found
    kept = [alias for alias, target in zip(node.names, targets, strict=True) if target is None]
    moved: dict[str, list[cst.ImportAlias]] = {}
    for alias, target in zip(node.names, targets, strict=True):
        if target is not None:
            moved.setdefault(target, []).append(alias)
    statement = line.with_changes(body=[node.with_changes(names=_listed(kept))])
    added = []
    for target, aliases in moved.items():
        target_name = cst.parse_expression(target)
        assert isinstance(target_name, (cst.Name, cst.Attribute))
        added.append(cst.SimpleStatementLine(body=[cst.ImportFrom(module=target_name, names=_listed(aliases))]))
    index = list(block.body).index(line)
    body = (*block.body[:index], statement, *added, *block.body[index + 1 :])
    return Replace(block, block.with_changes(body=body))


def import_absolute(node: cst.ImportFrom) -> Replace | None:
    """`from .m import x` as `from m import x`, `from . import x` as `import x`; None for more
    than one dot, a star import, or a parenthesised list holding comments."""
    if len(node.relative) != 1 or isinstance(node.names, cst.ImportStar):
        return None
    if node.module is not None:
        return Replace(node, node.with_changes(relative=()))
    if holds_comments(node):
        return None
    return Replace(node, cst.Import(names=_listed(node.names), semicolon=node.semicolon))


def replace_argument(value: cst.BaseExpression, new: cst.BaseExpression) -> Replace:
    """Put `new` where the argument's value `value` is, keeping its keyword and comma."""
    return Replace(value, new)


def add_keyword_argument(call: cst.Call, keyword: str, value: cst.BaseExpression) -> Replace:
    """Add `keyword=value` after the last argument: the new argument takes over the last
    one's comma and what follows it (a comment, a line break)."""
    added = cst.Arg(
        value=value,
        keyword=cst.Name(keyword),
        equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")),
    )
    if not call.args:
        return Replace(call, call.with_changes(args=(added,)))
    last = call.args[-1]
    one_per_line = _one_argument_a_line(call)
    if one_per_line is not None:
        return Replace(call, call.with_changes(args=(*call.args[:-1], *one_per_line(last, added))))
    added = added.with_changes(comma=last.comma, whitespace_after_arg=last.whitespace_after_arg)
    last = last.with_changes(comma=_comma(), whitespace_after_arg=cst.SimpleWhitespace(""))
    return Replace(call, call.with_changes(args=(*call.args[:-1], last, added)))


def _one_argument_a_line(call: cst.Call) -> Callable[[cst.Arg, cst.Arg], tuple[cst.Arg, cst.Arg]] | None:
    """For a call whose last argument ends in a comma and a line break, with the line break
    before it indented: put the new argument on a line of its own, as indented, keeping a
    comment after the last argument where it is."""
    last = call.args[-1]
    comma = last.comma
    if not isinstance(comma, cst.Comma) or not isinstance(comma.whitespace_after, cst.ParenthesizedWhitespace):
        return None
    before = call.args[-2].comma if len(call.args) > 1 else None
    before_last = before.whitespace_after if isinstance(before, cst.Comma) else call.whitespace_before_args
    if not isinstance(before_last, cst.ParenthesizedWhitespace) or before_last.empty_lines:
        return None
    after_last = comma.whitespace_after

    def place(last: cst.Arg, added: cst.Arg) -> tuple[cst.Arg, cst.Arg]:
        assert isinstance(last.comma, cst.Comma)
        to_new_line = after_last.with_changes(indent=before_last.indent, last_line=before_last.last_line)
        to_closing = cst.ParenthesizedWhitespace(indent=after_last.indent, last_line=after_last.last_line)
        return (
            last.with_changes(comma=last.comma.with_changes(whitespace_after=to_new_line)),
            added.with_changes(comma=cst.Comma(cst.SimpleWhitespace(""), to_closing)),
        )

    return place


def append_requirement(text: str, requirement: str, path: str, *, hash_checking: bool) -> list[TextEdit] | None:
    """Edits of requirements.txt (`text`, shown as `path`) that add `requirement` as a new last
    line in the file's line endings; the line break the last line lacks is an edit of its own,
    which other such edits share. None in hash-checking mode, where pip refuses a line without
    a --hash."""
    if hash_checking:
        return None
    newline = "\r\n" if "\r\n" in text else "\n"
    end = LineIndex(text).position(len(text))
    ending = _line_ending(text, newline)
    edits = [TextEdit(end, end, ending, path)] if ending else []
    return [*edits, TextEdit(end, end, requirement + newline, path)]


def _line_ending(text: str, newline: str) -> str:
    """What ends the file's last line before a new one is added: a line break when it lacks
    one, and an empty line when it ends in a `\\` continuation, which pip would otherwise
    join to the new line (as pip's `join_lines` does, a comment line does not continue)."""
    lines = text.splitlines()
    last = lines[-1] if lines else ""
    ending = "" if not text or text.endswith(("\n", "\r")) else newline
    if last.endswith("\\") and not re.match(_PIP_COMMENT_LINE, last):
        ending += newline
    return ending
