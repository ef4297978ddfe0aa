"""The one-pass prefilter: it may keep a pattern that finds nothing, never drop one
that would match, so feature extraction finds the same with it as without it."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crossdeal.messages._prefilter import Prefilter, available, to_re2
from crossdeal.messages.features import FeatureSet, data_dir, default_features, load_features
from tests.test_messages import _labelled_texts

needs_re2 = pytest.mark.skipif(not available(), reason="google-re2 is not installed")

# Characters where Python's and RE2's ideas of a digit, a space or a word differ.
_AWKWARD = (
    "ab yz09 .,;:!?'\"-\n\t"
    "\u00a0\u2009\u3000\x0b\x1c\x85"  # no-break, thin, ideographic spaces and odd separators
    "\u0663\uff11\u00b2"  # Arabic-Indic and full-width digits, a superscript two
    "éßİ\u0130\u2019\u201c"  # accented letters, a dotted capital I, curly quotes
    "\U0001f600\u2600"  # emoji
)
_WORDS = st.sampled_from(
    [
        "could you",
        "can you",
        "thank you",
        "sorry",
        "by the way",
        "please",
        "you must",
        "next week",
        "this year's",
        "12 units",
        "3.5",
        "March 3",
        "10:30 am",
        "q3",
        "hope you",
        "the report was late",
        "end of quarter",
        "no exceptions",
        "ASAP",
        "Hi Tom",
        "Dear Ms. Rao",
        "yes",
        "we will try",
        "if",
        "but",
        "Anna will send",
    ]
)
_TEXTS = st.lists(st.one_of(_WORDS, st.text(alphabet=_AWKWARD, max_size=6)), max_size=25).map(
    " ".join
)


@cache
def _without_prefilter() -> FeatureSet:
    return load_features(data_dir() / "features.yaml", use_prefilter=False)


@pytest.mark.parametrize("pattern", [r"(?i)sorry", r"(?P<w>a)(?P=w)"])
def test_a_pattern_without_an_re2_form_says_so(pattern: str) -> None:
    # RE2 folds case its own way, and has no back-references
    assert to_re2(pattern) is None


@cache
def _alone(pattern: str) -> Prefilter[str]:
    return Prefilter([("it", pattern)])


def _kept(pattern: str, text: str) -> bool:
    return _alone(pattern).candidates(text) == {"it"}


@needs_re2
@pytest.mark.parametrize(
    ("pattern", "text"),
    [
        (r"\bcould\s+you\b", "could\u00a0you"),  # a no-break space is a space to Python
        (r"\bcould\s+you\b", "could\x1cyou"),  # so is a file separator
        (r"\b\d{1,2}\s+units\b", "\u0663 units"),  # an Arabic-Indic three is a digit
        (r"hope\s+the\s+(?!proposal)[a-z]", "hope the team"),  # lookahead dropped
        (r"[^?]+\?", "what now?"),
        (r"[^?]+\?", "\u00e9t\u00e9?"),  # non-ASCII characters are not "?" either
        (r"[^\u00e9]x", "\u00e8x"),  # nor are they all the excluded one
        (r"too\s+\w+", "too \u00dfig"),
        (r"[\U0001F300-\U0001FAFF]", "great \U0001f600"),
        (r"[$\u20ac]\s?\d", "\u20ac 40"),
        (r"(?s)a.b", "a\nb"),
        (r"(?>ab|a)c", "abc"),
        (r"sorry", "sorry \udcff"),  # a lone surrogate is read like any other character
    ],
)
def test_a_translation_matches_where_python_matches(pattern: str, text: str) -> None:
    assert re.search(pattern, text)
    assert _kept(pattern, text), to_re2(pattern)


@needs_re2
@pytest.mark.parametrize(
    ("pattern", "text"),
    [(r"\bsorry\b", "thank you"), (r"[$\u20ac]\s?\d", "40 units"), (r"\d+%", "ten %")],
)
def test_a_translation_still_tells_texts_apart(pattern: str, text: str) -> None:
    assert not _kept(pattern, text)


@needs_re2
def test_a_prefilter_keeps_only_what_can_match() -> None:
    prefilter = Prefilter(
        [("thanks", r"\bthank\s+you\b"), ("sorry", r"\bsorry\b"), ("back", r"(a)\1")]
    )
    assert prefilter.candidates("Thank you!".lower()) == {"thanks", "back"}
    assert prefilter.candidates("sorry") == {"sorry", "back"}  # untranslatable: always kept
    assert prefilter.candidates("") is None  # the empty text is left to re
    assert Prefilter([]).candidates("anything") == frozenset()


def test_extraction_is_the_same_with_and_without_the_prefilter_on_every_labelled_message() -> None:
    with_prefilter, plain = default_features(), _without_prefilter()
    for text in _labelled_texts():
        assert with_prefilter.extract(text).hits == plain.extract(text).hits, text


@settings(max_examples=300)
@given(_TEXTS)
def test_extraction_is_the_same_with_and_without_the_prefilter(text: str) -> None:
    assert default_features().extract(text).hits == _without_prefilter().extract(text).hits


@pytest.mark.parametrize("use_prefilter", [True, False])
def test_a_possessive_does_not_hide_the_word_before_it(use_prefilter: bool) -> None:
    features = default_features() if use_prefilter else _without_prefilter()
    found = features.extract("We can ship this year's units in March.")
    assert "this year" in [found.text[h.start : h.end] for h in found.hits["specific"]]


def test_numbers_are_found_where_they_start_not_inside_words() -> None:
    found = default_features().extract("Order A12 units: 40 units by 3/4, ref 7b9.")
    spans = [found.text[h.start : h.end] for h in found.hits["specific"]]
    assert "40 units" in spans and "3/4" in spans
    assert not any(s.startswith(("12", "9")) for s in spans)
    assert re.search(r"\d", "A12")  # the digits are there; they just do not open a number


# --- patterns that are only a choice of whole words ------------------------------------

_WORDY = st.lists(
    st.one_of(
        st.sampled_from(
            [
                "maybe",
                "Perhaps",
                "sorry",
                "thanks",
                "thank you",
                "btw",
                "q3",
                "Friday",
                "asap",
                "actually",
                "let's",
                "let",
                "we'd",
                "but",
                "if",
                "ok",
                "congrats",
                "haha",
                "lol",
            ]
        ),
        st.text(alphabet="'_-é9 .,\n", max_size=3),
    ),
    max_size=20,
).map(lambda parts: "".join(parts))


@cache
def _without_word_pass() -> FeatureSet:
    import crossdeal.messages.features as module

    original = module._whole_words
    module._whole_words = lambda *_: None  # type: ignore[assignment]
    try:
        return load_features(data_dir() / "features.yaml")
    finally:
        module._whole_words = original


def test_some_patterns_are_found_in_the_word_pass() -> None:
    assert len(_without_word_pass()._scanners) > len(default_features()._scanners)


def test_the_word_pass_finds_what_the_patterns_find_on_every_labelled_message() -> None:
    for text in _labelled_texts():
        assert default_features().extract(text).hits == _without_word_pass().extract(text).hits


@settings(max_examples=400)
@given(_WORDY)
def test_the_word_pass_finds_what_the_patterns_find(text: str) -> None:
    assert default_features().extract(text).hits == _without_word_pass().extract(text).hits


def _feature_file(tmp_path: Path, body: str) -> FeatureSet:
    path = tmp_path / "features.yaml"
    path.write_text("features:\n" + body, encoding="utf-8")
    return load_features(path)


def test_a_word_on_either_side_of_a_listed_apostrophe_is_still_found(tmp_path: Path) -> None:
    features = _feature_file(
        tmp_path,
        '  contraction: {description: a listed word, words: ["you\'re", "o\'clock"]}\n'
        "  re: {description: a pattern word, patterns: ['\\bre\\b', '\\bclock\\b']}\n",
    )
    found = features.extract("you're late, no'clock")
    assert [found.text[h.start : h.end] for h in found.hits["re"]] == ["re", "clock"]


def test_two_patterns_of_a_feature_that_find_the_same_word_count_twice(tmp_path: Path) -> None:
    features = _feature_file(
        tmp_path,
        "  hedge: {description: hedges, patterns: ['\\bmaybe\\b', '\\b(?:maybe|perhaps)\\b']}\n",
    )
    assert features.extract("maybe later").count("hedge") == 2


@pytest.mark.parametrize("text", ["at 5 pm or am", "am or pm"])
def test_a_pattern_whose_digit_is_optional_is_tried_everywhere(tmp_path: Path, text: str) -> None:
    features = _feature_file(
        tmp_path, "  time: {description: a time, patterns: ['\\b\\d?(?:am|pm)\\b']}\n"
    )
    found = features.extract(text)
    assert sorted(found.text[h.start : h.end] for h in found.hits["time"]) == sorted(
        m.group() for m in re.finditer(r"\b\d?(?:am|pm)\b", text)
    )


def test_a_possessive_choice_is_not_taken_for_a_word_list(tmp_path: Path) -> None:
    features = _feature_file(
        tmp_path, "  odd: {description: possessive, patterns: ['\\b(?:ab)?+abc\\b']}\n"
    )
    assert not features.extract("abc").has("odd")  # (?:ab)?+ keeps "ab"; "c" cannot follow
