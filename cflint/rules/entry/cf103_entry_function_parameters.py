import libcst as cst

from cflint.analysis.entry import effective_definitions
from cflint.analysis.scopes import Scopes, parameters
from cflint.rule import Rule


class EntryFunctionParameters(Rule):
    code = "CF103"
    name = "entry-function-parameters"
    summary = "The entry function has a parameter without a default; the runtime passes no arguments"
    message = (
        "entry function {function!r} takes parameter {parameter!r}, but the runtime calls it "
        "with no arguments; read the request from flask.request"
    )
    entry_modules_only = True

    def visit_Module(self, node: cst.Module) -> None:
        for name in sorted(self.context.entry_functions):
            for definition in effective_definitions(self.file.analysis(Scopes), name):
                for param in parameters(definition.params, stars=False):
                    if param.default is None:
                        self.report(param.name, function=name, parameter=param.name.value)
