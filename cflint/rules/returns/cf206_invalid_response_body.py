from cflint.model import Safety
from cflint.rule.returns import ReturnRule


class InvalidResponseBody(ReturnRule):
    code = "CF206"
    name = "invalid-response-body"
    summary = (
        "The entry function returns a body that is None, a number or an exception object, "
        "or a dict or list JSON cannot encode"
    )
    message = "entry function {function!r} returns a response body that {detail}"
    fix_safety = Safety.UNSAFE
    fix_description = (
        "send the exception's message, str(e), in its place (an exception returned alone becomes (str(e), 500)); "
        "the client gets that text instead of Flask's 500 error page, with the status the code gives"
    )
