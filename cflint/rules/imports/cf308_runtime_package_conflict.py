from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from cflint.knowledge.requirements import RequirementLine
from cflint.knowledge.runtime_packages import (
    BrokenRelease,
    FlaskReleases,
    flask_releases,
    keeps_out,
    pinned_release,
    read_runtime_packages,
)
from cflint.model import Finding
from cflint.project import FunctionRoot
from cflint.rule import RootRule
from cflint.rules.imports.dependencies import finding_at, installed_lines

if TYPE_CHECKING:
    from cflint.resolve.model import VersionResolution


def _kept_out(root: FunctionRoot, broken: BrokenRelease) -> bool:
    """Whether a requirement or constraint line keeps pip from installing the dependency release
    that breaks the import (`Werkzeug<3` beside `Flask==2.0.2`)."""
    culprit = broken.culprit
    if culprit is None or culprit not in broken.installed:
        return False
    versions = root.settings.target_versions
    return any(
        line.name == culprit and line.applies_to(versions) and keeps_out(line.specifier, broken.installed[culprit])
        for line in root.requirements.lines
    )


class RuntimePackageConflict(RootRule):
    code = "CF308"
    name = "runtime-package-conflict"
    summary = "requirements.txt pins a Flask release that fails to import beside the runtime's packages"
    message = "{requirement} installs Flask {version} beside {culprit}, and `import flask` fails with {error}; {fix}"

    def check(self, root: FunctionRoot) -> Iterator[Finding]:
        flask_lines = [line for line in installed_lines(root, root.settings) if line.name == "flask"]
        if not flask_lines:
            return
        releases = flask_releases()
        resolved = {v.version: v for v in root.resolution.resolved()} if root.resolution is not None else {}
        unresolved = [version for version in root.settings.target_versions if version not in resolved]
        guessed = {f"{major}.{minor}" for major, minor in unresolved}
        for line in flask_lines:
            found = next(filter(None, (_resolved_break(v, releases) for v in resolved.values())), None)
            if found is None and guessed:
                found = _offline_break(root, line, releases, guessed)
            if found is None:
                continue
            broken, culprit = found
            yield finding_at(
                self,
                root,
                line.path,
                line.line,
                requirement=line.text,
                version=broken.version,
                culprit=culprit,
                error=broken.error,
                fix=_fix(broken),
            )


def _offline_break(
    root: FunctionRoot, line: RequirementLine, releases: FlaskReleases, targets: set[str]
) -> tuple[BrokenRelease, str] | None:
    """The recorded break of the Flask release pip would pick for this line, guessed from its specifier."""
    version = pinned_release(line.specifier, releases)
    broken = releases.broken.get(version) if version is not None else None
    if broken is None or not targets & set(broken.pythons) or _kept_out(root, broken):
        return None
    return broken, _culprit(broken)


def _resolved_break(resolution: VersionResolution, releases: FlaskReleases) -> tuple[BrokenRelease, str] | None:
    """The recorded break of the Flask release pip chose for one target version, when the
    dependencies it chose beside it are those the break was recorded with."""
    named = resolution.by_name()
    flask = named.get("flask")
    broken = releases.broken.get(flask.version) if flask is not None else None
    major, minor = resolution.version
    if broken is None or f"{major}.{minor}" not in broken.pythons:
        return None
    culprit = broken.culprit
    chosen = named.get(culprit) if culprit is not None else None
    if culprit is None or chosen is None or culprit not in broken.installed:
        return None
    if broken.fixed_by is not None and broken.fixed_by.startswith(culprit):
        # The recording checked that the culprit's releases outside this requirement break
        # the import, and that those inside it do not, whatever else is installed.
        if not keeps_out(broken.fixed_by[len(culprit) :], chosen.version):
            return None
    elif any(named[name].version != version for name, version in broken.installed.items() if name in named):
        return None  # another set of releases than the one seen to fail
    return broken, f"{_display(culprit)} {chosen.version}"


def _display(name: str) -> str:
    package = read_runtime_packages().get(name)
    return package.display if package is not None else name


def _culprit(broken: BrokenRelease) -> str:
    culprit = broken.culprit
    if culprit is None or culprit not in broken.installed:
        return "the newest releases of its dependencies"
    return f"{_display(culprit)} {broken.installed[culprit]}"


def _fix(broken: BrokenRelease) -> str:
    """Flask>=3, as the runtime has; or the pin of the culprit that was seen to make the import work."""
    culprit = broken.culprit
    if broken.fixed_by is None or culprit is None or not broken.fixed_by.startswith(culprit):
        return "require Flask>=3"
    return f"require Flask>=3, or pin {_display(culprit)}{broken.fixed_by[len(culprit) :]} with it"
