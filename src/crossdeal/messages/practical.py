"""The coach's practical findings: dates that clash with the reader's calendar, and
greetings that do not fit how the reader expects to be addressed.

The facts come from the calendar layer (holidays, CLDR weekends, periods, forms of
address); the wording from ``data/practical_findings.yaml``. A finding names the date
as it was read, what the day is for the reader, and free days around it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from crossdeal._kept import kept
from crossdeal._validation import validate_yaml
from crossdeal._yaml import load_yaml
from crossdeal.calendar.address import (
    TITLES_AFTER,
    NameParts,
    greeting,
    leading_title,
    split_name,
)
from crossdeal.calendar.days import (
    FIRST_YEAR,
    LAST_YEAR,
    DayFact,
    closed_everywhere,
    day_facts,
    nearest_working_days,
    regional_holidays_between,
)
from crossdeal.calendar.knowledge import CalendarKnowledge, CountryFacts, Period
from crossdeal.errors import RuleFileError
from crossdeal.messages.dates import DateMention, day_label, find_dates
from crossdeal.messages.reports import MessageFinding, Span, Suggestion
from crossdeal.playbook.expressions import Condition, ExpressionError, compile_condition
from crossdeal.playbook.rules import Severity

__all__ = ["PRACTICAL_IDS", "address_findings", "date_findings", "reader_greeting"]

PRACTICAL_IDS = (
    "holiday-clash",
    "weekend-clash",
    "period-clash",
    "date-mismatch",
    "impossible-date",
    "ambiguous-date",
    "address-form",
    "regional-clash",
)


class _Wording(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)
    theme: str
    severity: Severity | None = None
    title: str = Field(min_length=5)
    why: str = Field(min_length=20)
    # when the finding is high rather than its usual severity, read on the pair
    # (buyer.<dim>, seller.<dim>, gap.<dim>); unknown counts as not
    high_when: str | None = None


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True)
    schema_: Literal["crossdeal.practical-findings/1"] = Field(alias="schema")
    proposal_cues: list[str] = Field(min_length=1)
    findings: dict[str, _Wording]


@dataclass(frozen=True)
class _Findings:
    wording: dict[str, _Wording]
    proposal: re.Pattern[str]
    file: str
    high_when: dict[str, Condition]


@kept("crossdeal.messages:data/practical_findings.yaml")
def _wording() -> _Findings:
    path = Path(str(resources.files("crossdeal.messages") / "data" / "practical_findings.yaml"))
    spec = validate_yaml(_File, load_yaml(path, error=RuleFileError), path, RuleFileError)
    missing = [i for i in PRACTICAL_IDS if i not in spec.findings]
    if missing:
        raise RuleFileError(f"no wording for finding {missing[0]!r}", path)
    try:
        proposal = re.compile("|".join(f"(?:{c})" for c in spec.proposal_cues))
    except re.error as exc:
        raise RuleFileError(f"a proposal cue is not a regular expression: {exc}", path) from None
    high_when = {}
    for finding_id, w in spec.findings.items():
        if w.high_when is None:
            continue
        try:
            high_when[finding_id] = compile_condition(w.high_when)
        except ExpressionError as exc:
            raise RuleFileError(
                f"finding {finding_id!r}: high_when is not a condition: {exc}", path
            ) from None
    return _Findings(dict(spec.findings), proposal, f"crossdeal:messages/{path.name}", high_when)


def _high_when(finding_id: str, pair: Mapping[str, float | str | None] | None) -> str | None:
    """The finding's ``high_when`` condition if it holds for the pair, else None."""
    condition = _wording().high_when.get(finding_id)
    if condition is None or pair is None:
        return None
    return condition.text if condition.evaluate(pair) is True else None


def _fill(template: str, values: dict[str, str]) -> str:
    text = " ".join(template.split())
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return " ".join(text.split())


def _span(text: str, start: int, end: int, feature: str) -> Span:
    return Span(
        start=start,
        end=end,
        line=text.count("\n", 0, start) + 1,
        text=text[start:end],
        feature=feature,
    )


def _finding(
    finding_id: str,
    text: str,
    spans: list[Span],
    values: dict[str, str],
    condition: str,
    reader_condition: str,
    severity: Severity | None = None,
    rewrite: str | None = None,
    original: str | None = None,
) -> MessageFinding:
    wording = _wording()
    w = wording.wording[finding_id]
    return MessageFinding(
        id=finding_id,
        theme=w.theme,
        severity=severity or w.severity or "watch",
        title=w.title,
        why=_fill(w.why, values),
        spans=spans,
        suggestions=[Suggestion(original=original, rewrite=rewrite)] if rewrite else [],
        follow_up=[],
        evidence=[],
        condition=condition,
        reader_condition=reader_condition,
        rule_file=wording.file,
    )


def _alternatives(
    country: str,
    day: dt.date,
    knowledge: CalendarKnowledge,
    period: Period | None,
    subdivision: str | None = None,
) -> str:
    """The free working days around ``day``: no weekend, no holiday, and outside every
    business period of the country (a day in Carnival or Golden Week is no alternative)."""
    # a weekend or a holiday: the nearest days on which business runs (a day in Ramadan
    # is one, a day in Golden Week is not); a period: the nearest days outside it
    before, after = nearest_working_days(
        country, day, knowledge, subdivision, avoid_periods=True if period else "high"
    )
    days = [d for d in (before, after) if d]
    if not days:
        return ""
    where = f" outside {period.name}" if period else ""
    return f"The nearest working days there{where}: {' or '.join(day_label(d) for d in days)}."


def _sentence(text: str, mention: DateMention) -> str:
    """The sentence around the date, in lower case."""
    left = max(text.rfind(". ", 0, mention.start), text.rfind("\n", 0, mention.start)) + 1
    stops = [i for i in (text.find(". ", mention.end), text.find("\n", mention.end)) if i != -1]
    right = min(stops) if stops else len(text)
    return text[left:right].lower()


def _mentions_near(text: str, mention: DateMention, words: tuple[str, ...]) -> str | None:
    """A word of ``words`` in the sentence around the date (a lunch in Ramadan)."""
    if not words:
        return None
    sentence = _sentence(text, mention)
    return next((w for w in words if re.search(rf"\b{re.escape(w)}\b", sentence)), None)


def date_findings(
    text: str,
    country: str,
    country_name: str,
    on: dt.date,
    knowledge: CalendarKnowledge,
    day_first: bool = True,
    subdivision: str | None = None,
) -> list[MessageFinding]:
    """Dates in the draft that land on the reader's holiday, weekend or a period. The
    holidays are those of ``subdivision`` when given, else of the one state or region
    whose city the draft names (Stuttgart: Baden-Württemberg), else the country's."""
    out: list[MessageFinding] = []
    place = country_name
    if subdivision is None:
        subdivision, city = _city_subdivision(text, knowledge.country(country))
        if subdivision is not None:
            place = f"{country_name} ({city}, {subdivision})"
    elif subdivision:
        place = f"{country_name} ({subdivision})"
    reader_condition = f"the calendar of {place}"
    for mention in find_dates(text, on, day_first):
        span = [_span(text, mention.start, mention.end, "date")]
        if mention.impossible:
            out.append(
                _finding(
                    "impossible-date",
                    text,
                    span,
                    {"text": mention.text, "what": mention.impossible},
                    "a date that does not exist",
                    reader_condition,
                )
            )
            continue
        if mention.past or not mention.days:
            continue
        if any(not FIRST_YEAR <= d.year <= LAST_YEAR for d in mention.days):
            continue
        if mention.ambiguous:
            out.append(
                _finding(
                    "ambiguous-date",
                    text,
                    span,
                    {"text": mention.text, "what": mention.ambiguous},
                    "a date written in numbers",
                    reader_condition,
                    original=mention.text,
                    rewrite=f"{mention.days[0].day} {mention.days[0]:%B %Y}",
                )
            )
        first = mention.days[0]
        if (
            mention.kind == "date"
            and mention.weekday_written is not None
            and first.weekday() != mention.weekday_written
        ):
            out.append(
                _finding(
                    "date-mismatch",
                    text,
                    span,
                    {"text": mention.text, "what": f"{first.day} {first:%B %Y} is a {first:%A}"},
                    "a weekday written beside a date",
                    reader_condition,
                    original=mention.text,
                    rewrite=day_label(first),
                )
            )
            continue  # the date and the weekday disagree: which day to check is unclear
        if not _wording().proposal.search(_sentence(text, mention)):
            continue  # nothing in its sentence needs the reader on that day
        clashes = _clashes(
            text, mention, span, country, place, knowledge, reader_condition, subdivision
        )
        out.extend(clashes)
        if subdivision is None and not any(f.id == "holiday-clash" for f in clashes):
            out.extend(_regional_clash(text, mention, span, country, country_name, knowledge))
    return out


def _regional_clash(
    text: str,
    mention: DateMention,
    span: list[Span],
    country: str,
    country_name: str,
    knowledge: CalendarKnowledge,
) -> list[MessageFinding]:
    """A proposed date that is a holiday in some of the regions of the country's major
    business cities (6 January in Munich and Stuttgart), where the draft does not say
    which region the reader is in."""
    facts = knowledge.country(country)
    if facts is None or not facts.cities:
        return []
    first_city = facts.business_regions
    for day in mention.days:
        found = regional_holidays_between(country, tuple(first_city), day, day)
        everywhere = closed_everywhere(found, set(first_city)).get(day)
        if everywhere is not None:
            # every state keeps a holiday, though the data lists them state by state
            # (Australia's Boxing Day in lieu): offices are closed across the country
            return [
                _finding(
                    "holiday-clash",
                    text,
                    span,
                    {
                        "text": mention.text,
                        "reading": mention.reading,
                        "reader": country_name,
                        "what": everywhere,
                        "closed": "offices are closed.",
                        "alternatives": "",
                    },
                    f"{day_label(day)} is a public holiday in every state (holidays package)",
                    f"the calendar of {country_name}",
                    severity="watch" if mention.kind == "deadline" else None,
                )
            ]
        for _, name, regions in found:
            values = {
                "text": mention.text,
                "reading": mention.reading,
                "reader": country_name,
                "what": name,
                "regions": ", ".join(regions),
                "cities": ", ".join(first_city[r] for r in regions),
            }
            return [
                _finding(
                    "regional-clash",
                    text,
                    span,
                    values,
                    "a proposed date that some regions keep as a holiday",
                    f"the regional holidays of {country_name} (countries.yaml: cities)",
                )
            ]
    return []


def _city_subdivision(text: str, facts: CountryFacts | None) -> tuple[str | None, str | None]:
    """The one subdivision whose cities the draft names (none when it names cities of
    two, or none), with the city."""
    if facts is None or not facts.cities:
        return None, None
    found: dict[str, str] = {}
    for city, code in facts.cities.items():
        if city in text and re.search(rf"(?<!\w){re.escape(city)}(?!\w)", text):
            found.setdefault(code, city)
    if len(found) != 1:
        return None, None
    code, city = next(iter(found.items()))
    return code, city


def _clashes(
    text: str,
    mention: DateMention,
    span: list[Span],
    country: str,
    country_name: str,
    knowledge: CalendarKnowledge,
    reader_condition: str,
    subdivision: str | None = None,
) -> list[MessageFinding]:
    holidays: list[tuple[dt.date, DayFact]] = []
    weekends: list[dt.date] = []
    periods: dict[str, tuple[dt.date, DayFact]] = {}
    for day in mention.days:
        for fact in day_facts(country, day, knowledge, subdivision):
            if fact.kind == "holiday":
                holidays.append((day, fact))
            elif fact.kind == "weekend" and mention.kind != "deadline":
                weekends.append(day)
            elif fact.kind == "period" and fact.period is not None:
                periods.setdefault(fact.period.id, (day, fact))
    # any day named counts: one of two options ("11 or 12 August") is still worth a word.
    # A due date ("by 20 June") is no meeting: a weekend does not matter, and a holiday
    # or a period is a watch, not a high
    base = {"text": mention.text, "reader": country_name, "reading": mention.reading}
    out: list[MessageFinding] = []
    due = mention.kind == "deadline"
    if holidays:
        day, fact = holidays[0]
        names = "; ".join(dict.fromkeys(f.name for _, f in holidays))
        facts = knowledge.country(country)
        # a state's own holiday where the country facts say offices may stay open (India)
        state_note = facts.regional_holiday_note if facts is not None else None
        state_only = (
            subdivision is not None
            and state_note is not None
            and not any(
                f.kind == "holiday" and f.name == fact.name
                for f in day_facts(country, day, knowledge, None)
            )
        )
        out.append(
            _finding(
                "holiday-clash",
                text,
                span,
                {
                    **base,
                    "what": names,
                    "closed": state_note if state_only and state_note else "offices are closed.",
                    "alternatives": _alternatives(country, day, knowledge, None, subdivision),
                },
                f"{day_label(day)} is a public holiday (holidays package)",
                reader_condition,
                severity="watch" if due or state_only else None,
            )
        )
    if weekends and not holidays:
        day = weekends[0]
        out.append(
            _finding(
                "weekend-clash",
                text,
                span,
                {
                    **base,
                    "what": f"{day:%A}s are off there",
                    "alternatives": _alternatives(country, day, knowledge, None, subdivision),
                },
                f"{day_label(day)} is a weekend day (CLDR weekend)",
                reader_condition,
            )
        )
    for day, fact in periods.values():
        period = fact.period
        assert period is not None
        if _mentions_near(text, mention, period.suits):
            continue  # an iftar dinner in Ramadan is made for the period
        estimated = (
            " (estimated dates: the start depends on the moon sighting)" if fact.estimated else ""
        )
        what = (
            f"{period.name}, {fact.start.day} {fact.start:%B} to {fact.end.day} "
            f"{fact.end:%B %Y}{estimated}"
        )
        note = period.for_seller
        severity: Severity = period.severity
        word = _mentions_near(text, mention, period.avoid)
        if word and period.avoid_note:
            note = f"You propose a {word}: {period.avoid_note} {note}"
            severity = period.avoid_severity or severity
        out.append(
            _finding(
                "period-clash",
                text,
                span,
                {
                    **base,
                    "what": what,
                    "note": note,
                    "alternatives": _alternatives(country, day, knowledge, period, subdivision),
                },
                f"{day_label(day)} is inside {period.name} "
                f"(crossdeal:calendar/periods.yaml: {period.id})",
                reader_condition,
                severity="watch" if due else severity,
            )
        )
    return out


# a greeting alone on its line, or ended by punctuation with the message going on after
# it on the same line ("Hey Klaus, quick question ...")
_GREETING = re.compile(
    r"[ \t]*(?P<greeting>"
    r"(?P<word>dear|hi|hello|hey|hiya|yo|howdy|good\s+(?:morning|afternoon|evening))"
    r"(?:[ \t]+(?P<name>[^\n,!:;]{1,60}?))?[ \t]*[,!:;]?)"
    r"(?P<rest>(?<=[,!:;])[ \t]*\S[^\n]*)?[ \t]*$",
    re.I,
)
_LONGEST_NAME = 4  # words: more, before a comma that the message goes on after, is a sentence
_GROUP = re.compile(r"^(?:all|team|everyone|colleagues|sir|madam|sirs|there|folks)\b", re.I)
_HONORIFIC_SUFFIX = re.compile(r"-(?:san|sama|ssi|nim|ji|sensei|sahib)$", re.I)


def reader_greeting(facts: CountryFacts | None, reader: str | None) -> str | None:
    """The opening the reader's country expects, with the reader's name where known."""
    if facts is None:
        return None
    return greeting(facts, split_name(reader, facts) if reader else None)


def _opening(text: str) -> tuple[re.Match[str] | None, int]:
    """The greeting on one of the draft's first three lines, and where its line starts."""
    offset = 0
    seen = 0
    for line in text[:400].splitlines(keepends=True):
        if line.strip():
            m = _GREETING.match(line.rstrip("\n"))
            if m is not None and not (m["rest"] and len((m["name"] or "").split()) > _LONGEST_NAME):
                return m, offset
            seen += 1
            if seen == 3:
                break
        offset += len(line)
    return None, 0


def address_findings(
    text: str,
    facts: CountryFacts | None,
    country_name: str,
    reader: str | None,
    pair: Mapping[str, float | str | None] | None = None,
) -> list[MessageFinding]:
    """A greeting that does not fit: "Hey Klaus!" to a German reader, "Dear Wei" to a
    Chinese one (a given name where the family name and a title are expected), the title
    with the wrong name ("Dear Mr. Wei" to Zhang Wei, "Dear Mr. Nguyen" to Nguyen Van
    Minh), an academic title left out where it is part of the name."""
    if facts is None or facts.address.first_contact != "title":
        return []
    m, offset = _opening(text)
    if m is None:
        return []
    word = m["word"].lower()
    written = (m["name"] or "").strip()
    if written and _GROUP.match(written):
        return []
    address = facts.address
    words = written.split()
    title_before = bool(words) and leading_title(words, facts) > 0
    title_after = bool(words) and (
        bool(_HONORIFIC_SUFFIX.search(words[-1]))
        or (len(words) > 1 and words[-1].lower() in TITLES_AFTER)
    )
    has_title = title_before or title_after
    # the name the writer put beside the title: Mr. Wei -> Wei, Mehmet Bey -> Mehmet,
    # Takahashi-san -> Takahashi
    if title_after and len(words) > 1 and words[-1].lower() in TITLES_AFTER:
        name = words[-2]
    elif words:
        name = _HONORIFIC_SUFFIX.sub("", words[-1])
    else:
        name = ""
    person: NameParts | None = split_name(reader, facts) if reader else None
    span = [_span(text, offset + m.start("greeting"), offset + m.end("greeting"), "greeting")]
    opening = m["greeting"].strip()
    values = {"text": opening, "written": written}
    problem: str | None = None
    severity: Severity = "watch"
    raised: str | None = None
    by_family = address.addressed_by != "given"
    if person is not None and person.takes_title == "family":
        by_family = True
    if word in ("hey", "hiya", "yo", "howdy"):
        problem = (
            f"“{word.capitalize()}” is a casual opening; readers in {country_name} expect a "
            "title and a name in a first business email."
        )
        severity = "high"
    elif written and not has_title:
        if address.addressed_by == "given-and-patronymic" and len(words) == 2:
            patronymic = split_name(written, facts).patronymic
            if patronymic:  # Dear Ivan Petrovich: the respectful Russian form
                return []
        taken = split_name(name, facts)
        given_words = [w.lower() for w in (person.given or "").split()] if person else []
        chosen = {n.lower() for n in address.chosen_given_names}
        if name.lower() in chosen and (person is None or name.lower() in given_words):
            # an English name of their own (Kevin, Grace): the writer has it from them
            chosen_problem = (
                f"“{name}” looks like an English name the reader chose; many in "
                f"{country_name} use one. If they sign with it, it is right; if not, use a "
                "title and the family name."
            )
            return _address_form(
                text,
                span,
                values,
                opening,
                chosen_problem,
                address.note,
                greeting(facts, person),
                f"forms of address in {country_name} (countries.yaml: chosen given names)",
                "info",
            )
        if given_words and name.lower() in (given_words[0], given_words[-1]):
            kind = "their given name"
        elif person is not None and person.family and name.lower() == person.family.lower():
            kind = "their family name without a title"
        elif taken.family:
            kind = "a family name without a title"
        elif name.lower() in {n.lower() for n in address.given_names}:
            kind = "what looks like their given name"
        elif person is None and address.name_order != "given-first":
            kind = (
                f"one name and no title (“{name}” may be the given name: the family name "
                "comes first there)"
            )
        else:
            kind = "what looks like a given name"
        if address.addressed_by == "given" and kind == "their given name":
            kind = "their given name without a title"
        problem = (
            f"You address the reader by {kind}; readers in {country_name} expect a title "
            "with their name until they offer otherwise."
        )
        raised = _high_when("address-form", pair)
        if raised is not None:
            severity = "high"
    elif has_title and person is not None and name:
        written_title = " ".join(w for w in words if w != name and not w.startswith(name))
        problem, severity = _wrong_name(
            name, written_title, person, facts, country_name, by_family, native=title_after
        )
    elif has_title and person is None and name and by_family:
        given = {n.lower() for n in address.given_names}
        if name.lower() in given:  # Dear Lic. Carlos
            problem = (
                f"“{name}” looks like a given name: in {country_name} the title goes with the "
                "family name."
            )
    if problem is None:
        return []
    expected = (
        greeting(facts, person)
        if person
        else greeting(facts, split_name(written, facts) if written else None)
    )
    return _address_form(
        text,
        span,
        values,
        opening,
        problem,
        address.note,
        expected,
        f"forms of address in {country_name} (countries.yaml: first contact by title)"
        + (f"; high because {raised}" if raised else ""),
        severity,
    )


def _address_form(
    text: str,
    span: list[Span],
    values: dict[str, str],
    opening: str,
    problem: str,
    note: str | None,
    expected: str,
    reader_condition: str,
    severity: Severity,
) -> list[MessageFinding]:
    """The address-form finding: what is wrong with the greeting, and the one to use."""
    values = {**values, "what": problem, "note": note or "", "expected": expected}
    return [
        _finding(
            "address-form",
            text,
            span,
            values,
            f"greeting: {opening!r}",
            reader_condition,
            severity=severity,
            original=opening,
            rewrite=expected,
        )
    ]


def _wrong_name(
    name: str,
    written_title: str,
    person: NameParts,
    facts: CountryFacts,
    country_name: str,
    by_family: bool,
    native: bool = False,
) -> tuple[str | None, Severity]:
    """A title with a name of the reader's that is not the one that takes it. ``native``:
    the title is the country's own, written after the name (Bey, Hanım), for which the
    English usage that also accepts the other name (Mr. Yılmaz) does not hold."""
    address = facts.address
    given_words = (person.given or "").split()
    if by_family:
        expected_name = person.family
    elif address.name_order == "family-first":
        expected_name = given_words[-1] if given_words else None  # Nguyen Van Minh: Minh
    else:
        expected_name = given_words[0] if given_words else None  # João Pedro: João
    parts = {w.lower() for w in person.full.split()}
    if expected_name and name.lower() != expected_name.lower() and name.lower() in parts:
        used = "given" if name in given_words else "family"
        if used in address.also_accepted and not native:
            return None, "watch"  # Mr. Silva in Brazil, Mr. Rajesh in India: both read right
        which = "family name" if by_family else "given name"
        return (
            f"“{name}” is not the name that takes the title: in {country_name} the title "
            f"goes with the {which}, {expected_name}.",
            "high",
        )
    if address.academic_title_is_part_of_the_name and person.title:
        academic = [t for t in person.title.split() if t.lower().rstrip(".") in _ACADEMIC]
        titles_used = {t.lower().rstrip(".") for t in written_title.split()}
        if academic and not titles_used & _ACADEMIC:
            return (
                f"The reader is {' '.join(academic)} {person.family}: in {country_name} the "
                "academic title is part of the name, and leaving it out reads as a slight.",
                "watch",
            )
    return None, "watch"


_ACADEMIC = frozenset({"dr", "prof", "professor", "doctor"})
