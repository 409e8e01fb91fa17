"""Code actions and hovers: a finding's fix as a quick fix, all safe fixes as
`source.fixAll.cflint`, `# noqa: CODE` for a line, and a rule's summary over a code in a
`# noqa` comment."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from lsprotocol import types

from cflint.engine.registry import Registry
from cflint.fix.text import client_position, code_point_column, split_lines
from cflint.lsp.changes import FindingFix, fixes_for, non_overlapping
from cflint.lsp.documents import Documents
from cflint.lsp.noqa_comments import add_noqa, noqa_code_at
from cflint.model import TextEdit
from cflint.output.pages import page_url

FIX_ALL_KIND = f"{types.CodeActionKind.SourceFixAll.value}.cflint"


class Actions:
    """The code actions and hovers of open Python documents, from their last lint."""

    def __init__(self, documents: Documents, registry: Registry) -> None:
        self._documents = documents
        self.registry = registry

    def code_actions(self, params: types.CodeActionParams) -> list[types.CodeAction] | None:
        uri = params.text_document.uri
        document = self._documents.python(uri)
        if document is None:
            return None
        text = document.source
        lines = split_lines(text)
        only = params.context.only

        def wanted(kind: str) -> bool:
            return only is None or any(kind == asked or kind.startswith(f"{asked}.") for asked in only)

        linted = self._documents.last_lint(document)
        fixes = [] if linted is None else fixes_for(Path(document.path), text, linted.findings)
        actions: list[types.CodeAction] = []
        if wanted(types.CodeActionKind.QuickFix):
            for diagnostic in params.context.diagnostics:
                if diagnostic.source == "cflint" and isinstance(diagnostic.code, str):
                    actions.extend(self._quick_fixes(uri, text, lines, diagnostic, fixes))
        if wanted(FIX_ALL_KIND):
            edits = non_overlapping(fixes)
            if edits or only is not None:
                actions.append(
                    types.CodeAction(
                        title="cflint: fix all fixable problems", kind=FIX_ALL_KIND, edit=self._edit(uri, lines, edits)
                    )
                )
        return actions

    def _quick_fixes(
        self, uri: str, text: str, lines: list[str], diagnostic: types.Diagnostic, fixes: Iterable[FindingFix]
    ) -> list[types.CodeAction]:
        code = str(diagnostic.code)
        actions = []
        for fix in fixes:
            start = client_position(lines, fix.finding.start, self._documents.encoding)
            if fix.finding.code == code and start == (diagnostic.range.start.line, diagnostic.range.start.character):
                actions.append(
                    types.CodeAction(
                        title=f"{fix.title} ({code})" if fix.safe else f"{fix.title} ({code}, changes behaviour)",
                        kind=types.CodeActionKind.QuickFix,
                        diagnostics=[diagnostic],
                        edit=self._edit(uri, lines, list(fix.changes)),
                        is_preferred=fix.safe,
                    )
                )
        if code in self.registry.codes and self.registry.by_code(code).kind != "engine":
            change = add_noqa(text, diagnostic.range.start.line + 1, code, self.registry.codes)
            if change is not None:
                actions.append(
                    types.CodeAction(
                        title=f"Ignore {code} on this line",
                        kind=types.CodeActionKind.QuickFix,
                        diagnostics=[diagnostic],
                        edit=self._edit(uri, lines, [change]),
                    )
                )
        return actions

    def _edit(self, uri: str, lines: list[str], changes: Sequence[TextEdit]) -> types.WorkspaceEdit:
        encoding = self._documents.encoding
        edits = [
            types.TextEdit(
                range=types.Range(
                    types.Position(*client_position(lines, change.start, encoding)),
                    types.Position(*client_position(lines, change.end, encoding)),
                ),
                new_text=change.new_text,
            )
            for change in changes
        ]
        return types.WorkspaceEdit(changes={uri: edits})

    def hover(self, params: types.HoverParams) -> types.Hover | None:
        document = self._documents.python(params.text_document.uri)
        if document is None:
            return None
        text = document.source
        lines = split_lines(text)
        line = params.position.line + 1
        if not 1 <= line <= len(lines):
            return None
        column = code_point_column(lines[line - 1], params.position.character, self._documents.encoding)
        code = noqa_code_at(text, line, column)
        if code is None or code not in self.registry.codes:
            return None
        rule = self.registry.by_code(code)
        default = "" if rule.default_enabled else ", off by default"
        heading = f"**{rule.code}** `{rule.name}` ({rule.severity.value}{default})"
        url = page_url(code)
        link = f"[Rule page]({url})" if url else f"`cflint rule {code}` prints its page."
        value = f"{heading}\n\n{rule.summary}\n\n{link}"
        return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=value))
