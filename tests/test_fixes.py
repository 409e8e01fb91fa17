"""`--fix`, `--unsafe-fixes`, `--diff`, `--fix-only`: every fix before and after, on oddly
formatted files, and the guarantees of every write (it parses, it keeps what it did not
touch, it is stable, it never clobbers a file that changed meanwhile)."""

from __future__ import annotations

import ast
import difflib
import json
import os
import stat
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest

from cflint.engine.registry import load_registry
from cflint.fixer.applier import FileFixer, FixPolicy, fix_file, write_outcome
from cflint.model import Finding, Fix, Position, Safety, Severity, TextEdit
from cflint.project import FileContext, FileJob
from cflint.settings.config import Settings
from tests.helpers import GUIDE_FIXTURES, CliResult, write_files

Cflint = Callable[..., CliResult]
DATA = Path(__file__).resolve().parent / "data"
FLASK_MAIN = "from flask import request\n\n\ndef main():\n    return 'ok'\n"


def _statement_dumps(tree: ast.AST) -> list[tuple[int, int, str]]:
    return [
        (node.lineno, node.end_lineno or node.lineno, ast.dump(node))
        for node in ast.walk(tree)
        if isinstance(node, ast.stmt)
    ]


def assert_untouched_statements_kept(before: str, after: str) -> None:
    """Every statement of `before` whose lines the fix did not change is still in `after`."""
    old_lines, new_lines = before.splitlines(), after.splitlines()
    changed: set[int] = set()
    for tag, i1, i2, _, _ in difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False).get_opcodes():
        if tag != "equal":
            changed.update(range(i1 + 1, max(i2, i1 + 1) + 1))
    kept = {dump for _, _, dump in _statement_dumps(ast.parse(after))}
    for first, last, dump in _statement_dumps(ast.parse(before)):
        if not changed & set(range(first, last + 1)):
            assert dump in kept, f"statement on lines {first}-{last} changed"


# (id, files before, flags, user.py after, requirements.txt after or None, codes left)
CASES = [
    (
        "CF305 from-module import, comments and blank lines kept",
        {"user.py": "# header\n\nfrom .helpers import greet  # why\n\n\ndef main():\n    return greet()\n"},
        (),
        "# header\n\nfrom helpers import greet  # why\n\n\ndef main():\n    return greet()\n",
        None,
        [],
    ),
    (
        "CF305 from-dot import of several names becomes import",
        {"user.py": "from . import helpers, other as o\n\n\ndef main():\n    return helpers.x + o.y\n"},
        (),
        "import helpers, other as o\n\n\ndef main():\n    return helpers.x + o.y\n",
        None,
        [],
    ),
    (
        "CF403 call split across lines with a trailing comma and a comment",
        {
            "user.py": "import requests\n\n\ndef main():\n    r = requests.get(\n        'https://x',\n"
            "        headers={'a': '1'},  # the headers\n    )\n    return r.text\n"
        },
        ("--unsafe-fixes",),
        "import requests\n\n\ndef main():\n    r = requests.get(\n        'https://x',\n"
        "        headers={'a': '1'},  # the headers\n        timeout=10,\n    )\n    return r.text\n",
        None,
        [],
    ),
    (
        "CF403 comment after the last argument, no trailing comma",
        {"user.py": "import requests\n\n\ndef main():\n    return requests.get('u'  # c\n    ).text\n"},
        ("--unsafe-fixes",),
        "import requests\n\n\ndef main():\n    return requests.get('u', timeout=10  # c\n    ).text\n",
        None,
        [],
    ),
    (
        "CF403 timeout=None replaced, positional None too",
        {
            "user.py": "import subprocess\nimport urllib.request\n\n\ndef main():\n"
            "    subprocess.run(['ls'], timeout=None)\n    urllib.request.urlopen('u', None, None)\n    return 'ok'\n"
        },
        ("--unsafe-fixes",),
        "import subprocess\nimport urllib.request\n\n\ndef main():\n"
        "    subprocess.run(['ls'], timeout=10)\n    urllib.request.urlopen('u', None, 10)\n    return 'ok'\n",
        None,
        [],
    ),
    (
        "CF403 nested calls, one in the other's arguments: both fixed",
        {"user.py": "import requests\n\n\ndef main():\n    return requests.post('u', data=requests.get('v')).text\n"},
        ("--unsafe-fixes",),
        "import requests\n\n\ndef main():\n"
        "    return requests.post('u', data=requests.get('v', timeout=10), timeout=10).text\n",
        None,
        [],
    ),
    (
        "CF403 is unsafe: --fix alone leaves it",
        {"user.py": "import requests\n\n\ndef main():\n    return requests.get('u').text\n"},
        (),
        "import requests\n\n\ndef main():\n    return requests.get('u').text\n",
        None,
        ["CF403"],
    ),
    (
        "CF103 request parameter with tabs",
        {"user.py": "import json\n\n\ndef main(request):\n\tname = request.args.get('n')\n\treturn {'n': name}\n"},
        ("--unsafe-fixes",),
        "import json\nfrom flask import request\n\n\ndef main():\n\tname = request.args.get('n')\n\treturn {'n': name}\n",
        None,
        [],
    ),
    (
        "CF103 req parameter joins an existing flask import as an alias",
        {"user.py": "from flask import abort\n\n\ndef main(req):\n    return {'d': req.get_json() or abort(400)}\n"},
        ("--unsafe-fixes",),
        "from flask import abort, request as req\n\n\ndef main():\n    return {'d': req.get_json() or abort(400)}\n",
        None,
        [],
    ),
    (
        "CF103 uses renamed to the module's existing request import",
        {"user.py": "from flask import request\n\n\ndef main(req):\n    return {'m': req.method}\n"},
        ("--unsafe-fixes",),
        "from flask import request\n\n\ndef main():\n    return {'m': request.method}\n",
        None,
        [],
    ),
    (
        "CF103 parameter used otherwise: no fix",
        {"user.py": "def main(event):\n    return event['body']\n"},
        ("--unsafe-fixes",),
        "def main(event):\n    return event['body']\n",
        None,
        ["CF103"],
    ),
    (
        "CF207 json.dumps of dicts returned, in a tuple too (CRLF endings)",
        {
            "user.py": b"import json\r\n\r\n\r\ndef main():\r\n    result = {'a': 1}\r\n    if result:\r\n"
            b"        return json.dumps({\r\n            'error': 'x',  # why\r\n        }, ensure_ascii=False), 400\r\n"
            b"    return json.dumps(result)\r\n"
        },
        ("--unsafe-fixes", "--extend-select", "CF207"),
        "import json\r\n\r\n\r\ndef main():\r\n    result = {'a': 1}\r\n    if result:\r\n"
        "        return {\r\n            'error': 'x',  # why\r\n        }, 400\r\n    return result\r\n",
        None,
        [],
    ),
    (
        "CF207 json.dumps with default=: no fix",
        {"user.py": "import json\n\n\ndef main():\n    return json.dumps({'a': 1}, default=str)\n"},
        ("--unsafe-fixes", "--extend-select", "CF207"),
        "import json\n\n\ndef main():\n    return json.dumps({'a': 1}, default=str)\n",
        None,
        ["CF207"],
    ),
    (
        "CF303 distributions added in the file's style (CRLF, no final line break)",
        {
            "user.py": "import requests\nimport yaml\nimport mystery_module\n\n\ndef main():\n    return 'ok'\n",
            "requirements.txt": b"flask\r\npython-dateutil",
        },
        ("--unsafe-fixes",),
        "import requests\nimport yaml\nimport mystery_module\n\n\ndef main():\n    return 'ok'\n",
        "flask\r\npython-dateutil\r\npyyaml\r\nrequests\r\n",
        ["CF303"],
    ),
    (
        "CF010 missing colon, CF011 unused noqa codes and directives (BOM kept)",
        {
            "user.py": "\ufeffimport os  # noqa CF403\nimport sys  # noqa: CF403, E501\nx = 1  # noqa\n\n\n"
            "def main():\n    return 'ok'\n"
        },
        ("--extend-select", "CF011"),
        "\ufeffimport os\nimport sys  # noqa: E501\nx = 1\n\n\ndef main():\n    return 'ok'\n",
        None,
        [],
    ),
]


@pytest.mark.parametrize(
    ("files", "flags", "after", "requirements", "left"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_fix_table(
    tmp_path: Path,
    cflint: Cflint,
    files: dict[str, str | bytes],
    flags: tuple[str, ...],
    after: str,
    requirements: str | None,
    left: list[str],
) -> None:
    files = {"requirements.txt": "requests\n", "helpers.py": "", "other.py": "", **files}
    write_files(tmp_path, files)
    user = tmp_path / "user.py"
    before = user.read_bytes().decode("utf-8")
    result = cflint("--fix", *flags, ".")
    assert user.read_bytes().decode("utf-8") == after, result.out + result.err
    if requirements is not None:
        assert (tmp_path / "requirements.txt").read_bytes().decode("utf-8") == requirements
    assert result.err == ""
    assert sorted(set(result.codes)) == left
    compile(after.lstrip("\ufeff"), "user.py", "exec")
    assert_untouched_statements_kept(before.lstrip("\ufeff"), after.lstrip("\ufeff"))
    # Re-linting shows nothing more to fix, and fixing again changes no byte.
    again = cflint("--fix", *flags, ".")
    assert sorted(set(again.codes)) == left
    assert user.read_bytes().decode("utf-8") == after
    assert f"({0} fixed, " in again.out


def test_summary_counts_fixed_and_remaining(tmp_path: Path, cflint: Cflint) -> None:
    write_files(
        tmp_path,
        {
            "requirements.txt": "requests\n",
            "helpers.py": "",
            "user.py": "import requests\nfrom .helpers import x\n\n\ndef main():\n    return requests.get('u').text\n",
        },
    )
    result = cflint("--fix", ".")
    assert result.code == 1
    assert result.lines[-1] == "Found 2 problems (1 fixed, 1 remaining)."
    assert result.codes == ["CF403"]
    assert result.lines[0].endswith("[unsafe fix: --unsafe-fixes]")
    result = cflint("--fix", "--unsafe-fixes", ".")
    assert (result.code, result.lines) == (0, ["Found 1 problem (1 fixed, 0 remaining)."])


def test_fix_only_reports_only_the_summary(tmp_path: Path, cflint: Cflint) -> None:
    write_files(
        tmp_path,
        {
            "requirements.txt": "requests\n",
            "helpers.py": "",
            "user.py": "import requests\nfrom .helpers import x\n\n\ndef main():\n    return requests.get(x).text\n",
        },
    )
    result = cflint("--fix-only", ".")
    assert (result.code, result.lines) == (0, ["Found 2 problems (1 fixed, 1 remaining)."])


def test_diff_writes_nothing_and_exits_1(tmp_path: Path, cflint: Cflint) -> None:
    source = "import requests\n\n\ndef main():\n    return requests.get('u').text\n"
    write_files(tmp_path, {"requirements.txt": "", "user.py": source})
    paths = [tmp_path / "user.py", tmp_path / "requirements.txt"]
    old = 1_000_000_000
    for path in paths:
        os.utime(path, ns=(old, old))
    before = [(p.read_bytes(), p.stat().st_mtime_ns) for p in paths]
    result = cflint("--diff", "--unsafe-fixes", ".")
    assert [(p.read_bytes(), p.stat().st_mtime_ns) for p in paths] == before
    assert result.code == 1
    assert result.out.splitlines() == [
        "--- a/user.py",
        "+++ b/user.py",
        "@@ -2,4 +2,4 @@",
        " ",
        " ",
        " def main():",
        "-    return requests.get('u').text",
        "+    return requests.get('u', timeout=10).text",
        "--- a/requirements.txt",
        "+++ b/requirements.txt",
        "@@ -0,0 +1 @@",
        "+requests",
    ]
    assert result.err == "Would fix 2 problems.\n"
    assert [(p.read_bytes(), p.stat().st_mtime_ns) for p in paths] == before
    clean = cflint("--diff", ".", cwd=tmp_path)  # safe fixes only: none apply
    assert (clean.code, clean.out) == (0, "")


def test_archive_is_never_fixed(tmp_path: Path, cflint: Cflint) -> None:
    import zipfile

    with zipfile.ZipFile(tmp_path / "fn.zip", "w") as archive:
        archive.writestr("user.py", "from .x import y\n")
    before = (tmp_path / "fn.zip").read_bytes()
    result = cflint("--fix", "fn.zip")
    assert result.code == 2
    assert result.err.count("\n") == 1 and "never modified" in result.err
    assert (tmp_path / "fn.zip").read_bytes() == before


def test_write_keeps_mode_and_encoding(tmp_path: Path, cflint: Cflint) -> None:
    source = "# -*- coding: latin-1 -*-\nfrom .helpers import x\nNAME = 'caf\xe9'\n\n\ndef main():\n    return NAME\n"
    write_files(tmp_path, {"requirements.txt": "", "helpers.py": "", "user.py": source.encode("latin-1")})
    user = tmp_path / "user.py"
    user.chmod(0o751)
    cflint("--fix", ".")
    assert user.read_bytes() == source.replace("from .helpers", "from helpers").encode("latin-1")
    assert stat.S_IMODE(user.stat().st_mode) == 0o751
    assert not [p for p in tmp_path.iterdir() if "cflint-fix" in p.name]


def _job(path: Path, enabled: frozenset[str] = frozenset({"CF999"})) -> FileJob:
    settings = Settings(base_dir=path.parent)
    return FileJob(FileContext.of(path, path.name, settings, None), enabled)


def _finding_with_fix(path: str, line: int, new_text: str) -> Finding:
    edit = TextEdit(Position(line, 1), Position(line, 1), new_text)
    return Finding(
        path, Position(line, 1), "CF999", "m", Severity.ERROR, Position(line, 1), Fix(Safety.SAFE, "d", (edit,))
    )


def test_a_fix_whose_result_does_not_parse_is_dropped_and_reported(tmp_path: Path) -> None:
    path = tmp_path / "user.py"
    path.write_text("a = 1\nb = 2\n", encoding="utf-8")

    def lint(job: FileJob) -> list[Finding]:
        text = (job.source or b"").decode()
        findings = []
        if text.startswith("a"):
            findings.append(_finding_with_fix("user.py", 1, "# fixed\n"))
        if "b = 2" in text and "(" not in text:
            findings.append(_finding_with_fix("user.py", 2, "("))  # would break the file
        return findings

    outcome = fix_file(FileFixer(lint, FixPolicy()), _job(path))
    assert outcome.after == "# fixed\na = 1\nb = 2\n"
    assert outcome.applied == 1
    assert outcome.notes == ["user.py:2:1: CF999 fix dropped: the fixed file would not parse"]


def test_a_file_changed_during_the_run_is_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "user.py"
    path.write_text("a = 1\n", encoding="utf-8")

    def lint(job: FileJob) -> list[Finding]:
        text = (job.source or b"").decode()
        return [_finding_with_fix("user.py", 1, "# fixed\n")] if text.startswith("a") else []

    outcome = fix_file(FileFixer(lint, FixPolicy()), _job(path))
    assert outcome.changed
    path.write_text("a = 2\n", encoding="utf-8")  # someone saves the file meanwhile
    assert write_outcome(outcome) == "user.py: changed on disk during the run; not written"
    assert path.read_text(encoding="utf-8") == "a = 2\n"


def test_fix_never_loops_forever(tmp_path: Path) -> None:
    path = tmp_path / "user.py"
    path.write_text("a = 1\n", encoding="utf-8")

    def lint(job: FileJob) -> list[Finding]:
        return [_finding_with_fix("user.py", 1, "# again\n")]  # a fix that always comes back

    outcome = fix_file(FileFixer(lint, FixPolicy()), _job(path))
    assert outcome.applied == 16
    assert outcome.notes[-1].endswith("fixes still applied after 16 passes; stopped")


def test_config_fix_unfixable_and_fix_timeout(tmp_path: Path, cflint: Cflint) -> None:
    source = "import requests\nfrom .helpers import x\n\n\ndef main():\n    return requests.get('u').text\n"
    write_files(
        tmp_path,
        {
            "requirements.txt": "requests\n",
            "helpers.py": "",
            "user.py": source,
            "cflint.toml": 'fix = true\nunsafe-fixes = true\nunfixable = ["CF305"]\nfix-timeout = 2.5\n',
        },
    )
    result = cflint(".")
    assert (tmp_path / "user.py").read_text(encoding="utf-8") == source.replace("'u')", "'u', timeout=2.5)")
    assert result.codes == ["CF305"]
    assert "[fix" not in result.out  # unfixable: no fix offered
    assert cflint("--no-fix", ".").codes == ["CF305"]


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("fix-timeout = 0", "fix-timeout"),
        ('fix = "yes"', "fix: expected true or false"),
        ('unfixable = ["XX1"]', "unfixable"),
    ],
)
def test_bad_fix_config_is_a_usage_error(tmp_path: Path, cflint: Cflint, line: str, problem: str) -> None:
    write_files(tmp_path, {"requirements.txt": "", "user.py": FLASK_MAIN, "cflint.toml": line + "\n"})
    result = cflint(".")
    assert result.code == 2 and problem in result.err and result.err.count("\n") == 1


def test_json_and_sarif_carry_the_fix(tmp_path: Path, cflint: Cflint) -> None:
    write_files(
        tmp_path,
        {
            "requirements.txt": "",
            "helpers.py": "",
            "user.py": "from .helpers import x\n\n\ndef main(request):\n    return x\n",
        },
    )
    findings = json.loads(cflint("--format", "json", ".").out)
    schema = json.loads((DATA / "cflint-json-output.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(findings, schema)
    fixes = {f["code"]: f["fix"] for f in findings}
    assert fixes["CF305"] == {
        "applicability": "safe",
        "message": "import the sibling module by its name",
        "edits": [{"path": None, "start": {"line": 1, "column": 6}, "end": {"line": 1, "column": 7}, "content": ""}],
    }
    assert fixes["CF103"]["applicability"] == "unsafe"
    sarif = json.loads(cflint("--format", "sarif", ".").out)
    jsonschema.validate(sarif, json.loads((DATA / "sarif-schema-2.1.0.json").read_text(encoding="utf-8")))
    results = {r["ruleId"]: r for r in sarif["runs"][0]["results"]}
    fix = results["CF305"]["fixes"][0]
    assert fix["properties"] == {"safety": "safe"}
    assert fix["artifactChanges"][0]["replacements"] == [
        {
            "deletedRegion": {"startLine": 1, "startColumn": 6, "endLine": 1, "endColumn": 7},
            "insertedContent": {"text": ""},
        }
    ]
    gitlab = json.loads(cflint("--format", "gitlab", ".").out)
    assert any(i["description"].endswith("[fix: --fix]") for i in gitlab)


def test_guide_external_api_example_ends_clean(tmp_path: Path, cflint: Cflint) -> None:
    write_files(
        tmp_path,
        {
            "user.py": (GUIDE_FIXTURES / "external_api.py").read_bytes(),
            "requirements.txt": (GUIDE_FIXTURES / "requirements.txt").read_bytes(),
        },
    )
    assert cflint(".").codes == ["CF403"]
    diff = cflint("--diff", "--unsafe-fixes", ".")
    assert diff.code == 1 and "+        response = requests.get(" in diff.out
    result = cflint("--fix", "--unsafe-fixes", ".")
    assert (result.code, result.lines) == (0, ["Found 1 problem (1 fixed, 0 remaining)."])
    assert cflint(".").codes == []
    assert cflint("--extend-select", "CF207", "--fix", "--unsafe-fixes", ".").code == 0
    assert cflint("--extend-select", "CF207", ".").codes == []


def test_editor_api_lints_unsaved_text(tmp_path: Path) -> None:
    from cflint.api import LintOptions, lint_source, lsp_range

    write_files(tmp_path, {"requirements.txt": "requests\n", "user.py": "def main():\n    return 'saved'\n"})
    text = "import requests\n\n\ndef main():\n    return requests.get('\U0001f600').text\n"
    findings = lint_source(
        tmp_path / "user.py", text, options=LintOptions(cwd=tmp_path), registry=load_registry()
    ).findings
    assert [(f.code, f.path) for f in findings] == [("CF403", "user.py")]
    fix = findings[0].fix
    assert fix is not None and fix.safety is Safety.UNSAFE
    (edit,) = fix.edits
    assert (edit.start, edit.end, edit.new_text) == (Position(5, 28), Position(5, 28), ", timeout=10")
    assert lsp_range(text, edit) == ((4, 28), (4, 28))  # the emoji is two UTF-16 code units
    assert (tmp_path / "user.py").read_text(encoding="utf-8") == "def main():\n    return 'saved'\n"


NESTED_SOURCE = (
    "import requests\n\n\nclass A:\n\tdef f(self):\n\t\tif True:\n\t\t\treturn requests.get(\n\t\t\t\t'u',  # c\n"
    "\t\t\t\theaders={},\n\t\t\t)\n\n\ndef g():\n    x = [requests.get('v'),\n         requests.get(\n"
    "             'w') ]  \\\n        if 1 else None\n    return x\n"
)


def test_edits_equal_what_libcst_generates_for_the_replaced_tree() -> None:
    """Ground truth: a replacement's edit applied to the text gives LibCST's own code of the
    module with the node replaced (deep_replace), for every call of an indented, tabbed file."""
    import libcst as cst

    from cflint.fix.edits import add_keyword_argument
    from cflint.fix.proposal import ModuleEditor, Replace
    from cflint.fix.text import apply_edits

    module = cst.parse_module(NESTED_SOURCE)
    calls = [
        node for node in _all_nodes(module) if isinstance(node, cst.Call) and "get" in module.code_for_node(node.func)
    ]
    assert len(calls) == 3
    changes = [add_keyword_argument(call, "timeout", cst.Integer("10")) for call in calls]
    editor = ModuleEditor(module, NESTED_SOURCE)
    from cflint.fix.proposal import FixProposal

    editor.prepare([FixProposal(Safety.UNSAFE, "d", tuple(c for c in changes if c is not None))])
    for change in changes:
        assert isinstance(change, Replace)
        edit = editor.edit(change)
        assert edit is not None
        expected = module.deep_replace(change.node, change.replacement).code
        assert apply_edits(NESTED_SOURCE, [edit]) == expected


def _all_nodes(module: object) -> list[object]:
    found, stack = [], [module]
    while stack:
        node = stack.pop()
        found.append(node)
        stack.extend(node.children)  # type: ignore[attr-defined]
    return found


def test_fix_with_json_keeps_stdout_json_and_summarises_on_stderr(tmp_path: Path, cflint: Cflint) -> None:
    write_files(
        tmp_path,
        {
            "requirements.txt": "requests\n",
            "helpers.py": "",
            "user.py": "import requests\nfrom .helpers import x\n\n\ndef main():\n    return requests.get(x).text\n",
        },
    )
    result = cflint("--fix", "--format", "json", ".")
    findings = json.loads(result.out)
    assert [(f["code"], f["fix"]["applicability"]) for f in findings] == [("CF403", "unsafe")]
    assert result.err == "Found 2 problems (1 fixed, 1 remaining).\n"
    assert result.code == 1
