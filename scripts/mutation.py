"""Mutation score of one module or rule family, excluding listed equivalent mutants.

    python scripts/mutation.py cflint/analysis/flow.py
    python scripts/mutation.py resources            # every module of cflint/rules/resources/

mutmut 3 runs in a copy of the repository (so nothing here is touched) with `only_mutate`
narrowed to the target and only the target's own test files selected (TARGETS below, or
--tests). Equivalent mutants - mutants that cannot change behaviour - are listed with their
reason in scripts/mutation_equivalent.txt, one `mutant-name  # reason` a line; they are left
out of the score. Not part of .ci/run: a module takes minutes.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EQUIVALENT_FILE = REPO / "scripts" / "mutation_equivalent.txt"
IGNORED = shutil.ignore_patterns(".venv", "mutants", ".git", "__pycache__", ".mypy_cache", ".ruff_cache")

# The tests that cover each module: mutmut runs only these. Tests that run cflint in a
# subprocess are deselected: the child runs in another folder, where the mutated code cannot
# find mutmut's configuration, so they fail for every mutant and stop the run.
TARGETS: dict[str, tuple[str, ...]] = {
    "cflint/rules/resources/cf403_call_without_timeout.py": ("tests/test_cf403_call_without_timeout.py",),
    "cflint/analysis/flow.py": ("tests/test_flow.py",),
    "cflint/model.py": ("tests/test_model.py",),
    "cflint/knowledge/requirements.py": ("tests/test_requirements_reader.py", "tests/test_tables.py"),
    "cflint/knowledge/requirements_format.py": ("tests/test_requirements_reader.py", "tests/test_tables.py"),
    "cflint/knowledge/timeouts.py": ("tests/test_cf403_call_without_timeout.py", "tests/test_tables.py"),
    "cflint/analysis/scopes.py": ("tests/test_scopes.py",),
    "cflint/analysis/bindings.py": ("tests/test_scopes.py",),
    "cflint/analysis/names.py": ("tests/test_scopes.py",),
    "cflint/package/archive.py": (
        "tests/test_archive_lint.py",
        "tests/test_archive_names.py",
        "--deselect",
        "tests/test_archive_lint.py::test_real_cli_on_a_bad_archive_has_no_traceback",
    ),
    "cflint/analysis/origins.py": ("tests/test_values.py", "tests/test_tables.py"),
    "cflint/analysis/kinds.py": ("tests/test_kinds.py", "tests/test_flow.py", "tests/test_tables.py"),
    "cflint/analysis/inference.py": ("tests/test_kinds.py", "tests/test_flow.py", "tests/test_tables.py"),
    "cflint/analysis/static_paths.py": ("tests/test_static_paths.py", "tests/test_cf401_unbounded_read.py"),
    "cflint/rules/resources/cf401_unbounded_read.py": ("tests/test_cf401_unbounded_read.py",),
    "cflint/analysis/exceptions.py": ("tests/test_kinds.py",),
    "cflint/knowledge/dependents.py": ("tests/test_cf302_unsupported_dependents.py",),
}


def read_equivalents(path: Path = EQUIVALENT_FILE) -> dict[str, str]:
    """Mutant name -> reason. A line without a reason is an error: every exclusion is argued."""
    equivalents: dict[str, str] = {}
    if not path.exists():
        return equivalents
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, _, reason = line.partition("#")
        if not reason.strip():
            raise SystemExit(f"{path.name}:{number}: equivalent mutant {name.strip()} has no reason")
        equivalents[name.strip()] = reason.strip()
    return equivalents


def resolve(target: str) -> list[str]:
    """Module paths for a module path or a rule family name."""
    family = REPO / "cflint" / "rules" / target
    if family.is_dir():
        return sorted(str(p.relative_to(REPO)) for p in family.glob("cf*.py"))
    if (REPO / target).is_file():
        return [target]
    raise SystemExit(f"no module or rule family named {target!r}")


def tests_for(module: str) -> tuple[str, ...]:
    if module in TARGETS:
        return TARGETS[module]
    match = re.search(r"(cf\d{3})_", module)
    if match:
        found = sorted(str(p.relative_to(REPO)) for p in (REPO / "tests").glob(f"test_{match.group(1)}_*.py"))
        if found:
            return tuple(found)
    raise SystemExit(f"no tests known for {module}; pass --tests")


def configure(copy: Path, modules: Sequence[str], tests: Sequence[str]) -> None:
    pyproject = copy / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    narrowed = (
        f"only_mutate = {json.dumps(list(modules))}\npytest_add_cli_args_test_selection = {json.dumps(list(tests))}\n"
    )
    text = re.sub(r"^pytest_add_cli_args_test_selection = .*\n", narrowed, text, flags=re.M)
    pyproject.write_text(text, encoding="utf-8")


def statuses(copy: Path, mutmut: str) -> dict[str, str]:
    listed = subprocess.run([mutmut, "results", "--all", "true"], cwd=copy, capture_output=True, text=True, check=True)
    found = {}
    for line in listed.stdout.splitlines():
        name, _, status = line.strip().rpartition(": ")
        if name:
            found[name] = status
    return found


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("target", help="a module path (cflint/analysis/flow.py) or a rule family (resources)")
    parser.add_argument("--tests", nargs="+", help="test files to run instead of the known ones")
    parser.add_argument("--keep", action="store_true", help="keep the working copy and print where it is")
    args = parser.parse_args(argv)
    modules = resolve(args.target)
    tests = tuple(args.tests) if args.tests else tuple(dict.fromkeys(t for m in modules for t in tests_for(m)))
    mutmut = shutil.which("mutmut", path=str(Path(sys.executable).parent)) or "mutmut"
    equivalents = read_equivalents()
    work = Path(tempfile.mkdtemp(prefix="cflint-mutation-"))
    copy = work / "repo"
    shutil.copytree(REPO, copy, ignore=IGNORED)
    configure(copy, modules, tests)
    try:
        subprocess.run([mutmut, "run", "--max-children", "1"], cwd=copy, check=False)
        found = statuses(copy, mutmut)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    counted = {name: status for name, status in found.items() if name not in equivalents}
    tally = Counter(counted.values())
    killed = tally["killed"] + tally["timeout"]
    total = sum(tally.values()) - tally["skipped"]
    for name, status in sorted(counted.items()):
        if status not in ("killed", "timeout", "skipped"):
            print(f"{status:12} {name}")
    score = 100 * killed / total if total else 100.0
    print(f"{' '.join(modules)}: {score:.1f} % ({killed} of {total} killed; {len(found) - len(counted)} equivalent)")
    if args.keep:
        print(f"working copy: {copy}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
