"""The schemas of the calendar data files (validated on load, with file and line)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = [
    "AddressSpec",
    "CountriesFile",
    "CountrySpec",
    "DateRuleSpec",
    "FiscalYearSpec",
    "PeriodSpec",
    "PeriodsFile",
    "WeekendSpan",
]

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
Affect = Literal["meetings", "replies", "decisions", "hours", "gifts", "travel"]
_MONTH_DAY = re.compile(r"^(\d{2})-(\d{2})$")
_HOURS = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$")


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


def _month_day(value: str, calendar: str) -> str:
    m = _MONTH_DAY.match(value)
    months = 12
    days = 31 if calendar == "gregorian" else 30
    if not m or not (1 <= int(m.group(1)) <= months and 1 <= int(m.group(2)) <= days):
        raise ValueError(f"{value!r} is not a {calendar} month and day written MM-DD")
    if calendar == "gregorian":
        dt.date(2024, int(m.group(1)), int(m.group(2)))  # 02-30 and the like fail here
    return value


class DateRuleSpec(_Spec):
    """One date a year: a fixed day, a Hijri day, or the first day of a named holiday;
    then ``days`` later (or earlier, when negative)."""

    fixed: str | None = None
    hijri: str | None = None
    holiday: str | None = None
    country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    days: int = Field(default=0, ge=-120, le=120)

    @model_validator(mode="after")
    def _one_kind(self) -> DateRuleSpec:
        kinds = [k for k in ("fixed", "hijri", "holiday") if getattr(self, k) is not None]
        if len(kinds) != 1:
            raise ValueError("give exactly one of fixed, hijri or holiday")
        if self.fixed is not None:
            _month_day(self.fixed, "gregorian")
        if self.hijri is not None:
            _month_day(self.hijri, "hijri")
        if self.holiday is not None and self.country is None:
            raise ValueError("a holiday rule names the country whose holiday it is")
        if self.holiday is None and self.country is not None:
            raise ValueError("'country' belongs to a holiday rule")
        return self


class PeriodSpec(_Spec):
    id: str = Field(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
    name: str = Field(min_length=3)
    start: DateRuleSpec
    end: DateRuleSpec
    countries: list[str] = Field(min_length=1)
    affects: list[Affect] = Field(min_length=1)
    severity: Literal["high", "watch"] = "high"
    avoid: list[str] = Field(default_factory=list)
    avoid_note: str | None = None
    avoid_severity: Literal["high", "watch"] | None = None
    suits: list[str] = Field(default_factory=list)
    for_seller: str = Field(min_length=30)
    sources: list[str] = Field(min_length=1)

    @model_validator(mode="after")
    def _avoid(self) -> PeriodSpec:
        if self.avoid and not self.avoid_note:
            raise ValueError("'avoid' words need an 'avoid_note' that says why")
        return self

    @field_validator("countries")
    @classmethod
    def _codes(cls, value: list[str]) -> list[str]:
        for code in value:
            if not re.fullmatch(r"[A-Z]{2}", code):
                raise ValueError(f"{code!r} is not an ISO 3166 alpha-2 country code")
        return value


class PeriodsFile(_Spec):
    schema_: Literal["crossdeal.calendar-periods/1"] = Field(alias="schema")
    sources: dict[str, str] = Field(default_factory=dict)
    periods: list[PeriodSpec]


class FiscalYearSpec(_Spec):
    starts: str
    note: str | None = None
    budget_note: str | None = None

    @field_validator("starts")
    @classmethod
    def _starts(cls, value: str) -> str:
        return _month_day(value, "gregorian")


class WeekendSpan(_Spec):
    until: dt.date
    days: list[Weekday] = Field(min_length=1, max_length=3)


class AddressSpec(_Spec):
    name_order: Literal["family-first", "given-first", "either"]
    addressed_by: Literal["family", "given", "given-and-patronymic"]
    first_contact: Literal["title", "first-name"]
    titles: list[str] = Field(default_factory=list)
    salutation: str
    default_title: str = "Mr./Ms."
    family_name_parts: int = Field(default=1, ge=1, le=2)
    formal_you: str | None = None
    note: str | None = None
    family_names: list[str] = Field(default_factory=list)
    given_names: list[str] = Field(default_factory=list)
    chosen_given_names: list[str] = Field(default_factory=list)
    also_accepted: list[Literal["family", "given"]] = Field(default_factory=list)
    known_family_takes_title: bool = False
    academic_title_is_part_of_the_name: bool = False

    @field_validator("salutation")
    @classmethod
    def _fields(cls, value: str) -> str:
        unknown = set(re.findall(r"{(\w*)}", value)) - {"title", "family", "given", "full"}
        if unknown:
            raise ValueError(
                f"unknown placeholder {{{sorted(unknown)[0]}}}: use {{title}}, {{family}}, "
                "{given} or {full}"
            )
        return value


class CountrySpec(_Spec):
    name: str | None = None
    cities: dict[str, str] = Field(default_factory=dict)
    holiday_subdivision: str | None = None
    holiday_subdivision_note: str | None = None
    regional_holiday_note: str | None = None
    time_zone: str
    time_zone_note: str | None = None
    hours: str
    hours_note: str | None = None
    weekend: list[Weekday] | None = None
    weekend_note: str | None = None
    weekend_history: list[WeekendSpan] = Field(default_factory=list)
    fiscal_year: FiscalYearSpec
    address: AddressSpec
    languages: list[str] = Field(min_length=1)
    sources: list[str] = Field(min_length=1)

    @field_validator("hours")
    @classmethod
    def _hours(cls, value: str) -> str:
        m = _HOURS.match(value)
        if not m or (int(m.group(1)), int(m.group(2))) >= (int(m.group(3)), int(m.group(4))):
            raise ValueError(f"{value!r} is not office hours written HH:MM-HH:MM, start first")
        return value

    @field_validator("time_zone")
    @classmethod
    def _zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not an IANA time zone") from None
        return value

    @model_validator(mode="after")
    def _history(self) -> CountrySpec:
        dates = [span.until for span in self.weekend_history]
        if dates != sorted(dates, reverse=True):
            raise ValueError("weekend_history lists the newest change first")
        if self.weekend is not None and self.weekend_note is None:
            raise ValueError("a weekend that replaces CLDR's says why in weekend_note")
        return self


class CountriesFile(_Spec):
    schema_: Literal["crossdeal.calendar-countries/1"] = Field(alias="schema")
    sources: dict[str, str] = Field(default_factory=dict)
    countries: dict[str, CountrySpec]

    @field_validator("countries")
    @classmethod
    def _codes(cls, value: dict[str, CountrySpec]) -> dict[str, CountrySpec]:
        for code in value:
            if not re.fullmatch(r"[A-Z]{2}", code):
                raise ValueError(f"{code!r} is not an ISO 3166 alpha-2 country code")
        return value
