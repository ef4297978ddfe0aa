"""What the message coach reports (versioned JSON: crossdeal.lint/1, crossdeal.reply/1)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from crossdeal.culture.reports import CAVEAT, CultureRef, ModelRef
from crossdeal.playbook.briefing import Evidence
from crossdeal.playbook.rules import Severity

__all__ = [
    "Commitments",
    "LintReport",
    "MessageFinding",
    "PolitenessReading",
    "ReplyReport",
    "Span",
    "Suggestion",
]


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class Span(_Out):
    """A stretch of the text a finding points at (0-based character offsets)."""

    start: int
    end: int
    line: int = Field(description="1-based line number")
    text: str
    feature: str = Field(description="the feature that matched here")
    source: Literal["message", "asked"] = Field(
        default="message", description="'asked': the earlier message you sent (replies only)"
    )


class Suggestion(_Out):
    original: str | None = Field(description="the text to replace, or null for an addition")
    rewrite: str


class MessageFinding(_Out):
    id: str
    theme: str
    severity: Severity
    title: str
    why: str = Field(description="why this lands badly for this reader")
    spans: list[Span]
    suggestions: list[Suggestion]
    follow_up: list[str] = Field(description="questions to send back (replies)")
    evidence: list[Evidence] = Field(description="the culture scores the rule read")
    condition: str
    reader_condition: str
    rule_file: str


class PolitenessReading(_Out):
    score: float = Field(description="probability the text reads as polite, 0..1")
    drivers: list[tuple[str, float]] = Field(
        description="inputs that moved the score most: s:<strategy> or w:<word>, with weight"
    )
    model: str


class NotDecided(_Out):
    rule_id: str
    missing: list[str]


class LintReport(_Out):
    schema_version: Literal["crossdeal.lint/1"] = "crossdeal.lint/1"
    reader: CultureRef
    reader_rank: Literal["junior", "manager", "executive"] | None = Field(
        default=None, description="the reader's seniority, when the writer gave it"
    )
    writer: CultureRef | None
    model: ModelRef
    words: int
    sentences: int
    findings: list[MessageFinding] = Field(description="ordered by severity, then position")
    politeness: PolitenessReading
    features: dict[str, int] = Field(description="how often each feature matched")
    not_decided: list[NotDecided]
    truncated: bool = Field(description="true when only the first part of a long text was read")
    on: dt.date | None = Field(
        default=None,
        description="the day the draft was read from: dates in it are checked from here",
    )
    reader_name: str | None = Field(default=None, description="the reader's name, when given")
    caveat: str = CAVEAT


class Commitments(_Out):
    """The specifics a reply commits to: what makes a yes a real yes."""

    dates_and_numbers: list[str]
    hoped_for: list[str] = Field(
        default_factory=list,
        description="dates and numbers said with a faith hedge (inshallah): intentions",
    )
    conditions: list[str]
    trade_offs: list[str]
    owners: list[str]
    questions: list[str]


class ReplyReport(_Out):
    schema_version: Literal["crossdeal.reply/1"] = "crossdeal.reply/1"
    sender: CultureRef
    seller: CultureRef | None
    model: ModelRef
    verdict: Literal["qualified-yes", "unqualified-yes", "soft-no", "mixed", "no-agreement"] = (
        Field(description="qualified-yes: agreement with specifics; mixed: agreement and a soft no")
    )
    findings: list[MessageFinding]
    commitments: Commitments
    not_decided: list[NotDecided]
    truncated: bool
    caveat: str = CAVEAT
