"""--format github/json/sarif/gitlab: each checked against its client's grammar or schema."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import jsonschema
import pytest

from cflint.model import Finding, Position, Severity
from cflint.output.github import workflow_command
from cflint.output.pages import read_page
from tests.helpers import CliResult, fix_note, write_files

DATA = Path(__file__).resolve().parent / "data"
ODD_NAME = "odd: a,b %25 c.py"
NEWLINE_NAME = "new\nline.py"


def _unescape_data(text: str) -> str:
    return text.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")


def _unescape_property(text: str) -> str:
    for escaped, raw in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(escaped, raw)
    return text


_PROPERTY_VALUE = r"(?:[^%,:\r\n]|%25|%0D|%0A|%3A|%2C)*"
_COMMAND = re.compile(
    rf"::(?P<command>error|warning) (?P<properties>[A-Za-z]+={_PROPERTY_VALUE}(?:,[A-Za-z]+={_PROPERTY_VALUE})*)"
    r"::(?P<data>(?:[^%\r\n]|%25|%0D|%0A)*)"
)


def parse_workflow_command(line: str) -> tuple[str, dict[str, str], str]:
    """Parse one line as the Actions runner parses `::command k=v,k=v::data`, after checking its grammar."""
    match = _COMMAND.fullmatch(line)
    assert match, f"not a well-formed workflow command: {line!r}"
    properties = {}
    for item in match.group("properties").split(","):
        key, _, value = item.partition("=")
        properties[key] = _unescape_property(value)
    return match.group("command"), properties, _unescape_data(match.group("data"))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A folder of two function roots whose findings cover errors, warnings, a folder finding and odd paths."""
    return write_files(
        tmp_path,
        {
            "fn/user.py": "def main(request):\n    return 'hi'\n\nx = 1  # noqa: CF998, CF999\n",
            "fn/requirements.txt": "",
            f"fn/{ODD_NAME}": "def broken(:\n",
            f"fn/{NEWLINE_NAME}": "y = (\n",
            "nomodule/requirements.txt": "flask\n",
            "nomodule/tools.py": "X = 1\n",
        },
    )


def _json(cflint: Callable[..., CliResult], *args: str, cwd: Path) -> list[dict[str, Any]]:
    result = cflint("--format", "json", *args, cwd=cwd)
    assert result.code == 1, result.err
    return json.loads(result.out)


def test_json_output_matches_our_schema(project: Path, cflint: Callable[..., CliResult]) -> None:
    findings = _json(cflint, ".", cwd=project)
    schema = json.loads((DATA / "cflint-json-output.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(findings)
    assert {(f["code"], f["path"], f["severity"]) for f in findings} == {
        ("CF101", "nomodule", "error"),
        ("CF103", "fn/user.py", "error"),
        ("CF010", "fn/user.py", "warning"),
        ("CF001", f"fn/{ODD_NAME}", "error"),
        ("CF001", f"fn/{NEWLINE_NAME}", "error"),
    }
    cf103 = next(f for f in findings if f["code"] == "CF103")
    assert (cf103["start"], cf103["end"]) == ({"line": 1, "column": 10}, {"line": 1, "column": 17})
    assert cf103["url"] is None and cf103["name"] == "entry-function-parameters"  # no project site declared yet


def test_json_of_a_clean_run_is_an_empty_list(tmp_path: Path, cflint: Callable[..., CliResult]) -> None:
    write_files(tmp_path, {"requirements.txt": "", "user.py": "def main():\n    return 'ok'\n"})
    result = cflint("--format", "json", ".", cwd=tmp_path)
    assert (result.code, json.loads(result.out)) == (0, [])


def test_paths_outside_the_current_folder_stay_absolute(project: Path, cflint: Callable[..., CliResult]) -> None:
    elsewhere = project / "elsewhere"
    elsewhere.mkdir()
    findings = _json(cflint, str(project / "fn" / "user.py"), cwd=elsewhere)
    assert {f["path"] for f in findings} == {(project / "fn" / "user.py").as_posix()}


def test_github_lines_follow_the_workflow_command_grammar(project: Path, cflint: Callable[..., CliResult]) -> None:
    expected = _json(cflint, ".", cwd=project)
    result = cflint("--format", "github", ".", cwd=project)
    assert result.code == 1
    lines = result.out.split("\n")
    assert lines[-1] == "" and len(lines) - 1 == len(expected)
    for line, finding in zip(lines[:-1], expected, strict=True):
        command, properties, message = parse_workflow_command(line)
        assert command == finding["severity"]
        assert message == finding["message"] + fix_note(finding)
        assert properties["file"] == finding["path"]
        assert properties["title"] == f"cflint ({finding['code']})"
        if finding["code"] == "CF101":
            assert set(properties) == {"file", "title"}
        else:
            assert properties["line"] == str(finding["start"]["line"])
            assert properties["col"] == str(finding["start"]["column"])
            assert properties["endLine"] == str(finding["end"]["line"])
            assert properties["endColumn"] == str(finding["end"]["column"])
    assert "file=fn/odd%3A a%2Cb %2525 c.py," in result.out
    assert "file=fn/new%0Aline.py," in result.out
    assert "::invalid noqa directive: unknown rule code CF998, CF999\n" in result.out


@pytest.mark.parametrize("message", ["50% done: a, b", "first\nsecond\r\nthird", "%0A is not a newline", "::x::"])
def test_github_messages_round_trip(message: str) -> None:
    finding = Finding("a:b,c%.py", Position(3, 4), "CF103", message, Severity.WARNING, Position(3, 9))
    command, properties, data = parse_workflow_command(workflow_command(finding))
    assert (command, data) == ("warning", message)
    assert properties == {
        "file": "a:b,c%.py",
        "line": "3",
        "col": "4",
        "endLine": "3",
        "endColumn": "9",
        "title": "cflint (CF103)",
    }


def test_github_actions_environment_keeps_the_default_format(
    project: Path, cflint: Callable[..., CliResult], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    result = cflint("--color", "never", "fn/user.py", cwd=project)
    assert result.lines == [
        "fn/user.py:1:10: CF103 entry function 'main' takes parameter 'request', but the runtime "
        "calls it with no arguments; read the request from flask.request [unsafe fix: --unsafe-fixes]",
        "fn/user.py:4:8: CF010 invalid noqa directive: unknown rule code CF998, CF999",
    ]


def test_sarif_is_valid_against_the_official_schema(project: Path, cflint: Callable[..., CliResult]) -> None:
    expected = _json(cflint, ".", cwd=project)
    result = cflint("--format", "sarif", ".", cwd=project)
    assert result.code == 1
    log = json.loads(result.out)
    schema = json.loads((DATA / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(schema).validate(log)
    (run,) = log["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in rules] == ["CF001", "CF010", "CF101", "CF103"]
    for rule in rules:
        assert rule["shortDescription"]["text"] and "helpUri" not in rule  # no project site declared yet
        assert rule["help"]["markdown"] == read_page(rule["id"])
    assert len(run["results"]) == len(expected)
    for sarif_result, finding in zip(run["results"], expected, strict=True):
        assert rules[sarif_result["ruleIndex"]]["id"] == sarif_result["ruleId"] == finding["code"]
        assert sarif_result["level"] == finding["severity"]
        assert sarif_result["message"]["text"] == finding["message"]
        (location,) = sarif_result["locations"]
        physical = location["physicalLocation"]
        uri = physical["artifactLocation"]["uri"]
        if finding["code"] == "CF101":
            assert uri == "nomodule/" and "region" not in physical
            continue
        assert unquote(uri) == finding["path"] and ":" not in uri
        assert physical["region"] == {
            "startLine": finding["start"]["line"],
            "startColumn": finding["start"]["column"],
            "endLine": finding["end"]["line"],
            "endColumn": finding["end"]["column"],
        }


def test_sarif_of_a_clean_run_is_valid(tmp_path: Path, cflint: Callable[..., CliResult]) -> None:
    write_files(tmp_path, {"requirements.txt": "", "user.py": "def main():\n    return 'ok'\n"})
    result = cflint("--format", "sarif", ".", cwd=tmp_path)
    log = json.loads(result.out)
    schema = json.loads((DATA / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(schema).validate(log)
    assert (result.code, log["runs"][0]["results"], log["runs"][0]["tool"]["driver"]["rules"]) == (0, [], [])


GITLAB_SEVERITIES = {"info", "minor", "major", "critical", "blocker"}


def _gitlab(cflint: Callable[..., CliResult], cwd: Path) -> list[dict[str, Any]]:
    result = cflint("--format", "gitlab", ".", cwd=cwd)
    assert result.code == 1, result.err
    issues = json.loads(result.out)
    for issue in issues:
        assert set(issue) == {"description", "check_name", "fingerprint", "severity", "location"}
        assert issue["severity"] in GITLAB_SEVERITIES
        assert re.fullmatch(r"[0-9a-f]{64}", issue["fingerprint"])
        assert isinstance(issue["location"]["path"], str)
        assert isinstance(issue["location"]["lines"]["begin"], int)
    return issues


def test_gitlab_report_has_the_code_quality_fields(project: Path, cflint: Callable[..., CliResult]) -> None:
    expected = _json(cflint, ".", cwd=project)
    issues = _gitlab(cflint, project)
    assert [(i["check_name"], i["location"]["path"], i["location"]["lines"]["begin"]) for i in issues] == [
        (f["code"], f["path"], f["start"]["line"]) for f in expected
    ]
    assert {i["severity"] for i in issues if i["check_name"] == "CF010"} == {"minor"}
    assert len({i["fingerprint"] for i in issues}) == len(issues)


def test_gitlab_fingerprints_survive_unrelated_edits(tmp_path: Path, cflint: Callable[..., CliResult]) -> None:
    twice = "x = 1  # noqa: CF999\n"
    write_files(tmp_path, {"requirements.txt": "", "user.py": f"def main(request):\n    return 'hi'\n{twice}{twice}"})
    before = _gitlab(cflint, tmp_path)
    assert len({i["fingerprint"] for i in before}) == 3
    write_files(
        tmp_path,
        {"requirements.txt": "", "user.py": f"import os\n\n\ndef main(request):\n    return 'hi'\n{twice}{twice}"},
    )
    after = _gitlab(cflint, tmp_path)
    assert [i["location"]["lines"]["begin"] for i in after] == [i["location"]["lines"]["begin"] + 3 for i in before]
    assert [i["fingerprint"] for i in after] == [i["fingerprint"] for i in before]


def test_output_format_from_the_config_of_the_current_folder(project: Path, cflint: Callable[..., CliResult]) -> None:
    write_files(project, {"cflint.toml": 'output-format = "github"\n'})
    from_config = cflint("fn/user.py", cwd=project)
    assert from_config.code == 1 and from_config.lines[0].startswith("::error file=fn/user.py,")
    flag_wins = cflint("--format", "json", "fn/user.py", cwd=project)
    assert json.loads(flag_wins.out)[0]["path"] == "fn/user.py"


def test_bad_output_format_in_config_is_a_usage_error(project: Path, cflint: Callable[..., CliResult]) -> None:
    write_files(project, {"cflint.toml": 'output-format = "xml"\n'})
    result = cflint("fn/user.py", cwd=project)
    assert result.code == 2
    assert result.err.startswith(f"cflint: error: {project / 'cflint.toml'}: output-format: expected one of")


@pytest.mark.parametrize("output_format", ["json", "sarif", "gitlab"])
def test_undecodable_file_names_do_not_break_json_formats(
    output_format: str, tmp_path: Path, cflint: Callable[..., CliResult]
) -> None:
    name = os.fsdecode(b"bad\xff.py")
    try:
        (tmp_path / name).write_text("def f(:\n", encoding="utf-8")
    except (OSError, UnicodeEncodeError) as exc:
        pytest.skip(f"this file system refuses a non-UTF-8 file name: {exc}")
    result = cflint("--format", output_format, name, cwd=tmp_path)
    assert result.code == 1, result.err
    text = json.dumps(json.loads(result.out))
    assert "bad%FF.py" in text if output_format == "sarif" else "bad\\udcff.py" in text
