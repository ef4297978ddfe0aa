"""Distances: the published Kogut–Singh values, and the laws any distance must keep."""

from __future__ import annotations

import csv
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

import crossdeal
from crossdeal.culture import (
    CultureModel,
    dimension_gaps,
    euclidean_distance,
    kogut_singh_index,
)
from tests.conftest import WWMETRICS

FOUR = ("pdi", "idv", "mas", "uai")
SIX = (*FOUR, "lto", "ivr")


def _published() -> list[dict[str, str]]:
    with (WWMETRICS / "wwmetrics_CultDist_KS.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_variances_match_the_published_method(wwmetrics_model: CultureModel) -> None:
    # wwmetrics: sample variance (n-1) over all countries with a score on the dimension.
    assert wwmetrics_model.variance_counts == {
        "pdi": 70,
        "idv": 70,
        "mas": 70,
        "uai": 70,
        "lto": 88,
        "ivr": 88,
    }
    expected = {
        "pdi": 473.72,
        "idv": 574.58,
        "mas": 404.49,
        "uai": 559.01,
        "lto": 558.13,
        "ivr": 488.65,
    }
    for key, value in expected.items():
        assert wwmetrics_model.variances[key] == pytest.approx(value, abs=0.01)


def test_reproduces_every_published_kogut_singh_distance(wwmetrics_model: CultureModel) -> None:
    """All 3,969 pairs of wwmetrics' CultDist table, 4 and 6 dimensions (float32 precision)."""
    rows = _published()
    assert len(rows) == 63 * 63
    for row in rows:
        a, b = wwmetrics_model.get(row["origin"]), wwmetrics_model.get(row["destination"])
        assert a is not None and b is not None
        ks4 = kogut_singh_index(a.scores, b.scores, wwmetrics_model.variances, FOUR)
        ks6 = kogut_singh_index(a.scores, b.scores, wwmetrics_model.variances, SIX)
        assert ks4.value == pytest.approx(
            float(row["CulturalDist_KogutSingh_4"]), rel=1e-5, abs=1e-6
        )
        assert ks6.value == pytest.approx(
            float(row["CulturalDist_KogutSingh_6"]), rel=1e-5, abs=1e-6
        )


@pytest.mark.parametrize(
    ("destination", "ks4", "ks6"),
    [
        ("AUS", 0.0207, 0.0237),
        ("GBR", 0.0789, 0.2465),
        ("DEU", 0.4351, 1.5277),
        ("IND", 1.5653, 1.8337),
        ("JPN", 2.6039, 3.1285),
        ("CHN", 3.1621, 3.9183),
        ("SVK", 4.2586, None),
    ],
)
def test_distances_from_the_usa_as_published(
    wwmetrics_model: CultureModel, destination: str, ks4: float, ks6: float | None
) -> None:
    usa, other = wwmetrics_model.resolve("USA"), wwmetrics_model.resolve(destination)
    variances = wwmetrics_model.variances
    assert kogut_singh_index(usa.scores, other.scores, variances, FOUR).value == pytest.approx(
        ks4, abs=1e-4
    )
    if ks6 is not None:
        assert kogut_singh_index(usa.scores, other.scores, variances, SIX).value == pytest.approx(
            ks6, abs=1e-4
        )


def test_compare_reports_gaps_in_the_seller_to_buyer_direction() -> None:
    result = crossdeal.compare("US", "IN")
    gaps = {g.key: g.gap for g in result.gaps}
    assert gaps == {"pdi": 37, "idv": -43, "mas": -6, "uai": -6, "lto": 25, "ivr": -42}
    assert result.kogut_singh.dimensions_used == list(SIX)
    assert result.kogut_singh.dimensions_missing == []
    assert "n=69" in result.variance_basis


def test_compare_leaves_out_and_names_missing_dimensions() -> None:
    result = crossdeal.compare("US", "Israel")
    assert result.kogut_singh.dimensions_missing == ["ivr"]
    assert result.euclidean.dimensions_missing == ["ivr"]
    assert [g.gap for g in result.gaps if g.key == "ivr"] == [None]


def test_no_shared_dimension_gives_no_distance_not_zero() -> None:
    # Andorra has only IVR; Israel has everything but IVR.
    result = crossdeal.compare("Andorra", "Israel")
    assert result.kogut_singh.value is None
    assert result.euclidean.value is None
    assert result.kogut_singh.dimensions_used == []


# --- laws -------------------------------------------------------------------------

score = st.one_of(st.none(), st.floats(min_value=0, max_value=120, allow_nan=False))
profiles = st.fixed_dictionaries(dict.fromkeys(SIX, score))
variances = st.fixed_dictionaries({k: st.floats(min_value=1, max_value=1000) for k in SIX})


@given(profiles, profiles, variances)
def test_kogut_singh_is_symmetric(a: dict, b: dict, v: dict) -> None:
    ab, ba = kogut_singh_index(a, b, v), kogut_singh_index(b, a, v)
    assert ab.used == ba.used
    if ab.value is None:
        assert ba.value is None
    else:
        assert ab.value == pytest.approx(ba.value)


@given(profiles, variances)
def test_distance_to_self_is_zero(a: dict, v: dict) -> None:
    ks = kogut_singh_index(a, a, v)
    eu = euclidean_distance(a, a, SIX)
    if any(x is not None for x in a.values()):
        assert ks.value == 0 and eu.value == 0
    else:
        assert ks.value is None and eu.value is None


@given(profiles, profiles, variances, st.sampled_from(SIX))
def test_a_missing_dimension_is_never_counted(a: dict, b: dict, v: dict, key: str) -> None:
    """Blanking one side of a dimension removes it from the mean; it never adds a zero gap."""
    blanked = {**a, key: None}
    result = kogut_singh_index(blanked, b, v)
    assert key in result.missing and key not in result.used
    others = [k for k in SIX if k != key]
    expected = kogut_singh_index(a, b, v, others).value
    if expected is None:
        assert result.value is None
    else:  # the same terms, summed in possibly another order
        assert result.value == pytest.approx(expected, rel=1e-12)


@given(profiles, profiles, variances)
def test_kogut_singh_is_the_mean_of_its_used_terms(a: dict, b: dict, v: dict) -> None:
    result = kogut_singh_index(a, b, v)
    if result.value is None:
        assert result.used == ()
        return
    terms = [(a[k] - b[k]) ** 2 / v[k] for k in result.used]
    assert result.value == pytest.approx(math.fsum(terms) / len(terms))
    assert result.value >= 0


@given(profiles, profiles, profiles)
def test_euclidean_triangle_inequality_on_shared_dimensions(a: dict, b: dict, c: dict) -> None:
    shared = [k for k in SIX if a[k] is not None and b[k] is not None and c[k] is not None]
    ab = euclidean_distance(a, b, shared).value
    bc = euclidean_distance(b, c, shared).value
    ac = euclidean_distance(a, c, shared).value
    if shared:
        assert ac <= ab + bc + 1e-9  # type: ignore[operator]


@given(profiles, profiles)
def test_gaps_are_buyer_minus_seller_and_antisymmetric(a: dict, b: dict) -> None:
    forward = {g.key: g.gap for g in dimension_gaps(a, b, SIX)}
    backward = {g.key: g.gap for g in dimension_gaps(b, a, SIX)}
    for key in SIX:
        if a[key] is None or b[key] is None:
            assert forward[key] is None and backward[key] is None
        else:
            assert forward[key] == b[key] - a[key]
            assert backward[key] == pytest.approx(-forward[key])  # type: ignore[operator]


def test_shipped_pairs_are_symmetric(model: CultureModel) -> None:
    four = [c for c in model.cultures if all(c.scores[k] is not None for k in FOUR)]
    for a in four[:25]:
        for b in four[:25]:
            ab = kogut_singh_index(a.scores, b.scores, model.variances).value
            ba = kogut_singh_index(b.scores, a.scores, model.variances).value
            assert ab == pytest.approx(ba)
