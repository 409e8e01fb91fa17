"""Read a requirements.txt as pip does: the requirements it installs and the lines pip
cannot install from the package index, each with its file and line number.

pip's format, beyond what `packaging` parses: `#` comments at line start or after
whitespace, `\\` continuations, option lines (`-r`/`-c` followed, `-e`, `--index-url`...),
per-requirement options (`--hash=...`), `${VAR}` expanded from the installing
environment, and URLs, VCS links and local paths in place of a requirement.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from cflint.knowledge.distributions import canonical_name
from cflint.run.files import read_regular_bytes

if TYPE_CHECKING:
    from packaging.markers import Marker

_COMMENT = re.compile(r"(^|\s+)#.*$")
_VARIABLE = re.compile(r"\$\{[A-Z0-9_]+\}")
_OPTION_START = re.compile(r"(^|\s)--?[A-Za-z]")
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_VCS = re.compile(r"^(git|hg|svn|bzr)\+", re.IGNORECASE)
_EGG = re.compile(r"[#&]egg=([A-Za-z0-9][A-Za-z0-9._-]*)")
_ARCHIVE = re.compile(r"\.(whl|tar\.gz|tgz|tar\.bz2|tar|zip)$", re.IGNORECASE)
_NAME_START = re.compile(r"^[A-Za-z0-9]")
_VARIABLE_PLACEHOLDER = "0"

# Option lines pip accepts in a requirements file and that install nothing by themselves.
_GLOBAL_OPTIONS = frozenset(
    {
        "-i",
        "--index-url",
        "--extra-index-url",
        "--no-index",
        "-f",
        "--find-links",
        "--pre",
        "--prefer-binary",
        "--require-hashes",
        "--trusted-host",
        "--use-feature",
        "--no-binary",
        "--only-binary",
        "--config-settings",
        "-C",
    }
)
_FLAG_OPTIONS = frozenset({"--no-index", "--pre", "--prefer-binary", "--require-hashes"})
_INCLUDE_OPTIONS = {"-r": False, "--requirement": False, "-c": True, "--constraint": True}
_EDITABLE_OPTIONS = frozenset({"-e", "--editable"})
# Options pip accepts after a requirement on the same line.
_REQUIREMENT_OPTIONS = frozenset({"--hash", "--config-settings", "-C", "--global-option"})


@dataclass(frozen=True)
class RequirementLine:
    """A requirement pip installs (or, from a `-c` file, constrains), where it is written."""

    path: Path
    line: int
    text: str
    name: str | None  # PEP 503 form; None when a ${VAR} or an unnamed URL hides it
    marker: Marker | None = None
    constraint: bool = False
    specifier: str = ""  # the version specifier as written, e.g. ">=2,<3"; empty for none or a URL

    def applies_to(self, versions: tuple[tuple[int, int], ...]) -> bool:
        """Whether pip installs it on the Linux runtime for one of the Python versions."""
        if self.marker is None:
            return True
        for major, minor in versions:
            environment = {
                "python_version": f"{major}.{minor}",
                "python_full_version": f"{major}.{minor}.0",
                "sys_platform": "linux",
                "platform_system": "Linux",
                "os_name": "posix",
                "platform_python_implementation": "CPython",
                "implementation_name": "cpython",
                "extra": "",
            }
            try:
                if self.marker.evaluate(environment):
                    return True
            except Exception:
                return True
        return False


@dataclass(frozen=True)
class RequirementProblem:
    """A line pip fails on or cannot install from the index, and why."""

    path: Path
    line: int
    text: str
    problem: str


@dataclass(frozen=True)
class Requirements:
    """What a function's requirements.txt (and the files it includes) says."""

    path: Path
    found: bool
    lines: tuple[RequirementLine, ...] = ()
    problems: tuple[RequirementProblem, ...] = ()
    complete: bool = True  # every installed requirement's name is known

    def installed(self, versions: tuple[tuple[int, int], ...]) -> Iterator[RequirementLine]:
        """The requirement lines pip installs for one of `versions` (not constraints)."""
        return (line for line in self.lines if not line.constraint and line.applies_to(versions))


@dataclass(frozen=True)
class _LogicalLine:
    number: int
    text: str


def logical_lines(text: str) -> Iterator[_LogicalLine]:
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
            start = number
        pending.append(physical)
        joined, pending = "".join(pending), []
        yield from _stripped(start, joined)
    if pending:
        yield from _stripped(start, "".join(pending))


def _stripped(number: int, text: str) -> Iterator[_LogicalLine]:
    text = _COMMENT.sub("", text).strip()
    if text:
        yield _LogicalLine(number, text)


def _split_options(text: str) -> tuple[str, list[str]]:
    """A requirement line's requirement part and its trailing options."""
    match = _OPTION_START.search(text)
    if match is None or match.start() == 0:
        return text, []
    return text[: match.start()].strip(), text[match.start() :].split()


def _option_value(words: list[str]) -> tuple[str, str | None, list[str]]:
    """(option, value, rest) for `-r file`, `-rfile`, `--requirement=file`, `--requirement file`."""
    first, rest = words[0], words[1:]
    if first.startswith("--"):
        option, equals, value = first.partition("=")
        if equals:
            return option, value, rest
        return option, (rest[0] if rest else None), rest[1:]
    if len(first) > 2:
        return first[:2], first[2:], rest
    return first, (rest[0] if rest else None), rest[1:]


@dataclass
class _Reader:
    root: Path
    read_bytes: Callable[[Path], bytes] = read_regular_bytes
    lines: list[RequirementLine] = field(default_factory=list)
    problems: list[RequirementProblem] = field(default_factory=list)
    complete: bool = True
    done: set[Path] = field(default_factory=set)

    def problem(self, path: Path, number: int, text: str, problem: str) -> None:
        self.problems.append(RequirementProblem(path, number, text, problem))

    def read_file(self, path: Path, constraint: bool, chain: tuple[Path, ...]) -> None:
        self.done.add(path)
        data = self.read_bytes(path)
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            self.problem(path, data.count(b"\n", 0, exc.start) + 1, "", "not UTF-8 text")
            self.complete = False
            return
        for logical in logical_lines(text):
            self.read_line(path, logical, constraint, (*chain, path))

    def read_line(self, path: Path, logical: _LogicalLine, constraint: bool, chain: tuple[Path, ...]) -> None:
        text = logical.text
        if text.startswith("-"):
            self.read_option_line(path, logical, constraint, chain)
            return
        requirement_text, options = _split_options(text)
        for option in options:
            name = option.partition("=")[0]
            if name.startswith("-") and name not in _REQUIREMENT_OPTIONS:
                self.problem(path, logical.number, text, f"pip does not accept option {name} after a requirement")
        self.read_requirement(path, logical.number, requirement_text, constraint)

    def read_option_line(self, path: Path, logical: _LogicalLine, constraint: bool, chain: tuple[Path, ...]) -> None:
        option, value, _ = _option_value(logical.text.split())
        if option in _INCLUDE_OPTIONS:
            if value is None:
                self.problem(path, logical.number, logical.text, f"{option} needs a file name")
                return
            self.include(path, logical, value, _INCLUDE_OPTIONS[option] or constraint, chain)
        elif option in _EDITABLE_OPTIONS:
            if value is None:
                self.problem(path, logical.number, logical.text, f"{option} needs a path or URL")
                return
            expanded = _VARIABLE.sub(_VARIABLE_PLACEHOLDER, value)
            self.direct_reference(path, logical.number, logical.text, expanded, constraint, editable=True)
        elif option not in _GLOBAL_OPTIONS:
            self.problem(path, logical.number, logical.text, f"pip does not know the option {option}")
        elif value is None and option not in _FLAG_OPTIONS:
            self.problem(path, logical.number, logical.text, f"{option} needs a value")

    def include(
        self, path: Path, logical: _LogicalLine, target: str, constraint: bool, chain: tuple[Path, ...]
    ) -> None:
        if _URL.match(target):
            self.complete = False  # a remote file: its requirements cannot be known here
            return
        included = Path(os.path.normpath(path.parent / target))
        if included in chain:
            loop = " -> ".join(p.name for p in (*chain[chain.index(included) :], included))
            self.problem(path, logical.number, logical.text, f"requirement files include each other: {loop}")
            return
        if os.path.commonpath([included, self.root]) != str(self.root):
            self.problem(
                path,
                logical.number,
                logical.text,
                f"{target} is outside the function folder, so it is not in the uploaded ZIP",
            )
            self.complete = False
            return
        if included in self.done:
            return
        try:
            self.read_file(included, constraint, chain)
        except OSError as exc:
            self.problem(path, logical.number, logical.text, f"cannot read {target}: {exc.strerror or exc}")
            self.complete = False

    def read_requirement(self, path: Path, number: int, text: str, constraint: bool) -> None:
        has_variable = bool(_VARIABLE.search(text))
        expanded = _VARIABLE.sub(_VARIABLE_PLACEHOLDER, text)
        unknown_name = has_variable and not _NAME_START.match(text)
        looks_like_path = "@" not in expanded and ("/" in expanded or "\\" in expanded or _ARCHIVE.search(expanded))
        if _URL.match(expanded) or _VCS.match(expanded) or not _NAME_START.match(expanded) or looks_like_path:
            self.direct_reference(path, number, text, expanded, constraint, editable=False)
            return
        try:
            from packaging.requirements import InvalidRequirement, Requirement  # only when there is a line to parse

            requirement = Requirement(expanded)
        except InvalidRequirement as exc:
            self.problem(path, number, text, f"cannot parse requirement: {str(exc).splitlines()[0]}")
            self.complete = self.complete and constraint
            return
        name = None if unknown_name else canonical_name(requirement.name)
        if name is None and not constraint:
            self.complete = False
        if requirement.url is not None and (_VCS.match(requirement.url) or requirement.url.startswith("file:")):
            kind = "a VCS URL" if _VCS.match(requirement.url) else "a local file"
            self.problem(path, number, text, f"installs from {kind}, not from the package index")
        self.lines.append(
            RequirementLine(path, number, text, name, requirement.marker, constraint, str(requirement.specifier))
        )

    def direct_reference(
        self, path: Path, number: int, text: str, expanded: str, constraint: bool, editable: bool
    ) -> None:
        if _VCS.match(expanded):
            kind = "a VCS URL"
        elif _URL.match(expanded) and not expanded.lower().startswith("file:"):
            kind = "a URL"
        else:
            kind = "a local path"
        if editable:
            self.problem(path, number, text, f"editable install of {kind}: the runtime installs from the package index")
        elif kind != "a URL":
            self.problem(path, number, text, f"installs from {kind}, not from the package index")
        egg = _EGG.search(expanded)
        name = canonical_name(egg.group(1)) if egg else None
        if name is None and not constraint:
            self.complete = False
        self.lines.append(RequirementLine(path, number, text, name, None, constraint))


def read_requirements(
    path: Path, root: Path | None = None, read_bytes: Callable[[Path], bytes] = read_regular_bytes
) -> Requirements:
    """Read `path` and the files it includes (with `read_bytes`, which raises OSError
    like `Path.read_bytes`); never raises for a bad or missing file."""
    path = Path(os.path.abspath(path))
    reader = _Reader(Path(os.path.abspath(root)) if root is not None else path.parent, read_bytes)
    try:
        reader.read_file(path, constraint=False, chain=())
    except FileNotFoundError:
        return Requirements(path, found=False)
    except OSError as exc:
        reader.problem(path, 1, "", f"cannot read: {exc.strerror or exc}")
        reader.complete = False
    return Requirements(path, True, tuple(reader.lines), tuple(reader.problems), reader.complete)
