from cflint.rule.returns import ReturnRule


class MalformedResponseTuple(ReturnRule):
    code = "CF204"
    name = "malformed-response-tuple"
    summary = (
        "The entry function returns a tuple Flask cannot read as "
        "(body, status), (body, headers) or (body, status, headers)"
    )
    message = "entry function {function!r} returns a malformed response tuple: {detail}"
