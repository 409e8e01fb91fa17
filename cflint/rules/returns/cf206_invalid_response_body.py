from cflint.rule.returns import ReturnRule


class InvalidResponseBody(ReturnRule):
    code = "CF206"
    name = "invalid-response-body"
    summary = "The entry function returns a body that is None or a number, or a dict or list JSON cannot encode"
    message = "entry function {function!r} returns a response body that {detail}"
