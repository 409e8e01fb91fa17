from cflint.rule import EngineRule


class UnreadableFileRule(EngineRule):
    code = "CF002"
    name = "unreadable-file"
    summary = "File cannot be read or decoded"
    message = "{reason}"
    always_enabled = True
