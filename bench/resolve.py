"""Time `cflint --resolve` against the same run without it, and a cold resolution against pip's
own dry run (and uv's, when `uv` is installed), on one function folder; print a markdown table.

    python bench/resolve.py                    # the issue's requirements, 5 runs each
    python bench/resolve.py --runs 9 --requirements my-requirements.txt

Needs the package index (PyPI, or what pip is configured with). Every timing is the median of
`--runs` runs, in one process, one after the other. "Cold" means cflint's caches are empty; pip's
and uv's own HTTP caches are left as they are for every tool alike (a first run warms them).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

REQUIREMENTS = "yake==0.4.8\nrequests\nline-bot-sdk\nflask==3.1.0\n"
USER = "import linebot\nimport requests\nimport yake\n\n\ndef main():\n    return 'hello'\n"


def _run(command: Sequence[str], cwd: Path, env: dict[str, str] | None = None) -> None:
    subprocess.run(list(command), cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)


def _median(runs: int, once: Callable[[], None]) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        once()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--requirements", type=Path, help="the requirements.txt to resolve (default: the issue's)")
    parser.add_argument("--python-version", default="3.12", help="the version pip's and uv's own runs resolve for")
    args = parser.parse_args(argv)
    import os

    base = Path(tempfile.mkdtemp(prefix="cflint-bench-resolve-"))
    try:
        folder = base / "function"
        folder.mkdir()
        requirements = args.requirements.read_text(encoding="utf-8") if args.requirements else REQUIREMENTS
        (folder / "requirements.txt").write_text(requirements, encoding="utf-8")
        (folder / "user.py").write_text(USER, encoding="utf-8")
        cache = base / "cache"
        env = {**os.environ, "CFLINT_CACHE_DIR": str(cache)}
        cflint = [sys.executable, "-m", "cflint", "--exit-zero", "."]

        def clear() -> None:
            shutil.rmtree(cache, ignore_errors=True)

        _run([*cflint, "--resolve"], folder, env)  # warms pip's own HTTP cache, and cflint's
        rows: list[tuple[str, float]] = []
        plain_warm = _median(args.runs, lambda: _run(cflint, folder, env))
        resolve_warm = _median(args.runs, lambda: _run([*cflint, "--resolve"], folder, env))
        plain_nocache = _median(args.runs, lambda: _run([*cflint, "--no-cache"], folder, env))
        resolve_nocache = _median(args.runs, lambda: _run([*cflint, "--no-cache", "--resolve"], folder, env))
        one_version = [*cflint, "--resolve", "--target-versions", args.python_version]
        version = args.python_version
        pip = [
            sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--report", str(base / "r.json"),
            "--python-version", version, "--platform", "manylinux_2_28_x86_64", "--platform", "manylinux2014_x86_64",
            "--implementation", "cp", "--only-binary=:all:", "--target", str(base / "target"), "-r", "requirements.txt",
        ]  # fmt: skip
        uv = shutil.which("uv") or shutil.which("uv", path=str(Path(sys.executable).parent))
        compile_ = [uv or "uv", "pip", "compile", "--python-version", version, "--python-platform",
                    "x86_64-manylinux_2_28", "--only-binary", ":all:", "-q", "requirements.txt"]  # fmt: skip
        # The cold runs take turns, one of each per round, so that a change of load or of the
        # network's speed weighs on each alike.
        commands = {"three": [*cflint, "--resolve"], "one": one_version, "pip": pip, "uv": compile_}
        cold: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, command in commands.items():
                if name == "uv" and uv is None:
                    continue
                clear()
                start = time.perf_counter()
                _run(command, folder, env)
                cold[name].append(time.perf_counter() - start)
        resolve_cold, resolve_cold_one, pip_dry_run = (statistics.median(cold[n]) for n in ("three", "one", "pip"))
        rows += [
            ("cflint, warm result cache", plain_warm),
            ("cflint --resolve, warm caches", resolve_warm),
            ("cflint --no-cache", plain_nocache),
            ("cflint --no-cache --resolve, warm resolution cache", resolve_nocache),
            ("cflint --resolve, cold (3 target versions, side by side)", resolve_cold),
            (f"cflint --resolve --target-versions {version}, cold", resolve_cold_one),
            (f"pip install --dry-run --report (one version, {version})", pip_dry_run),
        ]
        if cold["uv"]:
            rows.append((f"uv pip compile (one version, {version})", statistics.median(cold["uv"])))
        print(f"Median of {args.runs} runs, seconds.\n")
        print("| run | median (s) |\n| --- | ---: |")
        for name, seconds in rows:
            print(f"| {name} | {seconds:.2f} |")
        print(f"\nwarm --resolve / without: {resolve_warm / plain_warm:.2f}x (cached results); ", end="")
        print(f"{resolve_nocache / plain_nocache:.2f}x (--no-cache)")
        print(f"cold --resolve / pip's dry run: {resolve_cold / pip_dry_run:.2f}x (3 versions); ", end="")
        print(f"{resolve_cold_one / pip_dry_run:.2f}x (one version)")
    finally:
        shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
