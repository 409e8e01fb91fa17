from collections.abc import Iterator

from cflint.model import Finding
from cflint.project import FunctionRoot, misnamed_entry_module_hint
from cflint.rule import RootRule


class EntryModuleMissing(RootRule):
    code = "CF101"
    name = "entry-module-missing"
    summary = "The entry point's module file is not in the function root"
    message = "entry module {module_path} for entry point {entry_point} not found in this function root{hint}"

    def check(self, root: FunctionRoot) -> Iterator[Finding]:
        for entry_point in root.settings.entry_points:
            if not root.has_file(entry_point.module_path):
                module_path = root.path / entry_point.module_path
                yield self.finding(
                    root.display_path,
                    module_path=entry_point.module_path.as_posix(),
                    entry_point=entry_point,
                    hint=misnamed_entry_module_hint(module_path.parent, entry_point),
                )
