"""The markdown report: one table per input, then the issue's targets checked against the numbers."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from corpus import Corpus
from trials import Outcome

MIB_LIMIT_PER_PROCESS = 200
HOSTILE_CPU_SECONDS, HOSTILE_MIB = 10.0, 500


@dataclass(frozen=True)
class Target:
    name: str
    measured: Callable[[Mapping[str, Outcome]], float | None]
    limit: float
    unit: str


def seconds(value: float) -> str:
    if value < 1:
        return f"{value:.3f}"
    return f"{value:.2f}" if value < 10 else f"{value:.1f}"


def ratio(value: float) -> str:
    return f"{value:.2f}" if value < 10 else f"{value:.1f}"


def _ratios(outcome: Outcome, reference: Outcome | None) -> list[str]:
    if reference is None or not reference.samples or not outcome.samples:
        return ["n/a"] * 3
    return [
        ratio(outcome.wall / reference.wall),
        ratio(outcome.cpu / reference.cpu),
        ratio(outcome.peak_rss_mib / reference.peak_rss_mib),
    ]


def _label(outcome: Outcome) -> str:
    command = outcome.command
    if command.tool == "floor":
        return "floor: Python + LibCST"
    return f"cflint ({command.scenario})" if command.tool == "cflint" else command.tool


def _status(outcome: Outcome) -> str:
    if outcome.failure is not None:
        return f"FAILED: {outcome.failure.replace('|', '/')}"
    return ", ".join(str(code) for code in outcome.exit_codes)


def table(corpus: Corpus, outcomes: Sequence[Outcome]) -> list[str]:
    reference = next((o for o in outcomes if o.command.id == f"cflint-cold-{corpus.name}"), None)
    lines = [
        f"### {corpus.name}: {corpus.files} file{'' if corpus.files == 1 else 's'}, {corpus.lines} lines",
        "",
        (
            "| Tool | Command | Runs | Wall (s) | CPU (s) | Peak RSS (MiB) "
            "| Wall × cflint | CPU × cflint | RSS × cflint | Exit |"
        ),
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for outcome in outcomes:
        if outcome.samples:
            numbers = [seconds(outcome.wall), seconds(outcome.cpu), f"{outcome.peak_rss_mib:.0f}"]
        else:
            numbers = ["—"] * 3
        cells = [
            _label(outcome),
            f"`{outcome.command.display}`",
            str(len(outcome.samples)),
            *numbers,
            *_ratios(outcome, reference),
            _status(outcome),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _wall(outcomes: Mapping[str, Outcome], command_id: str) -> float | None:
    outcome = outcomes.get(command_id)
    if outcome is None or not outcome.samples or outcome.failure is not None:
        return None
    return outcome.wall


def _wall_ratio(numerator: str, denominator: str) -> Callable[[Mapping[str, Outcome]], float | None]:
    def measured(outcomes: Mapping[str, Outcome]) -> float | None:
        top, bottom = _wall(outcomes, numerator), _wall(outcomes, denominator)
        return None if top is None or bottom is None else top / bottom

    return measured


def _of_row(command_id: str, value: Callable[[Outcome], float]) -> Callable[[Mapping[str, Outcome]], float | None]:
    """One number of one row, when the row was measured."""

    def measured(outcomes: Mapping[str, Outcome]) -> float | None:
        return value(outcomes[command_id]) if _wall(outcomes, command_id) is not None else None

    return measured


def _peak_rss(outcomes: Mapping[str, Outcome]) -> float | None:
    measured = [
        outcomes[command_id].peak_rss_mib
        for command_id in ("cflint-cold-stdlib", "cflint-warm-stdlib")
        if _wall(outcomes, command_id) is not None
    ]
    return max(measured) if measured else None


TARGETS = (
    Target("small, cold: cflint wall ÷ floor", _wall_ratio("cflint-cold-small", "floor-small"), 1.3, "×"),
    Target("small, cold: cflint wall ÷ Fixit wall", _wall_ratio("cflint-cold-small", "fixit-small"), 0.5, "×"),
    Target("small, cold: cflint wall ÷ flake8 wall", _wall_ratio("cflint-cold-small", "flake8-small"), 2.0, "×"),
    Target("small, warm: cflint wall ÷ flake8 wall", _wall_ratio("cflint-warm-small", "flake8-small"), 1.0, "×"),
    Target("stdlib, cold: cflint wall ÷ flake8 -j2 wall", _wall_ratio("cflint-cold-stdlib", "flake8-stdlib"), 1.0, "×"),
    Target("stdlib, cold: cflint wall ÷ Fixit wall", _wall_ratio("cflint-cold-stdlib", "fixit-stdlib"), 0.06, "×"),
    Target(
        "stdlib, warm ÷ stdlib, cold (cflint wall)", _wall_ratio("cflint-warm-stdlib", "cflint-cold-stdlib"), 0.05, "×"
    ),
    Target("stdlib: cflint peak RSS of one process", _peak_rss, MIB_LIMIT_PER_PROCESS, "MiB"),
    # cflint bounds each file to 10 s of CPU and 500 MiB; all seven worst cases together stay inside one file's.
    Target(
        "hostile, cold: cflint CPU, all files",
        _of_row("cflint-cold-hostile", lambda row: row.cpu),
        HOSTILE_CPU_SECONDS,
        "s",
    ),
    Target(
        "hostile, cold: cflint peak RSS of one process",
        _of_row("cflint-cold-hostile", lambda row: row.peak_rss_mib),
        HOSTILE_MIB,
        "MiB",
    ),
)


def targets(outcomes: Mapping[str, Outcome]) -> list[str]:
    lines = ["### Targets", "", "| Target | Limit | Measured | Met |"]
    lines.append("| --- | ---: | ---: | --- |")
    for target in TARGETS:
        value = target.measured(outcomes)
        shown = "not measured" if value is None else f"{ratio(value)} {target.unit}"
        met = "—" if value is None else ("yes" if value <= target.limit else "**no**")
        lines.append(f"| {target.name} | ≤ {target.limit:g} {target.unit} | {shown} | {met} |")
    return lines


def consistency(outcomes: Mapping[str, Outcome], corpora: Sequence[Corpus]) -> list[str]:
    """Whether cflint printed the same findings in every run, cold or warm."""
    lines = []
    for corpus in corpora:
        digests: set[str] = set()
        for command_id in (f"cflint-cold-{corpus.name}", f"cflint-warm-{corpus.name}"):
            outcome = outcomes.get(command_id)
            if outcome is not None:
                digests |= outcome.output_digests
        if len(digests) > 1:
            lines.append(f"- **{corpus.name}: cflint's output differed between runs; cold and warm must agree.**")
        elif digests:
            lines.append(f"- {corpus.name}: cflint printed the same output in every measured run.")
    return lines


def render(header: Sequence[str], results: Sequence[tuple[Corpus, Sequence[Outcome]]]) -> str:
    outcomes = {outcome.command.id: outcome for _, group in results for outcome in group}
    lines = [*header, ""]
    for corpus, group in results:
        lines += [*table(corpus, group), ""]
    lines += [*targets(outcomes), ""]
    lines += consistency(outcomes, [corpus for corpus, _ in results])
    return "\n".join(lines).rstrip() + "\n"
