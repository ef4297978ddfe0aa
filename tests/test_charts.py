"""The pages' SVG charts: well-formed, to scale, and safe with any label."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from crossdeal.charts import BAR_AREA, Group, _nice_top, bar_chart

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
    from crossdeal.charts import _tick

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
    from crossdeal.charts import _label_lines

    assert _label_lines(label) == lines


def test_an_interval_is_a_whisker_and_a_target_a_dashed_line() -> None:
    svg = bar_chart(
        "Gap",
        ("expected won",),
        [Group("all together", (60.0,), ((40.0, 80.0),)), Group("pipeline", (30.0,))],
        "x",
        top=100,
        line=(90.0, "target 90"),
        titled=True,
    )
    root = ET.fromstring(svg)
    [whisker] = list(root.iter(f"{SVG}path"))
    # from the bar's low end (40) to its high end (80): 40 % of the bar area apart
    first = whisker.get("d", "").split("M")[1]  # "x y_low V y_high"
    y_low, y_high = float(first.split("V")[0].split(" ")[1]), float(first.split("V")[1])
    assert y_low == pytest.approx(28 + BAR_AREA * 0.6, abs=0.1)
    assert y_high == pytest.approx(28 + BAR_AREA * 0.2, abs=0.1)
    assert "40 to 80" in (whisker.find(f"{SVG}title").text or "")  # type: ignore[union-attr]
    dashed = [e for e in root.iter(f"{SVG}line") if e.get("stroke-dasharray")]
    assert len(dashed) == 1
    assert float(dashed[0].get("y1", "0")) == pytest.approx(28 + BAR_AREA * 0.1, abs=0.1)
    texts = [e.text for e in root.iter(f"{SVG}text")]
    assert "Gap" in texts and "target 90" in texts


def test_charts_stack_into_one_document_with_distinct_ids() -> None:
    from crossdeal.charts import stack

    one = bar_chart("A", ("s",), [Group("x", (1.0,))], "a", chart_id="a")
    two = bar_chart("B", ("s",), [Group("y", (2.0,))], "b", chart_id="b")
    root = ET.fromstring(stack([one, two]))
    inner = root.findall(f"{SVG}svg")
    assert [e.get("y") for e in inner] == ["0", str(28 + BAR_AREA + 64)]
    ids = [e.get("id") for e in root.iter() if e.get("id")]
    assert len(ids) == len(set(ids)) == 4


def test_the_commands_write_their_charts(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from crossdeal.cli import app

    monkeypatch.setenv("CROSSDEAL_HOME", str(tmp_path / "home"))
    runner = CliRunner()
    assert runner.invoke(app, ["demo"]).exit_code == 0
    for args, name, charts in (
        (["forecast"], "forecast.svg", 2),
        (["gap", "--target", "5000000", "--period", "2099Q1"], "gap.svg", 2),
        (["backtest"], "calibration.svg", 1),
    ):
        target = tmp_path / name
        result = runner.invoke(app, ["--team", "demo", *args, "--chart", str(target)])
        assert result.exit_code == 0, result.output
        root = ET.fromstring(target.read_text(encoding="utf-8"))
        assert len(root.findall(f"{SVG}svg")) == charts or (charts == 1 and root.get("role"))
        assert bars(target.read_text(encoding="utf-8"))
    refused = runner.invoke(app, ["--team", "demo", "forecast", "--chart", str(tmp_path / "f.png")])
    assert refused.exit_code != 0 and "SVG" in refused.output
    assert not (tmp_path / "f.png").exists()
    # nothing half-written is left beside a chart
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
