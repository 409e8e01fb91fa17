from collections.abc import Iterator, Sequence

import libcst as cst

from cflint.project import FileContext
from cflint.rule import Rule

Version = tuple[int, int]
PEP_695 = (3, 12)
PEP_701 = (3, 12)
PEP_696 = (3, 13)
PEP_758 = (3, 14)
PEP_750 = (3, 14)
NEWEST_CHECKED = (3, 14)


def _version_text(version: Version) -> str:
    return f"{version[0]}.{version[1]}"


def _type_parameters_feature(parameters: cst.TypeParameters | None, what: str) -> tuple[str, Version]:
    if parameters is not None and any(param.default is not None for param in parameters.params):
        return "a type parameter default (PEP 696)", PEP_696
    return f"{what} (PEP 695)", PEP_695


class SyntaxNewerThanTarget(Rule):
    code = "CF602"
    name = "syntax-newer-than-target"
    summary = "Syntax that the oldest target Python version cannot parse"
    message = "{feature} needs Python {version}, but target-versions includes {oldest}"

    @classmethod
    def applies_to(cls, context: FileContext, source: str) -> bool:
        return min(context.settings.target_versions) < NEWEST_CHECKED and super().applies_to(context, source)

    def _require(self, node: cst.CSTNode, feature: str, version: Version) -> None:
        oldest = min(self.context.settings.target_versions)
        if oldest < version:
            self.report(node, feature=feature, version=_version_text(version), oldest=_version_text(oldest))

    def visit_TypeAlias(self, node: cst.TypeAlias) -> None:
        self._require(node, *_type_parameters_feature(node.type_parameters, "a type statement"))

    def _check_parameters(self, node: cst.FunctionDef | cst.ClassDef) -> None:
        if node.type_parameters is not None:
            self._require(
                node.type_parameters, *_type_parameters_feature(node.type_parameters, "a type parameter list")
            )

    visit_FunctionDef = visit_ClassDef = _check_parameters

    def _check_handler(self, node: cst.ExceptHandler | cst.ExceptStarHandler) -> None:
        if isinstance(node.type, cst.Tuple) and not node.type.lpar:
            self._require(node.type, "except with unparenthesised exception types (PEP 758)", PEP_758)

    visit_ExceptHandler = visit_ExceptStarHandler = _check_handler

    def visit_TemplatedString(self, node: cst.TemplatedString) -> None:
        self._require(node, "a t-string (PEP 750)", PEP_750)

    def visit_FormattedString(self, node: cst.FormattedString) -> None:
        quote = node.end
        for text in self._replacement_field_code(node.parts):
            feature = None
            if quote in text:
                feature = "an f-string reusing its quotes inside a replacement field (PEP 701)"
            elif "\\" in text:
                feature = "a backslash inside an f-string replacement field (PEP 701)"
            elif "#" in text:
                feature = "a comment inside an f-string replacement field (PEP 701)"
            elif "\n" in text and len(quote) == 1:
                feature = "a line break inside a single-quoted f-string (PEP 701)"
            if feature is not None:
                self._require(node, feature, PEP_701)
                return

    def _replacement_field_code(self, parts: Sequence[cst.BaseFormattedStringContent]) -> Iterator[str]:
        """The source of each replacement field's expression and the whitespace around it,
        nested format specs included; the literal text of format specs left out."""
        code_for = self.file.module.code_for_node
        for part in parts:
            if isinstance(part, cst.FormattedStringExpression):
                yield (
                    code_for(part.whitespace_before_expression)
                    + code_for(part.expression)
                    + code_for(part.whitespace_after_expression)
                )
                if part.format_spec:
                    yield from self._replacement_field_code(part.format_spec)
