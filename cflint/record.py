"""Value classes declared by their annotated fields, as dataclasses are, for a tenth of the cost.

A cold run pays for every class it defines. `dataclasses` writes each class's `__init__`,
`__repr__`, `__eq__` and `__hash__` as source and compiles it: about 4 M instructions a class,
where a `Record` costs 0.1 M. msgspec's `Struct` costs as little per class, but importing
msgspec costs 50 M (its core imports `datetime`, `decimal`, `uuid` and `typing_extensions`),
5 % of importing LibCST. So the classes every run defines are `Record`s, and msgspec is
imported only to decode and encode the cache and the resolution store.

    class Position(Record, frozen=True, order=True):
        line: int
        column: int = 1

A subclass's fields are its annotations that are not `ClassVar`, after its bases' fields. A
field with a value has that default; `field(default_factory=list)` makes a new one for each
instance. Class options: `frozen` (assignment raises), `eq` (equal when of the same class with
equal fields, else identity; frozen records hash by their fields), `order` (compared as tuples
of fields), `kw_only` (the class's own fields are keyword-only) and `dict` (instances also
have a `__dict__`, for `functools.cached_property`). Instances have slots, pickle, and repr
as `Name(field=value, ...)`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, ClassVar, TypeVar, get_origin

if sys.version_info >= (3, 11):
    from typing import dataclass_transform
else:  # pragma: no cover - typing on Python 3.10 has no dataclass_transform; it only informs type checkers

    def dataclass_transform(**_: object) -> Callable[[Any], Any]:
        return lambda decorated: decorated


__all__ = ["NODEFAULT", "Field", "Record", "asdict", "field", "fields", "replace"]

R = TypeVar("R", bound="Record")


class _NoDefault:
    __slots__ = ()

    def __repr__(self) -> str:
        return "NODEFAULT"


NODEFAULT: Any = _NoDefault()
_SET = object.__setattr__


# The helper classes below are written out: a NamedTuple costs 0.6 M instructions to define.


class _FieldDefault:
    __slots__ = ("default", "default_factory", "metadata")

    def __init__(self, default: Any, default_factory: Any, metadata: Any) -> None:
        self.default = default
        self.default_factory = default_factory
        self.metadata = metadata


def field(
    *, default: Any = NODEFAULT, default_factory: Callable[[], Any] | Any = NODEFAULT, metadata: Any = None
) -> Any:
    """A field's default written out: `field(default_factory=list)` gives each instance its own.
    `metadata` is kept for `fields()` to give, as dataclasses keep theirs."""
    if default is not NODEFAULT and default_factory is not NODEFAULT:
        raise TypeError("field() takes a default or a default_factory, not both")
    return _FieldDefault(default, default_factory, metadata)


class Field:
    """A field as `fields()` describes it; `type` is the annotation as written."""

    __slots__ = ("default", "default_factory", "metadata", "name", "type")

    def __init__(self, name: str, type: Any, default: Any, default_factory: Any, metadata: Any = None) -> None:
        self.name = name
        self.type = type
        self.default = default
        self.default_factory = default_factory
        self.metadata = metadata

    def __repr__(self) -> str:
        return f"Field({self.name!r}, {self.type!r}, {self.default!r}, {self.default_factory!r}, {self.metadata!r})"

    @property
    def required(self) -> bool:
        return self.default is NODEFAULT and self.default_factory is NODEFAULT


class _Shape:
    """What the shared methods need to know of a class, worked out once when it is made: its
    fields' names, annotations, defaults, default factories and metadata, by name."""

    __slots__ = (
        "annotations",
        "defaults",
        "described",
        "factories",
        "inits",
        "metadata",
        "name_set",
        "names",
        "positional",
    )

    def __init__(
        self,
        annotations: dict[str, Any],
        positional: list[str],
        defaults: dict[str, Any],
        factories: dict[str, Callable[[], Any]],
        metadata: dict[str, Any],
    ) -> None:
        self.annotations = annotations
        self.names = tuple(annotations)
        self.name_set = frozenset(annotations)
        self.positional = tuple(positional)
        self.defaults = defaults
        self.factories = factories
        self.metadata = metadata
        self.described: tuple[Field, ...] | None = None
        self.inits = 0  # how many instances the shared __init__ has made

    @property
    def fields(self) -> tuple[Field, ...]:
        """The fields described, made when first asked: most classes are never asked."""
        if self.described is None:
            self.described = tuple(
                Field(
                    name,
                    self.annotations[name],
                    self.defaults.get(name, NODEFAULT),
                    self.factories.get(name, NODEFAULT),
                    self.metadata.get(name),
                )
                for name in self.names
            )
        return self.described


def _shape(bases: tuple[type, ...], namespace: dict[str, Any], kw_only: bool) -> _Shape:
    annotations: dict[str, Any] = {}
    defaults: dict[str, Any] = {}
    factories: dict[str, Callable[[], Any]] = {}
    metadata: dict[str, Any] = {}
    positional: list[str] = []
    for base in bases:
        inherited: _Shape | None = getattr(base, "__record_shape__", None)
        if inherited is not None and inherited.names:
            annotations.update(inherited.annotations)
            defaults.update(inherited.defaults)
            factories.update(inherited.factories)
            metadata.update(inherited.metadata)
            positional += [name for name in inherited.positional if name not in positional]
    for name, annotation in namespace.get("__annotations__", {}).items():
        if type(annotation) is str:  # under `from __future__ import annotations`
            if annotation.startswith(("ClassVar", "typing.ClassVar")):
                continue
        elif annotation is ClassVar or get_origin(annotation) is ClassVar:
            continue
        if name in annotations:  # declared again: its default goes with the new declaration
            defaults.pop(name, None)
            factories.pop(name, None)
            metadata.pop(name, None)
        annotations[name] = annotation
        value = namespace.pop(name, NODEFAULT)
        if type(value) is _FieldDefault:
            if value.default is not NODEFAULT:
                defaults[name] = value.default
            elif value.default_factory is not NODEFAULT:
                factories[name] = value.default_factory
            if value.metadata is not None:
                metadata[name] = value.metadata
        elif value is not NODEFAULT:
            if type(value) in (list, dict, set, bytearray):  # one object every instance would share
                raise TypeError(f"{name}: a mutable default; use field(default_factory=...)")
            defaults[name] = value
        if not kw_only and name not in positional:
            positional.append(name)
    return _Shape(annotations, positional, defaults, factories, metadata)


# A class gets an __init__ of its own, written and compiled as dataclasses write theirs, only
# once the shared one has made this many of its instances. The shared one is about 3 times
# slower per instance, but compiling costs about as much as 100 instances save (measured with
# callgrind at 4 fields, 0.45 M instructions, and at 17, 1.4 M), so only the classes a run
# makes by the hundred get one: bindings, scopes and origins on a large file, none on a small.
SPECIALIZE_AFTER = 128


def _init(self: Record, *args: Any, **kwargs: Any) -> None:
    cls = type(self)
    shape = cls.__record_shape__
    shape.inits += 1
    if shape.inits == SPECIALIZE_AFTER:
        specialized = _specialized_init(cls, shape)
        if specialized is not None:
            type.__setattr__(cls, "__init__", specialized)
    if len(args) > len(shape.positional):
        raise TypeError(f"{cls.__name__} takes {len(shape.positional)} positional arguments, got {len(args)}")
    values = dict(zip(shape.positional, args, strict=False))  # the rest by keyword or default
    if kwargs:
        for name in kwargs:
            if name in values:
                raise TypeError(f"{cls.__name__} got multiple values for argument {name!r}")
            if name not in shape.name_set:
                raise TypeError(f"{cls.__name__} got an unexpected keyword argument {name!r}")
        values.update(kwargs)
    if len(values) < len(shape.names):
        for name in shape.names:
            if name in values:
                continue
            if name in shape.defaults:
                values[name] = shape.defaults[name]
            elif name in shape.factories:
                values[name] = shape.factories[name]()
            else:
                raise TypeError(f"{cls.__name__} is missing required argument {name!r}")
    for name in shape.names:
        _SET(self, name, values[name])


def _specialized_init(cls: type[Record], shape: _Shape) -> Callable[..., None] | None:
    """An __init__ for the shape, with a parameter for each field, or None when its fields do
    not make a signature (a field without a default after one with, by position).

    It stores a mutable record's fields as `self.name = value` does. A frozen record refuses
    that, so each field goes through its slot's own setter, bound once: a call of
    `object.__setattr__` costs half as much again, in argument tuples."""
    parameters: list[str] = []
    body: list[str] = []
    scope: dict[str, Any] = {"_NODEFAULT": NODEFAULT}
    frozen = cls.__setattr__ is _frozen_setattr
    keyword_only = [name for name in shape.names if name not in shape.positional]
    defaulted = False
    for name in (*shape.positional, *keyword_only):
        if keyword_only and name == keyword_only[0]:
            parameters.append("*")
        value = name
        if name in shape.defaults:
            scope[f"_default_{name}"] = shape.defaults[name]
            parameters.append(f"{name}=_default_{name}")
        elif name in shape.factories:
            scope[f"_factory_{name}"] = shape.factories[name]
            parameters.append(f"{name}=_NODEFAULT")
            value = f"_factory_{name}() if {name} is _NODEFAULT else {name}"
        else:
            if defaulted and name in shape.positional:
                return None
            parameters.append(name)
        if frozen:
            scope[f"_set_{name}"] = _slot(cls, name).__set__
            body.append(f"    _set_{name}(self, {value})")
        else:
            body.append(f"    self.{name} = {value}")
        defaulted = defaulted or name in shape.defaults or name in shape.factories
    source = f"def __init__(self, {', '.join(parameters)}):\n" + ("\n".join(body) or "    pass") + "\n"
    exec(compile(source, "<record __init__>", "exec"), scope)  # the source is made above, of field names
    function: Callable[..., None] = scope["__init__"]
    function.__qualname__ = f"{cls.__qualname__}.__init__"
    return function


def _slot(cls: type, name: str) -> Any:
    """The slot descriptor that holds the field `name` of `cls`'s instances."""
    return next(klass.__dict__[name] for klass in cls.__mro__ if name in klass.__dict__)


def _values(record: Record) -> tuple[Any, ...]:
    return tuple([getattr(record, name) for name in record.__record_shape__.names])


def _repr(self: Record) -> str:
    shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__record_shape__.names)
    return f"{type(self).__name__}({shown})"


def _eq(self: Record, other: object) -> Any:
    if type(other) is not type(self):
        return NotImplemented
    return _values(self) == _values(other)


def _hash(self: Record) -> int:
    return hash(_values(self))


def _frozen_setattr(self: Record, name: str, value: object) -> None:
    raise AttributeError(f"immutable type: {type(self).__name__!r}")


def _frozen_delattr(self: Record, name: str) -> None:
    raise AttributeError(f"immutable type: {type(self).__name__!r}")


def _comparison(compare: Callable[[tuple[Any, ...], tuple[Any, ...]], bool]) -> Callable[[Record, object], Any]:
    def method(self: Record, other: object) -> Any:
        if type(other) is not type(self):
            return NotImplemented
        return compare(_values(self), _values(other))

    return method


def _rebuild(cls: type[R], values: tuple[Any, ...]) -> R:
    record = cls.__new__(cls)
    for name, value in zip(cls.__record_shape__.names, values, strict=True):
        _SET(record, name, value)
    return record


def _reduce(self: Record) -> tuple[Any, ...]:
    # Frozen records refuse setattr, which pickle's default for slotted objects uses.
    return (_rebuild, (type(self), _values(self)))


_ORDER = {
    "__lt__": _comparison(lambda left, right: left < right),
    "__le__": _comparison(lambda left, right: left <= right),
    "__gt__": _comparison(lambda left, right: left > right),
    "__ge__": _comparison(lambda left, right: left >= right),
}


_NO_SHAPE = _Shape({}, [], {}, {}, {})


@dataclass_transform(field_specifiers=(field,))
class _RecordMeta(type):
    __record_shape__: _Shape

    def __new__(
        cls,
        name: str,
        bases: tuple[type, ...],
        namespace: dict[str, Any],
        *,
        frozen: bool = False,
        eq: bool = True,
        order: bool = False,
        kw_only: bool = False,
        dict: bool = False,  # the option's name, as msgspec and attrs call it
    ) -> _RecordMeta:
        if not bases:  # Record itself
            namespace["__record_shape__"] = _Shape({}, [], {}, {}, {})
            return super().__new__(cls, name, bases, namespace)
        shape = _shape(bases, namespace, kw_only)
        inherited = {name for base in bases for name in getattr(base, "__record_shape__", _NO_SHAPE).names}
        own = tuple(name for name in shape.names if name not in inherited) if inherited else shape.names
        if dict and not any(base.__dictoffset__ for base in bases):  # no base's instances have one
            own += ("__dict__",)
        namespace["__slots__"] = own
        namespace["__record_shape__"] = shape
        namespace["__match_args__"] = shape.positional
        if "__init__" not in namespace:
            # Each class's own, so that compiling one (see _init) changes that class alone.
            namespace["__init__"] = _init
        if not eq:
            namespace.setdefault("__eq__", object.__eq__)
            namespace.setdefault("__hash__", object.__hash__)
        elif frozen:
            namespace.setdefault("__hash__", _hash)
        if order:
            for method_name, method in _ORDER.items():
                namespace.setdefault(method_name, method)
        if frozen:
            namespace["__setattr__"] = _frozen_setattr
            namespace["__delattr__"] = _frozen_delattr
        return super().__new__(cls, name, bases, namespace)


class Record(metaclass=_RecordMeta):
    """The base of value classes; see the module's documentation. The methods every record
    shares are its own, for a class to inherit rather than be given one by one."""

    __slots__ = ()
    __record_shape__: ClassVar[_Shape]
    __repr__ = _repr
    __eq__ = _eq  # and so __hash__ is None: a mutable record compared by value is unhashable
    __reduce__ = _reduce


def fields(record: Record | type[Record]) -> tuple[Field, ...]:
    return record.__record_shape__.fields


def asdict(record: Record) -> dict[str, Any]:
    """The record's fields and their values (not copied)."""
    return {name: getattr(record, name) for name in record.__record_shape__.names}


def replace(record: R, **changes: Any) -> R:
    """A record of the same class with some fields changed."""
    values = asdict(record)
    values.update(changes)
    return type(record)(**values)
