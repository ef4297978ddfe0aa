"""The forecast: the prior with no history, the team's own deals as they accumulate, the
planted culture effect recovered, and better than the team's win rate on held-out deals."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from crossdeal.cli import app
from crossdeal.culture.layers import briefing_model
from crossdeal.errors import InputError
from crossdeal.forecast.features import deal_features
from crossdeal.forecast.model import FEATURES, CultureForecast, DealRecord, ForecastPrior
from crossdeal.forecast.prior import default_cycle_prior
from crossdeal.pipeline.demo import generate

TODAY = date(2026, 12, 1)


def _records(deals: int, seed: int, as_of: date, culture_effect: bool = True) -> list[DealRecord]:
    """Demo deals as the forecast would have seen them on ``as_of``: what had happened
    by then (closed deals, activities), nothing after it."""
    model = briefing_model()
    pipeline = generate(
        seed=seed, deals=deals, today=TODAY, model=model, culture_effect=culture_effect
    )
    owners = dict(pipeline.sellers)
    cultures = {name: culture for name, culture, _ in pipeline.accounts}
    out = []
    for i, d in enumerate(pipeline.deals):
        if d.created_on >= as_of:
            continue
        seller, buyer = model.get(owners[d.owner]), model.get(cultures[d.account])
        seen = [a for a in d.activities if a.occurred_on < as_of]
        deciders = {c.name for c in d.contacts if c.role == "decision-maker"}
        face = [a.occurred_on for a in seen if a.channel in ("video", "in-person")]
        met = [a.occurred_on for a in seen if set(a.with_) & deciders]
        firsts = [(min(face), "face_time", 1.0)] if face else []
        if met:
            firsts.append((min(met), "deciders_met", 1.0))
        timeline = tuple(sorted(firsts))
        closed = d.closed_on is not None and d.closed_on < as_of
        ks_factor = default_cycle_prior().factor(
            deal_features(seller, buyer, model, 0, 0, 0, None)["distance"]
        )
        out.append(
            DealRecord(
                id=i,
                created_on=d.created_on,
                outcome=d.outcome if closed else "open",  # type: ignore[arg-type]
                closed_on=d.closed_on if closed else None,
                amount=float(d.amount),
                features=deal_features(
                    seller,
                    buyer,
                    model,
                    len(d.contacts),
                    sum(a.channel in ("video", "in-person") for a in seen),
                    int(any(set(a.with_) & deciders for a in seen)),
                    float(d.amount),
                ),
                cycle_factor=ks_factor or 1.0,
                timeline=timeline,
                market=cultures[d.account],
                owner=d.owner,
                stages=tuple((day, stage) for day, stage in d.stage_history if day < as_of),
            )
        )
    return out


def _truth(deals: int, seed: int) -> dict[int, str]:
    pipeline = generate(seed=seed, deals=deals, today=TODAY, model=briefing_model())
    return {i: d.outcome for i, d in enumerate(pipeline.deals)}


def test_with_no_history_the_forecast_is_the_documented_prior() -> None:
    prior = ForecastPrior(win_rate=0.3, cycle_days=91, pseudo_deals=30, horizon_weeks=104)
    deal = DealRecord(id=1, created_on=TODAY - timedelta(days=14), outcome="open", amount=100_000)
    [forecast] = CultureForecast(prior).fit([deal], TODAY).predict([deal], TODAY)
    assert forecast.data_share == 0 and forecast.factors == ()
    # a constant hazard with a 13-week median: nearly every deal closes within two years,
    # three in ten of them won
    assert forecast.p_win == pytest.approx(0.3, abs=0.01)
    assert forecast.p_win + forecast.p_lost <= 1.0
    assert forecast.expected_value == pytest.approx(forecast.p_win * 100_000, rel=1e-3)
    assert forecast.close_p50 is not None and forecast.close_p80 is not None
    assert timedelta(weeks=11) <= forecast.close_p50 - TODAY <= timedelta(weeks=14)
    assert forecast.close_p50 < forecast.close_p80
    # a deal made today, with nothing learned yet, has no factors either
    new = DealRecord(id=3, created_on=TODAY, outcome="open", features={"distance": 3.1})
    [fresh] = CultureForecast(prior).fit([new], TODAY).predict([new], TODAY)
    assert fresh.factors == ()
    # a culturally distant deal takes longer under the prior
    far = DealRecord(id=2, created_on=deal.created_on, outcome="open", cycle_factor=1.5)
    [slow] = CultureForecast(prior).fit([far], TODAY).predict([far], TODAY)
    assert slow.close_p50 is not None and slow.close_p50 > forecast.close_p50


def test_the_team_data_weighs_more_as_deals_close() -> None:
    history = _records(600, seed=3, as_of=TODAY)
    open_deals = [d for d in history if d.outcome == "open"][:5]
    few = CultureForecast().fit(history[:40], TODAY)
    many = CultureForecast().fit(history, TODAY)
    assert (
        0
        < few.predict(open_deals, TODAY)[0].data_share
        < many.predict(open_deals, TODAY)[0].data_share
        < 1
    )
    assert many.n_closed_ > few.n_closed_
    assert many.n_rows_ > many.n_closed_  # one row per deal per week


def test_the_planted_culture_effect_is_recovered() -> None:
    """The demo generator plants lower win odds and longer cycles with distance."""
    history = _records(900, seed=5, as_of=TODAY)
    model = CultureForecast().fit(history, TODAY)
    average = dict(zip(FEATURES, model.feature_means_, strict=True))
    age = TODAY - timedelta(days=21)
    near = DealRecord(1, age, "open", amount=100_000, features={**average, "distance": 0.2})
    far = DealRecord(2, age, "open", amount=100_000, features={**average, "distance": 3.0})
    [n, f] = model.predict([near, far], TODAY)
    assert f.p_win < n.p_win - 0.05
    assert f.close_p50 is not None and n.close_p50 is not None and f.close_p50 >= n.close_p50
    # and the explanation names distance as the largest factor of the far deal
    assert f.factors and f.factors[0].feature == "distance" and f.factors[0].effect < 0


def test_held_out_deals_are_forecast_better_than_the_win_rate() -> None:
    """As of a cut-off, fit on what was known then, score the deals open then that have
    closed since, and compare the Brier score with the team's own win rate as a forecast,
    pooled over four independent demo histories (one alone holds about 130 such deals)."""
    cutoff = TODAY - timedelta(days=240)
    ours, baseline = [], []
    for seed in (3, 5, 7, 11):
        history = _records(1200, seed=seed, as_of=cutoff)
        truth = _truth(1200, seed=seed)
        model = CultureForecast().fit(history, cutoff)
        scored = [d for d in history if d.outcome == "open" and truth[d.id] != "open"]
        for deal, p in zip(scored, model.predict(scored, cutoff, explain=False), strict=True):
            won = 1.0 if truth[deal.id] == "won" else 0.0
            # these deals have closed, so both forecasts are read as P(won | it closes)
            ours.append((p.p_win / (p.p_win + p.p_lost) - won) ** 2)
            baseline.append((model.win_rate_ - won) ** 2)
    assert len(ours) >= 400
    assert sum(ours) / len(ours) < sum(baseline) / len(baseline) - 0.005


def test_the_forecast_never_learns_from_the_future() -> None:
    cutoff = TODAY - timedelta(days=240)
    known = _records(600, seed=2, as_of=cutoff)
    model = CultureForecast().fit(known, cutoff)
    assert all(d.closed_on is None or d.closed_on < cutoff for d in known)
    # a deal closed after the cut-off in the full history is open in what the fit saw
    later = _records(600, seed=2, as_of=TODAY)
    closed_later = {d.id for d in later if d.closed_on and d.closed_on >= cutoff}
    assert closed_later and all(d.outcome == "open" for d in known if d.id in closed_later)
    assert model.n_closed_ == sum(d.outcome != "open" for d in known)


def test_a_deal_open_far_longer_than_any_won_deal_is_stale() -> None:
    history = _records(400, seed=7, as_of=TODAY)
    model = CultureForecast().fit(history, TODAY)
    assert model.longest_won_weeks_ is not None
    ancient = DealRecord(
        99_999,
        TODAY - timedelta(weeks=int(model.longest_won_weeks_ * 3) + 1),
        "open",
        amount=50_000,
    )
    [forecast] = model.predict([ancient], TODAY)
    assert forecast.stale


def test_the_forecast_from_the_command_line(crossdeal_home: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["demo", "--deals", "120"]).exit_code == 0
    result = runner.invoke(app, ["forecast", "--team", "demo", "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["schema_version"] == "crossdeal.forecast/1"
    assert report["closed_deals_learned_from"] > 0 and 0 < report["data_share"] < 1
    values = [d["expected_value"] for d in report["deals"]]
    assert values == sorted(values, reverse=True)
    assert all(0 <= d["p_win"] <= 1 and d["p_win"] + d["p_lost"] <= 1.0001 for d in report["deals"])
    assert sum(t["expected_value"] for t in report["by_market"]) == pytest.approx(
        sum(values), abs=1
    )
    text = runner.invoke(app, ["forecast", "--team", "demo"], env={"COLUMNS": "80"})
    assert text.exit_code == 0 and "P(win)" in text.output
    assert all(len(line) <= 80 for line in text.output.splitlines())
    empty = runner.invoke(app, ["forecast"])
    assert empty.exit_code == 0 and "No open deals" in empty.output


def test_the_fast_hazards_are_scikit_learns_probabilities() -> None:
    """The per-deal plus per-age split of the scores gives predict_proba's numbers."""
    import numpy as np

    from crossdeal.forecast.model import _age_columns, _calendar_columns

    history = _records(400, seed=8, as_of=TODAY)
    model = CultureForecast().fit(history, TODAY)
    open_deals = [d for d in history if d.outcome == "open"][:25]
    matrix = np.array([[d.features_on(TODAY).get(f, 0.0) for f in FEATURES] for d in open_deals])
    ages = np.array([(TODAY - d.created_on).days // 7 for d in open_deals], dtype=float)
    win, loss = model._hazards(matrix, ages, np.ones(len(ages)), share=1.0, as_of=TODAY)
    horizon = model.prior.horizon_weeks
    scaled = (matrix - model.feature_means_) / model.feature_scales_
    week = (ages[:, None] + np.arange(horizon)[None, :]).reshape(-1)
    ahead = _calendar_columns([TODAY + timedelta(weeks=k) for k in range(horizon)])
    design = np.column_stack(
        [np.repeat(scaled, horizon, axis=0), _age_columns(week), np.tile(ahead, (len(ages), 1))]
    )
    expected = model.classifier_.predict_proba(design)
    assert np.allclose(win, expected[:, 1].reshape(len(ages), horizon), atol=1e-9)
    assert np.allclose(loss, expected[:, 2].reshape(len(ages), horizon), atol=1e-9)


@pytest.mark.parametrize("classes", [3, 2])
def test_the_kept_numbers_score_as_scikit_learn_does(classes: int) -> None:
    import numpy as np
    from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]

    from crossdeal.forecast.model import _Softmax

    rng = np.random.default_rng(1)
    x = rng.normal(size=(300, 4))
    y = (x[:, 0] + rng.normal(size=300) > 0).astype(int) + (classes == 3) * (x[:, 1] > 1)
    fitted = LogisticRegression(C=0.5).fit(x, y)
    assert len(fitted.classes_) == classes
    assert np.allclose(_Softmax.of(fitted).predict_proba(x), fitted.predict_proba(x), atol=1e-12)


def test_a_kept_model_forecasts_as_the_fitted_one() -> None:
    history = _records(300, seed=6, as_of=TODAY)
    model = CultureForecast().fit(history, TODAY)
    kept = CultureForecast.from_params(json.loads(json.dumps(model.to_params())))
    open_deals = [d for d in history if d.outcome == "open"]
    assert kept.predict(open_deals, TODAY) == model.predict(open_deals, TODAY)
    with pytest.raises(InputError, match="refit"):
        CultureForecast.from_params({**model.to_params(), "features": ["distance"]})


@given(
    st.lists(st.floats(0, 0.2), min_size=3, max_size=12),
    st.lists(st.floats(0, 12), min_size=1, max_size=6),
)
def test_the_chance_by_a_day_is_read_between_the_weeks_ends(
    weekly: list[float], steps: list[float]
) -> None:
    """A checkpoint's chance is the cumulative chance interpolated between the ends of
    the weeks around it, starting from 0 now."""
    import numpy as np

    from crossdeal.forecast.model import _at_steps

    cumulative = np.cumsum([weekly, weekly[::-1]], axis=1)
    horizon = cumulative.shape[1]
    steps = [min(s, float(horizon)) for s in steps]
    got = _at_steps(cumulative, steps)
    for row, values in zip(cumulative, got, strict=True):
        expected = np.interp(steps, np.arange(horizon + 1), np.concatenate([[0.0], row]))
        assert np.allclose(values, expected)


def test_a_quarter_totals_do_not_depend_on_the_quarters_after_it() -> None:
    """The report simulates only the quarters it shows: each quarter's draws must be the
    same however many quarters follow it."""
    import numpy as np

    from crossdeal.forecast.simulate import simulated_totals

    rng = np.random.default_rng(5)
    chances = rng.random((9_000, 6)) * 0.1  # more deals than one chunk
    amounts = rng.random(9_000) * 100_000
    full = simulated_totals(chances, amounts, draws=300, seed=3)
    for upto in (0, 1, 3):
        assert np.array_equal(simulated_totals(chances[:, :upto], amounts, 300, 3), full[:, :upto])


def _seasonal_history(deals: int, seed: int, start: date, as_of: date) -> list[DealRecord]:
    """Deals created evenly from ``start``, each closing within four weeks: won nine
    times in ten when it closes in the last month of a calendar quarter, three in ten
    otherwise (quarter-end closing, as many B2B teams know it)."""
    import random

    rng = random.Random(seed)
    span = (as_of - start).days
    out = []
    for i in range(deals):
        created = start + timedelta(days=rng.randrange(span))
        closed = created + timedelta(days=rng.randrange(1, 28))
        quarter_end = closed.month % 3 == 0
        won = rng.random() < (0.9 if quarter_end else 0.3)
        done = closed < as_of
        out.append(
            DealRecord(
                id=i,
                created_on=created,
                outcome=("won" if won else "lost") if done else "open",
                closed_on=closed if done else None,
            )
        )
    return out


def test_a_deal_is_forecast_with_the_quarter_end_it_will_close_in() -> None:
    # the same fresh deal, seen on the first day of a quarter and on the first day of its
    # last month: in the second case it will most likely close in a quarter-end month,
    # and the model has learned that deals closing then are won more often
    history = _seasonal_history(3000, seed=3, start=date(2024, 1, 1), as_of=date(2026, 1, 1))
    model = CultureForecast().fit(history, date(2026, 1, 1))
    fresh = [DealRecord(id=-1, created_on=day, outcome="open") for day in (date(2026, 1, 1),)]
    start_of_quarter = model.predict(fresh, date(2026, 1, 1), explain=False)[0]
    fresh = [DealRecord(id=-1, created_on=date(2026, 3, 1), outcome="open")]
    last_month = model.predict(fresh, date(2026, 3, 1), explain=False)[0]

    def given_close(f):  # type: ignore[no-untyped-def]
        return f.p_win / (f.p_win + f.p_lost)

    assert given_close(last_month) > given_close(start_of_quarter) + 0.25


def test_a_history_that_begins_mid_stream_counts_older_deals_from_its_first_close() -> None:
    # a CRM export that starts on 1 March holds the deals created before it only because
    # they were still open then: their weeks before the first close are not evidence
    start = date(2026, 3, 2)  # a Monday
    early = DealRecord(
        id=1,
        created_on=start - timedelta(weeks=10),
        outcome="won",
        closed_on=start + timedelta(weeks=2),
    )
    first = DealRecord(id=2, created_on=start - timedelta(weeks=1), outcome="lost", closed_on=start)
    later = DealRecord(id=3, created_on=start + timedelta(weeks=1), outcome="open")
    as_of = start + timedelta(weeks=5)
    model = CultureForecast().fit([early, first, later], as_of)
    assert model.observed_from_ == start
    # early: weeks 10 to 12 of its life (closing in the last); first: week 1, in which it
    # closed; later: its four weeks so far
    assert model.n_rows_ == 3 + 1 + 4
