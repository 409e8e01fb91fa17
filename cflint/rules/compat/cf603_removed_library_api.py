from __future__ import annotations

import libcst as cst

from cflint.analysis.scopes import dotted_name
from cflint.fix.proposal import Replace
from cflint.knowledge.removed_apis import REMOVED_APIS, RemovedApi, pin_keeps_api
from cflint.model import Safety
from cflint.rule.scoped import ScopedRule

_MODULES = frozenset(name.split(".")[0] for name in REMOVED_APIS)


def _module_name(dotted: str) -> cst.Name | cst.Attribute:
    expression = cst.parse_expression(dotted)
    assert isinstance(expression, (cst.Name, cst.Attribute))
    return expression


def _listed(aliases: list[cst.ImportAlias]) -> list[cst.ImportAlias]:
    """The aliases with a comma and a space between them, none after the last."""
    comma = cst.Comma(cst.SimpleWhitespace(""), cst.SimpleWhitespace(" "))
    return [alias.with_changes(comma=comma) for alias in aliases[:-1]] + [
        aliases[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    ]


def _statement_in_block(
    module: cst.Module, node: cst.ImportFrom
) -> tuple[cst.Module | cst.IndentedBlock, cst.SimpleStatementLine] | None:
    """The block and the line holding `node` as the line's only statement."""
    pending: list[cst.Module | cst.IndentedBlock] = [module]
    while pending:
        block = pending.pop()
        for statement in block.body:
            if isinstance(statement, cst.SimpleStatementLine):
                if len(statement.body) == 1 and statement.body[0] is node:
                    return block, statement
                continue
            pending.extend(_blocks_of(statement))
    return None


def _blocks_of(node: cst.CSTNode) -> list[cst.IndentedBlock]:
    """The indented blocks of a compound statement and of its clauses (else, except, finally)."""
    found: list[cst.IndentedBlock] = []
    stack = [node]
    while stack:
        current = stack.pop()
        for child in current.children:
            if isinstance(child, cst.IndentedBlock):
                found.append(child)
            elif not isinstance(child, (cst.BaseExpression, cst.SimpleStatementLine)):
                stack.append(child)
    return found


class RemovedLibraryApi(ScopedRule):
    code = "CF603"
    name = "removed-library-api"
    summary = "Use of a library API that the versions the runtime installs no longer have"
    message = "{api} {what} in {distribution} {version}; {instead}"
    requires_text = tuple(sorted(_MODULES))
    fix_safety = Safety.SAFE
    fix_description = "import the names from the module that has them now (from markupsafe import escape)"

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if node.relative or node.module is None or isinstance(node.names, cst.ImportStar):
            return
        module = dotted_name(node.module)
        apis = [REMOVED_APIS.get(f"{module}.{dotted_name(alias.name)}") for alias in node.names]
        targets = {api.moved_to if api is not None else None for api in apis}
        fix = None
        if len(targets) == 1 and (target := targets.pop()) is not None:
            # Every name of the statement moved to one module: import them from there.
            fix = Replace(node, node.with_changes(module=cst.parse_expression(target)))
        elif any(api is not None and api.moved_to is not None for api in apis):
            fix = self._split(node, apis)
        for alias, api in zip(node.names, apis, strict=True):
            if api is not None and not api.call:
                self._report(alias.name, api, fix=fix)

    def _split(self, node: cst.ImportFrom, apis: list[RemovedApi | None]) -> Replace | None:
        """The names that moved imported from where they are now, each module on a line after
        this one, which keeps the others: a name that stayed must not move with them. None for
        an import sharing its line, or whose parenthesised names hold comments."""
        assert not isinstance(node.names, cst.ImportStar)
        if node.lpar is not None and "#" in cst.Module(body=[]).code_for_node(node):
            return None
        found = _statement_in_block(self.file.module, node)
        if found is None:
            return None
        block, line = found
        kept = [alias for alias, api in zip(node.names, apis, strict=True) if api is None or api.moved_to is None]
        moved: dict[str, list[cst.ImportAlias]] = {}
        for alias, api in zip(node.names, apis, strict=True):
            if api is not None and api.moved_to is not None:
                moved.setdefault(api.moved_to, []).append(alias)
        statement = line.with_changes(body=[node.with_changes(names=_listed(kept))])
        added = [
            cst.SimpleStatementLine(body=[cst.ImportFrom(module=_module_name(target), names=_listed(aliases))])
            for target, aliases in moved.items()
        ]
        index = list(block.body).index(line)
        body = (*block.body[:index], statement, *added, *block.body[index + 1 :])
        return Replace(block, block.with_changes(body=body))

    def visit_Attribute(self, node: cst.Attribute) -> None:
        qualified = self.qualify(node)
        api = REMOVED_APIS.get(qualified or "")
        if api is not None and not api.call:
            self._report(node, api)

    def visit_Call(self, node: cst.Call) -> None:
        qualified = self.qualify(node.func)
        api = REMOVED_APIS.get(qualified or "")
        if api is None or not api.call or any(arg.star for arg in node.args):
            return
        if any(arg.keyword is not None and arg.keyword.value == api.requires_keyword for arg in node.args):
            return
        positional = sum(1 for arg in node.args if arg.keyword is None)
        if api.positional is None or positional < api.positional:
            self._report(node, api, what=f"without {api.requires_keyword}= raises TypeError")

    def _report(
        self, node: cst.CSTNode, api: RemovedApi, what: str = "was removed", fix: Replace | None = None
    ) -> None:
        if self._pinned_below(api):
            return
        self.report(
            node,
            api=f"{api.name}()" if api.call else api.name,
            what=what,
            distribution=api.distribution,
            version=api.removed_in,
            instead=api.instead,
            fix=fix,
        )

    def _pinned_below(self, api: RemovedApi) -> bool:
        """The function's requirements pin the library to versions that still have the API."""
        root = self.context.root
        if root is None:
            return False
        versions = root.settings.target_versions
        lines = [line for line in root.requirements.installed(versions) if line.name == api.distribution]
        return bool(lines) and all(pin_keeps_api(line.specifier, api.removed_in) for line in lines)
