"""Charts for the pages, drawn here as SVG: no script, no stylesheet, nothing loaded
from elsewhere (the page's Content-Security-Policy allows neither), and readable by a
screen reader (a title and a description; the numbers are in a table beside them).

A grouped bar chart is all the pages need: the forecast's expected value and open
amount by quarter or market, and a seller's and a buyer's scores by dimension.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

__all__ = ["Group", "bar_chart"]

COLOURS = ("#1f5fbf", "#f2b705", "#5b6472")
WIDTH, BAR_AREA, LEFT, TOP, BOTTOM = 720, 220, 64, 28, 64


@dataclass(frozen=True)
class Group:
    """One label on the x axis and a value for each series (None: no data)."""

    label: str
    values: tuple[float | None, ...]


def _tick(value: float) -> str:
    for size, suffix in ((1_000_000, "M"), (1_000, "k")):
        if value >= size:
            return f"{value / size:.2f}".rstrip("0").rstrip(".") + suffix
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _label_lines(label: str, width: int = 15) -> list[str]:
    """A label on at most two lines of ``width`` characters, broken between words."""
    words, lines, line = label.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    if len(lines) > 2 or any(len(x) > width for x in lines):
        lines = lines[:2]
        lines = [x if len(x) <= width else x[: width - 1] + "…" for x in lines]
        if len(label) > sum(len(x) for x in lines) + 1 and not lines[-1].endswith("…"):
            lines[-1] = lines[-1][: width - 1] + "…"
    return lines


def _nice_top(value: float) -> float:
    """The smallest round number (1, 2, 2.5 or 5 times a power of ten) at least ``value``."""
    if value <= 0:
        return 1.0
    magnitude = float(10 ** (len(str(int(value))) - 1))
    for step in (1.0, 2.0, 2.5, 5.0, 10.0):
        if value <= step * magnitude:
            return step * magnitude
    return 10.0 * magnitude


def bar_chart(
    title: str,
    series: Sequence[str],
    groups: Sequence[Group],
    description: str,
    top: float | None = None,
) -> str:
    """An SVG grouped bar chart; ``top`` fixes the scale (e.g. 120 for culture scores)."""
    values = [v for g in groups for v in g.values if v is not None]
    ceiling = top if top is not None else _nice_top(max(values, default=0.0))
    height = TOP + BAR_AREA + BOTTOM
    slot = (WIDTH - LEFT - 10) / max(1, len(groups))
    bar = max(2.0, min(28.0, (slot - 10) / max(1, len(series))))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'role="img" aria-labelledby="chart-title chart-desc" class="chart">',
        f'<title id="chart-title">{escape(title)}</title>',
        f'<desc id="chart-desc">{escape(description)}</desc>',
    ]
    for i in range(5):  # the grid and its scale
        value = ceiling * i / 4
        y = TOP + BAR_AREA - BAR_AREA * i / 4
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - 10}" y1="{y:.1f}" y2="{y:.1f}" stroke="#d9dee5"/>'
        )
        parts.append(
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="#5b6472">{escape(_tick(value))}</text>'
        )
    for n, group in enumerate(groups):
        x0 = LEFT + n * slot + (slot - bar * len(series)) / 2
        for k, shown in enumerate(group.values):
            if shown is None:
                continue
            h = BAR_AREA * min(shown, ceiling) / ceiling
            parts.append(
                f'<rect x="{x0 + k * bar:.1f}" y="{TOP + BAR_AREA - h:.1f}" width="{bar - 1:.1f}" '
                f'height="{h:.1f}" fill="{COLOURS[k % len(COLOURS)]}">'
                f"<title>{escape(group.label)}, {escape(series[k])}: {escape(_tick(shown))}"
                "</title></rect>"
            )
        x = LEFT + n * slot + slot / 2
        lines = "".join(
            f'<tspan x="{x:.1f}" dy="{0 if i == 0 else 13}">{escape(line)}</tspan>'
            for i, line in enumerate(_label_lines(group.label))
        )
        parts.append(
            f'<text x="{x:.1f}" y="{TOP + BAR_AREA + 16}" text-anchor="middle" font-size="11" '
            f'fill="#1d2430">{lines}</text>'
        )
    for k, name in enumerate(series):  # the legend
        x = LEFT + k * 180
        y = height - 14
        colour = COLOURS[k % len(COLOURS)]
        parts.append(f'<rect x="{x}" y="{y - 10}" width="12" height="12" fill="{colour}"/>')
        parts.append(
            f'<text x="{x + 18}" y="{y}" font-size="12" fill="#1d2430">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
