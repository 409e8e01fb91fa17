"""`--resolve`: pip's answer for a function's requirements becomes CF302, CF303 and CF307.

The package index is a folder of small wheels made here (tests/wheel_index.py), read by pip
with `--no-index --find-links`: no test here touches the network (tests/test_resolve_pypi.py
does, in the slow run). One run over a tree of function folders is shared by the tests of
this module that read it, then run again warm with the index removed; its pip processes (one
or more per folder and target version) take 20 to 50 s, so those tests are in the slow run.
The default run keeps the tests that run pip once or twice."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from cflint.resolve.pip import failure_of_output
from cflint.resolve.wheels import modules_of_files
from tests.helpers import RULE_PAGES, CliResult, parse_page, run_subprocess, write_files
from tests.wheel_index import write_wheel

MAIN = 'def main():\n    return "hello"\n'
# pip outside the test: no config file, no index or links from the environment.
PIP_ISOLATED = {"PIP_CONFIG_FILE": os.devnull, "PIP_FIND_LINKS": "", "PIP_INDEX_URL": "", "PIP_EXTRA_INDEX_URL": ""}
CP = ("cp311", "cp312", "cp313")


def _native(folder: Path, name: str, version: str, tags: tuple[str, ...]) -> None:
    for tag in tags:
        write_wheel(folder, name, version, tag=f"{tag}-{tag}-manylinux2014_x86_64")


def build_index(folder: Path) -> Path:
    folder.mkdir()
    _native(folder, "numpy", "1.0", CP)
    write_wheel(folder, "keyx", "1.0", requires=["numpy"])
    write_wheel(folder, "keyy", "1.0", requires=["keyx"])
    _native(folder, "oldnative", "1.0", CP[:2])  # no wheel for 3.13
    write_wheel(folder, "usesold", "1.0", requires=["oldnative"])
    write_wheel(folder, "pinsa", "1.0", requires=["basepkg==1.0"])
    write_wheel(folder, "pinsb", "1.0", requires=["basepkg==2.0"])
    write_wheel(folder, "basepkg", "1.0")
    write_wheel(folder, "basepkg", "2.0")
    write_wheel(folder, "line-bot-sdk", "3.0", modules=["linebot"], requires=["helperdist"], top_level=False)
    write_wheel(folder, "helperdist", "1.0", modules=["helpermod"])
    _native(folder, "psycopg2-binary", "2.9.2", ("cp310",))
    _native(folder, "psycopg2-binary", "2.9.9", CP)
    (folder / "srconly-1.0.tar.gz").write_bytes(b"")  # listed by pip, never opened: no wheel
    (folder / "uvloop-0.17.0.tar.gz").write_bytes(b"")  # a name cflint's catalogue knows is native
    write_wheel(folder, "flask", "2.0.2", requires=["Werkzeug>=2.0"])
    write_wheel(folder, "werkzeug", "2.3.8")
    write_wheel(folder, "werkzeug", "3.1.0")
    write_wheel(folder, "keepswerkzeug", "1.0", requires=["werkzeug<3"])
    return folder


def _requirements(index: Path, *lines: str) -> str:
    return "".join(f"{line}\n" for line in ("--no-index", f"--find-links {index.as_posix()}", *lines))


def _page_files(index: Path, section: str) -> dict[str, str | bytes]:
    """CF307's page example, its requirements read from the test index."""
    files: dict[str, str | bytes] = {}
    for block in parse_page(RULE_PAGES / "CF307.md").blocks(section):
        name = block.title or "user.py"
        files[name] = _requirements(index, *block.text.splitlines()) if name == "requirements.txt" else block.text
    return files


def _tree(folder: Path, index: Path) -> None:
    one_version = '[tool.cflint]\nresolve = true\ntarget-versions = ["3.12"]\n'
    folders: dict[str, dict[str, str | bytes]] = {
        "pulls_numpy": {
            "requirements.txt": _requirements(index, "keyx==1.0"),
            "user.py": MAIN,
            "pyproject.toml": one_version,
        },
        "two_bring_numpy": {
            "requirements.txt": _requirements(index, "keyy==1.0", "keyx==1.0"),
            "user.py": MAIN,
            "pyproject.toml": one_version,
        },
        "no_wheel": {
            "requirements.txt": _requirements(index, "oldnative==1.0", "usesold"),
            "user.py": MAIN,
            "pyproject.toml": '[tool.cflint]\nresolve = true\ntarget-versions = ["3.12", "3.13"]\n',
        },
        "conflict": {
            "requirements.txt": _requirements(index, "pinsa", "pinsb"),
            "user.py": MAIN,
            "pyproject.toml": one_version,
        },
        "modules": {
            "requirements.txt": _requirements(index, "line-bot-sdk"),
            "user.py": "import linebot\nimport helpermod\n\n\n" + MAIN,
            "pyproject.toml": one_version,
        },
        "source_only": {
            "requirements.txt": _requirements(index, "srconly==1.0"),
            "user.py": MAIN,
            "pyproject.toml": one_version,
        },
        "native_source_only": {
            "requirements.txt": _requirements(index, "uvloop==0.17.0"),
            "user.py": MAIN,
            "pyproject.toml": one_version,
        },
        "flask_beside_werkzeug3": {
            "requirements.txt": _requirements(index, "flask==2.0.2"),
            "user.py": MAIN,
            "pyproject.toml": one_version,
        },
        "flask_beside_werkzeug2": {
            "requirements.txt": _requirements(index, "flask==2.0.2", "keepswerkzeug"),
            "user.py": MAIN,
            "pyproject.toml": one_version,
        },
        "bad_line_and_keyx": {
            "requirements.txt": _requirements(index, "psycopg2-binary==2.9.2", "keyx==1.0"),
            "user.py": "import keyx\nimport psycopg2\n\n\n" + MAIN,
            "pyproject.toml": one_version,
        },
        "page_example": {**_page_files(index, "Example"), "pyproject.toml": one_version},
        "page_fixed": {**_page_files(index, "Use instead"), "pyproject.toml": one_version},
    }
    for name, files in folders.items():
        write_files(folder / name, files)


def _findings(result: CliResult) -> dict[str, list[tuple[int, str, str, str]]]:
    """The findings by function folder: (line, code, severity, message)."""
    assert result.code in (0, 1), result.err
    by_folder: dict[str, list[tuple[int, str, str, str]]] = {}
    for finding in json.loads(result.out):
        folder = finding["path"].split("/")[0]
        by_folder.setdefault(folder, []).append(
            (finding["start"]["line"], finding["code"], finding["severity"], finding["message"])
        )
    return by_folder


class Resolved:
    def __init__(self, tree: Path, cache: Path, cold: CliResult, warm: CliResult) -> None:
        self.tree, self.cache, self.cold, self.warm = tree, cache, cold, warm
        self.findings = _findings(cold)


@pytest.fixture(scope="module")
def resolved(tmp_path_factory: pytest.TempPathFactory) -> Resolved:
    base = tmp_path_factory.mktemp("resolve")
    index = build_index(base / "index")
    tree, cache = base / "tree", base / "cache"
    _tree(tree, index)
    env = {**PIP_ISOLATED, "CFLINT_CACHE_DIR": str(cache)}

    def run() -> CliResult:
        return run_subprocess("--output-format", "json", "--no-cache", ".", cwd=tree, env=env)

    cold = run()
    shutil.rmtree(index)  # a warm run asks the index nothing
    return Resolved(tree, cache, cold, run())


@pytest.mark.slow
def test_a_dependency_the_runtime_cannot_install_is_reported_on_the_line_with_its_chain(resolved: Resolved) -> None:
    assert resolved.findings["pulls_numpy"] == [
        (
            3,
            "CF302",
            "error",
            "keyx==1.0 installs numpy (keyx -> numpy), which the runtime cannot install (C extension modules)",
        )
    ]


@pytest.mark.slow
def test_each_line_that_brings_an_unsupported_distribution_is_reported(resolved: Resolved) -> None:
    # numpy's shortest chain is from keyx; keyy brings it too, through keyx.
    assert [
        (line, code, message.split(", which")[0]) for line, code, _, message in resolved.findings["two_bring_numpy"]
    ] == [
        (3, "CF302", "keyy==1.0 installs numpy (keyy -> keyx -> numpy)"),
        (4, "CF302", "keyx==1.0 installs numpy (keyx -> numpy)"),
    ]


@pytest.mark.slow
def test_a_pin_without_a_wheel_for_a_target_version_names_that_version(resolved: Resolved) -> None:
    assert resolved.findings["no_wheel"] == [
        (
            3,
            "CF307",
            "error",
            "oldnative==1.0 cannot be installed on Python 3.13: no matching distribution found for oldnative==1.0",
        ),
    ]


@pytest.mark.slow
def test_a_conflict_is_reported_on_each_line_pip_names(resolved: Resolved) -> None:
    findings = resolved.findings["conflict"]
    assert [(line, code) for line, code, _, _ in findings] == [(3, "CF307"), (4, "CF307")]
    assert all("conflicting dependencies" in message and "on Python 3.12" in message for *_, message in findings)
    assert "pinsa 1.0 depends on basepkg==1.0" in findings[0][3]


@pytest.mark.slow
def test_the_lines_after_a_failing_one_are_resolved_without_it(resolved: Resolved) -> None:
    # pip stops at psycopg2-binary's pin; asked again without that line, it resolves keyx's,
    # and psycopg2 (of the line left out) is still taken as provided.
    assert [(line, code) for line, code, _, _ in resolved.findings["bad_line_and_keyx"]] == [
        (3, "CF307"),
        (4, "CF302"),
    ]
    message = resolved.findings["bad_line_and_keyx"][1][3]
    assert message.startswith("keyx==1.0 installs numpy (keyx -> numpy)")


@pytest.mark.slow
def test_a_source_build_says_the_runtime_cannot_compile(resolved: Resolved) -> None:
    ((line, code, severity, message),) = resolved.findings["source_only"]
    assert (line, code, severity) == (3, "CF307", "warning")
    assert message.startswith("srconly==1.0 needs a build from source on Python 3.12: ")
    assert "only a source distribution" in message and "cannot compile native code" in message


@pytest.mark.slow
def test_a_source_build_of_a_native_distribution_is_an_error(resolved: Resolved) -> None:
    assert resolved.findings["native_source_only"] == [
        (
            3,
            "CF307",
            "error",
            "uvloop==0.17.0 cannot be installed on Python 3.12: no wheel matches uvloop==0.17.0, only a source "
            "distribution, and uvloop needs native code (Cython extension built on libuv), which the runtime "
            "cannot compile",
        )
    ]


@pytest.mark.slow
def test_a_flask_pin_conflicts_with_the_werkzeug_pip_chose(resolved: Resolved) -> None:
    assert resolved.findings["flask_beside_werkzeug3"] == [
        (
            3,
            "CF308",
            "error",
            "flask==2.0.2 installs Flask 2.0.2 beside Werkzeug 3.1.0, and `import flask` fails with ImportError: "
            "cannot import name 'url_quote' from 'werkzeug.urls'; require Flask>=3, or pin Werkzeug<3 with it",
        )
    ]


@pytest.mark.slow
def test_a_flask_pin_is_fine_when_a_dependency_keeps_werkzeug_below_3(resolved: Resolved) -> None:
    assert "flask_beside_werkzeug2" not in resolved.findings
    offline = run_subprocess("--no-resolve", "--select", "CF308", "flask_beside_werkzeug2", cwd=resolved.tree)
    assert offline.code == 1 and "CF308" in offline.out  # without --resolve, the guess from the pin


@pytest.mark.slow
def test_modules_come_from_the_resolved_wheels(resolved: Resolved) -> None:
    # linebot: read from line-bot-sdk's wheel, which no name rule gives; helpermod: a dependency's.
    assert resolved.findings["modules"] == [
        (
            2,
            "CF303",
            "error",
            "helpermod is imported, but it is installed only through line-bot-sdk (line-bot-sdk -> helperdist); "
            "list it in requirements.txt",
        )
    ]


@pytest.mark.slow
def test_the_page_examples_of_cf307(resolved: Resolved) -> None:
    assert [code for _, code, _, _ in resolved.findings["page_example"]] == ["CF307"]
    assert (
        "on Python 3.12: no matching distribution found for psycopg2-binary==2.9.2"
        in resolved.findings["page_example"][0][3]
    )
    assert "page_fixed" not in resolved.findings


@pytest.mark.slow
def test_a_warm_run_without_the_index_gives_the_same_findings(resolved: Resolved) -> None:
    assert resolved.warm.out == resolved.cold.out


@pytest.mark.slow
def test_the_cache_is_a_marked_folder_of_its_own(resolved: Resolved) -> None:
    folder = resolved.cache / "resolve"
    assert {"cflint-resolve-cache", "CACHEDIR.TAG", ".gitignore"} <= {path.name for path in folder.iterdir()}
    written = {path.name for path in resolved.tree.rglob("*")}
    assert not any(name.endswith(".json") or name.startswith(".tmp") for name in written)


def test_an_unreachable_index_is_one_warning_naming_it(tmp_path: Path) -> None:
    index = "http://127.0.0.1:9/simple"
    write_files(tmp_path, {"requirements.txt": f"--index-url {index}\nrequests\nidna\n", "user.py": MAIN})
    env = {**PIP_ISOLATED, "CFLINT_CACHE_DIR": str(tmp_path / "cache")}
    result = run_subprocess(
        "--resolve", "--target-versions", "3.12", "--output-format", "json", ".", cwd=tmp_path, env=env
    )
    findings = json.loads(result.out)
    assert [(f["code"], f["severity"], f["start"]["line"]) for f in findings] == [("CF307", "warning", 1)]
    assert f"{index} cannot be reached" in findings[0]["message"]
    assert not (tmp_path / "cache" / "resolve").exists() or not list((tmp_path / "cache" / "resolve").glob("*/*.json"))


def test_without_resolve_nothing_runs_a_process_or_opens_a_socket(
    cflint: Callable[..., CliResult], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_files(tmp_path, {"requirements.txt": "keyx==1.0\nrequests\n", "user.py": "import requests\n\n\n" + MAIN})

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("touched the network or ran a process")

    monkeypatch.setattr(subprocess, "Popen", refuse)
    monkeypatch.setattr(socket, "socket", refuse)
    result = cflint("--jobs", "1", ".")
    assert (result.code, result.out, result.err) == (0, "", "")


def test_without_pip_resolve_is_a_usage_error(
    cflint: Callable[..., CliResult], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.util

    write_files(tmp_path, {"requirements.txt": "requests\n", "user.py": MAIN})
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "pip" else real_find_spec(name, *a)
    )
    monkeypatch.setattr(shutil, "which", lambda name, *a, **k: None)
    result = cflint("--resolve", ".")
    assert result.code == 2
    assert result.err.count("\n") == 1 and "--resolve runs pip" in result.err, result.err


def test_a_retry_asks_pip_without_the_failing_lines_only_when_a_copy_means_the_same(tmp_path: Path) -> None:
    from cflint.knowledge.requirements import read_requirements
    from cflint.resolve.model import Failure
    from cflint.resolve.resolution import _blanked, _failing_lines

    path = tmp_path / "requirements.txt"
    path.write_text("--no-index\nbad==1 \\\n    --hash=sha256:00\nkeyx==1.0\n", encoding="utf-8")
    assert _blanked(path, {2}) == "--no-index\n\n\nkeyx==1.0\n"  # the other lines keep their numbers
    failure = Failure("unsatisfiable", "no matching distribution", names=("bad",), requirement="bad==1")
    assert [line.line for line in _failing_lines(read_requirements(path), failure)] == [2]
    write_files(tmp_path, {"more.txt": "other\n", "requirements.txt": "-r more.txt\nbad==1\n"})
    assert _failing_lines(read_requirements(path), failure) == []
    path.write_text("--find-links wheels\nbad==1\n", encoding="utf-8")
    assert _failing_lines(read_requirements(path), failure) == []


def test_wheel_modules_are_read_from_its_file_list() -> None:
    names = [
        "six.py",
        "linebot/__init__.py",
        "linebot/api.py",
        "google/cloud/storage/__init__.py",
        "google/cloud/storage/blob.py",
        "_cffi_backend.cpython-312-x86_64-linux-gnu.so",
        "line_bot_sdk-3.0.dist-info/RECORD",
        "pkg-1.0.data/scripts/tool",
    ]
    assert modules_of_files(names) == ("_cffi_backend", "google.cloud.storage", "linebot", "six")


def test_pip_errors_are_read() -> None:
    missing = failure_of_output(
        "ERROR: Could not find a version that satisfies the requirement psycopg2-binary==2.9.2 "
        "(from versions: 2.9.9, 2.9.10)\nERROR: No matching distribution found for psycopg2-binary==2.9.2\n",
        Path("/f"),
    )
    assert (missing.kind, missing.names, missing.requirement) == (
        "unsatisfiable",
        ("psycopg2-binary",),
        "psycopg2-binary==2.9.2",
    )
    assert missing.reason.endswith("(versions with a wheel for it: 2.9.9, 2.9.10)")
    pulled = failure_of_output(
        "ERROR: Could not find a version that satisfies the requirement oldnative (from usesold) (from versions: none)\n",
        Path("/f"),
    )
    assert (pulled.names, pulled.parent) == (("oldnative",), "usesold")
    conflict = failure_of_output(
        "ERROR: Cannot install -r /f/requirements.txt (line 1) and werkzeug<2 because these package versions "
        "have conflicting dependencies.\n\nThe conflict is caused by:\n    The user requested werkzeug<2\n"
        "    flask 2.0.2 depends on Werkzeug>=2.0\n",
        Path("/f"),
    )
    assert conflict.kind == "conflict" and conflict.lines == (("/f/requirements.txt", 1),)
    assert conflict.names == ("werkzeug",)
    three = failure_of_output(
        "ERROR: Cannot install a==1, b==2 and c==3 because these package versions have conflicting dependencies.\n",
        Path("/f"),
    )
    assert three.names == ("a", "b", "c")
    assert "the user requested werkzeug<2; flask 2.0.2 depends on Werkzeug>=2.0" in conflict.reason


def test_a_cache_entry_that_is_not_a_resolution_is_a_miss(tmp_path: Path) -> None:
    from cflint.resolve.model import VersionResolution
    from cflint.resolve.store import ResolutionStore

    store = ResolutionStore(tmp_path / "resolve")
    store.put("ab" * 32, VersionResolution((3, 12)))
    assert store.get("ab" * 32) == VersionResolution((3, 12))
    (tmp_path / "resolve" / "ab" / f"{'ab' * 32}.json").write_text('{"version": "3.12", "distributions": null}')
    assert store.get("ab" * 32) is None
    unmarked = tmp_path / "theirs"
    unmarked.mkdir()
    ResolutionStore(unmarked).put("cd" * 32, VersionResolution((3, 12)))
    assert list(unmarked.iterdir()) == []


def test_an_index_that_comes_back_is_asked_again(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    """The unreachable index's warning is neither in the resolution cache nor in the result
    cache: once the index answers, the findings are its answer's."""
    import functools
    import http.server
    import threading

    index = tmp_path_factory.mktemp("served")
    write_wheel(index, "helperdist", "1.0", modules=["helpermod"])
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    links = f"http://127.0.0.1:{port}/"
    write_files(
        tmp_path / "fn",
        {
            "requirements.txt": f"--no-index\n--find-links {links}\nhelperdist\n",
            "user.py": "import helpermod\n\n\n" + MAIN,
        },
    )
    env = {**PIP_ISOLATED, "CFLINT_CACHE_DIR": str(tmp_path / "cache")}

    def run() -> list[tuple[str, str]]:
        result = run_subprocess(
            "--resolve", "--target-versions", "3.12", "--output-format", "json", "fn", cwd=tmp_path, env=env
        )
        return [(f["code"], f["severity"]) for f in json.loads(result.out)]

    assert ("CF307", "warning") in run()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(index))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        assert run() == []
    finally:
        server.shutdown()
        server.server_close()


def test_requirements_pip_would_build_are_not_resolved(
    cflint: Callable[..., CliResult], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A local path, VCS link or URL would be built by pip, running its code: no pip at all."""
    write_files(
        tmp_path,
        {
            "requirements.txt": "requests\n./vendored\n",
            "vendored/setup.py": "open('built', 'w').close()\n",
            "user.py": MAIN,
        },
    )

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("ran a process")

    monkeypatch.setattr(subprocess, "Popen", refuse)
    result = cflint("--resolve", "--jobs", "1", ".")
    assert [line.split(": ")[1].split()[0] for line in result.lines] == ["CF304"], result.out + result.err
