from collections.abc import Iterator

from cflint.knowledge.distributions import PackagePolicy
from cflint.model import Finding
from cflint.project import FunctionRoot
from cflint.rule import RootRule
from cflint.rules.imports.dependencies import finding_at, listed_lines


class UnsupportedRequirement(RootRule):
    code = "CF302"
    name = "unsupported-requirement"
    summary = "requirements.txt lists a distribution the runtime cannot install"
    message = "{distribution} cannot be installed on the runtime ({reason})"

    def check(self, root: FunctionRoot) -> Iterator[Finding]:
        for line, entry in listed_lines(root, PackagePolicy.for_settings(root.settings).unsupported):
            yield finding_at(self, root, line.path, line.line, distribution=entry.name, reason=entry.reason)
