"""Briefings: ordered, explained, deterministic, and pinned by golden files."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import crossdeal
from crossdeal.playbook import SEVERITIES, themes

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("CROSSDEAL_UPDATE_GOLDEN") == "1"
GOLDEN_PAIRS = [
    ("US", "IN"),
    ("IN", "US"),
    ("US", "JP"),
    ("DE", "CN"),
    ("SE", "US"),
    ("US", "Saudi Arabia"),
]


def _check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"missing golden file {name}; run with CROSSDEAL_UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8"), f"{name} changed; review and regenerate"


@pytest.mark.parametrize(("seller", "buyer"), GOLDEN_PAIRS)
def test_briefing_json_matches_golden_file(seller: str, buyer: str) -> None:
    briefing = crossdeal.brief(seller, buyer)
    slug = f"brief_{seller}_{buyer}".replace(" ", "_")
    _check_golden(f"{slug}.json", briefing.model_dump_json(indent=2) + "\n")


def test_same_pair_same_data_same_rules_same_output() -> None:
    first = crossdeal.brief("US", "IN").model_dump_json()
    for _ in range(3):
        assert crossdeal.brief("US", "IN").model_dump_json() == first
    # a fresh playbook compiled again from the files gives the same result too
    again = crossdeal.brief("US", "IN", playbook=crossdeal.Playbook.load()).model_dump_json()
    assert again == first


def test_risks_are_ordered_by_severity_then_theme() -> None:
    briefing = crossdeal.brief("DE", "CN")
    order = themes()
    keys = [
        (-SEVERITIES.index(r.severity), order[r.theme].order, r.rule_id) for r in briefing.risks
    ]
    assert keys == sorted(keys)
    assert briefing.risks[0].severity == "high"


def test_every_risk_carries_its_evidence() -> None:
    briefing = crossdeal.brief("US", "IN")
    for risk in briefing.risks:
        assert risk.rule_id.startswith(risk.theme)
        assert risk.rule_file.startswith("crossdeal:rules/")
        assert risk.advice and risk.questions and risk.rationale and risk.sources
        assert risk.evidence
        for e in risk.evidence:
            assert e.dimension.upper() in risk.rationale
            assert e.gap == e.buyer - e.seller  # type: ignore[operator]
    hierarchy = next(r for r in briefing.risks if r.theme == "hierarchy-and-titles")
    pdi = next(e for e in hierarchy.evidence if e.dimension == "pdi")
    assert (pdi.seller, pdi.buyer, pdi.gap, pdi.buyer_level) == (40, 77, 37, "high")


def test_themes_summary_is_the_highest_severity_per_theme() -> None:
    briefing = crossdeal.brief("US", "JP")
    for theme, level in briefing.themes.items():
        levels = [r.severity for r in briefing.risks if r.theme == theme]
        assert level == max(levels, key=SEVERITIES.index)


def test_common_ground_and_channel_and_cycle() -> None:
    briefing = crossdeal.brief("US", "IN")
    assert [c.key for c in briefing.common_ground] == ["mas", "uai"]
    assert all(abs(c.gap) <= 10 and c.angle for c in briefing.common_ground)
    assert briefing.channel[0].mode == "in-person"
    assert {c.rule_id for c in briefing.channel} <= {r.rule_id for r in briefing.risks}
    assert briefing.cycle.factor == pytest.approx(1 + 0.12 * briefing.kogut_singh.value, abs=1e-3)  # type: ignore[operator]
    assert "prior" in briefing.cycle.explanation


def test_cycle_prior_is_configurable_and_capped() -> None:
    prior = crossdeal.CyclePrior(per_kogut_singh_unit=0.5, cap=1.5)
    assert crossdeal.brief("US", "KR", cycle_prior=prior).cycle.factor == 1.5
    close = crossdeal.brief("US", "GB", cycle_prior=prior)
    assert close.cycle.factor == pytest.approx(1 + 0.5 * close.kogut_singh.value, abs=1e-3)  # type: ignore[operator]
    with pytest.raises(crossdeal.InputError):
        crossdeal.CyclePrior(per_kogut_singh_unit=-1)
    with pytest.raises(crossdeal.InputError):
        crossdeal.CyclePrior(cap=0.5)


def test_missing_scores_are_reported_not_guessed() -> None:
    briefing = crossdeal.brief("US", "Saudi Arabia")
    assert briefing.kogut_singh.dimensions_used == ["lto", "ivr"]
    assert briefing.not_evaluated
    for item in briefing.not_evaluated:
        assert item.missing and all(
            m.split(".")[1] in ("pdi", "idv", "mas", "uai") for m in item.missing
        )
    assert briefing.data_gaps[0].startswith("Not enough data for a full briefing")
    assert briefing.cycle.factor is None and briefing.common_ground == []
    assert any("Arab countries" in note for note in briefing.data_gaps)
    assert "too few for a distance" in briefing.cycle.explanation


def test_four_shared_dimensions_still_give_a_rough_cycle_estimate() -> None:
    model = crossdeal.default_model()
    four = next(c for c in model.cultures if len(c.available) == 4 and c.kind == "country")
    briefing = crossdeal.brief("US", four.code)
    assert briefing.cycle.factor is not None
    assert "rough guide" in briefing.cycle.explanation
    assert not briefing.data_gaps[0].startswith("Not enough data")


def test_json_round_trips_through_the_model() -> None:
    briefing = crossdeal.brief("US", "IN")
    again = crossdeal.Briefing.model_validate(json.loads(briefing.model_dump_json()))
    assert again == briefing
    assert json.loads(briefing.model_dump_json())["schema_version"] == "crossdeal.briefing/1"
