"""The rule condition language: reads like the rule, and unknown stays unknown."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crossdeal.playbook import ExpressionError, compile_condition

CTX = {
    "seller.pdi": 40.0,
    "buyer.pdi": 77.0,
    "gap.pdi": 37.0,
    "seller.pdi:level": "medium",
    "buyer.pdi:level": "high",
    "seller.lto": None,
    "buyer.lto": 51.0,
    "gap.lto": None,
    "buyer.lto:level": "medium",
    "seller.lto:level": None,
    "distance.kogut_singh": 1.8,
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("buyer.pdi >= 60 and gap.pdi >= 20", True),
        ("buyer.pdi >= 60 and gap.pdi >= 40", False),
        ("buyer.pdi is high", True),
        ("buyer.pdi is not high", False),
        ("seller.pdi is medium and buyer.lto is medium", True),
        ("40 <= buyer.pdi < 80", True),
        ("40 <= buyer.pdi < 70", False),
        ("abs(seller.pdi - buyer.pdi) == 37", True),
        ("-gap.pdi < 0", True),
        ("max(seller.pdi, buyer.pdi) == 77 and min(seller.pdi, buyer.pdi) == 40", True),
        ("(buyer.pdi + seller.pdi) / 2 > 58", True),
        ("distance.kogut_singh >= 1.5", True),
        ("not buyer.pdi < 60", True),
        ("true", True),
        ("false or buyer.pdi > 100", False),
        # unknown (a missing score) stays unknown unless the other side decides it
        ("seller.lto > 50", None),
        ("seller.lto is high", None),
        ("gap.lto >= 20 and buyer.pdi >= 60", None),
        ("gap.lto >= 20 and buyer.pdi >= 90", False),
        ("gap.lto >= 20 or buyer.pdi >= 60", True),
        ("gap.lto >= 20 or buyer.pdi >= 90", None),
        ("not seller.lto > 3", None),
        ("seller.lto / 0 > 1", None),
        # whether a score exists is never unknown: "unless we know otherwise"
        ("seller.lto is known", False),
        ("seller.lto is not known", True),
        ("buyer.lto is known", True),
        ("seller.lto is not known or seller.lto > 50", True),
        ("buyer.lto is not known or buyer.lto > 60", False),
        ("buyer.lto is not known or buyer.lto > 50", True),
    ],
)
def test_conditions_evaluate_with_three_valued_logic(text: str, expected: bool | None) -> None:
    assert compile_condition(text).evaluate(CTX) is expected


def test_a_condition_knows_which_dimensions_it_reads() -> None:
    cond = compile_condition(
        "buyer.pdi >= 60 and gap.idv <= -10 or seller.pdi is low and distance.euclidean > 3"
    )
    assert cond.dimensions == ("pdi", "idv")
    assert {v.qualified for v in cond.variables} == {
        "buyer.pdi",
        "gap.idv",
        "seller.pdi",
        "distance.euclidean",
    }


@pytest.mark.parametrize(
    ("text", "reason", "position"),
    [
        ("buyer.pdi >= ", "ends too early", 13),
        ("buyer.pdi >= 60 and", "ends too early", 19),
        ("buyer.pdi ? 3", "unexpected character '?'", 10),
        ("buyer.pdi >= 60 adn gap.pdi > 3", "unexpected 'adn'", 16),
        ("pdi >= 60", "unknown name 'pdi'", 0),
        ("customer.pdi > 3", "unknown side 'customer'", 0),
        ("distance.hamming > 1", "unknown distance 'hamming'", 0),
        ("buyer.pdi is huge", "expected one of low, medium, high or known", 13),
        ("buyer.pdi >= known", "unexpected 'known'", 13),
        ("gap.pdi is high", "levels apply to seller.<dim> or buyer.<dim>", 0),
        ("(buyer.pdi > 3", "expected ')'", 14),
        ("abs(buyer.pdi, seller.pdi) > 3", "abs() takes one value", 0),
        ("", "empty condition", 0),
    ],
)
def test_malformed_conditions_say_what_and_where(text: str, reason: str, position: int) -> None:
    with pytest.raises(ExpressionError) as caught:
        compile_condition(text)
    assert reason in caught.value.reason
    assert caught.value.position == position


truth = st.sampled_from([True, False, None])


def _ctx(a: bool | None, b: bool | None) -> dict[str, float | None]:
    def score(v: bool | None) -> float | None:
        return None if v is None else (1.0 if v else 0.0)

    return {"buyer.a": score(a), "buyer.b": score(b)}


@given(truth, truth)
def test_de_morgan_holds_with_unknowns(a: bool | None, b: bool | None) -> None:
    ctx = _ctx(a, b)
    left = compile_condition("not (buyer.a > 0 and buyer.b > 0)").evaluate(ctx)
    right = compile_condition("not buyer.a > 0 or not buyer.b > 0").evaluate(ctx)
    assert left is right


@given(truth, truth)
def test_and_or_are_kleene(a: bool | None, b: bool | None) -> None:
    ctx = _ctx(a, b)
    conj = compile_condition("buyer.a > 0 and buyer.b > 0").evaluate(ctx)
    disj = compile_condition("buyer.a > 0 or buyer.b > 0").evaluate(ctx)
    if a is False or b is False:
        assert conj is False
    elif a is None or b is None:
        assert conj is None
    else:
        assert conj is True
    if a is True or b is True:
        assert disj is True
    elif a is None or b is None:
        assert disj is None
    else:
        assert disj is False


@given(st.text(max_size=40))
def test_any_text_compiles_or_raises_expression_error(text: str) -> None:
    with contextlib.suppress(ExpressionError):
        compile_condition(text)


SPECIALIZED = [
    "buyer.pdi >= 60 and gap.pdi >= 20",
    "buyer.pdi is high and not (seller.pdi is high)",
    "40 <= buyer.pdi < 80 or seller.lto > 50",
    "abs(seller.pdi - buyer.pdi) >= 30 and max(buyer.lto, seller.pdi) > 45",
    "-gap.pdi < 0 or (buyer.lto + seller.pdi) / 2 > 45",
    "gap.lto >= 20 and buyer.pdi >= 60",
    "not (buyer.pdi < 60 or seller.lto is low)",
    "seller.pdi / buyer.lto > 0.5",
    "true and buyer.pdi > 50",
    "false or seller.pdi > 50",
]
SCORE = st.one_of(st.none(), st.floats(min_value=0, max_value=100).map(lambda x: round(x)))
LEVEL = st.sampled_from([None, "low", "medium", "high"])


@given(
    text=st.sampled_from(SPECIALIZED),
    scores=st.fixed_dictionaries(
        dict.fromkeys(
            ("seller.pdi", "buyer.pdi", "gap.pdi", "seller.lto", "buyer.lto", "gap.lto"), SCORE
        )
    ),
    levels=st.fixed_dictionaries({"seller.pdi:level": LEVEL, "buyer.pdi:level": LEVEL}),
    fixed=st.sets(
        st.sampled_from(
            [
                "seller.pdi",
                "buyer.pdi",
                "gap.pdi",
                "seller.pdi:level",
                "buyer.pdi:level",
                "buyer.lto",
            ]
        )
    ),
)
def test_a_specialized_condition_answers_as_the_original(
    text: str, scores: dict, levels: dict, fixed: set[str]
) -> None:
    # The pipeline fixes the culture names once per pair of cultures and evaluates the
    # rest per deal: same answer, True, False or unknown, on every context.
    ctx = {**scores, **levels}
    condition = compile_condition(text)
    known = {name: ctx[name] for name in fixed}
    assert condition.specialize(known).evaluate(ctx) is condition.evaluate(ctx)


@pytest.mark.parametrize(
    ("text", "known", "constant"),
    [
        ("buyer.pdi >= 60 and gap.pdi >= 20", {"buyer.pdi": 40.0}, False),
        ("buyer.pdi >= 60 or gap.pdi >= 20", {"buyer.pdi": 70.0}, True),
        ("buyer.pdi >= 60 and gap.pdi >= 20", {"buyer.pdi": 70.0}, "varies"),
        ("buyer.pdi is high", {"buyer.pdi:level": "high"}, True),
        ("seller.lto > 50", {"seller.lto": None}, None),
        ("seller.lto > 50 or buyer.pdi > 50", {"seller.lto": None, "buyer.pdi": 10.0}, None),
    ],
)
def test_specializing_works_out_what_is_already_known(
    text: str, known: dict, constant: bool | str | None
) -> None:
    assert compile_condition(text).specialize(known).constant == constant


def test_a_known_test_is_certain_in_the_margin() -> None:
    from crossdeal.playbook.margin import condition_margin

    tree = compile_condition("seller.lto is not known or seller.lto > 50").tree
    margin = condition_margin(tree, CTX, lambda name: 5.0, lambda name: None)
    assert margin == float("inf")
    tree = compile_condition("buyer.lto is not known or buyer.lto > 50").tree
    assert condition_margin(tree, CTX, lambda name: 5.0, lambda name: None) == 0.2
