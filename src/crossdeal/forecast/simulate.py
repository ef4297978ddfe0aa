"""Intervals by simulation: every open deal won in one period, or not at all.

Each deal's chances of being won in each period (the differences of its cumulative win
probability at the periods' ends) make one categorical draw per simulation; the won
amounts, summed per period over the deals, give each period's distribution. Seeded: the
same deals and seed give the same interval.
"""

from __future__ import annotations

from typing import Any

__all__ = ["period_intervals"]

_DEALS_AT_ONCE = 4000  # draws x deals x periods booleans stay within a few hundred MB


def period_intervals(
    p_by_period: Any,
    amounts: Any,
    draws: int = 2000,
    seed: int = 0,
    low: float = 10.0,
    high: float = 90.0,
) -> tuple[Any, Any]:
    """The ``low`` and ``high`` percentiles of the amount won in each period.

    ``p_by_period``: deals x periods, each row the deal's chance of a win in each period
    (summing to at most 1; the rest is no win in any of them)."""
    import numpy as np

    chances = np.asarray(p_by_period, dtype=float)
    values = np.asarray(amounts, dtype=float)
    periods = chances.shape[1] if chances.ndim == 2 else 0
    totals = np.zeros((draws, periods))
    if len(values) and periods:
        rng = np.random.default_rng(seed)
        for start in range(0, len(values), _DEALS_AT_ONCE):
            cumulative = np.cumsum(chances[start : start + _DEALS_AT_ONCE], axis=1)
            amount = values[start : start + _DEALS_AT_ONCE]
            u = rng.random((draws, len(amount)), dtype=np.float32)
            below = np.zeros(len(amount), dtype=np.float32)
            # a draw lands in the period whose slice of the deal's chances holds it
            for period in range(periods):
                above = cumulative[:, period].astype(np.float32)
                landed = (u >= below) & (u < above)
                totals[:, period] += landed.astype(np.float32) @ amount.astype(np.float32)
                below = above
    return np.percentile(totals, low, axis=0), np.percentile(totals, high, axis=0)
