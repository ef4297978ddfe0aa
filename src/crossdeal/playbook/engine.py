"""The playbook engine: rules + a seller/buyer pair -> a :class:`Briefing`.

The engine keeps no state between calls: the same pair, data and rules always give
the same briefing, in the same order.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from crossdeal.culture.distance import Distance, euclidean_distance, kogut_singh_index
from crossdeal.culture.model import Culture, CultureModel
from crossdeal.culture.reports import (
    common_ground,
    culture_ref,
    data_gaps,
    distance_report,
    model_ref,
)
from crossdeal.forecast.prior import CyclePrior, default_cycle_prior
from crossdeal.playbook.briefing import (
    Briefing,
    ChannelAdvice,
    CycleEstimate,
    Evidence,
    NotEvaluated,
    PlaybookRef,
    Risk,
)
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


@dataclass(frozen=True, slots=True)
class Finding:
    """A rule decided for one pair: fired with a severity, or left unknown."""

    rule: Rule
    severity: Severity | None  # None: the condition could not be decided
    missing: tuple[str, ...] = ()


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
        context = pair_context(seller, buyer, model)
        findings: list[Finding] = []
        for rule in self.rules_for(model):
            outcome = rule.when.evaluate(context)
            if outcome is True:
                findings.append(Finding(rule, _severity(rule, context)))
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
    ) -> Briefing:
        prior = cycle_prior or default_cycle_prior()
        keys = model.keys
        ks = kogut_singh_index(seller.scores, buyer.scores, model.variances, keys)
        eu = euclidean_distance(seller.scores, buyer.scores, keys)
        findings = self.evaluate(seller, buyer, model)
        fired = [f for f in findings if f.severity is not None]
        fired.sort(
            key=lambda f: (
                -_SEVERITY_RANK[f.severity],  # type: ignore[index]
                themes()[f.rule.theme].order,
                f.rule.id,
            )
        )
        risks = [_risk(f, seller, buyer, model) for f in fired]
        theme_levels: dict[str, Severity] = {}
        for risk in risks:  # already ordered by severity, so the first one per theme wins
            theme_levels.setdefault(risk.theme, risk.severity)
        channel = _channel_advice(fired)
        # With fewer than four shared scores the distance says little: give no cycle
        # factor and no common ground rather than numbers that look more certain than
        # they are, and say so first.
        thin = len(ks.used) < MIN_SHARED_DIMENSIONS
        factor = None if thin else prior.factor(ks.value)
        gaps = data_gaps(seller, model) + data_gaps(buyer, model)
        if thin:
            gaps.insert(
                0,
                f"Not enough data for a full briefing: {len(ks.used)} of "
                f"{len(model.keys)} dimensions are scored for both sides. The risks below "
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
                explanation=_cycle_explanation(factor, ks, prior, thin),
            ),
            kogut_singh=distance_report(ks),
            euclidean=distance_report(eu),
            not_evaluated=[
                NotEvaluated(rule_id=f.rule.id, theme=f.rule.theme, missing=list(f.missing))
                for f in findings
                if f.severity is None
            ],
            data_gaps=gaps,
        )


def pair_context(
    seller: Culture | None, buyer: Culture | None, model: CultureModel
) -> dict[str, float | str | None]:
    """The names a condition can read for a pair: scores, levels, gaps and distances.

    A side that is None (not known) has every score unknown, so conditions on it stay
    undecided instead of guessing.
    """
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
    keys = model.keys
    context["distance.kogut_singh"] = kogut_singh_index(
        seller_scores, buyer_scores, model.variances, keys
    ).value
    context["distance.euclidean"] = euclidean_distance(seller_scores, buyer_scores, keys).value
    return context


def _severity(rule: Rule, context: dict[str, float | str | None]) -> Severity:
    for level, condition in rule.severity:
        if condition.evaluate(context) is True:
            return level
    return rule.severity[-1][0]


def evidence_for(
    dimensions: Iterable[str], seller: Culture | None, buyer: Culture | None, model: CultureModel
) -> list[Evidence]:
    """The scores behind a rule, one entry per dimension it read."""
    out = []
    for key in dimensions:
        dim = model.dimension(key)
        s = seller.scores.get(key) if seller is not None else None
        b = buyer.scores.get(key) if buyer is not None else None
        out.append(
            Evidence(
                dimension=key,
                name=dim.name,
                seller=s,
                buyer=b,
                gap=None if s is None or b is None else b - s,
                seller_level=None if s is None else dim.level(s),
                buyer_level=None if b is None else dim.level(b),
            )
        )
    return out


def _risk(finding: Finding, seller: Culture, buyer: Culture, model: CultureModel) -> Risk:
    rule = finding.rule
    return Risk(
        rule_id=rule.id,
        theme=rule.theme,
        severity=finding.severity,
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
    factor: float | None, ks: Distance, prior: CyclePrior, thin: bool = False
) -> str:
    if thin:
        return (
            f"No cycle adjustment: the two cultures share scores on {len(ks.used)} "
            f"dimension(s) only ({', '.join(ks.used) or 'none'}), too few for a distance."
        )
    if factor is None or ks.value is None:
        return "No cultural distance could be computed, so no cycle adjustment is given."
    capped = " (capped)" if factor >= prior.cap else ""
    text = (
        f"Expect about {factor:.2f}x the cycle of a same-culture deal{capped}: "
        f"1 + {prior.per_kogut_singh_unit} x Kogut-Singh {ks.value:.2f}."
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
