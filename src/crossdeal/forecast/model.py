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
    # when a feature became 1 (the first video call, the first meeting with a
    # decision-maker): the model reads each week of a deal's life with the features it
    # had then, not with how the deal ended
    timeline: tuple[tuple[date, str], ...] = ()

    def features_on(self, day: date) -> dict[str, float]:
        """The features as they were at the start of ``day``."""
        if not self.timeline:
            return dict(self.features)
        current = dict(self.features)
        for name in {n for _, n in self.timeline}:
            current[name] = 0.0
        for when, name in self.timeline:
            if when < day:
                current[name] = 1.0
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

    def hazards(self, cycle_factor: float) -> tuple[float, float]:
        """Weekly (win, loss) hazards whose median time to close is the prior cycle."""
        median_weeks = max(self.cycle_days * cycle_factor / _WEEK, 1.0)
        total = 1.0 - 0.5 ** (1.0 / median_weeks)
        return total * self.win_rate, total * (1.0 - self.win_rate)


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

    def __init__(self, prior: ForecastPrior | None = None, penalty: float = 1.0) -> None:
        self.prior = prior or default_forecast_prior()
        self.penalty = penalty

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
        won_weeks = [_weeks(d.created_on, d.closed_on) for d in closed if d.outcome == "won"]
        self.longest_won_weeks_ = max(won_weeks) if won_weeks else None
        self.fitted_on_ = as_of
        # one row per deal per week, with the features the deal had that week
        raw: list[list[float]] = []
        weeks_of: list[int] = []
        labels: list[int] = []
        for d in known:
            is_closed = d.id in closed_ids
            end = d.closed_on if is_closed else as_of
            weeks = max(_weeks(d.created_on, end), 1)
            for week in range(weeks):
                shown = d.features_on(d.created_on + timedelta(weeks=week + 1))
                raw.append([shown.get(f, 0.0) for f in FEATURES])
                weeks_of.append(week)
                last = week == weeks - 1
                labels.append({"won": 1, "lost": 2}.get(d.outcome, 0) if last and is_closed else 0)
        matrix = np.array(raw) if raw else np.zeros((1, len(FEATURES)))
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
        design = np.column_stack([scaled, np.log1p(weeks_column), weeks_column / 52.0])
        from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]

        classifier = LogisticRegression(C=self.penalty, max_iter=2000)
        classifier.fit(design, np.array(labels))
        self.classifier_ = classifier
        return self

    # --- predict --------------------------------------------------------------------------
    def predict(
        self, open_deals: Sequence[DealRecord], as_of: date, explain: bool = True
    ) -> list[DealForecast]:
        """The forecast of each open deal from its age on ``as_of``."""
        if not hasattr(self, "fitted_on_"):
            raise InputError("fit the forecast on the team's history before predicting")
        share = self.n_closed_ / (self.n_closed_ + self.prior.pseudo_deals)
        if self.classifier_ is None:
            share = 0.0
        out = []
        for deal in open_deals:
            age = _weeks(deal.created_on, as_of)
            features = deal.features_on(as_of)
            curves = self._curves(features, deal.cycle_factor, age, share)
            p_win, p_lost, p50, p80 = _summary(curves)
            stale = (
                self.longest_won_weeks_ is not None
                and age > self.prior.stale_factor * self.longest_won_weeks_
            )
            factors = self._factors(deal, features, age, share, p_win) if explain else ()
            out.append(
                DealForecast(
                    deal_id=deal.id,
                    p_win=round(p_win, 4),
                    p_lost=round(p_lost, 4),
                    close_p50=None if p50 is None else as_of + timedelta(weeks=p50),
                    close_p80=None if p80 is None else as_of + timedelta(weeks=p80),
                    expected_value=round(p_win * deal.amount, 2),
                    data_share=round(share, 3),
                    stale=stale,
                    factors=factors,
                )
            )
        return out

    # --- internals --------------------------------------------------------------------------
    def _scaled(self, features: Mapping[str, float]) -> list[float]:
        return [
            (features.get(f, 0.0) - self.feature_means_[i]) / self.feature_scales_[i]
            for i, f in enumerate(FEATURES)
        ]

    def _curves(
        self, features: Mapping[str, float], cycle_factor: float, age: int, share: float
    ) -> tuple[list[float], list[float]]:
        """Weekly (win, loss) hazards for the weeks from ``age`` to the horizon."""
        horizon = self.prior.horizon_weeks
        prior_win, prior_loss = self.prior.hazards(cycle_factor)
        win = [prior_win] * horizon
        loss = [prior_loss] * horizon
        if self.classifier_ is not None and share > 0:
            import numpy as np

            x = self._scaled(features)
            probabilities = self.classifier_.predict_proba(
                np.array([_row(x, age + week) for week in range(horizon)])
            )
            columns = {c: i for i, c in enumerate(self.classifier_.classes_)}
            for week in range(horizon):
                win[week] = share * probabilities[week, columns[1]] + (1 - share) * win[week]
                loss[week] = share * probabilities[week, columns[2]] + (1 - share) * loss[week]
        return win, loss

    def _factors(
        self,
        deal: DealRecord,
        features: Mapping[str, float],
        age: int,
        share: float,
        p_win: float,
    ) -> tuple[Factor, ...]:
        if self.classifier_ is None or share == 0:
            return ()
        out = []
        for i, (name, label) in enumerate(FEATURES.items()):
            average = float(self.feature_means_[i])
            value = features.get(name, 0.0)
            if math.isclose(value, average, abs_tol=1e-9):
                continue
            swapped = {**features, name: average}
            base, _, _, _ = _summary(self._curves(swapped, deal.cycle_factor, age, share))
            out.append(Factor(name, label, value, average, round(p_win - base, 4)))
        out.sort(key=lambda f: -abs(f.effect))
        return tuple(out[:3])


def _weeks(start: date, end: date | None) -> int:
    if end is None:
        return 0
    return max((end - start).days // _WEEK, 0)


def _row(x: list[float], week: int) -> list[float]:
    # the hazard's shape over a deal's life: log of its age and its age in years
    return [*x, math.log1p(week), week / 52.0]


def _summary(
    curves: tuple[list[float], list[float]],
) -> tuple[float, float, int | None, int | None]:
    """P(win), P(lost) within the horizon, and the weeks (from now) by which half and
    four fifths of the win probability are reached."""
    win, loss = curves
    surviving = 1.0
    won = lost = 0.0
    cumulative: list[float] = []
    for h_win, h_loss in zip(win, loss, strict=True):
        total = min(h_win + h_loss, 1.0)
        scale = total / (h_win + h_loss) if h_win + h_loss > 0 else 0.0
        won += surviving * h_win * scale
        lost += surviving * h_loss * scale
        surviving *= 1.0 - total
        cumulative.append(won)
    if won <= 1e-6:
        return won, lost, None, None
    p50 = next(i + 1 for i, c in enumerate(cumulative) if c >= 0.5 * won)
    p80 = next(i + 1 for i, c in enumerate(cumulative) if c >= 0.8 * won)
    return won, lost, p50, p80
