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


class RelativeImportInTopLevelModule(Rule):
    code = "CF305"
    name = "relative-import-top-level"
    summary = "Relative import in a module at the top of the function folder"
    message = (
        "relative import in top-level module {module!r}, which the runtime loads outside any package; "
        "import the sibling module by its name"
    )
    requires_text = ("from",)
    fix_safety = Safety.SAFE
    fix_description = "import the sibling module by its name"

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        module = self.context.module_name
        if not node.relative or self.context.root is None or module is None or "." in module:
            return
        if self.context.path.name == "__init__.py":
            return
        absolute = _absolute(node)
        self.report(node.relative[0], module=module, fix=Replace(node, absolute) if absolute is not None else None)
