"""The practice layer: how business is actually done, beside the value scores.

Six value dimensions cannot say how people disagree, give negative feedback, decide,
keep time, persuade or build trust. crossdeal keeps its own coding of those practice
scales per culture (``data/practice_scales.yaml`` defines them, ``data/practices.yaml``
holds the positions, each with its sources and a confidence). A position is an ordinal
level from 1 to 5; the playbook reads it on the 0-100 footing of the value scores
(level 1 = 0, 2 = 25, ..., 5 = 100), so one condition language, one person model and
one notion of uncertainty serve both layers.

A user file (``--practices``) adds cultures or corrects single scales of shipped ones.
Mistakes raise :class:`~crossdeal.errors.PracticeFileError` with file, line and reason.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from crossdeal._validation import validate_yaml
from crossdeal._yaml import LineDict, load_yaml
from crossdeal.culture.model import Level
from crossdeal.errors import PracticeFileError

__all__ = [
    "LEVEL_POINTS",
    "Confidence",
    "PracticeAtlas",
    "PracticePosition",
    "PracticeProfile",
    "PracticeScale",
    "default_practices",
    "level_of",
    "load_practices",
    "points_of",
]

Confidence = Literal["high", "medium", "low"]
# One practice level is this many points on the 0-100 footing of the value scores.
LEVEL_POINTS = 25.0
# A derived scale: 100 where a culture reasons holistically (off the persuading line),
# 0 where it has a level on that line.
HOLISTIC = "holistic"


def points_of(level: int) -> float:
    """Level 1..5 as 0..100."""
    return (level - 1) * LEVEL_POINTS


def level_of(points: float) -> float:
    """0..100 as level 1..5 (fractional for a person estimate between levels)."""
    return points / LEVEL_POINTS + 1


@dataclass(frozen=True, slots=True)
class PracticeScale:
    key: str
    name: str
    low_pole: str
    high_pole: str
    meaning: str
    levels: Mapping[int, str]
    common_ground: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class PracticePosition:
    """One culture on one scale: a level (or holistic), how sure, and from what."""

    scale: str
    level: int | None
    holistic: bool
    confidence: Confidence
    sources: tuple[str, ...]
    note: str = ""

    @property
    def points(self) -> float | None:
        return None if self.level is None else points_of(self.level)


@dataclass(frozen=True, slots=True)
class PracticeProfile:
    """Every coded position of one culture, with where the entry was read."""

    key: str
    name: str
    positions: Mapping[str, PracticePosition]
    about: str
    file: str
    line: int
    # the culture-model row whose value scores stand in where this culture has none
    values_from: str | None = None


@dataclass(frozen=True)
class PracticeAtlas:
    """The practice scales and every culture coded on them.

    ``countries`` are keyed by ISO 3166 alpha-3 code, so any culture model whose rows
    carry ISO codes finds them; ``samples`` (regions, sub-national samples) by the code
    of the default culture model's row.
    """

    scales: tuple[PracticeScale, ...]
    uncertainty: Mapping[str, float]  # confidence -> levels
    countries: Mapping[str, PracticeProfile]
    samples: Mapping[str, PracticeProfile]
    bibliography: Mapping[str, str]
    files: tuple[str, ...] = ()

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(s.key for s in self.scales)

    def scale(self, key: str) -> PracticeScale:
        for s in self.scales:
            if s.key == key:
                return s
        raise KeyError(key)

    def profile(self, key: str) -> PracticeProfile | None:
        return self.countries.get(key) or self.samples.get(key)

    def uncertainty_points(self, confidence: Confidence) -> float:
        return self.uncertainty[confidence] * LEVEL_POINTS

    def __hash__(self) -> int:
        return id(self)

    def __eq__(self, other: object) -> bool:
        return self is other


# --- schema ----------------------------------------------------------------------

_KEY = r"^[a-z][a-z0-9_]*$"


class _ScaleSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)
    key: str = Field(pattern=_KEY)
    name: str
    low_pole: str
    high_pole: str
    meaning: str = Field(min_length=20)
    levels: dict[int, str]
    common_ground: dict[Level, str] = Field(default_factory=dict)

    @field_validator("levels")
    @classmethod
    def _five_levels(cls, levels: dict[int, str]) -> dict[int, str]:
        if sorted(levels) != [1, 2, 3, 4, 5]:
            raise ValueError("describe each of the levels 1, 2, 3, 4 and 5")
        return levels


class _ScalesFile(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)
    schema_: Literal["crossdeal.practice-scales/1"] = Field(alias="schema")
    uncertainty: dict[Confidence, float]
    scales: list[_ScaleSpec] = Field(min_length=1)

    @field_validator("uncertainty")
    @classmethod
    def _every_confidence(cls, value: dict[str, float]) -> dict[str, float]:
        if set(value) != {"high", "medium", "low"} or any(v <= 0 for v in value.values()):
            raise ValueError("give a positive uncertainty (in levels) for high, medium and low")
        return value


class _PositionSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)
    level: int | None = Field(default=None, ge=1, le=5)
    holistic: bool = False
    confidence: Confidence
    sources: list[str] = Field(min_length=1)
    note: str = ""

    @model_validator(mode="after")
    def _level_or_holistic(self) -> _PositionSpec:
        if self.holistic and self.level is not None:
            raise ValueError("a holistic position has no level")
        if not self.holistic and self.level is None:
            raise ValueError("give a level from 1 to 5 (or holistic: true for persuading)")
        return self


class _PracticesFile(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)
    schema_: Literal["crossdeal.practices/1"] = Field(
        default="crossdeal.practices/1", alias="schema"
    )
    sources: dict[str, str] = Field(default_factory=dict)
    countries: dict[str, dict[str, object]] = Field(default_factory=dict)
    samples: dict[str, dict[str, object]] = Field(default_factory=dict)


# --- loading ---------------------------------------------------------------------


def _data_dir() -> Path:
    return Path(str(resources.files("crossdeal.culture").joinpath("data")))


def shipped_practice_files() -> tuple[Path, Path]:
    return _data_dir() / "practice_scales.yaml", _data_dir() / "practices.yaml"


def _scales(path: Path) -> tuple[tuple[PracticeScale, ...], dict[str, float]]:
    spec = validate_yaml(
        _ScalesFile, load_yaml(path, error=PracticeFileError), path, PracticeFileError
    )
    keys = [s.key for s in spec.scales]
    if len(set(keys)) != len(keys) or HOLISTIC in keys:
        raise PracticeFileError(f"scale keys must be unique and not {HOLISTIC!r}", path)
    scales = tuple(
        PracticeScale(
            s.key,
            s.name,
            s.low_pole,
            s.high_pole,
            " ".join(s.meaning.split()),
            dict(s.levels),
            {str(k): " ".join(v.split()) for k, v in s.common_ground.items()},
        )
        for s in spec.scales
    )
    return scales, {str(k): v for k, v in spec.uncertainty.items()}


def _iso3_codes() -> frozenset[str]:
    import pycountry

    return frozenset(c.alpha_3 for c in pycountry.countries)


def _read_entries(
    path: Path,
    scales: Mapping[str, PracticeScale],
    into: dict[str, dict[str, PracticeProfile]],
    bibliography: dict[str, str],
    shipped: bool,
) -> None:
    data = load_yaml(path, error=PracticeFileError)
    spec = validate_yaml(_PracticesFile, data, path, PracticeFileError)
    bibliography.update({k: " ".join(v.split()) for k, v in spec.sources.items()})
    # the shipped file's codes are checked by the tests; pycountry loads only for a user's
    iso3 = frozenset() if shipped else _iso3_codes()
    for section in ("countries", "samples"):
        entries = data.get(section) if isinstance(data, LineDict) else None
        if not isinstance(entries, LineDict):
            continue
        for key, raw in entries.items():
            line = entries.line_of(key)
            if section == "countries" and not shipped and key not in iso3:
                raise PracticeFileError(
                    f"{key!r} is not an ISO 3166 alpha-3 country code "
                    "(regions and sub-national samples go under 'samples')",
                    path,
                    line,
                    key,
                )
            existing = into[section].get(key)
            if not isinstance(raw, LineDict):
                raise PracticeFileError("an entry is a mapping of scales", path, line, key)
            if existing is None and "name" not in raw:
                raise PracticeFileError("'name' is required", path, line, key)
            positions = dict(existing.positions) if existing else {}
            name = str(raw.get("name", existing.name if existing else key))
            about = " ".join(str(raw.get("about", existing.about if existing else "")).split())
            values_from = raw.get("values_from", existing.values_from if existing else None)
            for scale_key, value in raw.items():
                if scale_key in ("name", "about", "values_from"):
                    continue
                where = raw.line_of(scale_key)
                if scale_key not in scales:
                    raise PracticeFileError(
                        f"unknown scale {scale_key!r} (scales: {', '.join(scales)})",
                        path,
                        where,
                        key,
                    )
                position = validate_yaml(
                    _PositionSpec, value, path, PracticeFileError, f"{key}.{scale_key}"
                )
                if position.holistic and scale_key != "persuading":
                    raise PracticeFileError(
                        "only the persuading scale has a holistic position", path, where, key
                    )
                unknown = [s for s in position.sources if s.split()[0] not in bibliography]
                if unknown:
                    raise PracticeFileError(
                        f"source {unknown[0]!r} is not in the file's 'sources' or the shipped "
                        "bibliography",
                        path,
                        where,
                        f"{key}.{scale_key}",
                    )
                positions[scale_key] = PracticePosition(
                    scale_key,
                    position.level,
                    position.holistic,
                    position.confidence,
                    tuple(position.sources),
                    " ".join(position.note.split()),
                )
            if shipped and existing is None and set(positions) != set(scales):
                missing = sorted(set(scales) - set(positions))
                raise PracticeFileError(
                    f"a shipped entry codes every scale; missing: {', '.join(missing)}",
                    path,
                    line,
                    key,
                )
            into[section][key] = PracticeProfile(
                key, name, positions, about, str(path), line, values_from
            )


def load_practices(extra: Iterable[str | Path] = (), include_shipped: bool = True) -> PracticeAtlas:
    """The shipped practice data, then each user file: a user entry adds a culture, or
    replaces the scales it names in an existing one."""
    scales_path, entries_path = shipped_practice_files()
    scales, uncertainty = _scales(scales_path)
    by_key = {s.key: s for s in scales}
    into: dict[str, dict[str, PracticeProfile]] = {"countries": {}, "samples": {}}
    bibliography: dict[str, str] = {}
    files: list[str] = []
    if include_shipped:
        _read_entries(entries_path, by_key, into, bibliography, shipped=True)
    for item in extra:
        path = Path(item)
        if path.is_dir() or not path.exists():
            raise PracticeFileError("no such practice file", path)
        _read_entries(path, by_key, into, bibliography, shipped=False)
        files.append(str(path))
    return PracticeAtlas(
        scales, uncertainty, into["countries"], into["samples"], bibliography, tuple(files)
    )


@functools.cache
def default_practices() -> PracticeAtlas:
    """The shipped practice data (loaded once)."""
    return load_practices()
