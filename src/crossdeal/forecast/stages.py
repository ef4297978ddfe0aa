"""Stage probabilities: how far along a deal's stage is, by the name of the stage.

A CRM's default probability per stage (HubSpot's, forecast/data/stage_defaults.yaml) is
both a baseline of the backtest and, as a number from 0.2 to 0.9, the forecast's reading
of how far a deal has come; a stage matched by no name is unknown.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from crossdeal._validation import validate_yaml
from crossdeal._yaml import load_yaml
from crossdeal.errors import DataFileError

__all__ = ["StageDefaults", "default_stage_defaults"]


class _StageRow(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)
    probability: float = Field(ge=0, le=1)
    hubspot: str
    names: list[str] = Field(min_length=1)


class _StageSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)
    source: str
    stages: list[_StageRow] = Field(min_length=1)


class StageDefaults:
    """A CRM's default probability for each stage, found by the stage's name."""

    def __init__(self, by_name: Mapping[str, tuple[float, str]], source: str) -> None:
        self.by_name = dict(by_name)
        self.source = source

    def lookup(self, stage: str | None) -> tuple[float, str] | None:
        """(probability, the CRM's stage name) for a stage, or None where unknown."""
        if stage is None:
            return None
        return self.by_name.get(_stage_key(stage))


def _stage_key(stage: str) -> str:
    return "".join(ch for ch in stage.casefold() if ch.isalnum())


@functools.cache
def default_stage_defaults() -> StageDefaults:
    """HubSpot's default pipeline probabilities (forecast/data/stage_defaults.yaml)."""
    path = Path(str(resources.files("crossdeal.forecast").joinpath("data", "stage_defaults.yaml")))
    spec = validate_yaml(_StageSpec, load_yaml(path), path, DataFileError)
    by_name: dict[str, tuple[float, str]] = {}
    for row in spec.stages:
        for name in [row.hubspot, *row.names]:
            by_name[_stage_key(name)] = (row.probability, row.hubspot)
    return StageDefaults(by_name, spec.source)
