from cflint.rule.returns import ReturnRule


class StatusOutOfRange(ReturnRule):
    code = "CF205"
    name = "status-out-of-range"
    summary = "The entry function returns a status code outside 100..599"
    message = (
        "entry function {function!r} returns status {detail}, outside 100..599; Flask sends it without "
        "complaint and clients cannot make sense of it"
    )
