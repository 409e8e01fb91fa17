"""CF308: a requirement that pins a Flask release whose import fails beside the runtime's
packages, decided from the data scripts/record_runtime_conflicts.py recorded from the real
wheels (pip install flask==X, then `import flask`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import MappingProxyType

import pytest

from cflint.knowledge.distributions import CATALOGUE
from cflint.knowledge.runtime_packages import (
    BrokenRelease,
    FlaskReleases,
    flask_releases,
    pinned_release,
    read_runtime_packages,
)
from cflint.rules.imports import cf308_runtime_package_conflict
from tests.helpers import CliResult, write_files

Cflint = Callable[..., CliResult]
USER = "from flask import request\n\ndef main():\n    return request.args.get('name', 'world')\n"


def _cf308(cflint: Cflint, folder: Path, requirements: dict[str, str]) -> list[str]:
    write_files(folder, {"user.py": USER, **requirements})
    result = cflint("--select", "CF308", ".", cwd=folder)
    assert result.code in (0, 1), result.err
    return result.lines


def test_the_runtime_packages_are_data_with_a_source() -> None:
    packages = read_runtime_packages()
    assert list(packages) == ["flask", "werkzeug", "jinja2", "markupsafe", "itsdangerous", "click", "blinker"]
    assert packages["flask"].version == "3.1" and packages["werkzeug"].version == "3.1"
    assert all(package.source and package.display for package in packages.values())
    assert CATALOGUE.runtime == tuple(packages)  # CF303's runtime modules come from the same file


def test_the_recorded_releases_say_flask_2_0_breaks_on_werkzeug_3() -> None:
    releases = flask_releases()
    assert {"1.1.4", "2.0.2", "2.1.3", "3.0.0", "3.1.0"} <= set(releases.checked)
    broken = releases.broken["2.0.2"]
    assert broken.error == "ImportError: cannot import name 'url_quote' from 'werkzeug.urls'"
    assert broken.culprit == "werkzeug" and broken.installed["werkzeug"].startswith("3.")
    assert broken.fixed_by == "werkzeug<3"
    assert set(broken.pythons) == {"3.11", "3.12", "3.13"}
    assert not {"3.0.0", "3.1.0"} & set(releases.broken)


@pytest.mark.parametrize(
    ("specifier", "picked"),
    [
        ("", None),
        ("==2.0.2", "2.0.2"),
        ("==2.0", "2.0.0"),  # PEP 440 pads with zeros
        ("==3.1.3", None),
        (">=9", None),
        ("==2.1.*", "2.1.3"),
        ("<2.2", "2.1.3"),
        (">=2.0", None),  # admits the newest: pip takes it
        ("==9.9", None),  # no recorded release: nothing known
        ("==not a version", None),
    ],
)
def test_pinned_release_is_pips_choice(specifier: str, picked: str | None) -> None:
    assert pinned_release(specifier, flask_releases()) == picked


def test_flask_2_0_2_is_reported_with_the_error_and_both_fixes(tmp_path: Path, cflint: Cflint) -> None:
    assert _cf308(cflint, tmp_path, {"requirements.txt": "requests\nFlask==2.0.2\n"}) == [
        "requirements.txt:2:1: CF308 Flask==2.0.2 installs Flask 2.0.2 beside Werkzeug "
        f"{flask_releases().broken['2.0.2'].installed['werkzeug']}, and `import flask` fails with ImportError: "
        "cannot import name 'url_quote' from 'werkzeug.urls'; require Flask>=3, or pin Werkzeug<3 with it"
    ]


@pytest.mark.parametrize(
    "line",
    ["flask==2.0.3", "flask==2.1.*", "Flask<2.2", "flask~=2.2.0,<2.2.4", "Flask==2.0.2 ; python_version >= '3.8'"],
)
def test_old_flask_pins_are_reported(line: str, tmp_path: Path, cflint: Cflint) -> None:
    lines = _cf308(cflint, tmp_path, {"requirements.txt": f"{line}\n"})
    assert len(lines) == 1 and lines[0].startswith(f"requirements.txt:1:1: CF308 {line} installs Flask 2.")


def test_flask_1_is_reported_for_jinja2(tmp_path: Path, cflint: Cflint) -> None:
    (line,) = _cf308(cflint, tmp_path, {"requirements.txt": "Flask==1.1.2\n"})
    assert "installs Flask 1.1.2 beside Jinja2 3." in line and "from 'jinja2'" in line
    assert line.endswith("require Flask>=3")  # no pin of Jinja2 alone was seen to make it import


@pytest.mark.parametrize(
    "requirements",
    [
        {"requirements.txt": "flask\n"},
        {"requirements.txt": "Flask>=3\n"},
        {"requirements.txt": "flask>=2.0\n"},
        {"requirements.txt": "Flask==3.1.0\n"},
        {"requirements.txt": "flask==2.2.5\n"},  # the first 2.2 release that imports beside Werkzeug 3 is 2.2.4
        {"requirements.txt": "flask<2.3\n"},
        {"requirements.txt": "Flask==2.0.2\nWerkzeug<3\n"},
        {"requirements.txt": "Flask==2.0.2\nwerkzeug==2.0.3\n"},
        {"requirements.txt": "-c constraints.txt\nFlask==2.0.2\n", "constraints.txt": "werkzeug<3\n"},
        {"requirements.txt": "Flask==2.0.2 ; python_version < '3.8'\n"},
        {"requirements.txt": "requests\n"},
    ],
)
def test_what_imports_is_not_reported(requirements: dict[str, str], tmp_path: Path, cflint: Cflint) -> None:
    assert _cf308(cflint, tmp_path, requirements) == []


def test_werkzeug_pinned_but_still_3_is_reported(tmp_path: Path, cflint: Cflint) -> None:
    (line,) = _cf308(cflint, tmp_path, {"requirements.txt": "Flask==2.0.2\nWerkzeug>=2\n"})
    assert line.startswith("requirements.txt:1:1: CF308 Flask==2.0.2 installs Flask 2.0.2 beside Werkzeug 3.")


def test_a_finding_in_an_included_file_is_placed_there(tmp_path: Path, cflint: Cflint) -> None:
    lines = _cf308(cflint, tmp_path, {"requirements.txt": "-r base.txt\n", "base.txt": "requests\nflask==2.0.3\n"})
    assert len(lines) == 1 and lines[0].startswith("base.txt:2:1: CF308 flask==2.0.3 ")


def test_noqa_accepts_the_line(tmp_path: Path, cflint: Cflint) -> None:
    assert _cf308(cflint, tmp_path, {"requirements.txt": "Flask==2.0.2  # noqa: CF308\n"}) == []


def test_the_recorder_blames_the_module_the_name_was_imported_from() -> None:
    from scripts.record_runtime_conflicts import _short, culprit

    error = "ImportError: cannot import name 'url_quote' from 'werkzeug.urls' (/tmp/x/werkzeug/urls.py)"
    assert _short(error) == "ImportError: cannot import name 'url_quote' from 'werkzeug.urls'"
    assert culprit({"error": _short(error), "raised-in": ["/tmp/x/flask/__init__.py", "/tmp/x/flask/app.py"]}) == (
        "werkzeug"
    )
    raised_inside = {"error": "ImportError: cannot import name 'soft_unicode' from 'markupsafe'"}
    assert culprit({**raised_inside, "raised-in": ["/tmp/x/flask/app.py", "/tmp/x/jinja2/utils.py"]}) == "jinja2"
    assert culprit({"error": "ImportError: cannot import name 'x' from 'acme'", "raised-in": []}) is None


def _recorded(monkeypatch: pytest.MonkeyPatch, broken: BrokenRelease) -> None:
    """Make the rule read one recorded broken release, as scripts/record_runtime_conflicts.py may
    write it: the recorder leaves the culprit out when it cannot blame a dependency."""
    releases = FlaskReleases(("2.0.2", "3.1.3"), MappingProxyType({"2.0.2": broken}))
    monkeypatch.setattr(cf308_runtime_package_conflict, "flask_releases", lambda: releases)


def _broken(culprit: str | None, fixed_by: str | None = None, pythons: tuple[str, ...] = ("3.11",)) -> BrokenRelease:
    installed = MappingProxyType({"flask": "2.0.2", "werkzeug": "3.1.9", "acme": "1.2"})
    return BrokenRelease("2.0.2", pythons, "ImportError: boom", installed, culprit, fixed_by)


@pytest.mark.parametrize(
    ("broken", "beside", "fix"),
    [
        (_broken(None), "the newest releases of its dependencies", "require Flask>=3"),
        (_broken("zope"), "the newest releases of its dependencies", "require Flask>=3"),  # not among those installed
        (_broken("acme", "acme<1"), "acme 1.2", "require Flask>=3, or pin acme<1 with it"),  # not a runtime package
        (_broken("werkzeug", "markupsafe<2.1"), "Werkzeug 3.1.9", "require Flask>=3"),  # a pin of another package
    ],
)
def test_the_message_says_only_what_was_recorded(
    broken: BrokenRelease, beside: str, fix: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, cflint: Cflint
) -> None:
    _recorded(monkeypatch, broken)
    assert _cf308(cflint, tmp_path, {"requirements.txt": "Flask==2.0.2\nzope<1\n"}) == [
        f"requirements.txt:1:1: CF308 Flask==2.0.2 installs Flask 2.0.2 beside {beside}, and `import flask` fails "
        f"with ImportError: boom; {fix}"
    ]


def test_a_pin_of_the_culprit_for_other_pythons_does_not_keep_it_out(tmp_path: Path, cflint: Cflint) -> None:
    requirements = "Flask==2.0.2\nWerkzeug<3 ; python_version < '3.8'\n"
    (line,) = _cf308(cflint, tmp_path, {"requirements.txt": requirements})
    assert line.startswith("requirements.txt:1:1: CF308 Flask==2.0.2 installs Flask 2.0.2 beside Werkzeug 3.")


def test_a_release_broken_on_other_pythons_only_is_not_reported(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, cflint: Cflint
) -> None:
    _recorded(monkeypatch, _broken("werkzeug", pythons=("3.13",)))
    write_files(tmp_path, {"cflint.toml": 'target-versions = ["3.11"]\n'})
    assert _cf308(cflint, tmp_path, {"requirements.txt": "Flask==2.0.2\n"}) == []


def test_every_flask_line_is_checked(tmp_path: Path, cflint: Cflint) -> None:
    requirements = "flask>=3 ; python_version < '3.12'\nflask==2.0.2 ; python_version >= '3.12'\n"
    lines = _cf308(cflint, tmp_path, {"requirements.txt": requirements})
    assert len(lines) == 1 and lines[0].startswith("requirements.txt:2:1: CF308 ")
