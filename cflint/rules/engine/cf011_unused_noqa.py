from cflint.rule import EngineRule
from cflint.model import Severity


class UnusedNoqaRule(EngineRule):
    code = "CF011"
    name = "unused-noqa"
    summary = "A noqa directive suppresses nothing"
    message = "unused {what}"
    severity = Severity.WARNING
    default_enabled = False
