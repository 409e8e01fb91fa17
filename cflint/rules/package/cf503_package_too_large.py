from collections.abc import Iterator

from cflint.model import Finding
from cflint.package.contents import Package, format_size
from cflint.rule import PackageRule

LARGEST_SHOWN = 3


class PackageTooLarge(PackageRule):
    code = "CF503"
    name = "package-too-large"
    summary = "The package is larger than max-package-size (100 MiB, the platform's limit)"
    message = "{what} {size}, over max-package-size ({limit}); largest: {largest}"

    def check(self, package: Package) -> Iterator[Finding]:
        limit = package.settings.max_package_size
        if package.size <= limit:
            return
        largest = sorted(package.entries, key=lambda entry: (-entry.size, entry.path))[:LARGEST_SHOWN]
        yield self.finding(
            package.display_path,
            what="the archive is" if package.is_archive else "the files to pack total",
            size=format_size(package.size) + ("" if package.is_archive else " before compression"),
            limit=format_size(limit),
            largest=", ".join(f"{entry.path} ({format_size(entry.size)})" for entry in largest) or "no files",
        )
