"""The revenue gap: its arithmetic, its interval, the leads it takes, and the commands
that show it with the forecast of a quarter and of one deal."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from crossdeal.cli import app
from crossdeal.errors import InputError
from crossdeal.forecast.gap import ClosedDeal, LeadRates, OpenDeal, revenue_gap

RATES = LeadRates(
    inbound_to_deal=0.1,
    nurture_to_deal=0.02,
    market_share_months=12,
    win_rate_pseudo_deals=10,
    deal_size_pseudo_deals=5,
    draws=4000,
    source="test",
)


def _closed(market: str, won: int, lost: int, amount: float) -> list[ClosedDeal]:
    return [ClosedDeal(market, True, amount)] * won + [ClosedDeal(market, False, amount)] * lost


def test_the_gap_is_the_target_less_every_expected_amount() -> None:
    open_deals = [OpenDeal("JPN", 100_000, 0.5, 0.5), OpenDeal("USA", 50_000, 0.2, 0.6)]
    closed = _closed("JPN", 20, 20, 100_000) + _closed("USA", 30, 10, 100_000)
    report = revenue_gap(3_000_000, "2027Q2", open_deals, closed, ["JPN", "USA"], 100, 500, RATES)
    assert report.pipeline_expected == pytest.approx(0.5 * 100_000 + 0.2 * 50_000)
    lead_sum = sum(m.leads_expected for m in report.markets)
    assert report.inbound_expected + report.nurture_expected == pytest.approx(lead_sum, rel=1e-6)
    assert report.gap == pytest.approx(
        3_000_000 - report.pipeline_expected - report.inbound_expected - report.nurture_expected
    )
    # the simulated interval holds the expected gap, and the target is out of reach
    low, high = report.gap_interval
    assert low < report.gap < high
    assert report.p_reach_target < 0.05
    # leads needed from one market alone: gap / (deal size x conversion there)
    jpn = next(m for m in report.markets if m.market == "JPN")
    assert jpn.inbound_leads_needed == pytest.approx(
        report.gap / (jpn.deal_size * jpn.inbound_conversion), abs=1
    )
    assert jpn.nurture_leads_needed is not None and jpn.inbound_leads_needed is not None
    assert jpn.nurture_leads_needed > jpn.inbound_leads_needed


def test_a_market_with_few_deals_is_shrunk_toward_the_model() -> None:
    """Two wins out of two is not a 100 % market: it counts against the model's estimate
    for the market's own deals (10 pseudo-deals)."""
    open_deals = [OpenDeal("BRA", 10_000, 0.3, 0.4)]
    report = revenue_gap(
        500_000, "2027Q2", open_deals, _closed("BRA", 2, 0, 10_000), ["BRA"], rates=RATES
    )
    [bra] = report.markets
    assert bra.win_rate_own == 1.0
    assert bra.win_rate == pytest.approx((2 + 10 * 0.4) / (2 + 10))


def test_ahead_of_the_target_needs_no_leads() -> None:
    report = revenue_gap(
        10_000, "2027Q2", [OpenDeal("GER", 100_000, 0.9, 0.9)], [], ["GER"], rates=RATES
    )
    assert report.gap < 0
    assert all(m.inbound_leads_needed == 0 for m in report.markets)
    assert report.p_reach_target > 0.85
    assert any("No closed deals" in note for note in report.notes)


def test_the_interval_is_seeded() -> None:
    deals = [OpenDeal("JPN", 1000.0 * i, 0.3, 0.4) for i in range(1, 50)]
    a = revenue_gap(100_000, "2027Q2", deals, [], ["JPN"], 20, 0, RATES, seed=3)
    b = revenue_gap(100_000, "2027Q2", deals, [], ["JPN"], 20, 0, RATES, seed=3)
    assert a == b


@pytest.mark.parametrize("target", [0.0, -5.0, float("nan"), float("inf")])
def test_a_target_must_be_a_positive_amount(target: float) -> None:
    with pytest.raises(InputError, match="positive amount"):
        revenue_gap(target, "2027Q2", [], [], [], rates=RATES)


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> str:
    home = str(tmp_path_factory.mktemp("home"))
    result = CliRunner().invoke(app, ["demo"], env={"CROSSDEAL_HOME": home})
    assert result.exit_code == 0, result.output
    return home


def _run(home: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["--team", "demo", *args], env={"CROSSDEAL_HOME": home})
    return result.exit_code, result.output


def test_the_gap_command(demo_home: str) -> None:
    code, out = _run(
        demo_home, "gap", "--target", "2500000", "--period", "2099Q2", "--format", "json"
    )
    assert code == 0, out
    report = json.loads(out)
    assert report["schema_version"] == "crossdeal.gap/1" and report["period"] == "2099Q2"
    # a quarter beyond the two-year horizon: nothing from the pipeline, the whole target
    assert report["pipeline_expected"] == 0 and report["gap"] == 2_500_000
    code, out = _run(
        demo_home,
        "gap",
        "--target",
        "9000000",
        "--period",
        "2099Q2",
        "--inbound-leads",
        "300",
        "--nurture-leads",
        "800",
    )
    assert code == 0 and "Gap:" in out and "needed" in out and "300 inbound leads" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--target", "100", "--period", "2020Q1"], "is over"),
        (["--target", "100", "--period", "2027Q7"], "write it like 2027Q2"),
        (["--target", "100", "--period", "2099Q1", "--inbound-rate", "3"], "between 0 and 1"),
        (["--target", "-1", "--period", "2099Q1"], "positive amount"),
    ],
)
def test_the_gap_command_explains_bad_input(demo_home: str, args: list[str], message: str) -> None:
    code, out = _run(demo_home, "gap", *args)
    assert code != 0 and message in out and "Traceback" not in out


def test_the_forecast_of_a_quarter_by_country(demo_home: str) -> None:
    code, out = _run(
        demo_home, "forecast", "--by", "country", "--quarter", "2027Q1", "--format", "json"
    )
    assert code == 0, out
    report = json.loads(out)
    assert report["period"] == "2027Q1" and report["by"] == "country"
    in_period = sum(d["expected_in_period"] for d in report["deals"])
    assert sum(t["expected_value"] for t in report["totals"]) == pytest.approx(in_period, abs=1)
    assert all(0 <= d["p_win_in_period"] <= d["p_win"] + 1e-9 for d in report["deals"])
    assert any(t["key"] == "Japan" for t in report["totals"])
    # every quarter's expected amount together is the pipeline's expected value
    total = sum(d["expected_value"] for d in report["deals"])
    assert sum(t["expected_value"] for t in report["by_quarter"]) == pytest.approx(total, rel=0.01)
    code, out = _run(demo_home, "forecast", "--by", "planet")
    assert code != 0 and "--by 'planet'" in out


def test_a_deal_shows_its_forecast(demo_home: str) -> None:
    code, out = _run(demo_home, "deals", "--format", "json", "--limit", "1")
    deal_id = json.loads(out)["deals"][0]["id"]
    code, out = _run(demo_home, "deal", str(deal_id), "--format", "json")
    assert code == 0, out
    forecast = json.loads(out)["forecast"]
    assert forecast["id"] == deal_id and 0 < forecast["p_win"] < 1
    assert 0 < forecast["data_share"] < 1 and forecast["factors"]
    code, out = _run(demo_home, "deal", str(deal_id))
    assert "chance of a win" in out and "team's own closed deals" in out


def test_what_the_quarter_has_won_already_counts_toward_the_target() -> None:
    deals = [OpenDeal("JPN", 100_000, 0.5, 0.5)]
    before = revenue_gap(1_000_000, "2026Q4", deals, [], ["JPN"], rates=RATES)
    after = revenue_gap(1_000_000, "2026Q4", deals, [], ["JPN"], rates=RATES, won_already=600_000)
    assert after.won_already == 600_000
    assert after.gap == pytest.approx(before.gap - 600_000)
    assert after.gap_interval[1] == pytest.approx(before.gap_interval[1] - 600_000)


def test_a_few_leads_over_many_markets_keep_their_expected_value() -> None:
    """Four leads across ten markets: the simulation places every lead somewhere."""
    markets = [f"M{i}" for i in range(10)]
    closed = [ClosedDeal(m, True, 100_000) for m in markets] * 3
    report = revenue_gap(5_000_000, "2027Q2", [], closed, markets, 4, 0, RATES)
    low, high = report.gap_interval
    assert low <= report.gap <= high + 1e-6


def test_leads_with_no_market_to_go_to_are_said_so() -> None:
    report = revenue_gap(1_000, "2027Q2", [], [], [], 300, 0, RATES)
    assert report.inbound_expected == 0
    assert any("no market to place the leads" in note for note in report.notes)
