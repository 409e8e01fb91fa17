import libcst as cst

from cflint.analysis.names import dotted_name
from cflint.knowledge import stdlib
from cflint.knowledge.stdlib import REMOVED_NAME_KEYS, RemovedName, removed_in
from cflint.rule import ParsedFile
from cflint.rule.imports import ImportedModule, ImportRule, Version, catches_import_error
from cflint.rules.imports.dependencies import provided_modules

# Names in an `if` test that make its branches a check for what this Python has.
_FEATURE_TESTS = frozenset({"hasattr", "getattr", "version_info"})
# The last names of the removed names: an attribute named otherwise cannot qualify to one.
_REMOVED_LAST_NAMES = frozenset(name.rpartition(".")[2] for name in REMOVED_NAME_KEYS)


def _tests_features(nodes: list[cst.CSTNode]) -> bool:
    return any(type(node) is cst.Name and node.value in _FEATURE_TESTS for node in nodes)


def _catches_attribute_error(handler: cst.ExceptHandler) -> bool:
    caught = handler.type
    if caught is None:
        return True
    elements = [element.value for element in caught.elements] if isinstance(caught, cst.Tuple) else [caught]
    return any(
        (dotted_name(element) or "").rpartition(".")[2] in {"AttributeError", "Exception"} for element in elements
    )


def _is_fallback(handler: cst.ExceptHandler) -> bool:
    """A handler that runs only where an import or attribute failed: an older Python's path."""
    return catches_import_error(handler) or _catches_attribute_error(handler)


class RemovedStdlibModule(ImportRule):
    code = "CF601"
    name = "removed-stdlib-module"
    summary = "Use of a standard-library module or name removed in a target Python version"
    message = (
        "{module} was removed from the standard library in Python {version}, "
        "and target-versions includes {target}{instead}"
    )
    requires_text = ("import",)

    def __init__(self, file: ParsedFile) -> None:
        super().__init__(file)
        # Inside a try that catches AttributeError, a handler of a failed import or attribute,
        # or an `if` testing hasattr or the version: the code already tells the Pythons apart.
        self._hedged = 0
        # Whether each enclosing `if` test (and conditional expression) tests features, innermost last.
        self._feature_tests: list[bool] = []
        self._may_test_features = any(name in file.source for name in _FEATURE_TESTS)

    def check_import(self, imported: ImportedModule) -> None:
        if imported.guarded or not imported.runs:
            return
        for name in imported.names:
            removed = removed_in(name)
            if removed is None:
                continue
            module, version = removed
            affected = [target for target in imported.versions if target >= version]
            root = self.context.root
            if not affected or (root is not None and provided_modules(root, self.context.settings).provides(module)):
                return
            target = max(affected)
            self.report(
                imported.node,
                module=module,
                version=f"{version[0]}.{version[1]}",
                target=f"{target[0]}.{target[1]}",
                instead="",
            )
            return

    def _report_name(self, node: cst.CSTNode, removed: RemovedName, versions: frozenset[Version]) -> None:
        affected = [target for target in versions if target >= removed.removed_in]
        if not affected:
            return
        target = max(affected)
        self.report(
            node,
            module=removed.name,
            version=f"{removed.removed_in[0]}.{removed.removed_in[1]}",
            target=f"{target[0]}.{target[1]}",
            instead=f"; use {removed.instead}",
        )

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        super().visit_ImportFrom(node)
        if node.relative or node.module is None or isinstance(node.names, cst.ImportStar):
            return
        imported = self._imported(node, dotted_name(node.module) or "", node.module)
        if imported.guarded or not imported.runs or self._hedged:
            return
        for alias in node.names:
            qualified = f"{imported.module}.{dotted_name(alias.name)}"
            removed = stdlib.REMOVED_NAMES[qualified] if qualified in REMOVED_NAME_KEYS else None
            if removed is not None:
                self._report_name(alias.name, removed, imported.versions)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if self._hedged or node.attr.value not in _REMOVED_LAST_NAMES:
            return
        qualified = self.qualify(node)
        removed = stdlib.REMOVED_NAMES[qualified] if qualified in REMOVED_NAME_KEYS else None
        if removed is not None:
            self._report_name(node, removed, self._targets)

    def visit_Try(self, node: cst.Try) -> None:
        super().visit_Try(node)
        self._hedged += any(map(_catches_attribute_error, node.handlers))

    def leave_Try(self, node: cst.Try) -> None:
        self._hedged -= any(map(_catches_attribute_error, node.handlers))

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        self._hedged += _is_fallback(node)

    def leave_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        self._hedged -= _is_fallback(node)

    def _enter_test(self, test: cst.BaseExpression) -> None:
        tests = self._may_test_features and _tests_features([test, *self.walker.descendants(test)])
        self._feature_tests.append(tests)
        self._hedged += tests

    def _leave_test(self) -> None:
        self._hedged -= self._feature_tests.pop()

    def visit_If(self, node: cst.If) -> None:
        super().visit_If(node)
        self._enter_test(node.test)

    def leave_If(self, node: cst.If) -> None:
        self._leave_test()

    def visit_IfExp(self, node: cst.IfExp) -> None:
        self._enter_test(node.test)

    def leave_IfExp(self, node: cst.IfExp) -> None:
        self._leave_test()
