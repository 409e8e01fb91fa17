"""The shipped problem matchers parse real cflint output of every rule code."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cflint.engine.registry import load_registry
from cflint.output.default import format_line
from cflint.output.matchers import matcher_text
from cflint.rules.engine.cf003_internal_error import InternalErrorRule
from cflint.rules.imports.cf307_unresolvable_requirements import UnresolvableRequirements
from tests.helpers import REPO, RULE_PAGES, CliResult, fix_note, parse_page, write_example, write_files

REGISTRY = load_registry()
GROUPS = ("file", "line", "column", "code", "message")
# A finding no input can produce on purpose: its line is made with the default reporter's own formatter.
# CF307 needs --resolve and a package index (tests/test_resolve.py builds one); its line is made the same way.
CRAFTED = {
    "CF003": InternalErrorRule.finding("pkg/user.py", where="rule CF103", detail="KeyError('x: y')"),
    "CF307": UnresolvableRequirements.finding(
        "fn/requirements.txt",
        subject="psycopg2-binary==2.9.2 cannot be installed",
        versions="3.12, 3.13",
        reason="no matching distribution found for psycopg2-binary==2.9.2 (versions with a wheel for it: 2.9.9)",
    ),
}


def _patterns() -> dict[str, dict[str, Any]]:
    github = json.loads(matcher_text("github"))["problemMatcher"]
    vscode = json.loads(matcher_text("vscode"))["tasks"][0]["problemMatcher"]
    assert len(github) == 1 and len(github[0]["pattern"]) == 1
    return {"github": github[0]["pattern"][0], "vscode": vscode["pattern"]}


PATTERNS = _patterns()


def _real_findings(code: str, folder: Path, cflint: Callable[..., CliResult]) -> tuple[list[str], list[dict[str, Any]]]:
    """Default-format lines and JSON findings of one run that reports `code`."""
    target = "."
    if code == "CF002":
        write_files(folder, {"user.py": b"def main():\n    return '\xff'\n"})
    elif code == "CF508":
        write_files(folder, {"user.py": "def main():\n    return 'x'\n", "requirements.txt": ""})
        (folder / "hosts.txt").symlink_to("/etc/passwd")
    else:
        target = write_example(folder, parse_page(RULE_PAGES / f"{code}.md").blocks("Example"))
    args = ("--select", code, "--extend-select", code, target)
    lines = cflint("--color", "never", *args, cwd=folder).lines
    findings = json.loads(cflint("--format", "json", *args, cwd=folder).out)
    return lines, findings


def _groups(pattern: dict[str, Any], line: str) -> dict[str, str] | None:
    match = re.search(pattern["regexp"], line)
    return None if match is None else {name: match.group(pattern[name]) for name in GROUPS}


def _expected(finding: dict[str, Any]) -> dict[str, str]:
    return {
        "file": finding["path"],
        "line": str(finding["start"]["line"]),
        "column": str(finding["start"]["column"]),
        "code": finding["code"],
        "message": finding["message"] + fix_note(finding),
    }


@pytest.mark.parametrize("kind", sorted(PATTERNS))
@pytest.mark.parametrize("code", sorted(REGISTRY.codes))
def test_matcher_reads_every_code(kind: str, code: str, tmp_path: Path, cflint: Callable[..., CliResult]) -> None:
    pattern = PATTERNS[kind]
    if code in CRAFTED:
        finding = CRAFTED[code]
        assert _groups(pattern, format_line(finding)) == {
            "file": finding.path,
            "line": "1",
            "column": "1",
            "code": code,
            "message": finding.message,
        }
        return
    lines, findings = _real_findings(code, tmp_path, cflint)
    assert code in {finding["code"] for finding in findings}, f"no real {code} finding from its page's example"
    assert [_groups(pattern, line) for line in lines] == [_expected(finding) for finding in findings]


@pytest.mark.parametrize("kind", sorted(PATTERNS))
def test_matcher_reads_odd_paths_and_ignores_other_lines(
    kind: str, tmp_path: Path, cflint: Callable[..., CliResult]
) -> None:
    pattern = PATTERNS[kind]
    write_files(
        tmp_path,
        {
            "a dir/odd: 1:2, x.py": "def f(:\n",
            "a dir/user.py": "def main(req):\n    return ''\n",
            "a dir/requirements.txt": "",
        },
    )
    result = cflint("--color", "never", ".", cwd=tmp_path)
    findings = json.loads(cflint("--format", "json", ".", cwd=tmp_path).out)
    assert len(findings) == 2
    assert [_groups(pattern, line) for line in result.lines] == [_expected(finding) for finding in findings]
    summary = cflint("--color", "always", ".", cwd=tmp_path).lines[-1]
    assert "Found 2 problems" in summary and _groups(pattern, summary) is None
    assert _groups(pattern, "All checks passed!") is None


@pytest.mark.parametrize("kind", sorted(PATTERNS))
def test_javascript_reads_the_regexp_as_python_does(
    kind: str, tmp_path: Path, cflint: Callable[..., CliResult]
) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the regexp was checked with Python's re only")
    pattern = PATTERNS[kind]
    write_files(tmp_path, {"a dir/odd: 1:2, x.py": "def f(:\n", "user.py": "def main(req):\n    return '\\u00e9'\n"})
    lines = [*cflint("--color", "never", ".", cwd=tmp_path).lines, "All checks passed!"]
    script = (
        "const {regexp, lines} = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
        "const re = new RegExp(regexp);"
        "console.log(JSON.stringify(lines.map(l => { const m = re.exec(l); return m ? Array.from(m) : null; })));"
    )
    completed = subprocess.run(
        [node, "-e", script],
        input=json.dumps({"regexp": pattern["regexp"], "lines": lines}),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    python = [
        None if m is None else [m.group(0), *m.groups()] for m in map(re.compile(pattern["regexp"]).search, lines)
    ]
    assert json.loads(completed.stdout) == python
    assert python[-1] is None and all(python[:-1])


@pytest.mark.parametrize("kind", ["github", "vscode"])
def test_problem_matcher_flag_prints_the_shipped_file(kind: str, cflint: Callable[..., CliResult]) -> None:
    result = cflint("--problem-matcher", kind)
    assert (result.code, result.out) == (0, matcher_text(kind))
    document = json.loads(result.out)
    if kind == "github":
        assert document["problemMatcher"][0]["owner"] == "cflint"
    else:
        task = document["tasks"][0]
        assert document["version"] == "2.0.0" and task["command"] == "cflint"
        assert task["problemMatcher"]["fileLocation"][0] == "autoDetect"


def test_unknown_problem_matcher_is_a_usage_error(cflint: Callable[..., CliResult]) -> None:
    result = cflint("--problem-matcher", "emacs")
    assert result.code == 2 and "invalid choice: 'emacs'" in result.err


def test_docs_show_the_shipped_vscode_task() -> None:
    editors_page = (REPO / "docs" / "integrations" / "editors.md").read_text(encoding="utf-8")
    assert f"```json\n{matcher_text('vscode')}```\n" in editors_page
