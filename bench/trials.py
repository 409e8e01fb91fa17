"""Run every command its number of times, interleaved, and keep the samples of the runs that worked."""

from __future__ import annotations

import shutil
import statistics
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TextIO

from measure import Sample, run_once
from plan import Command

TRACEBACK_MARK = "Traceback (most recent call last)"
KIB_PER_MIB = 1024


@dataclass(frozen=True)
class Outcome:
    command: Command
    samples: tuple[Sample, ...]
    failure: str | None

    @property
    def wall(self) -> float:
        return statistics.median(sample.wall for sample in self.samples)

    @property
    def cpu(self) -> float:
        return statistics.median(sample.cpu for sample in self.samples)

    @property
    def peak_rss_mib(self) -> float:
        return statistics.median(sample.peak_rss_kib for sample in self.samples) / KIB_PER_MIB

    @property
    def exit_codes(self) -> list[int]:
        return sorted({sample.exit_code for sample in self.samples})

    @property
    def output_digests(self) -> set[str]:
        return {sample.output_digest for sample in self.samples}


def problem(command: Command, sample: Sample, timeout: float) -> str | None:
    """Why a run does not count (a crash or a timeout), or None when the tool ran to its end."""
    if sample.timed_out:
        return f"timed out after {timeout:g} s"
    if sample.exit_code < 0:
        return f"killed by signal {-sample.exit_code}"
    last_lines = " | ".join(sample.stderr_tail.strip().splitlines()[-3:])
    if sample.exit_code not in command.ok_exit_codes:
        return f"exit {sample.exit_code}: {last_lines or 'no error output'}"
    if TRACEBACK_MARK in sample.stderr_tail and command.tool != "fixit":
        return f"traceback on stderr (exit {sample.exit_code}): {last_lines}"
    return None


def _describe(sample: Sample) -> str:
    return f"{sample.wall:.3f} s wall, {sample.cpu:.3f} s CPU, {sample.peak_rss_kib / KIB_PER_MIB:.1f} MiB"


def run_commands(commands: Sequence[Command], timeout: float, progress: TextIO = sys.stderr) -> list[Outcome]:
    """Round-robin over the commands so that a slow moment of the machine hits every tool alike."""
    samples: dict[str, list[Sample]] = {command.id: [] for command in commands}
    failures: dict[str, str] = {}
    rounds = max((command.runs for command in commands), default=0)
    for index in range(rounds):
        for command in commands:
            if command.id in failures or index >= command.runs:
                continue
            if index == 0 and command.prime:
                print(f"  {command.id}: priming run (not measured)", file=progress, flush=True)
                failure = problem(command, run_once(command.argv, command.corpus.path, command.env, timeout), timeout)
                if failure is not None:
                    failures[command.id] = f"priming run: {failure}"
                    print(f"  {command.id}: FAILED {failures[command.id]}", file=progress, flush=True)
                    continue
            if command.fresh_cache is not None:
                shutil.rmtree(command.fresh_cache, ignore_errors=True)
            sample = run_once(command.argv, command.corpus.path, command.env, timeout)
            failure = problem(command, sample, timeout)
            label = f"  {command.id} run {index + 1}/{command.runs}"
            if failure is not None:
                failures[command.id] = failure
                print(f"{label}: FAILED {failure}", file=progress, flush=True)
                continue
            samples[command.id].append(sample)
            print(f"{label}: {_describe(sample)} (exit {sample.exit_code})", file=progress, flush=True)
    return [Outcome(command, tuple(samples[command.id]), failures.get(command.id)) for command in commands]
