import re
from collections.abc import Callable, Iterator, Sequence
from functools import partial
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
    try:
        candidates = sorted(path for path in folder.glob("*.py") if path.stem.isidentifier())
    except OSError:
        return ""

    def read(path: Path) -> bytes | None:
        try:
            data, size = read_regular_file(path, _HINT_READ_LIMIT)
        except OSError:
            return None
        return data if size <= _HINT_READ_LIMIT else None

    return entry_function_hint(entry_point, [(path.name, partial(read, path)) for path in candidates])


def entry_function_hint(entry_point: EntryPoint, modules: Sequence[tuple[str, Callable[[], bytes | None]]]) -> str:
    """The hint for the first of `modules` (file name, a reader of its bytes) whose text
    defines the entry function at its top level, else ''."""
    defines = re.compile(rf"^(?:async[ \t]+)?def[ \t]+{re.escape(entry_point.function)}[ \t]*\(", re.MULTILINE)
    for name, read in modules:
        stem = name.removesuffix(".py")
        if name == entry_point.module_path.name or not stem.isidentifier():
            continue
        data = read()
        if data is not None and defines.search(data.decode("utf-8", errors="replace")):
            module = ".".join((*entry_point.module.split(".")[:-1], stem))
            return (
                f"; {name} defines {entry_point.function}(): rename it to "
                f'{entry_point.module_path.name}, or set entry-points = ["{module}.{entry_point.function}"]'
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
