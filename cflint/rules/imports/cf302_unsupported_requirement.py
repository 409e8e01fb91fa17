from collections.abc import Iterator, Mapping

from cflint.knowledge.dependents import unsupported_dependents
from cflint.knowledge.distributions import Distribution, PackagePolicy, canonical_name
from cflint.knowledge.requirements import RequirementLine
from cflint.model import Finding
from cflint.project import FunctionRoot
from cflint.rule import RootRule
from cflint.rules.imports.dependencies import finding_at, installed_lines


def _installs_unsupported(line: RequirementLine, unsupported: Mapping[str, Distribution]) -> str | None:
    """What is wrong with a line whose distribution installs an unsupported one, with the chain."""
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
        for line in installed_lines(root, root.settings):
            entry = policy.unsupported.get(line.name or "")
            if entry is not None:
                distribution, problem = entry.name, f"cannot be installed on the runtime ({entry.reason})"
            elif line.name is None or line.name in allowed:
                continue
            else:
                distribution, found = line.name, _installs_unsupported(line, policy.unsupported)
                if found is None:
                    continue
                problem = found
            yield finding_at(self, root, line.path, line.line, distribution=distribution, problem=problem)
