"""Fix fuzzing: generated function folders (`tests/fix_fuzz_cases.py`) are fixed with
`cflint --fix --unsafe-fixes --select ALL` and served, before and after, under Flask's test
client (`tests/fix_fuzz_harness.py`, one subprocess per batch, offline). Every fixed folder
must parse, keep its encoding, line endings and comments, give the same bytes on a second
`--fix`, leave a requirements.txt pip reads, import, and answer with the status class the
code was written for, with the same body and Content-Type as before the fix, except where a
fix's message says what it changes:

- CF403 "the call can now time out": the stubs answer at once, so nothing else may change;
- CF207 "the Content-Type changes": the body may become application/json, with the same
  JSON value;
- CF103 "drop the parameter and read Flask's request": the original is served with Flask's
  request passed for the parameter (what it was meant to be), so the answer must not change;
- CF303 "a new dependency": changes only requirements.txt;
- CF305 and CF603 (safe) repair an import that fails on the platform (`breaks_before`):
  the original must fail to import, the fixed module must import and answer.

Cases that match a known defect (`KNOWN_DEFECTS`) are checked too, but their failures are
counted and printed instead of failing the test.
"""

from __future__ import annotations

import base64
import io
import json
import os
import shutil
import subprocess
import sys
import tokenize
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.fix_fuzz_cases import Case, generate
from tests.helpers import CliResult

Cflint = Callable[..., CliResult]
HARNESS = Path(__file__).resolve().parent / "fix_fuzz_harness.py"
FIX = ("--fix", "--unsafe-fixes", "--select", "ALL", "--no-cache", "--color", "never")
SLOW_CASES = int(os.environ.get("CFLINT_FUZZ_CASES", "400"))
VERBOSE = bool(os.environ.get("CFLINT_FUZZ_VERBOSE"))  # print every failure of known-defect cases


@dataclass(frozen=True)
class KnownDefect:
    id: str
    reason: str
    matches: Callable[[Case], bool]


def _has(*features: str) -> Callable[[Case], bool]:
    return lambda case: all(feature in case.features for feature in features)


def _any(*features: str) -> Callable[[Case], bool]:
    return lambda case: any(feature in case.features for feature in features)


# Defects being fixed elsewhere; the lead empties this list once the fixes are merged.
KNOWN_DEFECTS = [
    KnownDefect("D1", "CF103 adds request to `from flask import escape`, then CF603 moves it", _has("cf103", "cf603")),
    KnownDefect(
        "D2",
        "CF011's fix deletes line breaks in CR-only files",
        lambda case: "cr" in case.features and any(f.startswith("noqa-") for f in case.features),
    ),
    KnownDefect(
        "D4", "CF303 appends an unhashed line to a --hash requirements file", _has("cf303", "requirements-hashes")
    ),
    KnownDefect(
        "D5", "CF303 appends after a last line ending in a backslash", _has("cf303", "requirements-continuation")
    ),
    KnownDefect("D6", "CF207 returns a dict with mixed key types, which Flask cannot sort", _has("return-mixed-keys")),
    KnownDefect("D7", "CF103 rebinds a parameter annotated as another type", _has("cf103-annotated")),
    KnownDefect("D8", "CF305 turns `from .logging import` into the standard library's", _has("cf305-stdlib-name")),
    KnownDefect(
        "D9", "CF403 adds timeout= where a positional argument already fills it", _has("positional-timeout-shape")
    ),
    KnownDefect("D10", "CF403 fixes a call whose malformed noqa names CF403", _has("noqa-malformed-on-call")),
    KnownDefect("D11", "CF103 drops a comment inside the parameter list", _has("cf103-comment-in-parameters")),
    KnownDefect(
        "NEW-2",
        "--fix silently skips a CR-only file with a coding cookie and non-UTF-8 bytes",
        _has("cr", "encoding-latin-1"),
    ),
]


def _status_class(status: int | None) -> str | None:
    return f"{status // 100}xx" if status is not None else None


def _comments(data: bytes, encoding: str) -> Counter[str]:
    """The file's comments, but for noqa directives (which CF010 and CF011 rewrite)."""
    found: Counter[str] = Counter()
    text = io.StringIO(data.decode(encoding), newline=None)  # tokenize's own decoding misses CR-only cookies
    for token in tokenize.generate_tokens(text.readline):
        if token.type == tokenize.COMMENT and "noqa" not in token.string:
            found[token.string] += 1
    return found


def _line_endings(data: bytes) -> set[str]:
    crlf = data.count(b"\r\n")
    return {
        ending
        for ending, count in (("\r\n", crlf), ("\n", data.count(b"\n") - crlf), ("\r", data.count(b"\r") - crlf))
        if count
    }


def _json_or_text(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return body


@dataclass
class Outcome:
    case: Case
    failures: list[str]
    changed: bool
    offered: Counter[str]


def _check(case: Case, before: Path, after: Path, again: dict[str, bytes], served: dict[str, Any]) -> list[str]:
    failures: list[str] = []
    fixed = {path.name: path.read_bytes() for path in after.iterdir()}
    for name, data in fixed.items():
        if again.get(name) != data:
            failures.append(f"not idempotent: a second --fix changed {name}")
    source = fixed["user.py"]
    original = case.files["user.py"]
    for name, data in fixed.items():
        if name.endswith(".py"):
            try:
                compile(data, name, "exec", dont_inherit=True)
            except SyntaxError as error:
                failures.append(f"{name} does not compile after the fix: {error}")
                return failures
    if original.startswith(b"\xef\xbb\xbf") != source.startswith(b"\xef\xbb\xbf"):
        failures.append("the BOM was not kept")
    if b"caf\xe9" in original and b"caf\xe9" not in source:
        failures.append("the Latin-1 text was not kept in Latin-1")
    if not _line_endings(source) <= _line_endings(original):
        failures.append(f"line endings changed: {_line_endings(original)} -> {_line_endings(source)}")
    encoding = "latin-1" if "encoding-latin-1" in case.features else "utf-8-sig"
    lost = _comments(original, encoding) - _comments(source, encoding)
    if lost:
        failures.append(f"comments lost: {sorted(lost)}")
    old, new = served[f"before/{case.name}"], served[f"after/{case.name}"]
    if new["requirements"] is not None and old["requirements"] is None:
        failures.append(f"requirements.txt broken by the fix: {new['requirements']}")
    if new["import"] != "ok":
        failures.append(f"the fixed module does not import: {new['import']}")
        return failures
    if _status_class(new.get("status")) != case.expected:
        failures.append(f"fixed: status {new.get('status')} ({new.get('error')}), expected {case.expected}")
    if case.breaks_before:
        if old["import"] == "ok":
            failures.append("the original imported, but the generator says it cannot")
        return failures
    if old["import"] != "ok" or _status_class(old.get("status")) != case.expected:
        failures.append(f"the original: {old['import']}, status {old.get('status')} ({old.get('error')})")
        return failures
    old_body, new_body = base64.b64decode(old["body"]), base64.b64decode(new["body"])
    if "CF207" in case.features:  # set by the caller when a CF207 fix was offered
        if _json_or_text(old_body) != _json_or_text(new_body):
            failures.append(f"body changed: {old_body[:200]!r} -> {new_body[:200]!r}")
    elif (old_body, old["content_type"]) != (new_body, new["content_type"]):
        failures.append(
            f"answer changed: {old['content_type']} {old_body[:200]!r} -> {new['content_type']} {new_body[:200]!r}"
        )
    return failures


def _serve(folders: list[tuple[str, Path, str]], work: Path, timeout: float) -> dict[str, Any]:
    spec = work / "spec.json"
    stubs = work / "stubs"
    stubs.mkdir(exist_ok=True)
    cases = [{"id": key, "dir": str(folder), "query": query} for key, folder, query in folders]
    spec.write_text(json.dumps({"stubs": str(stubs), "cases": cases}), encoding="utf-8")
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTHON")}
    completed = subprocess.run(
        [sys.executable, "-B", "-X", "utf8", str(HARNESS), str(spec)],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    results = [json.loads(line) for line in completed.stdout.splitlines()]
    return {result["id"]: result for result in results}


def _offered(report: str) -> dict[str, Counter[str]]:
    """Fixes the first pass offers, per case folder and code."""
    offered: dict[str, Counter[str]] = {}
    for finding in json.loads(report):
        if finding.get("fix"):
            offered.setdefault(finding["path"].split("/")[0], Counter())[finding["code"]] += 1
    return offered


def _run_batch(cases: list[Case], work: Path, cflint: Cflint) -> list[Outcome]:
    before, after = work / "before", work / "after"
    for case in cases:
        for name, data in case.files.items():
            (before / case.name).mkdir(parents=True, exist_ok=True)
            (before / case.name / name).write_bytes(data)
    shutil.copytree(before, after)
    report = cflint("--select", "ALL", "--unsafe-fixes", "--no-cache", "--output-format", "json", ".", cwd=before)
    offered = _offered(report.out)
    result = cflint(*FIX, ".", cwd=after)
    assert result.code in (0, 1), result.err
    dropped = [line for line in result.err.splitlines() if "fix dropped" in line or "stopped" in line]
    firsts = {case.name: {p.name: p.read_bytes() for p in (after / case.name).iterdir()} for case in cases}
    again_run = cflint(*FIX, ".", cwd=after)
    assert again_run.code in (0, 1), again_run.err
    seconds = {case.name: {p.name: p.read_bytes() for p in (after / case.name).iterdir()} for case in cases}
    # Serve the first pass's result (restored), then compare with the second's bytes.
    for case in cases:
        for name, data in firsts[case.name].items():
            (after / case.name / name).write_bytes(data)
    folders = [
        (f"{side}/{case.name}", work / side / case.name, case.query) for side in ("before", "after") for case in cases
    ]
    served = _serve(folders, work, timeout=30 + 2 * len(folders))
    outcomes = []
    for case in cases:
        codes = offered.get(case.name, Counter())
        checked = Case(
            case.seed,
            case.features | {"CF207"} if codes["CF207"] else case.features,
            case.files,
            case.query,
            case.expected,
            case.breaks_before,
        )
        failures = _check(checked, before / case.name, after / case.name, seconds[case.name], served)
        failures += [line for line in dropped if f"{case.name}/" in line]
        changed = firsts[case.name] != case.files
        outcomes.append(Outcome(case, failures, changed, codes))
    return outcomes


def _fuzz(seeds: range, tmp_path: Path, cflint: Cflint, batch: int) -> None:
    outcomes: list[Outcome] = []
    for start in range(0, len(seeds), batch):
        work = tmp_path / f"batch{start}"
        work.mkdir()
        outcomes += _run_batch([generate(seed) for seed in seeds[start : start + batch]], work, cflint)
    offered: Counter[str] = sum((o.offered for o in outcomes), Counter())
    hits: Counter[str] = Counter()
    failing_hits: Counter[str] = Counter()
    unexpected: list[str] = []
    known_failures: list[str] = []
    for outcome in outcomes:
        known = [defect.id for defect in KNOWN_DEFECTS if defect.matches(outcome.case)]
        hits.update(known)
        described = f"seed {outcome.case.seed}: " + "; ".join(outcome.failures)
        if outcome.failures and known:
            failing_hits.update(known)
            known_failures.append(f"[{','.join(known)}] {described}")
        elif outcome.failures:
            unexpected.append(described)
    print(
        f"\nfix fuzz: {len(outcomes)} cases, {sum(o.changed for o in outcomes)} changed by --fix, "
        f"{sum(bool(o.failures) for o in outcomes)} failing checks"
    )
    print("fixes offered (first pass) by rule: " + ", ".join(f"{c} {n}" for c, n in sorted(offered.items())))
    print(
        "known-defect cases (matched/failing): "
        + (", ".join(f"{d.id} {hits[d.id]}/{failing_hits[d.id]}" for d in KNOWN_DEFECTS) or "none")
    )
    if VERBOSE:
        print("\n".join(known_failures))
    assert not unexpected, "\n".join(unexpected[:20])
    assert sum(o.changed for o in outcomes) >= len(outcomes) // 2


def test_fix_fuzz(tmp_path: Path, cflint: Cflint) -> None:
    _fuzz(range(40), tmp_path, cflint, batch=40)


@pytest.mark.slow
def test_fix_fuzz_full_count(tmp_path: Path, cflint: Cflint) -> None:
    _fuzz(range(1000, 1000 + SLOW_CASES), tmp_path, cflint, batch=100)


def test_cf103_fix_applies_to_a_cr_only_file(tmp_path: Path, cflint: Cflint) -> None:
    """LibCST drops the last CR of a CR-only file when it generates the module's code: a fix
    that replaces the whole module (CF103's import) must not take that for an edit."""
    (tmp_path / "user.py").write_bytes(b'import os\r\r\rdef main(request):\r    return request.args.get("a", "")\r')
    (tmp_path / "requirements.txt").write_bytes(b"flask\n")
    result = cflint("--fix", "--unsafe-fixes", "--no-cache", ".")
    assert (result.code, result.err) == (0, ""), result.out + result.err
    assert (tmp_path / "user.py").read_bytes() == (
        b'import os\rfrom flask import request\r\r\rdef main():\r    return request.args.get("a", "")\r'
    )
    again = cflint("--fix", "--unsafe-fixes", "--no-cache", ".")
    assert (again.code, again.out, again.err) == (0, "Found 0 problems (0 fixed, 0 remaining).\n", ""), again.err
