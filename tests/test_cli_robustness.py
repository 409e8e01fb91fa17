"""Inputs the CLI once passed in silence or handled wrongly, each run through the real CLI
and held to its exact output and exit code."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import REPO, CliResult, run_subprocess, write_files

Cflint = Callable[..., CliResult]

MISNAMED = "def main(request):\n    return 'x'\n"
GOOD_USER = "def main():\n    return 'x'\n"
CF101_MAIN = (
    "CF101 entry module user.py for entry point user.main not found in this function root; "
    'main.py defines main(): rename it to user.py, or set entry-points = ["main.main"]'
)


# Silent passes


@pytest.mark.parametrize(
    ("args", "cwd", "expected"),
    [
        (("fn",), ".", f"fn:1:1: {CF101_MAIN}"),
        (("fn/main.py",), ".", f"fn:1:1: {CF101_MAIN}"),
        ((), "fn", f".:1:1: {CF101_MAIN}"),
    ],
)
def test_a_folder_with_a_misnamed_entry_module_is_linted_as_a_function_root(
    tmp_path: Path, cflint: Cflint, args: tuple[str, ...], cwd: str, expected: str
) -> None:
    write_files(tmp_path, {"fn/main.py": MISNAMED})
    result = cflint(*args, cwd=tmp_path / cwd)
    assert (result.code, result.out, result.err) == (1, expected + "\n", "")


def test_a_named_script_outside_function_roots_is_not_made_one(tmp_path: Path, cflint: Cflint) -> None:
    """pre-commit names every changed file, scripts and tools too: a named file's folder is
    made a function root only when a module there defines the entry function."""
    write_files(tmp_path, {"scripts/deploy.py": "def run():\n    return 1\n", "scripts/util.py": "X = 1\n"})
    assert cflint("--force-exclude", "scripts/deploy.py", cwd=tmp_path) == CliResult(0, "", "")
    assert cflint("scripts", cwd=tmp_path).lines == [
        "scripts:1:1: CF101 entry module user.py for entry point user.main not found in this function root"
    ]


def test_the_hint_needs_the_entry_function_at_the_top_level(tmp_path: Path, cflint: Cflint) -> None:
    write_files(tmp_path, {"fn/helpers.py": "class A:\n    def main(self):\n        return 1\n"})
    result = cflint("fn", cwd=tmp_path)
    assert result.lines == [
        "fn:1:1: CF101 entry module user.py for entry point user.main not found in this function root"
    ]


def test_the_hint_follows_the_file_through_the_cache(tmp_path: Path, cflint: Cflint) -> None:
    write_files(tmp_path, {"fn/main.py": MISNAMED})
    assert cflint("fn", cwd=tmp_path).lines == [f"fn:1:1: {CF101_MAIN}"]
    write_files(tmp_path, {"fn/main.py": "def handler():\n    return 'x'\n"})
    assert cflint("fn", cwd=tmp_path).lines == [
        "fn:1:1: CF101 entry module user.py for entry point user.main not found in this function root"
    ]


def test_a_folder_of_functions_is_not_itself_made_a_function_root(tmp_path: Path, cflint: Cflint) -> None:
    write_files(
        tmp_path,
        {"functions/a/user.py": GOOD_USER, "functions/a/requirements.txt": "", "functions/tools.py": "X = 1\n"},
    )
    assert cflint("functions", cwd=tmp_path).out == ""


@pytest.mark.parametrize(
    ("files", "target"),
    [({}, "empty"), ({"empty/notes.txt": "hi\n", "empty/data.json": "{}\n"}, "empty")],
)
def test_nothing_to_lint_is_said_on_stderr(tmp_path: Path, cflint: Cflint, files: dict[str, str], target: str) -> None:
    (tmp_path / "empty").mkdir()
    write_files(tmp_path, files)
    result = cflint(target, cwd=tmp_path)
    assert (result.code, result.out, result.err) == (0, "", "cflint: No Python files found under empty\n")


def test_file_noqa_does_not_hide_a_syntax_error(tmp_path: Path, cflint: Cflint) -> None:
    write_files(tmp_path, {"requirements.txt": "", "user.py": GOOD_USER, "bad.py": "# cflint: noqa\ndef f(:\n"})
    result = cflint(".", cwd=tmp_path)
    assert (result.code, result.out) == (1, "bad.py:2:7: CF001 cannot parse: invalid syntax\n")
    write_files(tmp_path, {"bad.py": "# cflint: noqa\nimport numpy\n"})
    assert (cflint(".", cwd=tmp_path).code, cflint(".", cwd=tmp_path).out) == (0, "")


def test_a_requirements_file_among_the_paths_lints_its_whole_function_root(tmp_path: Path, cflint: Cflint) -> None:
    write_files(
        tmp_path,
        {"fn/requirements.txt": "flask\n", "fn/user.py": "import requests\n\ndef main():\n    return 'x'\n"},
    )
    result = cflint("--force-exclude", "fn/requirements.txt", cwd=tmp_path)
    assert (result.code, result.out) == (
        1,
        "fn/user.py:1:8: CF303 requests is imported, but no requirements.txt line provides it [unsafe fix: --unsafe-fixes]\n",
    )


def test_a_config_among_the_paths_lints_what_it_configures(tmp_path: Path, cflint: Cflint) -> None:
    write_files(
        tmp_path,
        {
            "fn/cflint.toml": 'ignore = ["CF403"]\n',
            "fn/requirements.txt": "",
            "fn/user.py": GOOD_USER,
            "fn/lib/util.py": "import numpy\n",
            "pyproject.toml": '[tool.cflint]\nextend-exclude = ["fn/lib/"]\n',
            "other/requirements.txt": "",
            "other/user.py": "def main(request):\n    return 'x'\n",
        },
    )
    inside = cflint("--force-exclude", "fn/cflint.toml", cwd=tmp_path)
    assert (inside.code, inside.out) == (
        1,
        "fn/lib/util.py:1:8: CF301 numpy comes from numpy, which the runtime cannot install (C extension modules)\n",
    )
    # A config above the function roots applies to all of them.
    above = cflint("--force-exclude", "pyproject.toml", cwd=tmp_path)
    assert above.codes == ["CF301", "CF103"]


# CLI defects


def test_statistics_print_each_rules_summary(tmp_path: Path, cflint: Cflint) -> None:
    write_files(tmp_path, {"requirements.txt": "", "user.py": "import numpy\nimport numpy.linalg\n" + GOOD_USER})
    result = cflint("--statistics", ".", cwd=tmp_path)
    assert result.lines[2:] == ["2     CF301 Import of a package the runtime cannot install"]


def test_rule_with_two_codes_points_to_its_help(cflint: Cflint) -> None:
    result = cflint("rule", "CF103", "CF104")
    assert (result.code, result.out, result.err) == (
        2,
        "",
        "cflint: error: give one rule code or --all, not 2 (CF103 CF104) (see 'cflint rule --help')\n",
    )


@pytest.mark.parametrize("name", ["rule", "package", "check"])
def test_subcommands_work_beside_a_folder_of_their_name(tmp_path: Path, cflint: Cflint, name: str) -> None:
    write_files(tmp_path, {f"{name}/user.py": "def main(request):\n    return 'x'\n", f"{name}/requirements.txt": ""})
    assert cflint("rule", "--all", cwd=tmp_path).lines[0].startswith("CF001  error    ")
    assert cflint("rule", "CF101", cwd=tmp_path).out.startswith("# CF101: entry-module-missing\n")
    write_files(tmp_path, {"fn/user.py": GOOD_USER, "fn/requirements.txt": ""})
    packed = cflint("package", "fn", cwd=tmp_path)
    assert packed.code == 0 and packed.lines[0].startswith("Wrote fn.zip: ")
    # The explicit form lints a folder of any name; bare `cflint ./rule` does too.
    expected = (
        f"{name}/user.py:1:10: CF103 entry function 'main' takes parameter 'request', but the runtime calls it "
        "with no arguments; read the request from flask.request [unsafe fix: --unsafe-fixes]\n"
    )
    assert (cflint("check", name, cwd=tmp_path).out, cflint(f"./{name}", cwd=tmp_path).out) == (expected, expected)


def test_check_without_paths_lints_the_current_folder(tmp_path: Path, cflint: Cflint) -> None:
    write_files(tmp_path, {"requirements.txt": "", "user.py": "def main(request):\n    return 'x'\n"})
    result = cflint("check", cwd=tmp_path)
    assert result.code == 1 and result.codes == ["CF103"]


def test_check_usage_errors_name_check(tmp_path: Path, cflint: Cflint) -> None:
    result = cflint("check", "--nope", cwd=tmp_path)
    assert (result.code, result.err) == (
        2,
        "cflint: error: unrecognized arguments: --nope (see 'cflint check --help')\n",
    )


@pytest.mark.parametrize(
    ("args", "config", "message"),
    [
        (
            ("--select", ""),
            None,
            "command line: select: needs at least one rule code or prefix (to turn rules off, use ignore)",
        ),
        (
            (),
            "select = []\n",
            "{config}: select: needs at least one rule code or prefix (to turn rules off, use ignore)",
        ),
        (
            ("--target-versions", "3.10"),
            None,
            "command line: target-versions: 3.10 is not a Python version the platform runs (it runs 3.11, 3.12, 3.13)",
        ),
        (
            (),
            'target-versions = ["3.11", "3.14"]\n',
            "{config}: target-versions: 3.14 is not a Python version the platform runs (it runs 3.11, 3.12, 3.13)",
        ),
        (
            (),
            b'\xef\xbb\xbfselect = ["CF1"]\n',
            "{config}: invalid TOML: the file starts with a UTF-8 byte order mark (BOM), which TOML does not allow; "
            "save it as UTF-8 without BOM",
        ),
    ],
)
def test_bad_settings_are_usage_errors(
    tmp_path: Path, cflint: Cflint, args: tuple[str, ...], config: str | bytes | None, message: str
) -> None:
    write_files(tmp_path, {"requirements.txt": "", "user.py": GOOD_USER})
    if config is not None:
        write_files(tmp_path, {"cflint.toml": config})
    result = cflint(*args, ".", cwd=tmp_path)
    expected = message.format(config=tmp_path / "cflint.toml")
    assert (result.code, result.out, result.err) == (2, "", f"cflint: error: {expected}\n")


def _pipe_to_head(args: list[str], cwd: Path, cache: Path) -> tuple[int, str, str]:
    """`cflint ARGS | head -1` in a shell, as a user types it: cflint's exit code, what
    head printed, and cflint's stderr."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "CFLINT_CACHE_DIR": str(cache)}
    command = " ".join([sys.executable, "-m", "cflint", *args])
    script = f'{command} 2>"$ERR" | head -1; echo "exit=${{PIPESTATUS[0]}}"'
    err = cwd / "stderr.txt"
    completed = subprocess.run(
        ["bash", "-c", script], cwd=cwd, env={**env, "ERR": str(err)}, capture_output=True, text=True, timeout=300
    )
    *shown, status = completed.stdout.splitlines()
    return int(status.removeprefix("exit=")), "\n".join(shown), err.read_text()


def test_a_closed_pipe_gives_no_traceback_and_the_findings_exit_code(tmp_path: Path) -> None:
    fn = tmp_path / "fn"
    write_files(fn, {"requirements.txt": "", "user.py": GOOD_USER})
    # 2,000 findings (200 KB, past what the pipe and head buffer), four a module: fewer files to lint.
    write_files(fn, {f"m{i:04}.py": "import numpy\nimport scipy\nimport pandas\nimport lxml\n" for i in range(500)})
    code, shown, err = _pipe_to_head(["--no-cache", "fn"], tmp_path, tmp_path / "cache")
    assert (code, err) == (1, "")
    assert (
        shown == "fn/m0000.py:1:8: CF301 numpy comes from numpy, which the runtime cannot install (C extension modules)"
    )
    code, shown, err = _pipe_to_head(["--exit-zero", "fn"], tmp_path, tmp_path / "cache")
    assert (code, err) == (0, "")
    code, shown, err = _pipe_to_head(["rule", "--all"], tmp_path, tmp_path / "cache")
    assert (code, err, shown.split()[0]) == (0, "", "CF001")


def test_help_lists_the_check_command_and_exit_codes() -> None:
    result = run_subprocess("--help", cwd=REPO)
    text = " ".join(result.out.split())
    assert "'cflint check PATH...' is the same as 'cflint PATH...'" in text
    assert "130 interrupted" in text


# Nothing written where it is not wanted


def _run_without_cache_dir(args: list[str], cwd: Path, home: Path) -> CliResult:
    """`python -m cflint ARGS` as a user runs it: no CFLINT_CACHE_DIR, a home of its own."""
    env = {key: value for key, value in os.environ.items() if key not in ("CFLINT_CACHE_DIR", "XDG_CACHE_HOME")}
    env.update({"PYTHONPATH": str(REPO), "HOME": str(home)})
    completed = subprocess.run(
        [sys.executable, "-m", "cflint", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )
    return CliResult(completed.returncode, completed.stdout, completed.stderr)


def _tree(folder: Path) -> list[str]:
    return sorted(path.relative_to(folder).as_posix() for path in folder.rglob("*"))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the user cache folder is ~/.cache on Linux")
def test_the_guides_workflow_zips_a_clean_package(tmp_path: Path) -> None:
    """`cd my-function && cflint && zip -r my-function.zip . -x ...` (the guide's command):
    the lint run leaves nothing in the folder, so the archive is as clean as the folder."""
    home, fn = tmp_path / "home", tmp_path / "my-function"
    write_files(fn, {"user.py": GOOD_USER, "requirements.txt": "requests>=2.28.0\n"})
    before = _tree(fn)
    assert _run_without_cache_dir([], fn, home) == CliResult(0, "", "")
    assert _tree(fn) == before
    assert (home / ".cache" / "cflint" / "CACHEDIR.TAG").is_file()
    subprocess.run(
        ["zip", "-qr", "my-function.zip", ".", "-x", "*.git*", "__pycache__/*", "*.pyc", "test.py"],
        cwd=fn,
        check=True,
        timeout=60,
    )
    assert _run_without_cache_dir(["my-function.zip"], fn, home) == CliResult(0, "", "")
    assert _run_without_cache_dir([], fn, home) == CliResult(0, "", "")  # the zip is excluded junk in the folder


def test_an_unrelated_current_folder_gets_no_cache(tmp_path: Path) -> None:
    write_files(tmp_path / "fn", {"user.py": GOOD_USER, "requirements.txt": ""})
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert _run_without_cache_dir([str(tmp_path / "fn")], elsewhere, tmp_path / "home").code == 0
    assert _tree(elsewhere) == [] and ".cflint_cache" not in _tree(tmp_path / "fn")


def test_the_cache_goes_to_the_repository_root_unless_it_is_a_function_folder(tmp_path: Path) -> None:
    repo, home = tmp_path / "repo", tmp_path / "home"
    write_files(repo, {"functions/fn/user.py": GOOD_USER, "functions/fn/requirements.txt": ""})
    (repo / ".git").mkdir()
    assert _run_without_cache_dir(["functions/fn"], repo, home).code == 0
    assert (repo / ".cflint_cache" / "CACHEDIR.TAG").is_file() and not (home / ".cache").exists()
    single, home2 = tmp_path / "single", tmp_path / "home2"
    write_files(single, {"user.py": GOOD_USER, "requirements.txt": ""})
    (single / ".git").mkdir()
    assert _run_without_cache_dir([], single, home2).code == 0
    assert not (single / ".cflint_cache").exists() and (home2 / ".cache" / "cflint" / "CACHEDIR.TAG").is_file()


# Package correctness: `cflint package` never writes what `cflint` rejects, unasked


def test_package_refuses_a_folder_without_its_entry_module(tmp_path: Path, cflint: Cflint) -> None:
    write_files(tmp_path, {"fn/main.py": MISNAMED, "fn/requirements.txt": ""})
    result = cflint("package", "fn", cwd=tmp_path)
    assert (result.code, result.out, result.err) == (
        1,
        f"fn:1:1: {CF101_MAIN}\n",
        "cflint package: not packing fn: 1 error above (--force packs anyway)\n",
    )
    assert not (tmp_path / "fn.zip").exists()


def test_package_refuses_an_entry_module_it_would_leave_out(tmp_path: Path, cflint: Cflint) -> None:
    write_files(tmp_path, {"fn/user.py": GOOD_USER, "fn/requirements.txt": "", "fn/.gitignore": "user.py\n"})
    result = cflint("package", "fn", cwd=tmp_path)
    assert (result.code, result.out) == (
        1,
        "fn:1:1: CF101 entry module user.py for entry point user.main not found in this function root; the "
        "folder's user.py is left out of the package by .gitignore, package-exclude or the built-in exclusions\n",
    )
    assert not (tmp_path / "fn.zip").exists()


@pytest.mark.parametrize("force", [(), ("--force",)])
def test_package_refuses_an_empty_folder(tmp_path: Path, cflint: Cflint, force: tuple[str, ...]) -> None:
    (tmp_path / "fn").mkdir()
    result = cflint("package", *force, "fn", cwd=tmp_path)
    assert (result.code, result.out, result.err) == (
        1,
        "",
        "cflint package: not packing fn: it holds no files to pack\n",
    )
    assert not (tmp_path / "fn.zip").exists()


def test_package_warns_of_a_symlinked_folder_it_leaves_out(tmp_path: Path, cflint: Cflint) -> None:
    write_files(tmp_path, {"fn/user.py": GOOD_USER, "fn/requirements.txt": "", "shared/util.py": "X = 1\n"})
    os.symlink("../shared", tmp_path / "fn" / "lib")
    result = cflint("package", "fn", cwd=tmp_path)
    assert (result.code, result.err) == (
        0,
        "cflint package: warning: lib/ is a symbolic link to a folder and is left out (an archive holds no "
        "links): copy the folder in if the function needs it\n",
    )
    assert result.lines[0].startswith("Wrote fn.zip: ") and "lib/" not in result.out
    assert cflint("fn.zip", cwd=tmp_path) == CliResult(0, "", "")


# README claims: folder findings in every format, --show-source in archives


def test_a_folder_finding_is_at_1_1_where_a_line_is_needed_and_lineless_elsewhere(
    tmp_path: Path, cflint: Cflint
) -> None:
    import json

    write_files(tmp_path, {"fn/main.py": MISNAMED})
    assert cflint("--format", "default", "fn", cwd=tmp_path).out == f"fn:1:1: {CF101_MAIN}\n"
    (as_json,) = json.loads(cflint("--format", "json", "fn", cwd=tmp_path).out)
    assert (as_json["path"], as_json["start"], as_json["end"]) == (
        "fn",
        {"line": 1, "column": 1},
        {"line": 1, "column": 1},
    )
    (gitlab,) = json.loads(cflint("--format", "gitlab", "fn", cwd=tmp_path).out)
    assert gitlab["location"] == {"path": "fn", "lines": {"begin": 1, "end": 1}}
    github = cflint("--format", "github", "fn", cwd=tmp_path).out
    assert github.startswith("::error file=fn,title=cflint (CF101)::entry module user.py")
    sarif = json.loads(cflint("--format", "sarif", "fn", cwd=tmp_path).out)
    (result,) = sarif["runs"][0]["results"]
    assert result["locations"] == [{"physicalLocation": {"artifactLocation": {"uri": "fn/"}}}]


def test_an_archive_finding_is_lineless_in_github_and_sarif(tmp_path: Path, cflint: Cflint) -> None:
    import json
    import zipfile

    with zipfile.ZipFile(tmp_path / "fn.zip", "w") as archive:
        archive.writestr("user.py", GOOD_USER)
    assert cflint("fn.zip", cwd=tmp_path).lines == [
        "fn.zip:1:1: CF502 no requirements.txt at the root of the archive: the runtime expects it beside the entry module"
    ]
    assert cflint("--format", "github", "fn.zip", cwd=tmp_path).out.startswith(
        "::error file=fn.zip,title=cflint (CF502)::"
    )
    sarif = json.loads(cflint("--format", "sarif", "fn.zip", cwd=tmp_path).out)
    assert sarif["runs"][0]["results"][0]["locations"] == [
        {"physicalLocation": {"artifactLocation": {"uri": "fn.zip"}}}
    ]


def test_show_source_reads_archive_members(tmp_path: Path, cflint: Cflint) -> None:
    import zipfile

    (tmp_path / "out").mkdir()
    with zipfile.ZipFile(tmp_path / "out" / "fn.zip", "w") as archive:
        archive.writestr("./user.py", "import os\n\ndef main(request):\n    return 'x'\n")
        archive.writestr("requirements.txt", "")
    result = cflint("--show-source", "out/fn.zip", cwd=tmp_path)
    assert result.lines == [
        "out/fn.zip/user.py:3:10: CF103 entry function 'main' takes parameter 'request', but the runtime calls it "
        "with no arguments; read the request from flask.request [unsafe fix: --unsafe-fixes]",
        "def main(request):",
        "         ^",
    ]


# Files discovered the same way everywhere


def test_a_sub_folder_honours_the_repository_roots_gitignore(tmp_path: Path, cflint: Cflint) -> None:
    broken = "def f(:\n"
    write_files(
        tmp_path,
        {
            ".gitignore": "generated/\n*_gen.py\n",
            "sub/fn/user.py": GOOD_USER,
            "sub/fn/requirements.txt": "",
            "sub/fn/generated/a.py": broken,
            "sub/fn/b_gen.py": broken,
            "sub/fn/kept.py": broken,
        },
    )
    (tmp_path / ".git").mkdir()
    expected = "sub/fn/kept.py:1:7: CF001 cannot parse: invalid syntax\n"
    assert cflint(".", cwd=tmp_path).out == expected
    assert cflint("sub", cwd=tmp_path).out == expected
    assert cflint("sub/fn", cwd=tmp_path).out == expected
    assert cflint(cwd=tmp_path / "sub" / "fn").out == "kept.py:1:7: CF001 cannot parse: invalid syntax\n"
    write_files(tmp_path, {"sub/fn/kept.py": "X = 1\n"})
    packed = cflint("package", "sub/fn", cwd=tmp_path)
    assert packed.code == 0 and [line.split()[0] for line in packed.lines[1:]] == [
        "kept.py",
        "requirements.txt",
        "user.py",
    ]


def test_the_documented_local_pre_commit_hook_matches_the_manifest() -> None:
    import re

    import yaml  # pre-commit's own dependency

    readme = (REPO / "docs" / "integrations" / "pre-commit.md").read_text(encoding="utf-8")
    blocks = [
        yaml.safe_load(block) for block in re.findall(r"```yaml\n(.*?)```", readme, re.S) if "repo: local" in block
    ]
    (local,) = blocks
    (hook,) = local["repos"][0]["hooks"]
    manifest = next(
        hook
        for hook in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
        if hook["id"] == "cflint"
    )
    assert {key: hook[key] for key in ("id", "entry", "files", "require_serial")} == {
        key: manifest[key] for key in ("id", "entry", "files", "require_serial")
    }
    assert "v0.1.0\n" not in readme and '@v0.1.0"' not in readme


def test_a_named_folder_its_repository_ignores_is_linted_as_asked(tmp_path: Path, cflint: Cflint) -> None:
    """pyenv's repository ignores `/versions`: `cflint ~/.pyenv/versions/...` still lints what
    it names (only .gitignore files from there down apply), while `cflint .` skips it."""
    write_files(
        tmp_path,
        {
            ".gitignore": "/vendor\n",
            "vendor/fn/user.py": "def main(request):\n    return 'x'\n",
            "vendor/fn/requirements.txt": "",
            "vendor/fn/.gitignore": "skip.py\n",
            "vendor/fn/skip.py": "def broken(:\n",
        },
    )
    (tmp_path / ".git").mkdir()
    assert cflint("--select", "CF1", "vendor/fn").codes == ["CF103"]
    result = cflint("--select", "CF1", ".")
    assert (result.code, result.out) == (0, "")


def test_warnings_python_gives_on_the_users_code_are_not_printed(tmp_path: Path) -> None:
    """CPython's compiler warns on `1 is 1` and invalid escapes when cflint compiles a file to
    check its limits; those warnings are the user's at import time, not cflint's output."""
    write_files(
        tmp_path,
        {
            "user.py": 'def main():\n    if 1 is 1:\n        return "\\d"\n    return "x"\n',
            "requirements.txt": "",
        },
    )
    result = run_subprocess("--no-cache", "--fix", "--unsafe-fixes", ".", cwd=tmp_path)
    assert (result.code, result.err) == (0, ""), result.out
