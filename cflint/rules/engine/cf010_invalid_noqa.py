from cflint.model import Safety, Severity
from cflint.rule import EngineRule


class InvalidNoqaRule(EngineRule):
    code = "CF010"
    name = "invalid-noqa"
    summary = "A noqa directive is malformed and suppresses nothing"
    message = "invalid noqa directive: {problem}"
    severity = Severity.WARNING
    fix_safety = Safety.SAFE
    fix_description = "add the ':' after 'noqa'"
