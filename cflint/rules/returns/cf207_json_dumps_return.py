from cflint.model import Safety, Severity
from cflint.rule.returns import ReturnRule


class JsonDumpsReturn(ReturnRule):
    code = "CF207"
    name = "json-dumps-return"
    summary = "The entry function returns json.dumps() text, which Flask serves as text/html"
    message = (
        "entry function {function!r} returns {detail}, which Flask serves as text/html; return the dict "
        "itself to send application/json"
    )
    severity = Severity.WARNING
    default_enabled = False
    requires_text = ("dumps",)
    fix_safety = Safety.UNSAFE
    fix_description = (
        "return the dict itself, which Flask sends as application/json "
        "(the Content-Type changes, and the text is Flask's: keys sorted, no spaces)"
    )
