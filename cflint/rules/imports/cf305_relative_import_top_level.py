import libcst as cst

from cflint.fix.edits import import_absolute
from cflint.knowledge.stdlib import imported_by_runtime, is_standard
from cflint.model import Safety
from cflint.rule import ParsedFile, Rule
from cflint.rule.imports import relative_import_alternatives, relative_siblings
from cflint.rules.imports.dependencies import RUNTIME_MODULES


def _shadowed_sibling(node: cst.ImportFrom) -> str | None:
    """A sibling module the import names whose absolute import would bind another module: a
    standard-library one (most are imported before the function is) or one the runtime has
    imported (Flask's)."""
    tops = sorted(relative_siblings(node))
    return next((top for top in tops if is_standard(top) or RUNTIME_MODULES.provides(top)), None)


class RelativeImportTopLevel(Rule):
    code = "CF305"
    name = "relative-import-top-level"
    summary = "Relative import in a module at the top of the function folder, or one that climbs above it"
    message = "relative import {problem}"
    requires_text = ("from",)
    fix_safety = Safety.SAFE
    fix_description = "import the sibling module by its name"

    def __init__(self, file: ParsedFile) -> None:
        super().__init__(file)
        self._alternatives: set[int] = set()

    def visit_Try(self, node: cst.Try) -> None:
        self._alternatives.update(map(id, relative_import_alternatives(node, self.walker)))

    def _rename(self, shadowed: str) -> str:
        """Why the sibling must be renamed: `import shadowed` names another module."""
        assert self.context.root is not None
        importer = imported_by_runtime(shadowed, self.context.root.settings.target_versions)
        owner = "standard library" if is_standard(shadowed) else "runtime"
        already = f", which {importer} has already imported" if importer is not None else ""
        return (
            f"rename the sibling module {shadowed!r}: "
            f"'import {shadowed}' gives the {owner}'s module of that name{already}"
        )

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        module = self.context.module_name
        if not node.relative or self.context.root is None or module is None or id(node) in self._alternatives:
            return
        parts = module.split(".")
        is_package = self.context.path.name == "__init__.py"
        if len(parts) == 1 and not is_package:
            shadowed = _shadowed_sibling(node) if len(node.relative) == 1 else None
            advice = "import the sibling module by its name" if shadowed is None else self._rename(shadowed)
            self.report(
                node.relative[0],
                problem=f"in top-level module {module!r}, which the runtime loads outside any package; {advice}",
                fix=import_absolute(node) if shadowed is None else None,
            )
            return
        package = parts if is_package else parts[:-1]
        if len(node.relative) > len(package):
            self.report(
                node.relative[0],
                problem=f"climbs {len(node.relative)} levels from package {'.'.join(package)!r}, above the "
                "function root (Python: attempted relative import beyond top-level package); "
                "import the module by its absolute name",
            )
