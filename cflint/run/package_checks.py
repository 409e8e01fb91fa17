"""Package checks in a run: package rules on function folders. ZIP archives are linted in
place by `archive_lint`, which builds on this checker and is imported only when a run meets one."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path

from cflint.engine.registry import INTERNAL_ERROR, UNREADABLE_FILE, Registry
from cflint.fs.files import open_regular_file
from cflint.fs.patterns import PathPatterns
from cflint.model import Finding
from cflint.package.contents import REQUIREMENTS, HeadReader, Package, PackageEntry
from cflint.package.pack_set import PackFilter, package_exclusions
from cflint.project import FileJob, FunctionRoot
from cflint.rule import RootRule
from cflint.settings.config import Settings

EnabledFor = Callable[[Settings, Path], frozenset[str]]


def _folder_head_reader(folder: Path) -> HeadReader:
    def read_head(path: str, limit: int) -> bytes | None:
        try:
            with open_regular_file(folder / path) as stream:
                return stream.read(limit)
        except OSError:
            return None

    return read_head


class PackageChecker:
    """Runs the package rules (and, for archives, the file rules on `.py` members)."""

    def __init__(self, registry: Registry, lint: Callable[[FileJob], list[Finding]], enabled_for: EnabledFor) -> None:
        self.registry = registry
        self.lint = lint  # the file linter, for an archive's `.py` members
        self.enabled_for = enabled_for
        self._rules = registry.package_rules
        self._exclusions: dict[Settings, PathPatterns] = {}

    def check_folder(self, root: FunctionRoot) -> list[Finding]:
        """Package rules on the files `cflint package` would pack from `root`. A folder
        without the entry module is not checked: CF101 reports it, and it is no package."""
        settings = root.settings
        enabled = self.enabled_for(settings, root.path)
        if not any(rule.code in enabled for rule in self._rules):
            return []
        if not any((root.path / ep.module_path).is_file() for ep in settings.entry_points):
            return []
        try:
            contents = PackFilter(root.path, self._package_exclusions(settings)).contents()
        except OSError:
            return []  # an unreadable folder is CF002's finding
        files = contents.files
        package = Package(
            path=root.path,
            display_path=root.display_path,
            settings=settings,
            is_archive=False,
            size=sum(pack_file.size for pack_file in files),
            entries=tuple(PackageEntry(pack_file.path, pack_file.size, pack_file.link) for pack_file in files),
            read_head=_folder_head_reader(root.path),
        )
        # A FIFO or device named `.py` is the file linter's CF002 already, and requirements.txt
        # is CF304's; other `.py` findings equal the linter's where it reads the file too.
        left_out = [
            self.registry.finding(UNREADABLE_FILE, package.finding_path(entry.path), reason=entry.reason)
            for entry in contents.left_out
            if not (entry.path.endswith(".py") and entry.reason.startswith("not a regular file"))
            and entry.path != REQUIREMENTS
            and UNREADABLE_FILE in enabled
        ]
        return left_out + self.run_rules(package, enabled)

    def _package_exclusions(self, settings: Settings) -> PathPatterns:
        if settings not in self._exclusions:
            self._exclusions[settings] = package_exclusions(settings)
        return self._exclusions[settings]

    def run_rules(
        self,
        package: Package,
        enabled: frozenset[str],
        root_rules: tuple[type[RootRule], ...] = (),
        root: FunctionRoot | None = None,
    ) -> list[Finding]:
        """The enabled package rules, and `root_rules` on `root` (an archive's: see `archive_lint`)."""
        checks: list[tuple[str, Callable[[], Iterable[Finding]]]] = [
            (rule_type.code, partial(rule_type().check, package)) for rule_type in self._rules
        ]
        if root is not None:
            checks.extend((rule_type.code, partial(rule_type().check, root)) for rule_type in root_rules)
        findings: list[Finding] = []
        for code, check in checks:
            if code not in enabled:
                continue
            try:
                found = list(check())
            except Exception as exc:
                detail = f"{type(exc).__name__}: {exc}"
                findings.append(
                    self.registry.finding(INTERNAL_ERROR, package.display_path, where=f"rule {code}", detail=detail)
                )
                continue
            findings.extend(
                finding
                for finding in found
                if finding.code in self.enabled_for(package.settings, package.path_of(finding.path))
            )
        return findings
