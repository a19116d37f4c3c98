"""Figures, goals and the summary table."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    """One line of the summary: a measured value, and a goal when the issue sets one."""

    bench: str
    label: str
    value: float
    unit: str
    goal: float | None = None  # met when value <= goal

    @property
    def status(self) -> str:
        if self.goal is None:
            return ""
        return "met" if self.value <= self.goal else "MISSED"

    def render(self) -> tuple[str, str, str, str]:
        goal = f"≤ {_fmt(self.goal, self.unit)}" if self.goal is not None else ""
        return self.label, _fmt(self.value, self.unit), goal, self.status


def _fmt(value: float, unit: str) -> str:
    if unit == "s":
        return f"{value:.3f} s" if value < 10 else f"{value:.1f} s"
    if unit == "ms":
        return f"{value:.1f} ms"
    if unit == "x":
        return f"{value:.2f}×"
    if unit == "req/s":
        return f"{value:.0f} req/s"
    return f"{value:g} {unit}".strip()


def median(values: list[float]) -> float:
    return statistics.median(values)


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (pct in 0..100)."""
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def say(text: str) -> None:
    print(text, flush=True)


def line(figure: Figure) -> None:
    label, value, goal, status = figure.render()
    tail = f"  (goal {goal}: {status})" if goal else ""
    say(f"  {label}: {value}{tail}")


def summary(figures: list[Figure], seconds: float) -> None:
    rows = [("benchmark", "figure", "result", "goal", "")]
    rows += [(f.bench, *f.render()) for f in figures]
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    say("")
    say("=" * (sum(widths) + 8))
    for i, row in enumerate(rows):
        say("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
        if i == 0:
            say("-" * (sum(widths) + 8))
    say("=" * (sum(widths) + 8))
    goals = [f for f in figures if f.goal is not None]
    met = sum(1 for f in goals if f.status == "met")
    say(f"{met}/{len(goals)} goals met; bench ran in {seconds:.0f} s")
