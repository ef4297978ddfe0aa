"""The coach's practical findings: dates against the reader's calendar, greetings that
fit the reader, rewrites in the reader's own name, and courtesy phrases in replies."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

import crossdeal
from crossdeal.messages.dates import find_dates
from crossdeal.messages.evaluation import Score, evaluate
from crossdeal.messages.practical import PRACTICAL_IDS

D = dt.date
DATA = Path(__file__).parent / "data" / "messages"


def _ids(text: str, to: str, on: dt.date, reader: str | None = None) -> set[str]:
    report = crossdeal.lint_message(text, to=to, on=on, reader=reader)
    return {f.id for f in report.findings}


# The six calendar problems of an experienced seller's drafts that the coach used to miss.
@pytest.mark.parametrize(
    ("to", "on", "draft", "expected"),
    [
        (
            "SA",
            D(2026, 1, 20),
            "Dear Mr. Khalid,\nCould we meet on Friday 6 March for a working lunch?\nBest,\nAnna",
            {"weekend-clash", "period-clash"},
        ),
        (
            "CN",
            D(2026, 1, 10),
            "Dear Mr. Zhang,\nI suggest we hold the kick-off on February 16.\nBest,\nTom",
            {"holiday-clash", "period-clash"},
        ),
        (
            "ID",
            D(2026, 2, 2),
            "Dear Pak Budi,\nWe plan the cut-over weekend on 21–22 March.\nBest,\nMark",
            {"holiday-clash", "period-clash"},
        ),
        (
            "FR",
            D(2026, 6, 20),
            "Dear Mr. Dubois,\nWould a workshop in Paris on 11 or 12 August suit you?\nBest,\nSue",
            {"period-clash"},
        ),
        (
            "JP",
            D(2026, 3, 2),
            "Dear Mr. Tanaka,\nWe propose the kickoff in Tokyo on April 30 or May 1.\nBest,\nJo",
            {"period-clash"},
        ),
    ],
)
def test_dates_that_clash_with_the_readers_calendar_are_found(
    to: str, on: dt.date, draft: str, expected: set[str]
) -> None:
    assert expected <= _ids(draft, to, on)


def test_a_clash_says_what_the_day_is_and_offers_free_days() -> None:
    report = crossdeal.lint_message(
        "Dear Mr. Khalid,\nCould we meet on Friday 6 March for a working lunch?\nBest,\nAnna",
        to="SA",
        on=D(2026, 1, 20),
    )
    weekend = next(f for f in report.findings if f.id == "weekend-clash")
    assert "Friday 6 March 2026" in weekend.why and "Thursday 5 March 2026" in weekend.why
    assert weekend.spans[0].text == "Friday 6 March"
    ramadan = next(f for f in report.findings if f.id == "period-clash")
    assert "Ramadan" in ramadan.why and "estimated" in ramadan.why
    assert "lunch" in ramadan.why  # the meal in daylight is the worse part
    assert ramadan.severity == "high"
    plain = crossdeal.lint_message(
        "Dear Mr. Khalid,\nCould we meet on Thursday 5 March?\nBest,\nAnna",
        to="SA",
        on=D(2026, 1, 20),
    )
    # without the meal, Ramadan is a watch: business goes on, at another pace
    assert [f.severity for f in plain.findings if f.id == "period-clash"] == ["watch"]


def test_the_same_dates_are_fine_for_a_reader_elsewhere() -> None:
    draft = "Dear Ms. Weber,\nCould we meet on Friday 6 March for a working lunch?\nBest,\nAnna"
    assert not _ids(draft, "DE", D(2026, 1, 20)) & set(PRACTICAL_IDS)


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        # a past reference, a shipment, a due date on a weekend: nobody has to be there
        ("Dear Mr. Zhang,\nWe met on 16 February in Shanghai.\nBest,\nTom", "holiday-clash"),
        (
            "Dear Mr. Zhang,\nThe parts will reach Ningbo on 16 February.\nBest,\nTom",
            "holiday-clash",
        ),
        ("Dear Mr. Zhang,\nPlease send the drawings by 21 February.\nBest,\nTom", "weekend-clash"),
    ],
)
def test_dates_that_need_no_one_in_the_office_are_not_flagged(text: str, absent: str) -> None:
    assert absent not in _ids(text, "CN", D(2026, 3, 1) if "met" in text else D(2026, 1, 10))


def test_an_iftar_dinner_fits_ramadan() -> None:
    text = (
        "Dear Dr. Saleh,\nWe would be honoured to host you for iftar on Tuesday 3 March.\n"
        "Best,\nMia"
    )
    assert "period-clash" not in _ids(text, "SA", D(2026, 1, 20))


@pytest.mark.parametrize(
    ("text", "to", "reader", "expected"),
    [
        (
            "Hey Klaus!\nLet's set up a call next week.\nCheers,\nMike",
            "DE",
            None,
            "Dear [Mr./Ms.] [family name],",
        ),
        (
            "Hey Klaus!\nLet's set up a call next week.\nCheers,\nMike",
            "DE",
            "Klaus Weber",
            "Dear [Mr./Ms.] Weber,",
        ),
        (  # the greeting and the first sentence on one line
            "Hey Klaus, quick question about the rollout. Could we talk on Tuesday?\nMike",
            "DE",
            "Klaus Weber",
            "Dear [Mr./Ms.] Weber,",
        ),
        (
            "Dear Wei,\nCould we talk on Tuesday?\nBest,\nTom",
            "CN",
            "Zhang Wei",
            "Dear [Mr./Ms.] Zhang,",
        ),
        (
            "Dear Mr. Wei,\nCould we talk on Tuesday?\nBest,\nTom",
            "CN",
            "Zhang Wei",
            "Dear [Mr./Ms.] Zhang,",
        ),
        (
            "Dear Mr. Nguyen,\nCould we talk on Tuesday?\nBest,\nTom",
            "VN",
            "Nguyen Van Minh",
            "Dear [Mr./Ms.] Minh,",
        ),
        (
            "Dear Mr. López,\nCould we talk on Tuesday?\nBest,\nTom",
            "MX",
            "Carlos García López",
            "Dear [Mr./Ms.] García,",
        ),
    ],
)
def test_a_greeting_that_does_not_fit_gets_one_in_the_readers_name(
    text: str, to: str, reader: str | None, expected: str
) -> None:
    report = crossdeal.lint_message(text, to=to, on=D(2026, 3, 2), reader=reader)
    finding = next(f for f in report.findings if f.id == "address-form")
    assert finding.suggestions[0].rewrite == expected


@pytest.mark.parametrize(
    ("text", "to", "reader"),
    [
        ("Dear Mr. Zhang,\nThanks.\nTom", "CN", "Zhang Wei"),
        ("Dear Director Kim,\nThanks.\nTom", "KR", "Kim Min-jun"),
        ("Dear Takahashi-san,\nThanks.\nTom", "JP", None),
        ("Dear Mehmet Bey,\nThanks.\nTom", "TR", None),
        ("Dear Pak Budi,\nThanks.\nTom", "ID", None),
        ("Dear Dott.ssa Bianchi,\nThanks.\nTom", "IT", None),
        ("Hi Emily,\nThanks.\nTom", "US", None),  # first names from the first email
        ("Dear all,\nThanks.\nTom", "DE", None),
    ],
)
def test_a_greeting_that_fits_is_left_alone(text: str, to: str, reader: str | None) -> None:
    assert "address-form" not in _ids(text, to, D(2026, 3, 2), reader)


def test_rule_rewrites_use_the_readers_greeting() -> None:
    report = crossdeal.lint_message(
        "hey\nsend me the numbers asap", to="CN", reader="Zhang Wei", on=D(2026, 3, 2)
    )
    informal = next(f for f in report.findings if f.id == "informal-address")
    assert "Dear [Mr./Ms.] Zhang," in informal.suggestions[0].rewrite


# --- the date finder: bad and ambiguous input -----------------------------------------


def test_an_impossible_date_is_named() -> None:
    report = crossdeal.lint_message(
        "Dear Mr. Becker,\nCould we meet on 31 February?\nBest,\nEmma", to="DE", on=D(2026, 1, 5)
    )
    finding = next(f for f in report.findings if f.id == "impossible-date")
    assert "February has no day 31" in finding.why


def test_an_ambiguous_numeric_date_says_which_reading_it_used() -> None:
    us = crossdeal.lint_message(
        "Hi Jason,\nCould we meet on 03/04/2027?\nHans", to="US", on=D(2027, 1, 5)
    )
    finding = next(f for f in us.findings if f.id == "ambiguous-date")
    assert "4 March 2027 for this reader (month first)" in finding.why
    de = crossdeal.lint_message(
        "Dear Mr. Becker,\nCould we meet on 03/04/2027?\nHans", to="DE", on=D(2027, 1, 5)
    )
    assert "3 April 2027 for this reader (day first)" in next(
        f.why for f in de.findings if f.id == "ambiguous-date"
    )


@pytest.mark.parametrize(
    "text",
    [
        "Payment terms are 30/60/10 as usual.",
        "Version 3.5 is live; the price is 1.200 EUR.",
        "Could we meet in the year 2150 on 3 March 2150?",
        "Could we meet on 3 March 1850?",
        "\n" * 5000 + "on the 31st",
        "Meet on " + "1 or " * 500 + "2 March",
    ],
)
def test_odd_input_gives_a_result_not_a_traceback(text: str) -> None:
    report = crossdeal.lint_message("Dear Ms. Becker,\n" + text, to="DE", on=D(2026, 1, 5))
    assert isinstance(report, crossdeal.LintReport)


def test_relative_dates_are_read_from_the_day_of_writing() -> None:
    on = D(2026, 2, 4)  # a Wednesday
    (friday,) = find_dates("see you next Friday", on)
    assert friday.days == (D(2026, 2, 6),) and "first Friday after 2026-02-04" in friday.reading
    (nth,) = find_dates("can we talk on the 2nd?", on)
    assert nth.days == (D(2026, 3, 2),)
    (end,) = find_dates("by the end of the month", on)
    assert end.days == (D(2026, 2, 28),) and end.kind == "deadline"
    (written,) = find_dates("Friday 6 March", D(2025, 1, 4))
    assert written.days == (D(2026, 3, 6),)  # the year in which 6 March is a Friday


# --- replies: courtesy phrases of other business languages -----------------------------


@pytest.mark.parametrize(
    ("text", "sender", "verdict", "findings"),
    [
        ("Claro, tudo bem? Vamos fazer sim!", "BR", "unqualified-yes", {"unqualified-yes"}),
        ("Inshallah we will finish next week.", "SA", "no-agreement", {"hope-not-date"}),
        ("Insha'Allah we will send the order on Tuesday.", "KW", "no-agreement", {"hope-not-date"}),
        ("Sure, we can do that. How are you?", "US", "unqualified-yes", {"unqualified-yes"}),
        ("Yes ji, we will do it.", "IN", "unqualified-yes", {"unqualified-yes"}),
        ("Claro! Can you send me the updated price list?", "BR", "qualified-yes", set()),
    ],
)
def test_courtesy_phrases_are_read_as_courtesy(
    text: str, sender: str, verdict: str, findings: set[str]
) -> None:
    report = crossdeal.read_reply(text, sender=sender)
    assert report.verdict == verdict
    assert {f.id for f in report.findings} & {"unqualified-yes", "hope-not-date"} == findings


def test_a_hoped_for_date_is_not_listed_as_a_commitment() -> None:
    report = crossdeal.read_reply("Inshallah we will finish next week.", sender="SA")
    assert report.commitments.dates_and_numbers == []
    assert report.commitments.hoped_for == ["next week"]


# --- templates ---------------------------------------------------------------------------


def test_a_template_addresses_the_reader_by_the_right_name() -> None:
    from crossdeal.messages.templates import render_template

    values = {"name": "Kim Min-jun", "topic": "the pilot", "next_step": "a visit", "sender": "Ann"}
    rendering = render_template("follow-up-after-meeting", to="KR", values=values)
    assert rendering.text.startswith("Dear [Mr./Ms.] Kim,")
    alone = render_template(
        "follow-up-after-meeting", to="KR", values={**values, "name": "Min-jun"}
    )
    assert alone.text.startswith("Dear [Mr./Ms.] [family name],") and "name" in alone.placeholders


# --- measured on the labelled practical sets ----------------------------------------------


def _held_out(name: str) -> list[dict[str, Any]]:
    items = yaml.safe_load((DATA / name).read_text(encoding="utf-8"))
    return [i for i in items if int(str(i["id"])[1:]) % 2 == 0]


def test_the_practical_sets_are_large_and_varied() -> None:
    drafts = yaml.safe_load((DATA / "practical_drafts.yaml").read_text(encoding="utf-8"))
    replies = yaml.safe_load((DATA / "practical_replies.yaml").read_text(encoding="utf-8"))
    assert len(drafts) >= 60 and len(replies) >= 30
    assert len({d["to"] for d in drafts}) >= 15
    assert len({r["from"] for r in replies}) >= 15


@pytest.fixture(scope="module")
def practical_drafts() -> dict[str, Score]:
    return evaluate(_held_out("practical_drafts.yaml"), "draft", scored=PRACTICAL_IDS)


@pytest.mark.parametrize("finding", ["holiday-clash", "period-clash", "address-form"])
def test_practical_draft_findings_meet_their_floor(
    practical_drafts: dict[str, Score], finding: str
) -> None:
    score = practical_drafts[finding]
    assert score.support >= 2
    assert score.precision is not None and score.precision >= 0.85, score
    assert score.recall is not None and score.recall >= 0.7, score


# Read by an experienced international seller: forms that are right must pass, and the
# wrong ones must get the right fix.
@pytest.mark.parametrize(
    ("greeting", "to", "reader"),
    [
        ("Dear Mr. Pérez,", "MX", "Juan Carlos Pérez"),  # two given names, one surname
        ("Dear Mr. Yılmaz,", "TR", "Mehmet Yılmaz"),  # English usage reads right
        ("Dear Ivan Petrovich,", "RU", "Ivan Petrovich Ivanov"),  # name and patronymic
        ("Dear Mr. Silva,", "BR", "João Pedro Santos Silva"),
        ("Dear Mr. Rajesh,", "IN", "Rajesh Kumar"),  # everyday Indian business English
        ("Dear Encik Ahmad,", "MY", "Ahmad bin Ismail"),  # bin: a patronymic
        ("Dear Mr. Tan,", "MY", "Tan Wei Ming"),  # a Chinese Malaysian name
        ("Dear Tan Sri Ahmad,", "MY", "Tan Sri Ahmad bin Ismail"),  # a title of two words
        ("Dear Mr. Al Mansoori,", "AE", "Mohammed Al Mansoori"),
    ],
)
def test_forms_of_address_that_read_right_are_not_flagged(
    greeting: str, to: str, reader: str
) -> None:
    text = f"{greeting}\nCould we meet next week?\nBest regards,\nTom"
    assert "address-form" not in _ids(text, to, D(2026, 3, 2), reader)


@pytest.mark.parametrize(
    ("greeting", "to", "reader", "rewrite"),
    [
        ("Dear Yılmaz Bey,", "TR", "Mehmet Yılmaz", "Dear Mehmet [Bey/Hanım],"),
        ("Dear Ms. Weber,", "DE", "Dr. Anna Weber", "Dear Dr. Weber,"),
        ("Dear Lic. Carlos,", "MX", None, "Dear Lic. [family name],"),
        ("Dear Khun Jaidee,", "TH", "Somchai Jaidee", "Dear Khun Somchai,"),
    ],
)
def test_wrong_forms_of_address_get_the_right_fix(
    greeting: str, to: str, reader: str | None, rewrite: str
) -> None:
    text = f"{greeting}\nCould we meet next week?\nBest regards,\nTom"
    report = crossdeal.lint_message(text, to=to, on=D(2026, 3, 2), reader=reader)
    (finding,) = [f for f in report.findings if f.id == "address-form"]
    assert finding.suggestions[0].rewrite == rewrite


def test_a_make_up_working_saturday_is_not_a_weekend() -> None:
    # 10 October 2026 is a working Saturday in China, in exchange for the National Day week
    text = "Dear Mr. Wang,\nCould we visit your plant on Saturday 10 October?\nBest,\nTom"
    assert "weekend-clash" not in _ids(text, "CN", D(2026, 8, 1))


def test_alternatives_for_a_weekend_in_ramadan_stay_near() -> None:
    report = crossdeal.lint_message(
        "Dear Mr. Khalid,\nCould we meet on Friday 6 March?\nBest,\nAnna",
        to="SA",
        on=D(2026, 1, 20),
    )
    weekend = next(f for f in report.findings if f.id == "weekend-clash")
    # business goes on in Ramadan: the days either side are the alternatives
    assert "Thursday 5 March 2026 or Sunday 8 March 2026" in weekend.why


def test_the_date_finder_finds_the_same_with_and_without_re2(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from crossdeal.messages import dates

    texts = [
        item["text"]
        for name in ("practical_drafts.yaml", "drafts.yaml")
        for item in yaml.safe_load((DATA / name).read_text(encoding="utf-8"))
    ]
    on = D(2026, 3, 2)
    accelerated = [dates.find_dates(t, on) for t in texts]
    monkeypatch.setattr(dates, "_KIND_SET", None)
    assert [dates.find_dates(t, on) for t in texts] == accelerated
    assert sum(map(len, accelerated)) > 100  # the texts hold dates to find


@pytest.mark.parametrize(
    ("text", "to", "subdivision", "expected"),
    [
        # Corpus Christi is a holiday in Baden-Württemberg and North Rhine-Westphalia,
        # not in Hamburg: the city in the draft decides
        ("at your Stuttgart plant on Thursday 4 June for the installation", "DE", None, True),
        ("Could we meet in Cologne on Thursday 4 June?", "DE", None, True),
        ("Could we meet in Hamburg on Thursday 4 June?", "DE", None, False),
        ("Could we meet on Thursday 4 June?", "DE", "BY", True),
        ("Could we meet on Thursday 4 June?", "DE", None, False),
        # Maharashtra Day, 1 May, in Mumbai
        ("Could we hold the workshop at your Mumbai office on 1 May?", "IN", None, True),
    ],
)
def test_a_state_holiday_counts_where_the_draft_is(
    text: str, to: str, subdivision: str | None, expected: bool
) -> None:
    report = crossdeal.lint_message(
        f"Dear Ms. Wagner,\n{text}\nKind regards,\nPierre",
        to=to,
        on=D(2026, 3, 2),
        subdivision=subdivision,
    )
    assert ("holiday-clash" in {f.id for f in report.findings}) is expected


def test_a_subdivision_the_holiday_data_does_not_know_is_refused() -> None:
    with pytest.raises(crossdeal.InputError, match="not a subdivision"):
        crossdeal.lint_message("Dear Ms. Wagner,\nThanks.", to="DE", subdivision="XX")


def test_every_city_of_the_data_is_in_a_known_subdivision() -> None:
    from crossdeal.calendar.days import subdivisions
    from crossdeal.calendar.knowledge import default_knowledge

    for code, facts in default_knowledge().countries.items():
        known = set(subdivisions(code))
        for city, subdivision in facts.cities.items():
            assert subdivision in known, (code, city, subdivision)


def test_a_greeting_with_the_message_after_it_points_at_the_greeting_only() -> None:
    text = "Hey Klaus, quick question about the rollout. Could we talk on Tuesday?\nMike"
    report = crossdeal.lint_message(text, to="DE", on=D(2026, 3, 2))
    finding = next(f for f in report.findings if f.id == "address-form")
    assert finding.severity == "high"
    assert [text[s.start : s.end] for s in finding.spans] == ["Hey Klaus,"]


def test_a_long_clause_before_a_comma_is_no_greeting() -> None:
    text = "Good morning meetings suit our whole team best, so shall we say Tuesday?\nMike"
    report = crossdeal.lint_message(text, to="DE", on=D(2026, 3, 2))
    assert "address-form" not in {f.id for f in report.findings}


@pytest.mark.parametrize(
    "visit", ["swing by", "stop by", "drop in at", "pop in at", "come over to"]
)
def test_an_informal_visit_is_a_proposal_too(visit: str) -> None:
    text = f"Dear Mr. Tanaka,\nCould I {visit} your office on Tuesday, May 4, 2027?\nBest,\nJo"
    assert {"holiday-clash", "period-clash"} <= _ids(text, "JP", D(2026, 12, 4))


# A holiday only some regions keep: where the draft does not say where the reader is,
# it is worth a word; where it names the city, that region's calendar decides.
@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("", {"regional-clash"}),
        (" in Munich", {"holiday-clash"}),  # Bavaria keeps Epiphany
        (" in Hamburg", set()),  # Hamburg does not
    ],
)
def test_a_regional_holiday_is_named_where_the_readers_region_is_unknown(
    where: str, expected: set[str]
) -> None:
    text = f"Dear Mr. Weber,\nCould we meet{where} on Wednesday, 6 January 2027?\nBest,\nAnna"
    calendar = {"holiday-clash", "regional-clash", "period-clash"}
    assert _ids(text, "DE", D(2026, 12, 1)) & calendar == expected


def test_a_regional_holiday_names_the_regions_and_their_cities() -> None:
    text = "Dear Mr. Weber,\nCould we meet on Wednesday, 6 January 2027?\nBest,\nAnna"
    report = crossdeal.lint_message(text, to="DE", on=D(2026, 12, 1))
    finding = next(f for f in report.findings if f.id == "regional-clash")
    assert finding.severity == "watch"
    assert "Epiphany in BW, BY, ST (Stuttgart, Munich, Magdeburg)" in finding.why
    named = crossdeal.lint_message(text, to="DE", on=D(2026, 12, 1), subdivision="HH")
    assert "regional-clash" not in {f.id for f in named.findings}


# A bare name is as serious in the draft as the briefing's forms-of-address card says:
# high where titles are kept longest (Japan, Korea) or the writer's culture is three
# levels less formal (an American writing to Germany), else watch.
@pytest.mark.parametrize(
    ("to", "sender", "greeting", "severity"),
    [
        ("JP", None, "Hi Kenji,", "high"),
        ("KR", None, "Hi Min-jun,", "high"),
        ("DE", None, "Hi Klaus,", "watch"),
        ("DE", "US", "Hi Klaus,", "high"),
        ("DE", "AT", "Hi Klaus,", "watch"),
        ("JP", "US", "Dear Kenji,", "high"),
    ],
)
def test_a_bare_name_is_as_serious_as_the_briefing_says(
    to: str, sender: str | None, greeting: str, severity: str
) -> None:
    text = f"{greeting}\nThank you for the meeting. The offer is attached.\nBest regards,\nAnna"
    report = crossdeal.lint_message(text, to=to, sender=sender, on=D(2026, 12, 1))
    finding = next(f for f in report.findings if f.id == "address-form")
    assert finding.severity == severity
    assert ("high because" in finding.reader_condition) == (severity == "high")


@pytest.mark.parametrize(
    "offer",
    [
        "We can give you 15% off if you sign before June 30.",
        "The discount holds as long as you order by the end of May.",
        "There is an early-signing discount of 10% this month.",
    ],
)
def test_a_discount_that_expires_is_deadline_pressure(offer: str) -> None:
    # the briefing's pace card for Japan says to drop expiring offers: the coach agrees
    text = f"Dear Mr. Tanaka,\n{offer}\nKind regards,\nAnna"
    report = crossdeal.lint_message(text, to="JP", sender="US", on=D(2026, 12, 1))
    assert [f.severity for f in report.findings if f.id == "pressure"] == ["high"]
    # in Germany an offer valid until a date is standard: a push to sign is a watch
    german = crossdeal.lint_message(
        text.replace("Mr. Tanaka", "Mr. Weber"), to="DE", sender="US", on=D(2026, 12, 1)
    )
    assert [f.severity for f in german.findings if f.id == "pressure"] == ["watch"]


@pytest.mark.parametrize(("to", "name"), [("CN", "Kevin"), ("HK", "Grace"), ("TW", "David")])
def test_an_english_name_a_chinese_reader_chose_is_a_hint_not_a_mistake(to: str, name: str) -> None:
    text = f"Hi {name},\nThank you for the meeting. The offer is attached.\nBest,\nAnna"
    report = crossdeal.lint_message(text, to=to, sender="US", on=D(2026, 12, 1))
    finding = next(f for f in report.findings if f.id == "address-form")
    assert finding.severity == "info" and "If they sign with it" in finding.why
    # a given name of their own language is still the mistake it was
    wei = crossdeal.lint_message(text.replace(name, "Wei"), to="CN", sender="US")
    assert [f.severity for f in wei.findings if f.id == "address-form"] == ["high"]


def test_an_indian_state_holiday_is_a_question_not_a_closed_office() -> None:
    # state holidays bind government offices, banks and schools; many private firms work
    text = (
        "Dear Mr. Sharma,\nI will be in Gurugram next month; could we meet at your office "
        "on Thursday 11 February 2027?\nKind regards,\nMike"
    )
    report = crossdeal.lint_message(text, to="IN", sender="US", on=D(2026, 12, 15))
    finding = next(f for f in report.findings if f.id == "holiday-clash")
    assert finding.severity == "watch" and "many private" in finding.why
    # a national holiday in India still closes offices
    republic = text.replace("Thursday 11 February 2027", "Tuesday 26 January 2027")
    national = crossdeal.lint_message(republic, to="IN", sender="US", on=D(2026, 12, 15))
    finding = next(f for f in national.findings if f.id == "holiday-clash")
    assert finding.severity == "high" and "offices are closed" in finding.why


def test_a_reader_in_a_country_named_with_the_reads_right() -> None:
    text = "Hi Jan,\nWe need your decision by Friday. Please confirm ASAP.\nThanks"
    report = crossdeal.lint_message(text, to="NL", on=D(2026, 12, 1))
    assert any("Readers in the Netherlands" in f.why for f in report.findings)


@pytest.mark.parametrize(
    ("greeting", "flagged"),
    [("Dear Kenji-san,", True), ("Dear Tanaka-san,", False), ("Dear Mr. Kenji,", True)],
)
def test_san_goes_with_the_family_name(greeting: str, flagged: bool) -> None:
    # Kenji is a given name: -san, like Mr., goes with the family name in business
    text = f"{greeting}\nThank you for the meeting. The offer is attached.\nBest regards,\nAnna"
    report = crossdeal.lint_message(text, to="JP", sender="US", on=D(2026, 12, 1))
    assert ("address-form" in {f.id for f in report.findings}) is flagged


@pytest.mark.parametrize(
    "sentence",
    [
        "Please send the signed order by Monday 3 January 2028.",
        "Could you reply by Monday 3 January 2028?",
        "The quotation is valid until Monday 3 January 2028.",
    ],
)
def test_what_the_reader_must_do_by_a_date_is_checked_too(sentence: str) -> None:
    # Monday 3 January 2028 is New Year's Day in lieu in every Australian state; a due
    # date on it is a watch, not a high (nobody needs to meet)
    text = f"Dear Ms. Smith,\n{sentence}\nKind regards,\nAnna"
    report = crossdeal.lint_message(text, to="AU", on=D(2027, 11, 1))
    assert [f.severity for f in report.findings if f.id == "holiday-clash"] == ["watch"]
