"""Each rule's message template names exactly the fields its findings are made with: a field
the template names and a report does not give would fail only when the rule fires, as an
internal error that takes the file's other findings with it."""

from __future__ import annotations

import ast
import importlib
import inspect
import string
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import cflint.engine.registry as registry_module
from cflint.engine.registry import RuleMeta, load_registry
from cflint.rule import Rule, RuleInfo, message_fields

REGISTRY = load_registry()
PACKAGE = Path(__file__).resolve().parent.parent / "cflint"
# Keywords of Rule.report that place a finding or fix it; every other keyword is a message field.
_REPORT_PARAMETERS = {"node", "start", "end", "fix", "fix_description"}
_FINDING_CALLS = {"finding", "finding_at"}


def _call_name(call: ast.Call) -> str | None:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None


def _given_fields(call: ast.Call) -> frozenset[str] | None:
    """The message fields a report or finding call gives; None when it forwards `**fields`."""
    if any(keyword.arg is None for keyword in call.keywords):
        return None
    names = {keyword.arg for keyword in call.keywords if keyword.arg is not None}
    return frozenset(names - _REPORT_PARAMETERS if _call_name(call) == "report" else names)


def _calls_of_class(rule: type[RuleInfo]) -> Iterator[ast.Call]:
    """The report and finding calls in the rule class and the cflint classes it derives from."""
    for klass in rule.__mro__:
        if not klass.__module__.startswith(("cflint.rules.", "cflint.rule.")) and klass.__module__ != "cflint.rule":
            continue
        tree = ast.parse(textwrap.dedent(inspect.getsource(klass)))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _call_name(node) in {"report", *_FINDING_CALLS}:
                yield node


def _registry_calls() -> Iterator[tuple[str, ast.Call]]:
    """`registry.finding(CODE, ...)` calls anywhere in cflint, with the code they make."""
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        module = None
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and _call_name(node) == "finding" and node.args):
                continue
            first = node.args[0]
            if isinstance(first, ast.Name) and first.id.isupper():
                dotted = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
                module = module or importlib.import_module(dotted)
                # A code constant imported inside a function is not among the module's names.
                yield getattr(module, first.id, None) or getattr(registry_module, first.id), node


@pytest.mark.parametrize("meta", REGISTRY.rules, ids=lambda meta: meta.code)
def test_reports_give_the_fields_the_message_names(meta: RuleMeta) -> None:
    rule = meta.load()
    wanted = message_fields(rule.message)
    calls = list(_calls_of_class(rule))
    if issubclass(rule, Rule):
        assert calls, f"{meta.code}: no report call found"
    for call in calls:
        given = _given_fields(call)
        assert given is None or given == wanted, (
            f"{meta.code} line {call.lineno}: gives {sorted(given)}, its message names {sorted(wanted)}"
        )


def test_findings_the_engine_makes_give_the_fields_the_message_names() -> None:
    checked = 0
    for code, call in _registry_calls():
        given = _given_fields(call)
        wanted = message_fields(REGISTRY.by_code(code).message)
        assert given is None or given == wanted, (
            f"{code} line {call.lineno}: gives {sorted(given)}, its message names {sorted(wanted)}"
        )
        checked += 1
    assert checked >= 10


@pytest.mark.parametrize(
    "template", ["{}", "{0} is wrong", "{module.name}", "{names[0]}", "unclosed {brace", "a } alone"]
)
def test_a_template_without_keyword_fields_stops_the_rule_loading(template: str) -> None:
    with pytest.raises(TypeError, match="message"):
        type("BadRule", (RuleInfo,), {"message": template})


def test_the_check_sees_a_report_that_misses_a_field() -> None:
    call = ast.parse("self.report(node, modul=name)").body[0]
    assert isinstance(call, ast.Expr) and isinstance(call.value, ast.Call)
    assert _given_fields(call.value) == {"modul"} != message_fields("{module} is not declared")


def _formatter_fields(template: str) -> frozenset[str]:
    """The fields `string.Formatter` parses, those of format specs (`{a:{width}}`) included."""
    names: set[str] = set()
    for _, name, spec, _ in string.Formatter().parse(template):
        if name is not None:
            names.add(name)
            names |= _formatter_fields(spec or "")
    return frozenset(names)


@given(
    st.lists(
        st.one_of(
            st.text(alphabet="ab {}.:!r0[]>", max_size=4),
            st.sampled_from(["{a}", "{b:>3}", "{c!r}", "{d.e}", "{f[0]}", "{}", "{0}", "{{", "}}", "{g-h}", "{i:{j}}"]),
        ),
        max_size=5,
    ).map("".join)
)
def test_message_fields_agree_with_string_formatter(template: str) -> None:
    """Ground truth: the fields `string.Formatter` parses, where `str.format` takes the
    template with keyword fields alone; otherwise both refuse it."""
    try:
        found = message_fields(template)
    except ValueError:
        found = None
    try:
        expected: frozenset[str] | None = _formatter_fields(template)
        if expected is not None and not all(name.isidentifier() for name in expected):
            expected = None
        else:
            template.format(**dict.fromkeys(expected or (), ""))
    except (ValueError, IndexError, KeyError, AttributeError, TypeError):
        expected = None
    assert found == expected
