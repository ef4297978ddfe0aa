"""The message coach: drafts checked for their reader, replies read for what they commit to."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

import crossdeal
from crossdeal.errors import InputError
from crossdeal.messages.coach import MAX_CHARS
from crossdeal.messages.features import default_features, split_sentences

FORMAL_CLOSING = "\n\nKind regards,\nAnna"


def ids(report) -> set[str]:  # type: ignore[no-untyped-def]
    return {f.id for f in report.findings}


@pytest.mark.parametrize(
    ("draft", "reader", "expected", "absent"),
    [
        # the source case: a closed capability question to a yes-culture reader
        (
            "Dear Mr. Rao,\nCan you deliver the data migration by 1 March?" + FORMAL_CLOSING,
            "IN",
            {"closed-question"},
            set(),
        ),
        # the same question to a pushback culture is fine
        (
            "Dear Mr. Smit,\nCan you deliver the data migration by 1 March?" + FORMAL_CLOSING,
            "NL",
            set(),
            {"closed-question"},
        ),
        # an open question is never flagged
        (
            "Dear Mr. Rao,\nWhat would it take for your team to deliver the migration by 1 March?"
            + FORMAL_CLOSING,
            "IN",
            set(),
            {"closed-question"},
        ),
        (
            "Dear Ms. Tanaka,\nOur standard package is the same for every client, no exceptions."
            + FORMAL_CLOSING,
            "JP",
            {"standard-offer"},
            set(),
        ),
        (
            "Dear Ms. Becker,\nOur standard package is the same for every client, no exceptions."
            + FORMAL_CLOSING,
            "DE",
            set(),
            {"standard-offer"},
        ),
        (
            "Dear Mr. Kim,\nThis offer expires Friday, so we need your decision by tomorrow."
            + FORMAL_CLOSING,
            "KR",
            {"pressure"},
            set(),
        ),
        (
            "Dear Mr. Kim,\nThis offer expires Friday, so we need your decision by tomorrow."
            + FORMAL_CLOSING,
            "US",
            set(),
            {"pressure"},
        ),
        (
            "Hey Wei,\nquick one - send me the numbers asap",
            "CN",
            {"informal-address", "too-blunt"},
            set(),
        ),
        (
            "Hi Jake,\nSend me the numbers by Friday.\nThanks,\nAnna",
            "US",
            set(),
            {"informal-address", "too-blunt"},
        ),
        (
            "Dear Mr. Andersson,\nWe are the best-in-class vendor and we crush the competition."
            + FORMAL_CLOSING,
            "SE",
            {"boastful"},
            set(),
        ),
        (
            "Dear Mr. Andersson,\nOnce you approve, we can start on Monday." + FORMAL_CLOSING,
            "SE",
            {"single-decider"},
            set(),
        ),
        (
            "Hi Tom,\nMaybe we could perhaps possibly look at something, I think, sort of later."
            "\nBest,\nAnna",
            "NL",
            {"too-vague"},
            set(),
        ),
        (
            "Dear Mr. Suzuki,\nI hope the cherry blossoms in Tokyo were beautiful this year.\n"
            "Our proposal is attached." + FORMAL_CLOSING,
            "JP",
            set(),
            {"no-personal-touch"},
        ),
    ],
)
def test_draft_findings_depend_on_the_reader(
    draft: str, reader: str, expected: set[str], absent: set[str]
) -> None:
    found = ids(crossdeal.lint_message(draft, to=reader))
    assert expected <= found, found
    assert not (absent & found), found


def test_a_finding_points_at_its_words_and_suggests_a_rewrite() -> None:
    draft = (
        "Dear Mr. Rao,\nThank you for the call.\nCan your team deliver the API by June?"
        + FORMAL_CLOSING
    )
    report = crossdeal.lint_message(draft, to="India", sender="US")
    finding = next(f for f in report.findings if f.id == "closed-question")
    assert finding.theme == "unqualified-yes"
    assert finding.severity == "high"  # a seller from a pushback culture
    (span,) = finding.spans
    assert draft[span.start : span.end] == span.text == "Can your team deliver the API by June?"
    assert span.line == 3
    assert finding.suggestions[0].original == span.text
    assert (
        "What would it take for your team to deliver the API by June?"
        in finding.suggestions[0].rewrite
    )
    assert "India" in finding.why
    assert {e.dimension for e in finding.evidence} >= {"pdi", "idv"}
    assert finding.rule_file == "crossdeal:messages/draft_rules.yaml"


def test_personal_touch_severity_follows_how_relational_the_reader_is() -> None:
    draft = "Dear Mr. Silva,\nPlease find our proposal attached." + FORMAL_CLOSING
    severity = {
        reader: next(
            f.severity
            for f in crossdeal.lint_message(draft, to=reader).findings
            if f.id == "no-personal-touch"
        )
        for reader in ("US", "IN", "CN")
    }
    assert severity == {"US": "info", "IN": "watch", "CN": "high"}


@pytest.mark.parametrize(
    ("closing", "is_sign_off"),
    [
        ("Kind regards,", True),
        ("Best, Anna", True),
        ("Kind regards, Anna Schmidt", True),
        ("Thanks again, Jörg", True),
        ("Thanks, that works for us next week.", False),
        ("Best regards to the whole team in Pune and Chennai", False),
    ],
)
def test_a_sign_off_with_the_name_on_its_line_is_a_sign_off(
    closing: str, is_sign_off: bool
) -> None:
    # "Best, Anna" on one line closed the message as well as "Best," above the name, but
    # was read as no sign-off, and a hierarchical reader's draft was called too familiar
    text = f"Dear Mr. Sharma,\n\nplease find the offer attached.\n\n{closing}\n"
    found = default_features().extract(text, only=("sign_off",))
    assert bool(found.hits.get("sign_off")) is is_sign_off
    report = crossdeal.lint_message(text, to="IN", on=dt.date(2026, 3, 3))
    assert ("informal-address" in {f.id for f in report.findings}) is not is_sign_off


def test_politeness_score_separates_polite_from_rude_requests() -> None:
    polite = crossdeal.lint_message(
        "Dear Ms. Chen,\nThank you so much for your help! "
        "Could you possibly send the report when you have a moment?" + FORMAL_CLOSING,
        to="CN",
    )
    rude = crossdeal.lint_message("Send me the report now. Why is it late again?", to="CN")
    assert polite.politeness.score > 0.8 > 0.3 > rude.politeness.score
    assert "low-politeness" in ids(rude)
    assert rude.politeness.drivers


@pytest.mark.parametrize(
    ("reply", "verdict", "flags"),
    [
        ("Of course, no problem. We will do it.", "unqualified-yes", {"unqualified-yes"}),
        ("Sure, definitely!", "unqualified-yes", {"unqualified-yes"}),
        (
            "Yes, we can deliver by 14 March if we receive the specs by Friday; the catch is that "
            "reporting moves to phase 2.",
            "qualified-yes",
            set(),
        ),
        ("Yes - Ravi will send the revised plan on Tuesday.", "qualified-yes", set()),
        ("Sure, but which module should come first?", "qualified-yes", set()),
        (
            "Thank you for the proposal. We will consider it and discuss internally.",
            "soft-no",
            {"soft-no"},
        ),
        ("It may be difficult, but we will try our best.", "soft-no", {"soft-no"}),
        ("Sure, no problem, we will try our best.", "mixed", {"unqualified-yes", "soft-no"}),
        ("Thanks for the update.", "no-agreement", set()),
    ],
)
def test_reading_a_reply(reply: str, verdict: str, flags: set[str]) -> None:
    report = crossdeal.read_reply(reply, sender="IN")
    assert report.verdict == verdict
    assert ids(report) == flags


def test_an_unqualified_yes_gets_follow_up_questions_and_culture_severity() -> None:
    from_india = crossdeal.read_reply("Of course, no problem.", sender="IN")
    from_germany = crossdeal.read_reply("Of course, no problem.", sender="DE")
    (finding,) = from_india.findings
    assert finding.severity == "high"
    assert finding.follow_up and all(q.endswith("?") or q.endswith(".") for q in finding.follow_up)
    assert from_germany.findings[0].severity == "info"


def test_unanswered_points_are_found_in_the_earlier_message() -> None:
    asked = (
        "Could you share your budget range? When do you plan to decide? Who else will review it?"
    )
    report = crossdeal.read_reply(
        "Our budget is around 200k USD. We decide in May.", sender="JP", asked=asked
    )
    (finding,) = [f for f in report.findings if f.id == "unanswered-point"]
    assert [s.text for s in finding.spans] == ["Who else will review it?"]
    assert finding.spans[0].source == "asked"


@pytest.mark.parametrize("text", ["", "   \n\t ", "\n\n"])
def test_empty_input_is_a_clear_error(text: str) -> None:
    with pytest.raises(InputError, match="empty"):
        crossdeal.lint_message(text, to="JP")
    with pytest.raises(InputError, match="empty"):
        crossdeal.read_reply(text, sender="JP")


def test_unknown_culture_is_a_lookup_error() -> None:
    with pytest.raises(crossdeal.UnknownCultureError):
        crossdeal.lint_message("Hello", to="Atlantis")


def test_very_long_text_is_cut_and_says_so() -> None:
    long = "Dear Mr. Rao,\n" + ("We will review the plan with your team next week. " * 200_000)
    report = crossdeal.lint_message(long, to="IN")
    assert report.truncated is True
    assert report.words <= MAX_CHARS


def test_template_renders_formally_for_a_hierarchical_reader_and_leaves_the_personal_slot() -> None:
    from crossdeal.messages.templates import render_template

    values = {
        "name": "Kim",
        "title": "Mr.",
        "topic": "the pilot",
        "next_step": "a visit in May",
        "sender": "Anna",
    }
    korea = render_template("follow-up-after-meeting", to="KR", values=values)
    assert korea.text.startswith("Dear Mr. Kim,")
    assert korea.placeholders == ["personal"]
    assert "[One personal sentence" in korea.text
    usa = render_template("follow-up-after-meeting", to="US", values=values)
    assert usa.text.startswith("Hi Kim,")  # the US opening of countries.yaml
    filled = render_template(
        "follow-up-after-meeting",
        to="KR",
        values={**values, "personal": "I hope your trip back to Seoul went well."},
    )
    assert {f.id for f in filled.check.findings} == set()


def test_template_errors_are_clear() -> None:
    from crossdeal.messages.templates import render_template

    with pytest.raises(InputError, match="needs --var for: name"):
        render_template(
            "follow-up-after-meeting",
            to="KR",
            values={"topic": "x", "next_step": "y", "sender": "z"},
        )
    with pytest.raises(InputError, match="no slot colour"):
        render_template("follow-up-after-meeting", to="KR", values={"colour": "blue"})
    with pytest.raises(InputError, match="no template named"):
        render_template("nope", to="KR")


def test_every_shipped_template_renders_clean_for_a_range_of_readers() -> None:
    from crossdeal.messages.templates import render_template, templates

    for template in templates().values():
        values = {k: f"sample {k}" for k in template.slots}
        values["personal"] = "I hope your family enjoyed the holiday."
        for reader in ("US", "JP", "IN", "DE", "BR", "SE"):
            result = render_template(template.name, to=reader, values=values)
            flagged = {f.id for f in result.check.findings}
            assert not flagged, (template.name, reader, flagged)


# --- laws ----------------------------------------------------------------------------


def test_a_combination_asked_for_brings_the_features_it_is_made_of() -> None:
    cushioned = "Dear Ms. Rao,\nWith all due respect, the report was late.\nKind regards,\nAnna"
    asked = default_features().extract(
        cushioned, only=["negative_feedback", "unsoftened_criticism"]
    )
    assert asked.has("negative_feedback") and asked.has("softener")
    assert not asked.has("unsoftened_criticism")  # "with all due respect" cushions it


def _labelled_texts() -> list[str]:
    import pathlib

    import yaml

    root = pathlib.Path(__file__).parent / "data" / "messages"
    return [
        item["text"]
        for name in ("drafts.yaml", "replies.yaml")
        for item in yaml.safe_load((root / name).read_text(encoding="utf-8"))
    ]


@pytest.mark.parametrize("name", default_features().names)
def test_asking_for_one_feature_finds_what_the_full_reading_finds(name: str) -> None:
    # a draft check reads only the features drafts need: each must come out the same,
    # combinations (a criticism without a softener) included
    features = default_features()
    for text in _labelled_texts():
        assert features.extract(text, only=[name]).hits.get(name) == features.extract(
            text
        ).hits.get(name), (name, text)


@given(st.text(max_size=400))
def test_features_never_crash_and_spans_stay_inside_the_text(text: str) -> None:
    found = default_features().extract(text)
    for hits in found.hits.values():
        for hit in hits:
            assert 0 <= hit.start <= hit.end <= len(text)
            assert 0 <= hit.sentence < max(len(found.sentences), 1)


@given(st.text(min_size=1, max_size=300).filter(lambda t: t.strip()))
def test_lint_and_reply_accept_any_text(text: str) -> None:
    report = crossdeal.lint_message(text, to="JP")
    assert 0.0 <= report.politeness.score <= 1.0
    for finding in report.findings:
        for span in finding.spans:
            assert (
                text.replace("\r\n", "\n").replace("\r", "\n")[span.start : span.end] == span.text
            )
    crossdeal.read_reply(text, sender="IN")


@given(
    st.lists(
        st.sampled_from(["Hello.", "Dear Ms. Li,", "Can you help?", "Thanks!", "We agree."]),
        max_size=8,
    )
)
def test_sentences_cover_the_text_in_order(parts: list[str]) -> None:
    text = "\n".join(parts)
    sentences = split_sentences(text)
    assert all(a.end <= b.start for a, b in itertools.pairwise(sentences))
    pieces = [text[s.start : s.end] for s in sentences]
    assert all(p and p == p.strip() for p in pieces)
    assert "".join("".join(p.split()) for p in pieces) == "".join(text.split())


def test_adding_softeners_never_lowers_politeness() -> None:
    """Monotonicity on the strongest polite strategies: thanks and a greeting."""
    model_text = "Send the report by Friday."
    base = crossdeal.lint_message(model_text, to="JP").politeness.score
    warmer = crossdeal.lint_message(
        "Dear Ms. Sato, thank you! " + model_text, to="JP"
    ).politeness.score
    assert warmer >= base


DECISION_ASKED = (
    "Dear Mr. Chen,\n"
    "I hope the new office in Suzhou is everything your team hoped for.\n"
    "We would be grateful for your approval of the pilot contract before 12 May." + FORMAL_CLOSING
)


@pytest.mark.parametrize(
    ("to", "rank", "severity"),
    [
        ("CN", "junior", "high"),  # a decision asked of a junior contact, top-down culture
        ("KR", "junior", "watch"),  # hierarchical, less steeply
        ("CN", "manager", None),
        ("CN", "executive", None),
        ("DK", "junior", None),  # a flat culture: a junior may well carry it
        ("Germany", "junior", None),
    ],
)
def test_a_decision_asked_of_a_junior_reader(to: str, rank: str, severity: str | None) -> None:
    report = crossdeal.lint_message(DECISION_ASKED, to=to, reader_rank=rank)
    found = {f.id: f for f in report.findings}
    assert report.reader_rank == rank
    if severity is None:
        assert "junior-decider" not in found
        return
    finding = found["junior-decider"]
    assert finding.severity == severity
    assert [s.text for s in finding.spans] == ["your approval"]
    assert "for a decision" in finding.suggestions[0].rewrite


def test_without_the_readers_rank_the_junior_check_is_left_open() -> None:
    report = crossdeal.lint_message(DECISION_ASKED, to="CN")
    assert "junior-decider" not in ids(report)
    assert [(n.rule_id, n.missing) for n in report.not_decided] == [
        ("junior-decider", ["reader.rank"])
    ]
    # a flat culture needs no rank to know the finding does not apply
    assert crossdeal.lint_message(DECISION_ASKED, to="DK").not_decided == []


def test_an_unknown_reader_rank_is_a_clear_error() -> None:
    with pytest.raises(InputError, match="not one of: junior, manager, executive"):
        crossdeal.lint_message(DECISION_ASKED, to="CN", reader_rank="boss")
