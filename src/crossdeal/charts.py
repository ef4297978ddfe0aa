"""Charts, drawn here as SVG for the pages and for files the command line writes: no
script, no stylesheet, nothing loaded from elsewhere (the pages' Content-Security-Policy
allows neither), and readable by a screen reader (a title and a description; the numbers
are in a table beside them on the pages, and in the command's own output).

A grouped bar chart, with an optional interval on each bar and a reference line, is all
they need: the forecast's expected value by quarter and market with its 80 % interval,
the revenue gap by market against the target, the backtest's calibration, and a
seller's and a buyer's scores by dimension. ``stack`` puts several in one file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from crossdeal.forecast.backtest import Backtest
    from crossdeal.forecast.gap import GapReport
    from crossdeal.pipeline.reports import ForecastReport

__all__ = [
    "Group",
    "bar_chart",
    "calibration_chart",
    "forecast_charts",
    "gap_charts",
    "stack",
]

COLOURS = ("#1f5fbf", "#f2b705", "#5b6472")
WIDTH, BAR_AREA, LEFT, TOP, BOTTOM = 720, 220, 64, 28, 64


@dataclass(frozen=True)
class Group:
    """One label on the x axis and a value for each series (None: no data)."""

    label: str
    values: tuple[float | None, ...]
    # per series, the interval drawn as a whisker over the bar (None: none)
    ranges: tuple[tuple[float, float] | None, ...] = ()


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
    line: tuple[float, str] | None = None,
    chart_id: str = "chart",
    titled: bool = False,
) -> str:
    """An SVG grouped bar chart; ``top`` fixes the scale (e.g. 120 for culture scores);
    ``line`` draws a labelled reference line (a target) across it; ``titled`` shows the
    title above the chart (for a file on its own; a page has its own heading)."""
    values = [v for g in groups for v in g.values if v is not None]
    values += [high for g in groups for r in g.ranges if r is not None for high in r[1:]]
    if line is not None:
        values.append(line[0])
    ceiling = top if top is not None else _nice_top(max(values, default=0.0))
    height = TOP + BAR_AREA + BOTTOM
    slot = (WIDTH - LEFT - 10) / max(1, len(groups))
    bar = max(2.0, min(28.0, (slot - 10) / max(1, len(series))))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" class="chart">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]
    if titled:
        parts.append(
            f'<text x="{LEFT}" y="16" font-size="14" font-weight="bold" fill="#1d2430">'
            f"{escape(title)}</text>"
        )
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
            span = group.ranges[k] if k < len(group.ranges) else None
            if span is not None:
                mid = x0 + k * bar + (bar - 1) / 2
                y_low = TOP + BAR_AREA - BAR_AREA * min(span[0], ceiling) / ceiling
                y_high = TOP + BAR_AREA - BAR_AREA * min(span[1], ceiling) / ceiling
                parts.append(
                    f'<path d="M{mid:.1f} {y_low:.1f}V{y_high:.1f}M{mid - 4:.1f} {y_low:.1f}'
                    f'h8M{mid - 4:.1f} {y_high:.1f}h8" stroke="#1d2430" stroke-width="1.5" '
                    f'fill="none"><title>{escape(group.label)}, {escape(series[k])}: '
                    f"{escape(_tick(span[0]))} to {escape(_tick(span[1]))}</title></path>"
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
    if line is not None:
        value, label = line
        y = TOP + BAR_AREA - BAR_AREA * min(value, ceiling) / ceiling
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - 10}" y1="{y:.1f}" y2="{y:.1f}" stroke="#b3261e" '
            f'stroke-width="2" stroke-dasharray="6 4"/>'
        )
        parts.append(
            f'<text x="{WIDTH - 12}" y="{y - 5:.1f}" text-anchor="end" font-size="12" '
            f'fill="#b3261e">{escape(label)}</text>'
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


def stack(charts: Sequence[str]) -> str:
    """Several charts one above the other, in one SVG document."""
    height = TOP + BAR_AREA + BOTTOM
    inner = "".join(
        chart.replace("<svg ", f'<svg y="{i * height}" width="{WIDTH}" height="{height}" ', 1)
        for i, chart in enumerate(charts)
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height * len(charts)}" '
        f'width="{WIDTH}" height="{height * len(charts)}">{inner}</svg>'
    )


# --- the charts of the forecast's reports ----------------------------------------------------
def forecast_charts(report: ForecastReport, markets: int = 12) -> list[str]:
    """Expected won amount by quarter with its 80 % interval; by market beside the open
    amount (the ``markets`` largest)."""
    quarters = [
        Group(
            t.key,
            (t.expected_value,),
            ((t.low, t.high),) if t.low is not None and t.high is not None else (),
        )
        for t in report.by_quarter
    ]
    largest = sorted(report.by_market, key=lambda t: -t.expected_value)[:markets]
    return [
        bar_chart(
            f"Expected won amount by quarter (team {report.team}, as of {report.as_of})",
            ("expected won (whiskers: 80 % interval)",),
            quarters,
            "Each quarter's expected won amount from the open pipeline: every deal's chance "
            "of a win inside the quarter times its amount, with the range in which the "
            "quarter's won amount falls in eight of ten simulated outcomes.",
            chart_id="forecast-quarters",
            titled=True,
        ),
        bar_chart(
            "Expected won amount and open amount by market",
            ("expected won", "open amount"),
            [Group(t.key, (t.expected_value, t.amount)) for t in largest],
            f"The {len(largest)} markets with the largest expected won amount.",
            chart_id="forecast-markets",
            titled=True,
        ),
    ]


def gap_charts(report: GapReport, markets: int = 12) -> list[str]:
    """Where the quarter's revenue comes from, against the target; and by market."""
    low, high = report.gap_interval
    together = report.pipeline_expected + report.inbound_expected + report.nurture_expected
    sources = [
        Group("open pipeline", (report.pipeline_expected,)),
        Group("inbound leads", (report.inbound_expected,)),
        Group("nurtured leads", (report.nurture_expected,)),
        Group(
            "all together",
            (together,),
            ((max(report.target - high, 0.0), max(report.target - low, 0.0)),),
        ),
    ]
    largest = sorted(report.markets, key=lambda m: -(m.pipeline_expected + m.leads_expected))
    return [
        bar_chart(
            f"{report.period}: expected won amount against the target",
            (f"expected won, {report.currency} (whiskers: 80 % interval)",),
            sources,
            "The quarter's expected won amount from the open pipeline and from leads, "
            "and all together with the range of eight simulated outcomes in ten; the "
            "dashed line is the target.",
            line=(report.target, f"target {_tick(report.target)}"),
            chart_id="gap-sources",
            titled=True,
        ),
        bar_chart(
            f"{report.period}: expected won amount by market",
            ("open pipeline", "leads"),
            [Group(m.market, (m.pipeline_expected, m.leads_expected)) for m in largest[:markets]],
            f"The {min(markets, len(largest))} markets with the largest expected won amount.",
            chart_id="gap-markets",
            titled=True,
        ),
    ]


def calibration_chart(report: Backtest, method: str = "crossdeal") -> str:
    """Predicted against observed win rates, bin by bin, over every cut-off."""
    scores = next((m for m in report.pooled if m.method == method), None)
    bins = scores.reliability if scores else []
    return bar_chart(
        f"Calibration of {method} (backtest evaluated on {report.evaluated_on})",
        ("predicted win rate, %", "share won, %"),
        [
            Group(f"{b.low:.0%}-{b.high:.0%} ({b.deals})", (100 * b.predicted, 100 * b.observed))
            for b in bins
        ],
        "For the deals whose predicted chance of a win fell in each band (their number in "
        "brackets), the mean prediction beside the share that was won: equal bars are a "
        "calibrated forecast.",
        top=100.0,
        chart_id="calibration",
        titled=True,
    )
