"""One culture model for briefing: the value scores, the practice layer, and visible fallbacks.

:func:`with_practices` joins a culture model (Hofstede's by default) and the practice
data into a new model whose dimensions are the value dimensions followed by the
practice scales (``layer="practice"``, 0-100 footing). Every consumer - the playbook,
the message coach, the person model, the pipeline's signals - then reads both layers
through the same names (``buyer.feedback`` beside ``buyer.pdi``).

Fallback, always visible (``Culture.borrowed``) and never silent:

- a country's missing value score comes from the region whose sample covers it
  (Saudi Arabia -> Arab countries), or from the row its practice entry names
  (``values_from``); a sub-national sample's from its country;
- a culture without a practice entry of its own reads the entry of its country
  (sub-national samples) or of the region that covers it;
- a country with no row at all but a covering region or a practice entry (Kenya,
  the United Arab Emirates, Qatar) becomes a row of its own, every borrowed score
  marked.

Borrowed scores count as more uncertain, so advice that rests on them near a threshold
is marked borderline; variances (and so Kogut-Singh) use only cultures' own scores.
With ``fallback=False`` nothing is borrowed and no row is made up.
"""

from __future__ import annotations

import dataclasses

from crossdeal.culture.model import Culture, CultureModel, Dimension
from crossdeal.culture.practice import (
    HOLISTIC,
    LEVEL_POINTS,
    PracticeAtlas,
    PracticeProfile,
    default_practices,
)

__all__ = [
    "BORROWED_FACTOR",
    "VALUE_UNCERTAINTY",
    "briefing_model",
    "practice_profile",
    "with_practices",
]

# How far a published value score may be off, in points (the scores are survey means
# rounded to whole points and were collected decades apart); a borrowed one, more.
VALUE_UNCERTAINTY = 5.0
BORROWED_FACTOR = 2.0

_cache: dict[tuple[int, int, bool], tuple[CultureModel, PracticeAtlas, CultureModel]] = {}


def with_practices(
    model: CultureModel, atlas: PracticeAtlas | None = None, fallback: bool = True
) -> CultureModel:
    """``model`` with the practice scales and (unless ``fallback`` is False) fallbacks."""
    if model.practices is not None:
        return model  # already joined
    atlas = atlas if atlas is not None else default_practices()
    key = (id(model), id(atlas), fallback)
    hit = _cache.get(key)
    if hit is not None and hit[0] is model and hit[1] is atlas:
        return hit[2]
    clash = sorted(set(model.keys) & {*atlas.keys, HOLISTIC})
    if clash:
        from crossdeal.errors import CultureModelError

        raise CultureModelError(
            f"dimension key(s) {', '.join(clash)} are also practice scales; rename them",
            model.path,
        )
    joined = _join(model, atlas, fallback)
    _cache[key] = (model, atlas, joined)
    return joined


def briefing_model() -> CultureModel:
    """The shipped culture model joined with the shipped practice data, with fallbacks."""
    from crossdeal.culture.model import default_model

    return with_practices(default_model())


_profiles: dict[
    tuple[int, str, str, str | None],
    tuple[CultureModel, tuple[PracticeProfile | None, str | None]],
] = {}


def practice_profile(
    culture: Culture, model: CultureModel
) -> tuple[PracticeProfile | None, str | None]:
    """The practice entry a culture reads, and the row it is borrowed from (None: its own)."""
    key = (id(model), culture.code, culture.kind, culture.iso3)
    hit = _profiles.get(key)
    if hit is not None and hit[0] is model:
        return hit[1]
    found = _find_profile(culture, model)
    _profiles[key] = (model, found)
    return found


def _find_profile(
    culture: Culture, model: CultureModel
) -> tuple[PracticeProfile | None, str | None]:
    atlas: PracticeAtlas | None = model.practices
    if atlas is None:
        return None, None
    own = _own_profile(culture, atlas)
    if own is not None:
        return own, None
    for donor in _practice_donors(culture, model):
        profile = _own_profile(donor, atlas)
        if profile is not None:
            return profile, donor.label
    return None, None


# --- building ----------------------------------------------------------------------


def _own_profile(culture: Culture, atlas: PracticeAtlas) -> PracticeProfile | None:
    if culture.kind == "country" and culture.iso3:
        return atlas.countries.get(culture.iso3)
    return atlas.samples.get(culture.code)


def _country_row(culture: Culture, model: CultureModel) -> Culture | None:
    if not culture.iso3:
        return None
    for c in model.cultures:
        if c.kind == "country" and c.iso3 == culture.iso3 and c.code != culture.code:
            return c
    return None


def _covering_regions(culture: Culture, model: CultureModel) -> list[Culture]:
    if not culture.iso2:
        return []
    return [c for c in model.cultures if c.kind == "region" and culture.iso2 in c.covers]


def _practice_donors(culture: Culture, model: CultureModel) -> list[Culture]:
    if culture.kind == "subnational":
        country = _country_row(culture, model)
        return [country] if country else []
    if culture.kind == "country":
        return _covering_regions(culture, model)
    return []


def _value_donors(culture: Culture, model: CultureModel, atlas: PracticeAtlas) -> list[Culture]:
    donors = _practice_donors(culture, model)
    profile = _own_profile(culture, atlas)
    named = getattr(profile, "values_from", None) if profile else None
    if named:
        row = model.get(named)
        if row is not None and row not in donors:
            donors.append(row)
    return donors


def _scale_dimensions(atlas: PracticeAtlas) -> tuple[Dimension, ...]:
    # levels 1-2 read as "low", 4-5 as "high" in `is low|high` conditions
    low_below, high_from = 1.5 * LEVEL_POINTS, 2.5 * LEVEL_POINTS
    dims = [
        Dimension(
            key=s.key,
            column=s.key,
            name=s.name,
            low_pole=s.low_pole,
            high_pole=s.high_pole,
            meaning=s.meaning,
            low_below=low_below,
            high_from=high_from,
            common_ground=s.common_ground,
            layer="practice",
        )
        for s in atlas.scales
    ]
    dims.append(
        Dimension(
            key=HOLISTIC,
            column=HOLISTIC,
            name="Holistic reasoning",
            low_pole="on the applications-principles line",
            high_pole="holistic",
            meaning=(
                "Derived from the persuading scale: 100 where a culture reasons from the "
                "whole system and its relationships rather than from principles or cases."
            ),
            low_below=low_below,
            high_from=high_from,
            layer="practice",
        )
    )
    return tuple(dims)


def _practice_scores(
    profile: PracticeProfile | None, atlas: PracticeAtlas, borrowed_from: str | None
) -> tuple[dict[str, float | None], dict[str, str], dict[str, float]]:
    scores: dict[str, float | None] = dict.fromkeys((*atlas.keys, HOLISTIC))
    borrowed: dict[str, str] = {}
    uncertainty: dict[str, float] = {}
    if profile is None:
        return scores, borrowed, uncertainty
    factor = BORROWED_FACTOR if borrowed_from else 1.0
    for key, position in profile.positions.items():
        scores[key] = position.points
        uncertainty[key] = atlas.uncertainty_points(position.confidence) * factor
        if borrowed_from:
            borrowed[key] = borrowed_from
        if key == "persuading":
            scores[HOLISTIC] = 100.0 if position.holistic else 0.0
            uncertainty[HOLISTIC] = uncertainty[key]
            if borrowed_from:
                borrowed[HOLISTIC] = borrowed_from
    return scores, borrowed, uncertainty


def _enrich(
    culture: Culture,
    base: CultureModel,
    atlas: PracticeAtlas,
    fallback: bool,
) -> Culture:
    scores = dict(culture.scores)
    borrowed: dict[str, str] = {}
    uncertainty = {k: VALUE_UNCERTAINTY for k, v in scores.items() if v is not None}
    if fallback:
        for donor in _value_donors(culture, base, atlas):
            for key in base.keys:
                if scores.get(key) is None and donor.scores.get(key) is not None:
                    scores[key] = donor.scores[key]
                    borrowed[key] = donor.label
                    uncertainty[key] = VALUE_UNCERTAINTY * BORROWED_FACTOR
    profile = _own_profile(culture, atlas)
    donor_label = None
    if profile is None and fallback:
        for donor in _practice_donors(culture, base):
            profile = _own_profile(donor, atlas)
            if profile is not None:
                donor_label = donor.label
                break
    practice, practice_borrowed, practice_uncertainty = _practice_scores(
        profile, atlas, donor_label
    )
    scores.update(practice)
    borrowed.update(practice_borrowed)
    uncertainty.update(practice_uncertainty)
    return dataclasses.replace(culture, scores=scores, borrowed=borrowed, uncertainty=uncertainty)


def _made_up_rows(base: CultureModel, atlas: PracticeAtlas, fallback: bool) -> list[Culture]:
    """Rows for countries the model has none for, but the practice data or a covering
    region can speak for."""
    import pycountry

    have = {c.iso3 for c in base.cultures if c.kind == "country" and c.iso3}
    codes = {c.code for c in base.cultures}
    wanted: dict[str, str] = {}  # iso3 -> name
    for iso3, profile in atlas.countries.items():
        wanted.setdefault(iso3, profile.name)
    if fallback:
        for region in base.cultures:
            for iso2 in region.covers if region.kind == "region" else ():
                country = pycountry.countries.get(alpha_2=iso2)
                if country is not None:
                    wanted.setdefault(
                        country.alpha_3, getattr(country, "common_name", country.name)
                    )
    rows = []
    for iso3, name in sorted(wanted.items()):
        country = pycountry.countries.get(alpha_3=iso3)
        if iso3 in have or iso3 in codes or country is None:
            continue
        rows.append(
            Culture(
                code=iso3,
                name=name,
                kind="country",
                scores=dict.fromkeys(base.keys),
                source_name="",
                iso2=country.alpha_2,
                iso3=iso3,
            )
        )
    return rows


def _join(base: CultureModel, atlas: PracticeAtlas, fallback: bool) -> CultureModel:
    made_up = _made_up_rows(base, atlas, fallback)
    cultures = tuple(_enrich(c, base, atlas, fallback) for c in (*base.cultures, *made_up))
    return dataclasses.replace(
        base,
        dimensions=(*base.dimensions, *_scale_dimensions(atlas)),
        cultures=cultures,
        practices=atlas,
    )
