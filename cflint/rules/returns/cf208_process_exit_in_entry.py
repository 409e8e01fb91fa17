from cflint.rule.returns import ReturnRule


class ProcessExitInEntry(ReturnRule):
    code = "CF208"
    name = "process-exit-in-entry"
    summary = "The entry function ends the process (sys.exit(), exit(), os._exit()), so no response is sent"
    message = (
        "entry function {function!r} {detail}: the request gets no response (the connection closes); "
        'return an error response instead, such as ("...", 500)'
    )
