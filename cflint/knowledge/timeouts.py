"""Calls that can wait without limit unless given a timeout, and the signatures of those
calls on each Python version (data in `data/timeouts.toml`)."""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any

from cflint.knowledge.data_files import DATA_DIR, made_on_first_read, read_data_file
from cflint.record import Record

TIMEOUTS_FILE = DATA_DIR / "timeouts.toml"


class TimeoutSpec(Record, frozen=True):
    """How a call takes its timeout: by the parameter `keyword`, in seconds or, when
    `milliseconds`, in thousandths of one; no keyword means the call has no timeout at all.
    `default` is the documented timeout, in seconds, of a call given none (None: it waits
    without limit). `bounded_by` are other keywords that bound the wait as well, `timeouts`
    the other parameters that take a timeout in the same unit (CF404 compares them with
    the time limit), `url` the parameter holding a connection string that can carry the
    timeout too, and `any_case` says the callee reads keywords whatever their case.
    `waits_later`: the call only makes a client, which waits when it is used (a redis
    client, an HTTPConnection), not when it is made."""

    keyword: str | None
    socket_default: bool = False
    instead: str | None = None
    milliseconds: bool = False
    default: int | float | None = None
    bounded_by: tuple[str, ...] = ()
    timeouts: tuple[str, ...] = ()
    url: str | None = None
    any_case: bool = False
    waits_later: bool = False

    def names(self, keyword: str, among: tuple[str, ...]) -> bool:
        """Whether a call's `keyword=` is one of the parameters `among`."""
        if self.any_case:
            return keyword.lower() in {name.lower() for name in among}
        return keyword in among

    @property
    def advice(self) -> str:
        unit = "milliseconds" if self.milliseconds else "seconds"
        return self.instead or f"pass {self.keyword}= in {unit}"

    def seconds(self, value: int | float) -> int | float:
        """A value given to the timeout parameter, in seconds."""
        return value / 1000 if self.milliseconds else value

    def argument(self, seconds: int | float) -> int | float:
        """The value to give the timeout parameter for `seconds`."""
        return round(seconds * 1000) if self.milliseconds else seconds


class Kind(enum.Enum):
    POSITIONAL_ONLY = "positional-only"
    POSITIONAL_OR_KEYWORD = "positional-or-keyword"
    VAR_POSITIONAL = "*args"
    KEYWORD_ONLY = "keyword-only"
    VAR_KEYWORD = "**kwargs"


class Parameter(Record, frozen=True):
    name: str
    kind: Kind


class Signature(Record, frozen=True):
    """A callee's parameters as `inspect.signature` gives them, without defaults (an
    instance method's `self` left out)."""

    parameters: tuple[Parameter, ...]

    @classmethod
    def parse(cls, text: str) -> Signature:
        """Read the notation of the data file: `host, port, /, *args, timeout, **kwargs`
        (a `/` ends the positional-only ones, a bare `*` starts the keyword-only ones)."""
        words = [word.strip() for word in text.split(",") if word.strip()]
        positional_only = words.index("/") if "/" in words else 0
        parameters: list[Parameter] = []
        keyword_only = False
        for index, word in enumerate(words):
            if word == "/":
                continue
            if word == "*":
                keyword_only = True
            elif word.startswith("**"):
                parameters.append(Parameter(word[2:], Kind.VAR_KEYWORD))
            elif word.startswith("*"):
                parameters.append(Parameter(word[1:], Kind.VAR_POSITIONAL))
                keyword_only = True
            elif keyword_only:
                parameters.append(Parameter(word, Kind.KEYWORD_ONLY))
            elif index < positional_only:
                parameters.append(Parameter(word, Kind.POSITIONAL_ONLY))
            else:
                parameters.append(Parameter(word, Kind.POSITIONAL_OR_KEYWORD))
        return cls(tuple(parameters))

    def bind(self, arguments: Sequence[str | None]) -> dict[str, int] | None:
        """The index of the argument each parameter gets, by parameter name (a name that a
        `**kwargs` takes too): `arguments` are the call's keyword names in order, None for a
        positional one. None when the call cannot bind (TypeError at run time): too many
        positional arguments, a keyword the callee does not take, or a parameter given twice.
        A missing required argument is not checked: the call fails whatever its timeout."""
        positional = [p for p in self.parameters if p.kind in (Kind.POSITIONAL_ONLY, Kind.POSITIONAL_OR_KEYWORD)]
        by_keyword = {p.name: p for p in self.parameters if p.kind in (Kind.POSITIONAL_OR_KEYWORD, Kind.KEYWORD_ONLY)}
        takes_any_keyword = any(p.kind is Kind.VAR_KEYWORD for p in self.parameters)
        takes_more_positional = any(p.kind is Kind.VAR_POSITIONAL for p in self.parameters)
        bound: dict[str, int] = {}
        given = 0
        for index, keyword in enumerate(arguments):
            if keyword is None:
                if given < len(positional):
                    bound[positional[given].name] = index
                elif not takes_more_positional:
                    return None
                given += 1
            elif keyword in by_keyword and keyword in bound:
                return None  # given by position and by keyword
            elif keyword in by_keyword or takes_any_keyword:
                bound[keyword] = index  # a positional-only name given by keyword goes to **kwargs
            else:
                return None
        return bound

    def takes_keyword(self, name: str) -> bool:
        """Whether `name=` is a keyword argument this callee accepts."""
        return any(
            (p.name == name and p.kind in (Kind.POSITIONAL_OR_KEYWORD, Kind.KEYWORD_ONLY)) or p.kind is Kind.VAR_KEYWORD
            for p in self.parameters
        )


class VersionedSignature(Record, frozen=True):
    """A callee's signatures, each from the Python version that introduced it, in the data
    file's notation: a signature is read when a call to its callee is checked, not for every
    callee of the table at import."""

    since: tuple[tuple[tuple[int, int], str], ...]  # by version, oldest first
    recorded_from: str | None = None  # the third-party release they were read from

    def on(self, version: tuple[int, int]) -> Signature:
        """The signature on `version`: that of the newest version not after it (the oldest
        recorded for an older one)."""
        found = self.since[0][1]
        for since, signature in self.since:
            if since <= version:
                found = signature
        return Signature.parse(found)


class TimeoutTable(Record, frozen=True):
    specs: Mapping[str, TimeoutSpec]
    signatures: Mapping[str, VersionedSignature]


def _spec(raw: Mapping[str, Any]) -> TimeoutSpec:
    return TimeoutSpec(
        raw.get("keyword"),
        bool(raw.get("socket-default")),
        raw.get("instead"),
        raw.get("unit") == "ms",
        raw.get("default"),
        tuple(raw.get("bounded-by", ())),
        tuple(raw.get("timeouts", ())),
        raw.get("url"),
        bool(raw.get("any-case")),
        bool(raw.get("waits-later")),
    )


def _version(text: str) -> tuple[int, int]:
    major, minor = text.split(".")
    return int(major), int(minor)


def _versioned(raw: Mapping[str, Any]) -> VersionedSignature:
    since = sorted((_version(key), value) for key, value in raw.items() if key[:1].isdigit())
    return VersionedSignature(tuple(since), raw.get("from"))


def _callee_entries(data: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Each callee of the data file's `call` entries with its entry, and each verb of a session
    class (`requests.Session().get`) with the entry of the class's request(), which the verbs
    call, unless an entry of its own names it."""
    named: set[str] = set()
    for entry in data["call"]:
        for callee in entry["callees"]:
            named.add(callee)
            yield callee, entry
    by_callee = {callee: entry for entry in data["call"] for callee in entry["callees"]}
    for session in data["session-classes"]:
        for verb in data["session-verbs"]:
            if f"{session}().{verb}" not in named:
                yield f"{session}().{verb}", by_callee[f"{session}().request"]


def load_table(path: Path = TIMEOUTS_FILE) -> TimeoutTable:
    data = read_data_file(path)
    specs = {callee: _spec(entry) for callee, entry in _callee_entries(data)}
    signatures = {callee: _versioned(entry) for entry in data.get("signature", ()) for callee in entry["callees"]}
    return TimeoutTable(MappingProxyType(specs), MappingProxyType(signatures))


def display_callee(path: str) -> str:
    """A callee's origin as messages name it: `requests.Session.get`, not `requests.Session().get`."""
    return (
        path.replace("requests.Session().", "requests.Session.")
        .replace("AuthorizedSession().", "AuthorizedSession.")
        .replace("Popen().", "Popen.")
        .replace("build_opener().", "OpenerDirector.")
    )


# Every callee the table knows, and their last names (`get`, `urlopen`, `Popen`): read from the
# data without making its entries, which are made when a module's `NEEDS_TIMEOUT` or
# `SIGNATURES` is first read: most files call nothing the table lists.
CALLEES = frozenset(callee for callee, _ in _callee_entries(read_data_file(TIMEOUTS_FILE)))
CALLEE_NAMES = frozenset(callee.rpartition(".")[2].removesuffix("()") for callee in CALLEES)
NEEDS_TIMEOUT: Mapping[str, TimeoutSpec]  # by callee, such as `requests.get`
SIGNATURES: Mapping[str, VersionedSignature]  # by callee


def _tables() -> dict[str, object]:
    table = load_table()
    return {"NEEDS_TIMEOUT": table.specs, "SIGNATURES": table.signatures}


__getattr__ = made_on_first_read(globals(), frozenset({"NEEDS_TIMEOUT", "SIGNATURES"}), _tables)
