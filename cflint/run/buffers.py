"""Lint files as an editor holds them: the text of open buffers stands in for the files on
disk (the file itself and the requirement files its root reads), with the same config
resolution, function root and rule selection as a run of `cflint PATH`."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from msgspec import Struct

from cflint.engine.registry import Registry
from cflint.fs.files import read_regular_bytes
from cflint.fs.patterns import PathPatterns
from cflint.model import Finding
from cflint.project import FileContext, FileJob, FunctionRoot
from cflint.run.discovery import _ExcludeMatcher, discover, display_path
from cflint.run.runner import _check_root, _Selection
from cflint.settings.config import Settings, SettingsResolver

if TYPE_CHECKING:
    from cflint.engine.linter import FileLinter
    from cflint.knowledge.requirements import Requirements


class BufferedRoot(FunctionRoot, frozen=True, kw_only=True, dict=True):
    """A function root whose requirement files are read through `read_bytes`, which
    answers from the editor's open buffers before the disk."""

    read_bytes: Callable[[Path], bytes]

    @cached_property
    def requirements(self) -> Requirements:
        from cflint.knowledge.requirements import read_requirements  # parsing needs `packaging`

        return read_requirements(self.requirements_path, self.path, self.read_bytes)


class BufferLint(Struct, frozen=True):
    """A file's findings, and those of its function root's requirement files (root rules)."""

    file_findings: list[Finding]
    root: FunctionRoot | None
    root_findings: list[Finding]


def buffer_reader(buffers: Mapping[Path, bytes]) -> Callable[[Path], bytes]:
    """`Path.read_bytes` that answers from `buffers` first, then from regular files on disk."""

    def read_bytes(path: Path) -> bytes:
        data = buffers.get(Path(os.path.abspath(path)))
        return data if data is not None else read_regular_bytes(path)

    return read_bytes


class BufferLinter:
    """Lints one file at a time from unsaved text. Config files are looked up again on
    every call, so an edited config takes effect at the next lint."""

    def __init__(
        self,
        registry: Registry,
        overrides: Mapping[str, Any],
        config: Path | None,
        cwd: Path,
        debug: bool = False,
    ) -> None:
        from cflint.engine.linter import FileLinter

        self.registry = registry
        self.overrides = dict(overrides)
        self.config = config
        self.cwd = cwd
        self._linter: FileLinter = FileLinter(registry, debug=debug)
        # Both keyed by the settings' value, so they hold across lints while the config is unchanged.
        self._selection = _Selection(registry)
        self._exclude_specs: dict[Settings, PathPatterns] = {}

    def resolver(self) -> SettingsResolver:
        return SettingsResolver(self.overrides, self.registry.codes, self.config)

    def lint(self, path: Path, buffers: Mapping[Path, bytes]) -> BufferLint | None:
        """Lint `path` with the content `buffers` holds for it. None when the config
        excludes the file (as `cflint --force-exclude PATH` would) or it is not on disk."""
        path = Path(os.path.abspath(path))
        source = buffers.get(path)
        if source is None or not path.exists():
            return None
        resolver = self.resolver()
        if _ExcludeMatcher(resolver, self._exclude_specs).excluded_by_config(path, False):
            return None  # as `--force-exclude` would
        found = discover([path], resolver, self.cwd)
        read_bytes = buffer_reader(buffers)
        roots = {folder: self._buffered(root, read_bytes) for folder, root in found.roots.items()}
        root = next((roots[folder] for folder in path.parents if folder in roots), None)
        selection = self._selection
        settings = resolver.for_folder(path.parent)
        context = FileContext.of(path, display_path(path, self.cwd), settings, root)
        file_findings = self._linter.lint(FileJob(context, selection.for_path(settings, path), source))
        root_findings: list[Finding] = []
        if root is not None:
            root_findings = _check_root(root, self.registry, selection.for_path(root.settings, root.path))
        return BufferLint(sorted(file_findings), root, sorted(root_findings))

    def lint_root(self, folder: Path, buffers: Mapping[Path, bytes]) -> BufferLint | None:
        """The root rules' findings for the function root of `folder`, if it has one."""
        folder = Path(os.path.abspath(folder))
        if not folder.is_dir():
            return None
        resolver = self.resolver()
        found = discover([folder / "requirements.txt"], resolver, self.cwd) if _has_requirements(folder) else None
        root = None if found is None else found.roots.get(folder)
        if root is None:
            return None
        buffered = self._buffered(root, buffer_reader(buffers))
        enabled = self._selection.for_path(buffered.settings, buffered.path)
        return BufferLint([], buffered, sorted(_check_root(buffered, self.registry, enabled)))

    def finding_path(self, finding: Finding) -> Path:
        """The absolute path a finding's display path names."""
        return Path(os.path.normpath(self.cwd / finding.path))

    @staticmethod
    def _buffered(root: FunctionRoot, read_bytes: Callable[[Path], bytes]) -> BufferedRoot:
        return BufferedRoot(
            path=root.path,
            display_path=root.display_path,
            settings=root.settings,
            local_modules=root.local_modules,
            read_bytes=read_bytes,
        )


def _has_requirements(folder: Path) -> bool:
    return (folder / "requirements.txt").is_file()
