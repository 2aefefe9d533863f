"""Bar charts drawn on the server as inline SVG (ADR 0006): the geometry of a chart from the data its view
already builds, `{"labels": [...], "values": [...]}` (one series) or `{"labels": [...], "series": [{"name",
"values"}]}` (stacked bars, the fund pages: paid + reserved + available = allocated).

No JavaScript and no style attribute (the Content-Security-Policy allows neither inline script nor inline
style): the template (`web/_bar_chart.html`) writes coordinates as SVG attributes and colours by class
(`qiancheng.css`). The SVG scales with its `viewBox`; the viewBox is narrow (WIDTH units) so that at 390 px
the text is drawn at about the size it is written in, and `qiancheng.css` caps the chart's width on a desktop.

A few short categories stand as vertical bars; many, or long names, lie as horizontal bars, a row each, so
that no label is rotated or blurred and the chart grows downwards instead of squeezing. Stacked bars are
always horizontal (their money labels are long).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

WIDTH = 360  # viewBox units: about one CSS pixel each in a phone's 390 px screen (main's margins taken off)
FONT = 12  # text size in viewBox units
ROW = 24  # a horizontal bar's row
BAR = 15  # a horizontal bar's thickness
VERTICAL_HEIGHT = 220
MAX_VERTICAL = 12  # more categories than this always lie horizontally
MAX_LABEL_SHARE = Decimal("0.42")  # of the width, for a horizontal chart's category labels
AXIS_ROOM = 22  # below the plot: the axis' tick labels
SERIES_CLASSES = 3  # qiancheng.css colours series-0 .. series-2, then repeats
MAX_BARS = 30  # a longer list is drawn as its largest MAX_BARS (the page's paged table holds every row)


def text_width(text: str, size: int = FONT) -> float:
    """About how wide `text` is drawn: a Han character (or any wide one) is a square, Latin and digits are
    narrower. An estimate is enough: it decides the room kept for labels, never cuts a figure."""
    return sum(size if ord(char) >= 0x2E80 else size * 0.6 for char in text)


def shortened(text: str, room: float, size: int = FONT) -> str:
    """`text` cut with "…" to fit `room` (the full text stays in the bar's tooltip and the data table)."""
    if text_width(text, size) <= room:
        return text
    kept = ""
    for char in text:
        if text_width(kept + char + "…", size) > room:
            break
        kept += char
    return kept + "…"


def number(value: Any) -> Decimal:
    """A value as the views hand it over (int, float, Decimal or text) as a Decimal; none or unreadable is 0."""
    if value is None or value == "":
        return Decimal(0)
    try:
        found = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return Decimal(0)
    return found if found.is_finite() else Decimal(0)


def plain(value: Decimal, unit: str = "") -> str:
    """A value with thousands separated, its own decimals kept: 3556 → "3,556", 47.5 → "47.5"."""
    return f"{value:,}{unit}"


def tidy(value: Decimal) -> Decimal:
    """A whole value without trailing decimals (5.0 → 5, 1E+3 → 1000); others as they are."""
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


def nice_ceiling(largest: Decimal) -> Decimal:
    """The axis' end: the smallest round number (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power of ten) that
    holds `largest` (1 for nothing): the longest bar fills most of the width, and the axis' middle is round too."""
    if largest <= 0:
        return Decimal(1)
    power = Decimal(10) ** math.floor(math.log10(largest))
    for step in (1, Decimal("1.2"), Decimal("1.5"), 2, Decimal("2.5"), 3, 4, 5, 6, 8, 10):
        if step * power >= largest:
            return tidy(step * power)
    return tidy(10 * power)


@dataclass
class Segment:
    """One rectangle: where it is, its colour class and its tooltip."""

    x: float
    y: float
    width: float
    height: float
    css: str
    title: str


@dataclass
class Bar:
    label: str  # as drawn (perhaps shortened)
    full_label: str
    value_text: str
    segments: list[Segment]
    label_x: float
    label_y: float
    value_x: float
    value_y: float


@dataclass
class Tick:
    x1: float
    y1: float
    x2: float
    y2: float
    text: str
    text_x: float
    text_y: float
    anchor: str


@dataclass
class Chart:
    """Everything `web/_bar_chart.html` draws, in viewBox units."""

    horizontal: bool
    width: int
    height: int
    bars: list[Bar]
    ticks: list[Tick]
    axis: tuple[float, float, float, float]  # the baseline: x1, y1, x2, y2
    legend: list[tuple[str, str]] = field(default_factory=list)  # (colour class, series name)
    rows: list[tuple[str, list[str]]] = field(default_factory=list)  # the data table: label, each value
    columns: list[str] = field(default_factory=list)  # the data table's value headings
    font: int = FONT
    drawn: int = 0  # bars drawn
    of: int = 0  # categories in the data (more than drawn: only the largest are drawn)


def _rows(labels: Sequence[Any], series: Sequence[Sequence[Any]]) -> list[tuple[str, list[Decimal]]]:
    return [(str(label), [number(values[n]) if n < len(values) else Decimal(0) for values in series])
            for n, label in enumerate(labels)]


def build(labels: Sequence[Any], series: Sequence[tuple[str, Sequence[Any]]], fmt: Callable[[Decimal], str],
          horizontal: bool | None = None, tick_fmt: Callable[[Decimal], str] | None = None) -> Chart:
    """The chart of `labels` against one or more `series` ((name, values); more than one are stacked);
    `fmt` writes a value (the value labels, the tooltips and the data table), `tick_fmt` the axis (`fmt` if
    not given: money's axis is written shorter than its amounts)."""
    rows = _rows(labels, [values for _name, values in series])
    of = len(rows)
    if of > MAX_BARS:  # the largest, largest first: a chart of hundreds of classes would be a wall of bars
        rows = sorted(rows, key=lambda row: sum(row[1], Decimal(0)), reverse=True)[:MAX_BARS]
    names = [name for name, _values in series]
    stacked = len(series) > 1
    totals = [sum((max(each, Decimal(0)) for each in values), Decimal(0)) for _label, values in rows]
    top = nice_ceiling(max(totals, default=Decimal(0)))
    value_texts = [fmt(sum(values, Decimal(0))) for _label, values in rows]
    if horizontal is None:
        band = (WIDTH - 40) / max(len(rows), 1)
        horizontal = stacked or len(rows) > MAX_VERTICAL or any(
            text_width(label) > band * 0.95 or text_width(text, FONT - 1) > band for (label, _v), text
            in zip(rows, value_texts, strict=True))
    draw = _horizontal if horizontal else _vertical
    chart = draw(rows, totals, top, value_texts, names, fmt, tick_fmt or fmt)
    chart.legend = [(f"series-{n % SERIES_CLASSES}", name) for n, name in enumerate(names)] if stacked else []
    chart.columns = names
    chart.rows = [(label, [fmt(each) for each in values]) for label, values in rows]
    chart.drawn, chart.of = len(rows), of
    return chart


def _segments(values: Iterable[Decimal], names: Sequence[str], label: str, fmt: Callable[[Decimal], str],
              place: Callable[[Decimal, Decimal], tuple[float, float, float, float]]) -> list[Segment]:
    """The bar's rectangles, one a series, each placed by `place(start, value)` (negative values drawn as 0)."""
    segments, start = [], Decimal(0)
    for n, value in enumerate(values):
        drawn = max(value, Decimal(0))
        x, y, width, height = place(start, drawn)
        title = f"{label}：{names[n]} {fmt(value)}" if len(names) > 1 else f"{label}：{fmt(value)}"
        segments.append(Segment(round(x, 1), round(y, 1), round(width, 1), round(height, 1),
                                f"series-{n % SERIES_CLASSES}", title))
        start += drawn
    return segments


def _horizontal(rows: list[tuple[str, list[Decimal]]], totals: list[Decimal], top: Decimal, value_texts: list[str],
                names: Sequence[str], fmt: Callable[[Decimal], str], tick_fmt: Callable[[Decimal], str]) -> Chart:
    label_room = min(max((text_width(label) for label, _v in rows), default=0) + 8, float(MAX_LABEL_SHARE * WIDTH))
    value_room = max((text_width(text, FONT - 1) for text in value_texts), default=0) + 8
    left, right = label_room, WIDTH - value_room
    scale = (right - left) / float(top)
    plot_bottom = 4 + ROW * len(rows)
    bars = []
    for n, ((label, values), total, text) in enumerate(zip(rows, totals, value_texts, strict=True)):
        y = 4 + n * ROW + (ROW - BAR) / 2

        def place(start: Decimal, value: Decimal, y: float = y) -> tuple[float, float, float, float]:
            return left + float(start) * scale, y, float(value) * scale, BAR

        segments = _segments(values, names, label, fmt, place)
        middle = round(y + BAR / 2 + FONT * 0.35, 1)
        bars.append(Bar(shortened(label, label_room - 8), label, text, segments,
                        round(left - 6, 1), middle, round(left + float(total) * scale + 4, 1), middle))
    ticks = []
    marks = [(Decimal(0), "start"), (Decimal("0.5"), "middle"), (Decimal(1), "end")]
    widest = max(text_width(tick_fmt(tidy(top * share)), FONT - 1) for share, _a in marks)
    if widest * 1.5 + 8 > (right - left) / 2:  # the middle label (centred) and the end's (ending there) would meet
        marks = [marks[0], marks[2]]  # the middle label would run into its neighbours: the ends only
    for share, anchor in marks:
        x = round(left + (right - left) * float(share), 1)
        ticks.append(Tick(x, 4, x, plot_bottom, tick_fmt(tidy(top * share)), x, plot_bottom + 15, anchor))
    left = round(left, 1)
    return Chart(True, WIDTH, int(plot_bottom + AXIS_ROOM), bars, ticks, (left, 4, left, plot_bottom))


def _vertical(rows: list[tuple[str, list[Decimal]]], totals: list[Decimal], top: Decimal, value_texts: list[str],
              names: Sequence[str], fmt: Callable[[Decimal], str], tick_fmt: Callable[[Decimal], str]) -> Chart:
    tick_values = [tidy(top * share) for share in (0, Decimal("0.5"), 1)]
    left = round(max(text_width(tick_fmt(value), FONT - 1) for value in tick_values) + 8, 1)
    plot_top, plot_bottom = 18.0, VERTICAL_HEIGHT - AXIS_ROOM
    band = (WIDTH - left - 4) / max(len(rows), 1)
    thickness = min(40.0, band * 0.6)
    scale = (plot_bottom - plot_top) / float(top)
    bars = []
    for n, ((label, values), total, text) in enumerate(zip(rows, totals, value_texts, strict=True)):
        centre = left + band * n + band / 2

        def place(start: Decimal, value: Decimal, centre: float = centre) -> tuple[float, float, float, float]:
            height = float(value) * scale
            return centre - thickness / 2, plot_bottom - float(start) * scale - height, thickness, height

        segments = _segments(values, names, label, fmt, place)
        bars.append(Bar(shortened(label, band - 2), label, text, segments, round(centre, 1), round(plot_bottom + 15, 1),
                        round(centre, 1), round(plot_bottom - float(total) * scale - 4, 1)))
    ticks = []
    for value in tick_values:
        y = round(plot_bottom - float(value) * scale, 1)
        ticks.append(Tick(left, y, WIDTH - 4, y, tick_fmt(value), left - 4, y + FONT * 0.35, "end"))
    return Chart(False, WIDTH, VERTICAL_HEIGHT, bars, ticks, (left, plot_bottom, WIDTH - 4, plot_bottom))
