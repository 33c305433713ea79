"""Bar-chart geometry for the report pages: numbers in, coordinates out.

Pure Python (no Flask, no database): the templates draw the SVG from these values, so
pages need no script and no inline style. A chart has one or two series (for example
"registered" and "checked in"); each row of the chart is one row of the table beside it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 640
MAX_LABEL = 26  # characters of a row label drawn in the chart; the table has it whole


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: int
    series: int  # 0 or 1: the CSS class chart-series-0 / chart-series-1


@dataclass(frozen=True)
class Row:
    label: str  # shortened for the drawing
    full_label: str
    x: float  # where the label is drawn
    y: float
    bars: tuple[Bar, ...]


@dataclass(frozen=True)
class Tick:
    """A value gridline: at ``x`` (horizontal charts, label under the plot at ``y``) or
    at ``y`` (vertical charts, label left of the plot at ``x``)."""

    x: float
    y: float
    label: str


@dataclass(frozen=True)
class Chart:
    orientation: str  # "horizontal" (bars grow right) or "vertical" (bars grow up)
    width: int
    height: int
    plot_left: float
    plot_right: float
    plot_top: float
    plot_bottom: float
    rows: tuple[Row, ...]
    ticks: tuple[Tick, ...]  # value gridlines
    peak: int  # the value at the end of the axis
    series: int  # how many series each row has


def nice_peak(value: int) -> int:
    """The axis end: ``value`` rounded up to 1, 2 or 5 times a power of ten."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power  # pragma: no cover - the loop always returns


def _ticks(peak: int) -> list[int]:
    """Four or five round values from 0 to ``peak``."""
    for parts in (5, 4, 2, 1):
        if peak % parts == 0:
            return [peak * i // parts for i in range(parts + 1)]
    return [0, peak]  # pragma: no cover


def shorten(label: str, limit: int = MAX_LABEL) -> str:
    label = " ".join(str(label).split())
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def horizontal_bars(
    rows: Sequence[tuple[str, Sequence[int]]],
    *,
    width: int = WIDTH,
    label_width: int = 200,
    bar_height: int = 14,
    gap: int = 10,
) -> Chart | None:
    """One row per (label, values); each value a bar growing to the right.

    None when there is nothing to draw (no rows, or every value zero)."""
    if not rows or not any(v for _label, values in rows for v in values):
        return None
    series = max(len(values) for _label, values in rows)
    peak = nice_peak(max(v for _label, values in rows for v in values))
    top, bottom_margin, right_margin = 8, 24, 16
    left = float(label_width)
    right = float(width - right_margin)
    span = right - left
    row_height = series * bar_height + gap
    height = int(top + len(rows) * row_height + bottom_margin)
    drawn = []
    for i, (label, values) in enumerate(rows):
        y0 = top + i * row_height + gap / 2
        bars = tuple(
            Bar(
                x=left,
                y=round(y0 + s * bar_height, 1),
                width=round(span * v / peak, 1),
                height=float(bar_height - 2),
                value=int(v),
                series=s,
            )
            for s, v in enumerate(values)
        )
        middle = y0 + series * bar_height / 2
        drawn.append(Row(shorten(label), str(label), left - 6, round(middle + 4, 1), bars))
    plot_bottom = float(top + len(rows) * row_height)
    ticks = tuple(
        Tick(round(left + span * t / peak, 1), plot_bottom + 16, str(t)) for t in _ticks(peak)
    )
    return Chart("horizontal", width, height, left, right, float(top), plot_bottom,
                 tuple(drawn), ticks, peak, series)  # fmt: skip


def vertical_bars(
    rows: Sequence[tuple[str, Sequence[int]]],
    *,
    width: int = WIDTH,
    height: int = 240,
    max_step: int = 120,
) -> Chart | None:
    """One group of bars per (label, values), growing up; labels under the axis."""
    if not rows or not any(v for _label, values in rows for v in values):
        return None
    series = max(len(values) for _label, values in rows)
    peak = nice_peak(max(v for _label, values in rows for v in values))
    left, right_margin, top, bottom_margin = 44.0, 12, 12.0, 30
    right = float(width - right_margin)
    baseline = float(height - bottom_margin)
    span = baseline - top
    step = min((right - left) / len(rows), max_step)
    bar_width = step * 0.8 / series
    drawn = []
    for i, (label, values) in enumerate(rows):
        x0 = left + i * step + step * 0.1
        bars = []
        for s, v in enumerate(values):
            h = round(span * v / peak, 1)
            bars.append(
                Bar(
                    round(x0 + s * bar_width, 1),
                    round(baseline - h, 1),
                    round(bar_width - 2, 1),
                    h,
                    int(v),
                    s,
                )
            )
        drawn.append(
            Row(
                shorten(label, 16),
                str(label),
                round(left + i * step + step / 2, 1),
                baseline + 18,
                tuple(bars),
            )
        )
    ticks = tuple(
        Tick(left - 6, round(baseline - span * t / peak, 1), str(t)) for t in _ticks(peak)
    )
    return Chart("vertical", width, height, left, right, top, baseline, tuple(drawn), ticks,
                 peak, series)  # fmt: skip
