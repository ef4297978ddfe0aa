"""The pre-call briefing: what the playbook says about one seller -> buyer pair.

The models here are the versioned JSON contract of ``crossdeal brief --format json``
(schema id ``crossdeal.briefing/1``; JSON Schema in ``schemas/briefing.schema.json``).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from crossdeal.calendar.reports import PracticalBriefing
from crossdeal.culture.model import Level
from crossdeal.culture.reports import CAVEAT, CommonGround, CultureRef, DistanceReport, ModelRef
from crossdeal.playbook.rules import ChannelMode, Severity

__all__ = [
    "BRIEFING_SCHEMA",
    "AdviceChange",
    "Briefing",
    "ChannelAdvice",
    "CycleContribution",
    "CycleEstimate",
    "DimensionView",
    "Evidence",
    "NotEvaluated",
    "PersonReport",
    "PlaybookRef",
    "PracticeView",
    "Risk",
    "Unmeasured",
]

BRIEFING_SCHEMA: Literal["crossdeal.briefing/1"] = "crossdeal.briefing/1"


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class Evidence(_Out):
    """The scores a rule read, for one dimension or practice scale."""

    dimension: str
    name: str
    layer: Literal["values", "practice"] = Field(
        default="values",
        description="values: a score of the culture model; practice: crossdeal's practice coding",
    )
    seller: float | None
    buyer: float | None
    gap: float | None = Field(description="buyer minus seller")
    seller_level: Level | None
    buyer_level: Level | None
    seller_practice_level: float | None = Field(
        default=None, description="a practice position as its level, 1-5"
    )
    buyer_practice_level: float | None = Field(
        default=None, description="a practice position as its level, 1-5"
    )
    notes: list[str] = Field(
        default_factory=list,
        description=(
            "where a value came from: its sources and confidence, or the row it was taken from"
        ),
    )


class Risk(_Out):
    """One rule that fired for this pair."""

    rule_id: str
    theme: str
    severity: Severity = Field(description="graded: one step lower when the rule barely holds")
    rank: int = Field(description="1 = what matters most for this call")
    strength: float = Field(description="0-1: how clearly the rule holds (margin, capped at 3)")
    margin: float | None = Field(
        description="how far the evidence is past the rule's threshold, in units of its uncertainty"
    )
    ladder_severity: Severity = Field(description="the severity the rule's ladder gives")
    borderline: str | None = Field(description="what is within the data's uncertainty, if anything")
    title: str
    advice: list[str]
    questions: list[str] = Field(description="questions that surface hidden assumptions")
    rationale: str
    condition: str = Field(description="the rule's condition, as written in its file")
    evidence: list[Evidence]
    sources: list[str]
    rule_file: str


class ChannelAdvice(_Out):
    mode: ChannelMode
    advice: str
    severity: Severity
    rule_id: str


class CycleContribution(_Out):
    """One reason the deal is expected to take longer."""

    reason: str
    added: float = Field(description="added to the factor")


class CycleEstimate(_Out):
    """Expected sales-cycle length relative to a same-culture deal."""

    factor: float | None = Field(description="1.0 = as long as a same-culture deal")
    basis: Literal["culture prior"] = "culture prior"
    kogut_singh: float | None
    per_kogut_singh_unit: float
    cap: float
    parts: list[CycleContribution] = Field(
        default_factory=list,
        description="what the factor adds up from: the distance, and where the buyer's side "
        "is the slower one, its ways of trusting and deciding, and language",
    )
    explanation: str


class NotEvaluated(_Out):
    """A rule that could not be decided because a score is missing."""

    rule_id: str
    theme: str
    missing: list[str] = Field(description="the scores it needed, e.g. buyer.lto")


class DimensionView(_Out):
    """One dimension of a person: the country prior, the estimate and what moved it."""

    key: str
    name: str
    country: float | None
    estimate: float | None
    sd: float = Field(description="uncertainty of the estimate, in score points")
    shift: float | None = Field(description="estimate minus country score")
    evidence: list[str] = Field(description="what moved it: observed: <id>, self-assessment")


class PersonReport(_Out):
    """A side of the briefing that is a person rather than a country average."""

    name: str
    culture: CultureRef
    observations: list[str]
    sources: list[str]
    dimensions: list[DimensionView]
    departures: list[str] = Field(description="where the person departs from the country norm")


class AdviceChange(_Out):
    """How the advice for these people differs from the advice for their countries."""

    rule_id: str
    theme: str
    country_severity: Severity | None
    person_severity: Severity | None
    change: Literal["dropped", "added", "softened", "sharpened"]
    because: list[str] = Field(description="the departures behind the change")


class PracticeView(_Out):
    """Both sides on one practice scale (crossdeal's own coding, with its sources)."""

    key: str
    name: str
    low_pole: str
    high_pole: str
    seller_level: int | None = Field(description="1-5; null: not coded (or holistic)")
    buyer_level: int | None = Field(description="1-5; null: not coded (or holistic)")
    seller_holistic: bool = False
    buyer_holistic: bool = False
    seller_confidence: Literal["high", "medium", "low"] | None
    buyer_confidence: Literal["high", "medium", "low"] | None
    seller_from: str | None = Field(description="the row the seller's position was taken from")
    buyer_from: str | None = Field(description="the row the buyer's position was taken from")
    notes: list[str] = Field(description="the coders' notes on either side's position")
    sources: list[str] = Field(description="bibliography keys behind both positions")

    @property
    def level_gap(self) -> int | None:
        """Buyer's level minus seller's, where both sides are coded on the line."""
        if self.seller_level is None or self.buyer_level is None:
            return None
        return self.buyer_level - self.seller_level


class Unmeasured(_Out):
    """A theme no rule could decide for this pair: what is missing, and what to ask instead."""

    theme: str
    title: str
    missing: list[str] = Field(description="the scores its rules needed, e.g. buyer.deciding")
    questions: list[str]


class PlaybookRef(_Out):
    rules_evaluated: int
    rule_files: list[str] = Field(description="user rule files or folders, in load order")


class Briefing(_Out):
    schema_version: Literal["crossdeal.briefing/1"] = BRIEFING_SCHEMA
    seller: CultureRef
    buyer: CultureRef
    model: ModelRef
    playbook: PlaybookRef
    themes: dict[str, Severity] = Field(description="highest severity per theme that fired")
    risks: list[Risk] = Field(description="ordered by rank: severity, then strength, then theme")
    common_ground: list[CommonGround]
    channel: list[ChannelAdvice]
    cycle: CycleEstimate
    kogut_singh: DistanceReport
    euclidean: DistanceReport
    not_evaluated: list[NotEvaluated]
    data_gaps: list[str] = Field(description="scores either side lacks, and rows that may stand in")
    fallbacks: list[str] = Field(
        default_factory=list, description="scores taken from another row (a region, a country)"
    )
    confidence: Literal["high", "medium", "low"] = Field(
        default="high", description="how much of the briefing rests on the cultures' own data"
    )
    confidence_reason: str = ""
    practices: list[PracticeView] = Field(default_factory=list)
    unmeasured: list[Unmeasured] = Field(
        default_factory=list, description="themes left undecided for lack of data"
    )
    kogut_singh_meaning: str | None = Field(
        default=None, description="the distance in words: how it compares with other pairs"
    )
    seller_person: PersonReport | None = None
    buyer_person: PersonReport | None = None
    adjustments: list[AdviceChange] = Field(
        default_factory=list, description="advice that differs from the country-level briefing"
    )
    practical: PracticalBriefing | None = Field(
        default=None,
        description="the buyer's next weeks (holidays, periods), office hours, fiscal year "
        "and forms of address; null where not asked for or the buyer is a region",
    )
    caveat: str = CAVEAT

    def wide_practice_gaps(self, levels: int = 2) -> list[PracticeView]:
        """Practice scales where the two sides stand ``levels`` or more apart: with no
        card fired, these are why the pair must not be called close."""
        return [p for p in self.practices if p.level_gap is not None and abs(p.level_gap) >= levels]
