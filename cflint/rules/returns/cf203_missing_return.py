from cflint.rule.returns import ReturnRule


class MissingReturn(ReturnRule):
    code = "CF203"
    name = "missing-return"
    summary = "The entry function can reach its end without a return statement"
    message = (
        "entry function {function!r} can end without returning (control falls off the end after line "
        "{detail}); Flask then fails with 'did not return a valid response'"
    )
