"""The practical knowledge behind the calendar, as data: per-country facts and periods.

``data/countries.yaml`` holds what the libraries lack per country (time zone of the
business centre, office hours, weekend history, fiscal year, forms of address, business
languages); ``data/periods.yaml`` holds religious and seasonal periods that change how
business runs (Ramadan, the Lunar New Year, Golden Week, August ...). Both are
validated on load; a mistake raises :class:`~crossdeal.errors.CalendarFileError` with
file, line and reason. User files of the same shape add or replace entries.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from crossdeal.errors import CalendarFileError

if TYPE_CHECKING:
    from crossdeal.culture.model import Culture

# the language of international business that most countries list second
LINGUA_FRANCA = "en"

__all__ = [
    "WEEKDAYS",
    "AddressFacts",
    "CalendarKnowledge",
    "CountryFacts",
    "DateRule",
    "FiscalYear",
    "Period",
    "default_knowledge",
    "load_knowledge",
]

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class DateRule:
    """One date a year: a fixed day, a Hijri day, or the first day of a named holiday;
    then ``days`` later (or earlier, when negative)."""

    fixed: str | None = None
    hijri: str | None = None
    holiday: str | None = None
    country: str | None = None
    days: int = 0

    @property
    def kind(self) -> Literal["fixed", "hijri", "holiday"]:
        if self.fixed is not None:
            return "fixed"
        return "hijri" if self.hijri is not None else "holiday"


@dataclass(frozen=True)
class FiscalYear:
    starts: str  # MM-DD
    note: str | None = None
    budget_note: str | None = None

    @property
    def start_month(self) -> int:
        return int(self.starts[:2])


@dataclass(frozen=True)
class AddressFacts:
    name_order: Literal["family-first", "given-first", "either"]
    addressed_by: Literal["family", "given", "given-and-patronymic"]
    first_contact: Literal["title", "first-name"]
    titles: tuple[str, ...]
    salutation: str
    default_title: str = "Mr./Ms."
    family_name_parts: int = 1
    formal_you: str | None = None
    note: str | None = None
    family_names: tuple[str, ...] = ()
    given_names: tuple[str, ...] = ()
    chosen_given_names: tuple[str, ...] = ()
    also_accepted: tuple[str, ...] = ()
    known_family_takes_title: bool = False
    academic_title_is_part_of_the_name: bool = False


@dataclass(frozen=True)
class Period:
    id: str
    name: str
    start: DateRule
    end: DateRule
    countries: frozenset[str]
    affects: tuple[str, ...]
    severity: Literal["high", "watch"]
    avoid: tuple[str, ...]
    avoid_note: str | None
    avoid_severity: Literal["high", "watch"] | None
    suits: tuple[str, ...]
    for_seller: str
    sources: tuple[str, ...]
    file: str

    @property
    def estimated(self) -> bool:
        """Whether the dates depend on a moon sighting (a day either way)."""
        return "hijri" in (self.start.kind, self.end.kind)


@dataclass(frozen=True)
class CountryFacts:
    code: str
    name: str | None
    cities: Mapping[str, str]
    holiday_subdivision: str | None
    holiday_subdivision_note: str | None
    time_zone: str
    time_zone_note: str | None
    hours: tuple[dt.time, dt.time]
    hours_note: str | None
    weekend: tuple[int, ...] | None
    weekend_note: str | None
    weekend_history: tuple[tuple[dt.date, tuple[int, ...]], ...]
    fiscal_year: FiscalYear
    address: AddressFacts
    languages: tuple[str, ...]
    sources: tuple[str, ...]
    file: str
    # what a holiday that only some regions keep means for offices there
    regional_holiday_note: str | None = None

    @property
    def business_regions(self) -> dict[str, str]:
        """The subdivision of each major business city, with the first city named in it
        (BY: Munich): the regions whose own holidays a seller needs to hear about."""
        regions: dict[str, str] = {}
        for city, region in self.cities.items():
            regions.setdefault(region, city)
        return regions


@dataclass(frozen=True)
class CalendarKnowledge:
    countries: Mapping[str, CountryFacts]
    periods: tuple[Period, ...]
    bibliography: Mapping[str, str]
    files: tuple[str, ...] = ()

    def country(self, code: str) -> CountryFacts | None:
        return self.countries.get(code)

    def common_language(self, seller: Culture | None, buyer: Culture | None) -> bool | None:
        """Whether two countries share a first language of business: the same usual
        one, or one side's usual language among the other's business languages (French
        in Belgium). English as everyone's second business language does not count: a
        deal in English between a German and a Japanese side runs in nobody's own
        language. None for a region, a sub-national sample (French-speaking Canada is
        not Canada's English) or a country whose languages are not coded."""
        if seller is None or buyer is None or seller.kind != "country" or buyer.kind != "country":
            return None
        first, second = self.country(seller.iso2 or ""), self.country(buyer.iso2 or "")
        if first is None or second is None or not first.languages or not second.languages:
            return None
        if first.languages[0] == second.languages[0]:
            return True
        return any(
            usual != LINGUA_FRANCA and usual in other.languages
            for usual, other in ((first.languages[0], second), (second.languages[0], first))
        )

    def periods_for(self, code: str) -> tuple[Period, ...]:
        return tuple(p for p in self.periods if code in p.countries)

    def cite(self, keys: Iterable[str]) -> list[str]:
        return [self.bibliography[k] for k in keys if k in self.bibliography]


def shipped_files() -> tuple[Path, Path]:
    base = resources.files("crossdeal.calendar") / "data"
    return Path(str(base / "countries.yaml")), Path(str(base / "periods.yaml"))


def _time(text: str) -> dt.time:
    hour, minute = text.split(":")
    return dt.time(int(hour), int(minute))


def _unknown_sources(keys: Iterable[str], known: Mapping[str, str]) -> str | None:
    return next((k for k in keys if k not in known), None)


def _read_countries(
    path: Path, into: dict[str, CountryFacts], bibliography: dict[str, str]
) -> None:
    from crossdeal._validation import validate_yaml
    from crossdeal._yaml import LineDict, load_yaml
    from crossdeal.calendar.schema import CountriesFile

    data = load_yaml(path, error=CalendarFileError)
    spec = validate_yaml(CountriesFile, data, path, CalendarFileError)
    bibliography.update(spec.sources)
    rows = data["countries"] if isinstance(data, LineDict) else {}
    for code, entry in spec.countries.items():
        line = rows.line_of(code) if isinstance(rows, LineDict) else None
        missing = _unknown_sources(entry.sources, bibliography)
        if missing is not None:
            raise CalendarFileError(f"unknown source {missing!r}", path, line, code)
        start, end = entry.hours.split("-")
        into[code] = CountryFacts(
            code=code,
            name=entry.name,
            cities=dict(entry.cities),
            holiday_subdivision=entry.holiday_subdivision,
            holiday_subdivision_note=entry.holiday_subdivision_note,
            regional_holiday_note=entry.regional_holiday_note,
            time_zone=entry.time_zone,
            time_zone_note=entry.time_zone_note,
            hours=(_time(start), _time(end)),
            hours_note=entry.hours_note,
            weekend=tuple(WEEKDAYS.index(d) for d in entry.weekend) if entry.weekend else None,
            weekend_note=entry.weekend_note,
            weekend_history=tuple(
                (span.until, tuple(WEEKDAYS.index(d) for d in span.days))
                for span in entry.weekend_history
            ),
            fiscal_year=FiscalYear(**entry.fiscal_year.model_dump()),
            address=AddressFacts(
                **{
                    **entry.address.model_dump(),
                    "titles": tuple(entry.address.titles),
                    "family_names": tuple(entry.address.family_names),
                    "given_names": tuple(entry.address.given_names),
                    "chosen_given_names": tuple(entry.address.chosen_given_names),
                    "also_accepted": tuple(entry.address.also_accepted),
                }
            ),
            languages=tuple(entry.languages),
            sources=tuple(entry.sources),
            file=str(path),
        )


def _read_periods(path: Path, into: dict[str, Period], bibliography: dict[str, str]) -> None:
    from crossdeal._validation import validate_yaml
    from crossdeal._yaml import load_yaml
    from crossdeal.calendar.schema import PeriodsFile

    data = load_yaml(path, error=CalendarFileError)
    spec = validate_yaml(PeriodsFile, data, path, CalendarFileError)
    bibliography.update(spec.sources)
    rows = data["periods"] if isinstance(data, dict) else []
    for index, entry in enumerate(spec.periods):
        line = rows.line_of(index) if hasattr(rows, "line_of") else None
        missing = _unknown_sources(entry.sources, bibliography)
        if missing is not None:
            raise CalendarFileError(f"unknown source {missing!r}", path, line, entry.id)
        into[entry.id] = Period(
            id=entry.id,
            name=entry.name,
            start=DateRule(**entry.start.model_dump()),
            end=DateRule(**entry.end.model_dump()),
            countries=frozenset(entry.countries),
            affects=tuple(entry.affects),
            severity=entry.severity,
            avoid=tuple(w.lower() for w in entry.avoid),
            avoid_note=" ".join(entry.avoid_note.split()) if entry.avoid_note else None,
            suits=tuple(w.lower() for w in entry.suits),
            avoid_severity=entry.avoid_severity,
            for_seller=" ".join(entry.for_seller.split()),
            sources=tuple(entry.sources),
            file=str(path),
        )


def load_knowledge(extra: Iterable[str | Path] = ()) -> CalendarKnowledge:
    """The shipped calendar knowledge, then each user file (countries or periods, told
    apart by their ``schema``): a user entry adds a country or period, or replaces the
    one with the same code or id."""
    countries_path, periods_path = shipped_files()
    countries: dict[str, CountryFacts] = {}
    periods: dict[str, Period] = {}
    bibliography: dict[str, str] = {}
    _read_countries(countries_path, countries, bibliography)
    _read_periods(periods_path, periods, bibliography)
    files: list[str] = []
    for item in extra:
        path = Path(item)
        if path.is_dir() or not path.exists():
            raise CalendarFileError("no such calendar file", path)
        from crossdeal._yaml import load_yaml

        data = load_yaml(path, error=CalendarFileError)
        schema = data.get("schema") if isinstance(data, dict) else None
        if schema == "crossdeal.calendar-countries/1":
            _read_countries(path, countries, bibliography)
        elif schema == "crossdeal.calendar-periods/1":
            _read_periods(path, periods, bibliography)
        else:
            raise CalendarFileError(
                "'schema' must be crossdeal.calendar-countries/1 or crossdeal.calendar-periods/1",
                path,
                1,
            )
        files.append(str(path))
    return CalendarKnowledge(countries, tuple(periods.values()), bibliography, tuple(files))


@functools.cache
def default_knowledge() -> CalendarKnowledge:
    """The shipped calendar knowledge (loaded once)."""
    return load_knowledge()
