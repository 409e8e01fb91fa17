"""`# noqa` directives: which findings a line suppresses, and which directives are bad."""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Iterator

from cflint.model import Position, TextEdit
from cflint.record import Record

# Patterns are kept as text and compiled on first use (by `re`'s cache): most files have
# no noqa comment, and compiling them all would slow every start.
_NOQA = r"(?i)#\s*noqa\b(?P<rest>.*)$"
_FILE_NOQA = r"(?i)#\s*cflint\s*:\s*noqa\b(?P<rest>.*)$"
_CODE = r"[A-Za-z]+[0-9]+"
_CODE_LIST = r"\s*(?P<codes>[A-Za-z]+[0-9]+(?:[,\s]+[A-Za-z]+[0-9]+)*)"
# Codes after 'noqa' without its ':', or after another mark in its place ('noqa CF403',
# 'noqa; CF403', 'noqa - CF403'). The first code ends at a word's end ('CF403abc' is not one).
_CODES_WITHOUT_COLON = r"(?P<mark>\s*[^\w\s:#]?)\s*(?P<codes>[A-Za-z]+[0-9]+(?![A-Za-z0-9_])(?:[,\s]+[A-Za-z]+[0-9]+)*)"
_OUR_PREFIX = "CF"


class Directive(Record, frozen=True):
    """A `# noqa` comment; `codes` is None for a blanket directive. `span` is where the
    directive stands in `comment` (from its '#' to its last code), `alone` whether the
    comment is all its line holds."""

    position: Position
    codes: tuple[str, ...] | None
    comment: str = ""
    span: tuple[int, int] = (0, 0)
    alone: bool = False

    def suppresses(self, code: str) -> bool:
        return self.codes is None or code in self.codes


class BadDirective(Record, frozen=True):
    """A noqa comment cflint cannot use (CF010), with its fix when there is one, and the
    codes it names: their findings on its line suppress nothing, but keep their code as it
    is (the user meant to suppress them; the repair of the directive is the fix)."""

    position: Position
    problem: str
    fix: TextEdit | None = None
    codes: tuple[str, ...] = ()


class NoqaScan(Record, frozen=True):
    """A file's noqa comments: the usable ones by line, the bad ones, and `# cflint: noqa` for the whole file."""

    directives: dict[int, Directive]
    bad: tuple[BadDirective, ...]
    skip_file: bool


def _comments(source: str) -> Iterator[tuple[int, int, str, bool]]:
    """(line, 0-based column, text, alone on its line) of each comment in `source`."""
    try:
        previous_line = 0
        # Universal newlines: a file whose lines end at a lone '\r' is one line to a plain
        # StringIO, and its comments would all be placed on line 1.
        for token in tokenize.generate_tokens(io.StringIO(source, newline=None).readline):
            if token.type == tokenize.COMMENT:
                line, column = token.start
                alone = not token.line[:column].strip()
                yield line, column, token.string, alone
            previous_line = token.start[0]
    except (tokenize.TokenError, SyntaxError, IndentationError):
        # Newer syntax than this interpreter's tokenizer knows: fall back to the lines
        # after the last one tokenized, taking the first '#' outside a simple string.
        for number, text in enumerate(source.splitlines(), start=1):
            if number <= previous_line:
                continue
            column = text.find("#")
            if column >= 0 and text[:column].count('"') % 2 == 0 and text[:column].count("'") % 2 == 0:
                yield number, column, text[column:].rstrip(), not text[:column].strip()


def _codes(listed: re.Match[str]) -> tuple[str, ...]:
    return tuple(code.upper() for code in re.split(r"[,\s]+", listed.group("codes")) if code)


def _parse(
    text: str, position: Position, known_codes: frozenset[str], alone: bool = False
) -> Directive | BadDirective | None:
    """Read one comment. As ruff: `# noqa` alone or followed by text is blanket, and
    whitespace may stand before the ':' of `# noqa: CODES`. Never widened: codes without the
    ':' (or after another mark in its place), and any mark but ':' right after 'noqa', make a
    directive that suppresses nothing."""
    match = re.search(_NOQA, text)
    if match is None:
        return None
    rest = match.group("rest")
    head = rest.lstrip()
    colon = _colon(match)
    if colon is not None:
        return _with_codes(text, position, known_codes, alone, match.start(), colon)
    if not head or head.startswith("#"):
        return Directive(position, None, text, (match.start(), match.start("rest")), alone)
    named = re.match(_CODES_WITHOUT_COLON, rest)
    if named is not None:
        codes = _codes(named)
        fix = None
        if all(c in known_codes for c in codes if c.startswith(_OUR_PREFIX)):
            mark = named.group("mark").strip()
            start = Position(position.line, position.column + match.start("rest") + named.group("mark").find(mark))
            end = Position(start.line, start.column + len(mark)) if mark else start
            fix = TextEdit(start, end, ":")
        written = f"# noqa: {codes[0]}"
        return BadDirective(position, f"missing ':' after 'noqa' (write '{written}')", fix, codes)
    if rest[:1].isspace():
        return Directive(position, None, text, (match.start(), match.start("rest")), alone)
    return BadDirective(position, f"'{rest[0]}' after 'noqa' (write '# noqa' for every code, '# noqa: CODE' for one)")


def _colon(noqa: re.Match[str]) -> int | None:
    """Where the ':' of `# noqa: CODES` stands, if the `_NOQA` match has one."""
    rest = noqa.group("rest")
    head = rest.lstrip()
    return noqa.start("rest") + len(rest) - len(head) if head.startswith(":") else None


def listed_codes(comment: str) -> list[tuple[int, int, str]]:
    """The codes a `# noqa: CODES` comment lists, each with where it starts and ends in
    `comment` (as written, known or not); none for any other comment."""
    match = re.search(_NOQA, comment)
    colon = None if match is None else _colon(match)
    listed = None if colon is None else re.compile(_CODE_LIST).match(comment, colon + 1)
    if listed is None:
        return []
    return [
        (code.start(), code.end(), code.group().upper())
        for code in re.compile(_CODE).finditer(comment, listed.start("codes"), listed.end("codes"))
    ]


def _with_codes(
    text: str, position: Position, known_codes: frozenset[str], alone: bool, start: int, colon: int
) -> Directive | BadDirective:
    """The directive `# noqa: CODES` whose ':' is at `colon` in `text`."""
    listed = re.compile(_CODE_LIST).match(text, colon + 1)
    if listed is None:
        return BadDirective(position, "no rule codes after 'noqa:'")
    codes = _codes(listed)
    unknown = [c for c in codes if c.startswith(_OUR_PREFIX) and c not in known_codes]
    if unknown:
        return BadDirective(position, f"unknown rule code {', '.join(unknown)}", codes=codes)
    return Directive(position, codes, text, (start, listed.end()), alone)


def removal_edit(directive: Directive, unused: frozenset[str], line_text: str) -> TextEdit | None:
    """The edit that takes `unused` codes (all, for a blanket directive) out of a directive:
    the whole comment (or line, when the comment stands alone) when nothing is left of it.
    None when text follows the directive, which could read as codes once it is gone."""
    comment, (start, end) = directive.comment, directive.span
    if not comment or comment[end:].strip():
        return None
    line, column = directive.position.line, directive.position.column
    kept = [code for code in directive.codes or () if code not in unused]
    if kept:
        codes_at = comment.index(":", start) + 1
        new_text = " " + ", ".join(kept)
        return TextEdit(Position(line, column + codes_at), Position(line, column + end), new_text)
    if start == 0 and directive.alone:
        return TextEdit(Position(line, 1), Position(line + 1, 1), "")
    cut = len(comment[:start].rstrip()) if start else 0
    cut_in_line = column - 1 + cut
    if start == 0:
        cut_in_line = len(line_text[: column - 1].rstrip())
    return TextEdit(Position(line, cut_in_line + 1), Position(line, column + len(comment)), "")


def scan(source: str, known_codes: frozenset[str]) -> NoqaScan:
    """Find every noqa directive in `source` (a cheap no-op when it has none)."""
    lowered = source.lower()
    if "noqa" not in lowered:
        return NoqaScan({}, (), False)
    directives: dict[int, Directive] = {}
    bad: list[BadDirective] = []
    skip_file = False
    for line, column, text, alone in _comments(source):
        position = Position(line, column + 1)
        file_level = re.match(_FILE_NOQA, text)
        if file_level is not None:
            if alone and not file_level.group("rest").strip():
                skip_file = True
            else:
                bad.append(BadDirective(position, "'# cflint: noqa' must stand alone on its own line"))
            continue
        parsed = _parse(text, position, known_codes, alone)
        if isinstance(parsed, Directive):
            directives[line] = parsed
        elif isinstance(parsed, BadDirective):
            bad.append(parsed)
    return NoqaScan(directives, tuple(bad), skip_file)


_REQUIREMENT_COMMENT = r"(^|\s)#"


def scan_requirements(text: str, known_codes: frozenset[str]) -> dict[int, Directive]:
    """The `# noqa` directives of a requirements file, by line: a comment starts at the
    line's start or after whitespace, as pip reads it."""
    directives: dict[int, Directive] = {}
    if "noqa" not in text.lower():
        return directives
    for number, line in enumerate(text.splitlines(), start=1):
        match = re.search(_REQUIREMENT_COMMENT, line)
        if match is None:
            continue
        column = match.end() - 1
        parsed = _parse(line[column:], Position(number, column + 1), known_codes)
        if isinstance(parsed, Directive):
            directives[number] = parsed
    return directives
