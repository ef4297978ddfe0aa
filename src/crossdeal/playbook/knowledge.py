"""What a briefing says about its own knowledge: the practice positions behind it, the
scores it borrowed, how confident it is, and the themes it could not decide."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

from crossdeal.culture.layers import practice_profile
from crossdeal.culture.model import Culture, CultureModel
from crossdeal.playbook.briefing import PracticeView, Unmeasured
from crossdeal.playbook.rules import themes

if TYPE_CHECKING:
    from crossdeal.playbook.engine import Finding

__all__ = ["briefing_confidence", "fallback_notes", "practice_views", "unmeasured_themes"]

Confidence = Literal["high", "medium", "low"]


_views: dict[tuple[int, str, str, str, str], tuple[CultureModel, list[PracticeView]]] = {}


def practice_views(seller: Culture, buyer: Culture, model: CultureModel) -> list[PracticeView]:
    """Both sides on every practice scale, with confidence, notes and sources."""
    key = (id(model), seller.code, seller.name, buyer.code, buyer.name)
    hit = _views.get(key)
    if hit is not None and hit[0] is model:
        return hit[1]
    views = _practice_views(seller, buyer, model)
    if len(_views) > 20_000:  # bounded: a long-running server briefs many pairs
        _views.clear()
    _views[key] = (model, views)
    return views


def _practice_views(seller: Culture, buyer: Culture, model: CultureModel) -> list[PracticeView]:
    atlas = model.practices
    if atlas is None:
        return []
    profiles = [practice_profile(seller, model), practice_profile(buyer, model)]
    views = []
    for scale in atlas.scales:
        positions = [p.positions.get(scale.key) if p else None for p, _ in profiles]
        notes = [
            f"{culture.name}: {pos.note}"
            for culture, pos in zip((seller, buyer), positions, strict=True)
            if pos is not None and pos.note
        ]
        sources = list(
            dict.fromkeys(
                src.split()[0] for pos in positions if pos is not None for src in pos.sources
            )
        )
        s, b = positions
        views.append(
            PracticeView(
                key=scale.key,
                name=scale.name,
                low_pole=scale.low_pole,
                high_pole=scale.high_pole,
                seller_level=s.level if s else None,
                buyer_level=b.level if b else None,
                seller_holistic=bool(s and s.holistic),
                buyer_holistic=bool(b and b.holistic),
                seller_confidence=s.confidence if s else None,
                buyer_confidence=b.confidence if b else None,
                seller_from=profiles[0][1] if s else None,
                buyer_from=profiles[1][1] if b else None,
                notes=notes,
                sources=sources,
            )
        )
    return views


def fallback_notes(culture: Culture, model: CultureModel) -> list[str]:
    """One line per row a culture's scores were taken from."""
    by_donor: dict[str, list[str]] = {}
    for key, donor in culture.borrowed.items():
        by_donor.setdefault(donor, []).append(key)
    out = []
    for donor, keys in by_donor.items():
        values = [model.dimension(k).name.lower() for k in keys if k in model.distance_keys]
        if values:
            out.append(
                f"Using {donor} for {culture.name}'s {', '.join(values)}: there are no scores "
                "of its own, so the advice that rests on them is less certain."
            )
        if len(values) < len(keys):
            out.append(
                f"{culture.name} has no practice coding of its own: using {donor} for how "
                "people disagree, decide, keep time and build trust; treat it as a first guess."
            )
    return out


def briefing_confidence(
    seller: Culture, buyer: Culture, model: CultureModel
) -> tuple[Confidence, str]:
    """High when both sides rest on their own data; lower with each fallback or gap."""
    practice_keys = [d.key for d in model.dimensions if d.layer == "practice"]
    value_keys = model.distance_keys
    reasons: list[str] = []
    level = 0
    for culture in (seller, buyer):
        borrowed_values = [k for k in value_keys if k in culture.borrowed]
        no_practice = all(culture.scores.get(k) is None for k in practice_keys)
        borrowed_practice = any(k in culture.borrowed for k in practice_keys)
        own = set(culture.own)
        own_values = [k for k in value_keys if k in own]
        if no_practice and len(own_values) < len(value_keys):
            level = max(level, 2)
        elif no_practice or borrowed_practice or len(own_values) < len(value_keys):
            level = max(level, 1)
        if borrowed_values:
            reasons.append(f"{culture.name}'s value scores are partly borrowed")
        elif len(own_values) < len(value_keys):
            reasons.append(f"{culture.name} lacks some value scores")
        if no_practice:
            reasons.append(f"crossdeal has no practice coding for {culture.name}")
        elif borrowed_practice:
            reasons.append(f"{culture.name}'s practice positions are borrowed")
    names: tuple[Confidence, ...] = ("high", "medium", "low")
    reason = "; ".join(reasons) or "both sides rest on their own scores and practice coding"
    return names[level], reason + "."


def unmeasured_themes(findings: Sequence[Finding]) -> list[Unmeasured]:
    """Themes where nothing fired and at least one rule could not be decided."""
    fired = {f.rule.theme for f in findings if f.severity is not None}
    missing: dict[str, dict[str, None]] = {}
    for f in findings:
        if f.severity is None and f.rule.theme not in fired:
            missing.setdefault(f.rule.theme, {}).update(dict.fromkeys(f.missing))
    catalogue = themes()
    return [
        Unmeasured(
            theme=theme,
            title=catalogue[theme].title,
            missing=list(keys),
            questions=list(catalogue[theme].ask_when_unknown),
        )
        for theme, keys in sorted(missing.items(), key=lambda kv: catalogue[kv[0]].order)
    ]
