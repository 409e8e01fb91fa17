from collections.abc import Iterator

from cflint.knowledge.distributions import PackagePolicy
from cflint.model import Finding, Severity
from cflint.project import FunctionRoot
from cflint.rule import RootRule
from cflint.rules.imports.dependencies import finding_at, listed_lines


class NativeRequirement(RootRule):
    code = "CF306"
    name = "native-requirement"
    summary = "requirements.txt lists a distribution that needs native code"
    message = "{distribution} needs native code ({reason}); check the runtime supports it"
    severity = Severity.WARNING
    default_enabled = False

    def check(self, root: FunctionRoot) -> Iterator[Finding]:
        for line, entry in listed_lines(root, PackagePolicy.for_settings(root.settings).native):
            yield finding_at(self, root, line.path, line.line, distribution=entry.name, reason=entry.reason)
