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
- CF206 "send the exception's message": where the original failed with Flask's 500 page
  (an exception object as the body), the fixed function answers with the same status and
  the exception's message;
- CF804 "return (body, status, headers)": where the original sent another platform's response
  dict as JSON, the fixed function answers with that dict's status and body (`_meant`);
- CF305 and CF603 (safe) repair an import that fails on the platform (`breaks_before`):
  the original must fail to import, the fixed module must import and answer.

It also checks that `--diff`'s output, applied with `patch -p1`, gives the bytes `--fix`
wrote; that no finding keeps a fix after `--fix`; that a line whose noqa names CF403 keeps its
code; and that every fixable rule's fix is offered somewhere in the run.

A failure that a known defect (`KNOWN_DEFECTS`) explains is counted and printed instead of
failing the test (CFLINT_FUZZ_VERBOSE=1 prints each). A failing seed is reproduced with
`python -m tests.fix_fuzz_cases SEED FOLDER`. The slow test runs CFLINT_FUZZ_CASES cases
(default 300) from seed CFLINT_FUZZ_SEED (default 1000).
"""

from __future__ import annotations

import base64
import io
import json
import os
import re
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

from cflint.engine.registry import load_registry
from tests.fix_fuzz_cases import Case, generate
from tests.helpers import REPO, CliResult

Cflint = Callable[..., CliResult]
HARNESS = Path(__file__).resolve().parent / "fix_fuzz_harness.py"
FIX = ("--fix", "--unsafe-fixes", "--select", "ALL", "--no-cache", "--color", "never")
SLOW_CASES = int(os.environ.get("CFLINT_FUZZ_CASES", "300"))
FIRST_SLOW_SEED = int(os.environ.get("CFLINT_FUZZ_SEED", "1000"))
VERBOSE = bool(os.environ.get("CFLINT_FUZZ_VERBOSE"))  # print every failure of known-defect cases


@dataclass(frozen=True)
class KnownDefect:
    id: str
    reason: str
    matches: Callable[[Case], bool]
    symptoms: tuple[str, ...] = ()  # the failures it explains contain one of these (none given: any failure)

    def explains(self, case: Case, failure: str) -> bool:
        return self.matches(case) and (not self.symptoms or any(symptom in failure for symptom in self.symptoms))


def _has(*features: str) -> Callable[[Case], bool]:
    return lambda case: all(feature in case.features for feature in features)


def _any(*features: str) -> Callable[[Case], bool]:
    return lambda case: any(feature in case.features for feature in features)


BEHAVIOUR = ("fixed: status", "body changed", "answer changed")  # the fixed function answers otherwise

# Defects known and not yet fixed: a failure one of them explains is counted and printed,
# not hidden. Each entry names the defect, its reason and the failures it explains.
KNOWN_DEFECTS: list[KnownDefect] = []


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


def _meant(answer: dict[str, Any]) -> dict[str, Any]:
    """The answer a Lambda response dict sent as JSON stood for: what CF804's fix makes the
    function send. Any other answer as it is."""
    if not answer.get("content_type", "").startswith("application/json"):
        return answer
    sent = _json_or_text(base64.b64decode(answer["body"]))
    if not (isinstance(sent, dict) and set(sent) == {"statusCode", "body"} and isinstance(sent["body"], str)):
        return answer
    body = base64.b64encode(sent["body"].encode()).decode()
    return {**answer, "status": sent["statusCode"], "body": body, "content_type": "text/html; charset=utf-8"}


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


@dataclass(frozen=True)
class Fixed:
    """What the fixing runs gave for one case folder."""

    first: dict[str, bytes]  # the folder after `--fix`
    second: dict[str, bytes]  # after a second `--fix`
    diffed: dict[str, bytes]  # the original with `--diff`'s output applied by `patch -p1`
    notes: list[str]  # stderr lines about the folder (dropped fixes, passes stopped)
    unapplied: list[str]  # findings with a fix still offered after the second `--fix`


def _lines(data: bytes, encoding: str) -> list[tuple[str, str]]:
    """Each line's code and comment (the generated code has no '#' inside strings)."""
    text = data.decode(encoding).replace("\r\n", "\n").replace("\r", "\n")
    return [(code.rstrip(), comment) for code, _, comment in (line.partition("#") for line in text.split("\n"))]


def _code_of_lines_naming_cf403(data: bytes, encoding: str) -> list[str]:
    """The code of lines with a noqa that names CF403, malformed or not: the user's intent to
    keep the call as it is."""
    return [code for code, comment in _lines(data, encoding) if code and "noqa" in comment and "CF403" in comment]


def _check_text(case: Case, fixed: Fixed) -> list[str]:
    """The fixed folder's files: stable, compiling, in their encoding, line endings and comments."""
    failures = [f"{note}" for note in fixed.notes] + [f"fix offered but not applied: {f}" for f in fixed.unapplied]
    for name, data in fixed.first.items():
        if fixed.second.get(name) != data:
            failures.append(f"not idempotent: a second --fix changed {name}")
        if fixed.diffed.get(name) != data:
            failures.append(f"--diff applied with patch -p1 does not give the bytes --fix wrote: {name}")
        if name.endswith(".py"):
            try:
                compile(data, name, "exec", dont_inherit=True)
            except SyntaxError as error:
                failures.append(f"{name} does not compile after the fix: {error}")
                return failures
    source, original = fixed.first["user.py"], case.files["user.py"]
    if original.startswith(b"\xef\xbb\xbf") != source.startswith(b"\xef\xbb\xbf"):
        failures.append("the BOM was not kept")
    if b"caf\xe9" in original and b"caf\xe9" not in source:
        failures.append("the Latin-1 text was not kept in its encoding")
    if not _line_endings(source) <= _line_endings(original):
        failures.append(f"line endings changed: {_line_endings(original)} -> {_line_endings(source)}")
    encoding = next((e for e in ("latin-1", "cp1252") if f"encoding-{e}" in case.features), "utf-8-sig")
    lost = _comments(original, encoding) - _comments(source, encoding)
    if lost:
        failures.append(f"comments lost: {sorted(lost)}")
    kept = {code for code, _ in _lines(source, encoding)}
    for code in _code_of_lines_naming_cf403(original, encoding):
        if code not in kept:
            failures.append(f"a line whose noqa names CF403 was changed: {code.strip()!r}")
    return failures


def _check_served(
    case: Case,
    old: dict[str, Any],
    new: dict[str, Any],
    cf207_fixed: bool,
    cf804_fixed: bool = False,
    cf206_fixed: bool = False,
) -> list[str]:
    """The fixed function against the original, under Flask's test client."""
    failures = []
    if cf804_fixed:
        old = _meant(old)
    if new["requirements"] is not None and old["requirements"] is None:
        failures.append(f"requirements.txt broken by the fix: {new['requirements']}")
    if case.breaks_after:
        if new["import"] != old["import"] or old["import"] == "ok":
            failures.append(f"no fix can make it import, yet: {old['import']} -> {new['import']}")
        return failures
    if new["import"] != "ok":
        return [*failures, f"the fixed module does not import: {new['import']}"]
    if _status_class(new.get("status")) != case.expected:
        failures.append(f"fixed: status {new.get('status')} ({new.get('error')}), expected {case.expected}")
    if case.breaks_before:
        if old["import"] == "ok":
            failures.append("the original imported, but the generator says it cannot")
        return failures
    if old["import"] != "ok" or _status_class(old.get("status")) != case.expected:
        return [*failures, f"the original: {old['import']}, status {old.get('status')} ({old.get('error')})"]
    old_body, new_body = base64.b64decode(old["body"]), base64.b64decode(new["body"])
    if cf206_fixed and old["status"] == 500 and b"Internal Server Error" in old_body:
        if new["status"] != 500 or b"boom" not in new_body:  # the message of the generator's exception
            failures.append(f"the exception's message is not sent: {new['status']} {new_body[:200]!r}")
    elif cf207_fixed:  # the Content-Type may change; the JSON value may not
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


def _diff_applied(tree: Path) -> None:
    """Apply `cflint --diff --unsafe-fixes` to `tree` with `patch -p1`, one case folder at a time
    (a diff that patch cannot read must not stop the other folders' diffs). The diff is read as
    bytes: each file's part is in that file's encoding."""
    completed = subprocess.run(
        [sys.executable, "-m", "cflint", "--diff", *FIX[1:], "."],
        cwd=tree,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        timeout=600,
    )
    assert completed.returncode in (0, 1), completed.stderr.decode(errors="replace")
    chunks: dict[bytes, list[bytes]] = {}
    for chunk in re.split(rb"(?=--- a/case\d+/)", completed.stdout):
        match = re.match(rb"--- a/(case\d+)/", chunk)
        if match:
            chunks.setdefault(match.group(1), []).append(chunk)
    for parts in chunks.values():
        subprocess.run(
            ["patch", "-p1", "-s", "-f", "--no-backup-if-mismatch", "-r", "-"],
            cwd=tree,
            input=b"".join(parts),
            capture_output=True,
            timeout=60,
        )


def _files(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in folder.iterdir() if path.is_file()}


def _run_batch(cases: list[Case], work: Path, cflint: Cflint) -> tuple[list[Outcome], int]:
    """The outcome of every case, and how many fixes the first `--fix` applied."""
    before, after, diffed = work / "before", work / "after", work / "diffed"
    for case in cases:
        for name, data in case.files.items():
            (before / case.name).mkdir(parents=True, exist_ok=True)
            (before / case.name / name).write_bytes(data)
    shutil.copytree(before, after)
    shutil.copytree(before, diffed)
    report = cflint("--select", "ALL", "--unsafe-fixes", "--no-cache", "--output-format", "json", ".", cwd=before)
    offered = _offered(report.out)
    result = cflint(*FIX, ".", cwd=after)
    assert result.code in (0, 1), result.err
    summary = re.fullmatch(r"Found \d+ problems? \((\d+) fixed, \d+ remaining\)\.", result.lines[-1])
    assert summary, result.lines[-1]
    firsts = {case.name: _files(after / case.name) for case in cases}
    again = cflint(*FIX, ".", cwd=after)
    assert again.code in (0, 1), again.err
    _diff_applied(diffed)
    fixed = {
        case.name: Fixed(
            firsts[case.name],
            _files(after / case.name),
            _files(diffed / case.name),
            [line for line in result.err.splitlines() if f"{case.name}/" in line],
            [line for line in again.lines if line.startswith(f"{case.name}/") and "fix: --" in line],
        )
        for case in cases
    }
    for case in cases:  # serve the first pass's result
        for name, data in firsts[case.name].items():
            (after / case.name / name).write_bytes(data)
    folders = [
        (f"{side}/{case.name}", work / side / case.name, case.query) for side in ("before", "after") for case in cases
    ]
    served = _serve(folders, work, timeout=30 + 2 * len(folders))
    outcomes = []
    for case in cases:
        codes = offered.get(case.name, Counter())
        old, new = served[f"before/{case.name}"], served[f"after/{case.name}"]
        failures = _check_text(case, fixed[case.name]) + _check_served(
            case, old, new, codes["CF207"] > 0, codes["CF804"] > 0, codes["CF206"] > 0
        )
        outcomes.append(Outcome(case, failures, firsts[case.name] != case.files, codes))
    return outcomes, int(summary.group(1))


def _fuzz(seeds: range, tmp_path: Path, cflint: Cflint, batch: int) -> None:
    outcomes: list[Outcome] = []
    applied = 0
    for start in range(0, len(seeds), batch):
        work = tmp_path / f"batch{start}"
        work.mkdir()
        found, count = _run_batch([generate(seed) for seed in seeds[start : start + batch]], work, cflint)
        outcomes += found
        applied += count
    offered: Counter[str] = sum((o.offered for o in outcomes), Counter())
    hits: Counter[str] = Counter()
    failing_hits: Counter[str] = Counter()
    unexpected: list[str] = []
    known_failures: list[str] = []
    for outcome in outcomes:
        case = outcome.case
        hits.update(defect.id for defect in KNOWN_DEFECTS if defect.matches(case))
        explained = {defect.id for defect in KNOWN_DEFECTS for f in outcome.failures if defect.explains(case, f)}
        failing_hits.update(explained)
        described = f"seed {case.seed}: " + "; ".join(outcome.failures)
        if any(not any(defect.explains(case, f) for defect in KNOWN_DEFECTS) for f in outcome.failures):
            unexpected.append(described)
        elif outcome.failures:
            known_failures.append(f"[{','.join(sorted(explained))}] {described}")
    print(
        f"\nfix fuzz: {len(outcomes)} cases, {applied} fixes applied, {sum(o.changed for o in outcomes)} cases "
        f"changed by --fix, {sum(bool(o.failures) for o in outcomes)} with failing checks"
    )
    print("fixes offered (first pass) by rule: " + ", ".join(f"{c} {n}" for c, n in sorted(offered.items())))
    print(
        "known-defect cases (matched / with failures it explains): "
        + (", ".join(f"{d.id} {hits[d.id]}/{failing_hits[d.id]}" for d in KNOWN_DEFECTS) or "none")
    )
    if VERBOSE:
        print("\n".join(known_failures))
    assert not unexpected, "\n".join(unexpected[:20])
    assert sum(o.changed for o in outcomes) >= len(outcomes) // 2
    fixable = {meta.code for meta in load_registry().rules if meta.fix is not None}
    assert fixable <= set(offered), f"the generator never gives a fix of {sorted(fixable - set(offered))}"


def test_fix_fuzz(tmp_path: Path, cflint: Cflint) -> None:
    _fuzz(range(40), tmp_path, cflint, batch=40)


@pytest.mark.slow
def test_fix_fuzz_full_count(tmp_path: Path, cflint: Cflint) -> None:
    _fuzz(range(FIRST_SLOW_SEED, FIRST_SLOW_SEED + SLOW_CASES), tmp_path, cflint, batch=100)


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


def test_the_checks_catch_what_a_bad_fix_does() -> None:
    """The checks fail on a fix that is not stable, loses a comment, drops a noqa's intent,
    changes the answer or breaks requirements.txt."""
    case = Case(
        1, frozenset({"lf", "encoding-utf-8"}), {"user.py": b"x = 1  # keep\nrun()  # noqa CF403\n"}, "", "2xx", False
    )
    good = {"user.py": b"x = 1  # keep\nrun()  # noqa: CF403\n"}
    assert _check_text(case, Fixed(good, good, good, [], [])) == []
    bad = {"user.py": b"x = 1\nrun(timeout=10)\n"}
    failures = _check_text(case, Fixed(bad, good, bad, ["cflint: case00001/user.py: fix dropped"], []))
    assert [f.split(":")[0] for f in failures] == [
        "cflint",
        "not idempotent",
        "comments lost",
        "a line whose noqa names CF403 was changed",
    ]
    ok = {"import": "ok", "status": 200, "content_type": "text/html", "body": "eyJhIjogMX0=", "requirements": None}
    assert _check_served(case, ok, ok, cf207_fixed=False) == []
    as_json = {**ok, "content_type": "application/json", "body": "eyJhIjoxfQ=="}
    assert _check_served(case, ok, as_json, cf207_fixed=True) == []
    assert _check_served(case, ok, as_json, cf207_fixed=False)[0].startswith("answer changed")
    broken = {**ok, "status": 500, "requirements": "InstallationError: Invalid requirement"}
    assert [f.split(":")[0] for f in _check_served(case, ok, broken, cf207_fixed=False)] == [
        "requirements.txt broken by the fix",
        "fixed",
    ]
