from cflint.rule.imports import ImportedModule, ImportRule


class UnsupportedPackageImport(ImportRule):
    code = "CF301"
    name = "unsupported-package-import"
    summary = "Import of a package the runtime cannot install"
    message = "{module} comes from {distribution}, which the runtime cannot install ({reason})"
    requires_text = ("import",)

    def check_import(self, imported: ImportedModule) -> None:
        if not imported.runs or imported.guarded:
            return
        entry = self.package_policy.unsupported_module(imported.module)
        if entry is not None:
            self.report(imported.node, module=imported.module, distribution=entry.name, reason=entry.reason)
