"""A ZIP archive linted in place: the package rules on its listing, the root rules on its
requirements, and the file rules on its `.py` members, without unpacking it."""

from __future__ import annotations

import errno
from collections.abc import Callable
from contextlib import ExitStack
from functools import cached_property, partial
from pathlib import Path
from typing import TYPE_CHECKING

from cflint.engine.registry import ENTRY_MODULE_MISSING, FILE_TOO_LARGE, UNREADABLE_FILE, UNSAFE_ARCHIVE
from cflint.model import START_OF_FILE, Finding
from cflint.package.archive import UNPACKED_SIZE_FACTOR, Archive, ArchiveError
from cflint.package.contents import REQUIREMENTS, HeadReader, Package, PackageEntry, format_size
from cflint.package.junk import junk_item, virtualenv_folders
from cflint.package.vendored import is_vendored, top_level_names
from cflint.project import FileContext, FileJob, FunctionRoot, entry_function_hint
from cflint.record import Record
from cflint.settings.config import SettingsResolver, exclusion_patterns

if TYPE_CHECKING:
    from cflint.knowledge.requirements import Requirements
    from cflint.run.package_checks import PackageChecker


class ArchiveResult(Record, frozen=True):
    """The findings of a linted archive and how many of its modules were linted."""

    findings: list[Finding]
    files_checked: int


def _archive_head_reader(archive: Archive) -> HeadReader:
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


class ArchiveRoot(FunctionRoot, frozen=True, kw_only=True, dict=True):
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


def _root_file(archive: Archive, limit: int, name: str) -> bytes | None:
    """A readable member of at most `limit` bytes, else None."""
    if not archive.is_readable(name) or archive.declared_size(name) > limit:
        return None
    try:
        return archive.read_head(name, limit)
    except ArchiveError:
        return None


def _vendored_names(package: Package, archive: Archive) -> set[str]:
    """The top-level names the `*.dist-info` folders at the archive's root list."""
    limit = package.settings.max_file_size
    names: set[str] = set()
    for info in {path.split("/")[0] for path in package.file_paths if path.split("/")[0].endswith(".dist-info")}:
        record, top_level = (_root_file(archive, limit, f"{info}/{name}") for name in ("RECORD", "top_level.txt"))
        names.update(
            top_level_names(
                record.decode("utf-8", "replace") if record is not None else None,
                top_level.decode("utf-8", "replace") if top_level is not None else None,
            )
        )
    return names


def _member_reader(archive: Archive, package: Package) -> Callable[[Path], bytes]:
    """`Path.read_bytes` for the paths inside an archive; members larger than
    max-file-size are not read."""
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


class ArchiveLinter:
    """Lints ZIP archives with a run's package checker (its rules, linter and selection)."""

    def __init__(self, checker: PackageChecker) -> None:
        self._checker = checker
        self._registry = checker.registry
        # The root rules that read the requirements; CF101 looks on disk, so
        # `_entry_modules_missing` stands in for it.
        self._root_rules = tuple(rule for rule in self._registry.root_rules if rule.code != ENTRY_MODULE_MISSING)

    def lint(self, path: Path, display: str, resolver: SettingsResolver) -> ArchiveResult:
        """Lint the archive at `path` with the settings of its own config file at its root
        (as its folder was linted), else of the folder it lies in."""
        settings = resolver.for_folder(path.parent)
        enabled = self._checker.enabled_for(settings, path)
        with ExitStack() as stack:
            try:
                size = path.stat().st_size
                archive = stack.enter_context(Archive.open(path, UNPACKED_SIZE_FACTOR * settings.max_package_size))
                own_settings = resolver.for_archive(path, partial(_root_file, archive, settings.max_file_size))
                if own_settings is not settings:
                    settings = own_settings
                    enabled = self._checker.enabled_for(settings, path)
                    archive.check_declared_size(UNPACKED_SIZE_FACTOR * settings.max_package_size)
            except OSError as exc:
                return ArchiveResult(
                    [self._registry.finding(UNREADABLE_FILE, display, reason=f"cannot read: {exc.strerror or exc}")],
                    0,
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
            findings = self._checker.run_rules(package, enabled, self._root_rules, root)
            if ENTRY_MODULE_MISSING in enabled:
                findings.extend(self._entry_modules_missing(package))
            modules, over_budget = self._within_source_budget(package, archive, self._modules_to_lint(package, archive))
            for member in modules:
                findings.extend(self._lint_member(archive, package, root, member))
            if over_budget and FILE_TOO_LARGE in enabled:
                findings.append(self._over_budget(package, archive, over_budget))
            return ArchiveResult(findings, len(modules))

    @staticmethod
    def _modules_to_lint(package: Package, archive: Archive) -> list[str]:
        """Readable `.py` members that are not junk (CF504 reports those), not installed
        by pip beside the function (as the folder's walk leaves them out), and that
        `exclude`/`extend-exclude` do not exclude."""
        settings = package.settings
        excluded = exclusion_patterns(settings)
        virtualenvs = virtualenv_folders(package.file_paths)
        vendored = _vendored_names(package, archive)
        return [
            entry.path
            for entry in package.entries
            if entry.path.endswith(".py")
            and archive.is_readable(entry.path)
            and junk_item(entry.path, virtualenvs) is None
            and not is_vendored(entry.path, vendored)
            and not excluded.match_file(entry.path)
        ]

    @staticmethod
    def _within_source_budget(package: Package, archive: Archive, modules: list[str]) -> tuple[list[str], list[str]]:
        """The modules to lint, entry modules first, as long as their declared sizes total at
        most max-package-size (a small archive can declare ten times that: each member is
        within max-file-size, yet all of them would take minutes); and the modules left out."""
        entry_modules = {ep.module_path.as_posix() for ep in package.settings.entry_points}
        ordered = sorted(modules, key=lambda member: (member not in entry_modules, member))
        budget = package.settings.max_package_size
        within: list[str] = []
        left_out: list[str] = []
        for member in ordered:
            size = min(archive.declared_size(member), package.settings.max_file_size + 1)
            if size > budget:
                left_out.append(member)
                continue
            budget -= size
            within.append(member)
        return sorted(within), left_out

    def _over_budget(self, package: Package, archive: Archive, left_out: list[str]) -> Finding:
        total = sum(archive.declared_size(member) for member in left_out)
        example = ", ".join(left_out[:3]) + (", ..." if len(left_out) > 3 else "")
        reason = (
            "the archive holds more Python source than cflint lints per archive (max-package-size, "
            f"{format_size(package.settings.max_package_size)}, uncompressed): "
            f"{len(left_out)} module{'s' if len(left_out) != 1 else ''} ({format_size(total)}: {example})"
        )
        severity = self._registry.by_code(FILE_TOO_LARGE).severity
        return Finding(
            package.display_path, START_OF_FILE, FILE_TOO_LARGE, f"{reason}: not linted", severity, START_OF_FILE
        )

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
        settings = package.settings
        display = package.finding_path(member)
        pseudo_path = package.path / member
        enabled = self._checker.enabled_for(settings, pseudo_path)
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
        return self._checker.lint(FileJob(context, enabled, source))
