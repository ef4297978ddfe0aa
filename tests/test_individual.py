"""Person estimates: the country is the prior, observations move it, conflict widens it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crossdeal.culture import CultureModel
from crossdeal.culture.individual import (
    Evidence,
    estimate_person,
    observation_vocabulary,
    prior_sd,
)
from crossdeal.culture.layers import with_practices
from crossdeal.errors import InputError

VOCABULARY = sorted(observation_vocabulary())
REQUIRED = {
    "pushes-back",
    "avoids-disagreement",
    "decides-alone",
    "defers-to-boss",
    "wants-detail",
    "big-picture",
    "punctual-strict",
    "flexible-time",
    "informal",
    "formal",
    "relationship-first",
    "task-first",
}


def test_the_documented_vocabulary_is_there() -> None:
    assert set(VOCABULARY) >= REQUIRED
    for obs in observation_vocabulary().values():
        assert obs.label and obs.description and obs.suggests and obs.strength > 0


def test_with_no_observations_the_person_is_the_country(model: CultureModel) -> None:
    india = model.resolve("IN")
    person = estimate_person("Priya", india, model)
    for key, dim in person.dimensions.items():
        assert dim.estimate == india.scores[key]
        assert dim.sd == prior_sd()


@pytest.mark.parametrize("observation", VOCABULARY)
def test_one_observation_moves_towards_what_it_suggests_and_narrows(
    model: CultureModel, observation: str
) -> None:
    model = with_practices(model)  # observations inform the practice scales too
    india = model.resolve("IN")
    person = estimate_person("P", india, model, [observation])
    for key, target in observation_vocabulary()[observation].suggests.items():
        dim = person.dimensions[key]
        prior = india.scores[key]
        assert dim.sd < prior_sd()
        if target > prior:
            assert prior < dim.estimate < target
        elif target < prior:
            assert target < dim.estimate < prior


def test_agreeing_observations_narrow_further_and_conflicting_ones_widen(
    model: CultureModel,
) -> None:
    india = model.resolve("IN")
    one = estimate_person("P", india, model, ["pushes-back"]).dimensions["pdi"]
    two = estimate_person("P", india, model, ["pushes-back", "informal"]).dimensions["pdi"]
    clash = estimate_person("P", india, model, ["pushes-back", "defers-to-boss"]).dimensions["pdi"]
    assert two.sd < one.sd
    assert clash.sd > one.sd
    assert clash.sd > two.sd


def test_unknown_observation_says_what_exists(model: CultureModel) -> None:
    with pytest.raises(InputError, match="Did you mean: pushes-back"):
        estimate_person("P", model.resolve("IN"), model, ["pushes-bak"])


def test_evidence_on_a_dimension_without_a_country_score(model: CultureModel) -> None:
    saudi = model.resolve("Saudi Arabia")  # no PDI score
    person = estimate_person("P", saudi, model, ["defers-to-boss"])
    assert person.dimensions["pdi"].prior is None
    assert person.dimensions["pdi"].estimate == 80
    assert estimate_person("Q", saudi, model).dimensions["pdi"].estimate is None


score = st.floats(min_value=0, max_value=100)
sds = st.floats(min_value=5, max_value=40)


@given(score, score, sds)
def test_one_piece_of_evidence_lands_between_prior_and_evidence(
    prior: float, value: float, sd: float
) -> None:
    from crossdeal.culture.individual import _update

    est = _update("pdi", prior, 20.0, (Evidence("pdi", value, sd, "test"),))
    assert min(prior, value) - 1e-9 <= est.estimate <= max(prior, value) + 1e-9  # type: ignore[operator]
    assert est.sd < 20.0


@given(score, st.lists(score, min_size=1, max_size=6))
def test_more_agreeing_evidence_never_widens(prior: float, values: list[float]) -> None:
    from crossdeal.culture.individual import _update

    same = values[0]
    widths = [
        _update("idv", prior, 20.0, tuple(Evidence("idv", same, 15.0, "t") for _ in range(n))).sd
        for n in range(1, len(values) + 1)
    ]
    assert widths == sorted(widths, reverse=True)
