from collections.abc import Iterator

from cflint.knowledge.runtime_packages import (
    BrokenRelease,
    flask_releases,
    keeps_out,
    pinned_release,
    read_runtime_packages,
)
from cflint.model import Finding
from cflint.project import FunctionRoot
from cflint.rule import RootRule
from cflint.rules.imports.dependencies import finding_at, installed_lines


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
        targets = {f"{major}.{minor}" for major, minor in root.settings.target_versions}
        for line in flask_lines:
            version = pinned_release(line.specifier, releases)
            broken = releases.broken.get(version) if version is not None else None
            if broken is None or not targets & set(broken.pythons) or _kept_out(root, broken):
                continue
            yield finding_at(
                self,
                root,
                line.path,
                line.line,
                requirement=line.text,
                version=broken.version,
                culprit=_culprit(broken),
                error=broken.error,
                fix=_fix(broken),
            )


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
