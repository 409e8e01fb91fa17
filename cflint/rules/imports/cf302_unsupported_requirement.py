from collections.abc import Iterator, Mapping

from cflint.knowledge.dependents import unsupported_dependents
from cflint.knowledge.distributions import Distribution, PackagePolicy, canonical_name
from cflint.knowledge.requirements import RequirementLine
from cflint.model import Finding
from cflint.project import FunctionRoot
from cflint.rule import RootRule
from cflint.rules.imports.dependencies import finding_at, installed_lines


def _installs_unsupported(line: RequirementLine, unsupported: Mapping[str, Distribution]) -> str | None:
    """What is wrong with a line whose distribution installs an unsupported one, with the chain
    (from the shipped list of dependents)."""
    dependent = unsupported_dependents().get(line.name or "")
    if dependent is None:
        return None
    brought = [name for name in dependent.installs(line.specifier) if name in unsupported]
    if not brought:
        return None
    names = brought[0] if len(brought) == 1 else ", ".join(brought[:-1]) + " and " + brought[-1]
    return f"installs {names} ({dependent.name} -> {', '.join(brought)}), which the runtime cannot install"


class UnsupportedRequirement(RootRule):
    code = "CF302"
    name = "unsupported-requirement"
    summary = "requirements.txt lists a distribution the runtime cannot install, or one that installs it"
    message = "{distribution} {problem}"

    def check(self, root: FunctionRoot) -> Iterator[Finding]:
        policy = PackagePolicy.for_settings(root.settings)
        allowed = {canonical_name(name) for name in root.settings.allow_packages}
        # pip's resolution, when there is one, says what each line installs; the shipped list
        # of dependents is the offline answer.
        resolved = root.resolution is not None and any(True for _ in root.resolution.resolved())
        for line in installed_lines(root, root.settings):
            entry = policy.unsupported.get(line.name or "")
            if entry is not None:
                distribution, problem = entry.name, f"cannot be installed on the runtime ({entry.reason})"
            elif resolved or line.name is None or line.name in allowed:
                continue
            else:
                distribution, found = line.name, _installs_unsupported(line, policy.unsupported)
                if found is None:
                    continue
                problem = found
            yield finding_at(self, root, line.path, line.line, distribution=distribution, problem=problem)
        yield from self._pulled_in(root, policy.unsupported, allowed)

    def _pulled_in(
        self, root: FunctionRoot, unsupported: Mapping[str, Distribution], allowed: set[str]
    ) -> Iterator[Finding]:
        """With --resolve: each requirement line that pulls in an unsupported distribution,
        named with the chain of dependencies that brings it."""
        resolution = root.resolution
        if resolution is None:
            return
        from cflint.rules.imports.resolved import lines_naming, shown_chain  # only with --resolve

        reported: set[tuple[str, int, str]] = set()
        for version in resolution.resolved():
            for requested in version.distributions:
                if not requested.requested or requested.name in unsupported:
                    continue
                for name, chain in version.chains_from(requested.name).items():
                    entry = unsupported.get(name)
                    if entry is None or name == requested.name:
                        continue
                    problem = (
                        f"installs {name} ({shown_chain(chain)}), which the runtime cannot install ({entry.reason})"
                    )
                    for line in lines_naming(root, requested.name):
                        if line.name in allowed or (str(line.path), line.line, problem) in reported:
                            continue
                        reported.add((str(line.path), line.line, problem))
                        yield finding_at(self, root, line.path, line.line, distribution=line.text, problem=problem)
