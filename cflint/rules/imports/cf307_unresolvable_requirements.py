from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from cflint.knowledge.distributions import PackagePolicy
from cflint.model import Finding, Position, Severity
from cflint.project import FunctionRoot
from cflint.rule import RootRule, make_finding
from cflint.rules.imports.dependencies import display_in_root, installed_lines

if TYPE_CHECKING:
    from cflint.resolve.model import Failure, RootResolution

_INDEX_OPTIONS = ("--pypi-url", "--extra-index-url", "--find-links")
_DEFAULT_INDEX = "the package index pip is configured with"


def _versions(versions: list[tuple[int, int]]) -> str:
    return ", ".join(f"{major}.{minor}" for major, minor in versions)


class UnresolvableRequirements(RootRule):
    code = "CF307"
    name = "unresolvable-requirements"
    summary = "pip cannot install requirements.txt for a target Python version (with --resolve)"
    message = "{subject} on Python {versions}: {reason}"

    def check(self, root: FunctionRoot) -> Iterator[Finding]:
        resolution = root.resolution
        if resolution is None:
            return
        unreachable = [v for v in resolution.versions if v.failure is not None and v.failure.kind == "unreachable"]
        if unreachable:
            yield self._unreachable(root, resolution, [v.version for v in unreachable])
        places: dict[tuple[Path, int, str], tuple[str, str, list[tuple[int, int]]]] = {}
        for version in resolution.versions:
            for failure in version.failures:
                if failure.kind == "unreachable":
                    continue
                for path, line, kind, subject, reason in self._places(root, failure):
                    _, _, versions = places.setdefault((path, line, kind), (subject, reason, []))
                    if version.version not in versions:
                        versions.append(version.version)
        for (path, line, kind), (subject, reason, versions) in places.items():
            # A package with only a source distribution installs if it is pure Python, which
            # pip does not say: a warning, unless cflint's catalogue knows it needs native code.
            severity = Severity.WARNING if kind == "source-only" else self.severity
            fields: dict[str, object] = {"subject": subject, "versions": _versions(versions), "reason": reason}
            yield make_finding(self.code, self.message, severity, display_in_root(path, root), *_at(line), fields)

    @staticmethod
    def _places(root: FunctionRoot, failure: Failure) -> Iterator[tuple[Path, int, str, str, str]]:
        """The requirement lines a failure is about, each with its kind, its subject and pip's reason."""
        from cflint.rules.imports.resolved import lines_naming  # only with --resolve

        lines = installed_lines(root, root.settings)
        named = [line for line in lines if (str(line.path), line.line) in set(failure.lines)]
        if not named:
            named = [line for name in failure.names for line in lines_naming(root, name)]
        kind, reason = failure.kind, failure.reason
        verdict = "needs a build from source" if failure.kind == "source-only" else "cannot be installed"
        native = _native_source_build(root, failure)
        if native is not None:
            kind, verdict, reason = "native-source-only", "cannot be installed", native
        if not named and failure.parent is not None:
            named = list(lines_naming(root, failure.parent))
            reason = f"it needs {failure.names[0] if failure.names else 'a dependency'}, and pip says: {reason}"
        if not named:
            yield root.requirements_path, 1, kind, f"{root.requirements_path.name} {verdict}", reason
            return
        for line in named:
            yield line.path, line.line, kind, f"{line.text} {verdict}", reason

    def _unreachable(self, root: FunctionRoot, resolution: RootResolution, versions: list[tuple[int, int]]) -> Finding:
        """One warning for an index pip cannot reach: the requirements are not judged at all."""
        detail = next(v.failure.reason for v in resolution.versions if v.failure is not None)
        options = [option for option in root.requirements.options if option.option in _INDEX_OPTIONS]
        place = next((o for o in options if (urlsplit(o.value).hostname or "\0") in detail), None)
        place = place or next(iter(options), None)
        index = place.value if place is not None else _DEFAULT_INDEX
        path, line = (place.path, place.line) if place is not None else (root.requirements_path, 1)
        return make_finding(
            self.code,
            self.message,
            Severity.WARNING,
            display_in_root(path, root),
            *_at(line),
            {
                "subject": "requirements.txt cannot be resolved",
                "versions": _versions(versions),
                "reason": f"{index} cannot be reached ({detail})",
            },
        )


def _native_source_build(root: FunctionRoot, failure: Failure) -> str | None:
    """For a requirement only a source distribution satisfies, of a distribution cflint's
    catalogue knows needs native code: why the runtime cannot install it."""
    if failure.kind != "source-only" or not failure.names:
        return None
    policy = PackagePolicy.for_settings(root.settings)
    name = failure.names[0]
    entry = policy.unsupported.get(name) or policy.native.get(name)
    if entry is None:
        return None
    return (
        f"no wheel matches {failure.requirement}, only a source distribution, and {entry.name} needs native code "
        f"({entry.reason}), which the runtime cannot compile"
    )


def _at(line: int) -> tuple[Position, None]:
    return Position(line, 1), None
