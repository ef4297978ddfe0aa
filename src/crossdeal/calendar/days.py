"""What a day is in a country: a public holiday, a weekend day, inside a period.

Public holidays come from the ``holidays`` package, weekends from CLDR (via babel)
unless the country's facts replace them, Hijri dates from ``hijridate`` (Umm al-Qura)
and the periods from ``data/periods.yaml``. Everything is computed, for any year the
libraries cover; nothing is fetched.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

from crossdeal.calendar.knowledge import WEEKDAYS, CalendarKnowledge, DateRule, Period
from crossdeal.errors import InputError

__all__ = [
    "FIRST_YEAR",
    "LAST_YEAR",
    "DayFact",
    "PeriodSpan",
    "Weekend",
    "check_day",
    "closed_everywhere",
    "day_facts",
    "holidays_between",
    "is_working_day",
    "nearest_working_days",
    "periods_between",
    "regional_holidays_between",
    "subdivisions",
    "weekend_on",
]

# The Umm al-Qura tables behind hijridate cover 1343-1500 AH: these Gregorian years.
FIRST_YEAR = 1925
LAST_YEAR = 2076
# Nothing in a calendar window or a search for a free day runs past this many days.
MAX_DAYS = 400


@dataclass
class LibraryFacts:
    """What the libraries answered (holidays per country and year, CLDR weekends and
    date order), kept so that an application can persist it between runs: computing a
    country's holidays or loading CLDR data costs more than a whole briefing. ``added``
    says whether anything new was computed since it was loaded."""

    holidays: dict[tuple[str, str | None, int], dict[dt.date, str]] = field(default_factory=dict)
    weekends: dict[str, tuple[int, ...] | None] = field(default_factory=dict)
    month_first: dict[str, bool] = field(default_factory=dict)
    supported: frozenset[str] | None = None
    # (country, subdivision, year) -> what the holidays package said it does not cover
    gaps: dict[tuple[str, str | None, int], str] = field(default_factory=dict)
    # (country, subdivision, year) -> weekend days that are working days (make-up days)
    workdays: dict[tuple[str, str | None, int], frozenset[dt.date]] = field(default_factory=dict)
    # country -> the subdivision codes the holidays package knows
    subdivisions: dict[str, tuple[str, ...]] = field(default_factory=dict)
    added: bool = False


FACTS = LibraryFacts()


def check_day(day: dt.date) -> dt.date:
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise InputError(
            f"{day.isoformat()} is outside the years crossdeal's calendar covers "
            f"({FIRST_YEAR} to {LAST_YEAR})"
        )
    return day


@dataclass(frozen=True)
class Weekend:
    days: tuple[int, ...]  # 0 = Monday
    source: Literal["cldr", "crossdeal", "history"]
    note: str | None = None

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(WEEKDAYS[d] for d in self.days)


@dataclass(frozen=True)
class PeriodSpan:
    period: Period
    start: dt.date
    end: dt.date

    def covers(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class DayFact:
    """One reason a day is not an ordinary working day in a country."""

    kind: Literal["holiday", "weekend", "period"]
    name: str
    start: dt.date
    end: dt.date
    estimated: bool = False
    period: Period | None = None


@functools.cache
def _locale(country: str) -> object | None:
    """CLDR's locale for the country's main language (en_US, ar_SA, de_DE ...)."""
    from babel import Locale, UnknownLocaleError
    from babel.core import get_global

    likely = get_global("likely_subtags").get(f"und_{country}")
    if likely is not None:
        languages = [likely.split("_")[0]]
    else:
        spoken = get_global("territory_languages").get(country, {})
        languages = sorted(spoken, key=lambda k: -(spoken[k].get("population_percent") or 0))
    for language in languages[:3]:
        try:
            return Locale.parse(f"{language}_{country}")
        except (UnknownLocaleError, ValueError):
            continue
    return None


def _cldr_weekend(country: str) -> tuple[int, ...] | None:
    if country in FACTS.weekends:
        return FACTS.weekends[country]
    locale = _locale(country)
    days: tuple[int, ...] | None = None
    if locale is not None:
        start, end = locale.weekend_start, locale.weekend_end  # type: ignore[attr-defined]
        found = [start]
        while found[-1] != end:
            found.append((found[-1] + 1) % 7)
        days = tuple(found)
    FACTS.weekends[country] = days
    FACTS.added = True
    return days


def weekend_on(country: str, day: dt.date, knowledge: CalendarKnowledge) -> Weekend:
    """The weekend days in force in ``country`` on ``day`` (its history included)."""
    facts = knowledge.country(country)
    if facts is not None:
        for until, days in reversed(facts.weekend_history):
            if day <= until:
                return Weekend(days, "history", f"the weekend until {until.isoformat()}")
        if facts.weekend is not None:
            return Weekend(facts.weekend, "crossdeal", facts.weekend_note)
    cldr = _cldr_weekend(country)
    return Weekend(cldr if cldr is not None else (5, 6), "cldr")


def _holidays_of(country: str, subdivision: str | None, year: int) -> dict[dt.date, str]:
    key = (country, subdivision, year)
    known = FACTS.holidays.get(key)
    if known is not None:
        return known
    import holidays

    kwargs: dict[str, object] = {"years": year}
    if subdivision:
        kwargs["subdiv"] = subdivision
    found: dict[dt.date, str] = {}
    if country in _supported():
        # the package warns where its data for a country does not reach the year (most
        # countries' lists run from about 2001 to 2035): kept as a note, not printed
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                table = holidays.country_holidays(country, language="en_US", **kwargs)  # type: ignore[arg-type]
            except NotImplementedError:
                table = holidays.country_holidays(country, **kwargs)  # type: ignore[arg-type]
            found = {day: _clean_name(name) for day, name in table.items()}
            # weekend days that are working days this year (China's make-up days)
            extra = getattr(table, "weekend_workdays", ()) or ()
            FACTS.workdays[key] = frozenset(d for d in extra if d.year == year)
        if caught:
            FACTS.gaps[key] = str(caught[0].message)
    FACTS.holidays[key] = found
    FACTS.added = True
    return found


_SUBSTITUTED = re.compile(r"\(substituted from (\d{2})/(\d{2})/(\d{4})\)")


def _clean_name(name: str) -> str:
    """The package writes "Day off (substituted from 09/20/2026)", in US date order."""

    def spelled(m: re.Match[str]) -> str:
        worked = dt.date(int(m[3]), int(m[1]), int(m[2]))
        return f"(in exchange for working on {worked:%A} {worked.day} {worked:%B})"

    return _SUBSTITUTED.sub(spelled, name)


def is_weekend(
    country: str, day: dt.date, knowledge: CalendarKnowledge, subdivision: str | None = None
) -> bool:
    """A weekend day in force on ``day``, unless it is a make-up working day that year."""
    if day.weekday() not in weekend_on(country, day, knowledge).days:
        return False
    subdivision = usual_subdivision(country, subdivision, knowledge)
    _holidays_of(country, subdivision, day.year)
    return day not in FACTS.workdays.get((country, subdivision, day.year), frozenset())


def _supported() -> frozenset[str]:
    """Country codes the holidays package covers, read from its registry (importing
    every country module to list them would cost a tenth of a second)."""
    if FACTS.supported is None:
        from holidays.registry import COUNTRIES

        FACTS.supported = frozenset(entry[1] for entry in COUNTRIES.values())
        FACTS.added = True
    return FACTS.supported


def subdivisions(country: str) -> tuple[str, ...]:
    """The subdivision codes the holiday data knows for ``country`` (states, Länder ...)."""
    known = FACTS.subdivisions.get(country)
    if known is not None:
        return known
    if country not in _supported():
        return ()
    import holidays

    known = tuple(holidays.country_holidays(country).subdivisions)
    FACTS.subdivisions[country] = known
    FACTS.added = True
    return known


def has_holiday_data(country: str) -> bool:
    return country in _supported()


def check_subdivision(country: str, subdivision: str | None) -> str | None:
    if subdivision is None:
        return None
    code = subdivision.strip().upper()
    known = subdivisions(country)
    if code not in {k.upper() for k in known}:
        listed = ", ".join(known) if known else "none"
        raise InputError(
            f"{subdivision!r} is not a subdivision the holiday data knows for {country} "
            f"(known: {listed})"
        )
    return next(k for k in known if k.upper() == code)


def holiday_gaps(
    country: str, start: dt.date, end: dt.date, subdivision: str | None = None
) -> list[str]:
    """What the holidays package said it does not cover for these years (a year beyond
    its lists), once each."""
    notes = []
    for year in range(start.year, end.year + 1):
        _holidays_of(country, subdivision, year)
        note = FACTS.gaps.get((country, subdivision, year))
        if note and note not in notes:
            notes.append(note)
    return notes


def holidays_between(
    country: str, start: dt.date, end: dt.date, subdivision: str | None = None
) -> list[tuple[dt.date, str]]:
    """Public holidays of ``country`` from ``start`` to ``end`` (both included)."""
    out: list[tuple[dt.date, str]] = []
    for year in range(start.year, end.year + 1):
        for day, name in _holidays_of(country, subdivision, year).items():
            if start <= day <= end:
                out.append((day, name))
    return sorted(out)


@functools.cache
def _hijri(month: int, day: int, greg_year: int) -> tuple[dt.date, ...]:
    """Every Gregorian date of Hijri ``month``-``day`` that falls in ``greg_year``."""
    from hijridate import Gregorian, Hijri

    first = Gregorian(greg_year, 1, 1).to_hijri().year
    out = []
    for year in (first - 1, first, first + 1):
        try:
            length = Hijri(year, month, 1).month_length()
            date = Hijri(year, month, min(day, length)).to_gregorian()
        except (OverflowError, ValueError):
            continue
        g = dt.date(date.year, date.month, date.day)
        if g.year == greg_year:
            out.append(g)
    return tuple(out)


def _anchors(rule: DateRule, year: int) -> tuple[dt.date, ...]:
    """The rule's dates (before its offset) that fall in ``year``."""
    if rule.fixed is not None:
        return (dt.date(year, int(rule.fixed[:2]), int(rule.fixed[3:])),)
    if rule.hijri is not None:
        return _hijri(int(rule.hijri[:2]), int(rule.hijri[3:]), year)
    assert rule.holiday is not None and rule.country is not None
    for day, name in sorted(_holidays_of(rule.country, None, year).items()):
        if rule.holiday in (part.strip() for part in name.split(";")):
            return (day,)
    return ()


def _spans(period: Period, year: int) -> list[PeriodSpan]:
    """The spans of ``period`` that start in ``year``."""
    out = []
    offset_start = dt.timedelta(days=period.start.days)
    offset_end = dt.timedelta(days=period.end.days)
    for anchor in _anchors(period.start, year):
        start = anchor + offset_start
        end_candidates = [
            a + offset_end
            for y in (year, year + 1)
            if FIRST_YEAR <= y <= LAST_YEAR
            for a in _anchors(period.end, y)
        ]
        end = min((d for d in end_candidates if d >= start), default=None)
        if end is not None and (end - start).days <= 120:
            out.append(PeriodSpan(period, start, end))
    return out


def periods_between(
    country: str, start: dt.date, end: dt.date, knowledge: CalendarKnowledge
) -> list[PeriodSpan]:
    """The periods of ``country`` that overlap ``start`` .. ``end``."""
    found: list[PeriodSpan] = []
    for period in knowledge.periods_for(country):
        for year in range(max(FIRST_YEAR, start.year - 1), min(LAST_YEAR, end.year) + 1):
            for span in _spans(period, year):
                if span.start <= end and span.end >= start and span not in found:
                    found.append(span)
    return sorted(found, key=lambda s: (s.start, s.period.id))


# (country, regions, year) -> the holidays of that year kept in some of the regions only
_REGIONAL: dict[
    tuple[str, tuple[str, ...], int], tuple[tuple[dt.date, str, tuple[str, ...]], ...]
] = {}


def regional_holidays_between(
    country: str, regions: tuple[str, ...], start: dt.date, end: dt.date
) -> list[tuple[dt.date, str, tuple[str, ...]]]:
    """Holidays from ``start`` to ``end`` that some of ``regions`` (subdivision codes of
    the holidays package: Länder, states, cantons) keep and the country as a whole does
    not, with the regions that keep each, by date. Bavaria's Epiphany is one; a holiday
    of the whole country is not."""
    if country not in _supported():
        return []
    known = set(subdivisions(country))
    regions = tuple(sorted(r for r in set(regions) if r in known))
    out: list[tuple[dt.date, str, tuple[str, ...]]] = []
    for year in range(start.year, end.year + 1):
        key = (country, regions, year)
        table = _REGIONAL.get(key)
        if table is None:
            national = _holidays_of(country, None, year)
            # one holiday whatever each region calls its day off in lieu ("Boxing Day"
            # in Tasmania, "Boxing Day (observed)" in the other states, the same Tuesday)
            kept: dict[tuple[dt.date, str], list[str]] = {}
            observed: set[tuple[dt.date, str]] = set()
            for region in regions:
                for day, name in _holidays_of(country, region, year).items():
                    if national.get(day) != name:
                        base = name.removesuffix(" (observed)")
                        kept.setdefault((day, base), []).append(region)
                        if base != name:
                            observed.add((day, base))
            table = tuple(
                sorted(
                    (d, n + (" (observed)" if (d, n) in observed else ""), tuple(r))
                    for (d, n), r in kept.items()
                )
            )
            if len(_REGIONAL) > 4_000:
                _REGIONAL.clear()
            _REGIONAL[key] = table
        out += [entry for entry in table if start <= entry[0] <= end]
    return out


def closed_everywhere(
    found: list[tuple[dt.date, str, tuple[str, ...]]], regions: set[str]
) -> dict[dt.date, str]:
    """The days on which every one of ``regions`` keeps a holiday, though the data lists
    each state's own (Australia's Boxing Day in lieu, and South Australia's Proclamation
    Day on the same Tuesday), with the holidays named: those of only some regions say
    where."""
    by_day: dict[dt.date, list[tuple[str, tuple[str, ...]]]] = {}
    for day, name, kept in found:
        by_day.setdefault(day, []).append((name, kept))
    out = {}
    for day, holidays in by_day.items():
        if set().union(*(set(kept) for _, kept in holidays)) >= regions:
            out[day] = "; ".join(
                name if set(kept) >= regions else f"{name} in {', '.join(kept)}"
                for name, kept in holidays
            )
    return out


def usual_subdivision(
    country: str, subdivision: str | None, knowledge: CalendarKnowledge
) -> str | None:
    """The subdivision named, or the one whose holidays apply by default (England)."""
    if subdivision is not None:
        return subdivision
    facts = knowledge.country(country)
    return facts.holiday_subdivision if facts is not None else None


# (country, subdivision, year) -> the holidays and periods of each day of that year, for
# one knowledge object (kept beside it, so a new one never reads another's table)
_TABLES: dict[tuple[str, str | None, int], tuple[CalendarKnowledge, dict[dt.date, list[DayFact]]]]
_TABLES = {}


def _year_table(
    country: str, subdivision: str | None, year: int, knowledge: CalendarKnowledge
) -> dict[dt.date, list[DayFact]]:
    key = (country, subdivision, year)
    kept = _TABLES.get(key)
    if kept is not None and kept[0] is knowledge:
        return kept[1]
    table: dict[dt.date, list[DayFact]] = {}
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    for day, name in holidays_between(country, first, last, subdivision):
        table.setdefault(day, []).append(DayFact("holiday", name, day, day))
    for span in periods_between(country, first, last, knowledge):
        fact = DayFact(
            "period", span.period.name, span.start, span.end, span.period.estimated, span.period
        )
        day = max(span.start, first)
        while day <= min(span.end, last):
            table.setdefault(day, []).append(fact)
            day += dt.timedelta(days=1)
    if len(_TABLES) > 4_000:  # a server that has seen every country: start again
        _TABLES.clear()
    _TABLES[key] = (knowledge, table)
    return table


def day_facts(
    country: str,
    day: dt.date,
    knowledge: CalendarKnowledge,
    subdivision: str | None = None,
) -> list[DayFact]:
    """Why ``day`` is not an ordinary working day in ``country`` (empty when it is):
    its public holidays, the weekend, and the periods it falls in."""
    check_day(day)
    subdivision = usual_subdivision(country, subdivision, knowledge)
    listed = _year_table(country, subdivision, day.year, knowledge).get(day, [])
    facts = [f for f in listed if f.kind == "holiday"]
    if is_weekend(country, day, knowledge, subdivision):
        facts.append(DayFact("weekend", "weekend", day, day))
    return facts + [f for f in listed if f.kind == "period"]


def closes_badly(country: str, day: dt.date, knowledge: CalendarKnowledge) -> bool:
    """Whether a signature due on ``day`` meets a public holiday or a period in which the
    country's business slows down (a weekend alone does not count: a close date is a
    target, not a meeting)."""
    subdivision = usual_subdivision(country, None, knowledge)
    return bool(_year_table(country, subdivision, day.year, knowledge).get(day))


def is_working_day(
    country: str, day: dt.date, knowledge: CalendarKnowledge, subdivision: str | None = None
) -> bool:
    """Not a weekend day and not a public holiday (periods do not count here)."""
    if is_weekend(country, day, knowledge, subdivision):
        return False
    subdivision = usual_subdivision(country, subdivision, knowledge)
    listed = _year_table(country, subdivision, day.year, knowledge).get(day, ())
    return not any(f.kind == "holiday" for f in listed)


def _walk(day: dt.date, step: int) -> Iterator[dt.date]:
    for i in range(1, MAX_DAYS):
        candidate = day + dt.timedelta(days=i * step)
        if not FIRST_YEAR <= candidate.year <= LAST_YEAR:
            return
        yield candidate


def nearest_working_days(
    country: str,
    day: dt.date,
    knowledge: CalendarKnowledge,
    subdivision: str | None = None,
    avoid_periods: bool | Literal["high"] = True,
) -> tuple[dt.date | None, dt.date | None]:
    """The last free working day before ``day`` and the first after it: not a weekend,
    not a holiday, and outside the country's periods (all of them, or with ``"high"``
    only those in which business stops; ``False`` for none)."""
    subdivision = usual_subdivision(country, subdivision, knowledge)

    def blocks(fact: DayFact) -> bool:
        if fact.period is None or not avoid_periods:
            return False
        return avoid_periods is True or fact.period.severity == "high"

    def free(d: dt.date) -> bool:
        if not is_working_day(country, d, knowledge, subdivision):
            return False
        listed = _year_table(country, subdivision, d.year, knowledge).get(d, ())
        return not any(blocks(f) for f in listed)

    before = next((d for d in _walk(day, -1) if free(d)), None)
    after = next((d for d in _walk(day, 1) if free(d)), None)
    return before, after


def month_first(country: str) -> bool:
    """Whether the country writes numeric dates month first (3/4/2027 = March 4), from
    CLDR's short date format for the country's main language."""
    if country in FACTS.month_first:
        return FACTS.month_first[country]
    locale = _locale(country)
    first = False
    if locale is not None:
        pattern = locale.date_formats["short"].pattern.lstrip("'")  # type: ignore[attr-defined]
        first = pattern[:1] in ("M", "L")
    FACTS.month_first[country] = first
    FACTS.added = True
    return first
