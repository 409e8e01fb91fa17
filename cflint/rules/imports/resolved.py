"""What `--resolve` says of a function root, as the dependency rules use it: the chains that
bring each distribution, the lines that request them, and the modules pip would install."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from cflint.knowledge.distributions import CATALOGUE, ModuleProvider, canonical_name, conventional_module_names
from cflint.knowledge.requirements import RequirementLine
from cflint.project import FunctionRoot
from cflint.rules.imports.dependencies import installed_lines

if TYPE_CHECKING:
    from cflint.resolve.model import RootResolution


def lines_naming(root: FunctionRoot, name: str) -> Iterator[RequirementLine]:
    return (line for line in installed_lines(root, root.settings) if line.name == name)


def shown_chain(chain: tuple[str, ...]) -> str:
    return " -> ".join(chain)


def resolved_provider(root: FunctionRoot, resolution: RootResolution) -> ModuleProvider | None:
    """The modules pip would install (from the versions it can resolve), the requested
    distributions' as provided and the others' as installed through the requested one that
    brings them (with the chain); None when no version resolves."""
    module_map = {canonical_name(name): modules for name, modules in root.settings.module_map}
    known: set[str] = set()
    conventional: set[str] = set()
    through_known: dict[str, str] = {}
    through_conventional: dict[str, str] = {}
    resolved = list(resolution.resolved())
    if not resolved:
        return None
    unknown: list[str] = []
    for version in resolved:
        # The lines pip was asked without: what they provide is the offline answer.
        for name in version.left_out:
            modules = module_map.get(name) or CATALOGUE.module_names(name)
            known.update(modules)
            if not modules:
                conventional.update(conventional_module_names(name))
                unknown.append(name)
        chains = version.chains()
        for distribution in version.distributions:
            name = distribution.name
            modules = module_map.get(name) or distribution.modules or CATALOGUE.module_names(name)
            if distribution.requested:
                known.update(modules)
                if not modules:
                    conventional.update(conventional_module_names(name))
                continue
            chain = chains.get(name)
            source = f"{chain[0]} ({shown_chain(chain)})" if chain else name
            for module in modules:
                through_known.setdefault(module, source)
            if not modules:
                for squashed in conventional_module_names(name):
                    through_conventional.setdefault(squashed, source)
    return ModuleProvider(
        frozenset(known), frozenset(conventional), through_known, through_conventional, tuple(dict.fromkeys(unknown))
    )
