"""How good has the forecast been? As-of-date backtests against the baselines a CRM offers.

For each cut-off day the model is fitted on what was known that day (deals closed before
it with their outcome; deals open then as censored at their age), and the deals open on
that day are scored against what happened to them afterwards. Nothing from after the
cut-off reaches the fit or the features: :func:`snapshot` removes later outcomes, close
dates, activities and stage changes, and a test shows the predictions do not move when
the later history is changed.

Every baseline is measured in the same run, on the same deals:

- the team's win rate on the day;
- stage probabilities, HubSpot's defaults (forecast/data/stage_defaults.yaml) and the
  team's own rate of winning from each stage;
- a naive-Bayes frequency table over market, owner, committee, engagement and size, with
  +0.1 smoothing (the method of Odoo's predictive lead scoring);
- for close dates, the team's median won cycle counted from each deal's creation.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date, timedelta

from pydantic import BaseModel, ConfigDict, Field

from crossdeal.errors import InputError
from crossdeal.forecast.model import (
    FEATURES,
    CultureForecast,
    DealForecast,
    DealRecord,
    ForecastPrior,
)
from crossdeal.forecast.stages import StageDefaults, default_stage_defaults

__all__ = [
    "Backtest",
    "CutoffResult",
    "EffectEstimate",
    "MethodScore",
    "QuarterRevenue",
    "ReliabilityBin",
    "backtest",
    "feature_effect",
    "quarter_bounds",
    "quarter_of",
    "snapshot",
]

NB_SMOOTHING = 0.1  # Odoo's predictive lead scoring adds 0.1 to every frequency
BINS = 10


# --- results ------------------------------------------------------------------------------
class _Out(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)


class ReliabilityBin(_Out):
    low: float
    high: float
    deals: int
    predicted: float = Field(description="mean predicted win probability in the bin")
    observed: float = Field(description="share of the bin's deals that were won")


class MethodScore(_Out):
    method: str
    brier: float | None = Field(description="mean squared error of P(win); lower is better")
    log_loss: float | None
    ece: float | None = Field(description="expected calibration error over ten bins")
    auc: float | None = Field(description="area under the ROC curve; 0.5 is chance")
    c_index: float | None = Field(
        None, description="concordance of the predicted time to a win with the actual one"
    )
    close_mae_days: float | None = Field(
        None, description="mean absolute error of the P50 close date on won deals, in days"
    )
    p80_coverage: float | None = Field(
        None, description="share of won deals closed by their P80 date (0.8 is calibrated)"
    )
    reliability: list[ReliabilityBin] = Field(default_factory=list)


class QuarterRevenue(_Out):
    quarter: str
    forecast: float = Field(description="crossdeal's expected won amount in the quarter")
    baseline: float = Field(
        description="win rate x amount, placed in the quarter of the median-cycle date"
    )
    actual: float = Field(description="amount actually won in the quarter")


class CutoffResult(_Out):
    as_of: date
    closed_before: int = Field(description="closed deals the fit learned from")
    scored: int = Field(description="deals open on the cut-off")
    resolved: int = Field(description="of those, closed by the evaluation day")
    data_share: float
    left_out: dict[str, str] = Field(
        default_factory=dict, description="features left out because they reveal the outcome"
    )
    methods: list[MethodScore]
    quarters: list[QuarterRevenue]


class Backtest(_Out):
    schema_version: str = "crossdeal.backtest/1"
    evaluated_on: date
    cutoffs: list[CutoffResult]
    pooled: list[MethodScore] = Field(description="every cut-off's scored deals together")
    stage_defaults_source: str
    note: str


# --- what was known on a day --------------------------------------------------------------
def snapshot(history: Sequence[DealRecord], cutoff: date) -> list[DealRecord]:
    """The deals as they were known at the start of ``cutoff``: created before it; closed
    only if closed before it; activities, stage changes and amount changes from before it
    only."""
    out = []
    for deal in history:
        if deal.created_on >= cutoff:
            continue
        closed = deal.outcome != "open" and deal.closed_on is not None and deal.closed_on < cutoff
        dated = {name for _, name, _ in deal.timeline}
        amount = deal.amount_on(cutoff)
        features = {
            **deal.features,
            **dict.fromkeys(dated, 0.0),
            "log_amount": math.log10(amount) if amount > 0 else 0.0,
        }
        out.append(
            replace(
                deal,
                outcome=deal.outcome if closed else "open",
                closed_on=deal.closed_on if closed else None,
                amount=amount,
                features=features,
                timeline=tuple(t for t in deal.timeline if t[0] < cutoff),
                stages=tuple(s for s in deal.stages if s[0] < cutoff),
                amounts=tuple(a for a in deal.amounts if a[0] < cutoff),
            )
        )
    return out


# --- the backtest -------------------------------------------------------------------------
def backtest(
    history: Sequence[DealRecord],
    cutoffs: Sequence[date],
    evaluated_on: date,
    prior: ForecastPrior | None = None,
    stage_defaults: StageDefaults | None = None,
) -> Backtest:
    """Score the forecast and the baselines as of each cut-off against what happened by
    ``evaluated_on`` (``history`` is every deal as known on that day)."""
    if not cutoffs:
        raise InputError("give at least one cut-off day to backtest from")
    late = [day for day in cutoffs if day >= evaluated_on]
    if late:
        raise InputError(
            f"cut-off {late[0].isoformat()} is not before {evaluated_on.isoformat()}: "
            "a backtest needs time after the cut-off to see what happened"
        )
    defaults = stage_defaults or default_stage_defaults()
    truth = {deal.id: deal for deal in history}
    results = []
    pooled: dict[str, list[_Scored]] = defaultdict(list)
    for cutoff in sorted(set(cutoffs)):
        result, scored = _one_cutoff(history, truth, cutoff, evaluated_on, prior, defaults)
        results.append(result)
        for method, rows in scored.items():
            pooled[method].extend(rows)
    return Backtest(
        evaluated_on=evaluated_on,
        cutoffs=results,
        pooled=[_score(method, rows) for method, rows in pooled.items()],
        stage_defaults_source=defaults.source,
        note=(
            "Win probabilities are scored on the deals open at each cut-off that have closed "
            "since (crossdeal's as P(win) / (P(win) + P(lost)), the chance of a win given the "
            "deal closes); deals still open are left out of those scores and counted in the "
            "C-index as censored. Amounts are read as they stood on each cut-off from their "
            "recorded changes; committee size (contacts carry no date), owner, and an amount "
            "a re-import overwrote without a recorded change are read as they are today."
        ),
    )


class _Scored:
    """One scored deal under one method: its prediction and what happened."""

    __slots__ = ("censored_on", "closed_on", "cutoff", "p", "p50", "p80", "risk", "won")

    def __init__(
        self,
        p: float,
        p50: date | None,
        p80: date | None,
        risk: float,
        truth: DealRecord,
        evaluated_on: date,
        cutoff: date | None = None,
    ) -> None:
        self.cutoff = cutoff
        self.p = min(max(p, 1e-6), 1 - 1e-6)
        self.p50, self.p80, self.risk = p50, p80, risk
        resolved = truth.outcome != "open" and truth.closed_on is not None
        self.won: bool | None = (truth.outcome == "won") if resolved else None
        self.closed_on = truth.closed_on if resolved else None
        self.censored_on = evaluated_on


def _one_cutoff(
    history: Sequence[DealRecord],
    truth: Mapping[int, DealRecord],
    cutoff: date,
    evaluated_on: date,
    prior: ForecastPrior | None,
    defaults: StageDefaults,
) -> tuple[CutoffResult, dict[str, list[_Scored]]]:
    known = snapshot(history, cutoff)
    closed = [d for d in known if d.outcome != "open"]
    scored = [d for d in known if d.outcome == "open"]
    model = CultureForecast(prior).fit(known, cutoff)
    quarters = _quarters_after(cutoff, evaluated_on)
    checkpoints = [cutoff + timedelta(weeks=26), *(end for _, _, end in quarters)]
    forecasts = model.predict(scored, cutoff, explain=False, checkpoints=checkpoints)
    win_rate = model.win_rate_
    median, p80 = _cycle_quantiles(closed)
    stage_rates = model.stage_rates_
    bayes = _NaiveBayes(closed, ignore_size="log_amount" in model.ignored_features_)

    def cycle_dates(deal: DealRecord) -> tuple[date | None, date | None]:
        if median is None or p80 is None:
            return None, None
        return (
            max(deal.created_on + timedelta(days=median), cutoff),
            max(deal.created_on + timedelta(days=p80), cutoff),
        )

    rows: dict[str, list[_Scored]] = defaultdict(list)
    for deal, forecast in zip(scored, forecasts, strict=True):
        real = truth[deal.id]
        rows["crossdeal"].append(
            _Scored(
                _given_close(forecast),
                forecast.close_p50,
                forecast.close_p80,
                forecast.p_win_by[0],
                real,
                evaluated_on,
                cutoff,
            )
        )
        p50_date, p80_date = cycle_dates(deal)
        early = -(p50_date - cutoff).days if p50_date else 0.0
        stage = deal.stage_on(cutoff)
        looked_up = defaults.lookup(stage)
        for method, p in (
            ("team win rate", win_rate),
            ("stage defaults (HubSpot)", looked_up[0] if looked_up else win_rate),
            ("team stage rates", stage_rates.get(stage, win_rate) if stage else win_rate),
            ("naive Bayes (Odoo-style)", bayes.p_win(deal, cutoff)),
        ):
            rows[method].append(_Scored(p, p50_date, p80_date, early, real, evaluated_on, cutoff))
    revenue = []
    for i, (label, start, end) in enumerate(quarters):
        before = [f.p_win_by[i] for f in forecasts] if i else [0.0] * len(forecasts)
        expected = sum(
            (f.p_win_by[i + 1] - b) * d.amount
            for f, b, d in zip(forecasts, before, scored, strict=True)
        )
        placed = sum(
            win_rate * d.amount
            for d in scored
            if (day := cycle_dates(d)[0]) is not None and start <= day < end
        )
        actual = sum(
            truth[d.id].amount
            for d in scored
            if truth[d.id].outcome == "won"
            and (closed_on := truth[d.id].closed_on) is not None
            and start <= closed_on < end
        )
        revenue.append(
            QuarterRevenue(
                quarter=label,
                forecast=round(expected, 2),
                baseline=round(placed, 2),
                actual=round(actual, 2),
            )
        )
    result = CutoffResult(
        as_of=cutoff,
        closed_before=len(closed),
        scored=len(scored),
        resolved=sum(1 for r in rows["crossdeal"] if r.won is not None),
        data_share=round(model.data_share_, 3),
        left_out=dict(model.ignored_features_),
        methods=[_score(method, method_rows) for method, method_rows in rows.items()],
        quarters=revenue,
    )
    return result, rows


def _given_close(forecast: DealForecast) -> float:
    total = forecast.p_win + forecast.p_lost
    return forecast.p_win / total if total > 0 else forecast.p_win


def _cycle_quantiles(closed: Sequence[DealRecord]) -> tuple[int | None, int | None]:
    cycles = sorted(
        (d.closed_on - d.created_on).days
        for d in closed
        if d.outcome == "won" and d.closed_on is not None
    )
    if not cycles:
        return None, None
    return _quantile(cycles, 0.5), _quantile(cycles, 0.8)


def _quantile(ordered: Sequence[int], q: float) -> int:
    return ordered[min(math.ceil(q * len(ordered)) - 1, len(ordered) - 1)]


class _NaiveBayes:
    """A frequency table per outcome over the deal's categories, +0.1 smoothing."""

    def __init__(self, closed: Sequence[DealRecord], ignore_size: bool = False) -> None:
        self.ignore_size = ignore_size
        self.counts: dict[str, Counter[tuple[str, str]]] = {"won": Counter(), "lost": Counter()}
        self.totals: Counter[str] = Counter()
        self.values: dict[str, set[str]] = defaultdict(set)
        for deal in closed:
            assert deal.closed_on is not None  # closed deals have a close day
            self.totals[deal.outcome] += 1
            for name, value in _categories(deal, deal.closed_on, self.ignore_size).items():
                self.counts[deal.outcome][(name, value)] += 1
                self.values[name].add(value)

    def p_win(self, deal: DealRecord, day: date) -> float:
        n = self.totals["won"] + self.totals["lost"]
        if not self.totals["won"] or not self.totals["lost"]:
            return self.totals["won"] / n if n else 0.3
        log_odds = math.log(self.totals["won"] / self.totals["lost"])
        for name, value in _categories(deal, day, self.ignore_size).items():
            levels = len(self.values[name] | {value})
            p = {
                outcome: (self.counts[outcome][(name, value)] + NB_SMOOTHING)
                / (self.totals[outcome] + NB_SMOOTHING * levels)
                for outcome in ("won", "lost")
            }
            log_odds += math.log(p["won"] / p["lost"])
        return 1.0 / (1.0 + math.exp(-max(min(log_odds, 30.0), -30.0)))


def _categories(deal: DealRecord, day: date, ignore_size: bool) -> dict[str, str]:
    features = deal.features_on(day)
    committee = int(features.get("committee", 0))
    out = {
        "market": deal.market or "-",
        "owner": deal.owner or "-",
        "committee": str(min(committee, 5)),
        "face_time": str(int(features.get("face_time", 0))),
        "deciders_met": str(int(features.get("deciders_met", 0))),
    }
    if not ignore_size:  # the amount the forecast leaves out, the baseline does too
        out["size"] = str(round(features.get("log_amount", 0.0)))
    return out


# --- scores -------------------------------------------------------------------------------
def _score(method: str, rows: Sequence[_Scored]) -> MethodScore:
    resolved = [r for r in rows if r.won is not None]
    y = [1.0 if r.won else 0.0 for r in resolved]
    p = [r.p for r in resolved]
    dated = method == "crossdeal" or method == "team win rate"
    won = [r for r in resolved if r.won and r.closed_on is not None]
    mae = p80 = None
    pairs = [(r.p50, r.p80, r.closed_on) for r in won]
    if dated and pairs and all(a is not None and b is not None for a, b, _ in pairs):
        mae = round(sum(abs((a - c).days) for a, _, c in pairs if a and c) / len(pairs), 1)
        p80 = round(sum(1 for _, b, c in pairs if b and c and c <= b) / len(pairs), 3)
    return MethodScore(
        method=method if method != "team win rate" else "team win rate / median cycle",
        brier=round(sum((a - b) ** 2 for a, b in zip(p, y, strict=True)) / len(y), 4)
        if y
        else None,
        log_loss=round(
            -sum(b * math.log(a) + (1 - b) * math.log(1 - a) for a, b in zip(p, y, strict=True))
            / len(y),
            4,
        )
        if y
        else None,
        ece=_ece(p, y),
        auc=_auc(p, y),
        c_index=_c_index(rows) if dated else None,
        close_mae_days=mae,
        p80_coverage=p80,
        reliability=_reliability(p, y),
    )


def _reliability(p: Sequence[float], y: Sequence[float]) -> list[ReliabilityBin]:
    bins: dict[int, list[tuple[float, float]]] = defaultdict(list)
    for a, b in zip(p, y, strict=True):
        bins[min(int(a * BINS), BINS - 1)].append((a, b))
    return [
        ReliabilityBin(
            low=i / BINS,
            high=(i + 1) / BINS,
            deals=len(members),
            predicted=round(sum(a for a, _ in members) / len(members), 4),
            observed=round(sum(b for _, b in members) / len(members), 4),
        )
        for i, members in sorted(bins.items())
    ]


def _ece(p: Sequence[float], y: Sequence[float]) -> float | None:
    if not y:
        return None
    table = _reliability(p, y)
    return round(sum(b.deals * abs(b.predicted - b.observed) for b in table) / len(y), 4)


def _auc(p: Sequence[float], y: Sequence[float]) -> float | None:
    """The probability that a won deal is ranked above a lost one (ties count half)."""
    positives = [a for a, b in zip(p, y, strict=True) if b]
    negatives = [a for a, b in zip(p, y, strict=True) if not b]
    if not positives or not negatives:
        return None
    ranked = sorted([(a, 1) for a in positives] + [(a, 0) for a in negatives])
    rank_sum, i = 0.0, 0
    while i < len(ranked):
        j = i
        while j < len(ranked) and ranked[j][0] == ranked[i][0]:
            j += 1
        mid = (i + j + 1) / 2  # the average 1-based rank of the tie group
        rank_sum += mid * sum(label for _, label in ranked[i:j])
        i = j
    n_pos, n_neg = len(positives), len(negatives)
    return round((rank_sum - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg), 4)


def _c_index(rows: Sequence[_Scored]) -> float | None:
    """Harrell's concordance for the time to a win, adapted to a competing risk: a lost
    deal never wins (it stays in every comparison), a deal still open is censored on the
    evaluation day. A pair counts when the earlier of the two was won; it is concordant
    when that deal had the higher predicted chance of an early win. Pairs are compared
    within one cut-off only (their times start on the same day)."""
    events = [r for r in rows if r.won and r.closed_on is not None]
    if not events:
        return None
    concordant = comparable = 0.0
    for i in events:
        assert i.closed_on is not None
        for j in rows:
            if j is i or j.cutoff != i.cutoff:
                continue
            later = (
                j.won is False
                or (j.won and j.closed_on is not None and j.closed_on > i.closed_on)
                or (j.won is None and j.censored_on > i.closed_on)
            )
            if not later:
                continue
            comparable += 1
            if i.risk > j.risk:
                concordant += 1
            elif i.risk == j.risk:
                concordant += 0.5
    return round(concordant / comparable, 4) if comparable else None


# --- calendar quarters --------------------------------------------------------------------
def quarter_of(day: date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def quarter_bounds(label: str) -> tuple[date, date]:
    """``2027Q2`` -> (2027-04-01, 2027-07-01): the first day and the day after the last."""
    text = label.strip().upper()
    try:
        year_text, quarter_text = text.split("Q")
        year, quarter = int(year_text), int(quarter_text)
        if not 1 <= quarter <= 4 or not 1900 <= year <= 9998:
            raise ValueError(text)
    except ValueError:
        raise InputError(f"{label!r} is not a quarter: write it like 2027Q2") from None
    start = date(year, 3 * quarter - 2, 1)
    end = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return start, end


def _quarters_after(cutoff: date, evaluated_on: date) -> list[tuple[str, date, date]]:
    """The quarters from the cut-off's own (from the cut-off on; left out when fewer than
    two weeks of it remain) that ended by the evaluation day, at most four."""
    out: list[tuple[str, date, date]] = []
    start = cutoff
    while len(out) < 4:
        _, end = quarter_bounds(quarter_of(start))
        if end > evaluated_on:
            break
        if (end - start).days >= 14:
            out.append((quarter_of(start), start, end))
        start = end
    return out


# --- is an effect really there? ------------------------------------------------------------
class EffectEstimate(_Out):
    feature: str
    low: float
    high: float
    effect: float = Field(description="P(win | it closes) at `high` minus at `low`")
    interval: tuple[float, float] = Field(description="95 % bootstrap interval")
    resamples: int


def feature_effect(
    history: Sequence[DealRecord],
    as_of: date,
    feature: str,
    low: float,
    high: float,
    resamples: int = 30,
    seed: int = 0,
) -> EffectEstimate:
    """How much a feature moves the chance of a win, read off the fitted model for an
    otherwise average new deal, with a bootstrap interval over the deals (refitted on
    ``resamples`` resamples drawn with replacement, seeded)."""
    import random

    def effect(deals: Sequence[DealRecord]) -> float:
        model = CultureForecast().fit(deals, as_of)
        average = dict(zip(FEATURES, (float(v) for v in model.feature_means_), strict=True))
        start = as_of - timedelta(days=1)
        pair = [
            DealRecord(-1, start, "open", amount=1.0, features={**average, feature: low}),
            DealRecord(-2, start, "open", amount=1.0, features={**average, feature: high}),
        ]
        at_low, at_high = model.predict(pair, as_of, explain=False)
        return _given_close(at_high) - _given_close(at_low)

    rng = random.Random(seed)  # noqa: S311 - a seeded resample, not a secret
    point = effect(history)
    draws = []
    for _ in range(resamples):
        sample = [rng.choice(history) for _ in history]
        # a deal drawn twice is two deals: the fit keys nothing on the id
        draws.append(effect([replace(d, id=i) for i, d in enumerate(sample)]))
    draws.sort()
    lo = draws[max(int(0.025 * resamples), 0)]
    hi = draws[min(math.ceil(0.975 * resamples) - 1, resamples - 1)]
    return EffectEstimate(
        feature=feature,
        low=low,
        high=high,
        effect=round(point, 4),
        interval=(round(lo, 4), round(hi, 4)),
        resamples=resamples,
    )
