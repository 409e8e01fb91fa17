from cflint.model import Safety, Severity
from cflint.rule import EngineRule


class UnusedNoqaRule(EngineRule):
    code = "CF011"
    name = "unused-noqa"
    summary = "A noqa directive suppresses nothing"
    message = "unused {what}"
    severity = Severity.WARNING
    default_enabled = False
    fix_safety = Safety.SAFE
    fix_description = "remove the unused noqa directive or codes"
