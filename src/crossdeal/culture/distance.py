"""Distances between two score profiles, seller first.

Every distance says which dimensions it used and which it could not use; a dimension
that either side has no score on is left out and reported, never counted as a zero gap.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from crossdeal.culture.model import CultureModel

__all__ = [
    "DimensionGap",
    "Distance",
    "dimension_gaps",
    "euclidean_distance",
    "kogut_singh_index",
    "kogut_singh_percentile",
]

Scores = Mapping[str, float | None]


@dataclass(frozen=True, slots=True)
class DimensionGap:
    """Scores of both sides on one dimension; ``gap`` is buyer minus seller."""

    key: str
    seller: float | None
    buyer: float | None

    @property
    def gap(self) -> float | None:
        if self.seller is None or self.buyer is None:
            return None
        return self.buyer - self.seller


@dataclass(frozen=True, slots=True)
class Distance:
    """A distance, with the dimensions it rests on. ``value`` is None when none were usable."""

    method: Literal["kogut-singh", "euclidean"]
    value: float | None
    used: tuple[str, ...]
    missing: tuple[str, ...]


def dimension_gaps(seller: Scores, buyer: Scores, keys: Iterable[str]) -> tuple[DimensionGap, ...]:
    """Signed per-dimension gaps in the seller -> buyer direction."""
    return tuple(DimensionGap(k, seller.get(k), buyer.get(k)) for k in keys)


def kogut_singh_index(
    a: Scores,
    b: Scores,
    variances: Mapping[str, float],
    keys: Iterable[str] | None = None,
) -> Distance:
    """Kogut & Singh (1988): mean over dimensions of (gap squared / variance).

    ``variances`` holds each dimension's sample variance (n - 1) across the reference
    countries. A dimension counts only if both sides have a score and its variance is
    known; the mean is over the dimensions that count. No square root is taken.
    """
    used: list[str] = []
    missing: list[str] = []
    total = 0.0
    for key in keys if keys is not None else variances:
        x, y, v = a.get(key), b.get(key), variances.get(key)
        if x is None or y is None or not v:
            missing.append(key)
            continue
        used.append(key)
        total += (x - y) ** 2 / v
    value = total / len(used) if used else None
    return Distance("kogut-singh", value, tuple(used), tuple(missing))


def euclidean_distance(a: Scores, b: Scores, keys: Iterable[str]) -> Distance:
    """Plain Euclidean distance in score points over the dimensions both sides have."""
    used: list[str] = []
    missing: list[str] = []
    total = 0.0
    for key in keys:
        x, y = a.get(key), b.get(key)
        if x is None or y is None:
            missing.append(key)
            continue
        used.append(key)
        total += (x - y) ** 2
    value = math.sqrt(total) if used else None
    return Distance("euclidean", value, tuple(used), tuple(missing))


def kogut_singh_percentile(value: float, model: CultureModel) -> float | None:
    """The share of pairs of countries (own scores on every distance dimension) that are
    farther apart than ``value``: 0.7 means "closer than 70 % of pairs"."""
    import bisect

    reference = _reference_distances(model)
    if not reference:
        return None
    return 1.0 - bisect.bisect_right(reference, value) / len(reference)


_reference_cache: dict[int, tuple[object, list[float]]] = {}


def _reference_distances(model: CultureModel) -> list[float]:
    hit = _reference_cache.get(id(model))
    if hit is not None and hit[0] is model:
        return hit[1]
    keys = model.distance_keys
    full = [
        c
        for c in model.cultures
        if c.kind in model.variance_kinds
        and all(c.scores.get(k) is not None and k not in c.borrowed for k in keys)
    ]
    values = []
    for i, a in enumerate(full):
        for b in full[i + 1 :]:
            d = kogut_singh_index(a.scores, b.scores, model.variances, keys).value
            if d is not None:
                values.append(d)
    values.sort()
    _reference_cache[id(model)] = (model, values)
    return values
