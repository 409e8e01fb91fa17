"""What a resolution says, as stored in the cache: per target version, the distributions pip
would install (with what each depends on and the modules it provides), or why it cannot."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from msgspec import Struct

Version = tuple[int, int]
# The runtime's platform as pip's --platform names it: each tag is given, as pip does not
# take a newer manylinux tag to accept the older ones (manylinux2014 is manylinux_2_17).
PLATFORMS = (
    "manylinux_2_28_x86_64",
    "manylinux_2_17_x86_64",
    "manylinux2014_x86_64",
    "manylinux2010_x86_64",
    "manylinux1_x86_64",
)
PLATFORM = ",".join(PLATFORMS)  # for cache keys


class ResolvedDistribution(Struct, frozen=True):
    name: str  # PEP 503 form
    version: str
    requested: bool  # named by a requirement line (not only pulled in)
    requires: tuple[str, ...] = ()  # the resolved distributions it depends on
    modules: tuple[str, ...] | None = None  # None: not known (its wheel could not be read)
    wheel: bool = True


class Failure(Struct, frozen=True):
    """Why pip cannot install the requirements for one target version."""

    kind: str  # "unsatisfiable", "source-only", "conflict" or "unreachable"
    reason: str  # pip's words, or what cflint read from them
    names: tuple[str, ...] = ()  # the distributions pip names
    lines: tuple[tuple[str, int], ...] = ()  # (requirements file, line) pip names
    requirement: str = ""  # for "unsatisfiable": the requirement pip finds nothing for
    parent: str | None = None  # the distribution that pulled in the one that failed
    index: str = ""  # for "unreachable": the index that cannot be reached


class VersionResolution(Struct, frozen=True):
    """pip's answer for one target version. When pip fails on lines of the top-level
    requirements file, it is asked again without them: `failures` then holds each failure in
    turn, `left_out` the distributions of the lines left out, and `distributions` what pip
    installs from the other lines (`partial`)."""

    version: Version
    distributions: tuple[ResolvedDistribution, ...] = ()
    failures: tuple[Failure, ...] = ()
    left_out: tuple[str, ...] = ()  # PEP 503 names of the requirement lines left out
    partial: bool = False  # resolved without the `left_out` lines

    @property
    def failure(self) -> Failure | None:
        return self.failures[0] if self.failures else None

    @property
    def resolved(self) -> bool:
        """Whether `distributions` is pip's answer (for all lines, or for those not left out)."""
        return not self.failures or self.partial

    def by_name(self) -> Mapping[str, ResolvedDistribution]:
        return {distribution.name: distribution for distribution in self.distributions}

    def chains(self) -> dict[str, tuple[str, ...]]:
        """For each resolved distribution, the shortest chain of dependencies that brings it,
        from a requested one (`yake`, `networkx`); a requested one's chain is itself."""
        return self._chains_from(sorted(d.name for d in self.distributions if d.requested))

    def chains_from(self, start: str) -> dict[str, tuple[str, ...]]:
        """For each distribution that `start` brings, the shortest chain from `start` to it:
        a distribution that two requested ones bring is reached from each of them."""
        return self._chains_from([start]) if start in self.by_name() else {}

    def _chains_from(self, starts: list[str]) -> dict[str, tuple[str, ...]]:
        named = self.by_name()
        chains: dict[str, tuple[str, ...]] = {name: (name,) for name in starts}
        pending = list(starts)
        while pending:
            current = pending.pop(0)
            for dependency in named[current].requires:
                if dependency in named and dependency not in chains:
                    chains[dependency] = (*chains[current], dependency)
                    pending.append(dependency)
        return chains


class RootResolution(Struct, frozen=True):
    """The resolutions of one function root, one per target version."""

    versions: tuple[VersionResolution, ...] = ()

    def resolved(self) -> Iterator[VersionResolution]:
        return (version for version in self.versions if version.resolved)
