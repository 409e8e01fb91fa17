from cflint.analysis.imports import ImportedModule, ImportRule
from cflint.knowledge.distributions import ModuleProvider
from cflint.knowledge.stdlib import is_standard
from cflint.rule import ParsedFile
from cflint.rules.imports.dependencies import RUNTIME_MODULES, provided_modules


class UndeclaredImport(ImportRule):
    code = "CF303"
    name = "undeclared-import"
    summary = "A third-party import that no requirements.txt line provides"
    message = "{module} is imported, but {why}"
    requires_text = ("import",)

    def __init__(self, file: ParsedFile) -> None:
        super().__init__(file)
        self._provided: ModuleProvider | None = None

    def _provider(self) -> ModuleProvider:
        if self._provided is None:
            root = self.context.root
            assert root is not None
            self._provided = provided_modules(root, self.context.settings)
        return self._provided

    def check_import(self, imported: ImportedModule) -> None:
        root = self.context.root
        if root is None or not imported.runs or imported.guarded:
            return
        if is_standard(imported.module) or imported.top_level in root.local_modules:
            return
        if RUNTIME_MODULES.provides(imported.module):
            return
        if self.package_policy.unsupported_module(imported.module) is not None:
            return  # CF301 reports it
        requirements = root.requirements
        if not requirements.found:
            self.report(imported.node, module=imported.module, why="the function folder has no requirements.txt")
            return
        if not requirements.complete:
            return
        if not any(self._provider().provides(name) for name in imported.names):
            self.report(imported.node, module=imported.module, why="no requirements.txt line provides it")
