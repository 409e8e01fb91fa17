"""pip's requirements-file format, line by line: how the file is decoded, how physical
lines join into logical ones (`#` comments at line start or after whitespace, `\\`
continuations), where a line's options start, and pip's option table and option grammar.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator

from cflint.record import Record

_COMMENT = r"(^|\s+)#.*$"  # compiled on first use, by `re`'s cache: most lines have no "#"


class _PipOption(Record, frozen=True):
    """An option of pip's requirements-file parser (pip/_internal/req/req_file.py)."""

    names: tuple[str, ...]
    takes_value: bool = True


# Every option pip's parser accepts in a requirements file. On a requirement line all of
# them parse; pip uses --hash and --config-settings there and ignores the others.
_PIP_OPTIONS = (
    _PipOption(("-i", "--index-url", "--pypi-url")),
    _PipOption(("--extra-index-url",)),
    _PipOption(("--no-index",), takes_value=False),
    _PipOption(("-c", "--constraint")),
    _PipOption(("-r", "--requirement")),
    _PipOption(("-e", "--editable")),
    _PipOption(("-f", "--find-links")),
    _PipOption(("--no-binary",)),
    _PipOption(("--only-binary",)),
    _PipOption(("--prefer-binary",), takes_value=False),
    _PipOption(("--require-hashes",), takes_value=False),
    _PipOption(("--pre",), takes_value=False),
    _PipOption(("--trusted-host",)),
    _PipOption(("--use-feature",)),
    _PipOption(("--hash",)),
    _PipOption(("-C", "--config-settings")),
)
_OPTION_BY_NAME = {name: option for option in _PIP_OPTIONS for name in option.names}
_LONG_NAMES = tuple(name for name in _OPTION_BY_NAME if name.startswith("--"))
_HASH_ALGORITHMS = frozenset({"sha256", "sha384", "sha512"})
# Options that turn on pip's hash-checking mode, in which every requirement needs a --hash.
HASH_OPTIONS = frozenset({"--hash", "--require-hashes"})
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
)
# Compiled on first use (by `re`'s cache): only a requirements file with a comment line needs it.
_CODING = rb"coding[:=]\s*([-\w.]+)"


def decode_requirements(data: bytes) -> str:
    """Text as pip reads a requirements file: a byte-order mark (UTF-8, UTF-16, UTF-32)
    or a `# coding:` line among the first two names the encoding, else UTF-8 (the locale's
    encoding on the runtime). Raises UnicodeDecodeError or LookupError."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding)
    for line in data.split(b"\n")[:2]:
        match = re.search(_CODING, line) if line.startswith(b"#") else None
        if match is not None:
            return data.decode(match.group(1).decode("ascii"))
    return data.decode("utf-8")


class ParsedOptions(Record, frozen=True):
    """The options of one requirements line, or why pip would refuse them."""

    options: tuple[tuple[str, str | None], ...] = ()  # (the option's last name, its value); () on a problem
    problem: str | None = None


def parse_options(words: list[str]) -> ParsedOptions:
    """Options as pip's optparse parser reads them: long names may be abbreviated to a
    unique prefix, `--name=value` or `--name value`, `-xvalue` or `-x value`."""
    found: list[tuple[str, str | None]] = []
    index = 0
    while index < len(words):
        word = words[index]
        index += 1
        if word == "--":
            break  # optparse: the words after `--` are arguments, not options
        if not word.startswith("-") or word == "-":
            continue  # a stray argument: pip's parser sets it aside and ignores it
        if word.startswith("--"):
            name, equals, attached = word.partition("=")
            matches = [long for long in _LONG_NAMES if long == name] or [
                long for long in _LONG_NAMES if long.startswith(name)
            ]
            if len({_OPTION_BY_NAME[m] for m in matches}) != 1:
                problem = f"{name} is ambiguous" if matches else f"pip does not know the option {name}"
                return ParsedOptions(problem=problem)
            option = _OPTION_BY_NAME[matches[0]]
            value: str | None = attached if equals else None
            if equals and not option.takes_value:
                return ParsedOptions(problem=f"{name} takes no value")
        else:  # every one-letter option takes a value (tests/test_tables.py pins the table)
            name, attached = word[:2], word[2:]
            if name not in _OPTION_BY_NAME:
                return ParsedOptions(problem=f"pip does not know the option {name}")
            option = _OPTION_BY_NAME[name]
            value = attached or None
        if option.takes_value and value is None:
            if index >= len(words):
                return ParsedOptions(problem=f"{name} needs a value")
            value = words[index]
            index += 1
        if option.names[-1] == "--hash" and value is not None and value.partition(":")[0] not in _HASH_ALGORITHMS:
            return ParsedOptions(problem="--hash takes sha256, sha384 or sha512")
        found.append((option.names[-1], value))
    return ParsedOptions(tuple(found))


class LogicalLine(Record, frozen=True):
    """A requirements line with its continuations joined and its comment removed."""

    number: int
    text: str


def logical_lines(text: str) -> Iterator[LogicalLine]:
    """Lines with continuations joined and comments removed, numbered by their first
    physical line; blank results are skipped."""
    pending: list[str] = []
    start = 0
    for number, physical in enumerate(text.splitlines(), start=1):
        if not pending:
            start = number
        is_comment = bool(re.match(r"^\s*#", physical))
        if physical.endswith("\\") and not is_comment:
            pending.append(physical[:-1])
            continue
        if is_comment and pending:
            joined, pending = "".join(pending), []
            yield from _stripped(start, joined)
        pending.append(physical)
        joined, pending = "".join(pending), []
        yield from _stripped(start, joined)
    if pending:
        yield from _stripped(start, "".join(pending))


def _stripped(number: int, text: str) -> Iterator[LogicalLine]:
    text = (re.sub(_COMMENT, "", text) if "#" in text else text).strip()
    if text:
        yield LogicalLine(number, text)


def split_options(text: str) -> tuple[str, str]:
    """A line's requirement part and its options, split as pip does: at the first
    space-separated word that starts with a dash."""
    words = text.split(" ")
    index = next((index for index, word in enumerate(words) if word.startswith("-")), len(words))
    return " ".join(words[:index]).strip(), " ".join(words[index:])
