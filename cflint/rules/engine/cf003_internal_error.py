from cflint.rule import EngineRule


class InternalErrorRule(EngineRule):
    code = "CF003"
    name = "internal-error"
    summary = "cflint failed on this file (a bug in cflint: please report it)"
    message = "internal error in {where}: {detail}"
