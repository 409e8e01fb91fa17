"""Running pip's resolver for one target version, and reading what it says: its JSON report
(`--report -`) when it can install the requirements, its error lines when it cannot."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cflint.model import UsageError
from cflint.resolve.model import PLATFORMS, Failure, ResolvedDistribution, Version, VersionResolution

_TIMEOUT_SECONDS = 300
_NOT_FOUND = re.compile(
    r"Could not find a version that satisfies the requirement (?P<spec>.+?)"
    r"(?: \(from (?P<parent>[^()]+?)\))? \(from versions: (?P<versions>[^)]*)\)"
)
_CONFLICT = re.compile(r"Cannot install (?P<what>.+?) because these package versions have conflicting dependencies")
_LINE_REFERENCE = re.compile(r"-r (?P<file>.+?) \(line (?P<line>[0-9]+)\)")
_CAUSE = re.compile(r"^\s+(?P<who>.+?) depends on (?P<what>.+)$|^\s+The user requested (?P<asked>.+)$", re.MULTILINE)
_NETWORK = re.compile(
    r"NewConnectionError|Failed to establish a new connection|Could not fetch URL|ProxyError|"
    r"ConnectTimeoutError|Max retries exceeded|Temporary failure in name resolution|Name or service not known|"
    r"Network is unreachable|SSLError"
)
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*")


def pip_command() -> list[str]:
    """How to run pip: the one installed beside cflint, else `pip` on PATH. Raises UsageError
    when there is none (cflint installed by `uv tool` has no pip beside it)."""
    if importlib.util.find_spec("pip") is not None:
        return [sys.executable, "-m", "pip"]
    found = shutil.which("pip3") or shutil.which("pip")
    if found is not None:
        return [found]
    raise UsageError(
        "--resolve runs pip, which is neither installed beside cflint nor on PATH "
        "(install it beside cflint, e.g. `uv tool install cflint --with pip`)"
    )


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _target_options(version: Version) -> list[str]:
    """The runtime as pip's options name it: CPython `version` on manylinux x86_64."""
    return [
        "--disable-pip-version-check",
        "--retries",
        "1",
        "--python-version",
        f"{version[0]}.{version[1]}",
        *(word for platform in PLATFORMS for word in ("--platform", platform)),
        "--implementation",
        "cp",
    ]


def resolve_command(pip: Sequence[str], requirements: Path, version: Version, work: Path) -> list[str]:
    """pip's dry run for `version`; its report is written in `work`. Not --quiet: the lines that
    explain a conflict are among the informational ones."""
    return [
        *pip,
        "install",
        "--dry-run",
        "--ignore-installed",
        "--report",
        str(work / "report.json"),
        *_target_options(version),
        "--only-binary=:all:",
        "--target",
        str(work / "target"),
        "--requirement",
        str(requirements),
    ]


def run_pip(command: Sequence[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run pip in `cwd` (the function root, where a requirements file's relative paths are
    read from), with no input and its own temporary folder."""
    environment = {**os.environ, "PYTHONIOENCODING": "utf-8", "PIP_NO_INPUT": "1"}
    return subprocess.run(
        list(command),
        cwd=cwd,
        env=environment,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=_TIMEOUT_SECONDS,
        check=False,
    )


def resolve_with_pip(
    pip: Sequence[str], requirements: Path, root: Path, version: Version
) -> tuple[VersionResolution, dict[str, str]]:
    """What pip would install from `requirements` for CPython `version` on the runtime's
    platform, with the URL of each distribution's file."""
    with tempfile.TemporaryDirectory(prefix="cflint-resolve-") as work:
        try:
            completed = run_pip(resolve_command(pip, requirements, version, Path(work)), root)
        except subprocess.TimeoutExpired:
            failure = Failure("unreachable", f"pip did not answer in {_TIMEOUT_SECONDS} seconds")
            return VersionResolution(version, failures=(failure,)), {}
        report_text = (Path(work) / "report.json").read_text(encoding="utf-8") if completed.returncode == 0 else ""
    if completed.returncode == 0:
        try:
            report = json.loads(report_text)
        except ValueError:
            return VersionResolution(version, failures=(Failure("unreachable", "pip's report could not be read"),)), {}
        items = report.get("install", [])
        return VersionResolution(version, distributions=distributions_of_report(items, version)), wheel_urls(items)
    failure = failure_of_output(completed.stdout + completed.stderr, root)
    return VersionResolution(version, failures=(failure,)), {}


def _environment(version: Version, extra: str) -> dict[str, str]:
    from cflint.knowledge.requirements import runtime_environment

    return {**runtime_environment(version, extra), "platform_machine": "x86_64"}


def distributions_of_report(items: Sequence[dict[str, Any]], version: Version) -> tuple[ResolvedDistribution, ...]:
    """The distributions of pip's installation report, each with the others it depends on
    (its Requires-Dist whose markers hold on the runtime, with the extras asked of it)."""
    from packaging.requirements import InvalidRequirement, Requirement

    names = {canonical(item["metadata"]["name"]) for item in items}
    found = []
    for item in items:
        metadata = item["metadata"]
        extras = [canonical(extra) for extra in item.get("requested_extras") or []] or [""]
        requires: list[str] = []
        for text in metadata.get("requires_dist") or []:
            try:
                requirement = Requirement(text)
            except InvalidRequirement:
                continue
            name = canonical(requirement.name)
            if name not in names or name in requires:
                continue
            marker = requirement.marker
            if marker is None or any(marker.evaluate(_environment(version, extra)) for extra in extras):
                requires.append(name)
        url = str(item.get("download_info", {}).get("url", ""))
        found.append(
            ResolvedDistribution(
                canonical(metadata["name"]),
                str(metadata["version"]),
                bool(item.get("requested")),
                tuple(requires),
                wheel=url.endswith(".whl"),
            )
        )
    return tuple(found)


def wheel_urls(items: Sequence[dict[str, Any]]) -> dict[str, str]:
    return {canonical(item["metadata"]["name"]): str(item.get("download_info", {}).get("url", "")) for item in items}


def failure_of_output(stderr: str, root: Path) -> Failure:
    """What pip's output (its errors and informational lines) says went wrong."""
    errors = [line.removeprefix("ERROR: ") for line in stderr.splitlines() if line.startswith("ERROR: ")]
    if _NETWORK.search(stderr):
        return Failure("unreachable", _first_network_line(stderr))
    conflict = next(filter(None, map(_CONFLICT.search, errors)), None)
    if conflict is not None:
        lines = tuple(_line_references(conflict.group("what"), root))
        causes = [
            (match.group("asked") and f"the user requested {match.group('asked').strip()}")
            or f"{match.group('who').strip()} depends on {match.group('what').strip()}"
            for match in _CAUSE.finditer(stderr)
        ]
        reason = "conflicting dependencies" + (f": {'; '.join(causes)}" if causes else "")
        parts = re.split(r", | and ", conflict.group("what"))
        names = tuple(canonical(match.group(0)) for part in parts if (match := _NAME.match(part)))
        return Failure("conflict", reason, names=names, lines=lines)
    missing = next(filter(None, map(_NOT_FOUND.search, errors)), None)
    if missing is not None:
        spec = missing.group("spec").strip()
        name = _NAME.match(spec)
        parent = missing.group("parent")
        versions = missing.group("versions").strip()
        reason = f"no matching distribution found for {spec}" + (
            f" (versions with a wheel for it: {_few(versions)})" if versions != "none" else ""
        )
        return Failure(
            "unsatisfiable",
            reason,
            names=(canonical(name.group(0)),) if name else (),
            requirement=spec,
            parent=canonical(parent.split("==")[0].strip()) if parent and _NAME.match(parent) else None,
        )
    last = errors[-1] if errors else (stderr.strip().splitlines() or ["pip failed"])[-1]
    return Failure("unsatisfiable", last.strip())


def _few(versions: str, shown: int = 5) -> str:
    listed = [v.strip() for v in versions.split(",")]
    return ", ".join(listed[-shown:]) if len(listed) <= shown else "..., " + ", ".join(listed[-shown:])


def _first_network_line(stderr: str) -> str:
    for line in stderr.splitlines():
        if _NETWORK.search(line):
            return line.strip()[:300]
    return "the package index cannot be reached"


def _line_references(text: str, root: Path) -> list[tuple[str, int]]:
    return [
        (os.path.normpath(root / match.group("file")), int(match.group("line")))
        for match in _LINE_REFERENCE.finditer(text)
    ]


def has_source_distribution(
    pip: Sequence[str], spec: str, version: Version, root: Path, index_options: Sequence[str]
) -> bool:
    """Whether the index has a version matching `spec` when source distributions count
    (`pip index versions` without --only-binary): the requirement then needs a build."""
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        requirement = Requirement(spec)
    except InvalidRequirement:
        return False
    command = [
        *pip,
        "index",
        "versions",
        requirement.name,
        *_target_options(version),
        *index_options,
    ]
    try:
        completed = run_pip(command, root)
    except subprocess.TimeoutExpired:
        return False
    match = re.search(r"^Available versions: (.+)$", completed.stdout, re.MULTILINE)
    if completed.returncode != 0 or match is None:
        return False
    return any(requirement.specifier.contains(v.strip(), prereleases=True) for v in match.group(1).split(","))
