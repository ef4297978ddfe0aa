"""The pages' SVG charts: well-formed, to scale, and safe with any label."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from crossdeal.server.charts import BAR_AREA, Group, _nice_top, bar_chart

SVG = "{http://www.w3.org/2000/svg}"


def bars(svg: str) -> list[ET.Element]:
    return [e for e in ET.fromstring(svg).iter(f"{SVG}rect") if e.find(f"{SVG}title") is not None]


def test_bars_are_to_scale_and_missing_values_are_left_out() -> None:
    svg = bar_chart(
        "Forecast by quarter",
        ("expected value", "open amount"),
        [Group("2027Q1", (50_000.0, 100_000.0)), Group("2027Q2", (25_000.0, None))],
        "Expected value and open amount by quarter.",
    )
    drawn = bars(svg)
    assert len(drawn) == 3  # the missing amount draws nothing
    heights = [float(r.get("height", "0")) for r in drawn]
    assert heights == pytest.approx([BAR_AREA / 2, BAR_AREA, BAR_AREA / 4], abs=0.1)
    root = ET.fromstring(svg)
    assert root.get("role") == "img"
    assert root.find(f"{SVG}title").text == "Forecast by quarter"  # type: ignore[union-attr]


def test_a_fixed_top_caps_the_bars() -> None:
    svg = bar_chart("Scores", ("US", "IN"), [Group("Power distance", (40, 130))], "x", top=120)
    heights = [float(r.get("height", "0")) for r in bars(svg)]
    assert heights == pytest.approx([BAR_AREA * 40 / 120, BAR_AREA], abs=0.1)


def test_labels_cannot_inject_markup() -> None:
    svg = bar_chart(
        '<script>alert("x")</script>', ("a&b",), [Group("<img src=x onerror=1>", (1.0,))], "d"
    )
    assert "<script>" not in svg and "<img" not in svg
    ET.fromstring(svg)  # still well-formed XML


@pytest.mark.parametrize(
    ("value", "top"), [(0, 1), (7, 10), (180_000, 200_000), (230_000, 250_000), (999, 1000)]
)
def test_the_scale_is_a_round_number_above_the_largest_value(value: float, top: float) -> None:
    assert _nice_top(value) == top


@pytest.mark.parametrize(
    ("value", "label"),
    [
        (0, "0"),
        (2.5, "2.5"),
        (40, "40"),
        (1_250_000, "1.25M"),
        (3_750_000, "3.75M"),
        (250_000, "250k"),
    ],
)
def test_scale_labels_are_exact(value: float, label: str) -> None:
    from crossdeal.server.charts import _tick

    assert _tick(value) == label


@pytest.mark.parametrize(
    ("label", "lines"),
    [
        ("2027Q1", ["2027Q1"]),
        ("Uncertainty avoidance", ["Uncertainty", "avoidance"]),
        ("Masculinity (achievement)", ["Masculinity", "(achievement)"]),
        ("Long-term orientation vs short-term normative", ["Long-term", "orientation vs…"]),
    ],
)
def test_long_labels_wrap_on_two_lines(label: str, lines: list[str]) -> None:
    from crossdeal.server.charts import _label_lines

    assert _label_lines(label) == lines
