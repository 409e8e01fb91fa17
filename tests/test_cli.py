"""The command line end to end: output byte for byte, flags, exit codes, bad input."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cflint import __version__
from cflint.engine.linter import FileLinter
from tests.helpers import CliResult, run_subprocess, write_files

Cflint = Callable[..., CliResult]

BROKEN = {
    "b/user.py": "def main(request):\n    return 'x'\n",
    "b/requirements.txt": "",
    "a/user.py": "async def main():\n    return 'x'\n",
    "a/requirements.txt": "",
}
EXPECTED = (
    "a/user.py:1:11: CF105 entry function 'main' is async: the runtime calls it without awaiting and gets a "
    "coroutine, not a response\n"
    "b/user.py:1:10: CF103 entry function 'main' takes parameter 'request', but the runtime calls it with no "
    "arguments; read the request from flask.request [unsafe fix: --unsafe-fixes]\n"
)


def test_default_output_is_sorted_and_byte_stable(tmp_path: Path) -> None:
    write_files(tmp_path, BROKEN)
    result = run_subprocess(".", cwd=tmp_path)
    assert (result.code, result.out, result.err) == (1, EXPECTED, "")
    assert "\x1b" not in result.out


def test_default_path_is_current_folder(tmp_path: Path, cflint: Cflint) -> None:
    write_files(tmp_path, BROKEN)
    assert cflint().out == EXPECTED


def test_clean_run_prints_nothing_and_exits_zero(tmp_path: Path, cflint: Cflint) -> None:
    write_files(tmp_path, {"requirements.txt": "", "user.py": "def main():\n    return 'x'\n"})
    assert (cflint(".").code, cflint(".").out) == (0, "")


def test_color_always_colours_and_summarises(tmp_path: Path, cflint: Cflint) -> None:
    write_files(tmp_path, BROKEN)
    result = cflint("--color", "always", ".")
    assert "\x1b[" in result.out
    assert result.out.rstrip().endswith("Found 2 problems in 2 files.\x1b[0m")
    assert "CF105" in result.out and result.code == 1


def test_color_always_on_clean_run_says_so(tmp_path: Path, cflint: Cflint) -> None:
    write_files(tmp_path, {"requirements.txt": "", "user.py": "def main():\n    return 'x'\n"})
    assert "All checks passed!" in cflint("--color", "always", ".").out


def test_no_color_environment_wins_over_auto(tmp_path: Path) -> None:
    write_files(tmp_path, BROKEN)
    result = run_subprocess(".", cwd=tmp_path, env={"NO_COLOR": "1"})
    assert result.out == EXPECTED


def test_quiet_drops_the_summary(tmp_path: Path, cflint: Cflint) -> None:
    write_files(tmp_path, BROKEN)
    result = cflint("--color", "always", "--quiet", ".")
    assert "Found" not in result.out and "CF103" in result.out


def test_show_source_prints_line_and_caret(tmp_path: Path, cflint: Cflint) -> None:
    write_files(tmp_path, {"requirements.txt": "", "user.py": "def main(request):\n    return 'x'\n"})
    assert cflint("--show-source", ".").out.splitlines()[1:] == ["def main(request):", "         ^"]


def test_statistics_counts_by_code(tmp_path: Path, cflint: Cflint) -> None:
    write_files(tmp_path, {"requirements.txt": "", "user.py": "def main(a, b):\n    return 'x'\n"})
    stats = cflint("--statistics", ".").out.splitlines()[2:]
    assert stats == [
        "2     CF103 The entry function has a parameter without a default; the runtime passes no arguments"
    ]


def test_exit_zero(tmp_path: Path, cflint: Cflint) -> None:
    write_files(tmp_path, BROKEN)
    assert cflint("--exit-zero", ".").code == 0


def test_exit_zero_does_not_hide_syntax_errors(tmp_path: Path, cflint: Cflint) -> None:
    write_files(tmp_path, {"requirements.txt": "", "user.py": "def main(:\n"})
    result = cflint("--exit-zero", ".")
    assert result.code == 1 and result.codes == ["CF001"]


def test_syntax_error_cannot_be_deselected(tmp_path: Path, cflint: Cflint) -> None:
    write_files(tmp_path, {"requirements.txt": "", "user.py": "def main(:\n", "other.py": "x = (\n"})
    result = cflint("--select", "CF105", "--ignore", "CF001", ".")
    assert result.lines == [
        "other.py:1:5: CF001 cannot parse: '(' was never closed",
        "user.py:1:10: CF001 cannot parse: invalid syntax",
    ]


def test_version_and_help(cflint: Cflint) -> None:
    with pytest.raises(SystemExit) as version_exit:
        cflint("--version")
    assert version_exit.value.code == 0
    result = run_subprocess("--help", cwd=Path.cwd())
    assert result.code == 0 and "--select" in result.out
    assert run_subprocess("--version", cwd=Path.cwd()).out == f"cflint {__version__}\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("missing-folder",), "cflint: error: missing-folder: no such file or folder\n"),
        (("--select", "CF999", "."), "cflint: error: command line: select: unknown rule code or prefix 'CF999'\n"),
        (("--select", "E501", "."), "cflint: error: command line: select: unknown rule code or prefix 'E501'\n"),
        (
            ("--target-versions", "3", "."),
            "cflint: error: command line: target-versions: expected versions like \"3.11\", got '3'\n",
        ),
        (
            ("--entry-points", "main", "."),
            "cflint: error: command line: entry-points: 'main' is not of the form module.function\n",
        ),
        (
            ("--entry-points", ".main", "."),
            "cflint: error: command line: entry-points: '.main' is not of the form module.function\n",
        ),
        (("--config", "nope.toml", "."), "cflint: error: nope.toml: config file not found\n"),
        (("--no-such-flag",), "cflint: error: unrecognized arguments: --no-such-flag (see 'cflint --help')\n"),
        (("--format", "xml"), None),
    ],
)
def test_usage_errors_are_one_line_and_exit_2(tmp_path: Path, args: tuple[str, ...], message: str | None) -> None:
    result = run_subprocess(*args, cwd=tmp_path)
    assert result.code == 2 and result.out == ""
    assert len(result.err.splitlines()) == 1 and "Traceback" not in result.err
    if message is not None:
        assert result.err == message


def test_malformed_pyproject_is_a_config_error(tmp_path: Path) -> None:
    write_files(tmp_path, {"pyproject.toml": "[tool.cflint\nselect = 1\n", "user.py": "def main():\n    return 1\n"})
    result = run_subprocess(".", cwd=tmp_path)
    assert result.code == 2 and result.err.startswith(f"cflint: error: {tmp_path / 'pyproject.toml'}: invalid TOML: ")
    assert len(result.err.splitlines()) == 1


def test_binary_file_named_py(tmp_path: Path, cflint: Cflint) -> None:
    (tmp_path / "x.py").write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR")
    assert cflint("--ignore", "CF101", ".").lines == ["x.py:3:1: CF002 source contains a NUL byte"]


def test_invalid_utf8(tmp_path: Path, cflint: Cflint) -> None:
    (tmp_path / "x.py").write_bytes(b"name = 'caf\xe9'\n")
    result = cflint("--ignore", "CF101", ".")
    assert result.lines == ["x.py:1:12: CF002 invalid utf-8 text (invalid continuation byte)"]
    assert result.code == 1


def test_latin1_with_coding_cookie_is_fine(tmp_path: Path, cflint: Cflint) -> None:
    (tmp_path / "x.py").write_bytes(b"# -*- coding: latin-1 -*-\nname = 'caf\xe9'\n")
    assert cflint("--ignore", "CF101", ".").code == 0


def test_unknown_coding_cookie(tmp_path: Path, cflint: Cflint) -> None:
    (tmp_path / "x.py").write_bytes(b"# -*- coding: klingon -*-\nx = 1\n")
    assert cflint("--ignore", "CF101", ".").lines == ["x.py:1:1: CF002 unknown encoding: klingon"]


def test_unreadable_file(tmp_path: Path, cflint: Cflint, monkeypatch: pytest.MonkeyPatch) -> None:
    write_files(tmp_path, {"a.py": "x = 1\n", "b.py": "x = 2\n", "c.py": "def f(:\n"})

    def refuse(path: Path, limit: int) -> tuple[bytes, int]:
        if path.name == "b.py":
            raise PermissionError(13, "Permission denied", str(path))
        return path.read_bytes(), path.stat().st_size

    monkeypatch.setattr(FileLinter, "_read", staticmethod(refuse))
    result = cflint("--no-cache", "--jobs", "1", "--ignore", "CF101", ".")
    assert result.lines == [
        "b.py:1:1: CF002 cannot read: Permission denied",
        "c.py:1:7: CF001 cannot parse: invalid syntax",
    ]


def test_symlink_loop_in_folder_is_a_finding(tmp_path: Path, cflint: Cflint) -> None:
    os.symlink("loop.py", tmp_path / "loop.py")
    write_files(tmp_path, {"ok.py": "x = 1\n"})
    result = cflint("--ignore", "CF101", ".")
    assert result.lines == ["loop.py:1:1: CF002 cannot read: Too many levels of symbolic links"]


def test_symlink_loop_named_on_command_line_is_a_usage_error(tmp_path: Path) -> None:
    os.symlink("loop.py", tmp_path / "loop.py")
    result = run_subprocess("loop.py", cwd=tmp_path)
    assert (result.code, result.err) == (2, "cflint: error: loop.py: cannot open: Too many levels of symbolic links\n")


def test_folder_named_like_a_python_file(tmp_path: Path, cflint: Cflint) -> None:
    write_files(tmp_path, {"x.py/inner.py": "def f(:\n"})
    assert cflint("--ignore", "CF101", ".").codes == ["CF001"]
    assert cflint("--ignore", "CF101", "x.py").codes == ["CF001"]


def test_rule_command(cflint: Cflint) -> None:
    result = cflint("rule", "CF103")
    assert result.code == 0 and result.out.startswith("# CF103: entry-function-parameters\n")
    listing = cflint("rule", "--all")
    assert "CF011  warning  A noqa directive suppresses nothing (off by default)" in listing.out.splitlines()
    with pytest.raises(AssertionError):
        assert cflint("rule", "CF999").code == 0


def test_show_source_with_cr_line_endings(tmp_path: Path, cflint: Cflint) -> None:
    (tmp_path / "user.py").write_bytes(b"x = 1\rdef main(request):\r    return 'x'\r")
    (tmp_path / "requirements.txt").write_text("")
    assert cflint("--show-source", ".").out.splitlines()[1:] == ["def main(request):", "         ^"]


def test_show_source_does_not_block_on_a_fifo(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "x.py")
    result = run_subprocess("--show-source", "--ignore", "CF101", ".", cwd=tmp_path, timeout=60)
    assert result.code == 1 and result.out.startswith("x.py:1:1: CF002 not a regular file")


def test_objects_alive_at_exit_are_frozen_for_the_last_collection_and_not_before(
    tmp_path: Path, cflint: Cflint
) -> None:
    write_files(tmp_path, {"user.py": "def main():\n    return 'ok'\n", "requirements.txt": ""})
    assert cflint("--no-cache", ".").code == 0
    assert gc.get_freeze_count() == 0 and gc.isenabled()
    # atexit runs its handlers last registered first: this one runs after cflint's.
    script = (
        "import atexit, gc, sys\n"
        "atexit.register(lambda: print(gc.get_freeze_count() > 10_000))\n"
        "from cflint.cli.main import main\n"
        "print(main(['--no-cache', sys.argv[1]]), main(['--no-cache', sys.argv[1]]), gc.get_freeze_count())"
    )
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path)], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["0", "0", "0", "True"]


def test_objects_loaded_with_the_rules_are_frozen_for_the_run_and_then_given_back(
    tmp_path: Path, cflint: Cflint, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cflint.run import runner

    seen: list[tuple[bool, int]] = []
    real_run = runner.run

    def watched_run(*args: Any, **kwargs: Any) -> runner.RunResult:
        seen.append((gc.isenabled(), gc.get_freeze_count()))
        return real_run(*args, **kwargs)

    monkeypatch.setattr(runner, "run", watched_run)
    write_files(tmp_path, {"user.py": "def main():\n    return 'ok'\n", "requirements.txt": ""})
    assert cflint("--no-cache", ".").code == 0
    [(enabled, frozen)] = seen
    assert enabled and frozen > 10_000
    assert gc.get_freeze_count() == 0 and gc.isenabled()


def test_each_lint_runs_on_a_thread_of_its_own_and_its_errors_reach_the_caller(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from cflint.engine.linter import THREAD_STACK_BYTES
    from cflint.engine.registry import load_registry

    threads: list[threading.Thread] = []

    def failing_lint(self: FileLinter, job: object, cancelled: object = None) -> list[object]:
        threads.append(threading.current_thread())
        raise RecursionError("deep")

    linter = FileLinter(load_registry())
    monkeypatch.setattr(FileLinter, "_lint", failing_lint)
    for _ in range(2):
        with pytest.raises(RecursionError, match="deep"):
            linter.lint(None)  # type: ignore[arg-type]
    assert [thread.name for thread in threads] == ["cflint-lint", "cflint-lint"]
    assert threads[0] is not threads[1] and threading.current_thread() not in threads
    assert threading.stack_size() != THREAD_STACK_BYTES  # set only while each thread starts


# What a lint of one small folder needs none of: importing any of them slows every cold run.
MODULES_A_SMALL_RUN_DOES_NOT_IMPORT = (
    "packaging",  # plain requirement lines are read without it
    "pathspec",  # and plain path patterns matched without it
    "concurrent.futures",
    "shutil",
    "difflib",
    "csv",
    "shlex",
    "traceback",
    "zipfile",
    "cflint.run.archive_lint",
    "detect_secrets",  # CF507 asks it only of a candidate literal
    "requests",
    "cflint.cli.subcommands",  # rule, package and server only
    "pkgutil",  # the registry lists the rule modules itself
    "tomllib",  # the knowledge tables are read from their pre-parsed copies; only a config file is TOML
    # The rules are known from the rule index; a file rule is imported only for a file it may fire on.
    "cflint.rules.resources.cf403_call_without_timeout",
    "cflint.rules.portability.cf803_other_platform_address",
    "cflint.rules.returns.cf207_json_dumps_return",
)


def test_a_small_run_imports_only_what_it_uses(tmp_path: Path) -> None:
    write_files(tmp_path, {"user.py": "def main():\n    return 'ok'\n", "requirements.txt": "flask==3.0.3\n"})
    script = (
        "import sys\nfrom cflint.cli.main import main\nmain(['--no-cache', '.'])\n"
        f"print([m for m in {MODULES_A_SMALL_RUN_DOES_NOT_IMPORT!r} if m in sys.modules])"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert done.stdout == "[]\n"


def test_help_is_wrapped_to_the_terminal_width() -> None:
    def help_lines(columns: int) -> list[str]:
        env = {**os.environ, "COLUMNS": str(columns)}
        done = subprocess.run(
            [sys.executable, "-m", "cflint", "--help"], env=env, capture_output=True, text=True, check=True
        )
        return done.stdout.splitlines()

    narrow, wide = help_lines(60), help_lines(150)
    assert len(narrow) > len(wide)
    assert max(map(len, wide)) > 100
