import libcst as cst

from cflint.analysis.entry import effective_definitions
from cflint.analysis.names import parameters
from cflint.analysis.scopes import Scopes
from cflint.model import Safety
from cflint.rule import Rule
from cflint.rules.entry.request_parameter import request_parameter_fix


class EntryFunctionParameters(Rule):
    code = "CF103"
    name = "entry-function-parameters"
    summary = "The entry function has a parameter without a default; the runtime passes no arguments"
    message = (
        "entry function {function!r} takes parameter {parameter!r}, but the runtime calls it "
        "with no arguments; read the request from flask.request"
    )
    entry_modules_only = True
    fix_safety = Safety.UNSAFE
    fix_description = "drop the parameter and read Flask's request (from flask import request)"

    def visit_Module(self, node: cst.Module) -> None:
        for name in sorted(self.context.entry_functions):
            scopes = self.file.analysis(Scopes)
            definitions = effective_definitions(scopes, name)
            for definition in definitions:
                fix = request_parameter_fix(node, definition, self.walker, scopes) if len(definitions) == 1 else None
                for param in parameters(definition.params, stars=False):
                    if param.default is None:
                        self.report(param.name, function=name, parameter=param.name.value, fix=fix)
