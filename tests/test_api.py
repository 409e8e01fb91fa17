"""The lint API (`cflint.api`) against the command line: `cflint --stdin-filename PATH -` is
`lint_source` on the file's text, the function root's findings included. By default the API
leaves out the package rules (CF5xx, on a folder's contents, not a file) and excludes a path
the config excludes; the command line asks for the package rules, and excludes only with
--force-exclude."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cflint.api import Linter, LintOptions, LintResult, lint_source
from cflint.engine.registry import load_registry
from cflint.model import LintCancelled
from cflint.output.json_format import JsonReporter
from tests.helpers import (
    GUIDE_EXAMPLES,
    GUIDE_FIXTURES,
    REPO,
    CliResult,
    guide_function,
    write_files,
)

REGISTRY = load_registry()
ALL = {"select": ["ALL"]}
Cflint = Callable[..., CliResult]


def _cli(cli: Cflint, path: Path, cwd: Path, *flags: str) -> list[dict[str, Any]]:
    """The JSON findings of `cflint --stdin-filename PATH -` fed the file's text, without CF5xx."""
    text = path.read_text(encoding="utf-8")
    args = ("--select", "ALL", "--output-format", "json", *flags, "--stdin-filename", str(path.relative_to(cwd)), "-")
    result = cli(*args, cwd=cwd, stdin=text)
    assert result.code in (0, 1), result.err
    findings: list[dict[str, Any]] = json.loads(result.out)
    return [finding for finding in findings if not finding["code"].startswith("CF5")]


@pytest.fixture
def cli(cflint: Cflint, monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> Cflint:
    """The command line in-process, each run with a result cache of its own (as a separate
    process would be run): a run never answers from what another run of the test cached."""

    def run(*args: str, cwd: Path, stdin: str | None = None) -> CliResult:
        monkeypatch.setenv("CFLINT_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
        return cflint(*args, cwd=cwd, stdin=stdin)

    return run


def _api(result: LintResult) -> list[dict[str, Any]]:
    reporter = JsonReporter(REGISTRY)
    return [reporter.as_object(finding) for finding in result.all_findings]


@pytest.mark.parametrize("example", GUIDE_EXAMPLES)
def test_api_agrees_with_the_cli_on_the_guide_examples(tmp_path: Path, example: str, cli: Cflint) -> None:
    folder = guide_function(tmp_path / "fn", example)
    path = folder / ("handlers.py" if example == "handlers" else "user.py")
    result = lint_source(path, path.read_text(encoding="utf-8"), options=LintOptions(overrides=ALL, cwd=tmp_path))
    assert _api(result) == _cli(cli, path, tmp_path)


def test_api_agrees_with_the_cli_on_the_fixtures(cli: Cflint) -> None:
    linter = Linter(LintOptions(overrides=ALL, cwd=REPO), REGISTRY)
    checked = 0
    for path in sorted(GUIDE_FIXTURES.glob("*.py")):
        result = linter.lint_source(path, path.read_text(encoding="utf-8"))
        assert _api(result) == _cli(cli, path, REPO), path.name
        checked += bool(result.findings or result.root_findings)
    assert checked  # the fixtures do have findings to agree on


def _excluded_module(tmp_path: Path) -> Path:
    """A module of a function folder that its config excludes, with findings of its own."""
    folder = write_files(
        tmp_path / "fn",
        {
            "user.py": "def main():\n    return 'ok'\n",
            "generated.py": "import numpy\n",
            "requirements.txt": "numpy\n",
            "cflint.toml": 'extend-exclude = ["generated.py"]\n',
        },
    )
    return folder / "generated.py"


def test_an_excluded_path_gives_no_findings_as_with_force_exclude(tmp_path: Path, cli: Cflint) -> None:
    path = _excluded_module(tmp_path)
    result = lint_source(path, path.read_text(encoding="utf-8"), options=LintOptions(overrides=ALL, cwd=tmp_path))
    assert result.excluded
    assert result.all_findings == [] and result.root is None
    assert _cli(cli, path, tmp_path, "--force-exclude") == []
    assert _cli(cli, path, tmp_path) != []  # named without --force-exclude, the CLI lints it: the API does not


def test_root_findings_come_with_the_file_and_honour_noqa(tmp_path: Path, cli: Cflint) -> None:
    folder = write_files(
        tmp_path / "fn",
        {
            "user.py": "import requests\n\n\ndef main():\n    return requests.get('u', timeout=5).text\n",
            "requirements.txt": "numpy==1.26.4\nlxml  # noqa: CF306\nrequests\n",
        },
    )
    path = folder / "user.py"
    result = lint_source(path, path.read_text(encoding="utf-8"), options=LintOptions(overrides=ALL, cwd=tmp_path))
    assert result.root is not None and result.root.path == folder
    assert [(f.code, f.path, f.start.line) for f in result.root_findings] == [("CF302", "fn/requirements.txt", 1)]
    assert "CF306" in result.enabled and "CF403" in result.enabled
    assert _api(result) == _cli(cli, path, tmp_path)


def test_unsaved_requirements_count_and_unfixable_codes_have_no_fix(tmp_path: Path) -> None:
    folder = write_files(
        tmp_path / "fn",
        {"requirements.txt": "", "cflint.toml": 'unfixable = ["CF403"]\n', "user.py": ""},
    )
    path = folder / "user.py"
    text = "import requests\n\n\ndef main():\n    return requests.get('u').text\n"
    linter = Linter(LintOptions(cwd=tmp_path), REGISTRY)
    assert [f.code for f in linter.lint_source(path, text).findings] == ["CF303", "CF403"]
    unsaved = {folder / "requirements.txt": b"requests\n"}
    (timeout,) = linter.lint_source(path, text, unsaved).findings
    assert timeout.code == "CF403" and timeout.fix is None
    assert path.read_text(encoding="utf-8") == ""  # nothing written


def test_the_documented_examples_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """docs/api.md's examples, run in order in one namespace, in a folder with a function."""
    import re

    write_files(tmp_path / "functions" / "hello", {"user.py": "def main():\n    return 'ok'\n", "requirements.txt": ""})
    monkeypatch.chdir(tmp_path)
    page = (REPO / "docs" / "api.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```python\n(.*?)^```$", page, re.S | re.M)
    assert len(blocks) == 3
    namespace: dict[str, Any] = {}
    for block in blocks:
        exec(compile(block, "docs/api.md", "exec"), namespace)
    printed = capsys.readouterr().out
    assert "functions/hello/user.py 5 12 CF403 " in printed
    assert namespace["result"].findings and (namespace["start_line"], namespace["end_line"]) == (4, 4)


def test_enabled_is_the_files_selection_less_its_per_file_ignores(tmp_path: Path) -> None:
    folder = write_files(
        tmp_path / "fn",
        {
            "user.py": "",
            "tool.py": "",
            "requirements.txt": "",
            "cflint.toml": 'extend-select = ["CF306"]\n\n[per-file-ignores]\n"tool.py" = ["CF4"]\n',
        },
    )
    linter = Linter(LintOptions(cwd=tmp_path), REGISTRY)
    user, tool = (linter.lint_source(folder / name, "") for name in ("user.py", "tool.py"))
    assert {"CF306", "CF403"} <= user.enabled
    assert "CF306" in tool.enabled and not any(code.startswith("CF4") for code in tool.enabled)
    assert user.enabled - tool.enabled == {code for code in user.enabled if code.startswith("CF4")}


# What `cflint --stdin-filename` sets: the named path is linted unless --force-exclude, and the
# package rules run on its function root.
AS_THE_CLI = {"force_exclude": False, "package_rules": True}


def _cli_all(cli: Cflint, path: Path, cwd: Path, *flags: str) -> list[dict[str, Any]]:
    """The JSON findings of `cflint --stdin-filename PATH -` fed the file's text, CF5xx included."""
    args = ("--select", "ALL", "--output-format", "json", *flags, "--stdin-filename", str(path.relative_to(cwd)), "-")
    result = cli(*args, cwd=cwd, stdin=path.read_text(encoding="utf-8"))
    assert result.code in (0, 1), result.err
    findings: list[dict[str, Any]] = json.loads(result.out)
    return findings


def test_the_cli_stdin_path_is_lint_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`cflint --stdin-filename` has no lint of its own: it calls Linter.lint_source, with
    the options above, and reports what that returns."""
    import io
    import sys

    from cflint.api import Linter as ApiLinter
    from cflint.cli.main import main

    folder = write_files(
        tmp_path / "fn", {"user.py": "import numpy\ndef main():\n    return 1\n"}
    )  # no requirements.txt: CF502
    calls: list[tuple[Path, bytes, LintOptions]] = []
    real = ApiLinter.lint_source

    def recorded(self: Linter, path: Path, source: str | bytes, unsaved: Any = None) -> LintResult:
        assert isinstance(source, bytes)
        calls.append((path, source, self.options))
        return real(self, path, source, unsaved)

    monkeypatch.setattr(ApiLinter, "lint_source", recorded)
    monkeypatch.chdir(folder)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"import numpy\ndef main():\n    return 1\n")))
    code = main(["--no-cache", "--output-format", "json", "--stdin-filename", "user.py", "-"])
    assert code == 1
    assert [(path, source) for path, source, _ in calls] == [
        (Path("user.py"), b"import numpy\ndef main():\n    return 1\n")
    ]
    options = calls[0][2]
    assert (options.force_exclude, options.package_rules, options.cache) == (False, True, None)
    codes = {finding["code"] for finding in json.loads(capsys.readouterr().out)}
    assert {"CF201", "CF301", "CF502"} <= codes


def test_cli_stdin_and_lint_source_agree_with_package_rules_on_the_fixtures(cli: Cflint) -> None:
    linter = Linter(LintOptions(overrides=ALL, cwd=REPO, **AS_THE_CLI), REGISTRY)
    for path in sorted(GUIDE_FIXTURES.glob("*.py")):
        assert _api(linter.lint_source(path, path.read_text(encoding="utf-8"))) == _cli_all(cli, path, REPO), path.name


def test_cli_stdin_and_lint_source_agree_on_a_root_with_requirements_and_package_findings(
    tmp_path: Path, cli: Cflint
) -> None:
    folder = write_files(
        tmp_path / "fn",
        {
            "user.py": "import pandas\nimport yaml\n\ndef main():\n    return {'rows': 1}\n",
            "requirements.txt": "numpy==2.1.0\nflask\n",
            "id_rsa": "-----BEGIN RSA PRIVATE KEY-----\n",
        },
    )
    path = folder / "user.py"
    result = lint_source(
        path, path.read_text(encoding="utf-8"), options=LintOptions(overrides=ALL, cwd=tmp_path, **AS_THE_CLI)
    )
    api = _api(result)
    assert api == _cli_all(cli, path, tmp_path)
    codes = {finding["code"] for finding in api}
    assert {"CF301", "CF303", "CF302", "CF505"} <= codes  # the file's, its root's and the package rules'
    default = lint_source(path, path.read_text(encoding="utf-8"), options=LintOptions(overrides=ALL, cwd=tmp_path))
    assert not any(finding.code.startswith("CF5") for finding in default.all_findings)  # off for editors


def test_cli_stdin_and_lint_source_agree_on_an_excluded_path(tmp_path: Path, cli: Cflint) -> None:
    path = _excluded_module(tmp_path)
    text = path.read_text(encoding="utf-8")
    named = lint_source(path, text, options=LintOptions(overrides=ALL, cwd=tmp_path, **AS_THE_CLI))
    assert not named.excluded and named.all_findings
    assert _api(named) == _cli_all(cli, path, tmp_path)
    forced = lint_source(path, text, options=LintOptions(overrides=ALL, cwd=tmp_path, package_rules=True))
    assert forced.excluded and _cli_all(cli, path, tmp_path, "--force-exclude") == []


def test_cli_stdin_is_answered_from_the_cache_without_libcst(tmp_path: Path) -> None:
    """The CLI's stdin lint keeps the result cache: a second run of the same text imports no LibCST."""
    import subprocess
    import sys

    guide_function(tmp_path / "fn", "external_api")
    script = (
        "import io, sys; sys.stdin = io.TextIOWrapper(io.BytesIO(open('user.py', 'rb').read())); "
        "from cflint.cli.main import main; "
        "code = main(['--output-format', 'json', '--stdin-filename', 'user.py', '-']); "
        "print(code, 'libcst' in sys.modules, file=sys.stderr)"
    )
    env = {"PYTHONPATH": str(REPO), "CFLINT_CACHE_DIR": str(tmp_path / "cache"), "PATH": "/usr/bin:/bin"}
    runs = [
        subprocess.run(
            [sys.executable, "-c", script], cwd=tmp_path / "fn", env=env, capture_output=True, text=True, check=True
        )
        for _ in range(2)
    ]
    assert [run.stderr.splitlines()[-1] for run in runs] == ["1 True", "1 False"]
    assert runs[0].stdout == runs[1].stdout and json.loads(runs[0].stdout)


def test_cli_stdin_on_a_saved_file_finds_what_cflint_path_finds(tmp_path: Path, cli: Cflint) -> None:
    """A saved file in a folder that is no function root: `cflint main.py` lints its folder as
    one (CF101: the entry module is misnamed), and so does the stdin lint of that file now,
    since it is lint_source's; an unsaved name there still makes no root of the folder."""
    folder = write_files(tmp_path / "fn", {"main.py": "def main():\n    return 'x'\n"})
    text = "def main():\n    return 'x'\n"
    by_path = cli("--select", "ALL", "--output-format", "json", "main.py", cwd=folder)
    by_stdin = cli(
        "--select", "ALL", "--output-format", "json", "--stdin-filename", "main.py", "-", cwd=folder, stdin=text
    )
    assert [f["code"] for f in json.loads(by_stdin.out)] == [f["code"] for f in json.loads(by_path.out)] == ["CF101"]
    unsaved = cli(
        "--select", "ALL", "--output-format", "json", "--stdin-filename", "new.py", "-", cwd=folder, stdin=text
    )
    assert json.loads(unsaved.out) == []


def test_a_cancelled_lint_stops_at_a_statement_and_an_uncancelled_one_is_unchanged(tmp_path: Path) -> None:
    """`cancelled` is asked before the parse and at each statement; a lint it never stops
    finds what a lint without it finds."""
    user = write_files(tmp_path, {"user.py": "import requests\n", "requirements.txt": "requests\n"}) / "user.py"
    text = "import requests\n\n" + "".join(
        f"def handler_{i}():\n    return requests.get('u').text\n\n" for i in range(50)
    )
    linter = Linter(LintOptions(cwd=tmp_path))
    asked: list[int] = []

    def after(calls: int) -> Callable[[], bool]:
        def cancelled() -> bool:
            asked.append(calls)
            return len(asked) > calls

        return cancelled

    with pytest.raises(LintCancelled):
        linter.lint_source(user, text, cancelled=after(0))
    assert len(asked) == 1  # before the parse
    asked.clear()
    with pytest.raises(LintCancelled):
        linter.lint_source(user, text, cancelled=after(20))
    assert len(asked) == 21  # stopped at the 21st statement of 100
    asked.clear()
    full = linter.lint_source(user, text)
    assert linter.lint_source(user, text, cancelled=after(10_000)).findings == full.findings
    assert len(asked) > 100 and len(full.findings) == 51  # CF403 on each handler, CF102: no main
