from collections.abc import Iterator

from cflint.model import Finding
from cflint.package.contents import Package
from cflint.rule import PackageRule


class UnsafeArchive(PackageRule):
    code = "CF506"
    name = "unsafe-archive"
    summary = "The archive is corrupt, encrypted, has members outside its root, or declares a huge size"
    message = "{reason}"

    def check(self, package: Package) -> Iterator[Finding]:
        for problem in package.problems:
            yield self.finding(package.finding_path(problem.member), reason=problem.reason)
