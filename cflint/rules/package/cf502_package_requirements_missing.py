from collections.abc import Iterator

from cflint.model import Finding
from cflint.package.contents import REQUIREMENTS, Package
from cflint.rule import PackageRule


class PackageRequirementsMissing(PackageRule):
    code = "CF502"
    name = "package-requirements-missing"
    summary = "The package has no requirements.txt at its root"
    message = "no requirements.txt at the root of the {what}: the runtime expects it beside the entry module"

    def check(self, package: Package) -> Iterator[Finding]:
        if REQUIREMENTS in package.file_paths:
            return
        if package.is_archive and package.nested_folder_of(REQUIREMENTS) is not None:
            return  # CF501 names the folder it is in
        yield self.finding(package.display_path, what="archive" if package.is_archive else "package")
