"""The practical layer: holidays, periods, weekends, hours, fiscal years, forms of address.

Dates are checked against published ones (the source of each is named), the data files
against their schema (file, line and reason), and the jobs that read them (calendar,
briefing, draft check, reply, template) against situations an experienced seller knows.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import crossdeal
from crossdeal.calendar.address import greeting, split_name
from crossdeal.calendar.days import (
    day_facts,
    is_working_day,
    month_first,
    nearest_working_days,
    periods_between,
    weekend_on,
)
from crossdeal.calendar.knowledge import default_knowledge, load_knowledge
from crossdeal.cli import app
from crossdeal.errors import CalendarFileError, InputError

K = default_knowledge()
D = dt.date
runner = CliRunner()


def run(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args), env={"COLUMNS": "200"})


def _starts(country: str, period: str, year: int) -> list[dt.date]:
    spans = periods_between(country, D(year, 1, 1), D(year, 12, 31), K)
    return [s.start for s in spans if s.period.id == period and s.start.year == year]


# --- dates against published ones ---------------------------------------------------


# First day of Ramadan by the Umm al-Qura calendar, as announced in Saudi Arabia
# (1445: 11 March 2024; 1446: 1 March 2025; 1447: 18 February 2026) and as tabulated
# for 1448 (8 February 2027; still an estimate: the start depends on the moon sighting).
@pytest.mark.parametrize(
    ("year", "first_day"),
    [(2024, D(2024, 3, 11)), (2025, D(2025, 3, 1)), (2026, D(2026, 2, 18)), (2027, D(2027, 2, 8))],
)
def test_ramadan_starts_on_the_umm_al_qura_date(year: int, first_day: dt.date) -> None:
    assert _starts("SA", "ramadan", year) == [first_day]


@pytest.mark.parametrize("country", ["SA", "AE", "QA", "KW", "BH", "OM", "ID", "MY", "PK", "EG"])
def test_ramadan_advice_names_only_what_holds_in_the_country(country: str) -> None:
    # the Gulf shortens the working day by law; elsewhere each employer (or the public
    # sector's yearly decision) sets it, and a Saudi or Emirati law means nothing there
    (span,) = periods_between(country, D(2027, 2, 20), D(2027, 2, 20), K)
    assert span.period.name == "Ramadan"
    advice = span.period.for_seller
    gulf = country in {"SA", "AE", "QA", "KW", "BH", "OM"}
    assert ("by law" in advice or "The law" in advice) == gulf
    assert "Saudi" not in advice and "UAE" not in advice
    assert "daylight lunch" in advice


def test_ramadan_is_labelled_estimated() -> None:
    (span,) = periods_between("SA", D(2026, 3, 1), D(2026, 3, 1), K)
    assert span.period.estimated and span.end == D(2026, 3, 19)


# The first day of the Lunar New Year (Spring Festival), as in the State Council's
# holiday notices: 10 February 2024, 29 January 2025, 17 February 2026, 6 February 2027.
# The period runs from a week before to ten days after it.
@pytest.mark.parametrize(
    ("year", "new_year"),
    [(2024, D(2024, 2, 10)), (2025, D(2025, 1, 29)), (2026, D(2026, 2, 17)), (2027, D(2027, 2, 6))],
)
def test_lunar_new_year_follows_the_spring_festival(year: int, new_year: dt.date) -> None:
    assert _starts("CN", "lunar-new-year", year) == [new_year - dt.timedelta(days=7)]


# Diwali (Deepavali) in the Government of India's lists of gazetted holidays:
# 31 October 2024, 20 October 2025, 8 November 2026, 29 October 2027.
@pytest.mark.parametrize("day", [D(2024, 10, 31), D(2025, 10, 20), D(2026, 11, 8), D(2027, 10, 29)])
def test_diwali_is_a_holiday_in_india(day: dt.date) -> None:
    names = [f.name for f in day_facts("IN", day, K) if f.kind == "holiday"]
    assert "Diwali" in names


# Carnival Tuesday is 47 days before Easter: 13 February 2024, 4 March 2025,
# 17 February 2026, 9 February 2027.
@pytest.mark.parametrize("tuesday", [D(2024, 2, 13), D(2025, 3, 4), D(2026, 2, 17), D(2027, 2, 9)])
def test_carnival_covers_its_tuesday(tuesday: dt.date) -> None:
    ids = [f.period.id for f in day_facts("BR", tuesday, K) if f.period]
    assert ids == ["carnival"]


def test_golden_week_and_the_august_holidays_are_fixed() -> None:
    assert [f.period.id for f in day_facts("JP", D(2027, 5, 4), K) if f.period] == ["golden-week"]
    assert [f.period.id for f in day_facts("FR", D(2027, 8, 12), K) if f.period] == [
        "august-holidays"
    ]
    assert not [f for f in day_facts("DE", D(2027, 8, 12), K) if f.period]


@pytest.mark.parametrize(
    ("country", "period"),
    [("US", "north-american-year-end"), ("CA", "north-american-year-end")]
    + [(c, "christmas-new-year") for c in ("DE", "GB", "FR")]
    + [(c, "christmas-to-epiphany") for c in ("SE", "ES", "AT")],
)
def test_north_american_year_end_is_no_budget_freeze(country: str, period: str) -> None:
    found = [f.period for f in day_facts(country, D(2026, 12, 28), K) if f.period]
    assert [p.id for p in found] == [period]
    closed = "frozen" in found[0].for_seller or "closed until" in found[0].for_seller
    # Europe's offices stop deciding; in North America December orders still get signed
    assert closed == (period != "north-american-year-end")


# Epiphany (6 January) is a public holiday in Sweden, Finland, Austria, Spain, Italy and
# Poland (holidays package): the Christmas break runs until it there, not to 2 January
@pytest.mark.parametrize("country", ["SE", "FI", "AT", "ES", "IT", "PL"])
def test_where_epiphany_is_a_holiday_the_christmas_break_runs_until_it(country: str) -> None:
    assert not is_working_day(country, D(2027, 1, 6), K)
    assert [f.period.id for f in day_facts(country, D(2027, 1, 5), K) if f.period] == [
        "christmas-to-epiphany"
    ]
    assert not [f for f in day_facts(country, D(2027, 1, 7), K) if f.period]


def test_midsummer_eve_closes_swedish_offices_though_it_is_no_statutory_holiday() -> None:
    # Midsummer Eve is the Friday before Midsummer Day (Saturday 26 June 2027)
    facts = day_facts("SE", D(2027, 6, 25), K)
    assert [f.period.id for f in facts if f.period] == ["swedish-midsummer"]
    assert not [f for f in facts if f.kind == "holiday"]
    assert not [f for f in day_facts("SE", D(2027, 6, 24), K) if f.period]


# --- holidays some regions keep --------------------------------------------------------


def test_the_calendar_names_the_regions_that_keep_a_holiday_the_country_does_not() -> None:
    report = crossdeal.business_calendar("DE", start=D(2026, 12, 20), days=30)
    assert not [e for e in report.entries if e.name == "Epiphany"]
    [epiphany] = [h for h in report.regional if h.name == "Epiphany"]
    assert epiphany.start == D(2027, 1, 6)
    # Baden-Württemberg, Bavaria, Saxony-Anhalt: each with a business city of its own
    assert epiphany.regions == ["BW", "BY", "ST"]
    assert epiphany.cities == ["Stuttgart", "Munich", "Magdeburg"]


def test_a_holiday_every_state_keeps_is_a_holiday_of_the_country() -> None:
    # the holidays package lists Australia's day in lieu for New Year's Day 2028 (a
    # Saturday) state by state only: every state keeps Monday 3 January
    report = crossdeal.business_calendar("AU", start=D(2027, 12, 20), days=20)
    assert D(2028, 1, 3) in {e.start for e in report.entries if e.kind == "holiday"}
    assert D(2028, 1, 3) not in {h.start for h in report.regional}
    # on Tuesday 28 December every state is closed, under two names: South Australia
    # keeps Proclamation Day in lieu, the others Boxing Day
    [tuesday] = [e for e in report.entries if e.start == D(2027, 12, 28) and e.kind == "holiday"]
    assert "Boxing Day" in tuesday.name and "Proclamation Day (observed) in SA" in tuesday.name
    assert D(2027, 12, 28) not in {h.start for h in report.regional}
    text = "Dear Ms. Smith,\nCould we meet on Monday 3 January 2028?\nKind regards,\nAnna"
    lint = crossdeal.lint_message(text, to="AU", on=D(2027, 11, 1))
    assert "holiday-clash" in {f.id for f in lint.findings}
    assert "regional-clash" not in {f.id for f in lint.findings}


def test_a_named_region_gets_its_own_holidays_and_no_regional_list() -> None:
    report = crossdeal.business_calendar("DE", start=D(2026, 12, 20), days=30, subdivision="BY")
    assert [e.start for e in report.entries if e.name == "Epiphany"] == [D(2027, 1, 6)]
    assert report.regional == []


def test_regions_without_known_cities_are_mentioned_not_listed() -> None:
    # the holidays package knows the US states; crossdeal names no business city there
    us = crossdeal.business_calendar("US", start=D(2027, 1, 1), days=60)
    assert us.regional == [] and any("--subdivision" in n for n in us.not_covered)
    jp = crossdeal.business_calendar("JP", start=D(2027, 1, 1), days=60)
    assert jp.regional == [] and not any("regional" in n for n in jp.not_covered)


def test_sankranti_is_a_period_across_india_where_the_holiday_lists_miss_it() -> None:
    # Telangana's list in the holidays package has no Sankranti, Hyderabad's main break
    facts = day_facts("IN", D(2027, 1, 15), K, subdivision="TS")
    [period] = [f.period for f in facts if f.period]
    assert period.id == "sankranti-pongal" and period.severity == "watch"
    assert "Hyderabad" in period.for_seller


def test_an_indian_state_holiday_says_what_closes() -> None:
    report = crossdeal.business_calendar("IN", start=D(2027, 4, 25), days=10, subdivision="MH")
    [day] = [e for e in report.entries if e.name == "Maharashtra Day"]
    assert "government offices" in day.for_seller and "many private" in day.for_seller
    national = crossdeal.business_calendar("IN", start=D(2027, 1, 20), days=10, subdivision="MH")
    [republic] = [e for e in national.entries if e.name == "Republic Day"]
    assert republic.for_seller == "Public holiday: offices are closed."


def test_the_briefing_takes_the_buyers_region() -> None:
    plain = run("brief", "-s", "US", "-b", "DE", "--on", "2026-12-20")
    out = " ".join(plain.output.split())
    assert plain.exit_code == 0, plain.output
    assert "Regional holidays" in out and "Epiphany in BW, BY, ST" in out
    named = run("brief", "-s", "US", "-b", "DE", "--on", "2026-12-20", "--subdivision", "by")
    out = " ".join(named.output.split())
    assert named.exit_code == 0, named.output
    assert "Next 60 days in Germany (BY)" in out and "Wed 6 Jan 2027: Epiphany" in out
    assert "Regional holidays" not in out
    wrong = run("brief", "-s", "US", "-b", "DE", "--subdivision", "XX")
    assert wrong.exit_code == 2 and "not a subdivision" in wrong.output
    assert "Traceback" not in wrong.output


# --- weekends: CLDR, with their history and crossdeal's corrections ------------------


@pytest.mark.parametrize(
    ("country", "day", "weekend"),
    [
        ("SA", D(2026, 3, 6), (4, 5)),  # Friday-Saturday since 29 June 2013
        ("SA", D(2013, 6, 27), (3, 4)),  # Thursday-Friday before
        ("AE", D(2026, 3, 6), (5, 6)),  # Saturday-Sunday since 1 January 2022
        ("AE", D(2021, 12, 31), (4, 5)),  # Friday-Saturday before
        ("IL", D(2026, 3, 6), (4, 5)),
        ("DE", D(2026, 3, 6), (5, 6)),
        ("IN", D(2026, 3, 6), (5, 6)),  # CLDR says Sunday only; crossdeal corrects it
    ],
)
def test_the_weekend_in_force_on_a_day(
    country: str, day: dt.date, weekend: tuple[int, ...]
) -> None:
    assert weekend_on(country, day, K).days == weekend


def test_a_countrys_usual_subdivision_gives_its_holidays() -> None:
    # Easter Monday is a bank holiday in England, not in Scotland
    assert not is_working_day("GB", D(2026, 4, 6), K)
    assert is_working_day("GB", D(2026, 4, 6), K, subdivision="SCT")


def test_free_days_around_a_clash_skip_weekends_holidays_and_the_period() -> None:
    before, after = nearest_working_days("SA", D(2026, 3, 6), K, avoid_periods=False)
    assert (before, after) == (D(2026, 3, 5), D(2026, 3, 8))
    outside_before, outside_after = nearest_working_days("SA", D(2026, 3, 6), K)
    assert outside_before < D(2026, 2, 18) and outside_after > D(2026, 3, 27)


def test_numeric_dates_are_read_month_first_only_where_cldr_says_so() -> None:
    assert month_first("US") and not month_first("GB") and not month_first("DE")


# --- names and forms of address ------------------------------------------------------


@pytest.mark.parametrize(
    ("country", "name", "expected"),
    [
        ("CN", "Zhang Wei", "Dear [Mr./Ms.] Zhang,"),
        ("CN", "Wei Zhang", "Dear [Mr./Ms.] Zhang,"),  # Zhang is the more common family name
        ("KR", "Kim Min-jun", "Dear [Mr./Ms.] Kim,"),
        ("JP", "SATO Kenji", "Dear [Mr./Ms.] Sato,"),  # capitals mark the family name
        ("VN", "Nguyen Van Minh", "Dear [Mr./Ms.] Minh,"),  # called by the given name
        ("MX", "Carlos García López", "Dear [Mr./Ms.] García,"),  # the first family name
        ("DE", "Dr. Andrea Schulz", "Dear Dr. Schulz,"),
        ("ID", "Budi Santoso", "Dear [Pak/Bu] Budi,"),
        ("TH", "Somchai Jaidee", "Dear Khun Somchai,"),
        ("US", "Emily Carter", "Hi Emily,"),
    ],
)
def test_greetings_use_the_readers_own_name(country: str, name: str, expected: str) -> None:
    facts = K.country(country)
    assert facts is not None
    assert greeting(facts, split_name(name, facts)) == expected


# --- the data files: schema, file, line and reason -----------------------------------


def _user_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mine.yaml"
    path.write_text(text, encoding="utf-8")
    return path


COUNTRY = """schema: crossdeal.calendar-countries/1
sources: {{mine: Our own market notes (2026).}}
countries:
  KE:
    time_zone: {zone}
    hours: "{hours}"
    fiscal_year: {{starts: "07-01"}}
    address: {{name_order: given-first, addressed_by: family, first_contact: title,
              salutation: "Dear {{title}} {{family}},"}}
    languages: [en, sw]
    sources: [{source}]
"""


@pytest.mark.parametrize(
    ("zone", "hours", "source", "reason", "line"),
    [
        ("Africa/Nairobi", "17:00-08:00", "mine", "start first", 6),
        ("Africa/Narobi", "08:00-17:00", "mine", "not an IANA time zone", 5),
        ("Africa/Nairobi", "08:00-17:00", "theirs", "unknown source 'theirs'", 4),
    ],
)
def test_a_bad_country_entry_names_file_line_and_reason(
    tmp_path: Path, zone: str, hours: str, source: str, reason: str, line: int
) -> None:
    path = _user_file(tmp_path, COUNTRY.format(zone=zone, hours=hours, source=source))
    with pytest.raises(CalendarFileError) as caught:
        load_knowledge([path])
    message = str(caught.value)
    assert str(path) in message and reason in message and f"line {line}" in message


def test_a_period_needs_exactly_one_kind_of_date(tmp_path: Path) -> None:
    path = _user_file(
        tmp_path,
        "schema: crossdeal.calendar-periods/1\nsources: {a: A source.}\nperiods:\n"
        "  - id: harvest\n    name: Harvest\n    start: {fixed: '09-01', hijri: '01-01'}\n"
        "    end: {fixed: '09-30'}\n    countries: [KE]\n    affects: [meetings]\n"
        "    for_seller: Many buyers are away on their farms for the harvest.\n"
        "    sources: [a]\n",
    )
    with pytest.raises(CalendarFileError, match="exactly one of fixed, hijri or holiday"):
        load_knowledge([path])


def test_a_user_file_corrects_a_country_and_adds_a_period(tmp_path: Path) -> None:
    mine = _user_file(
        tmp_path, COUNTRY.format(zone="Africa/Nairobi", hours="07:30-16:30", source="mine")
    )
    periods = tmp_path / "periods.yaml"
    periods.write_text(
        "schema: crossdeal.calendar-periods/1\nsources: {a: Our own notes.}\nperiods:\n"
        "  - id: kenya-harvest\n    name: Coffee harvest\n    start: {fixed: '10-01'}\n"
        "    end: {fixed: '12-15'}\n    countries: [KE]\n    affects: [meetings]\n"
        "    for_seller: Growers and their buyers spend these weeks on the estates.\n"
        "    sources: [a]\n",
        encoding="utf-8",
    )
    knowledge = load_knowledge([mine, periods])
    assert knowledge.country("KE").hours == (dt.time(7, 30), dt.time(16, 30))  # type: ignore[union-attr]
    assert [
        s.period.id for s in periods_between("KE", D(2026, 11, 1), D(2026, 11, 1), knowledge)
    ] == ["kenya-harvest"]


def test_user_files_in_the_home_reach_every_job(crossdeal_home: Path) -> None:
    folder = crossdeal_home / "calendar"
    folder.mkdir()
    (folder / "periods.yaml").write_text(
        "schema: crossdeal.calendar-periods/1\nsources: {a: Our own notes.}\nperiods:\n"
        "  - id: trade-fair\n    name: Hannover Messe week\n    start: {fixed: '04-20'}\n"
        "    end: {fixed: '04-24'}\n    countries: [DE]\n    affects: [meetings]\n"
        "    for_seller: Our German buyers are all at the fair; meet them there or after it.\n"
        "    sources: [a]\n",
        encoding="utf-8",
    )
    report = crossdeal.lint_message(
        "Dear Mr. Becker,\nCould we meet in Cologne on Wednesday 22 April?\nKind regards,\nAnn",
        to="DE",
        on=D(2026, 3, 2),
    )
    assert "period-clash" in {f.id for f in report.findings}


# --- the calendar job ---------------------------------------------------------------


def test_calendar_lists_holidays_periods_hours_and_address() -> None:
    report = crossdeal.business_calendar("Saudi Arabia", start=D(2026, 2, 10), days=40)
    assert isinstance(report, crossdeal.CalendarReport)
    kinds = {(e.kind, e.name) for e in report.entries}
    assert ("period", "Ramadan") in kinds and ("holiday", "Founding Day Holiday") in kinds
    eid = next(e for e in report.entries if e.name == "Eid al-Fitr Holiday")
    assert eid.end > eid.start  # consecutive days of one holiday are one entry
    assert report.weekend == ["fri", "sat"] and report.hours is not None
    assert report.hours.working_days[0] == "sun"
    assert report.address is not None and report.address.first_contact == "title"


def test_calendar_of_both_sides_with_their_shared_hours() -> None:
    pair = crossdeal.business_calendar("IN", start=D(2027, 4, 20), days=30, with_country="JP")
    assert isinstance(pair, crossdeal.PairCalendar)
    assert pair.overlap is not None and pair.overlap.hours == 5.0
    assert pair.overlap.buyer_local == "09:30-14:30" and pair.overlap.seller_local == "13:00-18:00"
    assert any(e.name == "Golden Week" for e in pair.second.entries)


def test_a_day_off_in_exchange_says_which_day_is_worked() -> None:
    names = [f.name for f in day_facts("CN", D(2026, 10, 6), K) if f.kind == "holiday"]
    assert names == ["Day off (in exchange for working on Sunday 20 September)"]


def test_a_year_beyond_the_holiday_lists_says_so() -> None:
    report = crossdeal.business_calendar("IN", start=D(2050, 1, 1), days=30)
    assert any("2001 to 2035" in gap for gap in report.not_covered)  # type: ignore[union-attr]


def test_a_country_without_coded_facts_still_gets_its_holidays() -> None:
    report = crossdeal.business_calendar("Benin", start=D(2026, 1, 1), days=20)
    assert report.country.code == "BJ" and report.entries  # type: ignore[union-attr]
    assert report.hours is None and report.not_covered  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("Arab countries",), "covers several countries"),
        (("DE", "--subdivision", "XX"), "not a subdivision"),
        (("DE", "--from", "1900-01-01"), "outside the years"),
        (("DE", "--from", "2026-02-31"), "not a date written YYYY-MM-DD"),
        (("DE", "--days", "0"), "between 1 and 400"),
        (("Atlantis",), "Atlantis"),
    ],
)
def test_calendar_refuses_bad_input_with_a_message(args: tuple[str, ...], message: str) -> None:
    result = run("calendar", *args)
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.output.split()) and "Traceback" not in result.output


def test_calendar_cli_text_and_json() -> None:
    text = run("calendar", "JP", "--from", "2027-04-20", "--days", "20")
    assert text.exit_code == 0 and "Golden Week" in text.output and "Fiscal year" in text.output
    data = json.loads(
        run("calendar", "IN", "--with", "JP", "--from", "2027-04-20", "-f", "json").output
    )
    assert data["schema_version"] == "crossdeal.calendar-pair/1"
    assert data["overlap"]["hours"] == 5.0


# --- the briefing ---------------------------------------------------------------------


def test_the_briefing_has_the_next_60_days_and_how_to_address_them() -> None:
    briefing = crossdeal.brief("US", "SA", practical=True, on=D(2026, 2, 10))
    practical = briefing.practical
    assert practical is not None and practical.days == 60
    assert any(e.name == "Ramadan" for e in practical.entries)
    assert practical.fiscal_year is not None and practical.address is not None
    assert practical.overlap is not None  # New York and Riyadh office hours


def test_the_briefing_addresses_a_saved_person_by_name() -> None:
    crossdeal.add_person("Kim Min-jun", "KR")
    briefing = crossdeal.brief("US", "Kim Min-jun", practical=True, on=D(2026, 3, 2))
    assert briefing.practical is not None and briefing.practical.address is not None
    assert briefing.practical.address.greeting == "Dear [Mr./Ms.] Kim,"


def test_the_seller_time_zone_option_moves_the_shared_hours() -> None:
    default = crossdeal.brief("DE", "JP", practical=True, on=D(2026, 6, 1)).practical
    moved = crossdeal.brief(
        "DE", "JP", practical=True, on=D(2026, 6, 1), seller_zone="Asia/Singapore"
    ).practical
    assert default is not None and moved is not None
    assert default.overlap is not None and moved.overlap is not None
    assert moved.overlap.hours > default.overlap.hours
    with pytest.raises(InputError, match="not a time zone"):
        crossdeal.brief("DE", "JP", practical=True, seller_zone="Mars/Olympus")


def test_every_clock_change_in_the_window_is_named() -> None:
    # Europe moves its clocks on 31 October 2027, the US on 7 November: the hours a
    # seller in Rome shares with New York move twice, and each line says whose clocks move
    overlap = crossdeal.brief("IT", "US", practical=True, on=D(2027, 9, 15)).practical.overlap  # type: ignore[union-attr]
    assert overlap is not None
    assert overlap.details[0].startswith("Your clocks go back on Sunday 31 October: from then")
    assert overlap.details[1].startswith(
        "The United States' clocks go back on Sunday 7 November: from then"
    )


def test_a_clock_change_names_its_own_day_and_side() -> None:
    # the US moves on Sunday 14 March 2027, Israel on Friday 26 March (a day off there):
    # the line names the day the clocks change, not the next working day (which may be a
    # holiday), and whose clocks they are
    overlap = crossdeal.brief("US", "IL", practical=True, on=D(2027, 3, 10)).practical.overlap  # type: ignore[union-attr]
    assert overlap is not None
    assert [d.split(":")[0] for d in overlap.details[:2]] == [
        "Your clocks go forward on Sunday 14 March",
        "Israel's clocks go forward on Friday 26 March",
    ]
    # two sides that change together share the same hours before and after: no line
    same = crossdeal.brief("US", "US", practical=True, on=D(2027, 3, 10)).practical.overlap  # type: ignore[union-attr]
    assert same is not None and same.details == []


def test_without_shared_hours_the_nearest_times_are_given_and_follow_the_clocks() -> None:
    # New York and Tokyo in March 2027: Tokyo's 09:00 is 19:00 in New York, its 18:00 is
    # 04:00; from the US clock change on 14 March, 20:00 and 05:00
    overlap = crossdeal.brief("US", "JP", practical=True, on=D(2027, 3, 10)).practical.overlap  # type: ignore[union-attr]
    assert overlap is not None and overlap.hours == 0
    assert overlap.details == [
        "Their day starts at 19:00 your time (2 h after yours ends) and ends at 04:00 your "
        "time (5 h before yours starts).",
        "Your clocks go forward on Sunday 14 March: from then their day starts at 20:00 your "
        "time (3 h after yours ends) and ends at 05:00 your time (4 h before yours starts).",
    ]
    pair = crossdeal.business_calendar("JP", D(2027, 3, 10), with_country="US")
    assert pair.overlap is not None and pair.overlap.details == overlap.details  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("seller", "buyer", "shared"),
    [
        ("IL", "DE", ["mon", "tue", "wed", "thu"]),  # Sunday to Thursday against Monday to Friday
        ("DE", "FR", ["mon", "tue", "wed", "thu", "fri"]),
    ],
)
def test_the_shared_hours_say_which_days_both_sides_work(
    seller: str, buyer: str, shared: list[str]
) -> None:
    overlap = crossdeal.brief(seller, buyer, practical=True, on=D(2027, 3, 1)).practical.overlap  # type: ignore[union-attr]
    assert overlap is not None and overlap.shared_days == shared
    assert any("Your weeks differ" in d for d in overlap.details) is (len(shared) < 5)


def test_a_region_buyer_gets_no_calendar_rather_than_a_wrong_one() -> None:
    assert crossdeal.brief("US", "Arab countries", practical=True).practical is None


def test_the_fiscal_year_line_keeps_its_qualifier() -> None:
    # the UK's government year runs April to March; many companies use the calendar year
    result = run("brief", "--seller", "AE", "--buyer", "GB", "--on", "2026-12-04")
    out = " ".join(result.output.split())
    assert result.exit_code == 0, result.output
    assert "Fiscal year: April to March. The government's and many companies' year" in out
    assert "others use the calendar year" in out


def test_brief_cli_shows_the_practical_sections() -> None:
    result = run("brief", "--seller", "US", "--buyer", "JP", "--on", "2026-04-20")
    out = " ".join(result.output.split())
    assert result.exit_code == 0, result.output
    assert "Next 60 days in Japan" in out and "Golden Week" in out
    assert "How to address them" in out and "Fiscal year: April to March" in out
    data = json.loads(
        run("brief", "-s", "US", "-b", "JP", "--on", "2026-04-20", "-f", "json").output
    )
    assert data["practical"]["country"]["code"] == "JP"


# --- the pipeline ----------------------------------------------------------------------


def test_a_close_date_in_golden_week_is_a_risk_and_the_deal_lists_what_comes_first(
    tmp_path: Path,
) -> None:
    from crossdeal.pipeline.db import Database
    from crossdeal.pipeline.store import PipelineStore

    db = Database(f"sqlite:///{tmp_path / 'p.db'}")
    store = PipelineStore(db, "local")
    store.add_seller("Emily Carter", culture="US")
    store.add_account("Tanaka Precision", country="JP")
    today = dt.date.today()
    golden = D(today.year + 1, 5, 1)
    calm = D(today.year + 1, 6, 10)  # a Wednesday or so in June: no holiday, no period
    inside = store.add_deal(
        "Line 3", "Tanaka Precision", owner="Emily Carter", expected_close=golden, created_on=today
    )
    outside = store.add_deal(
        "Line 4", "Tanaka Precision", owner="Emily Carter", expected_close=calm, created_on=today
    )
    ids = {d.id: {s.id for s in d.signals} for d in store.deals().deals}
    assert "close-in-holiday" in ids[inside] and "close-in-holiday" not in ids[outside]
    view = store.deal(inside, brief=False)
    names = [e.name for e in view.before_close]
    assert "Golden Week" in names and view.before_close == sorted(
        view.before_close, key=lambda e: (e.start, e.kind != "holiday", e.name)
    )
    db.dispose()


@pytest.mark.parametrize(
    ("seller", "buyer", "day", "said"),
    [
        ("GB", "AE", D(2027, 3, 10), "is Eid al-Fitr"),  # the call day is the holiday itself
        ("US", "SA", D(2027, 3, 12), "a weekend day in Saudi Arabia"),  # a Friday in Riyadh
        ("ES", "MX", D(2027, 3, 15), "Benito Juárez"),
        ("US", "SA", D(2027, 2, 15), "falls in Ramadan"),  # a working day, but not ordinary
        ("US", "IL", D(2027, 10, 20), "falls in the autumn holidays"),  # not "in The autumn"
        ("US", "DE", D(2027, 3, 10), None),
    ],
)
def test_the_briefing_says_first_when_the_call_day_is_no_ordinary_day(
    seller: str, buyer: str, day: dt.date, said: str | None
) -> None:
    practical = crossdeal.brief(seller, buyer, practical=True, on=day).practical
    assert practical is not None
    if said is None:
        assert practical.call_day is None
    else:
        assert practical.call_day is not None and said in practical.call_day
    if said and "falls in" not in said:
        assert "business is closed. The nearest working days:" in practical.call_day  # type: ignore[operator]


def test_a_weekend_counts_only_for_a_day_the_seller_named() -> None:
    # without --on the day is only today: a Saturday run of the briefing is no warning
    from crossdeal._calendar_cache import cached_knowledge
    from crossdeal.calendar.reports import practical_briefing

    friday = D(2027, 3, 19)
    named = practical_briefing("SA", "Saudi Arabia", friday, cached_knowledge(), seller="US")
    today = practical_briefing(
        "SA", "Saudi Arabia", friday, cached_knowledge(), seller="US", call_on=False
    )
    assert named.call_day is not None and "weekend" in named.call_day
    assert today.call_day is None


def test_the_call_day_comes_before_the_cards_in_the_terminal() -> None:
    from typer.testing import CliRunner

    from crossdeal.cli import app

    result = CliRunner().invoke(
        app,
        ["brief", "--seller", "GB", "--buyer", "AE", "--on", "2027-03-10"],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    assert result.output.index("is Eid al-Fitr") < result.output.index("What matters most")
