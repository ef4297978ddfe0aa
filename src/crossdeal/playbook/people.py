"""Briefings for people: the same playbook, run on person estimates, with the difference
from the country-level briefing spelled out."""

from __future__ import annotations

from crossdeal.culture.individual import PersonEstimate
from crossdeal.culture.model import Culture, CultureModel
from crossdeal.culture.practice import LEVEL_POINTS, level_of
from crossdeal.culture.reports import culture_ref
from crossdeal.forecast.prior import CyclePrior
from crossdeal.playbook.briefing import AdviceChange, Briefing, DimensionView, PersonReport
from crossdeal.playbook.engine import Playbook
from crossdeal.playbook.rules import SEVERITIES

__all__ = ["DEPARTURE_POINTS", "brief_people", "person_report"]

# A person "departs from the country norm" on a dimension when the estimate moved at
# least this far from the country score.
DEPARTURE_POINTS = 10.0

Side = Culture | PersonEstimate


def _culture(side: Side) -> Culture:
    return side.as_culture() if isinstance(side, PersonEstimate) else side


def _country(side: Side) -> Culture:
    return side.culture if isinstance(side, PersonEstimate) else side


def person_report(person: PersonEstimate, model: CultureModel) -> PersonReport:
    views = []
    departures = []
    for dim in model.dimensions:
        est = person.dimensions[dim.key]
        sources = list(dict.fromkeys(e.source for e in est.evidence))
        views.append(
            DimensionView(
                key=dim.key,
                name=dim.name,
                country=est.prior,
                estimate=None if est.estimate is None else round(est.estimate, 1),
                sd=round(est.sd, 1),
                shift=None if est.shift is None else round(est.shift, 1),
                evidence=sources,
            )
        )
        if (
            est.shift is not None
            and abs(est.shift) >= DEPARTURE_POINTS
            and est.estimate is not None
        ):
            pole = dim.high_pole if est.shift > 0 else dim.low_pole
            if dim.layer == "practice" and est.prior is not None:  # levels 1-5, as coded
                where = (
                    f"about level {level_of(est.estimate):.1f} ± {est.sd / LEVEL_POINTS:.1f} "
                    f"against {person.culture.name}'s {level_of(est.prior):.0f}"
                )
            else:
                where = (
                    f"about {est.estimate:.0f} ± {est.sd:.0f} "
                    f"against {person.culture.name}'s {est.prior:.0f}"
                )
            departures.append(
                f"{person.name}: {dim.name.lower()} {where}, towards '{pole}' "
                f"({', '.join(sources)})"
            )
    return PersonReport(
        name=person.name,
        culture=culture_ref(person.culture),
        observations=list(person.observations),
        sources=list(person.sources),
        dimensions=views,
        departures=departures,
    )


def brief_people(
    playbook: Playbook,
    seller: Side,
    buyer: Side,
    model: CultureModel,
    cycle_prior: CyclePrior | None = None,
    common_language: bool | None = None,
) -> Briefing:
    """A briefing for two sides, either of which may be a person estimate.

    The risks come from the person estimates; ``adjustments`` lists every rule whose
    outcome differs from the briefing for the two countries, and why.
    ``common_language``: whether the two share a business language (None: not known).
    """
    briefing = playbook.brief(
        _culture(seller), _culture(buyer), model, cycle_prior, common_language
    )
    people = [s for s in (seller, buyer) if isinstance(s, PersonEstimate)]
    if not people:
        return briefing
    country = playbook.brief(_country(seller), _country(buyer), model, cycle_prior, common_language)
    reports = {id(p): person_report(p, model) for p in people}
    departed: dict[str, list[str]] = {}
    for person in people:
        for key, est in person.dimensions.items():
            if est.shift is not None and abs(est.shift) >= DEPARTURE_POINTS:
                departed.setdefault(key, []).extend(
                    line
                    for line in reports[id(person)].departures
                    if model.dimension(key).name.lower() in line
                )
    rules = {r.id: r for r in playbook.rules_for(model)}
    before = {r.rule_id: r.severity for r in country.risks}
    after = {r.rule_id: r.severity for r in briefing.risks}
    changes = []
    for rule_id in sorted(set(before) | set(after), key=lambda r: (rules[r].theme, r)):
        old, new = before.get(rule_id), after.get(rule_id)
        if old == new:
            continue
        if new is None:
            change = "dropped"
        elif old is None:
            change = "added"
        else:
            change = "softened" if SEVERITIES.index(new) < SEVERITIES.index(old) else "sharpened"
        because = [line for key in rules[rule_id].dimensions for line in departed.get(key, [])]
        changes.append(
            AdviceChange(
                rule_id=rule_id,
                theme=rules[rule_id].theme,
                country_severity=old,
                person_severity=new,
                change=change,
                because=list(dict.fromkeys(because)),
            )
        )
    return briefing.model_copy(
        update={
            "seller_person": reports.get(id(seller)),
            "buyer_person": reports.get(id(buyer)),
            "adjustments": changes,
        }
    )
