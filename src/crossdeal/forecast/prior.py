"""The documented prior for sales-cycle length across cultures.

Until a team's own won deals say otherwise, a deal is expected to take
``1 + per_kogut_singh_unit * KS`` times as long as a same-culture deal, plus what makes
the buyer's side slower than the seller's own: ``per_trust_level`` for each level the
buyer builds trust more through the relationship, ``per_decision_level`` for each level
it decides more by consensus, and ``no_common_language`` where the two sides share no
business language; capped at ``cap``. KS is the Kogut-Singh index between seller and
buyer, and symmetric; the practice terms keep the direction (an American seller waits
for a Japanese committee, a Japanese seller does not wait for an American buyer). Every
value is a stated assumption, not a fitted one. docs/cycle-prior.md explains them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from crossdeal._kept import kept
from crossdeal._validation import validate_yaml
from crossdeal._yaml import load_yaml
from crossdeal.errors import DataFileError, InputError

__all__ = ["CyclePart", "CyclePrior", "default_cycle_prior"]


@dataclass(frozen=True, slots=True)
class CyclePart:
    """One reason a deal is expected to take longer, and how much it adds to the factor."""

    reason: str
    added: float


@dataclass(frozen=True, slots=True)
class CyclePrior:
    """Cycle-length multiplier from cultural distance and the buyer's ways of trusting
    and deciding (a prior, not a fitted model)."""

    per_kogut_singh_unit: float = 0.12
    cap: float = 1.75
    per_trust_level: float = 0.05
    per_decision_level: float = 0.04
    no_common_language: float = 0.05

    def __post_init__(self) -> None:
        values = (
            self.per_kogut_singh_unit,
            self.cap,
            self.per_trust_level,
            self.per_decision_level,
            self.no_common_language,
        )
        if not all(math.isfinite(v) for v in values):
            raise InputError("the cycle prior's values must be finite numbers")
        if min(values) < 0:
            raise InputError("the cycle prior's slope and added terms cannot be negative")
        if self.cap < 1:
            raise InputError("the cycle prior's cap must be at least 1 (a same-culture deal)")

    def factor(self, kogut_singh: float | None) -> float | None:
        """The distance part alone: 1 + slope x KS, capped; None without a distance."""
        if kogut_singh is None:
            return None
        return min(self.cap, 1.0 + self.per_kogut_singh_unit * kogut_singh)

    def directed(
        self,
        kogut_singh: float | None,
        seller: Mapping[str, float | None],
        buyer: Mapping[str, float | None],
        common_language: bool | None = None,
    ) -> tuple[float, tuple[CyclePart, ...]] | None:
        """The factor for a seller -> buyer pair and the parts it is made of; None
        without a distance. ``seller`` and ``buyer`` are the two sides' scores (practice
        positions on the 0-100 footing: ``trusting``, ``deciding``); a position not known
        on either side adds nothing, nor does ``common_language`` None (not known)."""
        if kogut_singh is None:
            return None
        parts = [
            CyclePart(
                f"cultural distance (Kogut-Singh {kogut_singh:.2f})",
                self.per_kogut_singh_unit * kogut_singh,
            )
        ]
        trust = _levels(buyer.get("trusting"), seller.get("trusting"))
        if trust > 0 and self.per_trust_level:
            parts.append(
                CyclePart(
                    f"the buyer's side builds trust through the relationship {_n(trust)} "
                    "more than yours",
                    self.per_trust_level * trust,
                )
            )
        # deciding runs from consensus (level 1) to top-down (level 5)
        consensus = _levels(seller.get("deciding"), buyer.get("deciding"))
        if consensus > 0 and self.per_decision_level:
            parts.append(
                CyclePart(
                    f"the buyer's side decides by consensus {_n(consensus)} more than yours",
                    self.per_decision_level * consensus,
                )
            )
        if common_language is False and self.no_common_language:
            parts.append(
                CyclePart("no first language of business in common", self.no_common_language)
            )
        total = min(self.cap, 1.0 + sum(p.added for p in parts))
        return total, tuple(CyclePart(p.reason, round(p.added, 3)) for p in parts)


def _levels(higher: float | None, lower: float | None) -> int:
    """How many practice levels ``higher`` sits above ``lower`` (0 if not, or unknown)."""
    from crossdeal.culture.practice import LEVEL_POINTS

    if higher is None or lower is None:
        return 0
    return max(round((higher - lower) / LEVEL_POINTS), 0)


def _n(levels: int) -> str:
    return "one level" if levels == 1 else f"{levels} levels"


class _PriorSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)
    per_kogut_singh_unit: float = Field(ge=0)
    cap: float = Field(ge=1)
    per_trust_level: float = Field(ge=0)
    per_decision_level: float = Field(ge=0)
    no_common_language: float = Field(ge=0)


@kept("crossdeal.forecast:data/cycle_prior.yaml")
def default_cycle_prior() -> CyclePrior:
    """The shipped prior (forecast/data/cycle_prior.yaml)."""
    path = Path(str(resources.files("crossdeal.forecast").joinpath("data", "cycle_prior.yaml")))
    spec = validate_yaml(_PriorSpec, load_yaml(path), path, DataFileError)
    return CyclePrior(
        spec.per_kogut_singh_unit,
        spec.cap,
        spec.per_trust_level,
        spec.per_decision_level,
        spec.no_common_language,
    )
