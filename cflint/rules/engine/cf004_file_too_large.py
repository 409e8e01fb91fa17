from cflint.model import START_OF_FILE, Finding, Severity
from cflint.rule import EngineRule


class FileTooLargeRule(EngineRule):
    code = "CF004"
    name = "file-too-large"
    summary = "File is over max-file-size, or too large or deeply nested to lint within cflint's bounds"
    message = "file is {size} bytes, over max-file-size ({limit} bytes): not linted"
    severity = Severity.WARNING

    @classmethod
    def over_bound(cls, path: str, reason: str) -> Finding:
        """The file is within max-file-size, but linting it would cost more than cflint's
        time and memory bounds (see cflint.engine.guards)."""
        message = f"{reason}: not linted"
        return Finding(path, START_OF_FILE, cls.code, message, cls.severity, START_OF_FILE)
