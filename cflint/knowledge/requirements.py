"""Read a requirements.txt as pip does: the requirements it installs and the lines pip
cannot install from the package index, each with its file and line number.

pip's format, beyond what `packaging` parses: option lines (`-r`/`-c` followed, `-e`,
`--index-url`...), per-requirement options (`--hash=...`), `${VAR}` expanded from the
installing environment, and URLs, VCS links and local paths in place of a requirement. The
line grammar (decoding, comments, continuations, options) is in `requirements_format`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from cflint.fs.files import read_regular_bytes
from cflint.knowledge.distributions import canonical_name
from cflint.knowledge.requirements_format import (
    HASH_OPTIONS,
    LogicalLine,
    decode_requirements,
    logical_lines,
    parse_options,
    split_options,
)
from cflint.record import Record, field

if TYPE_CHECKING:
    from packaging.markers import Marker

# Compiled on first use (by `re`'s cache), each after a plain test that a match needs: most
# lines have no variable, no URL and no archive name, and compiling costs more than reading them.
_VARIABLE = r"\$\{[A-Z0-9_]+\}"
_URL = r"^[A-Za-z][A-Za-z0-9+.-]*://"
_VCS = r"(?i)^(git|hg|svn|bzr)\+"
_EGG = r"[#&]egg=([A-Za-z0-9][A-Za-z0-9._-]*)"
_ARCHIVE = r"(?i)\.(whl|tar\.gz|tgz|tar\.bz2|tar|zip)$"
# The commonest lines (`requests`, `flask==3.0.3`): a PEP 508 name and at most one clause
# with a release number. They are read without `packaging`, whose import costs a cold run
# on a small function a sixteenth of its time; every other line goes to `packaging`.
# tests/test_requirements_reader.py checks that `packaging` reads what this accepts the same.
_SIMPLE_REQUIREMENT = re.compile(
    r"([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)[ \t]*(?:(==|!=|>=|<=|>|<)[ \t]*([0-9]+(?:\.[0-9]+)*))?"
)
_VARIABLE_PLACEHOLDER = "0"


def runtime_environment(version: tuple[int, int], extra: str = "") -> dict[str, str]:
    """The values of environment markers on the Linux runtime running CPython `version`."""
    major, minor = version
    return {
        "python_version": f"{major}.{minor}",
        "python_full_version": f"{major}.{minor}.0",
        "sys_platform": "linux",
        "platform_system": "Linux",
        "os_name": "posix",
        "platform_python_implementation": "CPython",
        "implementation_name": "cpython",
        "extra": extra,
    }


class RequirementLine(Record, frozen=True):
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
        for version in versions:
            try:
                if self.marker.evaluate(runtime_environment(version)):
                    return True
            except Exception:
                return True
        return False


class RequirementProblem(Record, frozen=True):
    """A line pip fails on or cannot install from the index, and why."""

    path: Path
    line: int
    text: str
    problem: str


class RequirementOption(Record, frozen=True):
    """An option with a value on a line of a requirements file (`--extra-index-url URL`)."""

    path: Path
    line: int
    option: str  # pip's last name for it: `-i` is `--pypi-url`
    value: str  # empty for `--no-index`, the one option without a value recorded


class Requirements(Record, frozen=True):
    """What a function's requirements.txt (and the files it includes) says."""

    path: Path
    found: bool
    lines: tuple[RequirementLine, ...] = ()
    problems: tuple[RequirementProblem, ...] = ()
    complete: bool = True  # every installed requirement's name is known
    hash_checking: bool = False  # a line has --hash or --require-hashes: pip then wants every requirement hashed
    options: tuple[RequirementOption, ...] = ()

    def installed(self, versions: tuple[tuple[int, int], ...]) -> Iterator[RequirementLine]:
        """The requirement lines pip installs for one of `versions` (not constraints)."""
        return (line for line in self.lines if not line.constraint and line.applies_to(versions))


class _OpenFile(Record):
    """A requirements file being read: the logical lines not read yet."""

    path: Path
    constraint: bool
    lines: Iterator[LogicalLine]


class _Reader(Record):
    """The state of reading one requirements file and the files it includes."""

    root: Path
    read_bytes: Callable[[Path], bytes] = read_regular_bytes
    lines: list[RequirementLine] = field(default_factory=list)
    problems: list[RequirementProblem] = field(default_factory=list)
    complete: bool = True
    hash_checking: bool = False
    options: list[RequirementOption] = field(default_factory=list)
    done: set[Path] = field(default_factory=set)

    def problem(self, path: Path, number: int, text: str, problem: str) -> None:
        self.problems.append(RequirementProblem(path, number, text, problem))

    def read_all(self, path: Path) -> None:
        """Read `path` and, at each include line, the file it includes, depth first as pip
        does. A loop over a stack of open files, not recursion: pip follows a chain of
        includes of any length. Raises OSError when `path` itself cannot be read."""
        first = self.open_file(path, constraint=False)
        files = [first] if first is not None else []
        while files:
            current = files[-1]
            logical = next(current.lines, None)
            if logical is None:
                files.pop()
                continue
            included = self.read_line(current.path, logical, current.constraint, [file.path for file in files])
            if included is not None:
                files.append(included)

    def open_file(self, path: Path, constraint: bool) -> _OpenFile | None:
        """The logical lines of `path`; None when it is not text (a problem). Raises OSError."""
        self.done.add(path)
        data = self.read_bytes(path)
        try:
            text = decode_requirements(data)
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            encoding = "UTF-8" if exc.encoding == "utf-8" else exc.encoding
            self.problem(path, line, "", f"not {encoding} text")
            self.complete = False
            return None
        except LookupError as exc:
            self.problem(path, 1, "", f"unknown encoding in its coding line ({exc})")
            self.complete = False
            return None
        return _OpenFile(path, constraint, logical_lines(text))

    def read_line(self, path: Path, logical: LogicalLine, constraint: bool, chain: list[Path]) -> _OpenFile | None:
        """Read one logical line; the file it includes, opened, when it is an include line
        (`chain`: the files being read, `path` last)."""
        text = logical.text
        requirement_text, options_text = split_options(text)
        words: list[str] = []
        if options_text:
            import shlex  # most lines have no options

            try:
                words = shlex.split(options_text)
            except ValueError:
                self.problem(path, logical.number, text, "pip cannot split its options (an unclosed quote?)")
                self.complete = self.complete and constraint
                return None
        parsed = parse_options(words)
        if parsed.problem is not None:
            self.problem(path, logical.number, text, parsed.problem)
            self.complete = self.complete and constraint
            return None
        if any(option in HASH_OPTIONS for option, _ in parsed.options):
            self.hash_checking = True
        self.options.extend(
            RequirementOption(path, logical.number, option, value or "")
            for option, value in parsed.options
            if value is not None or option == "--no-index"
        )
        if requirement_text:
            self.read_requirement(path, logical.number, requirement_text, constraint)
            return None
        # As pip's ParsedLine and _parse_and_recurse: the first -e is the line's requirement;
        # else the first -r names a file of requirements (even inside a constraints file), else
        # the first -c a file of constraints. Further -e, -r and -c on the line are ignored.
        first: dict[str, str | None] = {}
        for option, value in parsed.options:
            first.setdefault(option, value)
        editable, requirements, constraints = (first.get(o) for o in ("--editable", "--requirement", "--constraint"))
        if editable is not None:
            expanded = _expand_variables(editable)
            self.direct_reference(path, logical.number, logical.text, expanded, constraint, editable=True)
        elif requirements is not None:
            return self.include(path, logical, requirements, False, chain)
        elif constraints is not None:
            return self.include(path, logical, constraints, True, chain)
        return None

    def include(
        self, path: Path, logical: LogicalLine, target: str, constraint: bool, chain: list[Path]
    ) -> _OpenFile | None:
        if _is_url(target):
            self.complete = False  # a remote file: its requirements cannot be known here
            return None
        included = Path(os.path.normpath(path.parent / target))
        if included in chain:
            loop = " -> ".join(p.name for p in (*chain[chain.index(included) :], included))
            self.problem(path, logical.number, logical.text, f"requirement files include each other: {loop}")
            return None
        if os.path.commonpath([included, self.root]) != str(self.root):
            self.problem(
                path,
                logical.number,
                logical.text,
                f"{target} is outside the function folder, so it is not in the uploaded ZIP",
            )
            self.complete = False
            return None
        if included in self.done:
            return None
        try:
            return self.open_file(included, constraint)
        except OSError as exc:
            self.problem(path, logical.number, logical.text, f"cannot read {target}: {exc.strerror or exc}")
            self.complete = False
            return None

    def read_requirement(self, path: Path, number: int, text: str, constraint: bool) -> None:
        expanded = _expand_variables(text)
        unknown_name = expanded != text and not _starts_a_name(text)
        looks_like_path = "@" not in expanded and (
            "/" in expanded or "\\" in expanded or ("." in expanded and re.search(_ARCHIVE, expanded) is not None)
        )
        # A VCS link without `://` (git+git@host:x.git) is neither a URL nor a requirement to pip.
        if _is_url(expanded) or not _starts_a_name(expanded) or looks_like_path:
            self.direct_reference(path, number, text, expanded, constraint)
            return
        simple = _SIMPLE_REQUIREMENT.fullmatch(expanded)
        if simple is not None:
            written_name, operator, version = simple.groups()
            marker, specifier = None, f"{operator}{version}" if operator else ""
        else:
            try:
                from packaging.requirements import InvalidRequirement, Requirement

                requirement = Requirement(expanded)
            except InvalidRequirement as exc:
                self.problem(path, number, text, f"cannot parse requirement: {str(exc).splitlines()[0]}")
                self.complete = self.complete and constraint
                return
            written_name, marker, specifier = requirement.name, requirement.marker, str(requirement.specifier)
            if requirement.url is not None and (re.match(_VCS, requirement.url) or requirement.url.startswith("file:")):
                kind = "a VCS URL" if re.match(_VCS, requirement.url) else "a local file"
                self.problem(path, number, text, f"installs from {kind}, not from the package index")
        name = None if unknown_name else canonical_name(written_name)
        if name is None and not constraint:
            self.complete = False
        self.lines.append(RequirementLine(path, number, text, name, marker, constraint, specifier))

    def direct_reference(
        self, path: Path, number: int, text: str, expanded: str, constraint: bool, editable: bool = False
    ) -> None:
        if re.match(_VCS, expanded):
            kind = "a VCS URL"
        elif _is_url(expanded) and not expanded.lower().startswith("file:"):
            kind = "a URL"
        else:
            kind = "a local path"
        if editable:
            self.problem(path, number, text, f"editable install of {kind}: the runtime installs from the package index")
        elif kind != "a URL":
            self.problem(path, number, text, f"installs from {kind}, not from the package index")
        egg = re.search(_EGG, expanded)
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
        reader.read_all(path)
    except FileNotFoundError:
        return Requirements(path, found=False)
    except OSError as exc:
        reader.problem(path, 1, "", f"cannot read: {exc.strerror or exc}")
        reader.complete = False
    return Requirements(
        path,
        True,
        tuple(reader.lines),
        tuple(reader.problems),
        reader.complete,
        reader.hash_checking,
        tuple(reader.options),
    )


def _expand_variables(text: str) -> str:
    """`text` with each `${NAME}` as a placeholder, as pip expands variables it knows."""
    return re.sub(_VARIABLE, _VARIABLE_PLACEHOLDER, text) if "${" in text else text


def _is_url(text: str) -> bool:
    return "://" in text and re.match(_URL, text) is not None


def _starts_a_name(text: str) -> bool:
    """Whether `text` starts as a PEP 508 name does: an ASCII letter or digit."""
    return text[:1].isascii() and text[:1].isalnum()
