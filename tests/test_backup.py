"""A backup of the whole team (crossdeal export --format crossdeal) restores exactly: export,
restore into an empty team, export again gives the same bytes, on SQLite and PostgreSQL.
A restore writes into an empty team only, and a bad file writes nothing."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete
from typer.testing import CliRunner

from crossdeal.cli import app
from crossdeal.errors import InputError
from crossdeal.people.store import PersonRecord, ProfileStore, SelfProfile
from crossdeal.pipeline import edits
from crossdeal.pipeline.backup import (
    BACKUP_ENTRY,
    Backup,
    backup_bytes,
    read_backup,
    restore,
    restore_people,
    team_backup,
)
from crossdeal.pipeline.db import Database
from crossdeal.pipeline.demo import generate
from crossdeal.pipeline.models import Account, Activity, Contact, Deal, DealEvent, Seller
from crossdeal.pipeline.store import PipelineStore, TeamNotEmptyError

TODAY = date(2026, 12, 1)
runner = CliRunner()


def _rich_team(db: Database, team: str = "emea") -> PipelineStore:
    """A team as a person leaves it: a generated pipeline, then hand-made records with
    observations, a committee, meetings, edits, a close with its reason, and odd text."""
    store = PipelineStore(db, team=team)
    store.load_demo(generate(seed=3, deals=40, today=TODAY))
    store.add_seller("Ana Souza", "BR", email="ana@example.com")
    store.add_account(
        "Tanaka Precision", "Japan", "machinery", observations=["consensus-seeker", "wants-detail"]
    )
    line3 = store.add_deal(
        "Line 3 retrofit",
        "Tanaka Precision",
        owner="Ana Souza",
        amount="150000.10",
        currency="EUR",
        created_on=TODAY - timedelta(days=60),
        expected_close=TODAY + timedelta(days=30),
        need="faster changeovers",
        notes='Quote "v2" = 5 % off; naïve café, 日本語, =HYPERLINK("x")',
    )
    store.add_contact(line3, "Kenji Sato", role="decision-maker", culture="JP", email="k@x.jp")
    store.add_contact(line3, "Aiko Mori", role="champion", observations=["pushes-back"])
    store.log_activity(line3, "in-person", with_=["Kenji Sato", "Aiko Mori"], occurred_on=TODAY)
    store.log_activity(
        line3, "email", note="Yes, we will consider it.", direction="inbound", occurred_on=TODAY
    )
    edits.update_deal(store, line3, edits.DealUpdate(stage="Negotiation"), by="ana@example.com")
    spares = store.add_deal("Spare parts", "Tanaka Precision", amount=20_000)
    store.add_contact(spares, "Kenji Sato")
    edits.close_deal(store, spares, "lost", reason="price", note="went local", on=TODAY)
    return store


def _wipe(store: PipelineStore) -> None:
    with store.db.engine.begin() as conn:
        for table in (DealEvent, Activity, Deal, Contact, Account, Seller):
            conn.execute(delete(table).where(table.team_id == store.team_id))


def _people() -> tuple[list[PersonRecord], SelfProfile]:
    return (
        [
            PersonRecord(
                name="Priya Sharma",
                culture="IND",
                observations=["decides-alone"],
                company="Pune Motors",
                created="2026-11-01T09:00:00",
                updated="2026-11-02T09:00:00",
            )
        ],
        SelfProfile(culture="USA", answers={"pdi-1": 3}, assessed="2026-10-01T08:00:00"),
    )


def test_export_restore_export_gives_the_same_bytes(database: Database) -> None:
    store = _rich_team(database)
    people, me = _people()
    first = backup_bytes(team_backup(store, people, me))
    before = store.deals(outcome=None)
    _wipe(store)  # the team is empty again, and its deal numbers free

    report = restore(store, read_backup_bytes(first))
    again = backup_bytes(team_backup(store, people, me))
    assert again == first
    assert report.deal_numbers_kept and report.deals == before.total == 42
    assert report.accounts == len(store.accounts().accounts)
    assert report.history_entries >= 2 and report.activities >= 2
    # what the risk signals and the listings read is back too
    after = store.deals(outcome=None)
    assert [(d.id, d.worst, [s.id for s in d.signals]) for d in after.deals] == [
        (d.id, d.worst, [s.id for s in d.signals]) for d in before.deals
    ]
    # a new deal gets a number no restored deal has (PostgreSQL's sequence moved on)
    newest = store.add_deal("After the restore", "Tanaka Precision")
    assert newest > max(d.id for d in before.deals)


def read_backup_bytes(payload: bytes) -> Backup:
    with zipfile.ZipFile(io.BytesIO(payload)) as zf:
        return Backup.model_validate_json(zf.read(BACKUP_ENTRY))


def test_a_restore_into_a_team_that_holds_anything_writes_nothing(database: Database) -> None:
    store = _rich_team(database)
    backup = team_backup(store)
    other = PipelineStore(database, team="apac")
    other.add_account("Only Mine KK", "Japan")
    with pytest.raises(TeamNotEmptyError, match="already holds 1 account"):
        restore(other, backup)
    assert [a.name for a in other.accounts().accounts] == ["Only Mine KK"]
    assert other.deals(outcome=None).total == 0


def test_taken_deal_numbers_are_replaced_whole_and_said(database: Database) -> None:
    store = _rich_team(database)
    backup = team_backup(store)
    copy = PipelineStore(database, team="copy")
    report = restore(copy, backup)  # emea still holds those numbers
    assert not report.deal_numbers_kept
    restored = team_backup(copy)
    assert [d.id for d in restored.deals] != [d.id for d in backup.deals]
    strip = {"id"}
    assert [d.model_dump(exclude=strip) for d in restored.deals] == [
        d.model_dump(exclude=strip) for d in backup.deals
    ]
    assert restored.accounts == backup.accounts and restored.contacts == backup.contacts


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def _document(**changes: Any) -> bytes:
    document: dict[str, Any] = {
        "format": "crossdeal.backup/1",
        "team": "emea",
        "sellers": [],
        "accounts": [{"name": "Tanaka Precision", "country": "Japan"}],
        "contacts": [],
        "deals": [{"id": 7, "account": "Tanaka Precision", "name": "Line 3", "amount": "10.00"}],
    }
    for key, value in changes.items():
        document[key] = value
    return json.dumps(document).encode()


@pytest.mark.parametrize(
    ("payload", "says"),
    [
        (b"PK\x03\x04 cut short", "not a readable zip file"),
        (_zip({"deals.csv": b"id,name\n"}), "not a crossdeal backup (it has no backup.json)"),
        (_zip({BACKUP_ENTRY: b"{not json"}), "is not valid JSON"),
        (_zip({BACKUP_ENTRY: _document(format="crossdeal.backup/9")}), "a newer crossdeal"),
        (_zip({BACKUP_ENTRY: b"[1, 2]"}), "is not a crossdeal backup"),
        (
            _zip(
                {
                    BACKUP_ENTRY: _document(
                        deals=[{"id": 1, "account": "X", "name": "D", "amount": "-5"}]
                    )
                }
            ),
            "deals.0.amount",
        ),
        (
            _zip(
                {
                    BACKUP_ENTRY: _document(
                        deals=[{"id": 1, "account": "X", "name": "D", "amount": "1.234"}]
                    )
                }
            ),
            "more than two decimals",
        ),
        (
            _zip({BACKUP_ENTRY: _document(deals=[{"id": 1, "account": "Gone", "name": "D"}])}),
            "an account the backup lacks",
        ),
        (
            _zip(
                {
                    BACKUP_ENTRY: _document(
                        deals=[
                            {
                                "id": 1,
                                "account": "Tanaka Precision",
                                "name": "D",
                                "committee": ["Nobody"],
                            }
                        ]
                    )
                }
            ),
            "'Nobody' at 'Tanaka Precision', who is not a contact",
        ),
        (
            _zip(
                {
                    BACKUP_ENTRY: _document(
                        deals=[
                            {"id": 1, "account": "Tanaka Precision", "name": "A"},
                            {"id": 1, "account": "Tanaka Precision", "name": "B"},
                        ]
                    )
                }
            ),
            "the deal number 1 twice",
        ),
    ],
)
def test_a_bad_backup_is_refused_and_nothing_is_written(
    crossdeal_home: Path, tmp_path: Path, payload: bytes, says: str
) -> None:
    path = tmp_path / "backup.zip"
    path.write_bytes(payload)
    result = runner.invoke(app, ["import", str(path)])
    assert result.exit_code != 0
    assert says in " ".join(result.output.split()), result.output
    assert "Traceback" not in result.output
    listing = runner.invoke(app, ["deals", "--outcome", "all", "--format", "json"])
    assert json.loads(listing.stdout)["total"] == 0


def test_read_backup_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "old.zip"
    path.write_bytes(_zip({BACKUP_ENTRY: _document(format="crossdeal.backup/9")}))
    with pytest.raises(InputError, match=r"^old\.zip is in the format 'crossdeal.backup/9'"):
        read_backup(path)


def test_people_are_added_never_replaced(tmp_path: Path) -> None:
    people, me = _people()
    mine = ProfileStore(tmp_path)
    mine.add_missing([people[0].model_copy(update={"company": "Mumbai Rail"})])
    backup = Backup(
        team="emea",
        people=[*people, PersonRecord(name="Li Wei", culture="CHI", created="x", updated="y")],
        me=me,
    )
    report = restore_people(mine, backup, restore_report_stub())
    assert report.people_added == ["Li Wei"] and report.people_kept == ["Priya Sharma"]
    assert report.me == "restored" and mine.me() == me
    assert mine.find("Priya Sharma").company == "Mumbai Rail"  # type: ignore[union-attr]
    assert mine.find("Li Wei").updated == "y"  # type: ignore[union-attr]  # as it was
    again = restore_people(mine, backup, restore_report_stub())
    assert (again.people_added, again.people_unchanged, again.me) == ([], 1, "unchanged")


def restore_report_stub() -> Any:
    from crossdeal.pipeline.reports import RestoreReport

    return RestoreReport(
        team="t",
        source_team="t",
        sellers=0,
        accounts=0,
        contacts=0,
        deals=0,
        activities=0,
        history_entries=0,
        deal_numbers_kept=True,
    )


def test_the_round_trip_from_the_command_line(
    crossdeal_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert runner.invoke(app, ["demo"]).exit_code == 0
    assert runner.invoke(app, ["person", "add", "Priya Sharma", "--culture", "IN"]).exit_code == 0
    exported = runner.invoke(app, ["--team", "demo", "export", "--format", "crossdeal"])
    assert exported.exit_code == 0
    backup = tmp_path / "backup.zip"
    backup.write_bytes(exported.stdout_bytes)

    elsewhere = tmp_path / "new-home"
    monkeypatch.setenv("CROSSDEAL_HOME", str(elsewhere))  # a new machine: empty database
    restored = runner.invoke(app, ["--team", "demo", "import", str(backup)])
    assert restored.exit_code == 0, restored.output
    said = " ".join(restored.output.split())
    assert "Restored backup.zip into team demo" in said and "180 deals" in said
    assert "Deals keep their numbers" in said and "1 saved person added" in said
    again = runner.invoke(app, ["--team", "demo", "export", "--format", "crossdeal"])
    assert again.stdout_bytes == exported.stdout_bytes
    assert runner.invoke(app, ["--team", "demo", "deal", "42"]).exit_code == 0
    # a second restore into the same team is refused: nothing is replaced
    twice = runner.invoke(app, ["--team", "demo", "import", str(backup), "--format", "json"])
    assert twice.exit_code != 0 and "restored into an empty team" in " ".join(twice.output.split())
    # CSV-import options do not apply to a backup
    mixed = runner.invoke(app, ["--team", "x", "import", str(backup), "--skip-invalid"])
    assert mixed.exit_code != 0 and "--skip-invalid does not apply" in mixed.output


def test_the_csv_export_imports_back_as_deals(crossdeal_home: Path, tmp_path: Path) -> None:
    assert runner.invoke(app, ["demo"]).exit_code == 0
    exported = runner.invoke(app, ["--team", "demo", "export", "--format", "csv"])
    path = tmp_path / "pipeline.csv"
    path.write_text(exported.stdout, encoding="utf-8")
    first = runner.invoke(app, ["--team", "copy", "import", str(path), "--format", "json"])
    assert first.exit_code == 0, first.output
    report = json.loads(first.stdout)
    assert report["profile"] == "crossdeal deals export" and report["created"] == 180
    second = json.loads(
        runner.invoke(app, ["--team", "copy", "import", str(path), "--format", "json"]).stdout
    )
    assert (second["created"], second["unchanged"]) == (0, 180)
    demo = json.loads(
        runner.invoke(app, ["--team", "demo", "deals", "-f", "json", "--outcome", "all"]).stdout
    )
    copy = json.loads(
        runner.invoke(app, ["--team", "copy", "deals", "-f", "json", "--outcome", "all"]).stdout
    )
    shown = ("name", "account", "culture", "outcome", "stage", "amount", "expected_close")
    assert sorted(tuple(d[k] for k in shown) for d in copy["deals"]) == sorted(
        tuple(d[k] for k in shown) for d in demo["deals"]
    )


def test_a_backup_is_not_written_to_a_terminal(crossdeal_home: Path) -> None:
    import os
    import pty
    import subprocess
    import sys

    command = Path(sys.executable).parent / "crossdeal"
    leader, follower = pty.openpty()
    try:
        done = subprocess.run(
            [str(command), "export", "--format", "crossdeal"],
            stdout=follower,
            stderr=subprocess.PIPE,
            timeout=60,
            check=False,
        )
        os.close(follower)
        shown = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(leader)
    assert done.returncode != 0
    assert b"PK" not in shown
    assert "> backup.zip" in done.stderr.decode()


def test_a_value_the_database_holds_is_exported_and_restored_as_it_is(
    database: Database,
) -> None:
    store = _rich_team(database)
    odd = "Decision Maker"  # written by an older release that did not check roles
    with database.engine.begin() as conn:
        conn.execute(
            Contact.__table__.update()
            .where(Contact.team_id == store.team_id, Contact.name == "Aiko Mori")
            .values(role=odd)
        )
    first = backup_bytes(team_backup(store))
    _wipe(store)
    restore(store, read_backup_bytes(first))
    assert backup_bytes(team_backup(store)) == first


def test_someone_twice_on_a_committee_is_refused(crossdeal_home: Path, tmp_path: Path) -> None:
    path = tmp_path / "backup.zip"
    document = json.loads(_document())
    document["contacts"] = [{"account": "Tanaka Precision", "name": "Kenji Sato"}]
    document["deals"][0]["committee"] = ["Kenji Sato", "Kenji Sato"]
    path.write_bytes(_zip({BACKUP_ENTRY: json.dumps(document).encode()}))
    result = runner.invoke(app, ["import", str(path)])
    assert result.exit_code == 2 and "names someone twice in its committee" in result.output


def test_a_people_file_that_cannot_be_read_stops_the_restore_first(
    crossdeal_home: Path, tmp_path: Path
) -> None:
    assert runner.invoke(app, ["demo"]).exit_code == 0
    assert runner.invoke(app, ["person", "add", "Priya Sharma", "--culture", "IN"]).exit_code == 0
    backup = tmp_path / "backup.zip"
    backup.write_bytes(
        runner.invoke(app, ["--team", "demo", "export", "--format", "crossdeal"]).stdout_bytes
    )
    (crossdeal_home / "people.json").write_text("{broken", encoding="utf-8")
    result = runner.invoke(app, ["--team", "copy", "import", str(backup)])
    assert result.exit_code != 0 and "people.json" in result.output
    listing = runner.invoke(app, ["--team", "copy", "deals", "--outcome", "all", "-f", "json"])
    assert json.loads(listing.stdout)["total"] == 0  # nothing restored: try again later


def test_names_the_csv_export_protected_come_back_as_typed(
    crossdeal_home: Path, tmp_path: Path
) -> None:
    for args in (
        ("accounts", "add", "@Home Inc", "--country", "US"),
        ("deals", "add", "--account", "@Home Inc", "--amount", "5000", "--", "-Renewal 2027"),
    ):
        assert runner.invoke(app, list(args)).exit_code == 0
    exported = runner.invoke(app, ["export", "--format", "csv"]).stdout
    assert "'@Home Inc" in exported and "'-Renewal 2027" in exported  # safe in a spreadsheet
    path = tmp_path / "pipeline.csv"
    path.write_text(exported, encoding="utf-8")
    assert runner.invoke(app, ["--team", "copy", "import", str(path)]).exit_code == 0
    copy = json.loads(runner.invoke(app, ["--team", "copy", "deals", "-f", "json"]).stdout)
    assert [(d["name"], d["account"]) for d in copy["deals"]] == [("-Renewal 2027", "@Home Inc")]
