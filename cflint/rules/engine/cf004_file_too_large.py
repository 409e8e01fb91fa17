from cflint.model import Severity
from cflint.rule import EngineRule


class FileTooLargeRule(EngineRule):
    code = "CF004"
    name = "file-too-large"
    summary = "File is larger than max-file-size and was not linted"
    message = "file is {size} bytes, over max-file-size ({limit} bytes): not linted"
    severity = Severity.WARNING
