"""The self-assessment: extremes land at the poles, neutral in the middle, every item counts."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crossdeal.culture.assessment import questionnaire
from crossdeal.culture.practice import default_practices
from crossdeal.errors import InputError

Q = questionnaire()
DIMS = Q.dimensions


VALUES = ("pdi", "idv", "mas", "uai", "lto", "ivr")
PRACTICES = default_practices().keys


def test_the_questionnaire_is_short_and_covers_every_dimension() -> None:
    assert 20 <= len(Q.items) <= 30
    assert set(DIMS) == {*VALUES, *PRACTICES}
    for dim in VALUES:
        assert sum(1 for i in Q.items if dim in i.scores) >= 4, dim
    for dim in PRACTICES:  # each practice scale is asked about at least once
        assert any(dim in i.scores for i in Q.items), dim


@pytest.mark.parametrize("dim", DIMS)
@pytest.mark.parametrize("pole", ["high", "low"])
def test_answering_every_item_at_one_extreme_lands_at_that_pole(dim: str, pole: str) -> None:
    high = pole == "high"
    answers = {
        i.id: (5 if (i.scores.get(dim, 0) > 0) == high else 1) if dim in i.scores else 3
        for i in Q.items
    }
    result = Q.score(answers)[dim]
    assert result.score == (100 if high else 0)


def test_a_neutral_set_lands_mid_scale() -> None:
    result = Q.score({i.id: 3 for i in Q.items})
    assert {k: v.score for k, v in result.items()} == dict.fromkeys(DIMS, 50)
    assert all(5 < v.sd < 15 for k, v in result.items() if k in VALUES)
    # a scale read by one or two items is less certain, never more than one item's spread
    assert all(5 < v.sd <= 20 for k, v in result.items() if k not in VALUES)


answers_strategy = st.fixed_dictionaries({i.id: st.integers(1, 5) for i in Q.items})


@given(answers_strategy, st.sampled_from(Q.items), st.data())
def test_scoring_is_monotone_in_every_item(answers: dict[str, int], item, data) -> None:  # type: ignore[no-untyped-def]
    lower = data.draw(st.integers(1, 4))
    a = {**answers, item.id: lower}
    b = {**answers, item.id: lower + 1}
    sa, sb = Q.score(a), Q.score(b)
    for dim, weight in item.scores.items():
        if weight > 0:
            assert sb[dim].score > sa[dim].score
        else:
            assert sb[dim].score < sa[dim].score
    for dim in DIMS:
        if dim not in item.scores:
            assert sb[dim].score == sa[dim].score


@given(answers_strategy)
def test_scores_stay_on_the_scale(answers: dict[str, int]) -> None:
    for result in Q.score(answers).values():
        assert 0 <= result.score <= 100
        assert result.sd > 0


def test_inconsistent_answers_are_less_certain_than_consistent_ones() -> None:
    consistent = {
        i.id: (5 if i.scores.get("uai", 0) > 0 else 1) if "uai" in i.scores else 3 for i in Q.items
    }
    mixed = dict(consistent)
    uai_items = [i.id for i in Q.items if "uai" in i.scores]
    for item_id in uai_items[::2]:
        mixed[item_id] = 6 - mixed[item_id]
    assert Q.score(mixed)["uai"].sd > Q.score(consistent)["uai"].sd


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"tell-manager-disagree": 6}, "not on the scale"),
        ({"tell-manager-disagree": "yes"}, "not on the scale"),
        ({"no-such-item": 3}, "no questionnaire item called no-such-item"),
    ],
)
def test_bad_answers_are_clear_errors(change: dict[str, object], message: str) -> None:
    answers: dict[str, object] = {i.id: 3 for i in Q.items}
    answers.update(change)
    with pytest.raises(InputError, match=message):
        Q.score(answers)  # type: ignore[arg-type]


def test_missing_answers_are_named() -> None:
    answers = {i.id: 3 for i in Q.items[1:]}
    with pytest.raises(InputError, match=Q.items[0].id):
        Q.score(answers)
