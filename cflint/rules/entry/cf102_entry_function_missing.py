import libcst as cst

from cflint.analysis.entry import top_level_bindings, top_level_function_names
from cflint.analysis.scopes import Scopes
from cflint.model import START_OF_FILE
from cflint.rule import Rule


class EntryFunctionMissing(Rule):
    code = "CF102"
    name = "entry-function-missing"
    summary = "The entry function is not defined at the top level of the entry module"
    message = "entry function {function!r} is not defined at the top level of this module{hint}"
    entry_modules_only = True

    def visit_Module(self, node: cst.Module) -> None:
        functions = top_level_function_names(node)
        for name in sorted(self.context.entry_functions):
            if top_level_bindings(self.file.analysis(Scopes), name):
                continue
            import difflib  # only for a missing entry function

            close = difflib.get_close_matches(name, functions, n=1, cutoff=0.6)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            self.report(start=START_OF_FILE, function=name, hint=hint)
