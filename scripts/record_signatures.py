"""Print the signatures of CF403's callees as this interpreter sees them (inspect), in the
notation of `cflint/knowledge/data/timeouts.toml`'s `[[signature]]` entries.

Run it with each target Python (3.11, 3.12, 3.13) and with the third-party packages
installed (requests, redis, google-auth) to record or check the data file:

    python3.12 scripts/record_signatures.py smtplib.LMTP requests.Session().get
    python3.12 scripts/record_signatures.py --json CALLEE...   # {callee: signature text}

Without callees, those of the data file (which needs cflint importable). A callee that
cannot be imported here is left out.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import json
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

# Instances made by a factory function or returned by a method, rather than made by calling their class.
_FACTORY_CLASSES = {
    "urllib.request.build_opener": "urllib.request.OpenerDirector",
    "google.cloud.pubsub_v1.PublisherClient().publish": "google.cloud.pubsub_v1.publisher.futures.Future",
    "google.cloud.pubsub.PublisherClient().publish": "google.cloud.pubsub_v1.publisher.futures.Future",
    "google.cloud.bigquery.Client().query": "google.cloud.bigquery.job.QueryJob",
    "google.cloud.bigquery.client.Client().query": "google.cloud.bigquery.job.QueryJob",
}


def _lookup(dotted: str) -> object:
    """The object at `dotted` (`package.module.Class.attribute`): the longest importable
    module prefix, then attributes."""
    parts = dotted.split(".")
    for split in range(len(parts), 0, -1):
        try:
            found: object = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for name in parts[split:]:
            if not hasattr(found, name):
                raise ImportError(dotted)  # a namespace package (google) without the module
            found = getattr(found, name)
        return found
    raise ImportError(dotted)


def real_callable(callee: str) -> tuple[Callable[..., object], bool]:
    """The function or class a callee path names, and whether it is a method called on an
    instance (`requests.Session().get`: the first parameter, self, is bound by the call)."""
    made, instance, method = callee.rpartition("().")
    if not instance:
        found = _lookup(callee)
        assert callable(found), callee
        return found, False
    cls = _lookup(_FACTORY_CLASSES.get(made, made))
    found = getattr(cls, method)
    assert callable(found), callee
    return found, True


def signature_text(callee: str) -> str:
    """The parameters of `callee` as Python writes them, without defaults and annotations
    (`host, port, *, timeout`); an instance method's `self` left out."""
    function, bound = real_callable(callee)
    parameters = list(inspect.signature(function).parameters.values())
    if bound:
        parameters = parameters[1:]
    words: list[str] = []
    kinds = inspect.Parameter
    for index, parameter in enumerate(parameters):
        before = parameters[index - 1].kind if index else None
        if before == kinds.POSITIONAL_ONLY and parameter.kind != kinds.POSITIONAL_ONLY:
            words.append("/")
        if parameter.kind == kinds.KEYWORD_ONLY and before not in (kinds.KEYWORD_ONLY, kinds.VAR_POSITIONAL):
            words.append("*")
        prefix = "*" if parameter.kind == kinds.VAR_POSITIONAL else "**" if parameter.kind == kinds.VAR_KEYWORD else ""
        words.append(prefix + parameter.name)
    if parameters and parameters[-1].kind == kinds.POSITIONAL_ONLY:
        words.append("/")
    return ", ".join(words)


def signatures(callees: Iterable[str]) -> dict[str, str]:
    """The signature text of each callee importable here."""
    found = {}
    for callee in callees:
        try:
            found[callee] = signature_text(callee)
        except ImportError:
            continue
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("callees", nargs="*", help="callee paths as the data file writes them")
    arguments = parser.parse_args(argv)
    callees = arguments.callees
    if not callees:
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
        from cflint.knowledge.timeouts import NEEDS_TIMEOUT

        callees = sorted(NEEDS_TIMEOUT)
    found = signatures(callees)
    if arguments.json:
        print(json.dumps(found, sort_keys=True))
    else:
        for callee, text in found.items():
            print(f"{callee}: {text}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
