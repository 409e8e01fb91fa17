from __future__ import annotations

from pathlib import Path

from cflint.fix.edits import append_requirement
from cflint.fs.files import read_regular_file
from cflint.knowledge.distributions import CATALOGUE, NAMESPACE_PACKAGES, ModuleProvider
from cflint.knowledge.stdlib import is_standard
from cflint.model import Safety, TextEdit
from cflint.rule import ParsedFile
from cflint.rule.imports import ImportedModule, ImportRule
from cflint.rules.imports.dependencies import (
    RUNTIME_MODULES,
    display_in_root,
    modules_of_distributions,
    provided_modules,
)

_BOM = "\ufeff"


def _shown(imported: ImportedModule) -> str:
    """`from google.cloud import pubsub_v1` is named by the module it imports, since a shared
    namespace package such as `google.cloud` alone says nothing."""
    if imported.module in NAMESPACE_PACKAGES and imported.submodules:
        return imported.submodules[0]
    return imported.module


class UndeclaredImport(ImportRule):
    code = "CF303"
    name = "undeclared-import"
    summary = "A third-party import that no requirements.txt line provides"
    message = "{module} is imported, but {why}"
    requires_text = ("import",)
    fix_safety = Safety.UNSAFE
    fix_description = "add the distribution that provides the module to requirements.txt (a new dependency)"

    def __init__(self, file: ParsedFile) -> None:
        super().__init__(file)
        self._provided: ModuleProvider | None = None
        self._requirements_text: str | None = None

    def _provider(self) -> ModuleProvider:
        if self._provided is None:
            root = self.context.root
            assert root is not None
            resolution = root.resolution
            resolved = None
            if resolution is not None:
                from cflint.rules.imports.resolved import resolved_provider  # only with --resolve

                resolved = resolved_provider(root, resolution)
            self._provided = resolved or provided_modules(root, self.context.settings)
        return self._provided

    def _sibling(self, top_level: str) -> Path | None:
        """A module of this name beside a file in a sub-package: what `import sibling`
        meant in Python 2, and what Python 3 does not look for."""
        folder = self.context.path.parent
        root = self.context.root
        if root is None or folder == root.path:
            return None
        for candidate in (folder / f"{top_level}.py", folder / top_level / "__init__.py"):
            if candidate.is_file():
                return candidate
        return None

    def check_import(self, imported: ImportedModule) -> None:
        root = self.context.root
        if root is None or not imported.runs or imported.guarded:
            return
        if is_standard(imported.module) or imported.top_level in root.local_modules:
            return
        if RUNTIME_MODULES.provides(imported.module):
            return
        if self.package_policy.unsupported_module(imported.module) is not None:
            return  # CF301 reports it
        sibling = self._sibling(imported.top_level)
        relative_why: str | None = None
        if sibling is not None:
            shown = sibling.relative_to(root.path).as_posix()
            relative_why = (
                f"it resolves only to {shown} beside this file, and Python 3 has no implicit relative imports; "
                f"write 'from . import {imported.top_level}'"
            )
        requirements = root.requirements
        if not requirements.found:
            why = relative_why or "the function folder has no requirements.txt"
            self.report(imported.node, module=_shown(imported), why=why)
            return
        if not requirements.complete:
            return
        provider = self._provider()
        if any(provider.provides(name) for name in imported.names):
            return
        if any(provider.installed_here(name) for name in imported.names):
            return
        missing = relative_why or self._why_missing(imported, provider)
        if missing is None:
            return
        self.report(imported.node, module=_shown(imported), why=missing, fix=self._fix(imported))

    @staticmethod
    def _why_missing(imported: ImportedModule, provider: ModuleProvider) -> str | None:
        """Why no line provides the module; None when a listed distribution whose modules
        cflint does not know could plausibly be it: then it cannot say, and says nothing."""
        through = next(filter(None, (provider.installed_through(name) for name in imported.names)), None)
        if through is not None:
            return f"it is installed only through {through}; list it in requirements.txt"
        if provider.plausible_source(imported.module) is not None:
            return None
        return "no requirements.txt line provides it"

    def _fix(self, imported: ImportedModule) -> list[TextEdit] | None:
        """A new last line of requirements.txt naming the distribution, in the file's line endings
        (and the line break the last line lacks, as an edit of its own that other such fixes share).
        None when that line would not make the finding go away, or pip would refuse the file:
        in hash-checking mode every line needs a --hash."""
        root = self.context.root
        distribution = CATALOGUE.certain_distribution(_shown(imported))
        if root is None or distribution is None:
            return None
        added = modules_of_distributions((distribution,), self.context.settings)
        if not any(added.provides(name) for name in imported.names):
            return None
        if self._requirements_text is None:
            try:
                data, _ = read_regular_file(root.requirements_path)
                self._requirements_text = data.decode("utf-8").removeprefix(_BOM)
            except (OSError, UnicodeDecodeError):
                return None
        path = display_in_root(root.requirements_path, root)
        return append_requirement(
            self._requirements_text, distribution, path, hash_checking=root.requirements.hash_checking
        )
