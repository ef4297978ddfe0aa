"""The forecast, the backtest and the revenue gap of one team, read from its pipeline.

This is where the pipeline's rows become the forecast's plain records (forecast/ knows no
database): each deal with its cultures' features, the day it first had face time and
first met a decision-maker (from its activities), and its stage changes (from its
history). Everything else is the forecast core's.
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from sqlalchemy import Date, func, select

from crossdeal.forecast.model import DealForecast, DealRecord, Outcome
from crossdeal.pipeline.models import (
    Account,
    Activity,
    ActivityContact,
    Contact,
    Deal,
    DealEvent,
    FittedForecast,
    Seller,
)
from crossdeal.pipeline.reports import (
    ForecastFactor,
    ForecastLine,
    ForecastModelInfo,
    ForecastReport,
    ForecastTotal,
)
from crossdeal.pipeline.store import DECIDERS, FACE_TIME, MEETINGS

if typing.TYPE_CHECKING:
    from crossdeal.forecast.backtest import Backtest
    from crossdeal.forecast.engines import Engine
    from crossdeal.forecast.gap import GapReport
    from crossdeal.forecast.model import CultureForecast
    from crossdeal.pipeline.store import PipelineStore

__all__ = [
    "ForecastGrouping",
    "TeamHistory",
    "backtest_report",
    "deal_forecast",
    "default_cutoffs",
    "fitted_model",
    "forecast_report",
    "gap_report",
    "load_history",
]

# deals made in crossdeal itself, whose history starts at their creation
NATIVE_SOURCES = ("crossdeal", "demo")
ForecastGrouping = Literal["market", "country", "owner", "quarter"]
METHOD = (
    "Weekly competing-risks hazards of winning and losing (multinomial logistic regression "
    "on each deal's cultural distance, practice gaps, committee, face time, decision-maker "
    "met, size and age), blended with the documented prior by how many deals have closed, "
    "then moved by the team's win rate from the deal's stage; docs/forecast.md."
)


@dataclass(frozen=True, slots=True)
class DealFacts:
    """What the reports show of a deal beside its forecast."""

    name: str
    account: str
    culture: str | None
    country: str | None
    owner: str | None
    amount: float | None
    currency: str
    stage: str | None


@dataclass(frozen=True, slots=True)
class TeamHistory:
    """Every dated deal of a team as the forecast sees it, as known on ``read_on``."""

    records: list[DealRecord]
    facts: dict[int, DealFacts]
    read_on: date


def load_history(
    store: PipelineStore,
    read_on: date | None = None,
    open_only: bool = False,
    deal_id: int | None = None,
) -> TeamHistory:
    """Read the team's dated deals (``open_only``: its open ones, all that a kept model
    needs; ``deal_id``: that one only), their engagement dates and their stage changes."""
    from crossdeal.forecast.features import culture_features, deal_features

    read_on = read_on or date.today()
    team = store.team_id
    wanted = Deal.outcome == "open" if open_only else Deal.outcome.is_not(None)
    if deal_id is not None:
        wanted = wanted & (Deal.id == deal_id)
    with store.db.session() as s:
        # core rows, not ORM ones: these are columns, and a team's history is many rows
        conn = s.connection()
        rows = conn.execute(
            select(
                Deal.id,
                Deal.name,
                Account.name,
                Account.culture,
                Account.country,
                Seller.culture,
                Seller.name,
                Deal.amount,
                Deal.currency,
                Deal.outcome,
                Deal.created_on,
                Deal.closed_on,
                Deal.committee_size,
                Deal.face_time_count,
                Deal.deciders_met,
                Deal.stage,
                Deal.source,
            )
            .join(Account, Account.id == Deal.account_id)
            .outerjoin(Seller, Seller.id == Deal.owner_id)
            .where(Deal.team_id == team, Deal.created_on.is_not(None), wanted)
            .order_by(Deal.id)
        ).all()
        # when each deal first had face time, and first met a decision-maker: the model
        # reads every week of a deal with what had happened by then
        first_face = dict(
            conn.execute(
                select(Activity.deal_id, func.min(Activity.occurred_on))
                .join(Deal, Deal.id == Activity.deal_id)
                .where(Activity.team_id == team, Activity.channel.in_(FACE_TIME), wanted)
                .group_by(Activity.deal_id)
            ).all()
        )
        first_decider = dict(
            conn.execute(
                select(Activity.deal_id, func.min(Activity.occurred_on))
                .join(ActivityContact, ActivityContact.activity_id == Activity.id)
                .join(Contact, Contact.id == ActivityContact.contact_id)
                .join(Deal, Deal.id == Activity.deal_id)
                .where(
                    Activity.team_id == team,
                    # the pipeline's own reading of "decision-maker met" (its risk signal)
                    Contact.role.in_(DECIDERS),
                    Activity.channel.in_(MEETINGS),
                    wanted,
                )
                .group_by(Activity.deal_id)
            ).all()
        )
        changes: dict[str, dict[int, list[tuple[date, str | None, str | None]]]] = {
            "stage": {},
            "amount": {},
        }
        for deal_id, field, at, old, new in conn.execute(
            # the day of each change (the database cuts the time off: cheaper to read)
            select(
                DealEvent.deal_id,
                DealEvent.field,
                func.date(DealEvent.at, type_=Date),
                DealEvent.old,
                DealEvent.new,
            )
            .join(Deal, Deal.id == DealEvent.deal_id)
            .where(DealEvent.team_id == team, DealEvent.field.in_(("stage", "amount")), wanted)
            .order_by(DealEvent.deal_id, DealEvent.id)
        ).all():
            changes[field].setdefault(deal_id, []).append((at, old, new))
    records, facts = [], {}
    pairs: dict[tuple[str | None, str | None], tuple[dict[str, float], float]] = {}
    for row in rows:
        (deal_id, name, account, culture, country, seller_culture, owner, raw_amount) = row[:8]
        currency, outcome, created_on, closed_on, committee, _, _, stage, source = row[8:]
        pair = (seller_culture, culture)
        if pair not in pairs:
            seller, buyer = store._culture(seller_culture), store._culture(culture)
            pairs[pair] = (
                culture_features(seller, buyer, store.model),
                store._cycle_factor(seller, buyer) or 1.0,
            )
        cultural, factor = pairs[pair]
        amount = float(raw_amount) if raw_amount is not None else 0.0
        native = source in NATIVE_SOURCES
        stages = _stages(
            changes["stage"].get(deal_id, []), created_on, closed_on, stage, read_on, native
        )
        face_day, decider_day = first_face.get(deal_id), first_decider.get(deal_id)
        records.append(
            DealRecord(
                id=deal_id,
                created_on=typing.cast(date, created_on),  # the query keeps dated deals only
                outcome=typing.cast(Outcome, outcome),
                closed_on=closed_on,
                amount=amount,
                # engagement from the dated activities alone, so that it has a date
                features=deal_features(
                    None,
                    None,
                    store.model,
                    committee,
                    int(face_day is not None),
                    int(decider_day is not None),
                    amount,
                    cultural,
                ),
                cycle_factor=factor,
                timeline=_timeline(face_day, decider_day),
                stages=stages,
                amounts=_amounts(changes["amount"].get(deal_id, []), created_on, native),
                market=culture,
                owner=owner,
            )
        )
        facts[deal_id] = DealFacts(
            name,
            account,
            culture,
            country,
            owner,
            None if raw_amount is None else float(raw_amount),
            currency,
            stage,
        )
    return TeamHistory(records, facts, read_on)


def _timeline(
    first_face: date | None, first_decider: date | None
) -> tuple[tuple[date, str, float], ...]:
    return tuple(
        sorted(
            (when, feature, 1.0)
            for feature, when in (("face_time", first_face), ("deciders_met", first_decider))
            if when is not None
        )
    )


def _amounts(
    changes: Sequence[tuple[date, str | None, str | None]], created_on: date, native: bool
) -> tuple[tuple[date, float], ...]:
    """A deal's amount history as (day, amount from then on), from its recorded changes.
    The amount before the first change held from the deal's creation where crossdeal
    made the deal; for an imported deal it is known only from the day of that change."""

    def number(text: str | None) -> float:
        try:
            return float(text) if text else 0.0
        except ValueError:
            return 0.0

    if not changes:
        return ()
    first_day, first_old, _ = changes[0]
    out = [(created_on if native else first_day, number(first_old))]
    out.extend((day, number(new)) for day, _, new in changes)
    return tuple(out)


def _stages(
    changes: Sequence[tuple[date, str | None, str | None]],
    created_on: date,
    closed_on: date | None,
    stage: str | None,
    read_on: date,
    native: bool = True,
) -> tuple[tuple[date, str], ...]:
    """A deal's stages as (day entered, stage). Without recorded changes the current stage
    is dated the day before it was read (or the close day): when it was entered is not
    known, and a backtest must not see it on an earlier day. The stage before the first
    change held from the deal's creation where crossdeal made the deal; an imported
    deal's stage before it is known only from the day of that change."""
    if not changes:
        if stage is None:
            return ()
        return ((closed_on or max(read_on - timedelta(days=1), created_on), stage),)
    out: list[tuple[date, str]] = []
    first_day, first_old, _ = changes[0]
    if first_old:
        out.append((created_on if native else first_day, first_old))
    out.extend((day, new) for day, _, new in changes if new)
    return tuple(out)


# --- the fitted model, kept per team ------------------------------------------------------
# the format of a kept model's parameters: a kept model of another format is refitted
MODEL_FORMAT = 3
# a kept model is refitted once the team's closed deals differ from those it learned
# from by ten, or by a tenth, whichever is more
REFIT_DEALS, REFIT_SHARE = 10, 0.10


def fitted_model(
    store: PipelineStore,
    as_of: date,
    refit: bool = False,
    history: TeamHistory | None = None,
) -> tuple[CultureForecast, ForecastModelInfo, TeamHistory | None]:
    """The team's kept model where it is still good for ``as_of``, else a new fit (kept
    for next time, unless it is for a day before the kept one's). The team's whole
    history is read only to fit: it comes back when it was read (or given), else None."""
    import json

    from crossdeal.errors import InputError
    from crossdeal.forecast.model import CultureForecast

    with store.db.session() as s:
        closed_now = {
            (int(deal_id), outcome == "won")
            for deal_id, outcome in s.connection()
            .execute(
                select(Deal.id, Deal.outcome).where(
                    Deal.team_id == store.team_id,
                    Deal.outcome != "open",
                    Deal.created_on < as_of,
                    Deal.closed_on < as_of,
                )
            )
            .all()
        }
        kept = s.scalar(select(FittedForecast).where(FittedForecast.team_id == store.team_id))
        kept_values = (
            None
            if kept is None
            else (
                kept.fitted_on,
                kept.closed_deals,
                kept.rows,
                kept.format,
                kept.params,
                kept.metrics,
            )
        )
    reason = "asked to refit" if refit else "no kept model"
    if kept_values is not None and not refit:
        fitted_on, kept_closed, kept_rows, kept_format, params, metrics = kept_values
        try:
            learned = {(int(i), bool(w)) for i, w in json.loads(metrics).get("closed", [])}
        except (TypeError, ValueError, AttributeError):
            learned = set()
        # closed deals it did not learn from, or learned with another outcome
        drift = len(closed_now ^ learned)
        if kept_format != MODEL_FORMAT:
            reason = "the kept model is of an older format"
        elif as_of < fitted_on:
            reason = f"a forecast as of a day before the kept model's ({fitted_on})"
        elif drift >= max(REFIT_DEALS, REFIT_SHARE * kept_closed):
            reason = f"{drift} closed deal(s) differ from those the kept model learned from"
        else:
            try:
                model = CultureForecast.from_params(json.loads(params))
            except (InputError, KeyError, TypeError, ValueError):
                reason = "the kept model could not be read"
            else:
                info = ForecastModelInfo(
                    fitted_on=fitted_on,
                    closed_deals=kept_closed,
                    rows=kept_rows,
                    refitted=False,
                    reason="kept model, "
                    + (
                        "on the same closed deals"
                        if drift == 0
                        else f"{drift} closed deal(s) apart from today's"
                    ),
                )
                return model, info, history
    history = history or load_history(store, read_on=as_of)
    model = CultureForecast().fit(known_on(history, as_of), as_of)
    # a fit for a day to come, or for a day before the kept model's, is not kept
    keep = as_of <= date.today() and (kept_values is None or refit or as_of >= kept_values[0])
    if keep:
        _keep(store, model, closed_now)
    info = ForecastModelInfo(
        fitted_on=as_of,
        closed_deals=model.n_closed_,
        rows=model.n_rows_,
        refitted=True,
        reason=reason if keep else reason + "; not kept",
    )
    return model, info, history


def known_on(history: TeamHistory, day: date) -> list[DealRecord]:
    """The team's deals as they were known on ``day``: as they are, for today or later;
    for a day gone by, without what happened after it (outcomes, activities, stage and
    amount changes), as the backtest sees them."""
    if day >= history.read_on and day >= date.today():
        return history.records
    from crossdeal.forecast.backtest import snapshot

    return snapshot(history.records, day)


def _keep(store: PipelineStore, model: CultureForecast, closed: set[tuple[int, bool]]) -> None:
    import json
    from datetime import UTC, datetime

    from sqlalchemy import delete
    from sqlalchemy.exc import IntegrityError

    row = FittedForecast(
        team_id=store.team_id,
        fitted_at=datetime.now(UTC).replace(tzinfo=None, microsecond=0),
        fitted_on=model.fitted_on_,
        closed_deals=model.n_closed_,
        rows=model.n_rows_,
        format=MODEL_FORMAT,
        params=json.dumps(model.to_params()),
        metrics=json.dumps(
            {
                "win_rate": model.win_rate_,
                "data_share": model.data_share_,
                "left_out": model.ignored_features_,
                # which closed deals it learned from: a refit is due once they differ
                "closed": sorted([i, int(w)] for i, w in closed),
            }
        ),
    )
    try:
        with store.db.session() as s:
            s.execute(delete(FittedForecast).where(FittedForecast.team_id == store.team_id))
            s.add(row)
    except IntegrityError:
        pass  # another forecast kept its fit at the same moment: one of them stays


# --- the forecast -------------------------------------------------------------------------
def forecast_report(
    store: PipelineStore,
    as_of: date | None = None,
    limit: int | None = None,
    by: ForecastGrouping = "market",
    period: str | None = None,
    refit: bool = False,
    engine: Engine | None = None,
) -> ForecastReport:
    """Fit the forecast on the team's closed deals and forecast its open ones; totals by
    quarter, by market and by ``by``; with ``period`` (a quarter such as 2027Q2), each
    deal's chance of being won inside it and the totals for that quarter."""
    from crossdeal.errors import InputError
    from crossdeal.forecast.backtest import quarter_bounds, quarter_of

    as_of = as_of or date.today()
    past = as_of < date.today()
    model, info, full = fitted_model(store, as_of, refit)
    # a day gone by needs every deal, to see which were open then
    history = full or load_history(store, read_on=as_of, open_only=not past)
    open_deals = [r for r in known_on(history, as_of) if r.outcome == "open"]
    notes = []
    horizon_end = as_of + timedelta(weeks=model.prior.horizon_weeks)
    quarters = _quarters(as_of, horizon_end)
    bounds = [end for _, end in quarters]
    window = quarter_bounds(period) if period else None
    if window is not None:
        if window[1] <= as_of:
            raise InputError(f"{period} is over: forecast a quarter still to come")
        if window[0] >= horizon_end:
            notes.append(
                f"{period} begins after the forecast's horizon ({horizon_end}): no open deal "
                "is forecast to close in it."
            )
        bounds += [window[0], window[1]]
    from crossdeal.forecast.engines import score

    predictions = score(model, open_deals, as_of, bounds, engine)
    count = len(quarters)

    def in_period(p: DealForecast) -> float:
        if window is None:
            return 0.0
        return max(p.p_win_by[count + 1] - p.p_win_by[count], 0.0)

    def value(p: DealForecast) -> float:
        if window is None:
            return p.expected_value
        return in_period(p) * (history.facts[p.deal_id].amount or 0.0)

    predictions.sort(key=lambda p: (-value(p), p.deal_id))
    # the factors are worked out for the deals shown only: they cost seven forecasts each
    shown = predictions if limit is None else predictions[:limit]
    by_id = {r.id: r for r in open_deals}
    explained = model.predict(
        [by_id[p.deal_id] for p in shown], as_of, explain=True, checkpoints=bounds
    )
    key = _grouping(by, history.facts, quarter_of)
    return ForecastReport(
        team=store.team_name,
        as_of=as_of,
        horizon_weeks=model.prior.horizon_weeks,
        closed_deals_learned_from=model.n_closed_,
        data_share=round(model.data_share_, 3),
        win_rate=round(model.win_rate_, 4),
        left_out=dict(model.ignored_features_),
        model=info,
        period=period.strip().upper() if period else None,
        by=by,
        open_deals=len(predictions),
        deals=[_line(p, history.facts[p.deal_id], window, count) for p in explained],
        by_quarter=_quarter_totals(predictions, history.facts, quarters, quarter_of, engine),
        by_market=_totals(
            predictions,
            history.facts,
            lambda p: history.facts[p.deal_id].culture or "—",
            lambda p: p.expected_value,
        ),
        totals=_totals(predictions, history.facts, key, value),
        method=METHOD,
        notes=notes,
    )


def _line(
    p: DealForecast, facts: DealFacts, window: tuple[date, date] | None, quarters: int
) -> ForecastLine:
    in_period = None
    if window is not None:
        in_period = round(max(p.p_win_by[quarters + 1] - p.p_win_by[quarters], 0.0), 4)
    # built from values already checked: no validation for tens of thousands of lines
    return ForecastLine.model_construct(
        id=p.deal_id,
        name=facts.name,
        account=facts.account,
        culture=facts.culture,
        owner=facts.owner,
        stage=facts.stage,
        amount=facts.amount,
        currency=facts.currency,
        p_win=p.p_win,
        p_lost=p.p_lost,
        close_p50=p.close_p50,
        close_p80=p.close_p80,
        expected_value=p.expected_value,
        p_win_in_period=in_period,
        expected_in_period=None
        if in_period is None
        else round(in_period * (facts.amount or 0.0), 2),
        data_share=p.data_share,
        stale=p.stale,
        factors=[
            ForecastFactor.model_construct(
                feature=f.feature,
                label=f.label,
                value=round(f.value, 3),
                average=round(f.average, 3),
                effect=f.effect,
            )
            for f in p.factors
        ],
    )


def _quarters(start: date, end: date) -> list[tuple[str, date]]:
    """(label, the day after its last) for each quarter from ``start``'s to ``end``'s."""
    from crossdeal.forecast.backtest import quarter_bounds, quarter_of

    out = []
    day = start
    while day < end:
        label = quarter_of(day)
        _, after = quarter_bounds(label)
        out.append((label, after))
        day = after
    return out


def _quarter_totals(
    predictions: Sequence[DealForecast],
    facts: dict[int, DealFacts],
    quarters: Sequence[tuple[str, date]],
    quarter_of: Callable[[date], str],
    engine: Engine | None = None,
) -> list[ForecastTotal]:
    """Expected won amount per quarter (each deal's amount times its chance of a win in
    that quarter) with its 80 % interval from a seeded simulation; ``deals`` and
    ``amount`` count the deals whose P50 date falls in it."""
    import numpy as np

    from crossdeal.forecast.simulate import period_intervals

    count = len(quarters)
    cumulative = np.array([p.p_win_by[:count] for p in predictions], dtype=float).reshape(
        len(predictions), count
    )
    in_quarter = np.diff(cumulative, axis=1, prepend=0.0).clip(min=0.0)
    amounts = np.array([facts[p.deal_id].amount or 0.0 for p in predictions], dtype=float)
    expected = in_quarter.T @ amounts if len(predictions) else np.zeros(count)
    centred_in: dict[str, list[DealForecast]] = {}
    for p in predictions:
        if p.close_p50:
            centred_in.setdefault(quarter_of(p.close_p50), []).append(p)
    # the long tail of the horizon (a few dollars two years out) is not a quarter to show
    floor = max(0.005 * float(expected.sum()) if count else 0.0, 0.005)
    shown = [
        bool(centred_in.get(label)) or round(float(expected[i]), 2) >= floor
        for i, (label, _) in enumerate(quarters)
    ]
    # only the quarters up to the last one shown are simulated: each quarter's totals
    # come from the same draws however many quarters follow it
    upto = max((i + 1 for i, keep in enumerate(shown) if keep), default=0)
    low, high = period_intervals(in_quarter[:, :upto], amounts, engine=engine)
    out = []
    for i, (label, _) in enumerate(quarters[:upto]):
        if not shown[i]:
            continue
        centred = centred_in.get(label, [])
        out.append(
            ForecastTotal(
                key=label,
                deals=len(centred),
                expected_value=round(float(expected[i]), 2),
                low=round(float(low[i]), 2),
                high=round(float(high[i]), 2),
                amount=round(sum(facts[p.deal_id].amount or 0.0 for p in centred), 2),
            )
        )
    return out


def _grouping(
    by: ForecastGrouping, facts: dict[int, DealFacts], quarter_of: Callable[[date], str]
) -> Callable[[DealForecast], str]:
    if by == "owner":
        return lambda p: facts[p.deal_id].owner or "—"
    if by == "country":
        return lambda p: facts[p.deal_id].country or facts[p.deal_id].culture or "—"
    if by == "quarter":
        return lambda p: quarter_of(p.close_p50) if p.close_p50 else "beyond the horizon"
    return lambda p: facts[p.deal_id].culture or "—"


def _totals(
    predictions: Sequence[DealForecast],
    facts: dict[int, DealFacts],
    key: Callable[[DealForecast], str],
    value: Callable[[DealForecast], float],
) -> list[ForecastTotal]:
    groups: dict[str, list[DealForecast]] = {}
    for p in predictions:
        groups.setdefault(key(p), []).append(p)
    return [
        ForecastTotal(
            key=name,
            deals=len(group),
            expected_value=round(sum(value(p) for p in group), 2),
            amount=round(sum(facts[p.deal_id].amount or 0.0 for p in group), 2),
        )
        for name, group in sorted(groups.items())
    ]


def deal_forecast(
    store: PipelineStore, deal_id: int, as_of: date | None = None
) -> ForecastLine | None:
    """One open deal's forecast, from the model fitted on the whole team (None for a
    closed deal, or one without a creation date)."""
    as_of = as_of or date.today()
    model, _, full = fitted_model(store, as_of)
    history = full or load_history(store, read_on=as_of, open_only=True, deal_id=deal_id)
    mine = [r for r in history.records if r.id == deal_id and r.outcome == "open"]
    if not mine:
        return None
    [prediction] = model.predict(mine, as_of)
    return _line(prediction, history.facts[deal_id], None, 0)


# --- the backtest -------------------------------------------------------------------------
def default_cutoffs(history: TeamHistory, count: int = 4) -> list[date]:
    """The ends of the last ``count`` whole quarters that lie at least 90 days back and
    after the team's first closed deal (nothing to learn from before it)."""
    from crossdeal.forecast.backtest import quarter_bounds, quarter_of

    closed = [r.closed_on for r in history.records if r.closed_on is not None]
    if not closed:
        return []
    first = min(closed)
    out: list[date] = []
    day = history.read_on - timedelta(days=90)
    start, _ = quarter_bounds(quarter_of(day))
    while len(out) < count and start > first:
        out.append(start)
        start, _ = quarter_bounds(quarter_of(start - timedelta(days=1)))
    return sorted(out)


def backtest_report(
    store: PipelineStore, cutoffs: Sequence[date] = (), evaluated_on: date | None = None
) -> Backtest:
    """The backtest of the team's own history (cut-offs: the last four quarter starts at
    least 90 days back, where none are given)."""
    from crossdeal.errors import InputError
    from crossdeal.forecast.backtest import backtest

    history = load_history(store, read_on=evaluated_on)
    days = list(cutoffs) or default_cutoffs(history)
    if not days:
        raise InputError(
            f"team {store.team_name!r} has no closed deal yet: a backtest needs a history "
            "to replay (close deals with `crossdeal deal N close won|lost`, or import them)"
        )
    return backtest(history.records, days, history.read_on)


# --- the revenue gap ------------------------------------------------------------------------
def gap_report(
    store: PipelineStore,
    target: float,
    period: str,
    inbound_leads: int = 0,
    nurture_leads: int = 0,
    inbound_rate: float | None = None,
    nurture_rate: float | None = None,
    as_of: date | None = None,
    engine: Engine | None = None,
) -> GapReport:
    """The gap between ``target`` and what the team can expect to win in ``period``."""
    from collections import Counter
    from dataclasses import replace

    from crossdeal.errors import InputError
    from crossdeal.forecast.backtest import quarter_bounds
    from crossdeal.forecast.gap import ClosedDeal, OpenDeal, default_lead_rates, revenue_gap

    as_of = as_of or date.today()
    start, end = quarter_bounds(period)
    if end <= as_of:
        raise InputError(f"{period} is over: a gap is worked out for a quarter still to come")
    rates = default_lead_rates()
    for name, value in (("inbound", inbound_rate), ("nurture", nurture_rate)):
        if value is not None and not 0 < value <= 1:
            raise InputError(f"--{name}-rate {value}: give a share between 0 and 1, e.g. 0.08")
    rates = replace(
        rates,
        inbound_to_deal=inbound_rate or rates.inbound_to_deal,
        nurture_to_deal=nurture_rate or rates.nurture_to_deal,
    )
    history = load_history(store, read_on=as_of)
    model, _, _ = fitted_model(store, as_of, history=history)
    records = known_on(history, as_of)
    open_records = [r for r in records if r.outcome == "open"]
    # won inside the period already: it counts toward the target
    won_already = sum(
        r.amount
        for r in records
        if r.outcome == "won" and r.closed_on is not None and start <= r.closed_on <= as_of
    )
    from crossdeal.forecast.engines import score

    forecasts = score(model, open_records, as_of, [start, end], engine)
    open_deals = [
        OpenDeal(
            market=record.market or "—",
            amount=record.amount,
            p_win_in_period=max(f.p_win_by[1] - f.p_win_by[0], 0.0),
            p_win_given_close=f.p_win / (f.p_win + f.p_lost) if f.p_win + f.p_lost else f.p_win,
        )
        for record, f in zip(open_records, forecasts, strict=True)
    ]
    closed = [
        ClosedDeal(market=r.market or "—", won=r.outcome == "won", amount=r.amount)
        for r in records
        if r.outcome != "open" and r.closed_on is not None and r.closed_on <= as_of
    ]
    since = as_of - timedelta(days=round(30.44 * rates.market_share_months))
    recent = [r.market or "—" for r in records if since <= r.created_on <= as_of]
    currencies = Counter(f.currency for f in history.facts.values())
    currency = currencies.most_common(1)[0][0] if currencies else "USD"
    report = revenue_gap(
        target,
        period.strip().upper(),
        open_deals,
        closed,
        recent,
        inbound_leads,
        nurture_leads,
        rates,
        currency,
        engine=engine,
        won_already=won_already,
    )
    if len(currencies) > 1:
        others = ", ".join(sorted(c for c in currencies if c != currency))
        note = f"Amounts in {others} are added to {currency} as they stand (no conversion)."
        report = report.model_copy(update={"notes": [*report.notes, note]})
    return report
