"""Test helpers: write function folders, run the real CLI, read rule pages."""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RULE_PAGES = REPO / "rules"
GUIDE_FIXTURES = Path(__file__).resolve().parent / "fixtures" / "guide"


@dataclass(frozen=True)
class CliResult:
    code: int
    out: str
    err: str

    @property
    def lines(self) -> list[str]:
        return self.out.splitlines()

    @property
    def codes(self) -> list[str]:
        return [
            line.split(": ", 1)[1].split(" ", 1)[0] for line in self.lines if re.match(r"^.+:\d+:\d+: CF\d{3} ", line)
        ]


def write_files(root: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


@dataclass
class CodeBlock:
    language: str
    title: str | None
    text: str


@dataclass
class RulePage:
    code: str
    name: str
    severity: str
    default: str
    summary: str
    sections: dict[str, str] = field(default_factory=dict)

    def blocks(self, section: str) -> list[CodeBlock]:
        found = []
        pattern = r'^```(\w+)(?: title="([^"]+)")?\n(.*?)^```$'
        for language, title, text in re.findall(pattern, self.sections.get(section, ""), re.S | re.M):
            found.append(CodeBlock(language, title or None, text))
        return found


def parse_page(path: Path) -> RulePage:
    text = path.read_text(encoding="utf-8")
    heading = re.match(
        r"^# (CF\d{3}): ([a-z0-9-]+)\n\n\| Severity \| Default \|\n\| --- \| --- \|\n\| (\w+) \| ([^|]+) \|\n\n([^\n]+)\n",
        text,
    )
    assert heading, f"{path.name}: page does not start with the standard heading, table and summary"
    code, name, severity, default, summary = heading.groups()
    sections: dict[str, str] = {}
    for match in re.finditer(r"^## (.+?)\n(.*?)(?=^## |\Z)", text, re.S | re.M):
        sections[match.group(1).strip()] = match.group(2)
    return RulePage(code, name, severity, default.strip(), summary, sections)


def write_example(folder: Path, blocks: list[CodeBlock]) -> str:
    """Write a rule page's example into `folder`; returns what to lint. Blocks are files of
    a function folder, except a block titled `NAME.zip`: it lists an archive's members, one
    path a line, written as empty files into that archive, which is then what to lint."""
    archives = [block for block in blocks if (block.title or "").endswith(".zip")]
    write_files(folder, {block.title or "user.py": block.text for block in blocks if block not in archives})
    for block in archives:
        with zipfile.ZipFile(folder / str(block.title), "w") as archive:
            for member in block.text.splitlines():
                archive.writestr(member, b"")
    return str(archives[0].title) if archives else "."


def run_subprocess(
    *args: str, cwd: Path, env: dict[str, str] | None = None, stdin: str | None = None, timeout: float = 600
) -> CliResult:
    """Run `python -m cflint ARGS` as a separate process, importing cflint from this checkout."""
    import os
    import subprocess
    import sys
    import tempfile

    full_env = {**os.environ, "PYTHONPATH": str(REPO), "CFLINT_CACHE_DIR": tempfile.mkdtemp(prefix="cflint-cache-")}
    full_env.pop("NO_COLOR", None)
    full_env.update(env or {})
    completed = subprocess.run(
        [sys.executable, "-m", "cflint", *args],
        cwd=cwd,
        env=full_env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return CliResult(completed.returncode, completed.stdout, completed.stderr)


GUIDE_HANDLERS_CONFIG = (
    '[tool.cflint]\nentry-points = ["handlers.get_user", "handlers.create_user", "handlers.update_user"]\n'
)


def guide_function(folder: Path, example: str) -> Path:
    """A function folder holding one of the guide's examples and the guide's requirements."""
    requirements = (GUIDE_FIXTURES / "requirements.txt").read_text(encoding="utf-8")
    source = (GUIDE_FIXTURES / f"{example}.py").read_text(encoding="utf-8")
    if example == "handlers":
        files = {"handlers.py": source, "pyproject.toml": GUIDE_HANDLERS_CONFIG}
    else:
        files = {"user.py": source}
    return write_files(folder, {**files, "requirements.txt": requirements})


GUIDE_EXAMPLES = sorted(path.stem for path in GUIDE_FIXTURES.glob("*.py"))


def fix_note(finding: dict[str, object]) -> str:
    """The note the one-line formats add to a JSON finding's message when it has a fix."""
    fix = finding.get("fix")
    if not isinstance(fix, dict):
        return ""
    return " [fix: --fix]" if fix["applicability"] == "safe" else " [unsafe fix: --unsafe-fixes]"


@dataclass(frozen=True)
class Served:
    """What a function folder's entry function answered to one GET under Flask's test client."""

    status: int  # 0 when the entry module failed to import
    body: str  # the response text, or the import error
    content_type: str = ""
    headers: dict[str, str] = field(default_factory=dict, compare=False)  # every response header


_SERVE = """
import json, sys
sys.path.insert(0, sys.argv[1])
from flask import Flask
try:
    import user
except Exception as error:
    print(json.dumps([0, f"{type(error).__name__}: {error}", "", {}]))
    raise SystemExit
app = Flask("function")
app.add_url_rule("/", "main", user.main)
response = app.test_client().get(sys.argv[2])
answer = [response.status_code, response.get_data(as_text=True), response.content_type, dict(response.headers)]
print(json.dumps(answer))
"""


def serve(folder: Path, query: str = "/") -> Served:
    """Import `folder`'s user.py in a fresh Python (as the runtime does: the folder first on
    sys.path, Flask's modules imported) and answer GET `query` with `user.main`. The Python is
    a fork of one that has imported Flask (tests/forked_python.py) where that changes nothing."""
    import json

    from tests.forked_python import run_python

    completed = run_python(_SERVE, str(folder), query, first_on_path=folder)
    completed.check_returncode()
    status, body, content_type, headers = json.loads(completed.stdout.splitlines()[-1])
    return Served(status, body, content_type, headers)
