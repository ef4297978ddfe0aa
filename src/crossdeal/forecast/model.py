"""When will it really close? Win probability and close date, learned from a team's deals.

A deal that is still open is censored: it has neither won nor lost yet. The model is a
discrete-time competing-risks hazard model: one row per deal per week of its life, the
outcome of each row being "still open", "won that week" or "lost that week", fitted with
a penalised multinomial logistic regression (scikit-learn) on the deal's features and
its age. For an open deal, the weekly hazards from its current age onward give the
probability that it is won (or lost) within the horizon and, among the ways it can be
won, the weeks by which half and four fifths of that probability are reached (P50, P80).

Thin history is the normal case. With no closed deals the forecast is the documented
prior (forecast/data/forecast_prior.yaml): a constant weekly hazard whose median time to
close is the usual same-culture cycle times the cultural-distance factor, split between
winning and losing by a prior win rate. As closed deals accumulate, the weekly hazards
move from the prior's towards the team's own, with weight ``n / (n + pseudo_deals)``;
every prediction says how much of it is data.

Models follow fit/predict, with fitted attributes ending in ``_``; nothing is kept
between calls that the caller did not pass in. docs/forecast.md explains the choices.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from crossdeal._validation import validate_yaml
from crossdeal._yaml import load_yaml
from crossdeal.errors import DataFileError, InputError

__all__ = [
    "FEATURES",
    "CultureForecast",
    "DealForecast",
    "DealRecord",
    "Factor",
    "ForecastPrior",
    "default_forecast_prior",
]

Outcome = Literal["won", "lost", "open"]

# The deal features the model reads, with how a sales manager would name them.
FEATURES: Mapping[str, str] = {
    "distance": "cultural distance (Kogut-Singh)",
    "trusting_gap": "gap in how trust is built (levels)",
    "deciding_gap": "gap in how decisions are made (levels)",
    "committee": "people in the buying committee",
    "face_time": "met in person or on video",
    "deciders_met": "decision-maker met",
    "log_amount": "deal size (log10 of the amount)",
}
_WEEK = 7
# L2 penalty of the hazard regression (scikit-learn's C: smaller is stronger); chosen on
# the demo's backtests at 180 and 1,200 deals (docs/forecast.md)
PENALTY = 0.03
# a stage's own win rate counts against the team's as if the team's were this many deals
STAGE_PSEUDO_DEALS = 5.0
_CHUNK = 2000  # deals scored at once: 2,000 x 104 weeks of hazards stay small


@dataclass(frozen=True, slots=True)
class DealRecord:
    """One deal as the forecast sees it: its dates, outcome, amount and features."""

    id: int
    created_on: date
    outcome: Outcome
    closed_on: date | None = None
    amount: float = 0.0
    features: Mapping[str, float] = field(default_factory=dict)
    cycle_factor: float = 1.0  # the prior's cultural-distance factor for this deal
    # when a feature took a value, as (day, feature, value): the first video call, the
    # first meeting with a decision-maker. The model reads each week of a deal's life
    # with the features it had then, not with how the deal ended
    timeline: tuple[tuple[date, str, float], ...] = ()
    # what the baselines of the backtest read: the buyer's market, the deal's owner, and
    # its stage changes as (day, stage entered), the first being the stage it started in
    market: str | None = None
    owner: str | None = None
    stages: tuple[tuple[date, str], ...] = ()
    # the amount's history as (day, amount from then on), its first value first; empty:
    # the amount has always been ``amount``
    amounts: tuple[tuple[date, float], ...] = ()

    def amount_on(self, day: date) -> float:
        """The amount as it stood at the start of ``day``."""
        current = self.amounts[0][1] if self.amounts else self.amount
        for when, value in self.amounts:
            if when < day:
                current = value
        return current

    def stage_on(self, day: date) -> str | None:
        """The stage the deal was in on ``day`` (None where unrecorded)."""
        current = None
        for when, stage in self.stages:
            if when <= day:
                current = stage
        return current

    def features_on(self, day: date) -> dict[str, float]:
        """The features as they were at the start of ``day``: a feature with a timeline
        is 0 until its first entry, then the value of its latest entry before ``day``."""
        if not self.timeline:
            return dict(self.features)
        current = dict(self.features)
        for name in {n for _, n, _ in self.timeline}:
            current[name] = 0.0
        for when, name, value in self.timeline:
            if when < day:
                current[name] = value
        return current


@dataclass(frozen=True, slots=True)
class Factor:
    """One feature's contribution to a deal's win probability, against the team average."""

    feature: str
    label: str
    value: float
    average: float
    effect: float  # win probability with the deal's value minus with the average


@dataclass(frozen=True, slots=True)
class DealForecast:
    deal_id: int
    p_win: float  # within the horizon
    p_lost: float
    close_p50: date | None  # the week by which half the win probability is reached
    close_p80: date | None
    expected_value: float
    data_share: float  # 0: the prior alone, 1: the team's own history alone
    stale: bool  # open far longer than the team's won deals ever took
    factors: tuple[Factor, ...] = ()
    p_win_by: tuple[float, ...] = ()  # P(won before each checkpoint asked for)


class _PriorSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)
    win_rate: float = Field(gt=0, lt=1)
    cycle_days: float = Field(gt=0)
    pseudo_deals: float = Field(gt=0)
    horizon_weeks: int = Field(ge=4, le=520)
    stale_factor: float = Field(ge=1)
    source: str


@dataclass(frozen=True, slots=True)
class ForecastPrior:
    """What the forecast assumes before a team's own deals say otherwise."""

    win_rate: float = 0.3
    cycle_days: float = 90.0
    pseudo_deals: float = 30.0
    horizon_weeks: int = 104
    stale_factor: float = 2.0

    def close_hazard(self, cycle_factors: Any) -> Any:
        """The weekly chance of closing (won or lost) whose median time to close is the
        prior cycle times each deal's cultural-distance factor (an array of them)."""
        import numpy as np

        median_weeks = np.maximum(self.cycle_days * np.asarray(cycle_factors) / _WEEK, 1.0)
        return 1.0 - 0.5 ** (1.0 / median_weeks)


@functools.cache
def default_forecast_prior() -> ForecastPrior:
    """The shipped prior (forecast/data/forecast_prior.yaml)."""
    path = Path(str(resources.files("crossdeal.forecast").joinpath("data", "forecast_prior.yaml")))
    spec = validate_yaml(_PriorSpec, load_yaml(path), path, DataFileError)
    return ForecastPrior(
        spec.win_rate, spec.cycle_days, spec.pseudo_deals, spec.horizon_weeks, spec.stale_factor
    )


class CultureForecast:
    """Competing-risks hazard model of winning and losing, with the prior as a floor."""

    def __init__(
        self,
        prior: ForecastPrior | None = None,
        penalty: float = PENALTY,
        stage_pseudo_deals: float = STAGE_PSEUDO_DEALS,
    ) -> None:
        self.prior = prior or default_forecast_prior()
        self.penalty = penalty
        self.stage_pseudo_deals = stage_pseudo_deals

    # --- fit ------------------------------------------------------------------------------
    def fit(self, history: Sequence[DealRecord], as_of: date) -> CultureForecast:
        """Learn from deals created before ``as_of``: closed ones with their outcome (if
        closed before ``as_of``), open ones as censored at their age on that day."""
        import numpy as np

        known = [d for d in history if d.created_on < as_of]
        closed = [
            d
            for d in known
            if d.outcome != "open" and d.closed_on is not None and d.closed_on < as_of
        ]
        closed_ids = {d.id for d in closed}
        self.n_closed_ = len(closed)
        self.win_rate_ = (
            sum(d.outcome == "won" for d in closed) / len(closed) if closed else self.prior.win_rate
        )
        # what the prior part of every forecast splits between winning and losing: the
        # prior's rate, moved toward the team's own as deals close
        wins = sum(d.outcome == "won" for d in closed)
        self.prior_win_rate_ = (wins + self.prior.pseudo_deals * self.prior.win_rate) / (
            len(closed) + self.prior.pseudo_deals
        )
        won_weeks = [_weeks(d.created_on, d.closed_on) for d in closed if d.outcome == "won"]
        self.longest_won_weeks_ = max(won_weeks) if won_weeks else None
        self.fitted_on_ = as_of
        self.stage_rates_ = _stage_rates(closed, self.win_rate_, self.stage_pseudo_deals)
        self.ignored_features_ = _outcome_revealing(closed)
        # The history is taken to begin with its first close: a record that starts
        # mid-stream holds the older deals only because they were still open then (the
        # ones that closed earlier are missing, and most quick closes are losses), so
        # such a deal counts from that day on (delayed entry), not from its creation.
        # Where the team really began then, this leaves out only weeks in which no deal
        # could be seen closing.
        self.observed_from_ = min((d.closed_on for d in closed if d.closed_on), default=None)
        # one row per deal per week, with the features the deal had that week
        raw: list[list[float]] = []
        weeks_of: list[int] = []
        days_of: list[date] = []
        labels: list[int] = []

        for d in known:
            is_closed = d.id in closed_ids
            # a closed deal lived through the weeks before the one it closed in, and
            # closed in that one; an open deal through its whole weeks so far
            weeks = (
                _weeks(d.created_on, d.closed_on) + 1 if is_closed else _weeks(d.created_on, as_of)
            )
            entered = (
                _weeks(d.created_on, self.observed_from_)
                if self.observed_from_ is not None and d.created_on < self.observed_from_
                else 0
            )
            for week in range(entered, weeks):
                # the features as they were when the week began
                shown = d.features_on(d.created_on + timedelta(weeks=week))
                raw.append([shown.get(f, 0.0) for f in FEATURES])
                weeks_of.append(week)
                days_of.append(d.created_on + timedelta(weeks=week))
                last = week == weeks - 1
                labels.append({"won": 1, "lost": 2}.get(d.outcome, 0) if last and is_closed else 0)
        matrix = self._without_ignored(np.array(raw) if raw else np.zeros((1, len(FEATURES))))
        self.feature_means_ = matrix.mean(axis=0)
        scales = matrix.std(axis=0)
        self.feature_scales_ = np.where(scales > 1e-9, scales, 1.0)
        self.classifier_: Any = None
        self.n_rows_ = len(raw)
        outcomes = {d.outcome for d in closed}
        if not {"won", "lost"} <= outcomes:
            return self  # nothing to learn the two risks from: the prior alone
        scaled = (matrix - self.feature_means_) / self.feature_scales_
        weeks_column = np.array(weeks_of, dtype=float)
        design = np.column_stack([scaled, _age_columns(weeks_column), _calendar_columns(days_of)])
        from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]

        classifier = LogisticRegression(C=self.penalty, max_iter=2000)
        classifier.fit(design, np.array(labels))
        self.classifier_ = _Softmax.of(classifier)
        return self

    # --- keeping a fitted model -----------------------------------------------------------
    def to_params(self) -> dict[str, Any]:
        """The fitted model as plain JSON-ready values (``from_params`` reads them back)."""
        if not hasattr(self, "fitted_on_"):
            raise InputError("fit the forecast before keeping it")
        classifier = self.classifier_
        return {
            "prior": {
                "win_rate": self.prior.win_rate,
                "cycle_days": self.prior.cycle_days,
                "pseudo_deals": self.prior.pseudo_deals,
                "horizon_weeks": self.prior.horizon_weeks,
                "stale_factor": self.prior.stale_factor,
            },
            "penalty": self.penalty,
            "stage_pseudo_deals": self.stage_pseudo_deals,
            "features": list(FEATURES),
            "time_columns": TIME_COLUMNS,
            "fitted_on": self.fitted_on_.isoformat(),
            "observed_from": None
            if self.observed_from_ is None
            else self.observed_from_.isoformat(),
            "n_closed": self.n_closed_,
            "n_rows": self.n_rows_,
            "win_rate": self.win_rate_,
            "prior_win_rate": self.prior_win_rate_,
            "longest_won_weeks": self.longest_won_weeks_,
            "stage_rates": self.stage_rates_,
            "ignored_features": self.ignored_features_,
            "feature_means": [float(v) for v in self.feature_means_],
            "feature_scales": [float(v) for v in self.feature_scales_],
            "classifier": None
            if classifier is None
            else {
                "classes": [int(c) for c in classifier.classes_],
                "coef": classifier.coef_.tolist(),
                "intercept": classifier.intercept_.tolist(),
            },
        }

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> CultureForecast:
        """A fitted model from ``to_params``'s values; a model of other features is an
        error (the caller refits)."""
        import numpy as np

        if (
            list(params.get("features", ())) != list(FEATURES)
            or params.get("time_columns") != TIME_COLUMNS
        ):
            raise InputError("the kept forecast model reads other features: refit it")
        model = cls(
            ForecastPrior(**params["prior"]), params["penalty"], params["stage_pseudo_deals"]
        )
        model.fitted_on_ = date.fromisoformat(params["fitted_on"])
        kept_from = params.get("observed_from")
        model.observed_from_ = None if kept_from is None else date.fromisoformat(kept_from)
        model.n_closed_ = int(params["n_closed"])
        model.n_rows_ = int(params["n_rows"])
        model.win_rate_ = float(params["win_rate"])
        model.prior_win_rate_ = float(params["prior_win_rate"])
        model.longest_won_weeks_ = params["longest_won_weeks"]
        model.stage_rates_ = {str(k): float(v) for k, v in params["stage_rates"].items()}
        model.ignored_features_ = dict(params["ignored_features"])
        model.feature_means_ = np.array(params["feature_means"], dtype=float)
        model.feature_scales_ = np.array(params["feature_scales"], dtype=float)
        kept = params["classifier"]
        model.classifier_ = (
            None
            if kept is None
            else _Softmax(
                np.array(kept["classes"]),
                np.array(kept["coef"], dtype=float),
                np.array(kept["intercept"], dtype=float),
            )
        )
        return model

    # --- predict --------------------------------------------------------------------------
    def predict(
        self,
        open_deals: Sequence[DealRecord],
        as_of: date,
        explain: bool = True,
        checkpoints: Sequence[date] = (),
    ) -> list[DealForecast]:
        """The forecast of each open deal from its age on ``as_of``; with ``checkpoints``,
        also its probability of being won before each of those days."""
        import numpy as np

        if not hasattr(self, "fitted_on_"):
            raise InputError("fit the forecast on the team's history before predicting")
        share = self.data_share_
        out: list[DealForecast] = []
        # each checkpoint in (fractional) weeks from now, within the horizon
        steps = [
            min(max((day - as_of).days, 0) / _WEEK, float(self.prior.horizon_weeks))
            for day in checkpoints
        ]
        for start in range(0, len(open_deals), _CHUNK):
            chunk = open_deals[start : start + _CHUNK]
            ages = np.array([_weeks(d.created_on, as_of) for d in chunk], dtype=float)
            on_day = [d.features_on(as_of) for d in chunk]
            matrix = np.array(
                [[features.get(f, 0.0) for f in FEATURES] for features in on_day], dtype=float
            ).reshape(len(chunk), len(FEATURES))
            matrix = self._without_ignored(matrix)
            factors_of = np.array([d.cycle_factor for d in chunk], dtype=float)
            won, lost, cumulative = self._incidence(matrix, ages, factors_of, share, as_of)
            # with the prior alone nothing is learned about any feature: no factors
            learned = self.classifier_ is not None and share > 0
            effects = (
                self._effects(matrix, ages, factors_of, share, won, as_of)
                if explain and learned
                else None
            )
            stages = [d.stage_on(as_of) for d in chunk]
            won, lost, cumulative, stage_effect = self._stage_adjusted(
                won, lost, cumulative, stages
            )
            p50, p80 = _quantile_weeks(cumulative, won)
            by_step = _at_steps(cumulative, steps).tolist()
            for i, deal in enumerate(chunk):
                stale = bool(
                    self.longest_won_weeks_ is not None
                    and ages[i] > self.prior.stale_factor * self.longest_won_weeks_
                )
                out.append(
                    DealForecast(
                        deal_id=deal.id,
                        p_win=round(float(won[i]), 4),
                        p_lost=round(float(lost[i]), 4),
                        close_p50=None if p50[i] < 0 else as_of + timedelta(weeks=int(p50[i])),
                        close_p80=None if p80[i] < 0 else as_of + timedelta(weeks=int(p80[i])),
                        expected_value=round(float(won[i]) * deal.amount, 2),
                        data_share=round(share, 3),
                        stale=stale,
                        factors=()
                        if effects is None
                        else self._top_factors(
                            matrix[i], effects[i], stages[i], float(stage_effect[i])
                        ),
                        p_win_by=tuple(round(value, 4) for value in by_step[i]),
                    )
                )
        return out

    @property
    def data_share_(self) -> float:
        """How much of every estimate is the team's own data (0 with no model fitted)."""
        if getattr(self, "classifier_", None) is None:
            return 0.0
        return float(self.n_closed_ / (self.n_closed_ + self.prior.pseudo_deals))

    # --- internals --------------------------------------------------------------------------
    def _without_ignored(self, matrix: Any) -> Any:
        for j, name in enumerate(FEATURES):
            if name in self.ignored_features_:
                matrix[:, j] = 0.0
        return matrix

    def _hazards(
        self, matrix: Any, ages: Any, cycle_factors: Any, share: float, as_of: date
    ) -> tuple[Any, Any]:
        """Weekly (win, loss) hazards, one row per deal, one column per week ahead of
        ``as_of``."""
        import numpy as np

        horizon = self.prior.horizon_weeks
        total = self.prior.close_hazard(cycle_factors)
        rate = self.prior_win_rate_
        win = np.repeat((total * rate)[:, None], horizon, axis=1)
        loss = np.repeat((total * (1.0 - rate))[:, None], horizon, axis=1)
        if self.classifier_ is None or share <= 0:
            return win, loss
        scaled = (matrix - self.feature_means_) / self.feature_scales_
        classes = [int(c) for c in self.classifier_.classes_]
        ahead = _calendar_columns([as_of + timedelta(weeks=k) for k in range(horizon)])
        if classes == [0, 1, 2]:
            # the multinomial model's scores split into a part per deal and a part per
            # week of age, shared by every deal: add the two, then softmax (the same
            # numbers as predict_proba, without building a row per deal and week)
            # (and a part per calendar week ahead, shared by every deal too)
            features = len(FEATURES)
            age_end = features + len(AGE_BREAKS) + 1
            coef, intercept = self.classifier_.coef_, self.classifier_.intercept_
            per_deal = scaled @ coef[:, :features].T + intercept  # deals x 3
            oldest = int(ages.max()) + horizon if len(ages) else horizon
            per_age = _age_columns(np.arange(oldest, dtype=float)) @ coef[:, features:age_end].T
            per_week = ahead @ coef[:, age_end:].T  # weeks x 3
            week = ages.astype(int)[:, None] + np.arange(horizon)[None, :]
            # the softmax of the three scores of each deal and week, a class at a time
            # (a reduction over an axis of three costs numpy more than the arithmetic)
            open_, won, lost = (
                per_deal[:, None, k] + per_age[week, k] + per_week[None, :, k] for k in range(3)
            )  # deals x weeks each
            top = np.maximum(np.maximum(open_, won), lost)
            for part in (open_, won, lost):
                part -= top
                np.exp(part, out=part)
            total = open_ + won
            total += lost
            learned_win, learned_loss = won / total, lost / total
        else:
            count = len(ages)
            week = (ages[:, None] + np.arange(horizon)[None, :]).reshape(-1)
            design = np.column_stack(
                [np.repeat(scaled, horizon, axis=0), _age_columns(week), np.tile(ahead, (count, 1))]
            )
            probabilities = self.classifier_.predict_proba(design)
            columns = {c: i for i, c in enumerate(classes)}
            learned_win = probabilities[:, columns[1]].reshape(count, horizon)
            learned_loss = probabilities[:, columns[2]].reshape(count, horizon)
        return (
            share * learned_win + (1 - share) * win,
            share * learned_loss + (1 - share) * loss,
        )

    def _incidence(
        self, matrix: Any, ages: Any, cycle_factors: Any, share: float, as_of: date
    ) -> tuple[Any, Any, Any]:
        """P(win), P(lost) within the horizon, and the cumulative win probability by week."""
        import numpy as np

        win, loss = self._hazards(matrix, ages, cycle_factors, share, as_of)
        both = win + loss
        total = np.minimum(both, 1.0)
        scale = np.divide(total, both, out=np.zeros_like(both), where=both > 0)
        surviving = np.cumprod(1.0 - total, axis=1)
        before = np.column_stack([np.ones(len(ages)), surviving[:, :-1]])
        cumulative_win = np.cumsum(before * win * scale, axis=1)
        cumulative_loss = np.cumsum(before * loss * scale, axis=1)
        return cumulative_win[:, -1], cumulative_loss[:, -1], cumulative_win

    def _effects(
        self, matrix: Any, ages: Any, cycle_factors: Any, share: float, won: Any, as_of: date
    ) -> Any:
        """Each feature's effect on each deal's P(win): with its value minus with the
        team average (a deals x features array; zero with no model fitted)."""
        import numpy as np

        effects = np.zeros_like(matrix)
        if self.classifier_ is None or share <= 0:
            return effects
        for j in range(len(FEATURES)):
            differs = ~np.isclose(matrix[:, j], self.feature_means_[j], rtol=0.0, atol=1e-9)
            if not differs.any():
                continue
            swapped = matrix[differs].copy()
            swapped[:, j] = self.feature_means_[j]
            base, _, _ = self._incidence(
                swapped, ages[differs], cycle_factors[differs], share, as_of
            )
            effects[differs, j] = won[differs] - base
        return effects

    def _stage_adjusted(
        self, won: Any, lost: Any, cumulative: Any, stages: Sequence[str | None]
    ) -> tuple[Any, Any, Any, Any]:
        """Move each deal's chance of a win, should it close, by what its stage says: the
        log-odds of the team's (smoothed) win rate from that stage against its overall
        rate, added to the model's. A stage the team has no closed deal through, or an
        unknown one, moves nothing. The chance of closing, and when, stay the model's."""
        import numpy as np

        shift = np.array(
            [
                _logit(self.stage_rates_[stage]) - _logit(self.win_rate_)
                if stage in self.stage_rates_
                else 0.0
                for stage in stages
            ]
        )
        if not shift.any():
            return won, lost, cumulative, np.zeros(len(stages))
        closes = won + lost
        given = np.divide(won, closes, out=np.zeros_like(won), where=closes > 0)
        clipped = np.clip(given, 1e-6, 1 - 1e-6)
        moved = 1.0 / (1.0 + np.exp(-(np.log(clipped / (1 - clipped)) + shift)))
        moved = np.where(closes > 0, moved, given)
        ratio = np.divide(moved, given, out=np.ones_like(given), where=given > 0)
        new_won = closes * moved
        return new_won, closes - new_won, cumulative * ratio[:, None], new_won - won

    def _top_factors(
        self, values: Any, effects: Any, stage: str | None = None, stage_effect: float = 0.0
    ) -> tuple[Factor, ...]:
        import numpy as np

        labels = list(FEATURES.items())
        differs = np.abs(values - self.feature_means_) > 1e-9
        # the three largest effects among the features where the deal is not average
        # (a stage effect may displace the third)
        order = [int(j) for j in np.argsort(-np.abs(effects)) if differs[j]][:3]
        out = [
            Factor(
                labels[j][0],
                labels[j][1],
                float(values[j]),
                float(self.feature_means_[j]),
                round(float(effects[j]), 4),
            )
            for j in order
        ]
        if stage is not None and stage in self.stage_rates_ and abs(stage_effect) > 1e-9:
            rate = self.stage_rates_[stage]
            out.append(
                Factor(
                    "stage",
                    f"stage {stage} (won from it: {rate:.0%})",
                    rate,
                    self.win_rate_,
                    round(stage_effect, 4),
                )
            )
        out.sort(key=lambda f: -abs(f.effect))
        return tuple(out[:3])


def _at_steps(cumulative: Any, steps: Sequence[float]) -> Any:
    """The cumulative win probability ``steps`` weeks from now (fractional: interpolated
    within the week, which starts at 0), for every deal (a row of ``cumulative``, its
    cumulative probability by the end of each week): deals x steps."""
    import numpy as np

    deals, horizon = cumulative.shape
    padded = np.column_stack([np.zeros(deals), cumulative])  # column w: by the end of week w
    out = np.empty((deals, len(steps)))
    for j, weeks in enumerate(steps):
        whole = int(weeks)
        before = padded[:, min(whole, horizon)]
        if whole >= horizon:
            out[:, j] = before
        else:
            out[:, j] = before + (weeks - whole) * (padded[:, whole + 1] - before)
    return out


def _weeks(start: date, end: date | None) -> int:
    if end is None:
        return 0
    return max((end - start).days // _WEEK, 0)


# the weeks of a deal's life at which its baseline hazards may change: a piecewise-
# constant baseline, so that a burst of early losses (many CRMs lose half their lost
# deals in the first three weeks) does not bend the hazards of older deals
AGE_BREAKS = (1, 2, 3, 4, 6, 9, 13, 18, 26, 39, 52)
# what the columns after the features are: a kept model of other columns is refitted
TIME_COLUMNS = "age bands, age in years, second and third month of the quarter"


def _age_columns(weeks: Any) -> Any:
    """One indicator column per age band after the first, and the age in years."""
    import numpy as np

    bands = [(weeks >= low).astype(float) for low in AGE_BREAKS]
    return np.column_stack([*bands, weeks / 52.0])


def _calendar_columns(days: Sequence[date]) -> Any:
    """Whether each week begins in the second or the third month of a calendar quarter.

    B2B deals bunch at quarter ends, when buyers spend what is left of a budget and
    sellers push for their quarter's number: a deal open in July is not forecast from
    the win rate of deals that closed in June."""
    import numpy as np

    month = np.fromiter(((d.month - 1) % 3 for d in days), dtype=float, count=len(days))
    return np.column_stack([month == 1, month == 2]).astype(float).reshape(len(days), 2)


def _outcome_revealing(closed: Sequence[DealRecord]) -> dict[str, str]:
    """Features a team's records fill in only once a deal has its outcome, with why.

    Some CRMs keep the amount of a lost deal as 0 (its close value): a model would learn
    that a deal without an amount is lost, and forecast every open deal without one as
    lost. Where the share of lost deals without an amount is at least half a share
    (50 points) above that of won deals, the deal size is left out."""
    won = [d for d in closed if d.outcome == "won"]
    lost = [d for d in closed if d.outcome == "lost"]
    if len(won) < 5 or len(lost) < 5:
        return {}
    lost_empty = sum(d.amount <= 0 for d in lost) / len(lost)
    won_empty = sum(d.amount <= 0 for d in won) / len(won)
    if lost_empty - won_empty >= 0.5:
        return {
            "log_amount": (
                f"left out: {lost_empty:.0%} of this team's lost deals have no amount against "
                f"{won_empty:.0%} of its won deals, so the amount is filled in with the "
                "outcome (a close value) and would give the outcome away"
            )
        }
    return {}


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


class _Softmax:
    """The fitted multinomial regression as its numbers alone: what scoring needs,
    without scikit-learn (a kept model is scored without importing it)."""

    def __init__(self, classes: Any, coef: Any, intercept: Any) -> None:
        self.classes_, self.coef_, self.intercept_ = classes, coef, intercept

    @classmethod
    def of(cls, fitted: Any) -> _Softmax:
        import numpy as np

        coef, intercept = np.asarray(fitted.coef_), np.asarray(fitted.intercept_)
        if len(fitted.classes_) == 2:  # a binary fit keeps one row: the second class's
            coef = np.vstack([np.zeros_like(coef[0]), coef[0]])
            intercept = np.array([0.0, intercept[0]])
        return cls(np.asarray(fitted.classes_), coef, intercept)

    def predict_proba(self, design: Any) -> Any:
        import numpy as np

        scores = design @ self.coef_.T + self.intercept_
        scores -= scores.max(axis=1, keepdims=True)
        np.exp(scores, out=scores)
        return scores / scores.sum(axis=1, keepdims=True)


def _stage_rates(
    closed: Sequence[DealRecord], team_rate: float, pseudo_deals: float
) -> dict[str, float]:
    """Per stage, the share of the closed deals that passed through it before closing and
    were won, smoothed toward the team's rate by ``pseudo_deals``."""
    reached: dict[str, int] = {}
    won: dict[str, int] = {}
    for deal in closed:
        if deal.closed_on is None:
            continue
        for stage in {stage for day, stage in deal.stages if day < deal.closed_on}:
            reached[stage] = reached.get(stage, 0) + 1
            won[stage] = won.get(stage, 0) + (deal.outcome == "won")
    return {
        stage: (won[stage] + pseudo_deals * team_rate) / (reached[stage] + pseudo_deals)
        for stage in reached
    }


def _quantile_weeks(cumulative: Any, won: Any) -> tuple[Any, Any]:
    """The weeks (from now, 1-based) by which half and four fifths of each deal's win
    probability are reached; -1 where the deal has next to no chance of a win."""
    import numpy as np

    out = []
    for share in (0.5, 0.8):
        reached = cumulative >= share * won[:, None]
        weeks = reached.argmax(axis=1) + 1
        out.append(np.where(won > 1e-6, weeks, -1))
    return out[0], out[1]
