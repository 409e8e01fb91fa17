from cflint.knowledge.stdlib import removed_in
from cflint.rule.imports import ImportedModule, ImportRule
from cflint.rules.imports.dependencies import provided_modules


class RemovedStdlibModule(ImportRule):
    code = "CF601"
    name = "removed-stdlib-module"
    summary = "Import of a standard-library module removed in a target Python version"
    message = (
        "{module} was removed from the standard library in Python {version}, and target-versions includes {target}"
    )
    requires_text = ("import",)

    def check_import(self, imported: ImportedModule) -> None:
        if imported.guarded or not imported.runs:
            return
        for name in imported.names:
            removed = removed_in(name)
            if removed is None:
                continue
            module, version = removed
            affected = [target for target in imported.versions if target >= version]
            root = self.context.root
            if not affected or (root is not None and provided_modules(root, self.context.settings).provides(module)):
                return
            target = max(affected)
            self.report(
                imported.node, module=module, version=f"{version[0]}.{version[1]}", target=f"{target[0]}.{target[1]}"
            )
            return
