import libcst as cst

from cflint.analysis.entry import effective_definitions
from cflint.analysis.scopes import Scopes
from cflint.rule import Rule


class EntryFunctionAsync(Rule):
    code = "CF105"
    name = "entry-function-async"
    summary = "The entry function is `async def`; the runtime calls it synchronously"
    message = (
        "entry function {function!r} is async: the runtime calls it without awaiting and gets a "
        "coroutine, not a response"
    )
    entry_modules_only = True

    def visit_Module(self, node: cst.Module) -> None:
        for name in sorted(self.context.entry_functions):
            for definition in effective_definitions(self.file.analysis(Scopes), name):
                if definition.asynchronous is not None:
                    self.report(definition.name, function=name)
