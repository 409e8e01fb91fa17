"""A whole run: discover files and roots, run root rules and file rules, collect findings."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cflint.config import Settings, SettingsResolver
from cflint.discovery import discover, display_path
from cflint.engine import FileJob, FileLinter
from cflint.package_lint import PackageChecker
from cflint.registry import Registry
from cflint.rule import FileContext, FunctionRoot
from cflint.rules.cf002_unreadable_file import UnreadableFileRule
from cflint.rules.cf003_internal_error import InternalErrorRule
from cflint.selection import PerFileIgnores, apply_ignores, enabled_codes
from cflint.types import Finding


@dataclass(frozen=True)
class RunOptions:
    overrides: Mapping[str, Any] = field(default_factory=dict)
    config: Path | None = None
    force_exclude: bool = False
    debug: bool = False


@dataclass(frozen=True)
class RunResult:
    findings: list[Finding]
    files_checked: int


def module_name(path: Path, root: FunctionRoot) -> str | None:
    try:
        relative = path.relative_to(root.path)
    except ValueError:
        return None
    parts = list(relative.with_suffix("").parts)
    if parts and parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts) if parts and all(p.isidentifier() for p in parts) else None


class _Selection:
    """Enabled codes per settings and per path, computed once per settings."""

    def __init__(self, registry: Registry) -> None:
        self._registry = registry
        self._enabled: dict[Settings, frozenset[str]] = {}
        self._ignores: dict[Settings, PerFileIgnores] = {}

    def for_path(self, settings: Settings, path: Path) -> frozenset[str]:
        enabled = self._enabled.get(settings)
        if enabled is None:
            enabled = self._enabled[settings] = enabled_codes(settings, self._registry.rules)
            self._ignores[settings] = PerFileIgnores(settings)
        return apply_ignores(enabled, self._ignores[settings].ignored_for(path))


def run(paths: Sequence[Path], options: RunOptions, registry: Registry, cwd: Path | None = None) -> RunResult:
    cwd = cwd or Path(os.path.abspath(os.getcwd()))
    resolver = SettingsResolver(options.overrides, registry.codes, options.config)
    found = discover(paths, resolver, cwd, options.force_exclude)
    selection = _Selection(registry)
    findings: list[Finding] = [
        UnreadableFileRule.finding(display_path(path, cwd), reason=f"cannot read folder: {reason}")
        for path, reason in found.unreadable
    ]
    for root in found.roots.values():
        enabled = selection.for_path(root.settings, root.path)
        for rule_type in registry.root_rules:
            if rule_type.code in enabled:
                try:
                    findings.extend(rule_type().check(root))
                except Exception as exc:  # noqa: BLE001 - one bad root must not stop the run
                    findings.append(
                        InternalErrorRule.finding(root.display_path, where=f"rule {rule_type.code}", detail=repr(exc))
                    )
    roots_by_folder = {root.path: root for root in found.roots.values()}
    linter = FileLinter(registry, debug=options.debug)
    for source in found.files:
        settings = resolver.for_folder(source.path.parent)
        root = _enclosing_root(source.path, roots_by_folder)
        name = module_name(source.path, root) if root else None
        entry_functions = frozenset(
            ep.function for ep in (root.settings if root else settings).entry_points if ep.module == name
        )
        context = FileContext(
            path=source.path,
            display_path=display_path(source.path, cwd),
            settings=settings,
            root=root,
            module_name=name,
            entry_functions=entry_functions,
        )
        findings.extend(linter.lint(FileJob(context, selection.for_path(settings, source.path))))
    packages = PackageChecker(registry, linter, selection.for_path)
    for root in found.roots.values():
        findings.extend(packages.check_folder(root))
    files_checked = len(found.files)
    for archive in dict.fromkeys(found.archives):
        linted = packages.lint_archive(archive, display_path(archive, cwd), resolver.for_folder(archive.parent))
        findings.extend(linted.findings)
        files_checked += linted.files_checked
    findings.sort()
    return RunResult(findings, files_checked)


def _enclosing_root(path: Path, roots: Mapping[Path, FunctionRoot]) -> FunctionRoot | None:
    for folder in path.parents:
        root = roots.get(folder)
        if root is not None:
            return root
    return None
