"""Turn what a person types ("India", "in", "U.S.A.", "Korea, Republic of") into a culture.

Order of lookup, first hit wins:

1. the model's own codes, names and aliases, ISO 3166 alpha-2/alpha-3 codes of its
   country rows (a key that names two different cultures is ambiguous, not a guess);
2. ISO 3166 names through pycountry (official, common and short names);
3. otherwise an :class:`~crossdeal.errors.UnknownCultureError` with the closest
   matches, and, for a country that has no row of its own, the region that covers it.
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from typing import Any

from crossdeal.culture.model import Culture, CultureModel
from crossdeal.errors import AmbiguousCultureError, UnknownCultureError

__all__ = ["normalize", "resolve"]

_PUNCTUATION = re.compile(r"[.,'’()\[\]\-_/]+")
_SPACES = re.compile(r"\s+")


def normalize(text: str) -> str:
    """Case-, accent- and punctuation-insensitive form used for matching."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    folded = stripped.casefold().replace("&", " and ")
    without_dots = folded.replace(".", "")  # "U.S.A." -> "usa", not "u s a"
    return _SPACES.sub(" ", _PUNCTUATION.sub(" ", without_dots)).strip()


@functools.cache
def _index(model: CultureModel) -> dict[str, frozenset[str]]:
    keys: dict[str, set[str]] = {}

    def add(key: str | None, code: str) -> None:
        if key:
            norm = normalize(key)
            if norm:
                keys.setdefault(norm, set()).add(code)

    for culture in model.cultures:
        for key in (culture.code, culture.name, culture.source_name, *culture.aliases):
            add(key, culture.code)
    # ISO codes name the country row; sub-national samples share the country's
    # codes but are reached by their own names. A code that is also another
    # row's own code (SLV: Slovenia to Hofstede, El Salvador to ISO) stays ambiguous.
    for culture in model.cultures:
        if culture.kind == "country":
            add(culture.iso2, culture.code)
            add(culture.iso3, culture.code)
    return {k: frozenset(v) for k, v in keys.items()}


def resolve(model: CultureModel, query: str) -> Culture:
    """The single culture of ``model`` that ``query`` names.

    Raises :class:`UnknownCultureError` (with suggestions) or
    :class:`AmbiguousCultureError` (with the candidates); never guesses silently.
    """
    text = query.strip()
    if not text:
        raise UnknownCultureError(query, model_name=model.name)
    index = _index(model)
    codes = index.get(normalize(text))
    if codes is None:
        codes = _by_iso_name(model, text)
    if codes is None:
        country = _pycountry_lookup(text)
        known = getattr(country, "common_name", None) or getattr(country, "name", None)
        raise UnknownCultureError(text, _suggestions(model, text), model.name, known)
    if len(codes) > 1:
        cultures = sorted((model.get(c) for c in codes), key=lambda c: c.code if c else "")
        raise AmbiguousCultureError(text, [_describe_candidate(c, text) for c in cultures if c])
    culture = model.get(next(iter(codes)))
    assert culture is not None
    if culture.code_clash and normalize(text) == normalize(culture.code):
        raise AmbiguousCultureError(
            text,
            [
                f"{culture.name} ({text.upper()} is its code here; type {culture.name!r})",
                f"{culture.code_clash} ({text.upper()} is its ISO code; type "
                f"{culture.code_clash!r})",
            ],
        )
    return culture


def _describe_candidate(culture: Culture, query: str) -> str:
    how = "its code" if normalize(culture.code) == normalize(query) else "its ISO code"
    return f"{culture.name} ({query.upper()} is {how}; type {culture.name!r})"


def _by_iso_name(model: CultureModel, text: str) -> frozenset[str] | None:
    country = _pycountry_lookup(text)
    if country is None:
        return None
    matches = [c.code for c in model.cultures if c.kind == "country" and c.iso3 == country.alpha_3]
    return frozenset(matches) if matches else None


def _pycountry_lookup(text: str) -> Any:
    import pycountry

    try:
        return pycountry.countries.lookup(text)
    except LookupError:
        pass
    # "Korea, Republic of" style is covered by lookup; try the bare words too.
    bare = normalize(text)
    for country in pycountry.countries:
        names = (getattr(country, a, "") for a in ("name", "official_name", "common_name"))
        if any(normalize(n) == bare for n in names if n):
            return country
    return None


def _suggestions(model: CultureModel, text: str, limit: int = 4) -> list[str]:
    out: list[str] = []
    country = _pycountry_lookup(text)
    if country is not None:
        for region in model.cultures:
            if region.covers and country.alpha_2 in region.covers:
                out.append(f"{region.label}, which covers {country.name}")
    index = _index(model)
    # a real country's own ISO code is not a hint towards the row that shares it
    # (Macao is not North Macedonia because Hofstede codes that MAC)
    own_code = normalize(country.alpha_3) if country is not None else None
    for key in difflib.get_close_matches(normalize(text), list(index), n=8, cutoff=0.72):
        if key == own_code:
            continue
        for code in sorted(index[key]):
            culture = model.get(code)
            if culture is not None and culture.label not in out:
                out.append(culture.label)
    return out[:limit]
