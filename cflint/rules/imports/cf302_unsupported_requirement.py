from collections.abc import Iterator, Mapping

from cflint.knowledge.distributions import Distribution, PackagePolicy
from cflint.model import Finding
from cflint.project import FunctionRoot
from cflint.rule import RootRule
from cflint.rules.imports.dependencies import finding_at, listed_lines


class UnsupportedRequirement(RootRule):
    code = "CF302"
    name = "unsupported-requirement"
    summary = "requirements.txt lists a distribution the runtime cannot install"
    message = "{subject} ({reason})"

    def check(self, root: FunctionRoot) -> Iterator[Finding]:
        unsupported = PackagePolicy.for_settings(root.settings).unsupported
        for line, entry in listed_lines(root, unsupported):
            subject = f"{entry.name} cannot be installed on the runtime"
            yield finding_at(self, root, line.path, line.line, subject=subject, reason=entry.reason)
        yield from self._pulled_in(root, unsupported)

    def _pulled_in(self, root: FunctionRoot, unsupported: Mapping[str, Distribution]) -> Iterator[Finding]:
        """With --resolve: each requirement line that pulls in an unsupported distribution,
        named with the chain of dependencies that brings it."""
        resolution = root.resolution
        if resolution is None:
            return
        from cflint.rules.imports.resolved import lines_naming, shown_chain  # only with --resolve

        for version in resolution.resolved():
            chains = version.chains()
            for distribution in version.distributions:
                entry = unsupported.get(distribution.name)
                chain = chains.get(distribution.name)
                if entry is None or distribution.requested or chain is None:
                    continue
                for line in lines_naming(root, chain[0]):
                    subject = (
                        f"{line.text} installs {distribution.name} ({shown_chain(chain)}), "
                        "which the runtime cannot install"
                    )
                    yield finding_at(self, root, line.path, line.line, subject=subject, reason=entry.reason)
