"""Culture models: dimensions, the cultures scored on them, and how to load them.

A culture model is two files: a CSV of scores (one row per culture, one column per
dimension) and a YAML description (what each column means, how rows are addressed,
which markers mean "no score"). The default model is Hofstede's 6-D data, shipped with
the package. A missing score stays ``None`` everywhere: it is never filled in.
"""

from __future__ import annotations

import csv
import functools
import io
import math
import statistics
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from crossdeal._validation import validate_yaml
from crossdeal._yaml import LineDict, load_yaml
from crossdeal.errors import CultureModelError, CultureModelWarning

__all__ = [
    "Culture",
    "CultureKind",
    "CultureModel",
    "Dimension",
    "Level",
    "default_model",
    "load_culture_model",
]

Level = Literal["low", "medium", "high"]
CultureKind = Literal["country", "region", "subnational"]

DEFAULT_MODEL_FILE = "hofstede_6d.yaml"
# a score beyond this is a data error (distances square gaps; 1e308 would overflow)
MAX_SCORE = 1_000_000
# The footing the shipped levels and rules are written for: Hofstede's published scores
# run from 0 to about 120 (the shipped file's highest is 112). A user model's score outside
# it, on a dimension that declares no range of its own, is read but warned about.
USUAL_FOOTING = (0.0, 120.0)


@dataclass(frozen=True, slots=True)
class Dimension:
    """One scale of a culture model, e.g. Hofstede's power distance."""

    key: str
    column: str
    name: str
    low_pole: str
    high_pole: str
    meaning: str
    low_below: float
    high_from: float
    common_ground: Mapping[str, str] = field(default_factory=dict)
    # "values": a score of the culture model (distances use these); "practice": a
    # position on a practice scale, on the same 0-100 footing (culture/practice.py)
    layer: Literal["values", "practice"] = "values"
    # practice scales on which a wide gap means closeness here is not shared ground
    contradicted_by: tuple[str, ...] = ()
    # False where closeness on the dimension says nothing a seller can use in a call
    common_ground_shown: bool = True
    # per level of common ground, the practice levels (1-5, both ends included) both
    # sides must sit within for its angle to hold (Spain and Mexico are both high on
    # uncertainty avoidance, but neither settles it with a fixed, detailed plan)
    common_ground_needs: Mapping[str, Mapping[str, tuple[int, int]]] = field(default_factory=dict)

    def level(self, score: float) -> Level:
        """``low`` below ``low_below``, ``high`` from ``high_from``, else ``medium``."""
        if score < self.low_below:
            return "low"
        if score >= self.high_from:
            return "high"
        return "medium"


@dataclass(frozen=True, slots=True)
class Culture:
    """One row of a culture model. ``scores[key] is None`` means: no data."""

    code: str
    name: str
    kind: CultureKind
    scores: Mapping[str, float | None]
    source_name: str = ""
    iso2: str | None = None
    iso3: str | None = None
    aliases: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    covers: tuple[str, ...] = ()
    # the country whose ISO 3166 alpha-3 code this row's own code also is (BEN: Benin)
    code_clash: str | None = None
    # key -> label of the row a missing score was taken from (a visible fallback)
    borrowed: Mapping[str, str] = field(default_factory=dict)
    # key -> how far the score may be off, in points (borderline advice reads it)
    uncertainty: Mapping[str, float] = field(default_factory=dict)

    def score(self, key: str) -> float | None:
        return self.scores.get(key)

    @property
    def shown_code(self) -> str:
        """The code people read: a country's ISO 3166 alpha-3 code (DEU, not Hofstede's
        GER); the model's own code for a region or a part of a country (ARA, BEF)."""
        return self.iso3 if self.kind == "country" and self.iso3 else self.code

    @property
    def available(self) -> tuple[str, ...]:
        return tuple(k for k, v in self.scores.items() if v is not None)

    @property
    def missing(self) -> tuple[str, ...]:
        return tuple(k for k, v in self.scores.items() if v is None)

    @property
    def label(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def own(self) -> tuple[str, ...]:
        """Keys with a score of the culture's own (not borrowed from another row)."""
        return tuple(k for k, v in self.scores.items() if v is not None and k not in self.borrowed)


@dataclass(frozen=True)
class CultureModel:
    """Dimensions plus scored cultures, with per-dimension variances for distances.

    ``variances[key]`` is the sample variance (n - 1) of a value dimension over the
    cultures whose kind is in ``variance_kinds`` and that have a score of their own on
    it; it is absent when fewer than two such cultures exist or all have the same score,
    and for practice scales, which no distance uses.
    """

    name: str
    dimensions: tuple[Dimension, ...]
    cultures: tuple[Culture, ...]
    source: str = ""
    citation: str = ""
    terms: str = ""
    variance_kinds: tuple[str, ...] = ("country",)
    common_ground_within: float = 10.0
    id_scheme: Literal["custom", "iso2", "iso3"] = "custom"
    path: str | None = None
    # the practice data joined to this model, if any (culture/layers.py)
    practices: Any = None
    variances: Mapping[str, float] = field(init=False)
    variance_counts: Mapping[str, int] = field(init=False)
    _by_code: Mapping[str, Culture] = field(init=False, repr=False)
    _by_key: Mapping[str, Dimension] = field(init=False, repr=False)
    _keys: tuple[str, ...] = field(init=False, repr=False)
    _distance_keys: tuple[str, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        variances: dict[str, float] = {}
        counts: dict[str, int] = {}
        for dim in self.dimensions:
            if dim.layer != "values":
                continue  # distances are computed on the value dimensions only
            values = [
                s
                for c in self.cultures
                if c.kind in self.variance_kinds
                and (s := c.scores.get(dim.key)) is not None
                and dim.key not in c.borrowed
            ]
            counts[dim.key] = len(values)
            if len(values) >= 2:
                variance = statistics.variance(values)
                if variance > 0:
                    variances[dim.key] = variance
        object.__setattr__(self, "variances", variances)
        object.__setattr__(self, "variance_counts", counts)
        object.__setattr__(self, "_by_code", {c.code: c for c in self.cultures})
        object.__setattr__(self, "_by_key", {d.key: d for d in self.dimensions})
        object.__setattr__(self, "_keys", tuple(d.key for d in self.dimensions))
        object.__setattr__(
            self,
            "_distance_keys",
            tuple(d.key for d in self.dimensions if d.layer == "values"),
        )

    @property
    def keys(self) -> tuple[str, ...]:
        return self._keys

    @property
    def distance_keys(self) -> tuple[str, ...]:
        """The value dimensions: what distances and the cycle prior are computed on."""
        return self._distance_keys

    def dimension(self, key: str) -> Dimension:
        try:
            return self._by_key[key]
        except KeyError:
            known = ", ".join(self.keys)
            raise KeyError(f"{key!r} is not a dimension of {self.name} ({known})") from None

    def get(self, code: str) -> Culture | None:
        return self._by_code.get(code)

    def shown_code(self, code: str) -> str:
        """The code to show for the row ``code`` (see ``Culture.shown_code``); an unknown
        code is shown as it is."""
        culture = self._by_code.get(code)
        return culture.shown_code if culture is not None else code

    def resolve(self, query: str | Culture) -> Culture:
        """The one culture ``query`` names (name, code, ISO code, alias)."""
        if isinstance(query, Culture):
            return query
        if not isinstance(query, str):
            raise TypeError(
                "a culture is named by a string such as 'India', 'IN' or 'IND' "
                f"(or given as a Culture), not by {type(query).__name__}"
            )
        from crossdeal.culture.resolve import resolve

        return resolve(self, query)

    def __hash__(self) -> int:
        return id(self)

    def __eq__(self, other: object) -> bool:
        return self is other


# --- loading ---------------------------------------------------------------------


class _DimensionSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)

    key: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    column: str | None = None
    name: str | None = None
    low_pole: str = ""
    high_pole: str = ""
    meaning: str = ""
    low_below: float | None = None
    high_from: float | None = None
    common_ground: dict[Level, str] = Field(default_factory=dict)
    contradicted_by: list[str] = Field(default_factory=list)
    common_ground_shown: bool = True
    common_ground_needs: dict[Level, dict[str, tuple[int, int]]] = Field(default_factory=dict)
    # the scale's own bounds: a score outside them is refused
    range: tuple[float, float] | None = None

    @model_validator(mode="after")
    def _ordered_levels(self) -> _DimensionSpec:
        if self.range is not None and not (
            math.isfinite(self.range[0])
            and math.isfinite(self.range[1])
            and self.range[0] < self.range[1]
        ):
            raise ValueError("range must be two finite numbers, the lower first")
        if (
            self.low_below is not None
            and self.high_from is not None
            and self.low_below > self.high_from
        ):
            raise ValueError("low_below must not be greater than high_from")
        for level, needs in self.common_ground_needs.items():
            for scale, (lowest, highest) in needs.items():
                if not 1 <= lowest <= highest <= 5:
                    raise ValueError(
                        f"common_ground_needs.{level}.{scale} must be two practice levels "
                        "from 1 to 5, the lower first"
                    )
        return self


class _ModelSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)

    name: str
    source: str = ""
    citation: str = ""
    terms: str = ""
    csv: str | None = None
    delimiter: str = Field(default=",", min_length=1, max_length=1)
    missing: list[str] = Field(default_factory=lambda: [""])
    id_column: str
    name_column: str | None = None
    id_scheme: Literal["custom", "iso2", "iso3"] = "custom"
    variance_kinds: list[CultureKind] = Field(default_factory=lambda: ["country"])  # type: ignore[arg-type]
    common_ground_within: float = Field(default=10.0, ge=0)
    cultures: str | None = None
    dimensions: list[_DimensionSpec] = Field(min_length=1)

    @field_validator("dimensions")
    @classmethod
    def _unique_keys(cls, dims: list[_DimensionSpec]) -> list[_DimensionSpec]:
        seen: set[str] = set()
        for d in dims:
            if d.key in seen:
                raise ValueError(f"dimension key {d.key!r} appears twice")
            seen.add(d.key)
        return dims


class _CultureSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)

    name: str | None = None
    kind: CultureKind = "country"
    iso2: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    iso3: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    aliases: list[str] = Field(default_factory=list)
    related: list[str] = Field(default_factory=list)
    covers: list[str] = Field(default_factory=list)
    code_clash: str | None = None


class _CulturesFile(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)

    cultures: dict[str, _CultureSpec]


def load_culture_model(path: str | Path) -> CultureModel:
    """Load a culture model from its YAML description (or from the CSV beside it).

    Given ``scores.csv``, the description is ``scores.yaml`` in the same folder.
    Raises :class:`~crossdeal.errors.CultureModelError` naming file, line and reason.
    """
    path = Path(path)
    if path.suffix.lower() == ".csv":
        candidates = [path.with_suffix(".yaml"), path.with_suffix(".yml")]
        described = next((p for p in candidates if p.exists()), None)
        if described is None:
            raise CultureModelError(
                f"a culture model needs a YAML description beside the CSV "
                f"(expected {candidates[0].name}); see docs/culture-models.md",
                path,
            )
        path = described
    data = load_yaml(path, error=CultureModelError)
    return _build_model(data, path)


@functools.cache
def default_model() -> CultureModel:
    """The shipped Hofstede 6-D model (loaded once per process)."""
    path = data_dir() / DEFAULT_MODEL_FILE
    return _build_model(load_yaml(path, error=CultureModelError), path, shipped=True)


def data_dir() -> Path:
    """The folder of the shipped culture data (scores, descriptions, SOURCES.md)."""
    return Path(str(resources.files("crossdeal.culture").joinpath("data")))


def _build_model(data: object, path: Path, shipped: bool = False) -> CultureModel:
    if not isinstance(data, LineDict):
        raise CultureModelError(
            "expected a mapping of settings (name, id_column, dimensions)", path
        )
    spec = validate_yaml(_ModelSpec, data, path, CultureModelError)
    csv_path = path.parent / (spec.csv or path.with_suffix(".csv").name)
    addressing: dict[str, _CultureSpec] = {}
    if spec.cultures:
        cpath = path.parent / spec.cultures
        cdata = load_yaml(cpath, error=CultureModelError)
        addressing = validate_yaml(_CulturesFile, cdata, cpath, CultureModelError).cultures
    dimensions = _dimensions(spec)
    cultures = _read_cultures(spec, dimensions, csv_path, addressing)
    dimensions = _fill_default_levels(dimensions, cultures)
    unknown_related = sorted({r for c in cultures for r in c.related} - {c.code for c in cultures})
    if unknown_related:
        raise CultureModelError(
            f"'related' names unknown codes: {', '.join(unknown_related)}", path
        )
    return CultureModel(
        name=spec.name,
        dimensions=dimensions,
        cultures=cultures,
        source=spec.source,
        citation=spec.citation,
        terms=spec.terms,
        variance_kinds=tuple(spec.variance_kinds),
        common_ground_within=spec.common_ground_within,
        id_scheme=spec.id_scheme,
        path=None if shipped else str(path),
    )


def _read(path: Path) -> str:
    from crossdeal._yaml import MAX_DATA_BYTES

    try:
        if path.exists() and not path.is_file():
            raise CultureModelError("is not a regular file (a folder, a device or a pipe?)", path)
        if path.exists() and path.stat().st_size > MAX_DATA_BYTES:
            raise CultureModelError(f"is larger than {MAX_DATA_BYTES // 1_000_000} MB", path)
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CultureModelError("file not found", path) from None
    except UnicodeDecodeError as exc:
        raise CultureModelError(
            f"not UTF-8 text ({exc.reason} at byte {exc.start})", path
        ) from None
    except OSError as exc:
        raise CultureModelError(f"cannot be read ({exc.strerror})", path) from None


def _dimensions(spec: _ModelSpec) -> tuple[Dimension, ...]:
    return tuple(
        Dimension(
            key=d.key,
            column=d.column or d.key,
            name=d.name or d.key,
            low_pole=d.low_pole,
            high_pole=d.high_pole,
            meaning=d.meaning,
            low_below=d.low_below if d.low_below is not None else math.nan,
            high_from=d.high_from if d.high_from is not None else math.nan,
            common_ground={str(k): v for k, v in d.common_ground.items()},
            contradicted_by=tuple(d.contradicted_by),
            common_ground_shown=d.common_ground_shown,
            common_ground_needs={
                str(level): dict(needs) for level, needs in d.common_ground_needs.items()
            },
        )
        for d in spec.dimensions
    )


def _fill_default_levels(
    dims: tuple[Dimension, ...], cultures: tuple[Culture, ...]
) -> tuple[Dimension, ...]:
    """A user model without level thresholds gets tertiles of its own scores."""
    out = []
    for d in dims:
        if not (math.isnan(d.low_below) or math.isnan(d.high_from)):
            out.append(d)
            continue
        values = sorted(s for c in cultures if (s := c.scores.get(d.key)) is not None)
        if len(values) >= 3:
            low, high = statistics.quantiles(values, n=3)
        else:
            low, high = (values[0], values[-1]) if values else (0.0, 0.0)
        out.append(
            Dimension(
                key=d.key,
                column=d.column,
                name=d.name,
                low_pole=d.low_pole,
                high_pole=d.high_pole,
                meaning=d.meaning,
                low_below=low if math.isnan(d.low_below) else d.low_below,
                high_from=high if math.isnan(d.high_from) else d.high_from,
                common_ground=d.common_ground,
                contradicted_by=d.contradicted_by,
                common_ground_shown=d.common_ground_shown,
                common_ground_needs=d.common_ground_needs,
            )
        )
    return tuple(out)


def _read_cultures(
    spec: _ModelSpec,
    dims: tuple[Dimension, ...],
    csv_path: Path,
    addressing: Mapping[str, _CultureSpec],
) -> tuple[Culture, ...]:
    where = str(csv_path)
    text = _read(csv_path)
    if text.startswith("\ufeff"):
        text = text[1:]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=spec.delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise CultureModelError(
            "the file is empty: expected a header row and scores", where
        ) from None
    except csv.Error as exc:
        raise CultureModelError(f"not a readable CSV ({exc})", where, 1) from None
    header = [h.strip() for h in header]
    needed = [spec.id_column] + ([spec.name_column] if spec.name_column else [])
    needed += [d.column for d in dims]
    absent = [c for c in needed if c not in header]
    if absent:
        raise CultureModelError(
            f"column(s) {', '.join(absent)} not in the header ({', '.join(header)}); "
            f"check 'delimiter' (now {spec.delimiter!r}) and the column names",
            where,
            1,
        )
    index = {name: i for i, name in enumerate(header)}
    missing_markers = {m.strip() for m in spec.missing}
    iso_names = _iso_names(spec.id_scheme) if spec.id_scheme != "custom" else {}
    cultures: list[Culture] = []
    seen: dict[str, int] = {}
    declared = {d.key: d.range for d in spec.dimensions}
    unusual: dict[str, list[str]] = {}  # dimension column -> "line 2 (AA): -40", ...
    try:
        rows = list(enumerate(reader, start=2))
    except csv.Error as exc:
        raise CultureModelError(f"not a readable CSV ({exc})", where, reader.line_num) from None
    for line, row in rows:
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < len(header):
            raise CultureModelError(
                f"{len(row)} field(s) where the header has {len(header)}", where, line
            )
        if any(cell.strip() for cell in row[len(header) :]):
            # the cells would be read against the wrong columns: "52,5" with a decimal
            # comma in a comma-separated file shifts every score after it
            raise CultureModelError(
                f"{len(row)} field(s) where the header has {len(header)}: a decimal comma, "
                f"or a missing column name? (the delimiter is {spec.delimiter!r})",
                where,
                line,
            )
        code = row[index[spec.id_column]].strip()
        if not code:
            raise CultureModelError(f"empty id in column {spec.id_column!r}", where, line)
        if code in seen:
            raise CultureModelError(
                f"id {code!r} appears twice (first on line {seen[code]})", where, line
            )
        seen[code] = line
        scores: dict[str, float | None] = {}
        for d in dims:
            raw = row[index[d.column]].strip()
            if raw in missing_markers:
                scores[d.key] = None
                continue
            try:
                value = float(raw)
            except ValueError:
                markers = ", ".join(repr(m) for m in sorted(missing_markers))
                raise CultureModelError(
                    f"column {d.column!r}: {raw!r} is not a number "
                    f"(and not a 'no data' marker: {markers})",
                    where,
                    line,
                    code,
                ) from None
            if not math.isfinite(value):
                raise CultureModelError(
                    f"column {d.column!r}: {raw!r} is not a finite number", where, line, code
                )
            if abs(value) > MAX_SCORE:
                raise CultureModelError(
                    f"column {d.column!r}: {raw!r} is outside the range a culture score can "
                    f"take here (-{MAX_SCORE:,} to {MAX_SCORE:,}); check the column's scale",
                    where,
                    line,
                    code,
                )
            bounds = declared.get(d.key)
            if bounds is not None and not bounds[0] <= value <= bounds[1]:
                raise CultureModelError(
                    f"column {d.column!r}: {raw!r} is outside the range the description "
                    f"declares for it ({bounds[0]:g} to {bounds[1]:g})",
                    where,
                    line,
                    code,
                )
            if bounds is None and not USUAL_FOOTING[0] <= value <= USUAL_FOOTING[1]:
                unusual.setdefault(d.column, []).append(f"line {line} ({code}): {raw}")
            scores[d.key] = value
        source_name = row[index[spec.name_column]].strip() if spec.name_column else ""
        extra = addressing.get(code)
        iso2 = iso3 = None
        if spec.id_scheme == "iso3":
            iso3 = code.upper()
        elif spec.id_scheme == "iso2":
            iso2 = code.upper()
        name = source_name or iso_names.get(code.upper(), code)
        kind: CultureKind = "country"
        aliases: tuple[str, ...] = ()
        related: tuple[str, ...] = ()
        covers: tuple[str, ...] = ()
        clash: str | None = None
        if extra is not None:
            name = extra.name or name
            kind = extra.kind
            iso2 = extra.iso2 or iso2
            iso3 = extra.iso3 or iso3
            aliases = tuple(extra.aliases)
            related = tuple(extra.related)
            covers = tuple(extra.covers)
            clash = extra.code_clash
        cultures.append(
            Culture(
                code=code,
                name=name,
                kind=kind,
                scores=scores,
                source_name=source_name,
                iso2=iso2,
                iso3=iso3,
                aliases=aliases,
                related=related,
                covers=covers,
                code_clash=clash,
            )
        )
    if not cultures:
        raise CultureModelError("no culture rows under the header", where)
    unknown = sorted(set(addressing) - set(seen))
    if unknown:
        raise CultureModelError(
            f"the cultures file describes codes not in the CSV: {', '.join(unknown)}", where
        )
    for column, examples in unusual.items():
        # read, not refused: a model may have its own scale; the advice would not
        shown = "; ".join(examples[:3]) + (
            f"; and {len(examples) - 3} more" if len(examples) > 3 else ""
        )
        warnings.warn(
            CultureModelWarning(
                f"{where}: column {column!r}: {len(examples)} score(s) outside "
                f"{USUAL_FOOTING[0]:g}-{USUAL_FOOTING[1]:g}, the footing crossdeal's levels "
                f"and rule thresholds are written for ({shown}). If that is the column's real "
                "scale, declare it with 'range: [low, high]' on the dimension (and set its "
                "low_below/high_from); the shipped rules still compare it with thresholds "
                "on the 0-100 footing"
            ),
            stacklevel=4,  # the caller of load_culture_model
        )
    return tuple(cultures)


def _iso_names(scheme: str) -> dict[str, str]:
    """ISO code -> common English name, for models keyed by ISO codes."""
    import pycountry

    attr = "alpha_3" if scheme == "iso3" else "alpha_2"
    return {
        getattr(c, attr): getattr(c, "common_name", None) or c.name for c in pycountry.countries
    }


def cultures_with(model: CultureModel, keys: Iterable[str]) -> list[Culture]:
    """Cultures that have a score on every one of ``keys``."""
    wanted = tuple(keys)
    return [c for c in model.cultures if all(c.scores.get(k) is not None for k in wanted)]
