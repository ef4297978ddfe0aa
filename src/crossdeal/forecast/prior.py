"""The documented prior for sales-cycle length across cultures.

Until a team's own won deals say otherwise, a deal is expected to take
``1 + per_kogut_singh_unit * KS`` times as long as a same-culture deal, capped at
``cap``, where KS is the Kogut-Singh index between seller and buyer. The slope is a
stated assumption, not a fitted value: it makes the most distant pairs in the shipped
data take about half as long again as a domestic deal, which is the order of delay
practitioners report for relationship-first markets. docs/cycle-prior.md explains it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from crossdeal._kept import kept
from crossdeal._validation import validate_yaml
from crossdeal._yaml import load_yaml
from crossdeal.errors import DataFileError, InputError

__all__ = ["CyclePrior", "default_cycle_prior"]


@dataclass(frozen=True, slots=True)
class CyclePrior:
    """Cycle-length multiplier from cultural distance (a prior, not a fitted model)."""

    per_kogut_singh_unit: float = 0.12
    cap: float = 1.75

    def __post_init__(self) -> None:
        if not (math.isfinite(self.per_kogut_singh_unit) and math.isfinite(self.cap)):
            raise InputError("the cycle prior's slope and cap must be finite numbers")
        if self.per_kogut_singh_unit < 0:
            raise InputError("the cycle prior's slope cannot be negative")
        if self.cap < 1:
            raise InputError("the cycle prior's cap must be at least 1 (a same-culture deal)")

    def factor(self, kogut_singh: float | None) -> float | None:
        """Expected cycle length relative to a same-culture deal; None without a distance."""
        if kogut_singh is None:
            return None
        return min(self.cap, 1.0 + self.per_kogut_singh_unit * kogut_singh)


class _PriorSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)
    per_kogut_singh_unit: float = Field(ge=0)
    cap: float = Field(ge=1)


@kept("crossdeal.forecast:data/cycle_prior.yaml")
def default_cycle_prior() -> CyclePrior:
    """The shipped prior (forecast/data/cycle_prior.yaml)."""
    path = Path(str(resources.files("crossdeal.forecast").joinpath("data", "cycle_prior.yaml")))
    spec = validate_yaml(_PriorSpec, load_yaml(path), path, DataFileError)
    return CyclePrior(spec.per_kogut_singh_unit, spec.cap)
