from cflint.model import Severity
from cflint.rule import EngineRule


class FileTooLargeRule(EngineRule):
    code = "CF004"
    name = "file-too-large"
    summary = "File is over max-file-size, or too large or deeply nested to lint within cflint's bounds"
    message = "file is {size} bytes, over max-file-size ({limit} bytes): not linted"
    severity = Severity.WARNING
