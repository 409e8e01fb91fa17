from cflint.rule import EngineRule


class SyntaxErrorRule(EngineRule):
    code = "CF001"
    name = "syntax-error"
    summary = "File cannot be parsed as Python"
    message = "cannot parse: {reason}"
    always_enabled = True
