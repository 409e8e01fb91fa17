from cflint.model import Severity
from cflint.rule.returns import ReturnRule


class UndocumentedReturnType(ReturnRule):
    code = "CF202"
    name = "undocumented-return-type"
    summary = (
        "The entry function returns a list, bytes, a generator or a Flask Response: valid Flask, undocumented shape"
    )
    message = (
        "entry function {function!r} returns {detail}: Flask accepts it, but the platform documents only "
        "a str, a dict and a (body, status) tuple"
    )
    severity = Severity.WARNING
