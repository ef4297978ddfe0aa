"""Editing the pipeline: update, close, reopen, delete, remove from a committee.

Each case is what a seller or manager does to a deal they keep in crossdeal; each checks
what changed, what did not, the deal's history and the counts the risk signals read.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from crossdeal.cli import app
from crossdeal.errors import InputError
from crossdeal.pipeline import edits
from crossdeal.pipeline.db import Database
from crossdeal.pipeline.edits import ConflictError, DealUpdate
from crossdeal.pipeline.models import (
    Account,
    Activity,
    ActivityContact,
    Contact,
    Deal,
    DealContact,
    DealEvent,
)
from crossdeal.pipeline.reasons import CloseReasons, ReasonFileError
from crossdeal.pipeline.store import NotFoundError, PipelineStore
from tests.test_pipeline import _facts_the_slow_way, ids

TODAY = date.today()
TABLES = (Account, Contact, Deal, DealContact, Activity, ActivityContact, DealEvent)


@pytest.fixture
def store(database: Database) -> PipelineStore:
    s = PipelineStore(database)
    s.add_seller("Tom Baker", "US")
    s.add_seller("Ana Souza", "BR")
    for account, country in (("Tanaka Precision", "Japan"), ("Tata Tools", "India")):
        s.add_account(account, country)
        deal = s.add_deal(
            f"Line for {account}",
            account,
            owner="Tom Baker",
            amount=250_000,
            stage="Discovery",
            created_on=TODAY - timedelta(days=30),
            expected_close=TODAY + timedelta(days=90),
        )
        s.add_contact(
            deal,
            "Kenji Sato" if account.startswith("Tanaka") else "Priya Raman",
            role="decision-maker",
        )
        s.add_contact(
            deal, "Aiko Mori" if account.startswith("Tanaka") else "Ravi Iyer", role="champion"
        )
        s.log_activity(
            deal,
            "video",
            with_=["Kenji Sato" if account.startswith("Tanaka") else "Priya Raman"],
            occurred_on=TODAY - timedelta(days=3),
        )
    return s


def counts(store: PipelineStore) -> dict[str, int]:
    with store.db.session() as s:
        return {t.__tablename__: s.scalar(select(func.count()).select_from(t)) or 0 for t in TABLES}


def stored_counts_agree(store: PipelineStore, deal_id: int) -> bool:
    facts, _, _ = _facts_the_slow_way(store, deal_id)
    with store.db.session() as s:
        deal = s.get(Deal, deal_id)
        assert deal is not None
        stored = (deal.committee_size, deal.committee_deciders, deal.deciders_met)
    return stored == (facts.contacts, facts.decision_makers, facts.decision_makers_met)


def test_an_update_changes_only_what_is_given_and_is_recorded(store: PipelineStore) -> None:
    before = store.deal(1)
    report = edits.update_deal(
        store,
        1,
        DealUpdate(stage="Negotiation", expected_close=date(2027, 3, 31), amount=Decimal("150000")),
        by="ana@example.com",
    )
    assert report.version == before.version + 1 == 2
    assert {(c.field, c.old, c.new) for c in report.changes} == {
        ("stage", "Discovery", "Negotiation"),
        ("expected_close", (TODAY + timedelta(days=90)).isoformat(), "2027-03-31"),
        ("amount", "250000.00", "150000.00"),
    }
    after = store.deal(1)
    assert (after.deal.stage, after.deal.amount, after.deal.expected_close) == (
        "Negotiation",
        150_000,
        date(2027, 3, 31),
    )
    assert after.deal.owner == before.deal.owner and after.need == before.need
    assert [e.by for e in after.history] == ["ana@example.com"] * 3
    assert store.deal(2).version == 1 and store.deal(2).history == []  # the other deal


def test_an_owner_change_and_a_cleared_field(store: PipelineStore) -> None:
    report = edits.update_deal(store, 1, DealUpdate(owner="Ana Souza", expected_close=None))
    assert {(c.field, c.old, c.new) for c in report.changes} == {
        ("owner", "Tom Baker", "Ana Souza"),
        ("expected_close", (TODAY + timedelta(days=90)).isoformat(), None),
    }
    view = store.deal(1)
    assert view.deal.owner == "Ana Souza" and view.deal.expected_close is None
    # the briefing follows the new owner's culture: a Brazilian seller now
    assert view.briefing is not None and view.briefing.seller.code == "BRA"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (DealUpdate(), "nothing to change"),
        (DealUpdate(stage="Discovery"), "already has those values"),
        (DealUpdate(name="  "), "name cannot be emptied"),
        (DealUpdate(currency=None), "currency cannot be emptied"),
        (DealUpdate(amount=Decimal("-1")), "negative"),
        (DealUpdate(owner="Nobody"), "no seller called 'Nobody'"),
        (DealUpdate(expected_close=TODAY - timedelta(days=60)), "before the deal was created"),
    ],
)
def test_a_bad_update_is_refused_and_changes_nothing(
    store: PipelineStore, changes: DealUpdate, message: str
) -> None:
    with pytest.raises((InputError, NotFoundError), match=message):
        edits.update_deal(store, 1, changes)
    assert store.deal(1).version == 1 and store.deal(1).history == []


def test_a_currency_must_be_a_three_letter_code() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="three-letter currency code"):
        DealUpdate(currency="EURO")
    assert DealUpdate(currency="eur").currency == "EUR"


def test_the_second_of_two_editors_gets_a_conflict_not_an_overwrite(store: PipelineStore) -> None:
    seen_by_both = store.deal(1).version
    edits.update_deal(store, 1, DealUpdate(stage="Proposal"), if_version=seen_by_both)
    with pytest.raises(ConflictError, match="changed by someone else"):
        edits.update_deal(store, 1, DealUpdate(stage="Negotiation"), if_version=seen_by_both)
    assert store.deal(1).deal.stage == "Proposal"
    with pytest.raises(ConflictError):
        edits.close_deal(store, 1, "won", if_version=seen_by_both)
    assert store.deal(1).deal.outcome == "open"


def test_closing_lost_needs_a_reason_from_the_list(store: PipelineStore) -> None:
    with pytest.raises(InputError, match=r"say why the deal was lost.*went-silent"):
        edits.close_deal(store, 1, "lost")
    with pytest.raises(InputError, match="not a reason to close a deal as lost"):
        edits.close_deal(store, 1, "lost", reason="they were rude")
    with pytest.raises(InputError, match="not a reason to close a deal as won"):
        edits.close_deal(store, 1, "won", reason="went-silent")  # a loss-only reason
    report = edits.close_deal(
        store, 1, "lost", reason="Chose a local supplier", note="went with an Osaka firm", by="tom"
    )
    assert ("close_reason", "local-supplier") in {(c.field, c.new) for c in report.changes}
    view = store.deal(1)
    assert (view.deal.outcome, view.deal.closed_on, view.lost_reason) == (
        "lost",
        TODAY,
        "local-supplier",
    )
    assert view.deal.stage == "Closed lost"
    assert view.deal.signals == []  # a closed deal carries no risk signals
    assert store.deals().total == 1  # the open listing no longer holds it


def test_closing_won_then_reopening_restores_the_stage(store: PipelineStore) -> None:
    edits.close_deal(store, 2, "won", reason="relationship", on=TODAY - timedelta(days=1))
    assert store.deal(2).deal.outcome == "won"
    with pytest.raises(InputError, match="already won"):
        edits.close_deal(store, 2, "lost", reason="price")
    report = edits.reopen_deal(store, 2, note="the PO was cancelled")
    assert ("stage", "Closed won", "Discovery") in {(c.field, c.old, c.new) for c in report.changes}
    view = store.deal(2)
    assert (view.deal.outcome, view.deal.closed_on, view.deal.stage) == ("open", None, "Discovery")
    with pytest.raises(InputError, match="open already"):
        edits.reopen_deal(store, 2)
    # the history keeps the whole story, in order
    assert [(e.kind, e.field) for e in view.history][:2] == [
        ("close", "outcome"),
        ("close", "closed_on"),
    ]
    assert view.history[-1].kind == "reopen"


@pytest.mark.parametrize(
    ("on", "message"),
    [
        (TODAY + timedelta(days=1), "in the future"),
        (TODAY - timedelta(days=400), "created on"),
    ],
)
def test_a_close_date_must_be_possible(store: PipelineStore, on: date, message: str) -> None:
    with pytest.raises(InputError, match=message):
        edits.close_deal(store, 1, "won", on=on)
    assert store.deal(1).deal.outcome == "open"


def test_deleting_a_deal_removes_its_rows_and_nothing_else(store: PipelineStore) -> None:
    edits.update_deal(store, 1, DealUpdate(stage="Proposal"))
    before = counts(store)
    plan = edits.delete_deal(store, 1, dry_run=True)
    assert counts(store) == before  # a dry run removes nothing
    assert not plan.done
    report = edits.delete_deal(store, "Line for Tanaka Precision")
    assert (
        report.removed
        == plan.removed
        == {
            "deals": 1,
            "committee memberships": 2,
            "activities": 1,
            "attendances": 1,
            "history entries": 1,
        }
    )
    after = counts(store)
    assert after["deals"] == before["deals"] - 1
    assert after["contacts"] == before["contacts"]  # the people stay on the account
    assert after["accounts"] == before["accounts"]
    with pytest.raises(NotFoundError):
        store.deal(1)
    # the other deal is whole, and its stored counts still agree with its rows
    assert len(store.deal(2).committee) == 2 and stored_counts_agree(store, 2)


def test_deleting_an_account_takes_its_contacts_and_deals(store: PipelineStore) -> None:
    before = counts(store)
    report = edits.delete_account(store, "tanaka precision")  # any case
    assert report.removed == {
        "accounts": 1,
        "deals": 1,
        "contacts": 2,
        "activities": 1,
        "history entries": 0,
    }
    after = counts(store)
    assert after["accounts"] == before["accounts"] - 1
    assert after["contacts"] == before["contacts"] - 2
    assert [a.name for a in store.accounts().accounts] == ["Tata Tools"]
    assert stored_counts_agree(store, 2)
    with pytest.raises(NotFoundError, match="no account called"):
        edits.delete_account(store, "Tanaka Precision")


def test_removing_the_decision_maker_brings_back_the_signal(store: PipelineStore) -> None:
    # India (PDI 77): the person who decides must be met; she was, on video
    assert "decision-maker-not-met" not in ids(store.deal(2).deal)
    report = edits.remove_contact(store, 2, "priya raman")
    assert report.removed == {"committee memberships": 1, "attendances": 1}
    view = store.deal(2)
    assert [c.name for c in view.committee] == ["Ravi Iyer"]
    assert len(view.activities) == 1 and view.activities[0].with_ == []  # the call stays
    assert stored_counts_agree(store, 2)
    assert "decision-maker-not-met" in ids(view.deal)
    with pytest.raises(NotFoundError, match="not on deal 2's committee"):
        edits.remove_contact(store, 2, "Priya Raman")
    with store.db.session() as s:  # still a contact of the account
        assert s.scalar(select(Contact.id).where(Contact.name == "Priya Raman")) is not None
    assert stored_counts_agree(store, 1)  # the other deal is untouched


def test_teams_cannot_edit_each_other(store: PipelineStore) -> None:
    other = PipelineStore(store.db, team="emea")
    for attempt in (
        lambda: edits.update_deal(other, 1, DealUpdate(stage="x")),
        lambda: edits.close_deal(other, 1, "won"),
        lambda: edits.reopen_deal(other, 1),
        lambda: edits.delete_deal(other, 1),
        lambda: edits.remove_contact(other, 1, "Kenji Sato"),
        lambda: edits.delete_account(other, "Tanaka Precision"),
    ):
        before = counts(store)
        with pytest.raises(NotFoundError):
            attempt()
        assert counts(store) == before
    assert store.deal(1).version == 1


# --- the list of close reasons -----------------------------------------------------------


def test_the_shipped_reasons_cover_both_outcomes() -> None:
    reasons = CloseReasons.default()
    assert {r.id for r in reasons.for_outcome("lost")} >= {"price", "went-silent", "competitor"}
    assert "went-silent" not in {r.id for r in reasons.for_outcome("won")}


def test_a_team_replaces_the_list_with_its_own(crossdeal_home: Path, store: PipelineStore) -> None:
    (crossdeal_home / "close_reasons.yaml").write_text(
        "reasons:\n"
        "  - id: procurement-veto\n"
        "    label: Procurement veto\n"
        "    outcomes: [lost]\n"
        "    description: Central procurement stopped it after the business said yes.\n"
        "  - id: won\n"
        "    label: Won\n"
        "    outcomes: [won]\n"
        "    description: We won it, the reason is in the note.\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="one of: procurement-veto"):
        edits.close_deal(store, 1, "lost", reason="price")
    edits.close_deal(store, 1, "lost", reason="procurement-veto")
    assert store.deal(1).lost_reason == "procurement-veto"


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("reasons: {}\n", None, "top-level 'reasons:' list"),
        (
            "reasons:\n  - id: price\n    label: Price\n    outcomes: [won, lost]\n"
            "    description: The price decided it.\n  - id: price\n    label: Again\n"
            "    outcomes: [lost]\n    description: The same id twice.\n",
            6,
            "given twice",
        ),
        (
            "reasons:\n  - id: price\n    label: Price\n    outcomes: [maybe]\n"
            "    description: The price decided it.\n",
            4,
            "outcomes",
        ),
        (
            "reasons:\n  - id: price\n    label: Price\n    outcomes: [lost]\n"
            "    description: The price decided it.\n",
            None,
            "no reason closes a deal as won",
        ),
        (
            "reasons:\n  - id: price\n    label: Price\n    outcomes: [won, lost]\n"
            "    description: The price decided it.\n    colour: red\n",
            6,
            "unknown field 'colour'",
        ),
    ],
)
def test_a_bad_reason_file_names_file_line_and_reason(
    tmp_path: Path, text: str, line: int | None, reason: str
) -> None:
    path = tmp_path / "close_reasons.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ReasonFileError, match=reason) as caught:
        CloseReasons.load(path)
    assert caught.value.path == str(path) and caught.value.line == line


# --- the command line ---------------------------------------------------------------------

runner = CliRunner()


def run(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args))


@pytest.fixture
def cli_pipeline(crossdeal_home: Path) -> None:
    assert run("sellers", "add", "Tom Baker", "--culture", "US").exit_code == 0
    assert run("accounts", "add", "Tanaka Precision", "--country", "Japan").exit_code == 0
    result = run(
        "deals",
        "add",
        "Press line",
        "--account",
        "Tanaka Precision",
        "--owner",
        "Tom Baker",
        "--amount",
        "120000",
        "--stage",
        "Discovery",
        "--close",
        "2027-06-30",
    )
    assert result.exit_code == 0, result.output
    result = run("deal", "1", "add-contact", "Kenji Sato", "--role", "decision-maker")
    assert result.exit_code == 0, result.output


def test_the_cli_updates_closes_and_reopens(cli_pipeline: None) -> None:
    result = run(
        "deal",
        "1",
        "update",
        "--stage",
        "Negotiation",
        "--close-date",
        "2027-03-31",
        "--amount",
        "150000",
        "--budget-confirmed",
        "yes",
    )
    assert result.exit_code == 0, result.output
    assert "stage Discovery → Negotiation" in result.output
    shown = json.loads(run("deal", "1", "--format", "json").output)
    assert shown["version"] == 2 and shown["budget_confirmed"] is True
    assert shown["deal"]["expected_close"] == "2027-03-31"
    stale = run("deal", "1", "update", "--stage", "Proposal", "--if-version", "1")
    assert stale.exit_code == 2 and "changed by someone else" in stale.output
    result = run("deal", "1", "close", "lost", "--reason", "price", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["schema_version"] == "crossdeal.change/1"
    result = run("deal", "1", "close", "lost")
    assert result.exit_code == 2 and "already lost" in result.output
    assert run("deal", "1", "reopen").exit_code == 0
    history = run("deal", "1")
    assert "History" in history.output and "close reason — → price" in history.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("deal", "1", "update"), "nothing to change"),
        (("deal", "1", "update", "--amount", "lots"), "is not an amount"),
        (("deal", "1", "update", "--close-date", "31/03/2027"), "is not a date"),
        (("deal", "1", "update", "--budget-confirmed", "maybe"), "use yes or no"),
        (("deal", "1", "update", "--currency", "EURO"), "three-letter currency code"),
        (("deal", "1", "close", "maybe"), "won or lost"),
        (("deal", "9", "close", "won"), "there is no deal 9"),
    ],
)
def test_the_cli_says_what_is_wrong(
    cli_pipeline: None, args: tuple[str, ...], message: str
) -> None:
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output


def test_deletions_ask_first_and_delete_only_with_yes(cli_pipeline: None) -> None:
    # not a terminal and no --yes: says what it would delete, deletes nothing
    refused = run("deals", "delete", "1")
    assert refused.exit_code == 2
    assert "1 deal, 1 committee membership" in refused.output
    assert "nothing was changed" in refused.output
    assert json.loads(run("deals", "--format", "json").output)["total"] == 1
    refused = run("deal", "1", "remove-contact", "Kenji Sato")
    assert refused.exit_code == 2 and "nothing was changed" in refused.output
    removed = run("deal", "1", "remove-contact", "Kenji Sato", "--yes")
    assert removed.exit_code == 0 and "Deleted" not in removed.output
    assert "off the buying committee" in removed.output and "stay on the account" in removed.output
    assert run("deals", "delete", "Press line", "--yes").exit_code == 0
    assert json.loads(run("deals", "--format", "json").output)["total"] == 0
    refused = run("accounts", "delete", "Tanaka Precision")
    assert refused.exit_code == 2 and "1 account, 1 contact" in refused.output
    done = run("accounts", "delete", "Tanaka Precision", "--yes")
    assert done.exit_code == 0 and "Deleted account Tanaka Precision" in done.output
    assert json.loads(run("accounts", "--format", "json").output)["accounts"] == []


def test_the_cli_lists_the_close_reasons(crossdeal_home: Path) -> None:
    result = run("deals", "reasons", "--format", "json")
    assert result.exit_code == 0, result.output
    listed = json.loads(result.output)
    assert listed["schema_version"] == "crossdeal.close-reasons/1"
    assert "went-silent" in {r["id"] for r in listed["reasons"]}
    (crossdeal_home / "close_reasons.yaml").write_text("reasons: [1]\n", encoding="utf-8")
    broken = run("deals", "reasons")
    assert broken.exit_code == 2 and "close_reasons.yaml, line 1" in broken.output


def test_downgrading_the_history_keeps_every_deal_and_its_rows(store: PipelineStore) -> None:
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import inspect

    edits.update_deal(store, 1, DealUpdate(stage="Proposal"))
    before = {k: v for k, v in counts(store).items() if k != "deal_events"}
    config = Config()
    config.set_main_option("script_location", "crossdeal.pipeline:migrations")
    with store.db.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0004")
    with store.db.engine.connect() as conn:
        after = {
            name: conn.exec_driver_sql(f"SELECT count(*) FROM {name}").scalar_one()
            for name in before
        }
        assert "version" not in {c["name"] for c in inspect(conn).get_columns("deals")}
        assert "deal_events" not in inspect(conn).get_table_names()
    assert after == before
    store.db.migrate()
    assert store.deal(1).version == 1 and store.deal(1).deal.stage == "Proposal"


def test_two_people_whose_names_differ_in_case_are_told_apart(store: PipelineStore) -> None:
    first = store.add_contact(1, "Ana Souza", role="champion")
    second = store.add_contact(1, "ana souza", role="user")
    assert first != second
    report = edits.remove_contact(store, 1, contact_id=second)
    assert report.name == "ana souza (deal 1)"
    assert "Ana Souza" in {c.name for c in store.deal(1).committee}
    store.add_contact(1, "ana souza", role="user")
    edits.remove_contact(store, 1, "Ana Souza")  # the exact spelling decides
    assert "ana souza" in {c.name for c in store.deal(1).committee}
    store.add_contact(1, "ANA SOUZA", role="user")
    with pytest.raises(InputError, match="exactly as it is written"):
        edits.remove_contact(store, 1, "Ana souza")
