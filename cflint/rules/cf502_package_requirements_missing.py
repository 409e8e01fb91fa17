from collections.abc import Iterator

from cflint.package import REQUIREMENTS, Package, PackageRule
from cflint.types import Finding


class PackageRequirementsMissing(PackageRule):
    code = "CF502"
    name = "package-requirements-missing"
    summary = "The package has no requirements.txt at its root"
    message = "no requirements.txt at the root of the {what}: the runtime expects it beside the entry module"

    def check(self, package: Package) -> Iterator[Finding]:
        # A requirements.txt in a folder is CF501's finding.
        if REQUIREMENTS in package.file_paths or package.nested_folder_of(REQUIREMENTS) is not None:
            return
        yield self.finding(package.display_path, what="archive" if package.is_archive else "package")
