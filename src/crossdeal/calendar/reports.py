"""What the calendar reports (versioned JSON: crossdeal.calendar/1), and how it is built.

A report covers one country over a window of days: its public holidays, weekend days
and periods, each with what it means for a seller, plus the country's office hours,
time zone, fiscal year, forms of address and business languages. Every entry says
where it comes from (the holidays package, CLDR, Umm al-Qura, or a cited data entry).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field

from crossdeal.calendar.knowledge import WEEKDAYS, CalendarKnowledge, CountryFacts
from crossdeal.culture.names import in_prose

__all__ = [
    "AddressAdvice",
    "CalendarEntry",
    "CalendarReport",
    "CountryRef",
    "FiscalYearReport",
    "HoursOverlap",
    "OfficeHours",
    "PairCalendar",
    "PracticalBriefing",
    "RegionalHoliday",
    "address_advice",
    "calendar_entries",
    "calendar_report",
    "hours_overlap",
    "office_hours",
    "practical_briefing",
    "regional_holidays",
]

_HOLIDAY_MEANING = "Public holiday: offices are closed."


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class AddressAdvice(_Out):
    name_order: Literal["family-first", "given-first", "either"]
    addressed_by: Literal["family", "given", "given-and-patronymic"]
    first_contact: Literal["title", "first-name"] = Field(
        description="title: title and name until invited otherwise"
    )
    titles: list[str]
    greeting: str = Field(description="how an English email opens, with placeholders or a name")
    formal_you: str | None
    note: str | None
    sources: list[str]


class CountryRef(_Out):
    code: str = Field(description="ISO 3166 alpha-2")
    name: str
    subdivision: str | None = None


class CalendarEntry(_Out):
    kind: Literal["holiday", "period", "weekend"]
    name: str
    start: dt.date
    end: dt.date
    estimated: bool = Field(
        default=False, description="true where the date depends on a moon sighting"
    )
    affects: list[str] = Field(default_factory=list)
    for_seller: str
    sources: list[str]


class RegionalHoliday(_Out):
    """A holiday kept in some of the country's regions only, not in its national list."""

    name: str
    start: dt.date
    end: dt.date
    regions: list[str] = Field(
        description="the subdivisions that keep it (codes of the holidays package: BY, MH ...)"
    )
    cities: list[str] = Field(description="a major business city in each of those regions")


class OfficeHours(_Out):
    time_zone: str
    time_zone_note: str | None = None
    start: str = Field(description="HH:MM local time")
    end: str
    utc_offset: str = Field(description="on the report's first day, e.g. +05:30")
    working_days: list[str]
    note: str | None = None
    sources: list[str]


class FiscalYearReport(_Out):
    starts: str = Field(description="MM-DD")
    label: str = Field(description="e.g. April to March")
    note: str | None = None
    budget_note: str | None = None
    current_start: dt.date = Field(
        description="the start of the fiscal year the report's first day is in"
    )
    next_start: dt.date
    sources: list[str]


class CalendarReport(_Out):
    schema_version: Literal["crossdeal.calendar/1"] = "crossdeal.calendar/1"
    country: CountryRef
    start: dt.date
    days: int
    weekend: list[str] = Field(description="weekend days on the first day (mon ... sun)")
    weekend_source: str
    entries: list[CalendarEntry] = Field(description="holidays and periods, by start date")
    hours: OfficeHours | None = Field(description="null where crossdeal has no hours for it")
    fiscal_year: FiscalYearReport | None
    address: AddressAdvice | None
    languages: list[str] = Field(description="languages of business email, the usual one first")
    not_covered: list[str] = Field(description="what crossdeal could not say for this country")
    regional: list[RegionalHoliday] = Field(
        default_factory=list,
        description="holidays kept in some regions only (none where a subdivision is given)",
    )


class HoursOverlap(_Out):
    on: dt.date
    seller: str
    buyer: str
    overlap_utc: list[str] = Field(description="shared office hours in UTC, HH:MM-HH:MM")
    seller_local: str | None = Field(description="the shared hours on the seller's clock")
    buyer_local: str | None = Field(description="the shared hours on the buyer's clock")
    hours: float
    note: str
    shared_days: list[str] = Field(
        default_factory=list,
        description="the weekdays both sides work (mon ... sun); empty where not worked out",
    )
    details: list[str] = Field(
        default_factory=list,
        description=(
            "what moves or bounds the shared hours, a sentence each: the nearest times where "
            "there is no overlap, clock changes in the window (from the first day both "
            "work), weeks that run on different days"
        ),
    )


class PracticalBriefing(_Out):
    """The practical part of a briefing: the buyer's next weeks, hours and address."""

    on: dt.date = Field(description="the briefing's day: the window starts here")
    days: int
    country: CountryRef
    weekend: list[str]
    entries: list[CalendarEntry] = Field(description="holidays and periods in the window")
    hours: OfficeHours | None
    overlap: HoursOverlap | None = Field(description="shared office hours with the seller")
    fiscal_year: FiscalYearReport | None
    address: AddressAdvice | None
    languages: list[str]
    not_covered: list[str]
    regional: list[RegionalHoliday] = Field(
        default_factory=list, description="holidays kept in some regions only"
    )
    call_day: str | None = Field(
        default=None,
        description="what the day of the call is for the buyer where it is not an ordinary "
        "working day (a public holiday, a weekend day, a business period), with the nearest "
        "free working days",
    )


class PairCalendar(_Out):
    schema_version: Literal["crossdeal.calendar-pair/1"] = "crossdeal.calendar-pair/1"
    first: CalendarReport
    second: CalendarReport
    overlap: HoursOverlap | None


def _fiscal_label(month: int) -> str:
    import calendar as stdcal

    if month == 1:
        return "calendar year (January to December)"
    return f"{stdcal.month_name[month]} to {stdcal.month_name[(month - 2) % 12 + 1]}"


def _fiscal(facts: CountryFacts, on: dt.date, knowledge: CalendarKnowledge) -> FiscalYearReport:
    fy = facts.fiscal_year
    month, day = int(fy.starts[:2]), int(fy.starts[3:])
    start = dt.date(on.year, month, day)
    if start <= on:
        start = dt.date(on.year + 1, month, day)
    current = dt.date(start.year - 1, month, day)
    return FiscalYearReport(
        current_start=current,
        starts=fy.starts,
        label=_fiscal_label(month),
        note=fy.note,
        budget_note=fy.budget_note,
        next_start=start,
        sources=knowledge.cite(facts.sources),
    )


def _utc_minutes(zone: str, on: dt.date) -> int:
    """The zone's offset from UTC at noon on ``on``, in minutes."""
    moment = dt.datetime.combine(on, dt.time(12), ZoneInfo(zone))
    return int(moment.utcoffset().total_seconds() // 60)  # type: ignore[union-attr]


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _possessive(name: str) -> str:
    return name + ("'" if name.endswith("s") else "'s")


def _offset(zone: str, on: dt.date) -> str:
    moment = dt.datetime.combine(on, dt.time(12), ZoneInfo(zone))
    minutes = int(moment.utcoffset().total_seconds() // 60)  # type: ignore[union-attr]
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def office_hours(facts: CountryFacts, on: dt.date, knowledge: CalendarKnowledge) -> OfficeHours:
    from crossdeal.calendar.days import weekend_on

    weekend = weekend_on(facts.code, on, knowledge)
    return OfficeHours(
        time_zone=facts.time_zone,
        time_zone_note=facts.time_zone_note,
        start=facts.hours[0].strftime("%H:%M"),
        end=facts.hours[1].strftime("%H:%M"),
        utc_offset=_offset(facts.time_zone, on),
        # in week order from the first day after the weekend: sun ... thu in Riyadh
        working_days=[
            WEEKDAYS[(weekend.days[-1] + 1 + i) % 7]
            for i in range(7)
            if (weekend.days[-1] + 1 + i) % 7 not in weekend.days
        ],
        note=facts.hours_note,
        sources=knowledge.cite(facts.sources),
    )


@dataclass(frozen=True)
class Desk:
    """Where and when one side works: a country code, a time zone, office hours."""

    code: str
    zone: str
    start: dt.time
    end: dt.time

    @classmethod
    def of(cls, facts: CountryFacts) -> Desk:
        return cls(facts.code, facts.time_zone, facts.hours[0], facts.hours[1])


def _utc_window(desk: Desk, on: dt.date) -> tuple[dt.datetime, dt.datetime]:
    zone = ZoneInfo(desk.zone)
    start = dt.datetime.combine(on, desk.start, zone).astimezone(dt.UTC)
    end = dt.datetime.combine(on, desk.end, zone).astimezone(dt.UTC)
    return start, end


def hours_overlap(
    seller: CountryFacts | Desk, buyer: CountryFacts | Desk, on: dt.date
) -> HoursOverlap:
    """The office hours the two sides share on ``on`` (both sides' own dates)."""
    s = seller if isinstance(seller, Desk) else Desk.of(seller)
    b = buyer if isinstance(buyer, Desk) else Desk.of(buyer)
    s_start, s_end = _utc_window(s, on)
    best: tuple[dt.datetime, dt.datetime] | None = None
    # the buyer's working day may be the seller's yesterday or tomorrow
    for shift in (-1, 0, 1):
        b_start, b_end = _utc_window(b, on + dt.timedelta(days=shift))
        start, end = max(s_start, b_start), min(s_end, b_end)
        if end > start and (best is None or end - start > best[1] - best[0]):
            best = (start, end)
    if best is None:
        return HoursOverlap(
            on=on,
            seller=s.code,
            buyer=b.code,
            overlap_utc=[],
            seller_local=None,
            buyer_local=None,
            hours=0.0,
            note=(
                "Your office hours do not overlap: one side has to call early or late. "
                "Offer the buyer a time inside their hours, and say it in their time zone."
            ),
        )
    start, end = best

    def local(zone: str) -> str:
        z = ZoneInfo(zone)
        return f"{start.astimezone(z):%H:%M}-{end.astimezone(z):%H:%M}"

    hours = round((end - start).total_seconds() / 3600, 1)
    note = (
        "Plenty of shared hours." if hours >= 4 else "Few shared hours: book calls in this window."
    )
    return HoursOverlap(
        on=on,
        seller=s.code,
        buyer=b.code,
        overlap_utc=[f"{start:%H:%M}-{end:%H:%M}"],
        seller_local=local(s.zone),
        buyer_local=local(b.zone),
        hours=hours,
        note=note,
    )


def calendar_entries(
    country: str,
    start: dt.date,
    end: dt.date,
    knowledge: CalendarKnowledge,
    subdivision: str | None = None,
) -> tuple[list[CalendarEntry], list[str]]:
    """The public holidays (consecutive days of one holiday as one entry) and periods of
    ``country`` from ``start`` to ``end``, by start date, and what the holiday data does
    not cover there."""
    from crossdeal.calendar.days import (
        has_holiday_data,
        holiday_gaps,
        holidays_between,
        periods_between,
    )

    entries: list[CalendarEntry] = []
    not_covered: list[str] = []
    facts = knowledge.country(country)
    state_note = facts.regional_holiday_note if facts is not None and subdivision else None
    if has_holiday_data(country):
        national = (
            {(d, n) for d, n in holidays_between(country, start, end)} if state_note else set()
        )
        runs: list[tuple[str, dt.date, dt.date]] = []
        for day, holiday in holidays_between(country, start, end, subdivision):
            base = holiday.removesuffix(" (observed)")
            if runs and runs[-1][0] == base and (day - runs[-1][2]).days == 1:
                runs[-1] = (base, runs[-1][1], day)
            else:
                runs.append((base, day, day))
        for holiday_name, first_day, last_day in runs:
            regional = state_note is not None and (first_day, holiday_name) not in national
            entries.append(
                CalendarEntry(
                    kind="holiday",
                    name=holiday_name,
                    start=first_day,
                    end=last_day,
                    for_seller=state_note if regional and state_note else _HOLIDAY_MEANING,
                    sources=["holidays package (public holidays)"],
                    affects=["meetings", "replies"],
                )
            )
        not_covered += [
            f"public holidays: {gap}" for gap in holiday_gaps(country, start, end, subdivision)
        ]
    else:
        not_covered.append("public holidays: the holidays package has no data for this country")
    for span in periods_between(country, start, end, knowledge):
        period = span.period
        entries.append(
            CalendarEntry(
                kind="period",
                name=period.name,
                start=span.start,
                end=span.end,
                estimated=period.estimated,
                affects=list(period.affects),
                for_seller=period.for_seller,
                sources=knowledge.cite(period.sources),
            )
        )
    entries.sort(key=lambda e: (e.start, e.kind != "holiday", e.name))
    return entries, not_covered


# A note where the holiday data knows regions but the country facts name no business
# cities to say which of them matter
_REGIONS_NOT_LISTED = (
    "regional holidays: some regions keep holidays of their own, not listed here; name "
    "the buyer's region with --subdivision to see them"
)


def regional_holidays(
    country: str,
    start: dt.date,
    end: dt.date,
    knowledge: CalendarKnowledge,
    subdivision: str | None = None,
) -> tuple[list[RegionalHoliday], list[CalendarEntry], list[str]]:
    """The holidays that the regions of the country's major business cities keep and the
    country as a whole does not (Epiphany in Bavaria); those every one of them keeps,
    which the holiday data lists state by state only (Australia's observed Christmas
    Day), as ordinary holidays; and a note where regions differ but no cities are known.
    Nothing when a subdivision is given."""
    from crossdeal.calendar.days import (
        closed_everywhere,
        regional_holidays_between,
        subdivisions,
    )

    if subdivision is not None:
        return [], [], []
    facts = knowledge.country(country)
    if facts is None or not facts.cities:
        return [], [], [_REGIONS_NOT_LISTED] if subdivisions(country) else []
    first_city = facts.business_regions
    runs: list[RegionalHoliday] = []
    everywhere: list[CalendarEntry] = []
    found = regional_holidays_between(country, tuple(first_city), start, end)
    for day, names in closed_everywhere(found, set(first_city)).items():
        everywhere.append(
            CalendarEntry(
                kind="holiday",
                name=names,
                start=day,
                end=day,
                for_seller=_HOLIDAY_MEANING,
                sources=["holidays package (public holidays of every state)"],
                affects=["meetings", "replies"],
            )
        )
    national_days = {e.start for e in everywhere}
    for day, name, regions in found:
        if day in national_days:
            continue
        last = runs[-1] if runs else None
        if (
            last is not None
            and last.name == name
            and last.regions == list(regions)
            and (day - last.end).days == 1
        ):
            runs[-1] = last.model_copy(update={"end": day})
            continue
        runs.append(
            RegionalHoliday(
                name=name,
                start=day,
                end=day,
                regions=list(regions),
                cities=[first_city[r] for r in regions],
            )
        )
    return runs, everywhere, []


def calendar_report(
    country: str,
    name: str,
    start: dt.date,
    days: int,
    knowledge: CalendarKnowledge,
    subdivision: str | None = None,
) -> CalendarReport:
    """Holidays, weekends and periods of ``country`` (ISO alpha-2) in ``days`` days from
    ``start``, with the country's practical facts."""
    from crossdeal.calendar.days import (
        MAX_DAYS,
        check_day,
        check_subdivision,
        usual_subdivision,
        weekend_on,
    )
    from crossdeal.errors import InputError

    if not 1 <= days <= MAX_DAYS:
        raise InputError(f"--days must be between 1 and {MAX_DAYS}, not {days}")
    check_day(start)
    end = check_day(start + dt.timedelta(days=days - 1))
    subdiv = check_subdivision(country, usual_subdivision(country, subdivision, knowledge))
    entries, not_covered = calendar_entries(country, start, end, knowledge, subdiv)
    regional, everywhere, regions_note = regional_holidays(country, start, end, knowledge, subdiv)
    if everywhere:
        entries = sorted(
            [*entries, *everywhere], key=lambda e: (e.start, e.kind != "holiday", e.name)
        )
    not_covered += regions_note
    weekend = weekend_on(country, start, knowledge)
    facts = knowledge.country(country)
    if facts is None:
        not_covered.append(
            "office hours, fiscal year, forms of address and languages: not coded for this "
            "country yet"
        )
    return CalendarReport(
        country=CountryRef(code=country, name=name, subdivision=subdiv),
        start=start,
        days=days,
        weekend=list(weekend.names),
        weekend_source={
            "cldr": "CLDR",
            "crossdeal": f"crossdeal: {weekend.note}",
            "history": f"crossdeal: {weekend.note}",
        }[weekend.source],
        entries=entries,
        hours=office_hours(facts, start, knowledge) if facts else None,
        fiscal_year=_fiscal(facts, start, knowledge) if facts else None,
        address=address_advice(facts, knowledge) if facts else None,
        languages=list(facts.languages) if facts else [],
        not_covered=not_covered,
        regional=regional,
    )


def shared_hours(
    seller: Desk,
    buyer: CountryFacts,
    on: dt.date,
    days: int,
    knowledge: CalendarKnowledge,
    seller_country: str | None = None,
    buyer_name: str | None = None,
) -> HoursOverlap:
    """The office hours both sides share on ``on``, with the weekdays both work and what
    moves or bounds them in the next ``days`` days (``seller_country``: the seller's
    country, for its weekend; without it, the buyer's working days count;
    ``buyer_name``: the buyer's country as a clock change names it)."""
    overlap = hours_overlap(seller, buyer, on)
    shared, differ = _shared_days(seller_country, buyer.code, on, knowledge)
    buyer_desk = Desk.of(buyer)
    details = [] if overlap.hours else [_nearest_times(seller, buyer_desk, on, "Their day")]
    details += _clock_changes(overlap, seller, buyer, days, buyer_name or buyer.name)
    if differ:
        details.append(differ)
    return overlap.model_copy(update={"shared_days": shared, "details": details})


def _nearest_times(seller: Desk, buyer: Desk, on: dt.date, lead: str) -> str:
    """Where the hours do not overlap: how far the buyer's day starts after the seller's
    ends, and ends before it starts, on the seller's clock."""
    s_start, s_end = _utc_window(seller, on)
    after: tuple[dt.timedelta, dt.datetime] | None = None
    before: tuple[dt.timedelta, dt.datetime] | None = None
    for shift in (-1, 0, 1):
        b_start, b_end = _utc_window(buyer, on + dt.timedelta(days=shift))
        if b_start >= s_end and (after is None or b_start - s_end < after[0]):
            after = (b_start - s_end, b_start)
        if b_end <= s_start and (before is None or s_start - b_end < before[0]):
            before = (s_start - b_end, b_end)
    zone = ZoneInfo(seller.zone)

    def apart(gap: dt.timedelta, side: str) -> str:
        if not gap:
            return "just as yours ends" if side == "after" else "just as yours starts"
        edge = "ends" if side == "after" else "starts"
        return f"{gap.total_seconds() / 3600:g} h {side} yours {edge}"

    parts = []
    if after is not None:
        parts.append(
            f"starts at {after[1].astimezone(zone):%H:%M} your time ({apart(after[0], 'after')})"
        )
    if before is not None:
        parts.append(
            f"ends at {before[1].astimezone(zone):%H:%M} your time ({apart(before[0], 'before')})"
        )
    return f"{lead} {' and '.join(parts)}."


def _clock_changes(
    overlap: HoursOverlap, seller: Desk, buyer: CountryFacts, days: int, name: str | None
) -> list[str]:
    """A word on every clock change (daylight saving time on either side) in the window
    that moves the shared hours, or the nearest times where there are none: whose clocks
    change, on which day, and the hours from then. The two sides often change on
    different dates, so the hours move twice (Europe, then the US)."""
    buyer_desk = Desk.of(buyer)
    out: list[str] = []
    before = overlap.on
    shown = _hours_now(overlap, seller, buyer_desk)
    for i in range(1, days):
        day = overlap.on + dt.timedelta(days=i)
        moved = [
            (who, later > earlier)
            for who, zone in (("yours", seller.zone), ("theirs", buyer.time_zone))
            if (earlier := _utc_minutes(zone, before)) != (later := _utc_minutes(zone, day))
        ]
        before = day
        if not moved:
            continue
        now = _hours_now(hours_overlap(seller, buyer, day), seller, buyer_desk)
        if now == shown:
            continue  # both sides moved together: nothing changes between them
        shown = now
        if len(moved) == 2:
            whose = "Both sides' clocks"
        elif moved[0][0] == "yours":
            whose = "Your clocks"
        else:
            whose = f"{_possessive(_capital(in_prose(name)))} clocks" if name else "Their clocks"
        way = "go forward" if moved[0][1] else "go back"
        out.append(f"{whose} {way} on {day:%A} {day.day} {day:%B}: from then {now}")
    return out


def _hours_now(overlap: HoursOverlap, seller: Desk, buyer: Desk) -> str:
    """The shared hours on the seller's clock, or where there are none the nearest times."""
    if overlap.hours:
        return f"{overlap.seller_local} your time ({overlap.hours:g} h)."
    return _nearest_times(seller, buyer, overlap.on, "their day")


def _shared_days(
    seller: str | None, buyer: str, on: dt.date, knowledge: CalendarKnowledge
) -> tuple[list[str], str | None]:
    """The weekdays both sides work, and a word where their weeks differ (a Sunday to
    Thursday week against a Monday to Friday one)."""
    from crossdeal.calendar.days import weekend_on

    theirs = weekend_on(buyer, on, knowledge)
    if seller is None:
        return [d for i, d in enumerate(WEEKDAYS) if i not in theirs.days], None
    yours = weekend_on(seller, on, knowledge)
    shared = [d for i, d in enumerate(WEEKDAYS) if i not in theirs.days and i not in yours.days]
    if set(yours.days) == set(theirs.days):
        return shared, None
    names = ", ".join(d.capitalize() for d in shared)
    return shared, (
        f"Your weeks differ (your weekend: {', '.join(d.capitalize() for d in yours.names)}; "
        f"theirs: {', '.join(d.capitalize() for d in theirs.names)}): you share {names}."
    )


def practical_briefing(
    buyer: str,
    buyer_name: str,
    on: dt.date,
    knowledge: CalendarKnowledge,
    seller: str | None = None,
    seller_zone: str | None = None,
    days: int = 60,
    person: str | None = None,
    subdivision: str | None = None,
    call_on: bool = True,
) -> PracticalBriefing:
    """The next ``days`` days of the buyer's country, its office hours and their overlap
    with the seller's (the seller's country, or ``seller_zone``), fiscal year, and how
    to address the buyer (by name when ``person`` is given). ``call_on``: ``on`` is the
    day of the call (a weekend day there is worth a word; where ``on`` is only today,
    holidays and periods are)."""
    report = calendar_report(buyer, buyer_name, on, days, knowledge, subdivision)
    buyer_facts = knowledge.country(buyer)
    seller_facts = knowledge.country(seller) if seller else None
    overlap = None
    if buyer_facts is not None:
        desk: Desk | None = None
        if seller_zone is not None:
            start, end = seller_facts.hours if seller_facts else (dt.time(9), dt.time(17))
            desk = Desk(seller or seller_zone, seller_zone, start, end)
        elif seller_facts is not None:
            desk = Desk.of(seller_facts)
        if desk is not None:
            overlap = shared_hours(desk, buyer_facts, on, days, knowledge, seller, buyer_name)
    address = report.address
    if address is not None and person and buyer_facts is not None:
        from crossdeal.calendar.address import greeting, split_name

        address = address.model_copy(
            update={"greeting": greeting(buyer_facts, split_name(person, buyer_facts))}
        )
    return PracticalBriefing(
        call_day=_call_day(buyer, buyer_name, on, knowledge, report.country.subdivision, call_on),
        on=on,
        days=days,
        country=report.country,
        weekend=report.weekend,
        entries=report.entries,
        hours=report.hours,
        overlap=overlap,
        fiscal_year=report.fiscal_year,
        address=address,
        languages=report.languages,
        not_covered=report.not_covered,
        regional=report.regional,
    )


def _call_day(
    country: str,
    name: str,
    on: dt.date,
    knowledge: CalendarKnowledge,
    subdivision: str | None,
    weekend_counts: bool,
) -> str | None:
    """A word where the day of the call is not an ordinary working day for the buyer:
    Eid al-Fitr in the Emirates, a Friday in Riyadh, Golden Week in Tokyo."""
    from crossdeal.calendar.days import day_facts, nearest_working_days

    facts = [
        f
        for f in day_facts(country, on, knowledge, subdivision)
        if f.kind != "weekend" or weekend_counts
    ]
    if not facts:
        return None
    where = in_prose(name)
    closed = [f for f in facts if f.kind != "period"]
    if closed:
        what = " and ".join(
            "a weekend day"
            if f.kind == "weekend"
            else f.name + (" (the date is estimated)" if f.estimated else "")
            for f in closed
        )
        # a day in Ramadan or Golden Week is still a working day for a call
        before, after = nearest_working_days(country, on, knowledge, subdivision, False)
        nearest = " or ".join(f"{d:%A} {d.day} {d:%B}" for d in (before, after) if d)
        return (
            f"{on:%A} {on.day} {on:%B} is {what} in {where}: business is closed. "
            + (f"The nearest working days: {nearest}." if nearest else "")
        ).strip()
    first = facts[0]
    period = "the " + first.name[4:] if first.name.startswith("The ") else first.name
    return f"{on:%A} {on.day} {on:%B} falls in {period} in {where}. " + (
        first.period.for_seller if first.period is not None else ""
    )


def address_advice(facts: CountryFacts, knowledge: CalendarKnowledge) -> AddressAdvice:
    from crossdeal.calendar.address import greeting

    address = facts.address
    return AddressAdvice(
        name_order=address.name_order,
        addressed_by=address.addressed_by,
        first_contact=address.first_contact,
        titles=list(address.titles),
        greeting=greeting(facts, None),
        formal_you=address.formal_you,
        note=address.note,
        sources=knowledge.cite(facts.sources),
    )
