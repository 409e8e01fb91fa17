import re
from collections.abc import Iterator
from pathlib import Path

from cflint.model import EntryPoint, Finding
from cflint.project import FunctionRoot
from cflint.rule import RootRule
from cflint.run.files import read_regular_file

# A file larger than this is not read for the hint (the hint is a courtesy, not a check).
_HINT_READ_LIMIT = 1024 * 1024


def misnamed_entry_module_hint(folder: Path, entry_point: EntryPoint) -> str:
    """`; main.py defines main(): ...` when another module beside the missing entry module
    defines the entry function at its top level (the usual misnamed-file mistake), else ''."""
    defines = re.compile(rf"^(?:async[ \t]+)?def[ \t]+{re.escape(entry_point.function)}[ \t]*\(", re.MULTILINE)
    try:
        candidates = sorted(path for path in folder.glob("*.py") if path.stem.isidentifier())
    except OSError:
        return ""
    for candidate in candidates:
        try:
            data, size = read_regular_file(candidate, _HINT_READ_LIMIT)
        except OSError:
            continue
        if size <= _HINT_READ_LIMIT and defines.search(data.decode("utf-8", errors="replace")):
            module = ".".join((*entry_point.module.split(".")[:-1], candidate.stem))
            return (
                f"; {candidate.name} defines {entry_point.function}(): rename it to "
                f"{entry_point.module_path.name}, or set entry-points = [\"{module}.{entry_point.function}\"]"
            )
    return ""


class EntryModuleMissing(RootRule):
    code = "CF101"
    name = "entry-module-missing"
    summary = "The entry point's module file is not in the function root"
    message = "entry module {module_path} for entry point {entry_point} not found in this function root{hint}"

    def check(self, root: FunctionRoot) -> Iterator[Finding]:
        for entry_point in root.settings.entry_points:
            module_path = root.path / entry_point.module_path
            if not module_path.is_file():
                yield self.finding(
                    root.display_path,
                    module_path=entry_point.module_path.as_posix(),
                    entry_point=entry_point,
                    hint=misnamed_entry_module_hint(module_path.parent, entry_point),
                )
