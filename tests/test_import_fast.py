"""The fast import of deals files (pipeline/bulk.py) leaves exactly what the row-by-row
import leaves: the same records and ids, the same reports, the same side files.

Each case imports the same files into two fresh SQLite databases, once with the fast
path and once row by row, and compares every table and every report.
"""

from __future__ import annotations

import csv
import io
import sqlite3
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crossdeal.pipeline import bulk
from crossdeal.pipeline.db import Database
from crossdeal.pipeline.importer import import_files
from crossdeal.pipeline.store import PipelineStore

ROOT = Path(__file__).resolve().parents[1]
CRM = ROOT / "examples" / "crm"
FAST_IMPORT = bulk.import_deals
TABLES = ("accounts", "sellers", "deals", "contacts", "deal_contacts")


def _dump(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    with sqlite3.connect(path) as conn:
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall() for t in TABLES}


def _run(
    folder: Path,
    fast: bool,
    imports: list[tuple[list[Path], str | None, bool]],
    monkeypatch: pytest.MonkeyPatch,
) -> tuple[list[Any], dict[str, list[tuple[Any, ...]]], list[bool | None]]:
    """Import each (files, crm, skip_invalid) in turn into a new database; the reports
    (side files read back and removed), the tables, and what the fast path answered for
    each deals file."""
    monkeypatch.setattr(bulk, "ENABLED", fast)
    answers: list[bool | None] = []

    def spy(job: Any, *args: Any) -> bool | None:
        answer = FAST_IMPORT(job, *args)
        if job.chosen.entity == "deals":
            answers.append(answer)
        return answer

    monkeypatch.setattr(bulk, "import_deals", spy)
    db_path = folder / f"{'fast' if fast else 'rows'}.db"
    store = PipelineStore(Database(f"sqlite:///{db_path}"))
    reports = []
    try:
        for files, crm, skip in imports:
            report = import_files(store, list(files), crm, skip_invalid=skip).model_dump()
            for f in report["files"]:
                if f["rejected_file"]:
                    side = Path(f["rejected_file"])
                    f["rejected_file"] = side.read_text(encoding="utf-8")
                    side.unlink()
            reports.append(report)
    finally:
        store.db.dispose()
    return reports, _dump(db_path), answers


def _both_ways(
    folder: Path,
    imports: list[tuple[list[Path], str | None, bool]],
    monkeypatch: pytest.MonkeyPatch,
) -> list[bool | None]:
    fast_reports, fast_tables, answers = _run(folder, True, imports, monkeypatch)
    row_reports, row_tables, _ = _run(folder, False, imports, monkeypatch)
    assert fast_reports == row_reports
    for table in TABLES:
        assert fast_tables[table] == row_tables[table], table
    return answers


SAMPLES = {
    "hubspot": ["hubspot-companies.csv", "hubspot-contacts.csv", "hubspot-deals.csv"],
    "salesforce": [
        "salesforce-accounts.csv",
        "salesforce-contacts.csv",
        "salesforce-opportunities.csv",
        "salesforce-contact-roles.csv",
    ],
    "pipedrive": ["pipedrive-organizations.csv", "pipedrive-persons.csv", "pipedrive-deals.csv"],
    "salesforce data export": [
        "salesforce-data-export/Account.csv",
        "salesforce-data-export/Contact.csv",
        "salesforce-data-export/Opportunity.csv",
        "salesforce-data-export/OpportunityContactRole.csv",
    ],
}


@pytest.mark.parametrize("crm", SAMPLES)
def test_each_crm_sample_imports_the_fast_way_with_the_same_result(
    crm: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = [CRM / name for name in SAMPLES[crm]]
    deals = [f for f in files if "deal" in f.name.lower() or "opportunit" in f.name.lower()]
    deals = [f for f in deals if "role" not in f.name.lower()]
    answers = _both_ways(
        tmp_path,
        [
            (deals, None, False),  # the deals alone first: accounts made from their names
            (files, None, False),  # then everything together, twice: nothing changes
            (files, None, False),
        ],
        monkeypatch,
    )
    # a Data Export's opportunities name their account by id only: alone, every row is
    # rejected (the row-by-row import reports it), and with the accounts file they import
    alone = crm != "salesforce data export"
    assert answers == [alone, True, True], "the shipped profiles' deals files take the fast path"


def _hubspot(rows: list[list[str]], extra: str = "") -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            *("Record ID", "Deal Name", "Deal Stage", "Associated Company (Primary)"),
            *("Deal owner", "Amount", "Currency", "Create Date", "Close Date"),
            "Associated Contact IDs",
        ]
    )
    writer.writerows(rows)
    return out.getvalue() + extra


PAST = (date.today() - timedelta(days=40)).isoformat()
EARLIER = (date.today() - timedelta(days=400)).isoformat()
FUTURE = (date.today() + timedelta(days=40)).isoformat()

# each column's values: first those the import accepts, however they are written, then
# those it rejects (a file of the first kind takes the fast path to its end)
COLUMNS = [
    (["1", "2", "3", "4", "5", "6", " 7 ", "8", "9", "10"], [""]),
    (["", "Press line", " Retrofit ", "Service\u00a0contract"], []),
    (["closedwon", "Closed Lost", " appointmentscheduled ", "contractsent", ""], []),
    (["Tanaka Precision", " Rheinwerk AG", "New Co", "Nuevo Grupo"], [""]),
    (["", "Ana Silva", " Ben Okafor "], []),
    (["", "1000", "00150", "1,234.50", "$99", "12.345"], ["abc", "123456789012345", "-5"]),
    (["", "usd", "EUR", " JPY"], ["X1"]),
    (["", PAST, f"{EARLIER} 10:30", "03/04/2024"], [FUTURE, "2024-02-30", "soon"]),
    (["", PAST, f"{PAST} 00:00"], [EARLIER, FUTURE, "12/31/2025"]),
    (["", "701", "701;702", " 702 ; 9 "], []),
]
clean_rows = st.lists(
    st.tuples(*(st.sampled_from(good) for good, _ in COLUMNS)).map(list),
    max_size=12,
    unique_by=lambda row: row[0].strip(),
)
any_rows = st.lists(
    st.tuples(*(st.sampled_from(good + bad) for good, bad in COLUMNS)).map(list), max_size=12
)
rows_strategy = st.one_of(clean_rows, any_rows)


@pytest.fixture
def companies(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("companies")
    path = folder / "companies.csv"
    path.write_text(
        "Record ID,Company name,Country/Region,Industry\n"
        "11,Tanaka Precision,Japan,manufacturing\n"
        "12,Rheinwerk AG,Germany,manufacturing\n",
        encoding="utf-8",
    )
    contacts = folder / "contacts.csv"
    contacts.write_text(
        "Record ID,First Name,Last Name,Job Title,Associated Company,Country/Region\n"
        "701,Kenji,Sato,Head of Procurement,Tanaka Precision,Japan\n"
        "702,Jonas,Weber,Engineer,Rheinwerk AG,Germany\n",
        encoding="utf-8",
    )
    return folder


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(first=rows_strategy, second=rows_strategy, skip=st.booleans(), ragged=st.booleans())
def test_any_deals_file_leaves_what_the_row_by_row_import_leaves(
    first: list[list[str]],
    second: list[list[str]],
    skip: bool,
    ragged: bool,
    companies: Path,
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder = tmp_path_factory.mktemp("case")
    one, two = folder / "one.csv", folder / "two.csv"
    one.write_text(_hubspot(first, "\n,,,,,,,,,\n"), encoding="utf-8")
    # the second file changes some deals of the first; sometimes with a ragged row
    two.write_text(_hubspot(second, '11,"x",closedwon\n' if ragged else ""), encoding="utf-8")
    setup = [companies / "companies.csv", companies / "contacts.csv"]
    _both_ways(
        folder,
        [(setup, "hubspot", False), ([one], "hubspot", skip), ([two], "hubspot", skip)],
        monkeypatch,
    )


def test_a_file_with_one_bad_row_is_reported_row_by_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [
        ["1", "A", "closedwon", "Tanaka Precision", "", "10", "", PAST, PAST, ""],
        ["2", "B", "closedwon", "Tanaka Precision", "", "10", "", PAST, FUTURE, ""],
    ]
    path = tmp_path / "deals.csv"
    path.write_text(_hubspot(rows), encoding="utf-8")
    answers = _both_ways(tmp_path, [([path], "hubspot", False)], monkeypatch)
    assert answers == [False]  # tried, then handed to the row-by-row import
    reports, _, _ = _run(tmp_path, True, [([path], "hubspot", False)], monkeypatch)
    (problem,) = reports[0]["files"][0]["problems"]
    assert (problem["line"], problem["reason"]) == (3, "is in the future")


def _team_dump(db: Database, team_id: int) -> dict[str, list[tuple[Any, ...]]]:
    """A team's rows, each id replaced by its rank among the team's ids of its table
    (two teams of one database hold the same records under other ids)."""
    from sqlalchemy import text

    rank: dict[str, dict[int, int]] = {}
    dumped: dict[str, list[tuple[Any, ...]]] = {}
    with db.engine.connect() as conn:
        for table in ("accounts", "sellers", "contacts", "deals"):
            rows = [
                dict(r)
                for r in conn.execute(
                    text(f"SELECT * FROM {table} WHERE team_id = :t ORDER BY id"),
                    {"t": team_id},
                ).mappings()
            ]
            rank[table] = {r["id"]: n for n, r in enumerate(rows)}
            refs = {"account_id": "accounts", "owner_id": "sellers"}
            dumped[table] = [
                tuple(
                    rank[refs[k]].get(v) if k in refs and v is not None else v
                    for k, v in r.items()
                    if k not in ("id", "team_id")
                )
                for r in rows
            ]
        links = conn.execute(
            text(
                "SELECT dc.deal_id, dc.contact_id FROM deal_contacts dc "
                "JOIN deals d ON d.id = dc.deal_id WHERE d.team_id = :t"
            ),
            {"t": team_id},
        ).all()
        dumped["deal_contacts"] = sorted((rank["deals"][d], rank["contacts"][c]) for d, c in links)
    return dumped


@pytest.mark.parametrize("database", ["postgresql"], indirect=True)
def test_on_postgresql_too_the_fast_way_leaves_what_the_row_by_row_import_leaves(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    outcomes = {}
    for fast in (True, False):
        monkeypatch.setattr(bulk, "ENABLED", fast)
        store = PipelineStore(database, team="fast" if fast else "rows")
        reports = []
        for crm in ("hubspot", "pipedrive", "salesforce data export"):
            files = [CRM / name for name in SAMPLES[crm]]
            for _ in range(2):  # the second time, nothing changes
                reports.append(import_files(store, files).model_dump())
        outcomes[fast] = (reports, _team_dump(database, store.team_id))
    assert outcomes[True][0] == outcomes[False][0]
    for table in TABLES:
        assert outcomes[True][1][table] == outcomes[False][1][table], table


def test_a_bad_row_after_thousands_of_good_ones_leaves_nothing_of_the_fast_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # several batches are written before the bad row is read: all of them are undone
    rows = [
        [str(i), f"Deal {i}", "closedwon", f"Acme {i % 7}", "", "10", "", PAST, PAST, ""]
        for i in range(1, 12_001)
    ]
    rows[11_000][8] = FUTURE
    path = tmp_path / "deals.csv"
    path.write_text(_hubspot(rows), encoding="utf-8")
    assert _both_ways(tmp_path, [([path], "hubspot", True)], monkeypatch) == [False]
    again = tmp_path / "again"
    again.mkdir()
    reports, tables, _ = _run(again, True, [([path], "hubspot", False)], monkeypatch)
    (problem,) = reports[0]["files"][0]["problems"]
    assert (problem["line"], problem["reason"]) == (11_002, "is in the future")
    assert tables["deals"] == [] and tables["accounts"] == []


def test_stopping_an_import_stops_its_reading_and_keeps_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [
        [str(i), f"Deal {i}", "appointmentscheduled", "Acme", "", "10", "", PAST, FUTURE, ""]
        for i in range(1, 20_001)
    ]
    path = tmp_path / "deals.csv"
    path.write_text(_hubspot(rows), encoding="utf-8")
    store = PipelineStore(Database(f"sqlite:///{tmp_path / 'stopped.db'}"))
    calls = 0

    def interrupt(done: int, total: int) -> None:
        nonlocal calls
        calls += 1
        if calls == 8:  # some batches written by then
            raise KeyboardInterrupt

    try:
        with pytest.raises(KeyboardInterrupt):
            import_files(store, [path], "hubspot", on_progress=interrupt)
        assert import_files(store, [path], "hubspot").files[0].created == 20_000
    finally:
        store.db.dispose()
