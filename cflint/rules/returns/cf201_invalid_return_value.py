from cflint.rule.returns import ReturnRule


class InvalidReturnValue(ReturnRule):
    code = "CF201"
    name = "invalid-return-value"
    summary = "The entry function returns a value Flask cannot send: None, a number or bool, a set, a function"
    message = "entry function {function!r} returns {detail}, which Flask cannot turn into a response"
