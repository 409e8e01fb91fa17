"""`cflint rule CODE` and `cflint rule --all`, from a checkout and from a built wheel."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

import cflint
from cflint.engine.registry import load_registry
from cflint.output.matchers import MATCHER_FILES
from tests.helpers import REPO, RULE_PAGES, CliResult

REGISTRY = load_registry()


def test_rule_page_is_printed_as_is_when_not_on_a_terminal(cflint: Callable[..., CliResult]) -> None:
    result = cflint("rule", "cf103")
    assert (result.code, result.out) == (0, (RULE_PAGES / "CF103.md").read_text(encoding="utf-8"))


def test_rule_page_is_rendered_for_a_terminal(cflint: Callable[..., CliResult]) -> None:
    result = cflint("rule", "CF103", "--color", "always")
    assert result.code == 0 and "\x1b[" in result.out
    assert "CF103: entry-function-parameters" in result.out
    assert "# CF103" not in result.out and "```" not in result.out and "## Example" not in result.out


def test_rule_all_lists_every_rule(cflint: Callable[..., CliResult]) -> None:
    result = cflint("rule", "--all")
    assert result.code == 0 and len(result.lines) == len(REGISTRY.rules)
    for line, rule in zip(result.lines, REGISTRY.rules, strict=True):
        code, severity, summary = line.split(maxsplit=2)
        assert (code, severity) == (rule.code, rule.severity.value)
        assert summary.startswith(rule.summary)
        assert summary.endswith("(off by default)") is not rule.default_enabled


@pytest.mark.parametrize(
    ("args", "message"), [(["CF999"], "unknown rule code 'CF999'"), ([], "give one rule code or --all")]
)
def test_rule_usage_errors(args: list[str], message: str, cflint: Callable[..., CliResult]) -> None:
    result = cflint("rule", *args)
    assert result.code == 2 and message in result.err


def _wheel(tmp_path: Path) -> Path:
    """The wheel .ci/run built (CFLINT_WHEEL), so CI builds it once; else one built here."""
    built = os.environ.get("CFLINT_WHEEL")
    if built:
        return Path(built)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path / "dist"), str(REPO)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = (tmp_path / "dist").glob("cflint-*.whl")
    return wheel


@pytest.mark.slow
def test_wheel_ships_rule_pages_and_matchers(tmp_path: Path) -> None:
    wheel = _wheel(tmp_path)
    assert wheel.name.startswith(f"cflint-{cflint.__version__}-")  # the version is declared once, in cflint/__init__.py
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        archive.extractall(tmp_path / "site")
    assert {f"cflint/rule_pages/{code}.md" for code in REGISTRY.codes} <= names
    assert {f"cflint/output/matchers/{name}" for name in MATCHER_FILES.values()} <= names
    data = {
        path.name for path in (REPO / "cflint" / "knowledge" / "data").iterdir() if path.suffix in {".toml", ".tsv"}
    }
    assert data and {f"cflint/knowledge/data/{name}" for name in data} <= names
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "site")}
    printed = subprocess.run(
        [sys.executable, "-m", "cflint", "rule", "CF101"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout == (RULE_PAGES / "CF101.md").read_text(encoding="utf-8")
    located = subprocess.run(
        [sys.executable, "-c", "from cflint.output.pages import pages_dir; print(pages_dir())"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert Path(located.stdout.strip()) == (tmp_path / "site" / "cflint" / "rule_pages").resolve()


def test_rule_page_is_rendered_on_a_real_terminal(tmp_path: Path) -> None:
    pty = pytest.importorskip("pty", reason="no pseudo-terminals on this platform")
    controller, terminal = pty.openpty()
    env = {**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "100", "TERM": "xterm"}
    env.pop("NO_COLOR", None)
    with os.fdopen(controller, "rb", buffering=0) as reader:
        process = subprocess.Popen(
            [sys.executable, "-m", "cflint", "rule", "CF103"],
            cwd=tmp_path,
            env=env,
            stdout=terminal,
            stderr=terminal,
        )
        os.close(terminal)
        chunks = []
        while True:
            try:
                chunk = reader.read(65536)
            except OSError:  # the terminal closes when the process exits
                break
            if not chunk:
                break
            chunks.append(chunk)
        assert process.wait(timeout=60) == 0
    screen = b"".join(chunks).decode("utf-8", errors="replace")
    assert "\x1b[" in screen and "CF103: entry-function-parameters" in screen and "```" not in screen
