"""Calls that can wait without limit unless given a timeout (data in `data/timeouts.toml`)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from msgspec import Struct

from cflint.knowledge.data_files import DATA_DIR, read_data_file


class TimeoutSpec(Struct, frozen=True):
    """How a call takes its timeout: by `keyword`, at `position` if also positional; no
    keyword means the call has no timeout at all."""

    keyword: str | None
    position: int | None = None
    socket_default: bool = False
    instead: str | None = None

    @property
    def advice(self) -> str:
        return self.instead or f"pass {self.keyword}= in seconds"


def _spec(raw: Mapping[str, Any]) -> TimeoutSpec:
    return TimeoutSpec(raw.get("keyword"), raw.get("position"), bool(raw.get("socket-default")), raw.get("instead"))


def load_timeouts(path: Path = DATA_DIR / "timeouts.toml") -> Mapping[str, TimeoutSpec]:
    data = read_data_file(path)
    specs: dict[str, TimeoutSpec] = {}
    for entry in data["call"]:
        for callee in entry["callees"]:
            specs[callee] = _spec(entry)
    verb_spec = specs["requests.get"]
    for session in data["session-classes"]:
        for verb in data["session-verbs"]:
            specs.setdefault(f"{session}().{verb}", verb_spec)
    return MappingProxyType(specs)


NEEDS_TIMEOUT = load_timeouts()
