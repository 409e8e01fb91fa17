"""What cflint never does to the code it checks: import or run it, evaluate its
pyproject.toml beyond TOML parsing, open a network connection, start a process, or write
anything but its result cache."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.helpers import GUIDE_EXAMPLES, REPO, guide_function, run_subprocess, write_files

# Top-level code that leaves a marker when the module is imported, run or exec'd.
MARKER = "import pathlib\npathlib.Path(__file__).with_name('MARKER').write_text('executed')\n"

# Runs cflint in-process under an audit hook (PEP 578), which sees every socket, process,
# file open, import and code execution of the interpreter, including those made from C and
# those of cflint's worker processes (forked: they inherit the hook, and each event is
# appended to the log at once). The hook cannot be removed, so it runs in its own process,
# started as a script, as the `cflint` command is, so the current folder is not on sys.path.
# Writes are allowed in CFLINT_CACHE_DIR only; os.fork starts cflint's own --jobs workers.
AUDITED_RUN = """
import os, sys
log, folders = sys.argv[1], [os.path.abspath(p) for p in sys.argv[2:]]
cache = os.path.abspath(os.environ["CFLINT_CACHE_DIR"])

def inside(path, tops):
    path = os.path.abspath(os.fsdecode(path))
    return any(path == top or path.startswith(top + os.sep) for top in tops)

def record(text):
    with open(log, "a", encoding="utf-8") as stream:
        stream.write(text + "\\n")

def hook(event, args):
    if event.startswith("socket.") or event in ("subprocess.Popen", "os.system", "os.posix_spawn", "os.exec",
                                                "os.spawn", "os.startfile", "webbrowser.open"):
        record(event)
    elif event == "exec" and hasattr(args[0], "co_filename") and inside(args[0].co_filename, folders):
        record(f"exec: {args[0].co_filename}")
    elif event == "import" and isinstance(args[1], str) and inside(args[1], folders):
        record(f"import: {args[0]}")
    elif event == "open" and isinstance(args[0], (str, bytes)) and not inside(args[0], [cache, log]):
        mode, flags = args[1], args[2]
        if (mode and any(c in mode for c in "wax+")) or (flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT)):
            record(f"open for writing: {os.fsdecode(args[0])}")

sys.addaudithook(hook)
from cflint.cli.main import main
code = main(["--select", "ALL", "--jobs", "2", *sys.argv[2:]])
for name, module in list(sys.modules.items()):
    if inside(getattr(module, "__file__", None) or "/", folders):
        record(f"module loaded: {name}")
record(f"exit code {code}")
"""


def _audited_run(tmp_path: Path, script_text: str, cwd: Path, folders: list[str]) -> list[str]:
    script = tmp_path / "driver" / "audited_run.py"
    write_files(script.parent, {script.name: script_text})
    log = tmp_path / "audit.log"
    env = {
        "PYTHONPATH": str(REPO),
        "PATH": "/usr/bin:/bin",
        "PYTHONDONTWRITEBYTECODE": "1",
        "CFLINT_CACHE_DIR": str(tmp_path / "cache"),
    }
    subprocess.run([sys.executable, str(script), str(log), *folders], cwd=cwd, env=env, check=True, timeout=300)
    return log.read_text(encoding="utf-8").splitlines()


def test_no_import_network_process_or_write_while_linting(tmp_path: Path) -> None:
    work = tmp_path / "work"
    folders = [guide_function(work / example, example) for example in GUIDE_EXAMPLES]
    shadowing = {name: MARKER for name in ("libcst.py", "pathspec.py", "rich.py", "packaging.py", "tomli.py")}
    folders.append(
        write_files(
            work / "marker",
            {
                "user.py": MARKER + "import helper\ndef main():\n    return 'ok'\n",
                "helper.py": MARKER,
                "__init__.py": MARKER,
                "sitecustomize.py": MARKER,
                "requirements.txt": "",
                **shadowing,
            },
        )
    )
    events = _audited_run(tmp_path, AUDITED_RUN, work, [folder.name for folder in folders])
    assert events in (["exit code 0"], ["exit code 1"])
    assert list(work.rglob("MARKER")) == []


def test_the_audited_run_sees_what_it_looks_for(tmp_path: Path) -> None:
    """The audit hook above can fail: a run that imports a user module, writes into the
    folder and opens a socket is caught on all three."""
    folder = write_files(tmp_path / "work" / "fn", {"user.py": MARKER})
    tampered = AUDITED_RUN.replace(
        "from cflint.cli.main import main",
        "sys.path.insert(0, folders[0]); import user; import socket; socket.socket().close()\nfrom cflint.cli.main import main",
    )
    events = _audited_run(tmp_path, tampered, folder.parent, ["fn"])
    assert f"exec: {folder / 'user.py'}" in events
    assert f"open for writing: {folder / 'MARKER'}" in events
    assert "socket.__new__" in events
    assert "module loaded: user" in events


def test_pyproject_values_that_look_like_code_are_only_data(tmp_path: Path) -> None:
    payload = "__import__('pathlib').Path('MARKER').write_text('evaluated')"
    write_files(
        tmp_path,
        {
            "user.py": "def main():\n    return 'ok'\n",
            "requirements.txt": "",
            "pyproject.toml": (
                f'[project]\nname = "fn"\nversion = "{payload}"\n\n'
                f'[tool.cflint]\nper-file-ignores = {{ "{payload}" = ["CF011"] }}\nextend-exclude = ["{payload}"]\n'
            ),
        },
    )
    assert run_subprocess(".", cwd=tmp_path).code == 0
    (tmp_path / "pyproject.toml").write_text(f'[tool.cflint]\nmax-file-size = "{payload}"\n', encoding="utf-8")
    result = run_subprocess(".", cwd=tmp_path)
    assert result.code == 2 and result.err.startswith(f"cflint: error: {tmp_path / 'pyproject.toml'}: max-file-size: ")
    assert not (tmp_path / "MARKER").exists()


def test_python_m_cflint_inside_the_linted_folder_imports_nothing_from_it(tmp_path: Path) -> None:
    """`python -m` puts the current folder first on sys.path: cflint's __main__ takes it
    off before importing its dependencies, so these modules are never loaded."""
    names = ("libcst.py", "pathspec.py", "rich.py", "packaging.py", "tomli.py", "typing_extensions.py", "yaml.py")
    write_files(
        tmp_path, {"user.py": "def main():\n    return 'ok'\n", "requirements.txt": "", **dict.fromkeys(names, MARKER)}
    )
    result = run_subprocess(".", cwd=tmp_path)
    assert (result.code, result.err) == (0, "")
    assert not (tmp_path / "MARKER").exists()
