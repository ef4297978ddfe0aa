"""The backtest: it sees nothing after its cut-off, its metrics are the textbook ones, the
forecast beats the team's win rate on held-out deals, and the planted culture effect is
found within its interval where it is planted and not where it is not."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from datetime import date, timedelta

import pytest
from sklearn.metrics import brier_score_loss, log_loss, roc_auc_score  # type: ignore[import-untyped]
from typer.testing import CliRunner

from crossdeal.cli import app
from crossdeal.errors import InputError
from crossdeal.forecast.backtest import (
    _auc,
    _c_index,
    _score,
    _Scored,
    backtest,
    feature_effect,
    quarter_bounds,
    snapshot,
)
from crossdeal.forecast.model import CultureForecast, DealRecord
from crossdeal.forecast.stages import default_stage_defaults
from tests.test_forecast import TODAY, _records

CUTOFF = TODAY - timedelta(days=240)


def _history(deals: int, seed: int, culture_effect: bool = True) -> list[DealRecord]:
    return _records(deals, seed, TODAY, culture_effect=culture_effect)


def test_the_snapshot_forgets_what_happened_after_the_cut_off() -> None:
    history = _history(400, seed=2)
    later = [d for d in history if d.closed_on and d.closed_on >= CUTOFF and d.created_on < CUTOFF]
    assert later, "the demo has deals that closed after the cut-off"
    seen = {d.id: d for d in snapshot(history, CUTOFF)}
    for deal in later:
        # the final cycle length would give the outcome away: it is not there
        assert seen[deal.id].outcome == "open" and seen[deal.id].closed_on is None
        assert all(day < CUTOFF for day, _, _ in seen[deal.id].timeline)
    assert all(d.created_on < CUTOFF for d in seen.values())


def test_the_backtest_predictions_do_not_move_when_the_later_history_changes() -> None:
    """Flip every outcome decided after the cut-off, move those close days, add later
    face time: what the fit and the scores see on the cut-off must not change."""
    history = _history(500, seed=4)

    def rewrite(deal: DealRecord) -> DealRecord:
        if deal.closed_on is None or deal.closed_on < CUTOFF:
            return deal
        flipped = {"won": "lost", "lost": "won"}[deal.outcome]
        return replace(
            deal,
            outcome=flipped,  # type: ignore[arg-type]
            closed_on=deal.closed_on + timedelta(days=30),
            timeline=(*deal.timeline, (CUTOFF + timedelta(days=3), "face_time", 1.0)),
        )

    rewritten = [rewrite(d) for d in history]
    assert rewritten != history
    known, known_too = snapshot(history, CUTOFF), snapshot(rewritten, CUTOFF)
    assert [d.features_on(CUTOFF) for d in known] == [d.features_on(CUTOFF) for d in known_too]
    open_then = [d for d in known if d.outcome == "open"]
    a = CultureForecast().fit(known, CUTOFF).predict(open_then, CUTOFF)
    b = (
        CultureForecast()
        .fit(known_too, CUTOFF)
        .predict([d for d in known_too if d.outcome == "open"], CUTOFF)
    )
    assert a == b


def test_the_metrics_agree_with_scikit_learn() -> None:
    truth = [DealRecord(i, TODAY, "won" if i % 3 else "lost", TODAY) for i in range(30)]
    p = [((i * 7) % 10) / 10 + 0.05 for i in range(30)]
    rows = [_Scored(q, None, None, 0.0, t, TODAY) for q, t in zip(p, truth, strict=True)]
    y = [1 if t.outcome == "won" else 0 for t in truth]
    score = _score("naive Bayes (Odoo-style)", rows)
    assert score.brier == pytest.approx(brier_score_loss(y, p), abs=1e-4)
    assert score.log_loss == pytest.approx(log_loss(y, p), abs=1e-4)
    assert score.auc == pytest.approx(roc_auc_score(y, p), abs=1e-4)
    assert _auc(p, [float(v) for v in y]) == pytest.approx(roc_auc_score(y, p), abs=1e-4)
    # ten bins, every deal in one; the calibration error is their weighted gap
    assert sum(b.deals for b in score.reliability) == 30
    ece = sum(b.deals * abs(b.predicted - b.observed) for b in score.reliability) / 30
    assert score.ece == pytest.approx(ece, abs=1e-4)


def test_the_c_index_counts_lost_deals_as_never_winning_and_open_ones_as_censored() -> None:
    day = date(2026, 1, 1)

    def row(risk: float, outcome: str, closed: int | None) -> _Scored:
        closed_on = None if closed is None else day + timedelta(days=closed)
        deal = DealRecord(0, day, outcome, closed_on)  # type: ignore[arg-type]
        return _Scored(0.5, None, None, risk, deal, day + timedelta(days=100))

    # won at 10 (risk 0.9), won at 50 (risk 0.5), lost (risk 0.1), open (risk 0.7)
    rows = [row(0.9, "won", 10), row(0.5, "won", 50), row(0.1, "lost", 20), row(0.7, "open", None)]
    # comparable pairs: (10 vs 50, lost, open) and (50 vs lost, open): 5, of which the
    # 50-day win ranked below the open deal is the only discordant one
    assert _c_index(rows) == pytest.approx(4 / 5)


def test_held_out_the_forecast_beats_the_win_rate_and_is_calibrated() -> None:
    history = _history(1500, seed=9)
    cutoffs = [TODAY - timedelta(days=d) for d in (330, 240, 150)]
    report = backtest(history, cutoffs, TODAY)
    pooled = {m.method: m for m in report.pooled}
    ours, rate = pooled["crossdeal"], pooled["team win rate / median cycle"]
    assert sum(c.resolved for c in report.cutoffs) >= 300
    assert ours.brier is not None and rate.brier is not None and ours.brier < rate.brier
    assert ours.auc is not None and ours.auc > 0.55
    assert ours.ece is not None and ours.ece < 0.06
    # close dates: closer than the median cycle, and the P80 covers at least most won deals
    assert ours.close_mae_days is not None and rate.close_mae_days is not None
    assert ours.close_mae_days < rate.close_mae_days
    assert ours.p80_coverage is not None and 0.7 <= ours.p80_coverage <= 0.97
    assert set(pooled) == {
        "crossdeal",
        "team win rate / median cycle",
        "stage defaults (HubSpot)",
        "team stage rates",
        "naive Bayes (Odoo-style)",
    }
    # every quarter's expected amount is a sum of probabilities times amounts
    for cut in report.cutoffs:
        for q in cut.quarters:
            assert q.forecast >= 0 and q.actual >= 0


def test_the_planted_distance_effect_is_found_within_its_interval() -> None:
    """The demo plants -0.07 win probability per unit of Kogut-Singh distance."""
    found = feature_effect(_history(1200, seed=5), TODAY, "distance", 1.0, 3.0, resamples=20)
    low, high = found.interval
    assert low <= -0.14 <= high and high < 0


def test_no_distance_effect_is_found_where_none_is_planted() -> None:
    history = _history(1200, seed=5, culture_effect=False)
    found = feature_effect(history, TODAY, "distance", 1.0, 3.0, resamples=20)
    low, high = found.interval
    assert low <= 0 <= high


def test_a_cut_off_needs_time_after_it() -> None:
    with pytest.raises(InputError, match="not before"):
        backtest(_history(50, seed=1), [TODAY], TODAY)
    with pytest.raises(InputError, match="at least one"):
        backtest(_history(50, seed=1), [], TODAY)


@pytest.mark.parametrize(
    ("label", "start", "end"),
    [
        ("2027Q2", date(2027, 4, 1), date(2027, 7, 1)),
        ("2026q4", date(2026, 10, 1), date(2027, 1, 1)),
        (" 2025Q1 ", date(2025, 1, 1), date(2025, 4, 1)),
    ],
)
def test_quarters(label: str, start: date, end: date) -> None:
    assert quarter_bounds(label) == (start, end)


@pytest.mark.parametrize("label", ["2027Q5", "Q2", "2027-06", "", "27Q1"])
def test_a_bad_quarter_is_named(label: str) -> None:
    with pytest.raises(InputError, match="write it like 2027Q2"):
        quarter_bounds(label)


@pytest.mark.parametrize(
    ("stage", "probability"),
    [
        ("Appointment scheduled", 0.2),
        ("appointmentscheduled", 0.2),
        ("Discovery", 0.2),
        ("Qualified to buy", 0.4),
        ("Engaging", 0.4),
        ("Proposal", 0.6),
        ("Decision maker bought-in", 0.8),
        ("Contract sent", 0.9),
    ],
)
def test_stages_are_matched_by_name(stage: str, probability: float) -> None:
    found = default_stage_defaults().lookup(stage)
    assert found is not None and math.isclose(found[0], probability)


def test_an_unknown_stage_is_unknown() -> None:
    assert default_stage_defaults().lookup("Closed won") is None
    assert default_stage_defaults().lookup(None) is None


def test_the_backtest_command_on_the_demo(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("CROSSDEAL_HOME", str(tmp_path))
    runner = CliRunner()
    assert runner.invoke(app, ["demo", "--deals", "400"]).exit_code == 0
    result = runner.invoke(app, ["--team", "demo", "backtest", "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["schema_version"] == "crossdeal.backtest/1"
    assert len(report["cutoffs"]) == 4 and report["pooled"]
    text = runner.invoke(app, ["--team", "demo", "backtest", "--as-of", "2026-03-31"])
    assert text.exit_code == 0 and "naive Bayes (Odoo)" in text.output
    # the demo's stage history is read: the stage baselines are not the win rate
    pooled = {m["method"]: m for m in report["pooled"]}
    assert (
        pooled["stage defaults (HubSpot)"]["brier"]
        != pooled["team win rate / median cycle"]["brier"]
    )
    empty = runner.invoke(app, ["backtest"])
    assert empty.exit_code != 0 and "no closed deal" in empty.output


def test_an_amount_changed_after_the_cut_off_is_seen_as_it_was() -> None:
    deal = DealRecord(
        1,
        date(2026, 1, 5),
        "lost",
        date(2026, 6, 1),
        amount=0.0,  # a CRM that zeroes a lost deal's amount
        features={"log_amount": 0.0},
        amounts=((date(2026, 1, 5), 120_000.0), (date(2026, 6, 1), 0.0)),
    )
    [seen] = snapshot([deal], date(2026, 3, 1))
    assert seen.amount == 120_000.0 and seen.features["log_amount"] == pytest.approx(5.079, 0.001)
    assert seen.amounts == ((date(2026, 1, 5), 120_000.0),)


def test_an_imported_deals_first_stage_is_not_dated_back_to_its_creation() -> None:
    from crossdeal.pipeline.forecasting import _stages

    changes = [(date(2026, 11, 20), "Contract sent", "Closed won")]
    imported = _stages(changes, date(2025, 1, 10), date(2026, 11, 20), "Closed won", TODAY, False)
    native = _stages(changes, date(2025, 1, 10), date(2026, 11, 20), "Closed won", TODAY, True)
    assert imported[0] == (date(2026, 11, 20), "Contract sent")
    assert native[0] == (date(2025, 1, 10), "Contract sent")
    # a cut-off before the import sees no stage for the imported deal
    record = DealRecord(1, date(2025, 1, 10), "won", date(2026, 11, 20), stages=imported)
    assert record.stage_on(date(2025, 10, 1)) is None


def test_a_deal_closing_in_its_third_week_is_not_forecast_to_close_in_its_second() -> None:
    """400 deals that all close on day 20: a new deal's chance of a win by day 14 is small,
    and by day 21 it is most of it."""
    start = TODAY - timedelta(days=400)
    history = [
        DealRecord(
            i,
            start + timedelta(days=i % 300),
            "won" if i % 2 else "lost",
            start + timedelta(days=i % 300 + 20),
        )
        for i in range(400)
    ]
    model = CultureForecast().fit(history, TODAY)
    fresh = DealRecord(-1, TODAY, "open")
    [f] = model.predict(
        [fresh], TODAY, checkpoints=[TODAY + timedelta(days=14), TODAY + timedelta(days=21)]
    )
    by_14, by_21 = f.p_win_by
    assert by_14 < 0.15 < 0.3 < by_21


def test_a_checkpoint_inside_a_week_is_interpolated() -> None:
    history = _history(300, seed=3)
    model = CultureForecast().fit(history, TODAY)
    deal = next(d for d in history if d.outcome == "open")
    days = [TODAY + timedelta(days=n) for n in (0, 3, 7, 10, 14)]
    [f] = model.predict([deal], TODAY, checkpoints=days)
    p0, p3, p7, p10, p14 = f.p_win_by
    assert p0 == 0 and 0 < p3 < p7 < p10 < p14
