"""Saved people and the self profile: stored safely, and briefings that treat them as people."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import crossdeal
from crossdeal.culture.assessment import questionnaire
from crossdeal.errors import InputError
from crossdeal.people import PersonRecord, ProfileStore, SelfProfile, StoreError
from crossdeal.playbook.rules import SEVERITIES

NEUTRAL = {i.id: 3 for i in questionnaire().items}


def answers_towards(dim: str, high: bool) -> dict[str, int]:
    out = dict(NEUTRAL)
    for item in questionnaire().items:
        if dim in item.scores:
            out[item.id] = 5 if (item.scores[dim] > 0) == high else 1
    return out


# --- storage ---------------------------------------------------------------------------


def test_the_home_folder_is_overridable(crossdeal_home: Path) -> None:
    assert ProfileStore().root == crossdeal_home


def test_people_round_trip_and_names_are_case_insensitive(tmp_path: Path) -> None:
    store = ProfileStore(tmp_path)
    store.save_person(
        PersonRecord(name="Priya  Raman", culture="IND", observations=["pushes-back"])
    )
    store.save_person(PersonRecord(name="Kenji Sato", culture="JPN"))
    assert [p.name for p in store.people()] == ["Kenji Sato", "Priya Raman"]
    assert store.find("priya raman").observations == ["pushes-back"]  # type: ignore[union-attr]
    store.save_person(PersonRecord(name="PRIYA RAMAN", culture="IND", observations=[]))
    assert len(store.people()) == 2
    data = json.loads(store.people_path.read_text(encoding="utf-8"))
    assert data["schema"] == "crossdeal.people/1"
    store.remove_person("kenji sato")
    assert [p.name for p in store.people()] == ["PRIYA RAMAN"]
    with pytest.raises(InputError, match="no saved person"):
        store.remove_person("Nobody")


@pytest.mark.parametrize(
    ("content", "message", "line"),
    [
        ("{not json", "not valid JSON", 1),
        (
            '{"schema": "crossdeal.people/1", "people": [{"name": "A"}]}',
            "'people.0.culture' is required",
            None,
        ),
        ('{"schema": "crossdeal.people/9", "people": []}', "schema", None),
        ("\n\n[1, 2", "not valid JSON", 3),
    ],
)
def test_a_corrupted_file_is_named_and_never_reset(
    tmp_path: Path, content: str, message: str, line: int | None
) -> None:
    store = ProfileStore(tmp_path)
    store.people_path.write_text(content, encoding="utf-8")
    with pytest.raises(StoreError) as caught:
        store.people()
    assert message in str(caught.value)
    assert str(store.people_path) in str(caught.value)
    if line is not None:
        assert caught.value.line == line
    with pytest.raises(StoreError):
        store.save_person(PersonRecord(name="X", culture="USA"))
    assert store.people_path.read_text(encoding="utf-8") == content


def test_saving_is_atomic_a_crash_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = ProfileStore(tmp_path)
    store.save_me(SelfProfile(culture="USA", answers=NEUTRAL))
    before = store.me_path.read_bytes()

    def crash(src: str, dst: str) -> None:
        raise OSError("disk pulled out")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk pulled out"):
        store.save_me(SelfProfile(culture="IND", answers=NEUTRAL))
    assert store.me_path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["me.json"]  # no temporary file left behind


def test_me_is_reserved() -> None:
    with pytest.raises(InputError, match="reserved"):
        crossdeal.add_person("me", "IN")


# --- estimates from the store ----------------------------------------------------------


def test_me_needs_an_assessment_first() -> None:
    with pytest.raises(InputError, match="run `crossdeal assess` first"):
        crossdeal.me()


def test_assessment_becomes_my_profile() -> None:
    mine = crossdeal.assess(answers_towards("lto", high=True), "US")
    lto = mine.dimensions["lto"]
    assert lto.prior == 26
    assert lto.estimate > 80  # type: ignore[operator]
    assert crossdeal.me().dimensions["lto"].estimate == lto.estimate


# --- briefings for people --------------------------------------------------------------


def test_a_buyer_who_pushes_back_lowers_the_unqualified_yes_risk() -> None:
    crossdeal.add_person("Priya Raman", "IN", ["pushes-back"])
    country = crossdeal.brief("US", "IN")
    person = crossdeal.brief("US", "Priya Raman")
    assert "unqualified-yes/deference" in {r.rule_id for r in country.risks}
    assert "unqualified-yes/deference" not in {r.rule_id for r in person.risks}
    change = next(a for a in person.adjustments if a.rule_id == "unqualified-yes/deference")
    assert (change.change, change.country_severity, change.person_severity) == (
        "dropped",
        "high",
        None,
    )
    assert any("power distance" in b and "pushes-back" in b for b in change.because)


def test_a_patient_seller_softens_pace_and_patience() -> None:
    crossdeal.assess(answers_towards("lto", high=True), "US")
    country = crossdeal.brief("US", "JP")
    mine = crossdeal.brief("me", "JP")
    assert country.themes["pace-and-patience"] == "high"
    assert mine.themes.get("pace-and-patience") is None
    assert any(a.theme == "pace-and-patience" and a.change == "dropped" for a in mine.adjustments)


def test_a_buyer_seen_wanting_detail_gets_risk_advice_once_the_evidence_is_enough() -> None:
    # China's uncertainty avoidance is low (30); one observation moves Wei to about 62,
    # not yet past the rule's 65; a second, agreeing one does.
    def detail(buyer: str) -> list[tuple[str, str, bool]]:
        risks = crossdeal.brief("US", buyer).risks
        return [
            (r.ladder_severity, r.severity, r.borderline is not None)
            for r in risks
            if r.rule_id == "risk-and-detail/prove-and-plan"
        ]

    # China's uncertainty avoidance is low (30): no card for the country; one observation
    # moves Wei to about 62, just past the rule's 60 but within the estimate's own
    # uncertainty (a borderline card, at most info); a second, agreeing one, past it
    crossdeal.add_person("Wei Chen", "CN", ["wants-detail"])
    assert detail("CN") == []
    assert detail("Wei Chen") == [("watch", "info", True)]
    crossdeal.add_person("Wei Chen", "CN", ["wants-detail", "punctual-strict"])
    [(ladder, shown, _)] = detail("Wei Chen")
    assert ladder in ("watch", "high") and SEVERITIES.index(shown) >= SEVERITIES.index("watch")


def test_json_carries_both_the_country_prior_and_the_estimate() -> None:
    crossdeal.add_person("Priya Raman", "IN", ["pushes-back"])
    data = json.loads(crossdeal.brief("US", "Priya Raman").model_dump_json())
    pdi = next(d for d in data["buyer_person"]["dimensions"] if d["key"] == "pdi")
    assert pdi["country"] == 77
    assert pdi["estimate"] < 60
    assert pdi["evidence"] == ["observed: pushes-back"]
    assert data["buyer"]["name"] == "Priya Raman"
    assert data["seller_person"] is None


def test_a_person_with_no_observations_briefs_like_their_country() -> None:
    crossdeal.add_person("Anna Schmidt", "DE")
    person, country = crossdeal.brief("US", "Anna Schmidt"), crossdeal.brief("US", "DE")
    assert [r.rule_id for r in person.risks] == [r.rule_id for r in country.risks]
    assert person.adjustments == []


def test_what_is_kept_about_people_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    import os
    import stat

    from crossdeal.people.store import PersonRecord, ProfileStore
    from crossdeal.pipeline.db import Database
    from crossdeal.pipeline.store import PipelineStore

    def mode(path: Path) -> int:
        return stat.S_IMODE(os.stat(path).st_mode)

    home = tmp_path / "new-home"
    db = Database(f"sqlite:///{home / 'crossdeal.db'}")
    PipelineStore(db).add_account("Tanaka Precision", "Japan")
    ProfileStore(home).save_person(PersonRecord(name="Priya Raman", culture="IND"))
    assert mode(home) == 0o700
    assert mode(home / "crossdeal.db") == 0o600
    assert mode(home / "people.json") == 0o600
    for side in ("crossdeal.db-wal", "crossdeal.db-shm"):
        if (home / side).exists():
            assert mode(home / side) == 0o600, side
    db.dispose()
