import libcst as cst

from cflint.fix.model import Safety
from cflint.fix.proposal import Replace
from cflint.rule import Rule


def _absolute(node: cst.ImportFrom) -> cst.Import | cst.ImportFrom | None:
    """`from .m import x` as `from m import x`, `from . import x` as `import x`; None for
    more than one dot, a star import, or a parenthesised list holding comments."""
    if len(node.relative) != 1 or isinstance(node.names, cst.ImportStar):
        return None
    if node.module is not None:
        return node.with_changes(relative=())
    names = list(node.names)
    if node.lpar is not None and "#" in cst.Module(body=[]).code_for_node(node):
        return None
    comma = cst.Comma(cst.SimpleWhitespace(""), cst.SimpleWhitespace(" "))
    names = [name.with_changes(comma=comma) for name in names[:-1]] + [
        names[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    ]
    return cst.Import(names=names, semicolon=node.semicolon)


class RelativeImportTopLevel(Rule):
    code = "CF305"
    name = "relative-import-top-level"
    summary = "Relative import in a module at the top of the function folder, or one that climbs above it"
    message = "relative import {problem}"
    requires_text = ("from",)
    fix_safety = Safety.SAFE
    fix_description = "import the sibling module by its name"

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
                fix=Replace(node, absolute) if (absolute := _absolute(node)) is not None else None,
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
