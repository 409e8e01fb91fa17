"""`cflint package`: lint a function folder, then write its ZIP deterministically
(sorted members, fixed timestamps and permissions), so the same files give the same bytes."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import BinaryIO, TextIO

from msgspec import Struct

from cflint.model import Finding, Severity, UsageError
from cflint.package.contents import format_size
from cflint.package.pack_set import PackFile, PackFilter, package_exclusions
from cflint.settings.config import Settings

FIXED_DATE_TIME = (1980, 1, 1, 0, 0, 0)
FILE_MODE = 0o100644
FOLDER_MODE = 0o040755
ARCHIVE_MODE = 0o644
_UNIX_SYSTEM = 3
_MSDOS_FOLDER_FLAG = 0x10
_COPY_CHUNK = 1024 * 1024


class PackagePlan(Struct, frozen=True):
    """What `cflint package` will write, checked before anything is written."""

    folder: Path
    output: Path
    files: tuple[PackFile, ...]
    overwrites: bool
    linked_folders: tuple[str, ...] = ()  # symbolic links to folders, left out


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def plan_package(folder: Path, output: Path | None, settings: Settings) -> PackagePlan:
    """Check the folder and the output path; raises UsageError for a plan that would
    overwrite the folder's own files, pack the archive into itself, or replace an
    existing file that was not named with -o."""
    real_folder = Path(os.path.realpath(folder))
    if not real_folder.is_dir():
        raise UsageError(f"{folder}: not a folder")
    if output is None:
        if not real_folder.name:
            raise UsageError(f"{folder}: name the archive with -o")
        target = real_folder.parent / f"{real_folder.name}.zip"
    else:
        target = Path(os.path.realpath(output))
    if target.is_dir():
        raise UsageError(f"{output or target}: is a folder; -o takes the archive's file name")
    if not target.parent.is_dir():
        raise UsageError(f"{output or target}: folder {target.parent} does not exist")
    pack_filter = PackFilter(real_folder, package_exclusions(settings))
    if _inside(target, real_folder):
        if not pack_filter.excluded(target):
            raise UsageError(
                f"{output or target}: inside the folder being packed and not excluded, so it would be "
                "packed into itself; write it elsewhere or add it to package-exclude"
            )
        if target.exists() and target.suffix != ".zip":
            raise UsageError(f"{output or target}: refusing to overwrite a file of the folder being packed")
    if target.exists() and output is None:
        raise UsageError(f"{target}: already exists; name it with -o to overwrite it")
    try:
        files, linked = pack_filter.files_and_linked_folders()
    except OSError as exc:
        raise UsageError(f"cannot pack {folder}: {exc.filename}: {exc.strerror or exc}") from None
    return PackagePlan(real_folder, target, tuple(files), target.exists(), tuple(linked))


def _folders(files: tuple[PackFile, ...]) -> list[str]:
    folders: set[str] = set()
    for pack_file in files:
        parts = pack_file.path.split("/")[:-1]
        folders.update("/".join(parts[: depth + 1]) + "/" for depth in range(len(parts)))
    return sorted(folders)


def _member_info(name: str, mode: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, FIXED_DATE_TIME)
    info.create_system = _UNIX_SYSTEM
    info.external_attr = mode << 16
    return info


def _write_zip(stream: BinaryIO, plan: PackagePlan) -> None:
    members: list[tuple[str, PackFile | None]] = [(folder, None) for folder in _folders(plan.files)]
    members.extend((pack_file.path, pack_file) for pack_file in plan.files)
    with zipfile.ZipFile(stream, "w") as archive:
        for name, pack_file in sorted(members, key=lambda member: member[0]):
            if pack_file is None:
                info = _member_info(name, FOLDER_MODE)
                info.external_attr |= _MSDOS_FOLDER_FLAG
                archive.writestr(info, b"")
                continue
            info = _member_info(name, FILE_MODE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.file_size = pack_file.size
            with pack_file.source.open("rb") as source, archive.open(info, "w") as member:
                shutil.copyfileobj(source, member, _COPY_CHUNK)


def write_package(plan: PackagePlan) -> int:
    """Write the archive through a temporary file beside it, so a failure leaves any
    previous archive untouched; returns the archive's size."""
    descriptor, temporary = tempfile.mkstemp(dir=plan.output.parent, prefix=f".{plan.output.name}.", suffix=".tmp")
    written = False
    try:
        with os.fdopen(descriptor, "w+b") as stream:
            _write_zip(stream, plan)
        os.chmod(temporary, ARCHIVE_MODE)
        os.replace(temporary, plan.output)
        written = True
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        raise UsageError(f"cannot write {plan.output}: {where}{exc.strerror or exc}") from None
    except UnicodeEncodeError as exc:
        raise UsageError(f"cannot pack a file whose name is not valid UTF-8: {exc.object!r}") from None
    finally:
        if not written:
            os.unlink(temporary)
    return plan.output.stat().st_size


def print_summary(plan: PackagePlan, size: int, display: str, out: TextIO) -> None:
    files = len(plan.files)
    if plan.overwrites:
        out.write(f"Overwrote {display} (named with -o).\n")
    out.write(f"Wrote {display}: {format_size(size)}, {files} file{'s' if files != 1 else ''}\n")
    width = max((len(pack_file.path) for pack_file in plan.files), default=0)
    for pack_file in plan.files:
        out.write(f"  {pack_file.path:<{width}}  {format_size(pack_file.size)}\n")


def _missing_entry_modules(plan: PackagePlan, settings: Settings, display: str) -> list[Finding]:
    """CF101 as the archive would get it: an entry module that will not be packed."""
    from cflint.engine.registry import ENTRY_MODULE_MISSING, load_registry
    from cflint.project import misnamed_entry_module_hint

    registry = load_registry()

    packed = {pack_file.path for pack_file in plan.files}
    findings = []
    for entry_point in settings.entry_points:
        module_path = entry_point.module_path
        if module_path.as_posix() in packed:
            continue
        if (plan.folder / module_path).is_file():
            hint = (
                f"; the folder's {module_path.as_posix()} is left out of the package by .gitignore, "
                "package-exclude or the built-in exclusions"
            )
        else:
            hint = misnamed_entry_module_hint((plan.folder / module_path).parent, entry_point)
        findings.append(
            registry.finding(
                ENTRY_MODULE_MISSING, display, module_path=module_path.as_posix(), entry_point=entry_point, hint=hint
            )
        )
    return findings


def package_command(folder: Path, output: Path | None, force: bool, config: Path | None, color: bool) -> int:
    """Lint `folder`; unless it has error findings (or `force`), write its archive.
    Returns 0 when the archive was written, 1 when errors stopped it."""
    from cflint.engine.registry import load_registry
    from cflint.output import ReportOptions, get_reporter
    from cflint.run.discovery import display_path
    from cflint.run.runner import RunOptions, run
    from cflint.settings.config import SettingsResolver

    registry = load_registry()
    settings = SettingsResolver({}, registry.codes, config).for_folder(folder)
    plan = plan_package(folder, output, settings)
    cwd = Path(os.path.abspath(os.getcwd()))
    if not plan.files:
        print(f"cflint package: not packing {folder}: it holds no files to pack", file=sys.stderr)
        return 1
    result = run([folder], RunOptions(config=config), registry)
    findings = list(result.findings)
    if not any(finding.code == "CF101" for finding in findings):
        findings = sorted([*findings, *_missing_entry_modules(plan, settings, display_path(folder, cwd))])
    get_reporter("default", registry).write(
        findings, sys.stdout, ReportOptions(color=color, quiet=True), lambda _: None
    )
    for linked in plan.linked_folders:
        print(
            f"cflint package: warning: {linked} is a symbolic link to a folder and is left out "
            "(an archive holds no links): copy the folder in if the function needs it",
            file=sys.stderr,
        )
    errors = sum(1 for finding in findings if finding.severity is Severity.ERROR)
    if errors and not force:
        noun = "error" if errors == 1 else "errors"
        print(f"cflint package: not packing {folder}: {errors} {noun} above (--force packs anyway)", file=sys.stderr)
        return 1
    size = write_package(plan)
    print_summary(plan, size, display_path(plan.output, cwd), sys.stdout)
    return 0
