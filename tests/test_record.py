"""`cflint.record` against its ground truth, the standard library's dataclasses: a record class
and a dataclass declared alike are built from the same arguments, and must agree on which calls
fail, on the fields' values, equality, order, hashing, repr and replace; and a record's compiled
__init__ must agree with the shared one it replaces."""

from __future__ import annotations

import copy
import dataclasses
import functools
import pickle
from typing import Any, ClassVar

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cflint import record
from cflint.record import Record, asdict, field, fields, replace


class Point(Record, frozen=True, order=True):
    line: int
    column: int = 1
    tags: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True, order=True)
class PointData:
    line: int
    column: int = 1
    tags: tuple[str, ...] = ()


class Labelled(Point, frozen=True, kw_only=True):
    label: str
    notes: list[str] = field(default_factory=list)


@dataclasses.dataclass(frozen=True, order=True, kw_only=True)
class LabelledData(PointData):
    label: str
    notes: list[str] = dataclasses.field(default_factory=list)


class MutablePoint(Record):
    line: int
    column: int = 1
    tags: tuple[str, ...] = ()


class Counter(Record):
    count: int = 0
    kind: ClassVar[str] = "counter"


class Identity(Record, frozen=True, eq=False):
    value: int


class Cached(Record, frozen=True, dict=True):
    value: int

    @functools.cached_property
    def doubled(self) -> int:
        return self.value * 2


def _made(cls: type[Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    try:
        return cls(*args, **kwargs)
    except TypeError:
        return TypeError


ARGUMENTS = st.tuples(
    st.lists(st.sampled_from([1, 2, "a", ("x",)]), max_size=4).map(tuple),
    st.dictionaries(
        st.sampled_from(["line", "column", "tags", "label", "notes", "other"]),
        st.sampled_from([0, 3, "b", ("y",), ["n"]]),
        max_size=4,
    ),
)


@pytest.mark.parametrize(("cls", "ground_truth"), [(Point, PointData), (Labelled, LabelledData)])
@given(first=ARGUMENTS, second=ARGUMENTS)
def test_records_agree_with_dataclasses_declared_alike(
    cls: type[Any], ground_truth: type[Any], first: Any, second: Any
) -> None:
    made = [_made(cls, *arguments) for arguments in (first, second)]
    expected = [_made(ground_truth, *arguments) for arguments in (first, second)]
    assert [each is TypeError for each in made] == [each is TypeError for each in expected]
    if TypeError in made:
        return
    assert [asdict(each) for each in made] == [dataclasses.asdict(each) for each in expected]
    assert (made[0] == made[1]) == (expected[0] == expected[1])
    assert repr(made[0]) == repr(expected[0]).replace("Data(", "(", 1)
    changed = {"line": 7}
    assert asdict(replace(made[0], **changed)) == dataclasses.asdict(dataclasses.replace(expected[0], **changed))
    try:
        order = made[0] < made[1]
    except TypeError:
        with pytest.raises(TypeError):
            expected[0] < expected[1]  # noqa: B015  # the comparison's failure is what is compared
    else:
        assert order == (expected[0] < expected[1])
    if all(isinstance(value, (int, str, tuple)) for value in asdict(made[0]).values()):
        assert (hash(made[0]) == hash(type(made[0])(**asdict(made[0])))) is True


@pytest.mark.parametrize("cls", [Point, Labelled, MutablePoint])
@given(arguments=st.lists(ARGUMENTS, min_size=1, max_size=5))
def test_the_compiled_init_agrees_with_the_shared_one(cls: type[Any], arguments: list[Any]) -> None:
    # A fresh subclass per example, so that its __init__ is compiled after SPECIALIZE_AFTER instances.
    fresh = type(cls.__name__, (cls,), {}, frozen=cls is not MutablePoint)
    shared = [_made(fresh, *each) for each in arguments]
    for _ in range(record.SPECIALIZE_AFTER):
        fresh(1, label="l") if cls is Labelled else fresh(1)
    assert fresh.__init__ is not record._init
    compiled = [_made(fresh, *each) for each in arguments]
    assert [each if each is TypeError else asdict(each) for each in compiled] == [
        each if each is TypeError else asdict(each) for each in shared
    ]


def test_frozen_records_refuse_assignment_and_mutable_ones_take_it() -> None:
    point = Point(1)
    with pytest.raises(AttributeError):
        point.line = 2  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del point.line  # type: ignore[misc]
    counter = Counter()
    counter.count = 5
    assert counter.count == 5
    with pytest.raises(TypeError):
        hash(counter)  # mutable and compared by value: unhashable, as a dataclass is


def test_class_variables_are_not_fields_and_defaults_are_not_shared() -> None:
    assert [each.name for each in fields(Counter)] == ["count"]
    assert Counter.kind == "counter"
    assert Labelled(1, label="a").notes is not Labelled(1, label="a").notes
    assert [(each.name, each.required) for each in fields(Labelled)] == [
        ("line", True),
        ("column", False),
        ("tags", False),
        ("label", True),
        ("notes", False),
    ]


def test_identity_records_compare_by_identity() -> None:
    first, second = Identity(1), Identity(1)
    assert first != second
    assert first == first  # identity is what is tested
    assert len({first, second}) == 2


class CachedMore(Cached, frozen=True, dict=True):
    more: int = 1


def test_records_have_slots_and_a_dict_only_when_asked() -> None:
    assert not hasattr(Point(1), "__dict__")
    cached = Cached(4)
    assert cached.doubled == 8
    assert cached.__dict__ == {"doubled": 8}
    assert CachedMore(2).doubled == 4
    assert CachedMore.__slots__ == ("more",)  # the base's __dict__ serves


@pytest.mark.parametrize("value", [Point(3, 4, ("t",)), Labelled(1, label="x", notes=["n"]), Counter(2)])
def test_records_pickle_and_copy(value: Record) -> None:
    assert pickle.loads(pickle.dumps(value)) == value
    assert copy.deepcopy(value) == value
    assert type(pickle.loads(pickle.dumps(value))) is type(value)


class Moved(Point, frozen=True, order=True):
    column: int = 5


@dataclasses.dataclass(frozen=True, order=True)
class MovedData(PointData):
    column: int = 5


def test_a_field_declared_again_keeps_its_place_and_takes_its_new_default() -> None:
    assert [each.name for each in fields(Moved)] == [each.name for each in dataclasses.fields(MovedData)]
    assert asdict(Moved(1)) == dataclasses.asdict(MovedData(1))
    assert [(each.name, each.default) for each in fields(Moved)][1] == ("column", 5)


def test_a_mutable_default_is_refused_as_dataclasses_refuse_it() -> None:
    with pytest.raises(TypeError, match="default_factory"):
        type("Shared", (Record,), {"__annotations__": {"items": "list[int]"}, "items": []})
    with pytest.raises(ValueError, match="default_factory"):
        dataclasses.make_dataclass("Shared", [("items", list, dataclasses.field(default=[]))])
