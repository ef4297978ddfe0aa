"""CRM import: real exports in, bad rows reported, nothing half-written, nothing imported twice."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from crossdeal.errors import CrossdealError
from crossdeal.pipeline.db import Database
from crossdeal.pipeline.importer import ImportFileError, import_csv
from crossdeal.pipeline.models import Account, Deal
from crossdeal.pipeline.store import PipelineStore

ROOT = Path(__file__).resolve().parents[1]
MAVEN = ROOT / "tests" / "data" / "crm_maven"
EXAMPLES = ROOT / "examples" / "maven"
FUTURE = (date.today() + timedelta(days=30)).isoformat()


@pytest.fixture
def store(database: Database) -> PipelineStore:
    return PipelineStore(database)


def count(store: PipelineStore, table) -> int:  # type: ignore[no-untyped-def]
    with store.db.session() as s:
        return (
            s.scalar(select(func.count()).select_from(table).where(table.team_id == store.team_id))
            or 0
        )


def write(tmp_path: Path, text: str | bytes, name: str = "export.csv") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


# --- the Maven sample ------------------------------------------------------------------


def test_maven_sample_imports_with_its_quirks_reported(
    store: PipelineStore, tmp_path: Path
) -> None:
    accounts = import_csv(store, MAVEN / "accounts.csv", mapping=EXAMPLES / "accounts.yaml")
    assert accounts.committed and accounts.created == 85
    notes = " ".join(accounts.notes)
    assert "'Philipines' read as 'Philippines'" in notes
    assert "'Kenya' read as 'East Africa'" in notes

    strict = import_csv(store, MAVEN / "sales_pipeline.csv", mapping=EXAMPLES / "deals.yaml")
    assert not strict.committed
    assert strict.rejected == 1425
    assert strict.problem_counts == {"account: no account given": 1425}
    assert strict.problems[0].line == 11 and strict.problems[0].column == "account"
    assert count(store, Deal) == 0  # all-or-nothing: nothing written

    side = tmp_path / "rejected.csv"
    loose = import_csv(
        store,
        MAVEN / "sales_pipeline.csv",
        mapping=EXAMPLES / "deals.yaml",
        skip_invalid=True,
        rejected_path=side,
    )
    assert loose.committed and loose.created == 8800 - 1425 and loose.rejected == 1425
    assert any("'GTXPro' read as 'GTX Pro'" in n for n in loose.notes)
    with side.open(encoding="utf-8") as fh:
        rejected = list(csv.DictReader(fh))
    assert len(rejected) == 1425
    assert {r["problem"] for r in rejected} == {"no account given"}
    assert count(store, Deal) == 7375

    again = import_csv(
        store,
        MAVEN / "sales_pipeline.csv",
        mapping=EXAMPLES / "deals.yaml",
        skip_invalid=True,
        rejected_path=side,
    )
    assert (again.created, again.updated, again.unchanged) == (0, 0, 7375)
    assert count(store, Deal) == 7375
    won = store.deals(outcome="won")
    assert won.total == 4238
    assert {d.culture for d in store.deals(outcome=None).deals} >= {"USA", "KOR", "PHI", "AFE"}


def test_a_changed_row_is_updated_on_reimport(store: PipelineStore, tmp_path: Path) -> None:
    header = "Record ID,Deal Name,Deal Stage,Amount,Create Date,Close Date,Associated Company\n"
    first = write(tmp_path, header + "1,Pilot,Proposal,1000,2026-01-05,2027-02-01,Acme\n")
    assert import_csv(store, first).created == 1
    second = write(
        tmp_path, header + "1,Pilot,Proposal,1500,2026-01-05,2027-02-01,Acme\n", "second.csv"
    )
    report = import_csv(store, second)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 0)
    assert store.deals().deals[0].amount == 1500


def test_a_role_changed_by_a_contacts_import_counts_on_the_contacts_deals(
    store: PipelineStore, tmp_path: Path
) -> None:
    store.add_seller("Tom Baker", "US")
    store.add_account("Tata Tools", "India")
    deal_id = store.add_deal("Pilot", "Tata Tools", owner="Tom Baker", amount=90_000)
    store.add_contact(deal_id, "Priya Raman")  # on the committee, role not known yet
    before = next(s for s in store.deal(deal_id).deal.signals if s.id == "decision-maker-not-met")
    assert before.evidence["deal.decision_makers"] == 0
    header = "Record ID,First Name,Last Name,Associated Company,Country/Region,Job Title\n"
    export = write(tmp_path, header + "7,Priya,Raman,Tata Tools,India,Chief Executive\n")
    assert import_csv(store, export).updated == 1  # her title makes her the decision-maker
    view = store.deal(deal_id)
    assert [c.role for c in view.committee] == ["decision-maker"]
    # she now decides, and nobody has met her: the signal reads the new count
    signal = next(s for s in view.deal.signals if s.id == "decision-maker-not-met")
    assert signal.evidence["deal.decision_makers"] == 1


def test_a_role_guessed_from_a_title_follows_the_next_title(
    store: PipelineStore, tmp_path: Path
) -> None:
    store.add_account("Tata Tools", "India")
    header = "Record ID,First Name,Last Name,Associated Company,Country/Region,Job Title\n"
    first = write(tmp_path, header + "7,Priya,Raman,Tata Tools,India,Managing Director\n")
    import_csv(store, first)
    assert [c.role for c in store.contacts().contacts] == ["decision-maker"]
    later = write(tmp_path, header + "7,Priya,Raman,Tata Tools,India,Intern\n", "later.csv")
    assert import_csv(store, later).updated == 1
    assert [c.role for c in store.contacts().contacts] == [None]  # the guess is corrected


def test_a_contact_who_moves_account_stays_one_contact(
    store: PipelineStore, tmp_path: Path
) -> None:
    header = "Record ID,First Name,Last Name,Associated Company,Country/Region,Job Title\n"
    import_csv(store, write(tmp_path, header + "7,Priya,Raman,Tata Tools,India,CFO\n"))
    moved = write(tmp_path, header + "7,Priya,Raman,Pune Motors,India,CFO\n", "moved.csv")
    assert import_csv(store, moved).updated == 1
    assert [(c.name, c.account) for c in store.contacts().contacts] == [
        ("Priya Raman", "Pune Motors")
    ]


def test_a_long_job_title_is_cut_with_a_note(store: PipelineStore, tmp_path: Path) -> None:
    header = "Record ID,First Name,Last Name,Associated Company,Country/Region,Job Title\n"
    title = "Senior Vice President, Global Procurement and Supply Chain"
    report = import_csv(store, write(tmp_path, header + f'7,Priya,Raman,Tata,India,"{title}"\n'))
    assert report.committed and "job titles cut to 40 characters" in " ".join(report.notes)
    (contact,) = store.contacts().contacts
    assert contact.seniority == title[:40] and contact.role == "decision-maker"


def test_a_role_column_takes_only_committee_roles(store: PipelineStore, tmp_path: Path) -> None:
    mapping = tmp_path / "people.yaml"
    mapping.write_text(
        "name: people\nsource: sheet\nentity: contacts\nid: id\n"
        "fields:\n  name: {column: name}\n  account: {column: company}\n"
        "  role: {column: role}\n",
        encoding="utf-8",
    )
    rows = write(tmp_path, "id,name,company,role\n1,Kenji Sato,Tanaka,Decision Maker\n")
    report = import_csv(store, rows, mapping=mapping)
    assert not report.committed
    assert report.problems[0].value == "Decision Maker"
    assert "is not a committee role (decision-maker" in report.problems[0].reason


def test_a_role_someone_gave_is_not_replaced_by_a_guess_from_the_title(
    store: PipelineStore, tmp_path: Path
) -> None:
    store.add_account("Tata Tools", "India")
    deal_id = store.add_deal("Pilot", "Tata Tools", amount=90_000)
    store.add_contact(deal_id, "Priya Raman", role="champion")
    header = "Record ID,First Name,Last Name,Associated Company,Country/Region,Job Title\n"
    export = write(tmp_path, header + "7,Priya,Raman,Tata Tools,India,Chief Executive\n")
    assert import_csv(store, export).updated == 1  # her title, as her seniority
    assert [c.role for c in store.deal(deal_id).committee] == ["champion"]
    assert import_csv(store, export).unchanged == 1  # and again: nothing to change


@pytest.mark.parametrize(
    "stage",
    ["Proposal", "x'); DROP TABLE deals; --", "Won't close", '=HYPERLINK("x")', "Décision"],
)
def test_a_value_shared_by_every_row_is_stored_as_it_is(
    store: PipelineStore, tmp_path: Path, stage: str
) -> None:
    # values equal in a whole batch are written into the insert once; odd ones never are
    header = "Record ID,Deal Name,Deal Stage,Amount,Create Date,Associated Company\n"
    quoted = stage.replace('"', '""')
    lines = "".join(f'{i},Deal {i},"{quoted}",100,2026-01-05,Acme\n' for i in range(1, 4))
    report = import_csv(store, write(tmp_path, header + lines))
    assert report.created == 3, report.problems
    assert {d.stage for d in store.deals().deals} == {stage}
    assert count(store, Deal) == 3


# --- the three CRMs, detected from their header rows ----------------------------------------


@pytest.mark.parametrize(
    ("text", "profile", "entity"),
    [
        (
            "Record ID,Deal Name,Deal Stage,Amount,Create Date,Close Date,Associated Company,"
            "Deal owner\n"
            "11,Pilot,Closed Won,5000,2026-01-05 10:00,2026-03-01 10:00,Acme,Ann Lee\n"
            "12,Rollout,appointmentscheduled,90000,2026-02-05 10:00,2027-06-01 10:00,"
            "Acme,Ann Lee\n",
            "HubSpot deals export",
            "deals",
        ),
        (
            "Record ID,Company name,Country/Region,Industry\n21,Acme,Japan,Manufacturing\n",
            "HubSpot companies export",
            "accounts",
        ),
        (
            "Record ID,First Name,Last Name,Email,Associated Company,Job Title\n"
            "31,Kenji,Sato,k@acme.jp,Acme,Chief Operating Officer\n",
            "HubSpot contacts export",
            "contacts",
        ),
        (
            "Opportunity ID,Opportunity Name,Account Name,Stage,Amount,Close Date,Created Date\n"
            "006A,Pilot,Acme,Closed Lost,12000,03/01/2026,01/05/2026\n",
            "Salesforce opportunities export",
            "deals",
        ),
        (
            "Account ID,Account Name,Billing Country,Industry\n001A,Acme,Germany,Chemicals\n",
            "Salesforce accounts export",
            "accounts",
        ),
        (
            "Deal - ID,Deal - Title,Deal - Organization,Deal - Stage,Deal - Status,Deal - Value,"
            "Deal - Deal created,Deal - Expected close date\n"
            "41,Pilot,Acme,Proposal Made,Open,7000,2026-03-01 09:00:00,2027-01-31\n",
            "Pipedrive deals export",
            "deals",
        ),
    ],
)
def test_crm_exports_are_detected_and_imported(
    store: PipelineStore, tmp_path: Path, text: str, profile: str, entity: str
) -> None:
    report = import_csv(store, write(tmp_path, text))
    assert report.profile == profile
    assert report.entity == entity
    assert report.committed and report.rejected == 0 and report.created >= 1


def test_hubspot_outcomes_and_dates_map(store: PipelineStore, tmp_path: Path) -> None:
    text = (
        "Record ID,Deal Name,Deal Stage,Amount,Create Date,Close Date,Associated Company\n"
        "11,Pilot,Closed Won,5000,2026-01-05 10:00,2026-03-01 10:00,Acme\n"
        f"12,Rollout,qualifiedtobuy,90000,2026-02-05 10:00,{FUTURE} 10:00,Acme\n"
    )
    import_csv(store, write(tmp_path, text))
    by_name = {d.name: d for d in store.deals(outcome=None).deals}
    assert by_name["Pilot"].outcome == "won" and by_name["Pilot"].closed_on == date(2026, 3, 1)
    assert (
        by_name["Rollout"].outcome == "open"
        and by_name["Rollout"].expected_close.isoformat() == FUTURE
    )


def test_an_unknown_layout_asks_for_a_mapping(store: PipelineStore, tmp_path: Path) -> None:
    with pytest.raises(CrossdealError, match="mapping file"):
        import_csv(store, write(tmp_path, "foo,bar\n1,2\n"))
    with pytest.raises(Exception, match="not a CRM crossdeal knows"):
        import_csv(store, write(tmp_path, "foo,bar\n1,2\n"), crm="zoho")


# --- bad input: each gets a clear message and nothing is half-written -----------------------

DEALS_HEADER = "Record ID,Deal Name,Deal Stage,Amount,Create Date,Close Date,Associated Company\n"


@pytest.mark.parametrize(
    ("body", "line", "reason"),
    [
        (
            '1,"Pilot,Proposal,1000,2026-01-05,2027-02-01,Acme\n2,Pilot,Proposal,1,2026-01-05,2027-02-01,Acme\n',
            None,
            "",
        ),
        (
            "1;Pilot;Proposal;1000;2026-01-05;2027-02-01;Acme\n",
            2,
            "field(s) where the header has 7",
        ),
        ("1,Pilot,Proposal,-500,2026-01-05,2027-02-01,Acme\n", 2, "is negative"),
        ("1,Pilot,Proposal,lots,2026-01-05,2027-02-01,Acme\n", 2, "is not an amount"),
        (f"1,Pilot,Proposal,100,{FUTURE},2027-02-01,Acme\n", 2, "is in the future"),
        ("1,Pilot,Proposal,100,yesterday,2027-02-01,Acme\n", 2, "is not a date"),
        ("1,Pilot,Closed Won,100,2026-01-05,2025-02-01,Acme\n", 2, "closes before it was created"),
        (
            "1,Pilot,Proposal,100,2026-01-05,2027-02-01,Acme\n1,Again,Proposal,5,2026-01-05,2027-02-01,Acme\n",
            3,
            "appears twice in this file",
        ),
        (",Pilot,Proposal,100,2026-01-05,2027-02-01,Acme\n", 2, "no record id"),
        ("1,Pilot,Proposal,100,2026-01-05,2027-02-01,\n", 2, "no account given"),
    ],
)
def test_bad_rows_are_reported_and_nothing_is_written(
    store: PipelineStore, tmp_path: Path, body: str, line: int | None, reason: str
) -> None:
    report = import_csv(store, write(tmp_path, DEALS_HEADER + body))
    assert not report.committed
    assert report.rejected >= 1
    if line is not None:
        assert report.problems[0].line == line
        assert reason in report.problems[0].reason, report.problems[0].reason
    assert count(store, Deal) == 0
    assert count(store, Account) == 0


def test_an_unknown_country_is_a_problem_with_a_suggestion(
    store: PipelineStore, tmp_path: Path
) -> None:
    text = (
        "Record ID,Company name,Country/Region,Industry\n"
        "1,Acme,Germny,Chemicals\n2,Bolt,Mongolia,Mining\n"
    )
    report = import_csv(store, write(tmp_path, text))
    assert not report.committed
    (problem,) = report.problems
    assert problem.column == "Country/Region" and problem.value == "Germny"
    assert "Did you mean: Germany (GER)" in problem.reason
    assert any(
        "Mongolia has no scores" in n for n in report.notes
    )  # a real country: a note, not an error


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty"),
        (b"\n\n", "is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
        (bytes([0x81, 0x8D, 0x8F, 0x90, 0x9D]) * 20, "not in an encoding"),
        (b"Record ID,Deal Name,Record ID\n1,x,2\n", "repeats column"),
    ],
)
def test_unreadable_files_are_refused(
    store: PipelineStore, tmp_path: Path, content: bytes, message: str
) -> None:
    with pytest.raises(ImportFileError, match=message):
        import_csv(store, write(tmp_path, content))


def test_bom_and_windows_1252_files_read(store: PipelineStore, tmp_path: Path) -> None:
    text = "Record ID,Company name,Country/Region,Industry\n1,Société Générale,France,Banking\n"
    with_bom = write(tmp_path, b"\xef\xbb\xbf" + text.encode("utf-8"), "bom.csv")
    assert import_csv(store, with_bom).created == 1
    cp1252 = write(
        tmp_path,
        text.replace("1,", "2,", 1).replace("Société", "Crédit").encode("cp1252"),
        "win.csv",
    )
    report = import_csv(store, cp1252)
    assert report.committed
    assert "Crédit Générale" in {a for (a,) in _account_names(store)}


def _account_names(store: PipelineStore) -> list[tuple[str]]:
    with store.db.session() as s:
        return [
            (n,) for n in s.scalars(select(Account.name).where(Account.team_id == store.team_id))
        ]


def test_skip_invalid_keeps_the_good_rows_and_sets_the_bad_aside(
    store: PipelineStore, tmp_path: Path
) -> None:
    body = (
        "1,Good,Proposal,100,2026-01-05,2027-02-01,Acme\n"
        "2,Bad,Proposal,-1,2026-01-05,2027-02-01,Acme\n"
        "3,Good too,Proposal,200,2026-01-05,2027-02-01,Acme\n"
    )
    side = tmp_path / "bad.csv"
    report = import_csv(
        store, write(tmp_path, DEALS_HEADER + body), skip_invalid=True, rejected_path=side
    )
    assert report.committed and report.created == 2 and report.rejected == 1
    rows = list(csv.reader(side.open(encoding="utf-8")))
    assert rows[0][-2:] == ["line", "problem"]
    assert rows[1][:2] == ["2", "Bad"] and rows[1][-2] == "3" and "negative" in rows[1][-1]


MIXED_BODY = (
    "1,Good,Proposal,100,2026-01-05,2027-02-01,Acme\n"
    '2,=HYPERLINK("http://x"),Proposal,-1,2026-01-05,2027-02-01,Acme\n'
)


def test_rejected_rows_never_overwrite_the_input(store: PipelineStore, tmp_path: Path) -> None:
    tmp_path = tmp_path / "files"  # away from the test database
    tmp_path.mkdir()
    source = write(tmp_path, DEALS_HEADER + MIXED_BODY)
    before = source.read_bytes()
    with pytest.raises(ImportFileError, match="is the file being imported"):
        import_csv(store, source, skip_invalid=True, rejected_path=source)
    with pytest.raises(ImportFileError, match="is the file being imported"):
        import_csv(store, source, skip_invalid=True, rejected_path=tmp_path / "." / source.name)
    assert source.read_bytes() == before
    assert count(store, Deal) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [source.name]  # no stray files


def test_rejected_rows_never_overwrite_the_database(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'pipeline.db'}")
    source = write(tmp_path, DEALS_HEADER + MIXED_BODY)
    with pytest.raises(ImportFileError, match="imported into"):
        import_csv(
            PipelineStore(database),
            source,
            skip_invalid=True,
            rejected_path=tmp_path / "pipeline.db",
        )


def test_an_earlier_side_file_is_kept_and_a_new_name_taken(
    store: PipelineStore, tmp_path: Path
) -> None:
    source = write(tmp_path, DEALS_HEADER + MIXED_BODY, name="deals.csv")
    earlier = tmp_path / "deals.rejected.csv"
    earlier.write_text("what the user kept from last time\n", encoding="utf-8")
    report = import_csv(store, source, skip_invalid=True)
    assert earlier.read_text(encoding="utf-8") == "what the user kept from last time\n"
    assert report.rejected_file == str(tmp_path / "deals.rejected-2.csv")
    again = import_csv(store, source, skip_invalid=True)
    assert again.rejected_file == str(tmp_path / "deals.rejected-3.csv")


def test_no_side_file_when_nothing_is_rejected(store: PipelineStore, tmp_path: Path) -> None:
    tmp_path = tmp_path / "files"  # away from the test database
    tmp_path.mkdir()
    source = write(tmp_path, DEALS_HEADER + MIXED_BODY.splitlines(keepends=True)[0], "deals.csv")
    named = tmp_path / "kept.csv"
    named.write_text("an older file the user named\n", encoding="utf-8")
    report = import_csv(store, source, skip_invalid=True, rejected_path=named)
    assert report.committed and report.rejected == 0 and report.rejected_file is None
    assert named.read_text(encoding="utf-8") == "an older file the user named\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deals.csv", "kept.csv"]


def test_side_file_cells_cannot_run_as_formulas(store: PipelineStore, tmp_path: Path) -> None:
    source = write(tmp_path, DEALS_HEADER + MIXED_BODY)
    report = import_csv(store, source, skip_invalid=True)
    assert report.rejected == 1 and report.rejected_file
    rows = list(csv.reader(Path(report.rejected_file).read_text(encoding="utf-8").splitlines()))
    assert rows[1][1] == '\'=HYPERLINK("http://x")'
    assert rows[1][3] == "-1"  # a negative number stays a number


@pytest.mark.parametrize(
    ("amount", "reason"),
    [
        ("1e400", "too large"),
        ("123456789012345", "too large"),
        ("NaN", "not an amount"),
        ("Infinity", "not an amount"),
    ],
)
def test_numbers_that_are_not_amounts_are_problems_not_tracebacks(
    store: PipelineStore, tmp_path: Path, amount: str, reason: str
) -> None:
    body = f"1,Big,Proposal,{amount},2026-01-05,2027-02-01,Acme\n"
    report = import_csv(store, write(tmp_path, DEALS_HEADER + body))
    assert not report.committed and report.rejected == 1
    assert reason in report.problems[0].reason
    assert count(store, Deal) == 0


def test_amounts_are_stored_in_cents_so_a_reimport_changes_nothing(
    store: PipelineStore, tmp_path: Path
) -> None:
    body = "1,Pilot,Proposal,1234.5678,2026-01-05,2027-02-01,Acme\n"
    path = write(tmp_path, DEALS_HEADER + body)
    first = import_csv(store, path)
    again = import_csv(store, path)
    assert first.created == 1 and (again.updated, again.unchanged) == (0, 1)
    [deal] = store.deals(outcome=None).deals
    assert deal.amount == 1234.57
    # the largest amount the column holds still fits, on both databases
    most = write(
        tmp_path,
        DEALS_HEADER + "2,Max,Proposal,99999999999999.99,2026-01-05,2027-02-01,Acme\n",
        "max.csv",
    )
    assert import_csv(store, most).created == 1


def test_postgresql_looks_record_ids_up_in_the_index(store: PipelineStore, tmp_path: Path) -> None:
    """After an import, the planner knows the deals it wrote, so looking record ids up
    uses the whole unique index (before: it read every deal of the team per batch)."""
    if store.db.dialect != "postgresql":
        pytest.skip("a PostgreSQL planner question")
    from sqlalchemy import text

    rows = "".join(
        f"{i},Deal {i},Proposal,{i},2026-01-05,2027-02-01,Acme {i % 50}\n" for i in range(1, 6001)
    )
    assert import_csv(store, write(tmp_path, DEALS_HEADER + rows)).created == 6000
    with store.db.engine.connect() as conn:
        plan = "\n".join(
            conn.execute(
                text(
                    "EXPLAIN SELECT id FROM deals WHERE team_id = :team AND source = 'hubspot' "
                    "AND external_id IN ('1', '2', '3')"
                ),
                {"team": store.team_id},
            ).scalars()
        )
    assert "external_id" in plan.split("Index Cond", 1)[-1].split("\n", 1)[0], plan


def test_ctrl_c_in_the_middle_leaves_the_database_as_it_was(
    store: PipelineStore, tmp_path: Path
) -> None:
    rows = "".join(
        f"{i},Deal {i},Proposal,{i},2026-01-05,2027-02-01,Acme {i % 7}\n" for i in range(1, 5001)
    )
    path = write(tmp_path, DEALS_HEADER + rows)
    calls = 0

    def interrupt(done: int, total: int) -> None:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        import_csv(store, path, on_progress=interrupt)
    assert count(store, Deal) == 0 and count(store, Account) == 0
    assert import_csv(store, path).created == 5000


def test_a_mapping_file_with_a_mistake_names_the_line(tmp_path: Path, store: PipelineStore) -> None:
    mapping = write(
        tmp_path,
        "name: x\nsource: mine\nentity: deals\nid: ID\nfields:\n  account: {column: A}\n"
        "  colour: {column: C}\n",
        "map.yaml",
    )
    with pytest.raises(Exception, match="unknown field"):
        import_csv(store, write(tmp_path, "ID,A,C\n1,x,y\n"), mapping=mapping)
    bad = write(
        tmp_path,
        "name: x\nsource: mine\nentity: deals\nid: ID\nfields:\n  account: {column: A, value: B}\n",
        "bad.yaml",
    )
    with pytest.raises(Exception, match=r"bad\.yaml, line 6"):
        import_csv(store, write(tmp_path, "ID,A\n1,x\n", "b.csv"), mapping=bad)
