"""What the culture core reports: profiles, comparisons and common ground.

These pydantic models are the public, versioned output contract: the CLI prints them,
``--format json`` serialises them, and their JSON Schemas live in ``schemas/``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from crossdeal.culture.distance import (
    Distance,
    dimension_gaps,
    euclidean_distance,
    kogut_singh_index,
)
from crossdeal.culture.model import Culture, CultureKind, CultureModel, Level

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
    code: str
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


class CultureProfile(_Out):
    schema_version: Literal["crossdeal.profile/1"] = "crossdeal.profile/1"
    culture: CultureRef
    source_name: str
    iso2: str | None
    iso3: str | None
    model: ModelRef
    scores: list[DimensionScore]
    missing: list[str] = Field(description="dimension keys with no score")
    related: list[CultureRef] = Field(description="rows you may want instead or as well")
    caveat: str = CAVEAT


class CultureSummary(_Out):
    code: str
    name: str
    kind: CultureKind
    iso2: str | None
    iso3: str | None
    available: list[str]
    missing: list[str]


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


class DistanceReport(_Out):
    method: Literal["kogut-singh", "euclidean"]
    value: float | None = Field(description="null when no dimension could be used")
    dimensions_used: list[str]
    dimensions_missing: list[str]


class CommonGround(_Out):
    key: str
    name: str
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
    return CultureRef(code=culture.code, name=culture.name, kind=culture.kind)


def culture_profile(culture: Culture, model: CultureModel) -> CultureProfile:
    scores = []
    for d in model.dimensions:
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
            )
        )
    related = [culture_ref(r) for code in culture.related if (r := model.get(code))]
    return CultureProfile(
        culture=culture_ref(culture),
        source_name=culture.source_name,
        iso2=culture.iso2,
        iso3=culture.iso3,
        model=model_ref(model),
        scores=scores,
        missing=list(culture.missing),
        related=related,
    )


def culture_list(model: CultureModel, kind: CultureKind | None = None) -> CultureList:
    return CultureList(
        model=model_ref(model),
        dimensions=list(model.keys),
        cultures=[
            CultureSummary(
                code=c.code,
                name=c.name,
                kind=c.kind,
                iso2=c.iso2,
                iso3=c.iso3,
                available=list(c.available),
                missing=list(c.missing),
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


def common_ground(seller: Culture, buyer: Culture, model: CultureModel) -> list[CommonGround]:
    """Dimensions where both sides sit within ``model.common_ground_within`` points."""
    out = []
    for d in model.dimensions:
        s, b = seller.scores.get(d.key), buyer.scores.get(d.key)
        if s is None or b is None or abs(b - s) > model.common_ground_within:
            continue
        level = d.level((s + b) / 2)
        angle = d.common_ground.get(level) or (
            f"You sit close together on {d.name.lower()}: no adjustment is needed here, "
            "and it is shared ground you can name."
        )
        out.append(
            CommonGround(
                key=d.key, name=d.name, seller=s, buyer=b, gap=b - s, level=level, angle=angle
            )
        )
    return out


def data_gaps(culture: Culture, model: CultureModel) -> list[str]:
    """Plain-language notes on the scores a culture lacks, and rows that may stand in."""
    if not culture.missing:
        return []
    names = ", ".join(model.dimension(k).name.lower() for k in culture.missing)
    note = f"{culture.label} has no score on {names}; advice that needs them is left out."
    related = [r for code in culture.related if (r := model.get(code))]
    fuller = [r.label for r in related if len(r.available) > len(culture.available)]
    if fuller:
        note += " With more data: " + "; ".join(fuller) + "."
    return [note]


def variance_basis(model: CultureModel) -> str:
    kinds = " and ".join(model.variance_kinds)
    counts = ", ".join(f"{k} n={n}" for k, n in model.variance_counts.items())
    return (
        f"sample variance (n-1) over rows of kind {kinds} with a score on the dimension ({counts})"
    )


def compare_cultures(seller: Culture, buyer: Culture, model: CultureModel) -> Comparison:
    keys = model.keys
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
