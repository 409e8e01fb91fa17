import libcst as cst

from cflint.rule import Rule


class RelativeImportTopLevel(Rule):
    code = "CF305"
    name = "relative-import-top-level"
    summary = "Relative import in a module at the top of the function folder"
    message = (
        "relative import in top-level module {module!r}, which the runtime loads outside any package; "
        "import the sibling module by its name"
    )
    requires_text = ("from",)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        module = self.context.module_name
        if not node.relative or self.context.root is None or module is None or "." in module:
            return
        if self.context.path.name == "__init__.py":
            return
        self.report(node.relative[0], module=module)
