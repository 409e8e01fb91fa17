"""The result cache and parallel linting: same findings, fewer imports, safe storage."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

import cflint
from cflint.engine.registry import load_registry
from cflint.run import roots, runner
from cflint.run.cache import MARKER_NAME, MAX_ENTRIES, MAX_UNUSED_DAYS, ResultCache, code_fingerprint
from cflint.run.runner import RunOptions, run
from tests.helpers import GUIDE_EXAMPLES, REPO, CliResult, guide_function, write_files

Cflint = Callable[..., CliResult]
REGISTRY = load_registry()


def _tree(root: Path) -> Path:
    for example in GUIDE_EXAMPLES:
        guide_function(root / example, example)
    write_files(
        root,
        {
            "broken/user.py": "import numpy\nimport requests\n\nasync def main(request):\n    return requests.get('u').text\n",
            "broken/requirements.txt": "numpy\n",
            "broken/helpers.py": "def f(:\n",
            "more/user.py": "main = lambda: 'x'  # noqa CF104\n",
            "more/requirements.txt": "",
        },
    )
    return root


def _run(root: Path, cache: ResultCache | None, jobs: int = 1, **overrides: object) -> tuple[list[str], int]:
    result = run([root], RunOptions(overrides=overrides, jobs=jobs, cache=cache), REGISTRY, cwd=root)
    return [
        f"{f.path}:{f.start.line}:{f.start.column}: {f.code} {f.message}" for f in result.findings
    ], result.files_from_cache


def test_in_process_serial_and_parallel_runs_agree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _tree(tmp_path / "tree")
    here, _ = _run(root, None, jobs=2)  # a small run: linted in this process
    monkeypatch.setattr(runner, "IN_PROCESS_BYTES", 0)
    serial, _ = _run(root, None, jobs=1)  # one forked worker
    parallel, _ = _run(root, None, jobs=2)
    assert here == serial == parallel
    assert len(serial) > 5


def test_a_small_run_starts_no_worker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import concurrent.futures

    def no_pool(*args: object, **kwargs: object) -> None:
        raise AssertionError("a worker process was started")

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", no_pool)
    root = _tree(tmp_path / "tree")
    assert _run(root, None, jobs=2)[0]
    monkeypatch.setattr(runner, "IN_PROCESS_BYTES", 0)
    with pytest.raises(AssertionError, match="worker process"):
        _run(root, None, jobs=2)


def test_second_run_is_answered_from_the_cache(tmp_path: Path) -> None:
    root = _tree(tmp_path / "tree")
    cache = ResultCache(tmp_path / "cache")
    first, first_hits = _run(root, cache)
    second, second_hits = _run(root, cache)
    files = len(list(root.rglob("*.py")))
    assert (first_hits, second_hits) == (0, files)
    assert first == second


def test_cache_follows_content_config_requirements_and_version(tmp_path: Path) -> None:
    root = write_files(
        tmp_path / "fn", {"user.py": "import yaml\n\ndef main():\n    return 'x'\n", "requirements.txt": ""}
    )
    cache = ResultCache(tmp_path / "cache")
    assert _run(root, cache)[0] == [f"user.py:1:8: CF303 {_cf303_message()}"]
    (root / "requirements.txt").write_text("pyyaml\n")
    assert _run(root, cache) == ([], 0)
    (root / "user.py").write_text("def main(request):\n    return 'x'\n")
    found, hits = _run(root, cache)
    assert hits == 0 and [line.split(" ")[1] for line in found] == ["CF103"]
    assert _run(root, cache, ignore=["CF103"]) == ([], 0)
    assert _run(root, cache)[1] == 1
    new_version = ResultCache(tmp_path / "cache", fingerprint="9.9.9-other")
    assert _run(root, new_version)[1] == 0


def _cf303_message() -> str:
    return "yaml is imported, but no requirements.txt line provides it"


def test_version_is_part_of_the_fingerprint(monkeypatch: pytest.MonkeyPatch) -> None:
    before = code_fingerprint()
    monkeypatch.setattr(cflint, "__version__", "99.0")
    assert code_fingerprint() != before and code_fingerprint().startswith("99.0-")


def test_corrupt_cache_entries_are_ignored_and_rewritten(tmp_path: Path) -> None:
    root = write_files(tmp_path / "fn", {"user.py": "def main(request):\n    return 'x'\n", "requirements.txt": ""})
    cache = ResultCache(tmp_path / "cache")
    expected, _ = _run(root, cache)
    entries = list((cache.directory / "results").rglob("*.json"))
    assert len(entries) == 2  # the file's findings and its function root's
    for garbage in ("{not json", json.dumps({"a": 1}), json.dumps([[1, 2]]), ""):
        for entry in entries:
            entry.write_text(garbage)
        assert _run(root, cache) == (expected, 0)
        assert all(json.loads(entry.read_text()) != [[1, 2]] for entry in entries)
    (cache.directory / "rules.json").write_text("[{]")
    assert cache.load_registry() is None


def test_a_cache_in_an_existing_folder_deletes_and_tags_nothing(
    tmp_path: Path, cflint: Cflint, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = write_files(
        tmp_path / "proj",
        {
            "fn/user.py": 'def main():\n    return "x"\n',
            "fn/requirements.txt": "",
            "docs/a.md": "a\n",
            ".gitignore": "dist/\n",
        },
    )
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    before = sorted(str(p.relative_to(project)) for p in project.rglob("*"))
    monkeypatch.setenv("CFLINT_CACHE_DIR", ".")
    assert cflint("fn", cwd=project).code == 0
    assert cflint("fn", cwd=project).code == 0
    (entry,) = [p for p in project.iterdir() if p.name not in {".git", "fn", "docs", ".gitignore"}]
    assert sorted(p.name for p in entry.iterdir()) == [
        ".gitignore",
        "CACHEDIR.TAG",
        MARKER_NAME,
        "results",
        "rules.json",
    ]
    assert (
        sorted(str(p.relative_to(project)) for p in project.rglob("*") if entry not in p.parents and p != entry)
        == before
    )
    assert (project / ".gitignore").read_text() == "dist/\n"
    status = subprocess.run(["git", "status", "--porcelain"], cwd=project, capture_output=True, text=True, check=True)
    assert entry.name not in status.stdout


def test_the_cache_folder_is_tagged_only_when_cflint_makes_it(tmp_path: Path) -> None:
    root = write_files(tmp_path / "fn", {"user.py": "def main():\n    return 'x'\n", "requirements.txt": ""})
    _run(root, ResultCache(tmp_path / "made" / "cache", fingerprint="a"))
    assert sorted(p.name for p in (tmp_path / "made" / "cache").iterdir()) == [".gitignore", "CACHEDIR.TAG", "a"]
    (tmp_path / "mine").mkdir()
    _run(root, ResultCache(tmp_path / "mine", fingerprint="a"))
    assert [p.name for p in (tmp_path / "mine").iterdir()] == ["a"]


def _age(folder: Path, days: float) -> None:
    when = time.time() - days * 86400
    os.utime(folder / MARKER_NAME, (when, when))


def test_only_marked_entries_unused_for_long_are_pruned(tmp_path: Path) -> None:
    root = write_files(tmp_path / "fn", {"user.py": "def main():\n    return 'x'\n", "requirements.txt": ""})
    base = tmp_path / "cache"
    for name in ("stale", "recent"):
        _run(root, ResultCache(base, fingerprint=name))
    _age(base / "stale", MAX_UNUSED_DAYS + 1)
    _age(base / "recent", MAX_UNUSED_DAYS - 1)
    unmarked = write_files(base / "unmarked", {"rules.json": "[]", "results/x": ""})
    forged = write_files(base / "forged", {MARKER_NAME: "not cflint's marker\n"})
    for folder in (unmarked, forged):
        old = time.time() - 400 * 86400
        os.utime(folder, (old, old))
    os.symlink(base / "recent", base / "link")
    _run(root, ResultCache(base, fingerprint="new"))
    assert sorted(p.name for p in base.iterdir()) == [
        ".gitignore",
        "CACHEDIR.TAG",
        "forged",
        "link",
        "new",
        "recent",
        "unmarked",
    ]
    assert (unmarked / "rules.json").is_file()


def test_at_most_max_entries_are_kept(tmp_path: Path) -> None:
    root = write_files(tmp_path / "fn", {"user.py": "def main():\n    return 'x'\n", "requirements.txt": ""})
    base = tmp_path / "cache"
    for number in range(MAX_ENTRIES + 2):
        _run(root, ResultCache(base, fingerprint=f"v{number}"))
        _age(base / f"v{number}", MAX_ENTRIES + 2 - number)
    assert sorted(p.name for p in base.iterdir() if p.is_dir()) == sorted(f"v{n}" for n in range(2, MAX_ENTRIES + 2))


def test_a_warm_run_refreshes_its_marker_at_most_once_a_day(tmp_path: Path) -> None:
    root = write_files(tmp_path / "fn", {"user.py": "def main():\n    return 'x'\n", "requirements.txt": ""})
    base = tmp_path / "cache"
    _run(root, ResultCache(base, fingerprint="a"))
    _run(root, ResultCache(base, fingerprint="b"))
    _age(base / "a", 0.5)
    _age(base / "b", MAX_UNUSED_DAYS + 1)
    marker = base / "a" / MARKER_NAME
    half_a_day_ago = marker.stat().st_mtime
    ResultCache(base, fingerprint="a").load_registry()
    assert marker.stat().st_mtime == half_a_day_ago and (base / "b").is_dir()
    _age(base / "a", 2)
    assert _run(root, ResultCache(base, fingerprint="a"))[1] == 1
    assert time.time() - marker.stat().st_mtime < 60
    assert not (base / "b").exists()


def test_two_fingerprints_alternate_and_both_stay_warm(tmp_path: Path) -> None:
    root = _tree(tmp_path / "tree")
    files = len(list(root.rglob("*.py")))
    hits = [_run(root, ResultCache(tmp_path / "cache", fingerprint=name))[1] for name in ("a", "b", "a", "b", "a")]
    assert hits == [0, 0, files, files, files]


def test_fixing_and_printing_settings_find_the_plain_runs_results(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--fix`, `--unsafe-fixes` and `--output-format` change what is done with the findings,
    not the findings: a run with them after a plain run is answered from the cache, files and
    function roots alike."""
    root = _tree(tmp_path / "tree")
    files = len(list(root.rglob("*.py")))
    cache = ResultCache(tmp_path / "cache", fingerprint="a")
    plain, _ = _run(root, cache)
    roots_checked: list[str] = []
    check_root = roots._check_root
    monkeypatch.setattr(
        roots, "_check_root", lambda root, *args: roots_checked.append(root.path) or check_root(root, *args)
    )
    answered = [
        _run(root, cache, **overrides)
        for overrides in ({"fix": True}, {"fix": True, "unsafe-fixes": True}, {"output-format": "json"})
    ]
    assert answered == [(plain, files)] * 3
    assert roots_checked == []
    assert _run(root, cache, ignore=["CF403"])[1] == 0  # a setting findings depend on is part of the key
    assert roots_checked


def _install_copy(folder: Path) -> Path:
    shutil.copytree(REPO / "cflint", folder / "cflint", ignore=shutil.ignore_patterns("__pycache__"))
    return folder


def _run_install(install: Path, cwd: Path, cache: Path) -> str:
    """`cflint .` in `cwd` run from the copy of cflint at `install`."""
    return _libcst_imported(["."], cwd, cache, install)


def test_two_installs_alternate_and_each_stays_warm(tmp_path: Path) -> None:
    guide_function(tmp_path / "fn", "external_api")
    first, second = _install_copy(tmp_path / "one"), _install_copy(tmp_path / "two")
    # Copies with their times are one install state; an edited copy is another.
    assert _run_install(first, tmp_path / "fn", tmp_path / "cache") == "1 True"
    assert _run_install(second, tmp_path / "fn", tmp_path / "cache") == "1 False"
    stamp = second / "cflint" / "__init__.py"
    os.utime(stamp, (stamp.stat().st_atime, stamp.stat().st_mtime + 10))
    runs = [_run_install(install, tmp_path / "fn", tmp_path / "cache") for install in (second, first, second, first)]
    assert runs == ["1 True", "1 False", "1 False", "1 False"]
    assert len([p for p in (tmp_path / "cache").iterdir() if p.is_dir()]) == 2


EDIT = [1, 1, 1, 1, "x", None]
TAMPERED_ROWS = [
    [None, None, None, None, "CF403", "m", "error", None],
    [0, 1, 1, 1, "CF403", "m", "error", None],
    [1, 0, 1, 1, "CF403", "m", "error", None],
    [2, 1, 1, 1, "CF403", "m", "error", None],
    [1, 1, 1, 1, "CF999", "m", "error", None],
    [1, 1, 1, 1, "cf403", "m", "error", None],
    [1, 1, 1, 1, "CF403", 7, "error", None],
    [1, 1, 1, 1, "CF403", "m", "fatal", None],
    [1, 1, 1, 1, "CF403", "m", "error", ["maybe", "d", [EDIT]]],
    [1, 1, 1, 1, "CF403", "m", "error", ["safe", "d", [[1, 1, 1, 1, "x", "/home/u/.bashrc"]]]],
    [1, 1, 1, 1, "CF403", "m", "error", ["safe", "d", [[1, 1, 1, 1, "x", "../requirements.txt"]]]],
    [1, 1, 1, 1, "CF403", "m", "error", ["safe", "d", [[1, 1, 1, 1, "x", "sub/requirements.txt"]]]],
    [1, 1, 1, 1, "CF403", "m", "error", ["safe", "d", [[2, 1, 1, 1, "x", None]]]],
    [1, 1, 1, 1, "CF403", "m", "error", ["safe", "d", [[1, 1, 1, 1, None, None]]]],
    [1, 1, 1, 1, "CF403", "m", "error", ["safe", "d", [[1, 1, 1, 1, "x"]]]],
    [1, 1, 1, 1, "CF403", "m", "error", None, "extra"],
    [True, 1, 1, 1, "CF403", "m", "error", None],
]


@pytest.mark.parametrize("row", TAMPERED_ROWS, ids=[json.dumps(row) for row in TAMPERED_ROWS])
def test_a_tampered_entry_is_a_miss(tmp_path: Path, row: list[object]) -> None:
    root = write_files(
        tmp_path / "fn", {"user.py": "import yaml\n\ndef main(request):\n    return 'x'\n", "requirements.txt": ""}
    )
    cache = ResultCache(tmp_path / "cache")
    expected, _ = _run(root, cache)
    entries = sorted((cache.directory / "results").rglob("*.json"))
    for entry in entries:
        placed = entry.read_text().startswith('[["')
        entry.write_text(json.dumps([["requirements.txt", *row]] if placed else [row]))
    assert _run(root, cache) == (expected, 0)


def test_a_fix_of_a_cached_root_finding_stays_in_its_root(tmp_path: Path) -> None:
    root = write_files(tmp_path / "fn", {"user.py": "def main():\n    return 'x'\n", "requirements.txt": "numpy\n"})
    cache = ResultCache(tmp_path / "cache")
    assert _run(root, cache)[1] == 0
    (entry,) = [e for e in (cache.directory / "results").rglob("*.json") if e.read_text().startswith('[["')]
    row = json.loads(entry.read_text())[0]
    entry.write_text(json.dumps([[row[0], *row[1:-1], ["safe", "d", [EDIT]]]]))
    assert len(cache.get_placed(entry.stem, ".", REGISTRY.codes) or []) == 1
    entry.write_text(json.dumps([["../other/requirements.txt", *row[1:-1], ["safe", "d", [EDIT]]]]))
    assert cache.get_placed(entry.stem, ".", REGISTRY.codes) is None


@pytest.mark.parametrize(
    "change",
    [
        {"module": "os"},
        {"module": "cflint.rules..x"},
        {"class_name": "A.B"},
        {"kind": "other"},
        {"code": "XX1"},
        {"severity": "fatal"},
        {"fix": "maybe"},
        {"default_enabled": "yes"},
        {"requires_text": "import"},
        {"own_applies_to": 1},
    ],
)
def test_a_tampered_rule_catalogue_is_a_miss(tmp_path: Path, change: dict[str, object]) -> None:
    cache = ResultCache(tmp_path / "cache")
    cache.store_registry(REGISTRY)
    assert cache.load_registry() == REGISTRY
    rules = json.loads((cache.directory / "rules.json").read_text())
    rules[0].update(change)
    (cache.directory / "rules.json").write_text(json.dumps(rules))
    assert cache.load_registry() is None
    (cache.directory / "rules.json").write_text(json.dumps(rules[1:] + rules[1:2]))
    assert cache.load_registry() is None


# Files are linted (and LibCST imported) in forked workers, so a fork counts as linting.
IMPORTS_LIBCST = (
    "import os, sys; forks = []; os.register_at_fork(after_in_parent=lambda: forks.append(1)); "
    "from cflint.cli.main import main; code = main({args}); "
    "print(code, 'libcst' in sys.modules or 'packaging.requirements' in sys.modules or bool(forks))"
)


def _libcst_imported(args: list[str], cwd: Path, cache: Path, install: Path = REPO) -> str:
    completed = subprocess.run(
        [sys.executable, "-c", IMPORTS_LIBCST.format(args=args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(install), "CFLINT_CACHE_DIR": str(cache), "PATH": "/usr/bin:/bin"},
    )
    return completed.stdout.splitlines()[-1]


def test_cached_root_findings_keep_their_own_paths(tmp_path: Path) -> None:
    root = write_files(
        tmp_path / "fn",
        {
            "user.py": "def main():\n    return 'x'\n",
            "requirements.txt": "-r more.txt\nnumpy\n",
            "more.txt": "pandas\n",
        },
    )
    cache = ResultCache(tmp_path / "cache")
    first = _run(root, cache)[0]
    assert [line.split(": ")[0] for line in first] == ["more.txt:1:1", "requirements.txt:2:1"]
    assert _run(root, cache)[0] == first
    (root / "more.txt").write_text("requests\n")
    assert [line.split(": ")[0] for line in _run(root, cache)[0]] == ["requirements.txt:2:1"]


def test_a_fully_cached_run_does_not_import_libcst(tmp_path: Path) -> None:
    guide_function(tmp_path / "fn", "external_api")
    cache = tmp_path / "cache"
    assert _libcst_imported(["."], tmp_path / "fn", cache) == "1 True"
    assert _libcst_imported(["."], tmp_path / "fn", cache) == "1 False"
    (tmp_path / "fn" / "user.py").write_text("def main():\n    return 'changed'\n")
    assert _libcst_imported(["."], tmp_path / "fn", cache) == "0 True"


@pytest.mark.parametrize("flag", ["--version", "--help"])
def test_version_and_help_do_not_import_libcst(tmp_path: Path, flag: str) -> None:
    code = f"import sys\nfrom cflint.cli.main import main\ntry:\n    main(['{flag}'])\nexcept SystemExit:\n    pass\nprint('libcst' in sys.modules)"
    completed = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, env={"PYTHONPATH": str(REPO)}
    )
    assert completed.stdout.splitlines()[-1] == "False"


def test_concurrent_runs_share_one_cache_safely(tmp_path: Path) -> None:
    root = _tree(tmp_path / "tree")
    env = {"PYTHONPATH": str(REPO), "CFLINT_CACHE_DIR": str(tmp_path / "cache"), "PATH": "/usr/bin:/bin"}
    command = [sys.executable, "-m", "cflint", "--jobs", "2", "."]
    processes = [subprocess.Popen(command, cwd=root, env=env, stdout=subprocess.PIPE, text=True) for _ in range(3)]
    outputs = {process.communicate(timeout=300)[0] for process in processes}
    again = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, timeout=300).stdout
    assert len(outputs) == 1 and outputs == {again}
    assert not list((tmp_path / "cache").rglob(".tmp-*"))


def test_no_cache_writes_nothing(tmp_path: Path, cflint: Cflint, monkeypatch: pytest.MonkeyPatch) -> None:
    write_files(tmp_path / "fn", {"user.py": "def main():\n    return 'x'\n", "requirements.txt": ""})
    monkeypatch.setenv("CFLINT_CACHE_DIR", str(tmp_path / "cache"))
    cflint("--no-cache", ".", cwd=tmp_path / "fn")
    assert not (tmp_path / "cache").exists()
    cflint(".", cwd=tmp_path / "fn")
    assert (tmp_path / "cache" / "CACHEDIR.TAG").is_file()


def test_jobs_must_be_positive(tmp_path: Path, cflint: Cflint) -> None:
    result = cflint("--jobs", "0", ".")
    assert result.code == 2 and "expected a whole number of at least 1" in result.err
