"""What is held about one buyer-side person: handed over whole, or erased whole.

The situation: Kenji Sato sits on two deals at Tanaka Precision, a colleague of the same
surname sits on one of them, notes and the deal's history write his name, and the seller
saved him as a person to brief against. He asks what is held, then to be forgotten.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from crossdeal.cli import app
from crossdeal.people.store import PersonRecord, ProfileStore
from crossdeal.pipeline import edits, privacy
from crossdeal.pipeline.db import Database
from crossdeal.pipeline.store import NotFoundError, PipelineStore

runner = CliRunner()


def run(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args), env={"COLUMNS": "200"})


@pytest.fixture
def pipeline(crossdeal_home: Path) -> PipelineStore:
    store = PipelineStore(Database(f"sqlite:///{crossdeal_home / 'crossdeal.db'}"), "local")
    store.add_account("Tanaka Precision", "JP")
    store.add_account("Osaka Robotics", "JP")
    line3 = store.add_deal("Line 3 retrofit", "Tanaka Precision")
    spares = store.add_deal("Spare parts 2027", "Tanaka Precision")
    cell = store.add_deal("Cell controller", "Osaka Robotics")
    store.add_contact(line3, "Kenji Sato", role="decision-maker")
    store.add_contact(line3, "Yumi Sato", role="champion")
    store.add_contact(spares, "Kenji Sato")
    store.add_contact(cell, "Hiro Ito", role="decision-maker")
    store.log_activity(
        line3,
        "video",
        with_=["Kenji Sato"],
        note="kenji SATO liked the demo; Sato-san will ask the plant manager",
    )
    store.log_activity(line3, "email", note="Quote sent to Yumi Sato")
    store.log_activity(cell, "call", note="Hiro knows Kenji Sato well")
    # a deal field, and the deal's history of it, that write his name
    edits.update_deal(store, cell, edits.DealUpdate(notes="Kenji Sato introduced us"))
    ProfileStore().save_person(PersonRecord(name="Kenji Sato", culture="JPN"))
    return store


def test_export_hands_over_every_record_that_holds_him(pipeline: PipelineStore) -> None:
    exported = run("contacts", "export", "KENJI  sato")
    assert exported.exit_code == 0, exported.output
    held = json.loads(exported.output)
    assert held["schema_version"] == "crossdeal.personal-data/1" and held["name"] == "Kenji Sato"
    [contact] = held["contacts"]  # one contact, on two deals
    assert contact["account"] == "Tanaka Precision" and contact["role"] == "decision-maker"
    assert [d["name"] for d in contact["deals"]] == ["Line 3 retrofit", "Spare parts 2027"]
    assert [a["channel"] for a in held["activities"]] == ["video"]
    # the note on another account's deal that names him is his data too
    assert sorted((m["place"], m["field"], m["text"]) for m in held["mentions"]) == [
        ("activity", "note", "Hiro knows Kenji Sato well"),
        ("activity", "note", "kenji SATO liked the demo; Sato-san will ask the plant manager"),
        ("deal", "notes", "Kenji Sato introduced us"),
        ("deal history", "new", "Kenji Sato introduced us"),
    ]
    assert held["saved_person"]["name"] == "Kenji Sato"


def test_erase_removes_him_and_his_name_and_nothing_else(pipeline: PipelineStore) -> None:
    before = {c.name for c in pipeline.contacts().contacts}
    line3 = pipeline.find_deal("Line 3 retrofit")
    refused = run("contacts", "erase", "Kenji Sato")  # no terminal, no --yes: nothing happens
    assert refused.exit_code != 0 and "nothing was changed" in " ".join(refused.output.split())
    assert {c.name for c in pipeline.contacts().contacts} == before

    erased = run("contacts", "erase", "Kenji Sato", "--yes", "--format", "json")
    assert erased.exit_code == 0, erased.output
    report = json.loads(erased.output)
    assert report["done"] and report["accounts"] == ["Tanaka Precision"]
    assert report["removed"] == {
        "contacts": 1,
        "committee places": 2,
        "activity links": 1,
        "saved people": 1,
    }
    assert sorted((m["place"], m["text"]) for m in report["redacted"]) == [
        ("activity", "Hiro knows [name erased] well"),
        ("activity", "[name erased] liked the demo; Sato-san will ask the plant manager"),
        ("deal", "[name erased] introduced us"),
        ("deal history", "[name erased] introduced us"),
    ]
    # "Sato-san" may be him and "Yumi Sato" is not: both are for the user to read
    assert {m["text"] for m in report["still_mentioned"]} == {
        "[name erased] liked the demo; Sato-san will ask the plant manager",
        "Quote sent to Yumi Sato",
    }

    assert {c.name for c in pipeline.contacts().contacts} == before - {"Kenji Sato"}
    view = pipeline.deal(line3, brief=False)
    assert [c.name for c in view.committee] == ["Yumi Sato"]  # his colleague stays
    assert len(view.activities) == 2  # the seller's records stay, without his name
    assert all("Kenji" not in (a.note or "") for a in view.activities)
    assert ProfileStore().find("Kenji Sato") is None
    assert json.loads(run("deals", "--outcome", "all", "--format", "json").output)["total"] == 3
    with pytest.raises(NotFoundError, match="nothing is held about 'Kenji Sato'"):
        privacy.personal_data(pipeline, "Kenji Sato", ProfileStore())


def test_a_dry_run_reports_the_same_and_changes_nothing(pipeline: PipelineStore) -> None:
    planned = privacy.erase_person(pipeline, "Kenji Sato", ProfileStore(), dry_run=True)
    assert not planned.done and planned.removed["contacts"] == 1 and len(planned.redacted) == 4
    again = privacy.personal_data(pipeline, "Kenji Sato", ProfileStore())
    assert len(again.contacts) == 1 and len(again.mentions) == 4 and again.saved_person
    shown = run("contacts", "erase", "Kenji Sato", "--dry-run")
    assert shown.exit_code == 0 and "dry run, nothing changed" in shown.output


def test_one_account_only_when_the_name_is_on_two(pipeline: PipelineStore) -> None:
    pipeline.add_contact("Cell controller", "Kenji Sato")
    assert len(privacy.personal_data(pipeline, "Kenji Sato").contacts) == 2
    report = privacy.erase_person(pipeline, "Kenji Sato", account="Osaka Robotics")
    assert report.accounts == ["Osaka Robotics"] and report.removed["contacts"] == 1
    assert [c.account for c in pipeline.contacts().contacts if c.name == "Kenji Sato"] == [
        "Tanaka Precision"
    ]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("contacts", "export", "Nobody Here"), "nothing is held about 'Nobody Here'"),
        (("contacts", "erase", "Nobody Here", "--yes"), "nothing is held about 'Nobody Here'"),
        (("contacts", "export", "  "), "give the person's name"),
        (("contacts", "export", "Kenji Sato", "--account", "Nowhere"), "no account called"),
    ],
)
def test_a_name_that_holds_nothing_is_said_plainly(
    pipeline: PipelineStore, args: tuple[str, ...], says: str
) -> None:
    result = run(*args)
    assert result.exit_code == 2 and says in " ".join(result.output.split())
    assert "Traceback" not in result.output
