from __future__ import annotations

import libcst as cst

from cflint.knowledge.stdlib import imported_by_runtime
from cflint.model import Position
from cflint.rule import Rule

_WHO = {
    "Python": "Python imports the standard library's {name} at start-up",
    "Flask": "Flask has already imported the standard library's {name}",
}


def _import_statement(name: str, module: cst.Module) -> str:
    """How the function would import the module: a function or class it defines, by name."""
    for statement in module.body:
        if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
            return f"from {name} import {statement.name.value}"
    return f"import {name}"


class ShadowedStdlibModule(Rule):
    code = "CF309"
    name = "shadowed-stdlib-module"
    summary = "A module of the function folder named like a standard-library module the runtime has already imported"
    message = "{module} is never imported: {who}, so `{statement}` gets that module, not this {kind}; rename it"

    def visit_Module(self, node: cst.Module) -> None:
        name = self.context.module_name
        root = self.context.root
        if root is None or name is None or "." in name:
            return
        importer = imported_by_runtime(name, root.settings.target_versions)
        if importer is None:
            return
        package = self.context.path.name == "__init__.py"
        self.report(
            start=Position(1, 1),
            module=f"{name}/__init__.py" if package else f"{name}.py",
            who=_WHO[importer].format(name=name),
            statement=_import_statement(name, node),
            kind="package" if package else "file",
        )
