"""People, not stereotypes: an individual's estimate on the culture scales.

The country score is a prior, not a fact about the person. Evidence about the person
moves the estimate, per dimension, with a normal-normal update:

    prior        N(country score, prior_sd²)          prior_sd = 20 points (data)
    evidence i   suggests value v_i with sd s_i        (an observation, or the
                                                        self-assessment's score)
    mean         (m0/sd0² + Σ v_i/s_i²) / (1/sd0² + Σ 1/s_i²)
    variance     1/(1/sd0² + Σ 1/s_i²)  +  spread

``spread`` is the weighted variance of the evidence values around their own weighted
mean, divided by the number of pieces of evidence: zero for one observation or for
observations that agree, large when observations pull in opposite directions. So one
observation always narrows the uncertainty, agreeing ones narrow it further, and
conflicting ones widen it again.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, Field

from crossdeal._kept import kept
from crossdeal._validation import validate_yaml
from crossdeal._yaml import load_yaml
from crossdeal.culture.model import Culture, CultureModel, data_dir
from crossdeal.errors import DataFileError, InputError

__all__ = [
    "DimensionEstimate",
    "Evidence",
    "Observation",
    "PersonEstimate",
    "estimate_person",
    "observation_vocabulary",
]


@dataclass(frozen=True, slots=True)
class Observation:
    """A behaviour a seller can observe, and the scores it is typical of."""

    id: str
    label: str
    description: str
    suggests: Mapping[str, float]
    strength: float


@dataclass(frozen=True, slots=True)
class Evidence:
    """One piece of evidence on one dimension: a value, its sd, and where it came from."""

    dimension: str
    value: float
    sd: float
    source: str


@dataclass(frozen=True, slots=True)
class DimensionEstimate:
    dimension: str
    prior: float | None
    prior_sd: float
    estimate: float | None
    sd: float
    evidence: tuple[Evidence, ...] = ()

    @property
    def shift(self) -> float | None:
        if self.prior is None or self.estimate is None:
            return None
        return self.estimate - self.prior


@dataclass(frozen=True)
class PersonEstimate:
    """A person on the culture scales: the country prior, the evidence and the estimate."""

    name: str
    culture: Culture
    dimensions: Mapping[str, DimensionEstimate]
    observations: tuple[str, ...] = ()
    sources: tuple[str, ...] = field(default=())

    @property
    def scores(self) -> dict[str, float | None]:
        return {k: d.estimate for k, d in self.dimensions.items()}

    def as_culture(self) -> Culture:
        """A culture-shaped view of the person, so the playbook can brief for them.

        Where evidence moved a score, its uncertainty is the estimate's; elsewhere the
        person is their country, with the country data's uncertainty and fallbacks.
        """
        moved = {k for k, d in self.dimensions.items() if d.evidence}
        return Culture(
            code=self.culture.code,
            name=self.name,
            kind=self.culture.kind,
            scores=self.scores,
            source_name=self.culture.source_name,
            iso2=self.culture.iso2,
            iso3=self.culture.iso3,
            borrowed={k: v for k, v in self.culture.borrowed.items() if k not in moved},
            uncertainty={
                **self.culture.uncertainty,
                **{k: self.dimensions[k].sd for k in moved},
            },
        )


class _ObservationSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)
    label: str
    description: str
    suggests: dict[str, float] = Field(min_length=1)
    strength: float = Field(gt=0)


class _ObservationsFile(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)
    prior_sd: float = Field(gt=0)
    observations: dict[str, _ObservationSpec]


@kept("crossdeal.culture:data/observations.yaml")
def _vocabulary_file() -> tuple[float, dict[str, Observation]]:
    path = data_dir() / "observations.yaml"
    spec = validate_yaml(
        _ObservationsFile, load_yaml(path, error=DataFileError), path, DataFileError
    )
    vocabulary = {
        key: Observation(key, o.label, o.description, dict(o.suggests), o.strength)
        for key, o in spec.observations.items()
    }
    return spec.prior_sd, vocabulary


def observation_vocabulary() -> dict[str, Observation]:
    """The documented vocabulary of observable behaviours, by id."""
    return dict(_vocabulary_file()[1])


def prior_sd() -> float:
    """How far a person may sit from their country's score before any evidence (points)."""
    return _vocabulary_file()[0]


def check_observations(ids: Iterable[str]) -> list[str]:
    """The ids, checked against the vocabulary (an unknown id is an InputError)."""
    vocabulary = observation_vocabulary()
    out = []
    for raw in ids:
        key = raw.strip().lower()
        if key not in vocabulary:
            import difflib

            close = difflib.get_close_matches(key, list(vocabulary), n=3)
            hint = f" Did you mean: {', '.join(close)}?" if close else ""
            raise InputError(
                f"{raw!r} is not an observation crossdeal knows.{hint} "
                "Run `crossdeal person observations` for the list."
            )
        out.append(key)
    return out


def evidence_from_observations(ids: Sequence[str]) -> list[Evidence]:
    vocabulary = observation_vocabulary()
    out = []
    for key in check_observations(ids):
        obs = vocabulary[key]
        for dim, value in obs.suggests.items():
            out.append(Evidence(dim, value, obs.strength, f"observed: {key}"))
    return out


def estimate_person(
    name: str,
    culture: Culture,
    model: CultureModel,
    observations: Sequence[str] = (),
    extra_evidence: Sequence[Evidence] = (),
    sd0: float | None = None,
) -> PersonEstimate:
    """The person's estimate on every dimension of ``model``, from prior and evidence.

    A dimension the country has no score for stays without an estimate unless there is
    evidence on it; then the evidence alone (with the prior's width) sets it.
    """
    sd0 = sd0 if sd0 is not None else prior_sd()
    evidence = [*evidence_from_observations(observations), *extra_evidence]
    from crossdeal.culture.practice import HOLISTIC, default_practices

    practice = {*default_practices().keys, HOLISTIC}
    unknown = sorted({e.dimension for e in evidence} - set(model.keys) - practice)
    if unknown:
        raise DataFileError(f"evidence on dimensions the culture model lacks: {', '.join(unknown)}")
    # a model without the practice layer simply has no practice scales to move
    evidence = [e for e in evidence if e.dimension in model.keys]
    dims: dict[str, DimensionEstimate] = {}
    for key in model.keys:
        prior = culture.scores.get(key)
        mine = tuple(e for e in evidence if e.dimension == key)
        dims[key] = _update(key, prior, sd0, mine)
    return PersonEstimate(
        name=name,
        culture=culture,
        dimensions=dims,
        observations=tuple(check_observations(observations)),
        sources=tuple(dict.fromkeys(e.source for e in evidence)),
    )


def _update(
    key: str, prior: float | None, sd0: float, evidence: tuple[Evidence, ...]
) -> DimensionEstimate:
    if not evidence:
        return DimensionEstimate(key, prior, sd0, prior, sd0)
    precision = 0.0 if prior is None else 1.0 / sd0**2
    weighted = 0.0 if prior is None else prior / sd0**2
    for e in evidence:
        precision += 1.0 / e.sd**2
        weighted += e.value / e.sd**2
    mean = weighted / precision
    variance = 1.0 / precision
    if len(evidence) > 1:
        # disagreement among the pieces of evidence themselves (not with the prior)
        weights = [1.0 / e.sd**2 for e in evidence]
        centre = sum(w * e.value for w, e in zip(weights, evidence, strict=True)) / sum(weights)
        spread = sum(
            w * (e.value - centre) ** 2 for w, e in zip(weights, evidence, strict=True)
        ) / sum(weights)
        variance += spread / len(evidence)
    return DimensionEstimate(key, prior, sd0, mean, math.sqrt(variance), evidence)
