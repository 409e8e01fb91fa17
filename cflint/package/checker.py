"""Package checks in a run: package rules on function folders, and ZIP archives linted
in place (their `.py` members through the file linter, plus the package rules)."""

from __future__ import annotations

import errno
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from dataclasses import dataclass
from functools import cached_property, partial
from pathlib import Path
from typing import TYPE_CHECKING

from cflint.engine.registry import (
    ENTRY_MODULE_MISSING,
    FILE_TOO_LARGE,
    INTERNAL_ERROR,
    UNREADABLE_FILE,
    UNSAFE_ARCHIVE,
    Registry,
)
from cflint.model import Finding
from cflint.package.contents import REQUIREMENTS, HeadReader, Package, PackageEntry
from cflint.package.junk import junk_item, virtualenv_folders
from cflint.package.pack_set import PackFilter, package_exclusions
from cflint.project import FileContext, FileJob, FunctionRoot, entry_function_hint
from cflint.rule import RootRule
from cflint.run.files import open_regular_file
from cflint.run.patterns import PathPatterns, exclusion_patterns
from cflint.settings.config import Settings

if TYPE_CHECKING:
    from cflint.knowledge.requirements import Requirements
    from cflint.package.archive import Archive

EnabledFor = Callable[[Settings, Path], frozenset[str]]


@dataclass(frozen=True)
class ArchiveResult:
    """The findings of a linted archive and how many of its modules were linted."""

    findings: list[Finding]
    files_checked: int


def _folder_head_reader(folder: Path) -> HeadReader:
    def read_head(path: str, limit: int) -> bytes | None:
        try:
            with open_regular_file(folder / path) as stream:
                return stream.read(limit)
        except OSError:
            return None

    return read_head


def _archive_head_reader(archive: Archive) -> HeadReader:
    from cflint.package.archive import ArchiveError  # zipfile is imported only to lint a ZIP

    def read_head(path: str, limit: int) -> bytes | None:
        try:
            return archive.read_head(path, limit)
        except ArchiveError:
            return None

    return read_head


def _top_level_modules(entries: tuple[PackageEntry, ...]) -> frozenset[str]:
    names = set()
    for entry in entries:
        top, slash, _ = entry.path.partition("/")
        if slash:
            names.add(top)
        elif top.endswith(".py"):
            names.add(top[: -len(".py")])
    return frozenset(name for name in names if name.isidentifier())


@dataclass(frozen=True, kw_only=True)
class ArchiveRoot(FunctionRoot):
    """The root of a ZIP archive linted in place: `path` is the archive itself, and the
    files rules read through the root (its requirements) come from `read_bytes`."""

    read_bytes: Callable[[Path], bytes]
    unreadable_members: frozenset[str] = frozenset()

    @cached_property
    def requirements(self) -> Requirements:
        from cflint.knowledge.requirements import Requirements, read_requirements  # parsing needs `packaging`

        if REQUIREMENTS in self.unreadable_members:
            return Requirements(self.requirements_path, found=True, complete=False)  # CF506 reports it
        return read_requirements(self.requirements_path, self.path, self.read_bytes)


def _member_reader(archive: Archive, package: Package) -> Callable[[Path], bytes]:
    """`Path.read_bytes` for the paths inside an archive; members larger than
    max-file-size are not read."""
    from cflint.package.archive import ArchiveError

    limit = package.settings.max_file_size

    def read_bytes(path: Path) -> bytes:
        member = path.relative_to(package.path).as_posix()
        if member not in package.file_paths:
            raise FileNotFoundError(errno.ENOENT, "not in the archive", str(path))
        try:
            data = archive.read_head(member, limit + 1)
        except ArchiveError as exc:
            raise OSError(errno.EIO, str(exc), str(path)) from None
        if len(data) > limit:
            raise OSError(errno.EFBIG, "larger than max-file-size", str(path))
        return data

    return read_bytes


class PackageChecker:
    """Runs the package rules (and, for archives, the file rules on `.py` members)."""

    def __init__(self, registry: Registry, lint: Callable[[FileJob], list[Finding]], enabled_for: EnabledFor) -> None:
        self._rules = registry.package_rules
        self._registry = registry
        self._lint = lint
        self._enabled_for = enabled_for
        self._exclusions: dict[Settings, PathPatterns] = {}

    @cached_property
    def _archive_root_rules(self) -> tuple[type[RootRule], ...]:
        """Root rules run on archives (loaded only when an archive is linted)."""
        return tuple(rule for rule in self._registry.root_rules if rule.code != ENTRY_MODULE_MISSING)

    def check_folder(self, root: FunctionRoot) -> list[Finding]:
        """Package rules on the files `cflint package` would pack from `root`. A folder
        without the entry module is not checked: CF101 reports it, and it is no package."""
        settings = root.settings
        enabled = self._enabled_for(settings, root.path)
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
            entries=tuple(PackageEntry(pack_file.path, pack_file.size) for pack_file in files),
            read_head=_folder_head_reader(root.path),
        )
        # A FIFO or device named `.py` is the file linter's CF002 already, and requirements.txt
        # is CF304's; other `.py` findings equal the linter's where it reads the file too.
        left_out = [
            self._registry.finding(UNREADABLE_FILE, package.finding_path(entry.path), reason=entry.reason)
            for entry in contents.left_out
            if not (entry.path.endswith(".py") and entry.reason.startswith("not a regular file"))
            and entry.path != REQUIREMENTS
            and UNREADABLE_FILE in enabled
        ]
        return left_out + self._run_rules(package, enabled)

    def _package_exclusions(self, settings: Settings) -> PathPatterns:
        if settings not in self._exclusions:
            self._exclusions[settings] = package_exclusions(settings)
        return self._exclusions[settings]

    def _run_rules(self, package: Package, enabled: frozenset[str], root: FunctionRoot | None = None) -> list[Finding]:
        """The enabled package rules, and with an archive's `root` the root rules that
        read its requirements (CF101 looks on disk: `_entry_modules_missing` stands in)."""
        checks: list[tuple[str, Callable[[], Iterable[Finding]]]] = [
            (rule_type.code, partial(rule_type().check, package)) for rule_type in self._rules
        ]
        if root is not None:
            checks.extend((rule_type.code, partial(rule_type().check, root)) for rule_type in self._archive_root_rules)
        findings: list[Finding] = []
        for code, check in checks:
            if code not in enabled:
                continue
            try:
                found = list(check())
            except Exception as exc:
                detail = f"{type(exc).__name__}: {exc}"
                findings.append(
                    self._registry.finding(INTERNAL_ERROR, package.display_path, where=f"rule {code}", detail=detail)
                )
                continue
            findings.extend(
                finding
                for finding in found
                if finding.code in self._enabled_for(package.settings, package.path_of(finding.path))
            )
        return findings

    def lint_archive(self, path: Path, display: str, settings: Settings) -> ArchiveResult:
        from cflint.package.archive import UNPACKED_SIZE_FACTOR, Archive, ArchiveError

        enabled = self._enabled_for(settings, path)
        with ExitStack() as stack:
            try:
                size = path.stat().st_size
                archive = stack.enter_context(Archive.open(path, UNPACKED_SIZE_FACTOR * settings.max_package_size))
            except OSError as exc:
                return ArchiveResult(
                    [self._registry.finding(UNREADABLE_FILE, display, reason=f"cannot read: {exc.strerror or exc}")], 0
                )
            except ArchiveError as exc:
                unsafe = [self._registry.finding(UNSAFE_ARCHIVE, display, reason=str(exc))]
                return ArchiveResult(unsafe if UNSAFE_ARCHIVE in enabled else [], 0)
            package = Package(
                path=path,
                display_path=display,
                settings=settings,
                is_archive=True,
                size=size,
                entries=archive.entries,
                read_head=_archive_head_reader(archive),
                problems=archive.problems,
            )
            root = ArchiveRoot(
                path,
                display,
                settings,
                _top_level_modules(archive.entries),
                read_bytes=_member_reader(archive, package),
                unreadable_members=frozenset(
                    entry.path for entry in archive.entries if not archive.is_readable(entry.path)
                ),
            )
            findings = self._run_rules(package, enabled, root)
            if ENTRY_MODULE_MISSING in enabled:
                findings.extend(self._entry_modules_missing(package))
            modules = self._modules_to_lint(package, archive)
            for member in modules:
                findings.extend(self._lint_member(archive, package, root, member))
            return ArchiveResult(findings, len(modules))

    @staticmethod
    def _modules_to_lint(package: Package, archive: Archive) -> list[str]:
        """Readable `.py` members that are not junk (CF504 reports those) and that
        `exclude`/`extend-exclude` do not exclude."""
        settings = package.settings
        excluded = exclusion_patterns(settings)
        virtualenvs = virtualenv_folders(package.file_paths)
        return [
            entry.path
            for entry in package.entries
            if entry.path.endswith(".py")
            and archive.is_readable(entry.path)
            and junk_item(entry.path, virtualenvs) is None
            and not excluded.match_file(entry.path)
        ]

    def _entry_modules_missing(self, package: Package) -> list[Finding]:
        """CF101 for an archive: entry modules neither at its root nor in a folder (CF501)."""
        findings = []
        for entry_point in package.settings.entry_points:
            module_path = entry_point.module_path.as_posix()
            if module_path in package.file_paths or package.nested_folder_of(module_path) is not None:
                continue
            folder = module_path.rpartition("/")[0]
            prefix = folder + "/" if folder else ""
            beside = sorted(
                path[len(prefix) :]
                for path in package.file_paths
                if path.startswith(prefix) and path.endswith(".py") and "/" not in path[len(prefix) :]
            )
            limit = package.settings.max_file_size
            modules = [(name, partial(package.read_head, prefix + name, limit)) for name in beside]
            hint = entry_function_hint(entry_point, modules)
            findings.append(
                self._registry.finding(
                    ENTRY_MODULE_MISSING,
                    package.display_path,
                    module_path=module_path,
                    entry_point=entry_point,
                    hint=hint,
                )
            )
        return findings

    def _lint_member(self, archive: Archive, package: Package, root: FunctionRoot, member: str) -> list[Finding]:
        from cflint.package.archive import ArchiveError

        settings = package.settings
        display = package.finding_path(member)
        pseudo_path = package.path / member
        enabled = self._enabled_for(settings, pseudo_path)
        declared = archive.declared_size(member)
        if declared > settings.max_file_size:
            if FILE_TOO_LARGE not in enabled:
                return []
            return [self._registry.finding(FILE_TOO_LARGE, display, size=declared, limit=settings.max_file_size)]
        try:
            source = archive.read_head(member, settings.max_file_size + 1)
        except ArchiveError as exc:
            if UNSAFE_ARCHIVE not in enabled:
                return []
            return [self._registry.finding(UNSAFE_ARCHIVE, display, reason=str(exc))]
        context = FileContext.of(pseudo_path, display, settings, root)
        return self._lint(FileJob(context, enabled, source))
