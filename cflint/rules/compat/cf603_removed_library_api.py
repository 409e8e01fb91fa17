from __future__ import annotations

import libcst as cst

from cflint.analysis.names import dotted_name
from cflint.fix.edits import move_import_names
from cflint.fix.proposal import Replace
from cflint.knowledge import removed_apis
from cflint.knowledge.removed_apis import API_NAMES, RemovedApi, pin_keeps_api
from cflint.model import Safety
from cflint.rule.scoped import ScopedRule

_MODULES = frozenset(name.split(".")[0] for name in API_NAMES)
# The last names of the APIs: an attribute named otherwise cannot qualify to one.
_LAST_NAMES = frozenset(name.rpartition(".")[2] for name in API_NAMES)


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
        apis = [removed_apis.REMOVED_APIS.get(f"{module}.{dotted_name(alias.name)}") for alias in node.names]
        fix = move_import_names(self.file.module, node, [api.moved_to if api is not None else None for api in apis])
        for alias, api in zip(node.names, apis, strict=True):
            if api is not None and not api.call:
                self._report(alias.name, api, fix=fix)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if node.attr.value not in _LAST_NAMES:
            return
        qualified = self.qualify(node)
        api = removed_apis.REMOVED_APIS.get(qualified or "")
        if api is not None and not api.call:
            self._report(node, api)

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if type(func) is cst.Attribute and func.attr.value not in _LAST_NAMES:
            return
        qualified = self.qualify(func)
        api = removed_apis.REMOVED_APIS.get(qualified or "")
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
