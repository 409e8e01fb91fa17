"""`# noqa` comments for the editor: the change that adds a code to a line's directive,
and the code under the cursor inside one."""

from __future__ import annotations

import io
import tokenize

from cflint.engine.noqa import listed_codes, scan
from cflint.fix.text import split_lines
from cflint.model import Position, TextEdit
from cflint.record import Record

_NOT_TEXT = frozenset(
    {tokenize.NEWLINE, tokenize.NL, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER}
)


class _LineFacts(Record, frozen=True):
    """What the tokenizer says of one line: its comment, and whether code ends it."""

    comment: tuple[int, str] | None  # 0-based column and text of the line's comment
    end_is_code: bool  # the line ends outside a string and without a `\` continuation


def _line_facts(source: str, line: int) -> _LineFacts | None:
    """What the tokenizer says of `line`, or None when it cannot read the text."""
    comment = None
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.start[0] > line:
                break
            if token.type == tokenize.COMMENT and token.start[0] == line:
                comment = (token.start[1], token.string)
            elif token.type not in _NOT_TEXT and token.start[0] <= line < token.end[0]:
                return _LineFacts(comment, False)  # a string that goes on past this line
    except (tokenize.TokenError, SyntaxError):
        return None
    return _LineFacts(comment, True)


def add_noqa(source: str, line: int, code: str, known_codes: frozenset[str]) -> TextEdit | None:
    """The change that makes line `line` (1-based) suppress `code`: the code added to its
    `# noqa:` list, or a new `  # noqa: CODE` at the end of the line. None when a comment
    there cannot do it (the line ends inside a string or with `\\`, the line's directive
    is blanket or malformed, or the text cannot be tokenized)."""
    lines = split_lines(source)
    if not 1 <= line <= len(lines):
        return None
    text = lines[line - 1]
    facts = _line_facts(source, line)
    if facts is None or not facts.end_is_code or text.rstrip().endswith("\\"):
        return None
    if facts.comment is not None:
        column, comment = facts.comment
        noqa = scan(comment, known_codes)
        if noqa.bad or noqa.skip_file:
            return None
        if noqa.directives:
            listed = listed_codes(comment)
            codes = noqa.directives[1].codes
            if not listed or codes is None or code in codes:
                return None
            at = Position(line, column + listed[-1][1] + 1)
            return TextEdit(at, at, f", {code}")
    content_end = len(text.rstrip()) + 1
    return TextEdit(Position(line, content_end), Position(line, len(text) + 1), f"  # noqa: {code}")


def noqa_code_at(source: str, line: int, column: int) -> str | None:
    """The rule code at 1-based `line` and code-point `column` when it stands in the code
    list of a `# noqa:` comment, else None."""
    lines = split_lines(source)
    if not 1 <= line <= len(lines) or "noqa" not in lines[line - 1].lower():
        return None
    facts = _line_facts(source, line)
    if facts is None or facts.comment is None:
        return None
    comment_column, comment = facts.comment
    offset = column - 1 - comment_column
    return next((code for start, end, code in listed_codes(comment) if start <= offset <= end), None)
