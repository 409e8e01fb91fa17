import libcst as cst

from cflint.rule import Rule


class RelativeImportTopLevel(Rule):
    code = "CF305"
    name = "relative-import-top-level"
    summary = "Relative import in a module at the top of the function folder, or one that climbs above it"
    message = "relative import {problem}"
    requires_text = ("from",)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        module = self.context.module_name
        if not node.relative or self.context.root is None or module is None:
            return
        parts = module.split(".")
        is_package = self.context.path.name == "__init__.py"
        if len(parts) == 1 and not is_package:
            self.report(
                node.relative[0],
                problem=f"in top-level module {module!r}, which the runtime loads outside any package; "
                "import the sibling module by its name",
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
