"""The library's front door: one function per user job, returning typed results.

These are what ``import crossdeal`` offers and what the CLI calls; they only look
things up and delegate to the culture core and the playbook.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from crossdeal.culture.individual import PersonEstimate, estimate_person
from crossdeal.culture.layers import with_practices
from crossdeal.culture.model import (
    Culture,
    CultureKind,
    CultureModel,
    default_model,
    load_culture_model,
)
from crossdeal.culture.practice import PracticeAtlas, load_practices
from crossdeal.culture.reports import (
    Comparison,
    CultureList,
    CultureProfile,
    compare_cultures,
    culture_list,
    culture_profile,
)
from crossdeal.errors import InputError
from crossdeal.forecast.prior import CyclePrior
from crossdeal.playbook.briefing import Briefing
from crossdeal.playbook.engine import Playbook
from crossdeal.playbook.people import brief_people

if TYPE_CHECKING:  # the coach and the local store load only when a job needs them
    from crossdeal.calendar.reports import CalendarReport, PairCalendar, PracticalBriefing
    from crossdeal.messages.reports import LintReport, ReplyReport
    from crossdeal.people.store import PersonRecord, ProfileStore

__all__ = [
    "add_person",
    "assess",
    "brief",
    "business_calendar",
    "compare",
    "countries",
    "lint_message",
    "me",
    "person",
    "profile",
    "read_reply",
]

ModelArg = CultureModel | str | Path | None
PracticesArg = PracticeAtlas | str | Path | Iterable[str | Path] | None


def _model(model: ModelArg, practices: PracticesArg = None, fallback: bool = True) -> CultureModel:
    """The culture model joined with the practice layer (and its visible fallbacks)."""
    if model is None and practices is None and fallback:
        from crossdeal._model_cache import cached_briefing_model

        return cached_briefing_model()
    if isinstance(model, CultureModel):
        base = model
    elif model is None:
        base = default_model()
    else:
        base = load_culture_model(model)
    if base.practices is not None:
        return base
    return with_practices(base, _practices(practices), fallback)


def _practices(practices: PracticesArg) -> PracticeAtlas | None:
    if practices is None or isinstance(practices, PracticeAtlas):
        return practices
    return load_practices(_paths(practices, "practices"))


_KINDS = ("country", "region", "subnational")


def countries(model: ModelArg = None, kind: CultureKind | None = None) -> CultureList:
    """Every culture of the model, with the dimensions it has scores for."""
    if kind is not None and kind not in _KINDS:
        raise InputError(f"kind must be one of {', '.join(_KINDS)} (or None for all), not {kind!r}")
    return culture_list(_model(model), kind)


def _paths(value: str | Path | Iterable[str | Path], name: str) -> list[str | Path]:
    """One path or several: a single string is one file, never a list of letters."""
    if isinstance(value, str | Path):
        return [value]
    try:
        items = list(value)
    except TypeError:
        raise TypeError(
            f"{name} must be a path or a list of paths, not {type(value).__name__}"
        ) from None
    for item in items:
        if not isinstance(item, str | Path):
            raise TypeError(f"{name} must hold paths (str or Path), not {type(item).__name__}")
    return items


def _names(value: str | Iterable[str], name: str) -> list[str]:
    """One name or several: a single string is one id, never a list of letters."""
    if isinstance(value, str):
        return [value]
    try:
        items = list(value)
    except TypeError:
        raise TypeError(
            f"{name} must be a string or a list of strings, not {type(value).__name__}"
        ) from None
    for item in items:
        if not isinstance(item, str):
            raise TypeError(f"{name} must hold strings, not {type(item).__name__}")
    return items


def profile(culture: str | Culture, model: ModelArg = None) -> CultureProfile:
    """One culture's scores, levels and source. ``culture`` is a name or code ("India", "IN")."""
    m = _model(model)
    return culture_profile(m.resolve(culture), m)


def compare(seller: str | Culture, buyer: str | Culture, model: ModelArg = None) -> Comparison:
    """Per-dimension gaps (buyer minus seller), Kogut-Singh and Euclidean distances,
    and common ground."""
    m = _model(model)
    return compare_cultures(m.resolve(seller), m.resolve(buyer), m)


Side = str | Culture | PersonEstimate


def _store(store: ProfileStore | None) -> ProfileStore:
    from crossdeal.people.store import ProfileStore

    return store if store is not None else ProfileStore()


def me(model: ModelArg = None, store: ProfileStore | None = None) -> PersonEstimate:
    """Your own estimate: home culture as prior, your self-assessment as evidence."""
    from crossdeal.culture.assessment import questionnaire

    m = _model(model)
    profile = _store(store).me()
    if profile is None:
        raise InputError("there is no self-assessment yet: run `crossdeal assess` first")
    culture = m.resolve(profile.culture)
    evidence = questionnaire().evidence(profile.answers) if profile.answers else []
    return estimate_person("You", culture, m, extra_evidence=evidence)


def person(name: str, model: ModelArg = None, store: ProfileStore | None = None) -> PersonEstimate:
    """A saved person's estimate: their culture as prior, your observations as evidence."""
    m = _model(model)
    record = _store(store).find(name)
    if record is None:
        raise InputError(f"no saved person called {name!r}: add them with `crossdeal person add`")
    return estimate_person(record.name, m.resolve(record.culture), m, record.observations)


def add_person(
    name: str,
    culture: str,
    observations: Iterable[str] = (),
    company: str | None = None,
    role: str | None = None,
    model: ModelArg = None,
    store: ProfileStore | None = None,
) -> PersonRecord:
    """Save a person (or update one with the same name): culture, observations, role."""
    from pydantic import ValidationError

    from crossdeal._validation import describe
    from crossdeal.culture.individual import check_observations
    from crossdeal.people.store import PersonRecord

    m = _model(model)
    code = m.resolve(culture).code
    observed = check_observations(_names(observations, "observations"))
    try:
        record = PersonRecord(
            name=name, culture=code, observations=observed, company=company, role=role
        )
    except ValidationError as exc:
        raise InputError(describe(exc)[1]) from None
    return _store(store).save_person(record)


def assess(
    answers: Mapping[str, int],
    culture: str,
    model: ModelArg = None,
    store: ProfileStore | None = None,
) -> PersonEstimate:
    """Score your self-assessment, save it as your profile, and return your estimate."""
    from crossdeal.culture.assessment import questionnaire
    from crossdeal.people.store import SelfProfile

    m = _model(model)
    home = m.resolve(culture)
    checked = questionnaire().check(answers)
    _store(store).save_me(SelfProfile(culture=home.code, answers=checked))
    return me(m, store)


def _side(
    side: Side, model: CultureModel, store: ProfileStore | None, name: str = "side"
) -> Culture | PersonEstimate:
    if isinstance(side, Culture | PersonEstimate):
        return side
    if not isinstance(side, str):
        raise TypeError(
            f"{name} must be a culture ('India', 'IN'), 'me', a saved person's name, "
            f"a Culture or a PersonEstimate, not {type(side).__name__}"
        )
    text = side.strip()
    if text.lower() in ("me", "myself"):
        return me(model, store)
    profiles = _store(store)
    # a cheap check before reading the file: most users have saved no one
    saved = profiles.find(text) if text and profiles.people_path.exists() else None
    if saved is not None:
        return estimate_person(saved.name, model.resolve(saved.culture), model, saved.observations)
    return model.resolve(text)


def brief(
    seller: Side,
    buyer: Side,
    model: ModelArg = None,
    rules: Iterable[str | Path] = (),
    playbook: Playbook | None = None,
    cycle_prior: CyclePrior | None = None,
    store: ProfileStore | None = None,
    practices: PracticesArg = None,
    fallback: bool = True,
    practical: bool = False,
    on: dt.date | None = None,
    seller_zone: str | None = None,
    subdivision: str | None = None,
) -> Briefing:
    """The pre-call briefing for a seller -> buyer pair.

    Each side is a culture ("US", "India"), "me" (your self-assessment), the name of a
    saved person, or a :class:`PersonEstimate`. ``rules`` adds user rule files or
    folders; pass a prepared ``playbook`` instead to reuse compiled rules.
    ``practices`` adds or corrects practice positions (a file, files or a
    :class:`PracticeAtlas`); ``fallback=False`` borrows no region's or country's data
    for a culture that lacks its own. ``practical=True`` adds the buyer's next 60 days
    from ``on`` (today by default: holidays, business periods), office hours and their
    overlap with the seller's (``seller_zone``, an IANA time zone, overrides the seller
    country's), fiscal year and forms of address; ``subdivision`` is the buyer's state
    or region (BY, MH ...) for its own holidays, else those some regions keep are listed
    apart.
    """
    m = _model(model, practices, fallback)
    rule_paths = _paths(rules, "rules")
    if playbook is None:
        playbook = Playbook.load(rule_paths) if rule_paths else Playbook.default()
    # one home folder lookup for both sides, and none when neither is a name
    profiles = _store(store) if isinstance(seller, str) or isinstance(buyer, str) else store
    seller_side = _side(seller, m, profiles, "seller")
    buyer_side = _side(buyer, m, profiles, "buyer")
    briefing = brief_people(
        playbook,
        seller_side,
        buyer_side,
        m,
        cycle_prior,
        _common_language(_country_of(seller_side), _country_of(buyer_side)),
    )
    if not practical:
        return briefing
    return briefing.model_copy(
        update={"practical": _practical(seller_side, buyer_side, on, seller_zone, subdivision)}
    )


def _common_language(seller: Culture, buyer: Culture) -> bool | None:
    from crossdeal._calendar_cache import cached_knowledge

    return cached_knowledge().common_language(seller, buyer)


def _country_of(side: Culture | PersonEstimate) -> Culture:
    return side.culture if isinstance(side, PersonEstimate) else side


def _practical(
    seller: Culture | PersonEstimate,
    buyer: Culture | PersonEstimate,
    on: dt.date | None,
    seller_zone: str | None,
    subdivision: str | None = None,
) -> PracticalBriefing | None:
    """The practical section of a briefing; None for a buyer region (no one calendar)."""
    from crossdeal._calendar_cache import cached_knowledge, keep_library_facts
    from crossdeal.calendar.reports import practical_briefing

    if on is not None and not isinstance(on, dt.date):
        raise TypeError(f"on must be a date, not {type(on).__name__}")
    if seller_zone is not None:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(seller_zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise InputError(
                f"{seller_zone!r} is not a time zone: use an IANA name such as Europe/Berlin"
            ) from None
    buyer_culture = buyer.culture if isinstance(buyer, PersonEstimate) else buyer
    seller_culture = seller.culture if isinstance(seller, PersonEstimate) else seller
    if buyer_culture.iso2 is None:
        return None
    person = buyer.name if isinstance(buyer, PersonEstimate) else None
    # an unknown subdivision is refused by the calendar report, with the known ones listed
    section = practical_briefing(
        buyer_culture.iso2,
        _country_name(buyer_culture.iso2, buyer_culture.name),
        on or dt.date.today(),
        cached_knowledge(),
        seller=seller_culture.iso2,
        seller_zone=seller_zone,
        person=person,
        subdivision=subdivision,
        call_on=on is not None,
    )
    keep_library_facts()
    return section


def lint_message(
    text: str,
    to: str | Culture,
    sender: str | Culture | None = None,
    model: ModelArg = None,
    reader_rank: str | None = None,
    on: dt.date | None = None,
    reader: str | None = None,
    subdivision: str | None = None,
) -> LintReport:
    """Check an email draft for its reader's culture (``to``); ``sender`` is yours.

    ``reader_rank``: the reader's seniority if you know it (junior, manager, executive).
    ``on``: the day the draft is written (default today); dates in it are checked against
    the reader's holidays, weekends and business periods. ``reader``: the reader's name,
    for the greeting check and rewrites that use it.
    ``subdivision``: the reader's state or region (BY, MH ...) for its
    holidays; without it, a city the draft names decides.
    """
    from crossdeal._calendar_cache import cached_knowledge, keep_library_facts
    from crossdeal.messages.coach import lint_message as lint

    report = lint(
        text,
        to=to,
        sender=sender,
        model=_model(model),
        reader_rank=reader_rank,
        on=on,
        reader=reader,
        calendar=cached_knowledge(),
        subdivision=subdivision,
    )
    keep_library_facts()
    return report


def read_reply(
    text: str,
    sender: str | Culture,
    to: str | Culture | None = None,
    asked: str | None = None,
    model: ModelArg = None,
) -> ReplyReport:
    """Read a buyer's reply: does its yes commit to anything? ``asked``: your earlier message."""
    from crossdeal.messages.coach import read_reply as read

    return read(text, sender=sender, to=to, asked=asked, model=_model(model))


def _country_code(query: str, model: CultureModel) -> tuple[str, str]:
    """(ISO alpha-2, name) of the country ``query`` names: a culture of the model (its
    country, for a sub-national sample) or any ISO 3166 country."""
    from crossdeal.culture.resolve import _pycountry_lookup
    from crossdeal.errors import UnknownCultureError

    if not isinstance(query, str):
        raise TypeError(f"a country is named by a string such as 'India' or 'IN', not {query!r}")
    try:
        culture = model.resolve(query)
    except UnknownCultureError:
        country = _pycountry_lookup(query.strip())
        if country is None:
            raise
        return country.alpha_2, getattr(country, "common_name", None) or country.name
    if culture.iso2 is None:
        examples = ", ".join(culture.covers[:3])
        raise InputError(
            f"{culture.name} covers several countries whose holidays and weekends differ: "
            "name one of them" + (f" ({examples} ...)" if examples else "")
        )
    if culture.kind == "subnational":
        return culture.iso2, culture.name
    return culture.iso2, _country_name(culture.iso2, culture.name)


def _country_name(code: str, fallback: str) -> str:
    """The country's everyday name where the culture data's differs (the calendar data's
    ``name``: United Kingdom, not Hofstede's Great Britain)."""
    from crossdeal._calendar_cache import cached_knowledge

    facts = cached_knowledge().country(code)
    return facts.name if facts is not None and facts.name else fallback


def business_calendar(
    country: str,
    start: dt.date | None = None,
    days: int = 30,
    with_country: str | None = None,
    subdivision: str | None = None,
    calendar_files: Iterable[str | Path] = (),
) -> CalendarReport | PairCalendar:
    """Public holidays, weekends and business periods of ``country`` for ``days`` days
    from ``start`` (today by default), with its office hours, fiscal year, forms of
    address and languages. With ``with_country``, both sides and their shared hours."""
    from crossdeal._calendar_cache import cached_knowledge, keep_library_facts
    from crossdeal.calendar.knowledge import load_knowledge
    from crossdeal.calendar.reports import Desk, PairCalendar, calendar_report, shared_hours

    if isinstance(days, bool) or not isinstance(days, int):
        raise TypeError(f"days must be a whole number, not {days!r}")
    if start is not None and not isinstance(start, dt.date):
        raise TypeError(f"start must be a date, not {type(start).__name__}")
    files = _paths(calendar_files, "calendar_files") if calendar_files else []
    knowledge = load_knowledge(files) if files else cached_knowledge()
    model = _model(None)
    day = start or dt.date.today()
    code, name = _country_code(country, model)
    first = calendar_report(code, name, day, days, knowledge, subdivision)
    if with_country is None:
        keep_library_facts()
        return first
    other_code, other_name = _country_code(with_country, model)
    second = calendar_report(other_code, other_name, day, days, knowledge)
    keep_library_facts()
    a, b = knowledge.country(code), knowledge.country(other_code)
    overlap = (
        shared_hours(Desk.of(b), a, day, days, knowledge, other_code, first.country.name)
        if a and b
        else None
    )
    return PairCalendar(first=first, second=second, overlap=overlap)
