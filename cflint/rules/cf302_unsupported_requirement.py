from collections.abc import Iterator

from cflint.dependencies import finding_at, installed_lines
from cflint.packages import PackagePolicy
from cflint.rule import FunctionRoot, RootRule
from cflint.types import Finding


class UnsupportedRequirement(RootRule):
    code = "CF302"
    name = "unsupported-requirement"
    summary = "requirements.txt lists a distribution the runtime cannot install"
    message = "{distribution} cannot be installed on the runtime ({reason})"

    def check(self, root: FunctionRoot) -> Iterator[Finding]:
        policy = PackagePolicy.for_settings(root.settings)
        for line in installed_lines(root, root.settings):
            entry = policy.unsupported.get(line.name or "")
            if entry is not None:
                yield finding_at(self, root, line.path, line.line, distribution=entry.name, reason=entry.reason)
