"""The root's other modules as the call graph reads them: read through the root (an editor's
unsaved text first), decoded and parsed as a linted file is, each once per run while its
bytes stay the same."""

from __future__ import annotations

from pathlib import Path

import libcst as cst

from cflint.engine.registry import Registry
from cflint.engine.source import decode_source, parse_source
from cflint.project import FunctionRoot


class ModuleStore:
    """Parsed modules by path; one per `FileLinter`, so the files of a run share them."""

    def __init__(self, registry: Registry) -> None:
        self._registry = registry
        self._parsed: dict[Path, tuple[bytes, tuple[str, cst.Module] | None]] = {}

    def parsed(self, root: FunctionRoot, path: Path) -> tuple[str, cst.Module] | None:
        """The text and tree of the module at `path`; None when it cannot be read, is over
        max-file-size, or does not parse (its own lint says why)."""
        try:
            data = root.read_source_bytes(path)
        except OSError:
            return None
        if len(data) > root.settings.max_file_size:
            return None
        known = self._parsed.get(path)
        if known is not None and known[0] == data:
            return known[1]
        result: tuple[str, cst.Module] | None = None
        try:
            source = decode_source(data)
        except ValueError:
            source = None
        if source is not None:
            module = parse_source(self._registry, source, str(path))
            if isinstance(module, cst.Module):
                result = (source, module)
        self._parsed[path] = (data, result)
        return result
