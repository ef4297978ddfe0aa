"""The playbook engine: rules + a seller/buyer pair -> a :class:`Briefing`.

The engine keeps no state between calls: the same pair, data and rules always give
the same briefing, in the same order.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crossdeal.culture.distance import (
    Distance,
    euclidean_distance,
    kogut_singh_index,
    kogut_singh_percentile,
)
from crossdeal.culture.layers import VALUE_UNCERTAINTY, with_practices
from crossdeal.culture.model import Culture, CultureModel
from crossdeal.culture.reports import (
    common_ground,
    culture_ref,
    data_gaps,
    distance_report,
    model_ref,
)
from crossdeal.forecast.prior import CyclePart, CyclePrior, default_cycle_prior
from crossdeal.playbook.briefing import (
    Briefing,
    ChannelAdvice,
    CycleContribution,
    CycleEstimate,
    Evidence,
    NotEvaluated,
    PlaybookRef,
    Risk,
)
from crossdeal.playbook.expressions import Condition
from crossdeal.playbook.knowledge import (
    briefing_confidence,
    fallback_notes,
    practice_views,
    unmeasured_themes,
)
from crossdeal.playbook.margin import MarginFn, compile_margin
from crossdeal.playbook.rules import (
    SEVERITIES,
    Rule,
    Severity,
    check_dimensions,
    load_rules,
    themes,
)

__all__ = ["Finding", "Playbook", "evidence_for", "pair_context"]

_SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}
# Shared scored dimensions below which a distance (and the cycle prior built on it)
# is not reported: two or three dimensions can put any two countries close or far.
MIN_SHARED_DIMENSIONS = 4
_CHANNEL_RANK = {"in-person": 0, "video": 1, "phone": 2, "email": 3}


# Margins (in units of the data's uncertainty) below this are borderline, and the
# margin at which a card's strength stops growing.
BORDERLINE_MARGIN = 1.0
FULL_STRENGTH_MARGIN = 3.0


@dataclass(frozen=True, slots=True)
class Finding:
    """A rule decided for one pair: fired with a severity, or left unknown.

    ``severity`` is graded: a card is no more severe than its evidence is clear. A rule
    whose condition holds by less than one unit of the data's uncertainty shows at most
    as watch, by less than half a unit at most as info, whatever its ladder says
    (``ladder_severity``); so a single point of a score never switches a high card on or
    off: just past its threshold a rule shows as info. ``margin`` is
    how far the condition is past its threshold in those units; ``borderline`` says
    what is within the uncertainty.
    """

    rule: Rule
    severity: Severity | None  # None: the condition could not be decided
    missing: tuple[str, ...] = ()
    ladder_severity: Severity | None = None
    margin: float | None = None
    borderline: str | None = None

    @property
    def clear(self) -> bool:
        """Whether the rule holds by at least one unit of the data's uncertainty."""
        return self.margin is not None and self.margin >= BORDERLINE_MARGIN

    @property
    def strength(self) -> float:
        """0-1: how clearly the rule holds (its margin, capped at three units)."""
        if self.margin is None:
            return 0.0
        return round(min(max(self.margin, 0.0), FULL_STRENGTH_MARGIN) / FULL_STRENGTH_MARGIN, 2)


class Playbook:
    """A set of compiled rules. Build with :meth:`load`; evaluate with :meth:`brief`."""

    def __init__(self, rules: Sequence[Rule], rule_files: Sequence[str] = ()) -> None:
        self.rules = tuple(sorted(rules, key=lambda r: (themes()[r.theme].order, r.id)))
        self.rule_files = tuple(rule_files)
        self._for_model: dict[int, tuple[CultureModel, tuple[Rule, ...]]] = {}

    @classmethod
    def load(cls, extra: Iterable[str | Path] = (), include_shipped: bool = True) -> Playbook:
        """Shipped rules plus user rule files/folders (which add or replace rules by id)."""
        paths = [str(p) for p in extra]
        return cls(load_rules(paths, include_shipped=include_shipped), paths)

    @classmethod
    @functools.cache
    def default(cls) -> Playbook:
        return cls.load()

    def rules_for(self, model: CultureModel) -> tuple[Rule, ...]:
        """The rules that can run on ``model`` (an unknown dimension in a user rule is an error)."""
        cached = self._for_model.get(id(model))
        if cached is None or cached[0] is not model:
            cached = (model, tuple(check_dimensions(self.rules, model.keys)))
            self._for_model[id(model)] = cached
        return cached[1]

    def evaluate(self, seller: Culture, buyer: Culture, model: CultureModel) -> list[Finding]:
        """Every applicable rule, decided for this pair (fired, or unknown with what is missing)."""
        model = with_practices(model)
        seller, buyer = _joined(seller, model), _joined(buyer, model)
        return self._evaluate(seller, buyer, model, pair_context(seller, buyer, model))

    def _evaluate(
        self,
        seller: Culture,
        buyer: Culture,
        model: CultureModel,
        context: dict[str, float | str | None],
    ) -> list[Finding]:
        findings: list[Finding] = []
        uncertainty = _uncertainty(seller, buyer, model)
        thresholds = _thresholds(model)
        steps = _steps(model)
        for rule in self.rules_for(model):
            outcome = rule.when.evaluate(context)
            if outcome is True:
                findings.append(_graded(rule, context, uncertainty, thresholds, steps))
            elif outcome is None:
                missing = tuple(
                    dict.fromkeys(
                        v.qualified for v in rule.when.variables if context.get(v.qualified) is None
                    )
                )
                findings.append(Finding(rule, None, missing))
        return findings

    def brief(
        self,
        seller: Culture,
        buyer: Culture,
        model: CultureModel,
        cycle_prior: CyclePrior | None = None,
        common_language: bool | None = None,
    ) -> Briefing:
        """The briefing for a pair of cultures. ``common_language``: whether the two share
        a business language (None: not known), for the cycle estimate."""
        prior = cycle_prior or default_cycle_prior()
        model = with_practices(model)
        seller, buyer = _joined(seller, model), _joined(buyer, model)
        keys = model.distance_keys
        ks = kogut_singh_index(seller.scores, buyer.scores, model.variances, keys)
        eu = euclidean_distance(seller.scores, buyer.scores, keys)
        findings = self._evaluate(
            seller, buyer, model, pair_context(seller, buyer, model, (ks.value, eu.value))
        )
        fired = [f for f in findings if f.severity is not None]
        fired = _ranked(fired)
        risks = [_risk(i, f, seller, buyer, model) for i, f in enumerate(fired, 1)]
        theme_levels: dict[str, Severity] = {}
        for risk in sorted(risks, key=lambda r: -_SEVERITY_RANK[r.severity]):
            theme_levels.setdefault(risk.theme, risk.severity)  # the highest per theme
        channel = _channel_advice(fired)
        # With fewer than four shared scores the distance says little: give no cycle
        # factor and no common ground rather than numbers that look more certain than
        # they are, and say so first.
        thin = len(ks.used) < MIN_SHARED_DIMENSIONS
        directed = (
            None if thin else prior.directed(ks.value, seller.scores, buyer.scores, common_language)
        )
        factor, parts = directed if directed is not None else (None, ())
        gaps = data_gaps(seller, model) + data_gaps(buyer, model)
        confidence, confidence_reason = briefing_confidence(seller, buyer, model)
        if thin:
            gaps.insert(
                0,
                f"Not enough data for a full briefing: {len(ks.used)} of "
                f"{len(keys)} value dimensions are scored for both sides. The risks below "
                "rest on those alone; no cycle estimate or common ground is given.",
            )
        return Briefing(
            seller=culture_ref(seller),
            buyer=culture_ref(buyer),
            model=model_ref(model),
            playbook=PlaybookRef(
                rules_evaluated=len(self.rules_for(model)), rule_files=list(self.rule_files)
            ),
            themes=theme_levels,
            risks=risks,
            common_ground=[] if thin else common_ground(seller, buyer, model),
            channel=channel,
            cycle=CycleEstimate(
                factor=round(factor, 3) if factor is not None else None,
                kogut_singh=ks.value,
                per_kogut_singh_unit=prior.per_kogut_singh_unit,
                cap=prior.cap,
                parts=[CycleContribution(reason=p.reason, added=p.added) for p in parts],
                explanation=_cycle_explanation(factor, ks, prior, thin, parts),
            ),
            kogut_singh=distance_report(ks),
            euclidean=distance_report(eu),
            not_evaluated=[
                NotEvaluated(rule_id=f.rule.id, theme=f.rule.theme, missing=list(f.missing))
                for f in findings
                if f.severity is None
            ],
            data_gaps=gaps,
            fallbacks=fallback_notes(seller, model) + fallback_notes(buyer, model),
            confidence=confidence,
            confidence_reason=confidence_reason,
            practices=practice_views(seller, buyer, model),
            unmeasured=unmeasured_themes(findings),
            kogut_singh_meaning=_kogut_singh_meaning(ks, model, thin),
        )


def _kogut_singh_meaning(ks: Distance, model: CultureModel, thin: bool) -> str | None:
    if ks.value is None or thin:
        return None
    share = kogut_singh_percentile(ks.value, model)
    if share is None:
        return None
    if share >= 0.5:
        where = f"closer than {round(share * 100)}% of pairs of countries in the data"
    else:
        where = f"farther apart than {round((1 - share) * 100)}% of pairs of countries in the data"
    return (
        f"Kogut-Singh {ks.value:.2f}: the average squared gap on the value dimensions, "
        f"scaled by how much each varies between countries; {where}."
    )


# Themes that give the same advice from two sides count as one on the first screen.
_FAMILY = {"make-them-see-you": "relationship-first"}
TOP = 3


def _ranked(fired: list[Finding]) -> list[Finding]:
    """What matters most for this call first.

    By severity, then by how clearly the rule holds (its strength), then in the
    documented order of the themes; the first three come from three different themes
    where cards of the same severity allow it, so the first screen covers three
    different things to do without ever putting a less severe card above a more severe
    one.
    """
    order = sorted(
        fired,
        key=lambda f: (
            -_SEVERITY_RANK[f.severity],  # type: ignore[index]
            -f.strength,
            themes()[f.rule.theme].order,
            f.rule.id,
        ),
    )
    fired_themes = {f.rule.theme for f in order}
    seen: set[str] = set()

    def fresh(f: Finding) -> bool:
        family = _FAMILY.get(f.rule.theme, f.rule.theme)
        # the family's own theme speaks for it where both fired
        stand_in = family != f.rule.theme and family in fired_themes
        return family not in seen and not stand_in

    top: list[Finding] = []
    rest = list(order)
    while rest and len(top) < TOP:
        level = rest[0].severity  # the most severe card left: ``order`` is sorted
        same = [f for f in rest if f.severity == level]
        pick = next((f for f in same if fresh(f)), same[0])
        top.append(pick)
        seen.add(_FAMILY.get(pick.rule.theme, pick.rule.theme))
        rest.remove(pick)
    return top + rest


def _joined(culture: Culture, model: CultureModel) -> Culture:
    """The model's own row for a culture that was looked up without the practice layer."""
    if len(culture.scores) >= len(model.keys) and culture.scores.keys() >= set(model.keys):
        return culture
    row = model.get(culture.code)
    if row is not None and row.name == culture.name:
        return row
    return culture


_contexts: dict[tuple[int, int, int], tuple[Any, dict[str, float | str | None]]] = {}


def pair_context(
    seller: Culture | None,
    buyer: Culture | None,
    model: CultureModel,
    distances: tuple[float | None, float | None] | None = None,
) -> dict[str, float | str | None]:
    """The names a condition can read for a pair: scores, levels, gaps and distances.

    A side that is None (not known) has every score unknown, so conditions on it stay
    undecided instead of guessing. ``distances`` (Kogut-Singh, Euclidean) spares a
    caller that has computed them already. The result is the caller's to extend: a
    copy of what is kept per pair (cultures are immutable, so the same pair always gives
    the same names).
    """
    key = (id(model), id(seller), id(buyer))
    hit = _contexts.get(key)
    if hit is not None and all(a is b for a, b in zip(hit[0], (model, seller, buyer), strict=True)):
        return dict(hit[1])
    context = _pair_context(seller, buyer, model, distances)
    if len(_contexts) > 4096:
        _contexts.clear()
    _contexts[key] = ((model, seller, buyer), context)
    return dict(context)


def _pair_context(
    seller: Culture | None,
    buyer: Culture | None,
    model: CultureModel,
    distances: tuple[float | None, float | None] | None,
) -> dict[str, float | str | None]:
    empty: dict[str, float | None] = {}
    seller_scores = seller.scores if seller is not None else empty
    buyer_scores = buyer.scores if buyer is not None else empty
    context: dict[str, float | str | None] = {}
    for dim in model.dimensions:
        key = dim.key
        s = seller_scores.get(key)
        b = buyer_scores.get(key)
        context["seller." + key] = s
        context["buyer." + key] = b
        context["gap." + key] = None if s is None or b is None else b - s
        context["seller." + key + ":level"] = None if s is None else dim.level(s)
        context["buyer." + key + ":level"] = None if b is None else dim.level(b)
    if distances is None:
        keys = model.distance_keys
        distances = (
            kogut_singh_index(seller_scores, buyer_scores, model.variances, keys).value,
            euclidean_distance(seller_scores, buyer_scores, keys).value,
        )
    context["distance.kogut_singh"], context["distance.euclidean"] = distances
    return context


def _severity(rule: Rule, context: dict[str, float | str | None]) -> Severity:
    return rule.severity[_severity_step(rule, context)][0]


def _severity_step(rule: Rule, context: dict[str, float | str | None]) -> int:
    for i, (_, condition) in enumerate(rule.severity):
        if condition.evaluate(context) is True:
            return i
    return len(rule.severity) - 1


Uncertainty = Callable[[str], float]

_margins: dict[int, tuple[Condition, MarginFn]] = {}


def _margin_fn(condition: Condition) -> MarginFn:
    """The condition's margin, compiled once per condition."""
    hit = _margins.get(id(condition))
    if hit is None or hit[0] is not condition:
        hit = _margins[id(condition)] = (condition, compile_margin(condition.tree))
    return hit[1]


_defaults: dict[int, tuple[CultureModel, dict[str, float]]] = {}


def _default_uncertainty(model: CultureModel) -> dict[str, float]:
    hit = _defaults.get(id(model))
    if hit is None or hit[0] is not model:
        practice_default = (
            model.practices.uncertainty_points("medium") if model.practices is not None else 0.0
        )
        values = {
            d.key: VALUE_UNCERTAINTY if d.layer == "values" else practice_default
            for d in model.dimensions
        }
        hit = _defaults[id(model)] = (model, values)
    return hit[1]


def _uncertainty(seller: Culture, buyer: Culture, model: CultureModel) -> Uncertainty:
    """Each context name's uncertainty in points: a side's own, or its default by layer."""
    defaults = _default_uncertainty(model)

    def side(culture: Culture, key: str) -> float:
        return culture.uncertainty.get(key) or defaults.get(key, 0.0)

    def of(name: str) -> float:
        where, _, key = name.partition(".")
        if where == "seller":
            return side(seller, key)
        if where == "buyer":
            return side(buyer, key)
        if where == "gap":
            return math.hypot(side(seller, key), side(buyer, key))
        return 0.0

    return of


def _steps(model: CultureModel) -> Callable[[str], float]:
    """Practice positions take whole levels (steps of 25 points), and so do their gaps."""
    from crossdeal.culture.practice import LEVEL_POINTS

    lattice = {d.key for d in model.dimensions if d.layer == "practice"}

    def of(name: str) -> float:
        where, _, key = name.partition(".")
        return LEVEL_POINTS if where in ("seller", "buyer", "gap") and key in lattice else 0.0

    return of


def _thresholds(model: CultureModel) -> Callable[[str], tuple[float, float] | None]:
    bounds = {d.key: (d.low_below, d.high_from) for d in model.dimensions}

    def of(name: str) -> tuple[float, float] | None:
        return bounds.get(name.partition(".")[2])

    return of


def _graded(
    rule: Rule,
    context: dict[str, float | str | None],
    uncertainty: Uncertainty,
    thresholds: Callable[[str], tuple[float, float] | None],
    steps: Callable[[str], float],
) -> Finding:
    """A fired rule with its margin, its graded severity and what is borderline."""

    def margin_of(condition: Condition) -> float | None:
        return _margin_fn(condition)(context, uncertainty, thresholds, steps)

    step = _severity_step(rule, context)
    ladder = rule.severity[step][0]
    margin = margin_of(rule.when)
    notes = []
    severity = ladder
    if margin is not None and margin < BORDERLINE_MARGIN:
        notes.append("the evidence is within the data's uncertainty of this rule's threshold")
        # a card is no more severe than its evidence is clear: within half a unit of
        # the threshold at most info, within one unit at most watch
        cap = 0 if margin < BORDERLINE_MARGIN / 2 else 1
        lower = min(SEVERITIES.index(ladder), cap)
        if SEVERITIES[lower] != ladder:
            severity = SEVERITIES[lower]
            notes[-1] += f", so it shows as {severity} rather than {ladder}"
    if severity == ladder and step < len(rule.severity) - 1:
        level_margin = margin_of(rule.severity[step][1])
        if level_margin is not None and level_margin < BORDERLINE_MARGIN:
            below = rule.severity[step + 1][0]
            notes.append(f"close to the line between {below} and {ladder}")
    if step > 0:
        above = margin_of(rule.severity[step - 1][1])
        if above is not None and above > -BORDERLINE_MARGIN:
            notes.append(f"close to the line between {ladder} and {rule.severity[step - 1][0]}")
    return Finding(
        rule,
        severity,
        ladder_severity=ladder,
        margin=None if margin is None else round(margin, 2),
        borderline="; ".join(notes) or None,
    )


def evidence_for(
    dimensions: Iterable[str],
    seller: Culture | None,
    buyer: Culture | None,
    model: CultureModel,
    notes: bool = True,
) -> list[Evidence]:
    """The scores behind a rule, one entry per dimension it read.

    A practice position carries its level (1-5), confidence and sources; a score taken
    from another row says which (``notes``; a message finding, which quotes the words
    behind it, leaves them out).
    """
    from crossdeal.culture.practice import HOLISTIC, level_of

    out = []
    for key in dimensions:
        dim = model.dimension(key)
        s = seller.scores.get(key) if seller is not None else None
        b = buyer.scores.get(key) if buyer is not None else None
        practice = dim.layer == "practice"
        found = (
            [
                note
                for culture in (seller, buyer)
                if culture is not None and (note := _evidence_note(culture, key, model)) is not None
            ]
            if notes
            else []
        )
        out.append(
            Evidence(
                dimension=key,
                name=dim.name,
                layer=dim.layer,
                seller=s,
                buyer=b,
                gap=None if s is None or b is None else b - s,
                seller_level=None if s is None else dim.level(s),
                buyer_level=None if b is None else dim.level(b),
                seller_practice_level=(
                    None if not practice or s is None or key == HOLISTIC else round(level_of(s), 1)
                ),
                buyer_practice_level=(
                    None if not practice or b is None or key == HOLISTIC else round(level_of(b), 1)
                ),
                notes=found,
            )
        )
    return out


_notes: dict[tuple[int, str, str, str], tuple[CultureModel, str | None]] = {}


def _evidence_note(culture: Culture, key: str, model: CultureModel) -> str | None:
    """Where one side's value on ``key`` comes from: its sources, or the row it was taken from."""
    cache_key = (id(model), culture.code, culture.name, key)
    hit = _notes.get(cache_key)
    if hit is not None and hit[0] is model:
        return hit[1]
    from crossdeal.culture.layers import practice_profile
    from crossdeal.culture.practice import HOLISTIC

    note: str | None = None
    if model.dimension(key).layer == "practice":
        profile = practice_profile(culture, model)[0]
        position = (
            profile.positions.get("persuading" if key == HOLISTIC else key) if profile else None
        )
        if position is not None:
            where = f" (from {culture.borrowed[key]})" if key in culture.borrowed else ""
            shown = "holistic" if position.holistic else f"level {position.level}"
            note = (
                f"{culture.name}{where}: {shown}, {position.confidence} confidence "
                f"({'; '.join(position.sources)})"
            )
            if position.note:
                note += f". {position.note}"
    elif key in culture.borrowed:
        note = f"{culture.name}: taken from {culture.borrowed[key]}"
    if len(_notes) > 50_000:
        _notes.clear()
    _notes[cache_key] = (model, note)
    return note


def _risk(
    rank: int, finding: Finding, seller: Culture, buyer: Culture, model: CultureModel
) -> Risk:
    rule = finding.rule
    return Risk(
        rule_id=rule.id,
        theme=rule.theme,
        severity=finding.severity,
        rank=rank,
        strength=finding.strength,
        margin=finding.margin,
        ladder_severity=finding.ladder_severity or finding.severity,
        borderline=finding.borderline,
        title=rule.title,
        advice=list(rule.advice),
        questions=list(rule.questions),
        rationale=rule.rationale,
        condition=rule.when.text,
        evidence=evidence_for(rule.dimensions, seller, buyer, model),
        sources=list(rule.sources),
        rule_file=rule.file,
    )


def _channel_advice(fired: Sequence[Finding]) -> list[ChannelAdvice]:
    out: list[ChannelAdvice] = []
    seen: set[tuple[str, str]] = set()
    for f in fired:
        channel = f.rule.channel
        if channel is None or (channel.mode, channel.advice) in seen:
            continue
        seen.add((channel.mode, channel.advice))
        out.append(
            ChannelAdvice(
                mode=channel.mode,
                advice=channel.advice,
                severity=f.severity,
                rule_id=f.rule.id,
            )
        )
    out.sort(key=lambda c: (-_SEVERITY_RANK[c.severity], _CHANNEL_RANK[c.mode], c.rule_id))
    return out


def _cycle_explanation(
    factor: float | None,
    ks: Distance,
    prior: CyclePrior,
    thin: bool = False,
    parts: Sequence[CyclePart] = (),
) -> str:
    if thin:
        return (
            f"No cycle adjustment: the two cultures share scores on {len(ks.used)} "
            f"dimension(s) only ({', '.join(ks.used) or 'none'}), too few for a distance."
        )
    if factor is None or ks.value is None:
        return "No cultural distance could be computed, so no cycle adjustment is given."
    capped = " (capped)" if factor >= prior.cap else ""
    sums = " + ".join(f"{p.added:.2f} for {p.reason}" for p in parts if p.added)
    text = f"Expect about {factor:.2f}x the cycle of a same-culture deal{capped}: 1" + (
        f" + {sums}." if sums else "."
    )
    if ks.missing:
        text += (
            f" The distance rests on {', '.join(ks.used)} only ({', '.join(ks.missing)} missing),"
            " so treat it as a rough guide."
        )
    return text + (
        " This is a documented prior; a team's own won deals replace it once there are"
        " enough of them."
    )
