from collections.abc import Iterator

from cflint.model import Finding
from cflint.package.contents import Package
from cflint.rule import PackageRule


class PackageLinkOutside(PackageRule):
    code = "CF508"
    name = "package-link-outside"
    summary = "A symbolic link in the function folder leads to a file outside the folder and its repository"
    message = (
        "{item} is a symbolic link to {target}, outside {scope}, the {scope_kind} holding the function: "
        "the package would ship a copy of it; copy the file in or remove the link"
    )

    def check(self, package: Package) -> Iterator[Finding]:
        for entry in package.entries:
            if entry.link is not None and not entry.link.shared:
                yield self.finding(
                    package.finding_path(entry.path),
                    item=entry.path,
                    target=entry.link.target,
                    scope=entry.link.scope,
                    scope_kind=entry.link.scope_kind,
                )
