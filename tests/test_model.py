"""The shared values: a finding's identity, order and immutability."""

from __future__ import annotations

import pickle

import pytest

from cflint.model import EntryPoint, Finding, Fix, Position, Safety, Severity, TextEdit

END = Position(3, 9)


def _finding(
    path: str = "user.py",
    line: int = 3,
    column: int = 5,
    code: str = "CF403",
    message: str = "no timeout",
    severity: Severity = Severity.ERROR,
    end: Position = END,
    fix: Fix | None = None,
) -> Finding:
    return Finding(path, Position(line, column), code, message, severity, end, fix)


def test_findings_differing_only_in_extent_severity_or_fix_are_one_finding() -> None:
    fix = Fix(Safety.SAFE, "add a timeout", (TextEdit(Position(3, 9), Position(3, 9), ", timeout=10"),))
    first = _finding()
    others = [_finding(end=Position(4, 1)), _finding(severity=Severity.WARNING), _finding(fix=fix)]
    for other in others:
        assert first == other
        assert hash(first) == hash(other)
    (kept,) = dict.fromkeys([first, *others])
    assert kept is first


@pytest.mark.parametrize(
    "other",
    [
        _finding(path="other.py"),
        _finding(line=4),
        _finding(column=6),
        _finding(code="CF401"),
        _finding(message="another message"),
    ],
)
def test_findings_at_another_place_or_of_another_problem_differ(other: Finding) -> None:
    assert _finding() != other
    assert not _finding() == other  # noqa: SIM201  # __eq__ itself, not only __ne__


def test_a_finding_is_not_equal_to_other_values() -> None:
    assert _finding() != ("user.py", Position(3, 5), "CF403", "no timeout")
    assert _finding().__eq__(object()) is NotImplemented


def test_findings_sort_by_path_then_position_then_code_then_message() -> None:
    expected = [
        _finding(path="a.py", line=9),
        _finding(line=2, column=9),
        _finding(line=3, column=1),
        _finding(code="CF401"),
        _finding(code="CF403", message="a"),
        _finding(code="CF403", message="b"),
    ]
    assert sorted(reversed(expected)) == expected
    low, high = expected[1], expected[2]
    assert low < high and low <= high and high > low and high >= low
    assert not (high < low or high <= low or low > high or low >= high)
    assert low <= _finding(line=2, column=9, severity=Severity.WARNING) >= low


def test_values_are_frozen_and_survive_pickling() -> None:
    finding = _finding(
        fix=Fix(Safety.SAFE, "add a timeout", (TextEdit(Position(3, 9), Position(3, 9), ", timeout=10"),))
    )
    with pytest.raises(AttributeError):
        finding.code = "CF401"  # type: ignore[misc]
    copy = pickle.loads(pickle.dumps(finding))
    assert (copy, copy.severity, copy.end, copy.fix) == (finding, finding.severity, finding.end, finding.fix)
    assert Position(1, 9) < Position(2, 1) < Position(2, 3)


def test_one_finding_is_neither_before_nor_after_another_report_of_itself() -> None:
    first, same = _finding(), _finding(severity=Severity.WARNING, end=Position(9, 9))
    assert first <= same and first >= same
    assert not (first < same or first > same)


def test_findings_at_other_places_hash_apart() -> None:
    distinct = [_finding(), _finding(path="b.py"), _finding(line=4), _finding(column=6), _finding(code="CF401")]
    assert len({hash(finding) for finding in distinct}) == len(distinct)


@pytest.mark.parametrize(
    ("text", "module", "function", "module_path"),
    [
        ("user.main", "user", "main", "user.py"),
        ("  handlers.api.run\n", "handlers.api", "run", "handlers/api.py"),
    ],
)
def test_an_entry_point_is_a_module_and_a_function(text: str, module: str, function: str, module_path: str) -> None:
    entry = EntryPoint.parse(text)
    assert (entry.module, entry.function) == (module, function)
    assert entry.module_path.as_posix() == module_path
    assert str(entry) == f"{module}.{function}"


@pytest.mark.parametrize("text", ["main", "user.", ".main", "user..main", "user.1main", "1user.main", "user.ma in", ""])
def test_an_entry_point_that_is_not_module_dot_function_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"is not of the form module\.function"):
        EntryPoint.parse(text)
