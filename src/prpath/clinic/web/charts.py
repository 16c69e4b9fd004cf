"""The pain chart, drawn on the server as SVG: no script, no library, readable without JavaScript.

Pure geometry: the template draws what this computes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ChartPoint:
    x: float
    y: float
    day: int
    pain: int


@dataclass(frozen=True, slots=True)
class PainChart:
    width: int
    height: int
    points: tuple[ChartPoint, ...]
    polyline: str
    baseline_y: float | None
    baseline: int | None
    y_ticks: tuple[tuple[float, int], ...]
    x_ticks: tuple[tuple[float, int], ...]
    left: int
    right: int
    top: int
    bottom: int
    description: str


def pain_chart(
    readings: Sequence[tuple[int, int]],
    baseline: int | None,
    *,
    pain_max: int = 10,
    width: int = 420,
    height: int = 230,
) -> PainChart:
    """``readings`` are (day after the injection, pain) pairs, in any order."""
    left, right, top, bottom = 36, width - 12, 12, height - 30
    ordered = sorted(readings)
    last_day = max([d for d, _ in ordered] + [14])

    def x(day: int) -> float:
        return round(left + (right - left) * day / last_day, 1)

    def y(pain: int) -> float:
        return round(bottom - (bottom - top) * pain / pain_max, 1)

    points = tuple(ChartPoint(x(d), y(p), d, p) for d, p in ordered)
    step = 7 if last_day > 28 else 2 if last_day <= 14 else 7
    x_ticks = tuple((x(d), d) for d in range(0, last_day + 1, step))
    y_ticks = tuple((y(p), p) for p in range(0, pain_max + 1, 2))
    if ordered:
        first, last = ordered[0], ordered[-1]
        description = f"Pain from {first[1]} on day {first[0]} to {last[1]} on day {last[0]}"
        description += f"; {baseline} before the injection." if baseline is not None else "."
    else:
        description = "No check-ins yet."
    return PainChart(
        width=width,
        height=height,
        points=points,
        polyline=" ".join(f"{p.x},{p.y}" for p in points),
        baseline_y=y(baseline) if baseline is not None else None,
        baseline=baseline,
        y_ticks=y_ticks,
        x_ticks=x_ticks,
        left=left,
        right=right,
        top=top,
        bottom=bottom,
        description=description,
    )
