"""A function root's findings, shared by a run of `cflint` and the lint API: the root rules'
findings (from the result cache when nothing they read has changed), less those that
per-file-ignores or a `# noqa` in a requirements file suppress."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from cflint.engine import noqa
from cflint.engine.registry import ENTRY_MODULE_MISSING, INTERNAL_ERROR, Registry
from cflint.fs.files import read_regular_bytes
from cflint.model import Finding
from cflint.project import FunctionRoot, misnamed_entry_module_hint
from cflint.settings.selection import Selection

if TYPE_CHECKING:
    from cflint.run.cache import ResultCache


def root_findings(
    root: FunctionRoot,
    registry: Registry,
    selection: Selection,
    cwd: Path,
    cache: ResultCache | None = None,
    read_bytes: Callable[[Path], bytes] = read_regular_bytes,
) -> list[Finding]:
    """The findings of the root rules on `root` that neither per-file-ignores nor a `# noqa`
    in a requirements file (read with `read_bytes`) suppresses."""
    findings = _check_root_cached(root, registry, selection.for_path(root.settings, root.path), cache)
    return _unsuppressed(findings, root, selection, registry.codes, cwd, read_bytes)


def _check_root_cached(
    root: FunctionRoot, registry: Registry, enabled: frozenset[str], cache: ResultCache | None
) -> list[Finding]:
    """The root rules' findings; from the cache when the root's requirement files, entry
    modules and settings are as they were (so a cached run parses no requirements)."""
    if cache is None:
        return _check_root(root, registry, enabled)
    from cflint.run.cache import finding_settings, resolution_fact, result_key

    facts = (
        "root",
        root.display_path,
        repr(finding_settings(root.settings)),
        sorted(enabled),
        resolution_fact(root),
        [root.has_file(ep.module_path) for ep in root.settings.entry_points],
        # CF101's hint names a module that defines the entry function: it reads other files.
        [
            misnamed_entry_module_hint((root.path / ep.module_path).parent, ep)
            for ep in root.settings.entry_points
            if ENTRY_MODULE_MISSING in enabled and not root.has_file(ep.module_path)
        ],
    )
    key = result_key(root.requirements_digest.encode(), repr(facts))
    cached = cache.get_placed(key, root.display_path, registry.codes)
    if cached is not None:
        return cached
    findings = _check_root(root, registry, enabled)
    if not any(f.code == INTERNAL_ERROR for f in findings):
        cache.put_placed(key, findings)
    return findings


def _unsuppressed(
    findings: list[Finding],
    root: FunctionRoot,
    selection: Selection,
    known_codes: frozenset[str],
    cwd: Path,
    read_bytes: Callable[[Path], bytes],
) -> list[Finding]:
    """Root findings placed in a file of the root (a requirements file) that neither
    `per-file-ignores` for that file nor a `# noqa` on the finding's line suppresses."""
    kept: list[Finding] = []
    directives: dict[Path, dict[int, noqa.Directive]] = {}
    for finding in findings:
        path = Path(os.path.abspath(cwd / finding.path))
        if path == root.path or not path.is_file():
            kept.append(finding)
            continue
        if finding.code not in selection.for_path(root.settings, path):
            continue
        if path.suffix != ".py":
            if path not in directives:
                directives[path] = _requirement_directives(path, known_codes, read_bytes)
            directive = directives[path].get(finding.start.line)
            if directive is not None and directive.suppresses(finding.code):
                continue
        kept.append(finding)
    return kept


def _requirement_directives(
    path: Path, known_codes: frozenset[str], read_bytes: Callable[[Path], bytes]
) -> dict[int, noqa.Directive]:
    from cflint.knowledge.requirements_format import decode_requirements

    try:
        text = decode_requirements(read_bytes(path))
    except (OSError, ValueError, LookupError):
        return {}
    return noqa.scan_requirements(text, known_codes)


def _check_root(root: FunctionRoot, registry: Registry, enabled: frozenset[str]) -> list[Finding]:
    """The findings of the `enabled` root rules on `root` (a rule that fails is CF003)."""
    findings: list[Finding] = []
    for rule_type in registry.root_rules:
        if rule_type.code in enabled:
            try:
                findings.extend(rule_type().check(root))
            except Exception as exc:
                findings.append(
                    registry.finding(
                        INTERNAL_ERROR, root.display_path, where=f"rule {rule_type.code}", detail=repr(exc)
                    )
                )
    return findings


def enclosing_root(path: Path, roots: Mapping[Path, FunctionRoot]) -> FunctionRoot | None:
    """The nearest of `roots` that holds `path`."""
    for folder in path.parents:
        root = roots.get(folder)
        if root is not None:
            return root
    return None
