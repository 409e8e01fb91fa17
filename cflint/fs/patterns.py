"""Path patterns in gitignore syntax (cflint's `exclude`, `package-exclude` and
`per-file-ignores`, and `.gitignore` files), matched as pathspec's GitIgnoreSpec matches them."""

from __future__ import annotations

import fnmatch
import re
import warnings
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import pathspec

# A plain pattern: one name of letters, digits, `._~-`, `*`, `?` and `[...]` sets (not
# `[!...]`, which pathspec lets match a slash), perhaps anchored by a leading slash or limited
# to folders by a trailing one. cflint's defaults are all plain, and so are most patterns
# people write; a set of them is matched here, because importing pathspec is a noticeable part
# of a cold run on a small function. Any other set goes to pathspec whole.
# tests/test_patterns.py holds the two to the same answers.
# A line of name characters alone is read without it: compiled on first use (by `re`'s cache).
_PLAIN = r"(/?)((?:[A-Za-z0-9_.~-]|\*(?!\*)|\?|\[[A-Za-z0-9_.]+\])+)(/?)"
_NAME_CHARACTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.~-*?")
_WILDCARD = re.compile(r"[*?\[]")


if TYPE_CHECKING:  # a protocol for type checkers only: defining one costs a run 80 k instructions

    class _Matcher(Protocol):
        def match_file(self, file: str) -> bool: ...


class _Names:
    """Path components that match one of some plain names."""

    def __init__(self, names: Iterable[str]) -> None:
        names = list(names)
        self._literal = frozenset(name for name in names if not _WILDCARD.search(name))
        wild = [fnmatch.translate(name) for name in names if _WILDCARD.search(name)]
        self._wild = re.compile("|".join(wild)) if wild else None

    def __call__(self, component: str) -> bool:
        return component in self._literal or (self._wild is not None and self._wild.fullmatch(component) is not None)


class _PlainPatterns:
    """Plain patterns, by where a name may stand: anywhere in the path or only first, and
    for any entry or only a folder."""

    def __init__(self, patterns: Sequence[tuple[bool, str, bool]]) -> None:
        def names(anchored: bool, folders_only: bool) -> _Names:
            return _Names(name for first, name, folder in patterns if (first, folder) == (anchored, folders_only))

        self._anywhere, self._anywhere_folder = names(False, False), names(False, True)
        self._first, self._first_folder = names(True, False), names(True, True)

    def match_file(self, file: str) -> bool:
        """`file` is a posix path relative to the patterns' folder; a folder's ends in a slash.
        A pattern that matches a folder matches everything in it."""
        parts = file.rstrip("/").split("/")
        last = len(parts) - 1
        for index, part in enumerate(parts):
            folder = index < last or file.endswith("/")
            if self._anywhere(part) or (folder and self._anywhere_folder(part)):
                return True
            if index == 0 and (self._first(part) or (folder and self._first_folder(part))):
                return True
        return False


class PatternError(ValueError):
    """A pattern pathspec cannot read: `line` is the first such line, `reason` why."""

    def __init__(self, line: str, reason: str) -> None:
        super().__init__(f"{line!r} is not a valid pattern ({reason})")
        self.line = line
        self.reason = reason


class PathPatterns:
    """Gitignore-style patterns, compiled once and matched against relative posix paths."""

    def __init__(self, matcher: _Matcher) -> None:
        self._matcher = matcher

    @classmethod
    def of_lines(cls, lines: Sequence[str]) -> PathPatterns:
        """Patterns as a user wrote them; one pathspec cannot read is a PatternError."""
        try:
            return cls(_compile(lines))
        except (re.error, ValueError) as exc:
            bad = next((line for line in lines if not _compiles(line)), ", ".join(lines))
            reason = exc.msg if isinstance(exc, re.error) else str(exc)  # re's position is in pathspec's regex
            raise PatternError(bad, reason) from None

    @classmethod
    def of_gitignore(cls, lines: Sequence[str]) -> PathPatterns:
        """A `.gitignore`'s patterns; one pathspec cannot read matches nothing, as in git."""
        try:
            return cls(_compile(lines))
        except (re.error, ValueError):
            return cls(_compile([line for line in lines if _compiles(line)]))

    def match_file(self, file: str) -> bool:
        return self._matcher.match_file(file)


def name_matches(name: str, pattern: str) -> bool:
    """`fnmatch.fnmatchcase`, without compiling a regex for a pattern that is a plain name or
    has one `*` as its only wildcard (`*.log`, `._*`, `client_secret*.json`): most of the junk
    and secret file patterns a package is checked against, at a fifth of a million
    instructions each to compile."""
    if _WILDCARD.search(pattern) is None:
        return name == pattern
    head, star, tail = pattern.partition("*")
    if star and _WILDCARD.search(tail) is None and _WILDCARD.search(head) is None:
        return len(name) >= len(head) + len(tail) and name.startswith(head) and name.endswith(tail)
    return fnmatch.fnmatchcase(name, pattern)


def _plain(line: str) -> tuple[bool, str, bool] | None:
    """A plain pattern's parts: whether a slash anchors it, its name, and whether a slash
    limits it to folders; None for a pattern that is not plain."""
    anchored = line.startswith("/")
    folder = line.endswith("/") and len(line) > 1
    name = line[anchored : len(line) - folder]
    if name and "**" not in name and _NAME_CHARACTERS.issuperset(name):
        return anchored, name, folder
    match = re.fullmatch(_PLAIN, line)
    return None if match is None else (bool(match.group(1)), match.group(2), bool(match.group(3)))


def _compile(lines: Sequence[str]) -> _Matcher:
    plain: list[tuple[bool, str, bool]] = []
    for line in lines:
        if not line or line.startswith("#"):
            continue
        match = _plain(line)
        if match is None:
            return _gitignore_spec(lines)
        plain.append(match)
    return _PlainPatterns(plain)


def _gitignore_spec(lines: Sequence[str]) -> pathspec.GitIgnoreSpec:
    import pathspec

    with warnings.catch_warnings():
        # re's FutureWarning on a pattern such as `[[a]` would reach cflint's stderr.
        warnings.simplefilter("ignore")
        return pathspec.GitIgnoreSpec.from_lines(lines)


def _compiles(line: str) -> bool:
    try:
        _gitignore_spec([line])
    except (re.error, ValueError):
        return False
    return True
