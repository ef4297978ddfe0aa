"""The features of a deal that the forecast reads, from its cultures and its record."""

from __future__ import annotations

import math

from crossdeal.culture.distance import kogut_singh_index
from crossdeal.culture.model import Culture, CultureModel
from crossdeal.culture.practice import LEVEL_POINTS

__all__ = ["culture_features", "deal_features"]


def culture_features(
    seller: Culture | None, buyer: Culture | None, model: CultureModel
) -> dict[str, float]:
    """What the pair of cultures brings (the same for every deal of the pair): their
    distance and the gaps in how trust is built and decisions are made; an unknown
    culture counts as no distance."""
    distance = None
    gaps: dict[str, float] = {}
    if seller is not None and buyer is not None:
        distance = kogut_singh_index(
            seller.scores, buyer.scores, model.variances, model.distance_keys
        ).value
        for key in ("trusting", "deciding"):
            s, b = seller.scores.get(key), buyer.scores.get(key)
            if s is not None and b is not None:
                gaps[key] = abs(b - s) / LEVEL_POINTS
    return {
        "distance": distance or 0.0,
        "trusting_gap": gaps.get("trusting", 0.0),
        "deciding_gap": gaps.get("deciding", 0.0),
    }


def deal_features(
    seller: Culture | None,
    buyer: Culture | None,
    model: CultureModel,
    committee: int,
    face_time: int,
    deciders_met: int,
    amount: float | None,
    cultural: dict[str, float] | None = None,
) -> dict[str, float]:
    """Culture and engagement features (``cultural``: the pair's, already worked out)."""
    return {
        **(cultural if cultural is not None else culture_features(seller, buyer, model)),
        "committee": float(committee),
        "face_time": 1.0 if face_time > 0 else 0.0,
        "deciders_met": 1.0 if deciders_met > 0 else 0.0,
        "log_amount": math.log10(amount) if amount and amount > 0 else 0.0,
    }
