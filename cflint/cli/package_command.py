"""`cflint package`: lint a function folder, then write its ZIP deterministically
(sorted members, fixed timestamps and permissions), so the same files give the same bytes."""

from __future__ import annotations

import os
import shutil
import stat
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import BinaryIO, TextIO

from cflint.fs.files import NotRegularFileError
from cflint.model import Finding, Severity, UsageError
from cflint.package.contents import format_size
from cflint.package.pack_set import PackFile, PackFilter, package_exclusions
from cflint.record import Record
from cflint.settings.config import Settings

FIXED_DATE_TIME = (1980, 1, 1, 0, 0, 0)
FILE_MODE = 0o100644
FOLDER_MODE = 0o040755
ARCHIVE_MODE = 0o644
_UNIX_SYSTEM = 3
_MSDOS_FOLDER_FLAG = 0x10
_COPY_CHUNK = 1024 * 1024
STANDARD_OUTPUT = Path("-")


class PackagePlan(Record, frozen=True):
    """What `cflint package` will write, checked before anything is written."""

    folder: Path
    output: Path | None  # None: standard output (`-o -`)
    files: tuple[PackFile, ...]
    overwrites: bool
    linked_folders: tuple[str, ...] = ()  # symbolic links to folders, left out


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _refuse_node(output: Path) -> None:
    """-o replaces only a regular file: a FIFO, a device or a socket (also behind a
    symbolic link, such as /dev/stdout) is refused, never replaced."""
    try:
        mode = os.stat(output).st_mode
    except OSError:
        return  # does not exist (or a dangling link): the checks of its folder follow
    if not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):
        raise UsageError(
            f"{output}: {NotRegularFileError(mode)}; -o writes only a regular file (-o - writes to standard output)"
        )


def _output_target(real_folder: Path, folder: Path, output: Path | None) -> Path:
    if output is None:
        if not real_folder.name:
            raise UsageError(f"{folder}: name the archive with -o")
        return real_folder.parent / f"{real_folder.name}.zip"
    _refuse_node(output)
    # A symbolic link to a regular file: the file it points to is replaced, the link stays.
    return Path(os.path.realpath(output))


def plan_package(folder: Path, output: Path | None, settings: Settings) -> PackagePlan:
    """Check the folder and the output path; raises UsageError for a plan that would
    overwrite the folder's own files, pack the archive into itself, replace an existing
    file that was not named with -o, or replace anything but a regular file."""
    real_folder = Path(os.path.realpath(folder))
    if not real_folder.is_dir():
        raise UsageError(f"{folder}: not a folder")
    pack_filter = PackFilter(real_folder, package_exclusions(settings))
    overwrites = False
    target: Path | None = None
    if output != STANDARD_OUTPUT:
        target = _output_target(real_folder, folder, output)
        overwrites = _check_target(target, output, real_folder, pack_filter)
    try:
        files, linked = pack_filter.files_and_linked_folders()
    except OSError as exc:
        raise UsageError(f"cannot pack {folder}: {exc.filename}: {exc.strerror or exc}") from None
    return PackagePlan(real_folder, target, tuple(files), overwrites, tuple(linked))


def _check_target(target: Path, output: Path | None, real_folder: Path, pack_filter: PackFilter) -> bool:
    """Raises UsageError if the archive must not be written at `target`; returns whether
    it replaces an existing file."""
    shown = output or target
    if target.is_dir():
        raise UsageError(f"{shown}: is a folder; -o takes the archive's file name")
    if not target.parent.is_dir():
        missing = "is not a folder" if target.parent.exists() else "does not exist"
        raise UsageError(f"{shown}: folder {target.parent} {missing}")
    if _inside(target, real_folder):
        if not pack_filter.excluded(target):
            raise UsageError(
                f"{shown}: inside the folder being packed and not excluded, so it would be "
                "packed into itself; write it elsewhere or add it to package-exclude"
            )
        if target.exists() and target.suffix != ".zip":
            raise UsageError(f"{shown}: refusing to overwrite a file of the folder being packed")
    if target.exists() and output is None:
        raise UsageError(f"{target}: already exists; name it with -o to overwrite it")
    return target.exists()


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
    previous archive untouched (or, for standard output, through an unnamed temporary
    file, so the bytes are those a file gets); returns the archive's size."""
    try:
        if plan.output is None:
            return _write_to_standard_output(plan)
        return _write_to_file(plan, plan.output)
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        shown = "the archive to standard output" if plan.output is None else str(plan.output)
        raise UsageError(f"cannot write {shown}: {where}{exc.strerror or exc}") from None
    except UnicodeEncodeError as exc:
        raise UsageError(f"cannot pack a file whose name is not valid UTF-8: {exc.object!r}") from None


def _write_to_standard_output(plan: PackagePlan) -> int:
    with tempfile.TemporaryFile() as stream:
        _write_zip(stream, plan)
        size = stream.tell()
        stream.seek(0)
        sys.stdout.flush()
        shutil.copyfileobj(stream, sys.stdout.buffer, _COPY_CHUNK)
        sys.stdout.buffer.flush()
    return size


def _write_to_file(plan: PackagePlan, output: Path) -> int:
    try:
        descriptor, temporary = tempfile.mkstemp(dir=output.parent, prefix=f".{output.name}.", suffix=".tmp")
    except OSError as exc:
        raise OSError(exc.errno, f"cannot create a file in {output.parent}: {exc.strerror}") from None
    written = False
    try:
        with os.fdopen(descriptor, "w+b") as stream:
            _write_zip(stream, plan)
        os.chmod(temporary, ARCHIVE_MODE)
        _refuse_node(output)  # in case a node took its place while the archive was written
        os.replace(temporary, output)
        written = True
    finally:
        if not written:
            os.unlink(temporary)
    return output.stat().st_size


def print_summary(plan: PackagePlan, size: int, display: str, out: TextIO) -> None:
    files = len(plan.files)
    if plan.overwrites:
        out.write(f"Overwrote {display} (named with -o).\n")
    out.write(f"Wrote {display}: {format_size(size)}, {files} file{'s' if files != 1 else ''}\n")
    width = max((len(pack_file.path) for pack_file in plan.files), default=0)
    for pack_file in plan.files:
        copied = "" if pack_file.link is None else f"  (a copy of {pack_file.link.target}, outside the folder)"
        out.write(f"  {pack_file.path:<{width}}  {format_size(pack_file.size)}{copied}\n")


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


def _config_left_out(plan: PackagePlan, settings: Settings) -> str | None:
    """The name of the folder's own config file when the archive will not hold it."""
    config = settings.config_path
    if config is None or Path(os.path.realpath(config.parent)) != plan.folder:
        return None
    return None if config.name in {pack_file.path for pack_file in plan.files} else config.name


def package_command(folder: Path, output: Path | None, force: bool, config: Path | None, color: bool) -> int:
    """Lint `folder`; unless it has error findings (or `force`), write its archive.
    Returns 0 when the archive was written, 1 when errors stopped it."""
    from cflint.engine.registry import load_registry
    from cflint.fs.paths import display_path
    from cflint.output import ReportOptions, get_reporter
    from cflint.run.runner import RunOptions, run
    from cflint.settings.config import SettingsResolver

    registry = load_registry()
    settings = SettingsResolver({}, registry.codes, config).for_folder(folder)
    plan = plan_package(folder, output, settings)
    if plan.output is None and sys.stdout.isatty():
        raise UsageError("-o -: standard output is a terminal; redirect it to a file or a pipe")
    # With the archive on standard output, what is said about it goes to standard error.
    report = sys.stderr if plan.output is None else sys.stdout
    cwd = Path(os.path.abspath(os.getcwd()))
    if not plan.files:
        print(f"cflint package: not packing {folder}: it holds no files to pack", file=sys.stderr)
        return 1
    result = run([folder], RunOptions(config=config), registry)
    findings = list(result.findings)
    if not any(finding.code == "CF101" for finding in findings):
        findings = sorted([*findings, *_missing_entry_modules(plan, settings, display_path(folder, cwd))])
    get_reporter("default", registry).write(findings, report, ReportOptions(color=color, quiet=True), lambda _: None)
    left_out_config = _config_left_out(plan, settings)
    if left_out_config is not None:
        print(
            f"cflint package: warning: {left_out_config} is left out of the archive, so "
            "`cflint` on the archive reads the config of the folder the archive lies in instead",
            file=sys.stderr,
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
    shown = "the archive to standard output" if plan.output is None else display_path(plan.output, cwd)
    print_summary(plan, size, shown, report)
    return 0
