"""The team's fitted forecast model is kept, reused while the history is the same, and
refitted when asked, when enough deals have closed, or for an earlier day."""

from __future__ import annotations

from datetime import date, timedelta

from crossdeal.culture.layers import briefing_model
from crossdeal.pipeline import edits
from crossdeal.pipeline.db import Database
from crossdeal.pipeline.demo import generate
from crossdeal.pipeline.forecasting import forecast_report
from crossdeal.pipeline.models import FittedForecast
from crossdeal.pipeline.store import PipelineStore

TODAY = date(2026, 12, 1)


def _kept(store: PipelineStore) -> int:
    from sqlalchemy import func, select

    with store.db.session() as s:
        return (
            s.scalar(
                select(func.count())
                .select_from(FittedForecast)
                .where(FittedForecast.team_id == store.team_id)
            )
            or 0
        )


def test_the_model_is_kept_reused_and_refitted(database: Database) -> None:
    store = PipelineStore(database, team="emea", model=briefing_model())
    store.load_demo(generate(seed=4, deals=160, today=TODAY, model=store.model))
    first = forecast_report(store, as_of=TODAY)
    assert first.model is not None and first.model.refitted and _kept(store) == 1
    again = forecast_report(store, as_of=TODAY)
    assert again.model is not None and not again.model.refitted
    assert "same closed deals" in again.model.reason
    # the kept model forecasts exactly as the fit it came from
    assert [d.p_win for d in again.deals] == [d.p_win for d in first.deals]
    asked = forecast_report(store, as_of=TODAY, refit=True)
    assert (
        asked.model is not None and asked.model.refitted and asked.model.reason == "asked to refit"
    )
    # an earlier day: fitted for it, and the kept model (which saw later deals) stays
    earlier = forecast_report(store, as_of=TODAY - timedelta(days=120))
    assert earlier.model is not None and earlier.model.refitted
    assert earlier.model.reason.endswith("not kept")
    assert not forecast_report(store, as_of=TODAY).model.refitted  # type: ignore[union-attr]


def test_enough_closed_deals_refit_the_model(database: Database) -> None:
    store = PipelineStore(database, team="emea", model=briefing_model())
    store.load_demo(generate(seed=4, deals=160, today=TODAY, model=store.model))
    forecast_report(store, as_of=TODAY)
    open_ids = [d.id for d in store.deals().deals][:12]
    assert len(open_ids) == 12
    for deal_id in open_ids[:9]:
        edits.close_deal(store, deal_id, "won", on=TODAY - timedelta(days=1))
    # nine more closed deals: under the documented ten (or a tenth of the ~100 it learned
    # from, whichever is more), the kept model stays
    assert not forecast_report(store, as_of=TODAY).model.refitted  # type: ignore[union-attr]
    for deal_id in open_ids[9:11]:
        edits.close_deal(store, deal_id, "lost", reason="price", on=TODAY - timedelta(days=1))
    report = forecast_report(store, as_of=TODAY)
    assert report.model is not None and report.model.refitted
    assert "11 closed deal(s) differ" in report.model.reason


def test_the_same_count_of_other_closed_deals_refits(database: Database) -> None:
    """Reopening ten won deals and losing ten open ones keeps the count, not the deals."""
    store = PipelineStore(database, team="emea", model=briefing_model())
    store.load_demo(generate(seed=4, deals=160, today=TODAY, model=store.model))
    forecast_report(store, as_of=TODAY)
    won = [d.id for d in store.deals(outcome="won").deals][:6]
    still_open = [d.id for d in store.deals().deals][:6]
    for deal_id in won:
        edits.reopen_deal(store, deal_id)
    for deal_id in still_open:
        edits.close_deal(store, deal_id, "lost", reason="price", on=TODAY - timedelta(days=1))
    report = forecast_report(store, as_of=TODAY)
    assert report.model is not None and report.model.refitted
    assert "12 closed deal(s) differ" in report.model.reason


def test_a_forecast_for_a_day_to_come_is_not_kept(database: Database) -> None:
    store = PipelineStore(database, team="emea", model=briefing_model())
    store.load_demo(generate(seed=4, deals=120, today=TODAY, model=store.model))
    ahead = forecast_report(store, as_of=date.today() + timedelta(days=400))
    assert ahead.model is not None and ahead.model.reason.endswith("not kept")
    assert _kept(store) == 0
    today = forecast_report(store, as_of=date.today())
    assert today.model is not None and today.model.refitted and _kept(store) == 1
    assert not forecast_report(store, as_of=date.today()).model.refitted  # type: ignore[union-attr]


def test_another_team_never_uses_this_teams_model(database: Database) -> None:
    emea = PipelineStore(database, team="emea", model=briefing_model())
    emea.load_demo(generate(seed=4, deals=160, today=TODAY, model=emea.model))
    forecast_report(emea, as_of=TODAY)
    apac = PipelineStore(database, team="apac", model=briefing_model())
    assert _kept(apac) == 0
    report = forecast_report(apac, as_of=TODAY)
    assert report.model is not None and report.model.refitted and report.deals == []
    # rebuilding the demo team drops its kept model with its deals
    emea.load_demo(generate(seed=5, deals=60, today=TODAY, model=emea.model), reset=True)
    assert _kept(emea) == 0 and _kept(apac) == 1
