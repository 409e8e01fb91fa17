import libcst as cst

from cflint.analysis.entry import BindingKind, EntryBinding, always_bound, top_level_bindings
from cflint.analysis.scopes import Scopes
from cflint.rule import Rule

_WHAT = {
    BindingKind.CLASS: "a class (calling it makes an instance, not a response)",
    BindingKind.LAMBDA: "a lambda; define it with def",
    BindingKind.VALUE: "a value that cannot be called",
}


class EntryNotPlainFunction(Rule):
    code = "CF104"
    name = "entry-not-plain-function"
    summary = "The entry name is not bound to a plain function, is only conditionally defined, or is rebound"
    message = "entry point {function!r} {problem}"
    entry_modules_only = True

    def visit_Module(self, node: cst.Module) -> None:
        for name in sorted(self.context.entry_functions):
            bindings = top_level_bindings(self.file.analysis(Scopes), name)
            if bindings:
                self._check(name, bindings)

    def _check(self, name: str, bindings: list[EntryBinding]) -> None:
        functions = [b for b in bindings if b.kind is BindingKind.FUNCTION]
        if not functions:
            last = bindings[-1]
            if last.kind in _WHAT:
                self.report(last.node, function=name, problem="is bound to " + _WHAT[last.kind])
            return
        first = functions[0]
        if first.conditional and not always_bound(self.file.analysis(Scopes), name):
            self.report(
                first.node,
                function=name,
                problem="is defined only conditionally; define it unconditionally at the top level",
            )
        for binding in bindings[bindings.index(first) + 1 :]:
            if binding.statement is not first.statement:
                what = f", to {_WHAT[binding.kind]}" if binding.kind in _WHAT else ""
                self.report(binding.node, function=name, problem=f"is bound again after its definition{what}")
