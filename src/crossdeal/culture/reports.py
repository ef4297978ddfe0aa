"""What the culture core reports: profiles, comparisons and common ground.

These pydantic models are the public, versioned output contract: the CLI prints them,
``--format json`` serialises them, and their JSON Schemas live in ``schemas/``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from crossdeal.culture.distance import (
    Distance,
    dimension_gaps,
    euclidean_distance,
    kogut_singh_index,
)
from crossdeal.culture.model import Culture, CultureKind, CultureModel, Dimension, Level
from crossdeal.culture.practice import LEVEL_POINTS, level_of

__all__ = [
    "CAVEAT",
    "CommonGround",
    "Comparison",
    "CultureList",
    "CultureProfile",
    "CultureRef",
    "CultureSummary",
    "DimensionGapReport",
    "DimensionScore",
    "DistanceReport",
    "ModelRef",
    "common_ground",
    "compare_cultures",
    "culture_list",
    "culture_profile",
    "data_gaps",
]

CAVEAT = (
    "Country scores describe the average of a population, not the person you will meet. "
    "Treat every point here as a question to check, and let what you observe about the "
    "individual and their company override it."
)


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class ModelRef(_Out):
    """Which culture model (data set) a result was computed from."""

    name: str
    source: str = ""
    citation: str = ""
    path: str | None = Field(default=None, description="file of a user-supplied model")


class CultureRef(_Out):
    code: str = Field(description="the data set's own code (Hofstede's GER for Germany)")
    shown_code: str = Field(
        description="the code shown to people: ISO 3166 alpha-3 for a country (DEU), the "
        "data set's own code for a region or a part of a country"
    )
    name: str
    kind: CultureKind


class DimensionScore(_Out):
    key: str
    name: str
    score: float | None = Field(description="null when the data set has no score")
    level: Level | None
    low_pole: str
    high_pole: str
    meaning: str
    taken_from: str | None = Field(
        default=None, description="the row the score was borrowed from, if not the culture's own"
    )


class PracticePositionReport(_Out):
    """One culture on one of crossdeal's practice scales, with its sources."""

    key: str
    name: str
    low_pole: str
    high_pole: str
    level: int | None = Field(description="1-5; null when holistic or not coded")
    holistic: bool = False
    meaning: str = Field(description="what this level means, from the scale's definition")
    confidence: Literal["high", "medium", "low"]
    sources: list[str] = Field(description="bibliography keys, with chapter where certain")
    note: str = ""
    taken_from: str | None = Field(description="the row the position was borrowed from, if any")


class CultureProfile(_Out):
    schema_version: Literal["crossdeal.profile/1"] = "crossdeal.profile/1"
    culture: CultureRef
    source_name: str
    iso2: str | None
    iso3: str | None
    model: ModelRef
    scores: list[DimensionScore]
    practices: list[PracticePositionReport] = Field(
        default_factory=list, description="crossdeal's practice coding (docs/practices.md)"
    )
    about: str = Field(default="", description="what the practice coding says a seller should know")
    missing: list[str] = Field(description="dimension keys with no score")
    related: list[CultureRef] = Field(description="rows you may want instead or as well")
    caveat: str = CAVEAT


class CultureSummary(_Out):
    code: str
    shown_code: str = Field(
        description="the code shown to people: ISO 3166 alpha-3 for a country, the data "
        "set's own code for a region or a part of a country"
    )
    name: str
    kind: CultureKind
    iso2: str | None
    iso3: str | None
    available: list[str] = Field(description="value dimensions with a score of its own")
    missing: list[str]
    borrowed: dict[str, str] = Field(
        default_factory=dict, description="dimension -> the row its score is taken from"
    )
    practice: bool = Field(default=False, description="whether crossdeal has practice coding")


class CultureList(_Out):
    schema_version: Literal["crossdeal.cultures/1"] = "crossdeal.cultures/1"
    model: ModelRef
    dimensions: list[str]
    cultures: list[CultureSummary]


class DimensionGapReport(_Out):
    key: str
    name: str
    seller: float | None
    buyer: float | None
    gap: float | None = Field(description="buyer minus seller; null if either is missing")
    seller_level: Level | None
    buyer_level: Level | None
    seller_from: str | None = Field(
        default=None, description="the row the seller's score was borrowed from, if any"
    )
    buyer_from: str | None = Field(
        default=None, description="the row the buyer's score was borrowed from, if any"
    )


class DistanceReport(_Out):
    method: Literal["kogut-singh", "euclidean"]
    value: float | None = Field(description="null when no dimension could be used")
    dimensions_used: list[str]
    dimensions_missing: list[str]


class CommonGround(_Out):
    key: str
    name: str
    layer: Literal["values", "practice"] = "values"
    seller: float
    buyer: float
    gap: float
    level: Level
    angle: str = Field(description="how to use the shared ground in conversation")


class Comparison(_Out):
    schema_version: Literal["crossdeal.comparison/1"] = "crossdeal.comparison/1"
    seller: CultureRef
    buyer: CultureRef
    model: ModelRef
    gaps: list[DimensionGapReport]
    kogut_singh: DistanceReport
    euclidean: DistanceReport
    variance_basis: str = Field(description="which rows form the Kogut-Singh variances")
    common_ground: list[CommonGround]
    caveat: str = CAVEAT


# --- builders ----------------------------------------------------------------------


def model_ref(model: CultureModel) -> ModelRef:
    return ModelRef(name=model.name, source=model.source, citation=model.citation, path=model.path)


def culture_ref(culture: Culture) -> CultureRef:
    return CultureRef(
        code=culture.code, shown_code=culture.shown_code, name=culture.name, kind=culture.kind
    )


def culture_profile(culture: Culture, model: CultureModel) -> CultureProfile:
    scores = []
    for d in model.dimensions:
        if d.layer != "values":
            continue
        value = culture.scores.get(d.key)
        scores.append(
            DimensionScore(
                key=d.key,
                name=d.name,
                score=value,
                level=d.level(value) if value is not None else None,
                low_pole=d.low_pole,
                high_pole=d.high_pole,
                meaning=d.meaning,
                taken_from=culture.borrowed.get(d.key),
            )
        )
    related = [culture_ref(r) for code in culture.related if (r := model.get(code))]
    from crossdeal.culture.layers import practice_profile

    entry, _ = practice_profile(culture, model)
    return CultureProfile(
        practices=_practice_positions(culture, model),
        about=entry.about if entry is not None else "",
        culture=culture_ref(culture),
        source_name=culture.source_name,
        iso2=culture.iso2,
        iso3=culture.iso3,
        model=model_ref(model),
        scores=scores,
        missing=[k for k in culture.missing if k in model.distance_keys],
        related=related,
    )


def _practice_positions(culture: Culture, model: CultureModel) -> list[PracticePositionReport]:
    from crossdeal.culture.layers import practice_profile

    profile, donor = practice_profile(culture, model)
    atlas = model.practices
    if profile is None or atlas is None:
        return []
    out = []
    for scale in atlas.scales:
        position = profile.positions.get(scale.key)
        if position is None:
            continue
        out.append(
            PracticePositionReport(
                key=scale.key,
                name=scale.name,
                low_pole=scale.low_pole,
                high_pole=scale.high_pole,
                level=position.level,
                holistic=position.holistic,
                meaning=(
                    "Reasons from the whole system and its relationships (off this line)."
                    if position.holistic
                    else scale.levels[position.level or 3]
                ),
                confidence=position.confidence,
                sources=list(position.sources),
                note=position.note,
                taken_from=donor,
            )
        )
    return out


def culture_list(model: CultureModel, kind: CultureKind | None = None) -> CultureList:
    keys = model.distance_keys
    return CultureList(
        model=model_ref(model),
        dimensions=list(keys),
        cultures=[
            CultureSummary(
                code=c.code,
                shown_code=c.shown_code,
                name=c.name,
                kind=c.kind,
                iso2=c.iso2,
                iso3=c.iso3,
                available=[k for k in c.available if k in keys and k not in c.borrowed],
                missing=[k for k in c.missing if k in keys],
                borrowed={k: v for k, v in c.borrowed.items() if k in keys},
                practice=any(
                    c.scores.get(d.key) is not None
                    for d in model.dimensions
                    if d.layer == "practice"
                ),
            )
            for c in sorted(model.cultures, key=lambda c: c.name)
            if kind is None or c.kind == kind
        ],
    )


def distance_report(distance: Distance) -> DistanceReport:
    return DistanceReport(
        method=distance.method,
        value=distance.value,
        dimensions_used=list(distance.used),
        dimensions_missing=list(distance.missing),
    )


# Two practice positions this far apart (two levels) contradict a closeness in values.
CONTRADICTION_POINTS = 50.0


def common_ground(seller: Culture, buyer: Culture, model: CultureModel) -> list[CommonGround]:
    """What both sides share, claimed only on what both have data of their own for.

    A value dimension counts (unless its data says closeness on it is no common ground)
    where both scores are within ``model.common_ground_within``
    points and the practice scales it lists under ``contradicted_by`` do not put the
    two sides two or more levels apart; a practice scale counts where both sides sit on
    the same level, or on neighbouring levels on the same side of the scale, with at
    least medium confidence. A borrowed score (a region's, or a
    country's for its sub-national sample) is never common ground.
    """
    out = []
    for d in model.dimensions:
        if not d.common_ground_shown:
            continue
        s, b = seller.scores.get(d.key), buyer.scores.get(d.key)
        if s is None or b is None or d.key in seller.borrowed or d.key in buyer.borrowed:
            continue
        if d.layer == "practice":
            # the same level, or neighbouring levels on the same side of the scale (Japan
            # and Britain both keep to the clock, at levels 1 and 2)
            same_side = d.level(s) == d.level(b) and abs(b - s) <= LEVEL_POINTS
            if not same_side or d.key not in _confident(seller, model) & _confident(buyer, model):
                continue
        elif abs(b - s) > model.common_ground_within or _contradicted(d, seller, buyer):
            continue
        level = d.level((s + b) / 2)
        if not _angle_holds(d.common_ground_needs.get(level, {}), seller, buyer):
            continue
        angle = d.common_ground.get(level)
        if angle is None and d.layer == "practice":
            continue  # a practice scale without a conversational angle is not reported
        angle = angle or (
            f"You sit close together on {d.name.lower()}: no adjustment is needed here, "
            "and it is shared ground you can name."
        )
        out.append(
            CommonGround(
                key=d.key,
                name=d.name,
                layer=d.layer,
                seller=s,
                buyer=b,
                gap=b - s,
                level=level,
                angle=angle,
            )
        )
    return out


def _contradicted(dim: Dimension, seller: Culture, buyer: Culture) -> bool:
    for key in dim.contradicted_by:
        s, b = seller.scores.get(key), buyer.scores.get(key)
        if s is not None and b is not None and abs(b - s) >= CONTRADICTION_POINTS:
            return True
    return False


def _angle_holds(needs: Mapping[str, tuple[int, int]], seller: Culture, buyer: Culture) -> bool:
    """Whether both sides sit within the practice levels an angle presumes (where known)."""
    for key, (lowest, highest) in needs.items():
        for culture in (seller, buyer):
            points = culture.scores.get(key)
            if points is not None and not lowest <= level_of(points) <= highest:
                return False
    return True


def _confident(culture: Culture, model: CultureModel) -> set[str]:
    """Practice scales on which the culture's own position has at least medium confidence."""
    atlas = model.practices
    if atlas is None:
        return set()
    limit = atlas.uncertainty_points("medium")
    return {k for k, u in culture.uncertainty.items() if u <= limit + 1e-9}


def data_gaps(culture: Culture, model: CultureModel) -> list[str]:
    """Plain-language notes on the scores a culture lacks, and rows that may stand in.

    A score taken from another row is not a gap (the briefing's fallbacks say where it
    came from); a practice scale with no coding at all is.
    """
    notes = []
    missing = [k for k in culture.missing if model.dimension(k).layer == "values"]
    if missing:
        names = ", ".join(model.dimension(k).name.lower() for k in missing)
        note = f"{culture.label} has no score on {names}; advice that needs them is left out."
        related = [r for code in culture.related if (r := model.get(code))]
        fuller = [r.label for r in related if len(r.available) > len(culture.available)]
        if fuller:
            note += " With more data: " + "; ".join(fuller) + "."
        notes.append(note)
    practice = [d.key for d in model.dimensions if d.layer == "practice" and d.key != "holistic"]
    if model.practices is not None and all(culture.scores.get(k) is None for k in practice):
        notes.append(
            f"crossdeal has no practice coding for {culture.label} (how people disagree, give "
            "feedback, decide, keep time, persuade and build trust): advice on those is not "
            "given. Ask instead, or add your own entry with --practices (docs/practices.md)."
        )
    return notes


def variance_basis(model: CultureModel) -> str:
    kinds = " and ".join(model.variance_kinds)
    counts = ", ".join(f"{k} n={n}" for k, n in model.variance_counts.items())
    return (
        f"sample variance (n-1) over rows of kind {kinds} with a score on the dimension ({counts})"
    )


def compare_cultures(seller: Culture, buyer: Culture, model: CultureModel) -> Comparison:
    keys = model.distance_keys
    gaps = []
    for g in dimension_gaps(seller.scores, buyer.scores, keys):
        d = model.dimension(g.key)
        gaps.append(
            DimensionGapReport(
                key=g.key,
                name=d.name,
                seller=g.seller,
                buyer=g.buyer,
                gap=g.gap,
                seller_level=d.level(g.seller) if g.seller is not None else None,
                buyer_level=d.level(g.buyer) if g.buyer is not None else None,
                seller_from=seller.borrowed.get(g.key),
                buyer_from=buyer.borrowed.get(g.key),
            )
        )
    return Comparison(
        seller=culture_ref(seller),
        buyer=culture_ref(buyer),
        model=model_ref(model),
        gaps=gaps,
        kogut_singh=distance_report(
            kogut_singh_index(seller.scores, buyer.scores, model.variances, keys)
        ),
        euclidean=distance_report(euclidean_distance(seller.scores, buyer.scores, keys)),
        variance_basis=variance_basis(model),
        common_ground=common_ground(seller, buyer, model),
    )
