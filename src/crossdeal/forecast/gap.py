"""The revenue gap of a period, and the leads it takes to fill it, per market.

gap = target - expected won revenue inside the period from the open pipeline (each deal's
chance of a win inside the period x its amount) - from inbound leads - from nurtured
leads (volume x the share that becomes a deal x the market's win rate x its average won
deal size). The market's win rate is its own, shrunk toward the forecast's estimate for
the market's deals (which knows their cultural distance) where the market has few closed
deals; its deal size is shrunk toward the team's likewise. The interval comes from a
seeded Monte Carlo over every deal's outcome and every lead's.

Leads needed, per market: how many more leads of each kind would fill the gap if they
all came from that market (gap / (deal size x conversion there)).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from crossdeal._validation import validate_yaml
from crossdeal._yaml import load_yaml
from crossdeal.errors import DataFileError, InputError
from crossdeal.forecast.simulate import simulated_totals

if TYPE_CHECKING:
    from crossdeal.forecast.engines import Engine

__all__ = [
    "ClosedDeal",
    "GapReport",
    "LeadRates",
    "MarketGap",
    "OpenDeal",
    "default_lead_rates",
    "market_rates",
    "revenue_gap",
    "shrunk_rate",
]


class _RatesSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)
    inbound_to_deal: float = Field(gt=0, le=1)
    nurture_to_deal: float = Field(gt=0, le=1)
    market_share_months: int = Field(ge=1, le=120)
    win_rate_pseudo_deals: float = Field(gt=0)
    deal_size_pseudo_deals: float = Field(gt=0)
    draws: int = Field(ge=100, le=1_000_000)
    source: str


@dataclass(frozen=True, slots=True)
class LeadRates:
    inbound_to_deal: float = 0.10
    nurture_to_deal: float = 0.02
    market_share_months: int = 12
    win_rate_pseudo_deals: float = 10.0
    deal_size_pseudo_deals: float = 5.0
    draws: int = 2000
    source: str = ""


@functools.cache
def default_lead_rates() -> LeadRates:
    """The shipped assumptions (forecast/data/lead_rates.yaml)."""
    path = Path(str(resources.files("crossdeal.forecast").joinpath("data", "lead_rates.yaml")))
    spec = validate_yaml(_RatesSpec, load_yaml(path), path, DataFileError)
    return LeadRates(**spec.model_dump())


@dataclass(frozen=True, slots=True)
class OpenDeal:
    market: str
    amount: float
    p_win_in_period: float  # the forecast's chance of a win inside the period
    p_win_given_close: float  # the forecast's chance of a win, should it close


@dataclass(frozen=True, slots=True)
class ClosedDeal:
    market: str
    won: bool
    amount: float


@dataclass(slots=True)
class _Market:
    market: str
    open: list[OpenDeal]
    closed: int
    win_rate: float
    own: float | None
    size: float
    share: float


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)


class MarketGap(_Out):
    market: str
    open_deals: int
    pipeline_expected: float = Field(description="expected won amount from its open deals")
    closed_deals: int
    win_rate: float = Field(description="its win rate as used: own, shrunk toward the model's")
    win_rate_own: float | None
    deal_size: float = Field(description="average won deal, shrunk toward the team's")
    lead_share: float = Field(description="share of the lead volume given to this market")
    inbound_conversion: float = Field(description="inbound lead -> won deal")
    nurture_conversion: float
    leads_expected: float = Field(description="expected won amount from its share of leads")
    inbound_leads_needed: int | None = Field(
        description="inbound leads from this market alone that would fill the gap"
    )
    nurture_leads_needed: int | None


class GapReport(_Out):
    schema_version: str = "crossdeal.gap/1"
    period: str
    target: float
    currency: str
    won_already: float = Field(0.0, description="won inside the period before the day")
    pipeline_expected: float
    inbound_leads: int
    nurture_leads: int
    inbound_expected: float
    nurture_expected: float
    gap: float = Field(description="target minus every expected amount (negative: ahead)")
    gap_interval: tuple[float, float] = Field(description="80 % interval (P10, P90) of the gap")
    p_reach_target: float = Field(description="share of simulated outcomes that reach it")
    markets: list[MarketGap]
    assumptions: dict[str, float]
    source: str
    notes: list[str]


def revenue_gap(
    target: float,
    period: str,
    open_deals: Sequence[OpenDeal],
    closed_deals: Sequence[ClosedDeal],
    recent_markets: Sequence[str],
    inbound_leads: int = 0,
    nurture_leads: int = 0,
    rates: LeadRates | None = None,
    currency: str = "USD",
    seed: int = 0,
    engine: Engine | None = None,
    won_already: float = 0.0,
) -> GapReport:
    """The gap and the leads it takes; ``recent_markets`` holds the market of each deal
    created lately (lead volumes are split across markets in their proportions);
    ``won_already`` is what the period has brought in so far."""
    import numpy as np

    rates = rates or default_lead_rates()
    if not target > 0 or target == float("inf"):
        raise InputError("the target must be a positive amount")
    if inbound_leads < 0 or nurture_leads < 0:
        raise InputError("lead volumes cannot be negative")
    won = [d for d in closed_deals if d.won]
    team_rate = (len(won) / len(closed_deals)) if closed_deals else None
    team_size = (
        sum(d.amount for d in won) / len(won)
        if won
        else (sum(d.amount for d in open_deals) / len(open_deals) if open_deals else 0.0)
    )
    markets = sorted(
        {d.market for d in open_deals} | {d.market for d in closed_deals} | set(recent_markets)
    )
    share_counts = {m: recent_markets.count(m) for m in markets}
    total_recent = sum(share_counts.values())
    rows: list[_Market] = []
    for market in markets:
        mine_open = [d for d in open_deals if d.market == market]
        mine_closed = [d for d in closed_deals if d.market == market]
        mine_won = [d for d in mine_closed if d.won]
        # the model's estimate for the market: its open deals' chance, should they close
        modelled = (
            sum(d.p_win_given_close for d in mine_open) / len(mine_open)
            if mine_open
            else (team_rate if team_rate is not None else 0.3)
        )
        win_rate = shrunk_rate(
            len(mine_won), len(mine_closed), modelled, rates.win_rate_pseudo_deals
        )
        # a market's average won deal, shrunk toward the team's the same way
        size = shrunk_rate(
            sum(d.amount for d in mine_won), len(mine_won), team_size, rates.deal_size_pseudo_deals
        )
        share = share_counts[market] / total_recent if total_recent else 1.0 / len(markets)
        own = len(mine_won) / len(mine_closed) if mine_closed else None
        rows.append(_Market(market, mine_open, len(mine_closed), win_rate, own, size, share))
    # expected values
    pipeline = sum(d.p_win_in_period * d.amount for d in open_deals)
    inbound = sum(
        inbound_leads * r.share * rates.inbound_to_deal * r.win_rate * r.size for r in rows
    )
    nurture = sum(
        nurture_leads * r.share * rates.nurture_to_deal * r.win_rate * r.size for r in rows
    )
    gap = target - won_already - pipeline - inbound - nurture
    # the interval: every open deal won or not, every lead a won deal or not
    draws = rates.draws
    simulated = simulated_totals(
        np.array([[d.p_win_in_period] for d in open_deals], dtype=float).reshape(-1, 1),
        np.array([d.amount for d in open_deals], dtype=float),
        draws,
        seed,
        engine,
    )[:, 0].copy()
    rng = np.random.default_rng([seed, 1])  # the leads' outcomes: a stream of their own
    if rows:
        shares = np.array([r.share for r in rows])
        shares = shares / shares.sum()
        sizes = np.array([r.size for r in rows])
        win_rates = np.array([r.win_rate for r in rows])
        for volume, to_deal in (
            (inbound_leads, rates.inbound_to_deal),
            (nurture_leads, rates.nurture_to_deal),
        ):
            if volume:
                # each simulated period: the leads split across markets, then each one a
                # won deal or not
                placed = rng.multinomial(volume, shares, size=draws)
                simulated += rng.binomial(placed, to_deal * win_rates) @ sizes
    gaps = target - won_already - simulated
    market_rows = []
    for r in rows:
        win_rate, size, share, mine_open = r.win_rate, r.size, r.share, r.open
        inbound_conv = rates.inbound_to_deal * win_rate
        nurture_conv = rates.nurture_to_deal * win_rate

        def needed(conversion: float, size: float = size) -> int | None:
            if gap <= 0:
                return 0
            if conversion <= 0 or size <= 0:
                return None
            return int(np.ceil(gap / (size * conversion)))

        market_rows.append(
            MarketGap(
                market=r.market,
                open_deals=len(mine_open),
                pipeline_expected=round(sum(d.p_win_in_period * d.amount for d in mine_open), 2),
                closed_deals=r.closed,
                win_rate=round(win_rate, 4),
                win_rate_own=None if r.own is None else round(r.own, 4),
                deal_size=round(size, 2),
                lead_share=round(share, 4),
                inbound_conversion=round(inbound_conv, 5),
                nurture_conversion=round(nurture_conv, 5),
                leads_expected=round(
                    (inbound_leads * inbound_conv + nurture_leads * nurture_conv) * share * size,
                    2,
                ),
                inbound_leads_needed=needed(inbound_conv),
                nurture_leads_needed=needed(nurture_conv),
            )
        )
    notes = []
    if not closed_deals:
        notes.append(
            "No closed deals yet: win rates are the forecast's prior and deal sizes the "
            "average open deal."
        )
    if inbound_leads or nurture_leads:
        notes.append(
            "Leads are counted as closing inside the period. A lead that arrives during it "
            "usually closes after it (a cycle is months): give the leads that arrived "
            "before the period, or read the lead figures as the period's run rate."
        )
    if not recent_markets and rows:
        notes.append("No deals created lately: lead volumes are split evenly across markets.")
    if (inbound_leads or nurture_leads) and not rows:
        notes.append(
            "The team has no deals yet, so no market to place the leads in: they are not "
            "counted. Add or import deals first."
        )
    return GapReport(
        period=period,
        target=round(target, 2),
        currency=currency,
        won_already=round(won_already, 2),
        pipeline_expected=round(pipeline, 2),
        inbound_leads=inbound_leads,
        nurture_leads=nurture_leads,
        inbound_expected=round(inbound, 2),
        nurture_expected=round(nurture, 2),
        gap=round(gap, 2),
        gap_interval=(
            round(float(np.percentile(gaps, 10)), 2),
            round(float(np.percentile(gaps, 90)), 2),
        ),
        p_reach_target=round(float((won_already + simulated >= target).mean()), 4),
        markets=sorted(market_rows, key=lambda m: -m.pipeline_expected - m.leads_expected),
        assumptions={
            "inbound_to_deal": rates.inbound_to_deal,
            "nurture_to_deal": rates.nurture_to_deal,
            "market_share_months": rates.market_share_months,
            "win_rate_pseudo_deals": rates.win_rate_pseudo_deals,
            "deal_size_pseudo_deals": rates.deal_size_pseudo_deals,
            "draws": draws,
        },
        source=rates.source,
        notes=notes,
    )


def shrunk_rate(successes: float, trials: float, toward: float, pseudo: float) -> float:
    """A rate from few trials, pulled toward ``toward`` as if it were ``pseudo`` trials."""
    return (successes + pseudo * toward) / (trials + pseudo)


def market_rates(
    outcomes: Sequence[tuple[str, bool]], pseudo: float
) -> tuple[float, dict[str, float]]:
    """The pooled rate of ``(market, converted)`` outcomes, and each market's own rate
    shrunk toward it (a market with few outcomes is mostly the pooled rate)."""
    if not outcomes:
        raise InputError("no outcomes to learn conversion rates from")
    pooled = sum(hit for _, hit in outcomes) / len(outcomes)
    counts: dict[str, list[int]] = {}
    for market, hit in outcomes:
        tally = counts.setdefault(market, [0, 0])
        tally[0] += hit
        tally[1] += 1
    return pooled, {m: shrunk_rate(h, n, pooled, pseudo) for m, (h, n) in counts.items()}
