"""Intervals by simulation: every open deal won in one period, or not at all.

Each deal's chances of being won in each period (the differences of its cumulative win
probability at the periods' ends) make one categorical draw per simulation; the won
amounts, summed per period over the deals, give each period's distribution. The deals
are simulated in chunks, each with its own seed spawned from the caller's, and the
chunks' totals are added in order: the same deals and seed give the same numbers on
any engine.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from crossdeal.forecast.engines import Engine

__all__ = ["period_intervals", "simulated_totals"]

DEALS_PER_CHUNK = 4000  # draws x deals booleans per period stay small
DRAWS_PER_BLOCK = 200  # with a chunk's deals, about 3 MB of draws at a time


def _chunk_totals(task: tuple[Any, Any, int, Any]) -> Any:
    """Won amount per draw and period for one chunk of deals."""
    import numpy as np

    chances, amounts, draws, seed = task
    rng = np.random.default_rng(seed)
    cumulative = np.cumsum(chances, axis=1).astype(np.float32)
    amount = amounts.astype(np.float32)
    # A draw lands in the period whose slice of the deal's chances holds it. The slices
    # follow each other, so what is won by the end of each period (the draw falls below
    # that period's cumulative chance) gives each period's share as a difference: one
    # comparison per period instead of two and their conjunction. The draws come in
    # blocks small enough to stay in the processor's cache across the periods (the
    # generator gives the same numbers in blocks as all at once).
    won_by = np.empty((draws, chances.shape[1]))
    for start in range(0, draws, DRAWS_PER_BLOCK):
        rows = min(DRAWS_PER_BLOCK, draws - start)
        u = rng.random((rows, len(amount)), dtype=np.float32)
        landed = np.empty(u.shape, dtype=np.float32)
        for period in range(chances.shape[1]):
            np.less(u, cumulative[:, period], out=landed, casting="unsafe")
            won_by[start : start + rows, period] = landed @ amount
    return np.diff(won_by, axis=1, prepend=0.0)


def simulated_totals(
    p_by_period: Any,
    amounts: Any,
    draws: int = 2000,
    seed: int = 0,
    engine: Engine | None = None,
) -> Any:
    """Draws x periods: the amount won in each period in each simulated outcome.

    ``p_by_period``: deals x periods, each row the deal's chance of a win in each period
    (summing to at most 1; the rest is no win in any of them)."""
    import numpy as np

    from crossdeal.forecast.engines import InProcess

    chances = np.asarray(p_by_period, dtype=float)
    values = np.asarray(amounts, dtype=float)
    periods = chances.shape[1] if chances.ndim == 2 else 0
    totals = np.zeros((draws, periods))
    if not len(values) or not periods:
        return totals
    starts = range(0, len(values), DEALS_PER_CHUNK)
    seeds = np.random.SeedSequence(seed).spawn(len(starts))
    tasks = [
        (chances[s : s + DEALS_PER_CHUNK], values[s : s + DEALS_PER_CHUNK], draws, child)
        for s, child in zip(starts, seeds, strict=True)
    ]
    for part in (engine or InProcess()).map(_chunk_totals, tasks):
        totals += part
    return totals


def period_intervals(
    p_by_period: Any,
    amounts: Any,
    draws: int = 2000,
    seed: int = 0,
    low: float = 10.0,
    high: float = 90.0,
    engine: Engine | None = None,
) -> tuple[Any, Any]:
    """The ``low`` and ``high`` percentiles of the amount won in each period."""
    import numpy as np

    totals = simulated_totals(p_by_period, amounts, draws, seed, engine)
    return np.percentile(totals, low, axis=0), np.percentile(totals, high, axis=0)
