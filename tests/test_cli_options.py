"""The options a ruff user reaches for: stdin, --output-file, --show-settings, --show-files,
--extend-ignore, --output-format, --fail-on and the progress bar."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest

from cflint.cli.progress import TerminalProgress
from tests.helpers import GUIDE_EXAMPLES, CliResult, guide_function, write_files

Cflint = Callable[..., CliResult]
DATA = Path(__file__).resolve().parent / "data"
BAD_USER = "import requests\n\ndef main(request):\n    return requests.get('https://example.com').text\n"


def _with_stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data)))


@pytest.fixture
def function(tmp_path: Path) -> Path:
    return write_files(tmp_path / "fn", {"requirements.txt": "requests\n", "user.py": BAD_USER})


@pytest.mark.parametrize("example", GUIDE_EXAMPLES)
def test_stdin_equals_the_on_disk_run_on_every_guide_example(
    example: str, tmp_path: Path, cflint: Cflint, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = guide_function(tmp_path / "fn", example)
    module = "handlers.py" if example == "handlers" else "user.py"
    on_disk = cflint("--no-cache", f"fn/{module}")
    _with_stdin(monkeypatch, (folder / module).read_bytes())
    from_stdin = cflint("--no-cache", "--stdin-filename", f"fn/{module}", "-")
    assert (from_stdin.code, from_stdin.out, from_stdin.err) == (on_disk.code, on_disk.out, on_disk.err)


def test_stdin_source_wins_over_the_file_on_disk(
    function: Path, cflint: Cflint, monkeypatch: pytest.MonkeyPatch
) -> None:
    _with_stdin(monkeypatch, b"def main():\n    return 'unsaved and fine'\n")
    result = cflint("--stdin-filename", "fn/user.py", "-")
    assert (result.code, result.out) == (0, "")
    _with_stdin(monkeypatch, b"def main(req):\n    return 'x'\n")
    result = cflint("--stdin-filename", "fn/user.py", "--show-source")
    assert result.code == 1
    assert result.lines[:3] == [
        "fn/user.py:1:10: CF103 entry function 'main' takes parameter 'req', but the runtime calls it with no "
        "arguments; read the request from flask.request [unsafe fix: --unsafe-fixes]",
        "def main(req):",
        "         ^",
    ]


def test_stdin_file_need_not_exist_and_gets_its_folders_root(
    function: Path, cflint: Cflint, monkeypatch: pytest.MonkeyPatch
) -> None:
    _with_stdin(monkeypatch, b"import yaml\n")
    result = cflint("--stdin-filename", "fn/new_module.py", "-")
    assert result.lines == [
        "fn/new_module.py:1:8: CF303 yaml is imported, but no requirements.txt line provides it [unsafe fix: --unsafe-fixes]"
    ]
    assert result.code == 1 and not (function / "new_module.py").exists()


def test_stdin_file_in_a_folder_that_does_not_exist_is_a_function_root_of_its_own(
    tmp_path: Path, cflint: Cflint, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = b"def main(request):\n    return None\n"
    _with_stdin(monkeypatch, source)
    from_stdin = cflint("--no-cache", "--stdin-filename", "newfn/user.py", "-")
    assert [line.split(" ")[1] for line in from_stdin.lines] == ["CF103", "CF201"]
    assert from_stdin.code == 1 and not (tmp_path / "newfn").exists()
    write_files(tmp_path / "newfn", {"user.py": source})
    saved = cflint("--no-cache", "newfn")
    # The package rules (CF502: no requirements.txt) read the folder on disk: once it is saved.
    assert from_stdin.lines == [line for line in saved.lines if line.startswith("newfn/user.py:")]


def test_stdin_entry_module_not_saved_yet_is_there(
    tmp_path: Path, cflint: Cflint, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_files(tmp_path / "fn", {"requirements.txt": ""})
    _with_stdin(monkeypatch, b"def main():\n    return 'x'\n")
    result = cflint("--no-cache", "--stdin-filename", "fn/user.py", "-")
    assert (result.code, result.out) == (0, "")
    (tmp_path / "fn" / "user.py").write_text("def main():\n    return 'x'\n")
    _with_stdin(monkeypatch, b"import newpkg.mod\n")
    result = cflint("--no-cache", "--stdin-filename", "fn/newpkg/mod.py", "-")
    assert (result.code, result.out) == (0, "")
    _with_stdin(monkeypatch, b"def main():\n    return 'x'\n")
    result = cflint("--no-cache", "--stdin-filename", "newfn/helpers.py", "-")
    assert (result.code, result.out) == (0, "")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("-",), "cflint: error: reading the source from stdin ('-') needs --stdin-filename PATH\n"),
        (
            ("--stdin-filename", "fn/user.py", "fn"),
            "cflint: error: --stdin-filename lints stdin only: give '-' or no path\n",
        ),
    ],
)
def test_stdin_usage_errors(function: Path, cflint: Cflint, args: tuple[str, ...], message: str) -> None:
    result = cflint(*args)
    assert (result.code, result.out, result.err) == (2, "", message)


def test_output_file_gets_valid_sarif_and_the_terminal_a_summary(function: Path, cflint: Cflint) -> None:
    result = cflint("--output-format", "sarif", "--output-file", "report.sarif", "fn")
    assert result.code == 1
    assert result.out == "Found 2 problems in 1 file. Report written to report.sarif.\n"
    log = json.loads((function.parent / "report.sarif").read_text(encoding="utf-8"))
    schema = json.loads((DATA / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(schema).validate(log)
    assert sorted(r["ruleId"] for r in log["runs"][0]["results"]) == ["CF103", "CF403"]


def test_output_file_holds_what_stdout_would(function: Path, cflint: Cflint) -> None:
    printed = cflint("fn").out
    result = cflint("-q", "--output-file", "report.txt", "fn")
    assert (result.code, result.out) == (1, "")
    assert (function.parent / "report.txt").read_text(encoding="utf-8") == printed


def test_output_file_that_cannot_be_written_is_a_usage_error(function: Path, cflint: Cflint) -> None:
    result = cflint("--output-file", "missing/report.txt", "fn")
    assert result.code == 2
    assert result.err == "cflint: error: missing/report.txt: cannot write the report: No such file or directory\n"


def test_format_is_an_alias_of_output_format(function: Path, cflint: Cflint) -> None:
    assert cflint("--format", "json", "fn").out == cflint("--output-format", "json", "fn").out
    assert json.loads(cflint("--format", "json", "fn").out)


def test_extend_ignore_adds_to_the_config(function: Path, cflint: Cflint) -> None:
    (function / "pyproject.toml").write_text('[tool.cflint]\nignore = ["CF103"]\n', encoding="utf-8")
    assert cflint("fn").codes == ["CF403"]
    assert cflint("--ignore", "CF403", "fn").codes == ["CF103"]  # replaces the config's list
    result = cflint("--extend-ignore", "CF403", "fn")
    assert (result.code, result.out) == (0, "")


def test_extend_per_file_ignores_adds_to_the_config(function: Path, cflint: Cflint) -> None:
    (function / "pyproject.toml").write_text(
        '[tool.cflint.per-file-ignores]\n"user.py" = ["CF103"]\n', encoding="utf-8"
    )
    assert cflint("fn").codes == ["CF403"]
    assert cflint("--per-file-ignores", "user.py:CF403", "fn").codes == ["CF103"]
    assert cflint("--extend-per-file-ignores", "user.py:CF403", "fn").out == ""


def test_fail_on_error_ignores_warnings(tmp_path: Path, cflint: Cflint) -> None:
    write_files(tmp_path, {"requirements.txt": "", "user.py": "def main():\n    return [1]\n"})
    warned = cflint(".")
    assert (warned.code, warned.codes) == (1, ["CF202"])
    assert cflint("--fail-on", "error", ".").code == 0
    assert cflint("--fail-on", "warning", ".").code == 1


def test_fail_on_error_still_fails_on_errors(function: Path, cflint: Cflint) -> None:
    assert cflint("--fail-on", "error", "fn").code == 1


def test_show_settings_names_the_config_root_and_cache(function: Path, cflint: Cflint, tmp_path: Path) -> None:
    config = function / "cflint.toml"
    config.write_text('ignore = ["CF403"]\ntarget-versions = ["3.12"]\n', encoding="utf-8")
    result = cflint("--show-settings", "fn/user.py")
    assert result.code == 0
    lines = result.lines
    assert lines[0] == "# settings for fn/user.py"
    assert lines[1] == f"# config file: {config}"
    assert lines[2] == "# function root: fn"
    assert lines[3].startswith("# result cache: ")
    assert "CF403" not in lines[4] and "CF103" in lines[4]
    assert 'ignore = ["CF403"]' in lines
    assert 'target-versions = ["3.12"]' in lines
    assert 'entry-points = ["user.main"]' in lines


def test_show_settings_without_a_config(tmp_path: Path, cflint: Cflint) -> None:
    write_files(tmp_path, {"a.py": ""})
    result = cflint("--no-cache", "--show-settings", "a.py")
    assert result.lines[1:4] == [
        "# config file: none (built-in defaults and command-line flags)",
        "# function root: none",
        "# result cache: off (--no-cache)",
    ]


def test_show_settings_of_a_missing_path(tmp_path: Path, cflint: Cflint) -> None:
    result = cflint("--show-settings", "nope.py")
    assert (result.code, result.err) == (2, "cflint: error: nope.py: no such file or folder\n")


def test_show_files_lists_each_file_with_its_root(tmp_path: Path, cflint: Cflint) -> None:
    write_files(
        tmp_path,
        {
            "fn/user.py": "def main():\n    return 'x'\n",
            "fn/requirements.txt": "",
            "fn/lib/helper.py": "",
            "loose.py": "",
            "fn/.venv/x.py": "",
        },
    )
    result = cflint("--show-files", ".")
    assert (result.code, result.lines) == (
        0,
        ["fn/lib/helper.py  (function root fn)", "fn/user.py  (function root fn)", "loose.py  (no function root)"],
    )


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_progress_appears_only_after_a_second() -> None:
    clock, stream = _Clock(), io.StringIO()
    progress = TerminalProgress(stream, clock)
    progress.start(10)
    clock.now = 0.5
    progress.advance()
    assert not progress.shown
    clock.now = 1.2
    progress.advance()
    assert progress.shown
    progress.stop()
    assert not progress.shown and "linting" in stream.getvalue()


def test_progress_of_a_quick_run_prints_nothing() -> None:
    stream = io.StringIO()
    progress = TerminalProgress(stream, _Clock())
    progress.start(3)
    for _ in range(3):
        progress.advance()
    progress.stop()
    assert stream.getvalue() == ""


def test_piped_runs_have_no_progress(function: Path, cflint: Cflint) -> None:
    result = cflint("fn")  # stderr is not a terminal under the test's capture
    assert result.err == ""
