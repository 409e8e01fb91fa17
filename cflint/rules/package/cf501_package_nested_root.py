from collections.abc import Iterator

from cflint.model import Finding
from cflint.package.contents import REQUIREMENTS, Package
from cflint.rule import PackageRule


class PackageNestedRoot(PackageRule):
    code = "CF501"
    name = "package-nested-root"
    summary = "The entry module or requirements.txt is inside a folder instead of at the package root"
    message = (
        "{files} {verb} inside {folder}/ instead of at the root: "
        "remove the {folder}/ level (zip its contents, not the folder)"
    )

    def check(self, package: Package) -> Iterator[Finding]:
        if not package.is_archive:
            return  # a folder's root is where its entry module is; a requirements.txt elsewhere is CF502
        wanted = [*sorted({ep.module_path.as_posix() for ep in package.settings.entry_points}), REQUIREMENTS]
        misplaced: dict[str, list[str]] = {}
        for root_file in wanted:
            folder = package.nested_folder_of(root_file)
            if folder is not None:
                misplaced.setdefault(folder, []).append(root_file)
        for folder, files in sorted(misplaced.items()):
            yield self.finding(
                package.finding_path(folder),
                files=" and ".join(files),
                verb="is" if len(files) == 1 else "are",
                folder=folder,
            )
