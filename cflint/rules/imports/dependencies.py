"""What a function root installs, as the dependency rules see it: findings placed at
requirement lines, and the modules the requirements and the runtime provide."""

from __future__ import annotations

import os
import posixpath
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from cflint.knowledge.distributions import CATALOGUE, Distribution, ModuleProvider, canonical_name
from cflint.knowledge.requirements import RequirementLine
from cflint.model import Finding, Position
from cflint.project import FunctionRoot
from cflint.rule import RuleInfo
from cflint.settings.config import Settings

RUNTIME_MODULES = ModuleProvider.of(CATALOGUE.runtime)


def display_in_root(path: Path, root: FunctionRoot) -> str:
    """How findings name a file of the root: beside the root's own display path."""
    relative = Path(os.path.relpath(path, root.path)).as_posix()
    return posixpath.normpath(posixpath.join(root.display_path, relative))


def finding_at(rule: RuleInfo, root: FunctionRoot, path: Path, line: int, **fields: object) -> Finding:
    return rule.finding(display_in_root(path, root), Position(line, 1), **fields)


def installed_lines(root: FunctionRoot, settings: Settings) -> list[RequirementLine]:
    """The root's requirement lines pip installs for one of the target versions."""
    return list(root.requirements.installed(settings.target_versions))


def listed_lines(
    root: FunctionRoot, distributions: Mapping[str, Distribution]
) -> Iterator[tuple[RequirementLine, Distribution]]:
    """The installed requirement lines naming one of `distributions`, with its entry."""
    for line in installed_lines(root, root.settings):
        entry = distributions.get(line.name or "")
        if entry is not None:
            yield line, entry


def provided_modules(root: FunctionRoot, settings: Settings) -> ModuleProvider:
    """What the root's requirements install, with what the catalogue knows they pull in."""
    return modules_of_distributions(
        (line.name for line in installed_lines(root, settings) if line.name is not None), settings
    )


def modules_of_distributions(distributions: Iterable[str], settings: Settings) -> ModuleProvider:
    """What listing `distributions` would provide, with the `module-map` setting applied."""
    module_map = {canonical_name(name): modules for name, modules in settings.module_map}
    return ModuleProvider.of(distributions, module_map=module_map)
