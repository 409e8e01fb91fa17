from collections.abc import Iterator

from cflint.model import Finding, Severity
from cflint.package.contents import Package
from cflint.package.junk import junk_item, virtualenv_folders
from cflint.rule import PackageRule


class PackageJunk(PackageRule):
    code = "CF504"
    name = "package-junk"
    summary = "The package holds files that must not ship: caches, VCS data, logs, test.py, archives, OS or editor junk"
    message = "{item} must not ship: {reason}"
    severity = Severity.WARNING

    def check(self, package: Package) -> Iterator[Finding]:
        virtualenvs = virtualenv_folders(package.file_paths)
        reported: set[str] = set()
        for entry in package.entries:
            item = junk_item(entry.path, virtualenvs)
            if item is None or item.path in reported:
                continue
            reported.add(item.path)
            yield self.finding(
                package.finding_path(item.path),
                item=item.path + ("/" if item.is_folder else ""),
                reason=item.reason,
            )
