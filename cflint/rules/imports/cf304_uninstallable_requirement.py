from collections.abc import Iterator

from cflint.knowledge.distributions import CATALOGUE
from cflint.model import Finding
from cflint.project import FunctionRoot
from cflint.rule import RootRule
from cflint.rules.imports.dependencies import finding_at

_SHOWN_TEXT = 60


def _shown(text: str) -> str:
    return text if len(text) <= _SHOWN_TEXT else text[: _SHOWN_TEXT - 3] + "..."


class UninstallableRequirement(RootRule):
    code = "CF304"
    name = "uninstallable-requirement"
    summary = "A requirements.txt line that pip cannot parse or cannot install from the package index"
    message = "{subject}: {problem}"

    def check(self, root: FunctionRoot) -> Iterator[Finding]:
        requirements = root.requirements
        for problem in requirements.problems:
            subject = repr(_shown(problem.text)) if problem.text else problem.path.name
            yield finding_at(self, root, problem.path, problem.line, subject=subject, problem=problem.problem)
        for line in requirements.lines:
            instead = None if line.constraint else CATALOGUE.traps.get(line.name or "")
            if instead is not None:
                yield finding_at(
                    self,
                    root,
                    line.path,
                    line.line,
                    subject=repr(_shown(line.text)),
                    problem=f"{line.name} fails to install from the package index; list {instead} instead",
                )
