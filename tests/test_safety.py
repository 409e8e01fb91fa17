"""What cflint never does to the code it checks: import or run it, evaluate its
pyproject.toml beyond TOML parsing, open a network connection, start a process, or write
into the linted folders."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.helpers import GUIDE_EXAMPLES, REPO, guide_function, run_subprocess, write_files

# Top-level code that leaves a marker when the module is imported, run or exec'd.
MARKER = "import pathlib\npathlib.Path(__file__).with_name('MARKER').write_text('executed')\n"

# Runs cflint in-process under an audit hook (PEP 578), which sees every socket, process,
# file open and import of the interpreter, including those made from C. The hook cannot be
# removed, so it runs in its own process. Started as a script, as the `cflint` command is,
# so the current folder is not on sys.path.
AUDITED_RUN = '''
import json, os, sys
folders = [os.path.abspath(p) for p in sys.argv[2:]]
seen = []

def inside(path):
    path = os.path.abspath(os.fsdecode(path))
    return any(path == f or path.startswith(f + os.sep) for f in folders)

def hook(event, args):
    if event.startswith("socket.") or event in ("subprocess.Popen", "os.system", "os.posix_spawn", "os.exec",
                                                "os.spawn", "os.fork", "os.startfile", "webbrowser.open"):
        seen.append(event)
    elif event == "open" and isinstance(args[0], (str, bytes)) and inside(args[0]):
        mode, flags = args[1], args[2]
        if (mode and any(c in mode for c in "wax+")) or (flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT)):
            seen.append(f"open for writing: {os.fsdecode(args[0])}")

sys.addaudithook(hook)
from cflint.cli import main
code = main(["--select", "ALL", *sys.argv[2:]])
imported = sorted(name for name, module in list(sys.modules.items()) if inside(getattr(module, "__file__", None) or "/"))
with open(sys.argv[1], "w") as report:
    json.dump({"code": code, "events": seen, "user_modules_imported": imported}, report)
'''


def test_no_import_network_process_or_write_while_linting(tmp_path: Path) -> None:
    work = tmp_path / "work"
    folders = [guide_function(work / example, example) for example in GUIDE_EXAMPLES]
    shadowing = {name: MARKER for name in ("libcst.py", "pathspec.py", "rich.py", "packaging.py", "tomli.py")}
    folders.append(write_files(work / "marker", {
        "user.py": MARKER + "import helper\ndef main():\n    return 'ok'\n",
        "helper.py": MARKER,
        "__init__.py": MARKER,
        "sitecustomize.py": MARKER,
        "requirements.txt": "",
        **shadowing,
    }))
    script = tmp_path / "driver" / "audited_run.py"
    write_files(script.parent, {script.name: AUDITED_RUN})
    report = tmp_path / "report.json"
    subprocess.run(
        [sys.executable, str(script), str(report), *(folder.name for folder in folders)],
        cwd=work, env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"}, check=True, timeout=300,
    )
    result = json.loads(report.read_text(encoding="utf-8"))
    assert result["code"] in (0, 1)
    assert result["events"] == []
    assert result["user_modules_imported"] == []
    assert list(work.rglob("MARKER")) == []


def test_the_audited_run_sees_what_it_looks_for(tmp_path: Path) -> None:
    """The audit hook above can fail: a run that imports a user module, writes into the
    folder and opens a socket is caught on all three."""
    folder = write_files(tmp_path / "work" / "fn", {"user.py": MARKER})
    script = tmp_path / "driver" / "audited_run.py"
    tampered = AUDITED_RUN.replace(
        "code = main(",
        "sys.path.insert(0, folders[0]); import user; import socket; socket.socket().close()\ncode = main(",
    )
    write_files(script.parent, {script.name: tampered})
    report = tmp_path / "report.json"
    subprocess.run(
        [sys.executable, str(script), str(report), "fn"],
        cwd=folder.parent, env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"}, check=True, timeout=300,
    )
    result = json.loads(report.read_text(encoding="utf-8"))
    assert result["user_modules_imported"] == ["user"]
    assert "socket.__new__" in result["events"]
    assert any(event.startswith("open for writing: ") and event.endswith("MARKER") for event in result["events"])


def test_pyproject_values_that_look_like_code_are_only_data(tmp_path: Path) -> None:
    payload = "__import__('pathlib').Path('MARKER').write_text('evaluated')"
    write_files(tmp_path, {
        "user.py": "def main():\n    return 'ok'\n",
        "requirements.txt": "",
        "pyproject.toml": (
            f'[project]\nname = "fn"\nversion = "{payload}"\n\n'
            f'[tool.cflint]\nper-file-ignores = {{ "{payload}" = ["CF011"] }}\nextend-exclude = ["{payload}"]\n'
        ),
    })
    assert run_subprocess(".", cwd=tmp_path).code == 0
    (tmp_path / "pyproject.toml").write_text(f'[tool.cflint]\nmax-file-size = "{payload}"\n', encoding="utf-8")
    result = run_subprocess(".", cwd=tmp_path)
    assert result.code == 2 and result.err.startswith(f"cflint: error: {tmp_path / 'pyproject.toml'}: max-file-size: ")
    assert not (tmp_path / "MARKER").exists()


def test_python_m_cflint_inside_the_linted_folder_imports_nothing_from_it(tmp_path: Path) -> None:
    """`python -m` puts the current folder first on sys.path: cflint's __main__ takes it
    off before importing its dependencies, so these modules are never loaded."""
    names = ("libcst.py", "pathspec.py", "rich.py", "packaging.py", "tomli.py", "typing_extensions.py", "yaml.py")
    write_files(tmp_path, {"user.py": "def main():\n    return 'ok'\n", "requirements.txt": "", **dict.fromkeys(names, MARKER)})
    result = run_subprocess(".", cwd=tmp_path)
    assert (result.code, result.err) == (0, "")
    assert not (tmp_path / "MARKER").exists()
