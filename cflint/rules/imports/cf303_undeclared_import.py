from cflint.analysis.imports import ImportedModule, ImportRule
from cflint.fix.model import Safety, TextEdit
from cflint.fix.text import LineIndex
from cflint.knowledge.distributions import CATALOGUE, ModuleProvider
from cflint.knowledge.stdlib import is_standard
from cflint.rule import ParsedFile
from cflint.rules.imports.dependencies import RUNTIME_MODULES, display_in_root, provided_modules
from cflint.run.files import read_regular_file

_BOM = "\ufeff"


class UndeclaredImport(ImportRule):
    code = "CF303"
    name = "undeclared-import"
    summary = "A third-party import that no requirements.txt line provides"
    message = "{module} is imported, but {why}"
    requires_text = ("import",)
    fix_safety = Safety.UNSAFE
    fix_description = "add the distribution that provides the module to requirements.txt (a new dependency)"

    def __init__(self, file: ParsedFile) -> None:
        super().__init__(file)
        self._provided: ModuleProvider | None = None
        self._requirements_text: str | None = None

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
            self.report(
                imported.node, module=imported.module, why="no requirements.txt line provides it", fix=self._fix(imported)
            )

    def _fix(self, imported: ImportedModule) -> list[TextEdit] | None:
        """A new last line of requirements.txt naming the distribution, in the file's line endings
        (and the line break the last line lacks, as an edit of its own that other such fixes share)."""
        root = self.context.root
        distribution = CATALOGUE.certain_distribution(imported.module)
        if root is None or distribution is None:
            return None
        if self._requirements_text is None:
            try:
                data, _ = read_regular_file(root.requirements_path)
                self._requirements_text = data.decode("utf-8").removeprefix(_BOM)
            except (OSError, UnicodeDecodeError):
                return None
        text = self._requirements_text
        newline = "\r\n" if "\r\n" in text else "\n"
        end = LineIndex(text).position(len(text))
        path = display_in_root(root.requirements_path, root)
        edits = [TextEdit(end, end, newline, path)] if text and not text.endswith(("\n", "\r")) else []
        return [*edits, TextEdit(end, end, distribution + newline, path)]
