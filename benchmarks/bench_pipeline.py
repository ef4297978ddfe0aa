"""Pipeline speed: CRM import and the at-risk listing, each against a floor measured
in the same run.

    python benchmarks/bench_pipeline.py [--rows 1000000] [--deals 100000] [--runs 3]

Import: a HubSpot deals export of ``--rows`` rows (generated here from a seed, 2,000
companies imported first) goes into a fresh SQLite database with
``crossdeal import FILE --from hubspot``, end to end. Floor: the sqlite3 command-line
shell's ``.import --csv`` of the same file into a bare table (no types, no checks, no
indexes, no idempotency), run just before. Also shown: the same bare copy done from
Python (the csv module and sqlite3's executemany), the least any Python importer pays.

Listing: ``crossdeal deals --at-risk`` (text, the 50 most urgent) and the same with
``--format json`` (every at-risk deal) over a demo pipeline of ``--deals`` deals from
the package's generator. Floor: the sqlite3 shell running the join that lists the same
open deals with their account and culture, without any signal.

Both the tool and the floor run as separate processes, timed by wall clock; the figure
reported is the median of ``--runs``.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from crossdeal.pipeline.db import Database
from crossdeal.pipeline.demo import generate
from crossdeal.pipeline.store import PipelineStore

COUNTRIES = [
    "Japan",
    "India",
    "Germany",
    "Brazil",
    "United States",
    "France",
    "South Korea",
    "China",
    "Mexico",
    "Sweden",
    "Indonesia",
    "Saudi Arabia",
    "Nigeria",
    "Poland",
    "Turkey",
]
STAGES = [
    "appointmentscheduled",
    "qualifiedtobuy",
    "presentationscheduled",
    "decisionmakerboughtin",
    "contractsent",
    "closedwon",
    "closedlost",
]


def write_exports(folder: Path, rows: int, companies: int = 2_000) -> tuple[Path, Path]:
    """A HubSpot companies export and a deals export, generated from a fixed seed."""
    rng = random.Random(20261128)
    companies_csv = folder / "companies.csv"
    with companies_csv.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["Record ID", "Company name", "Country/Region", "Industry"])
        for i in range(companies):
            out.writerow([9_000_000 + i, f"Company {i}", rng.choice(COUNTRIES), "manufacturing"])
    deals_csv = folder / "deals.csv"
    today = date.today()
    with deals_csv.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(
            [
                "Record ID",
                "Deal Name",
                "Deal Stage",
                "Associated Company (Primary)",
                "Deal owner",
                "Amount",
                "Currency",
                "Create Date",
                "Close Date",
            ]
        )
        for i in range(rows):
            stage = rng.choice(STAGES)
            created = today - timedelta(days=rng.randrange(60, 900))
            closing = created + timedelta(days=rng.randrange(20, 300))
            if stage.startswith("closed"):
                closing = min(closing, today)
            out.writerow(
                [
                    1_000_000 + i,
                    f"Deal {i}",
                    stage,
                    f"Company {rng.randrange(companies)}",
                    f"Seller {rng.randrange(40)}",
                    rng.randrange(1_000, 500_000),
                    "USD",
                    created.isoformat(),
                    closing.isoformat(),
                ]
            )
    return companies_csv, deals_csv


# What any Python importer pays before checking anything: the standard csv module reading
# the file, and sqlite3's executemany writing its rows untouched into a bare table.
PYTHON_FLOOR = """
import csv, sqlite3, sys
con = sqlite3.connect(sys.argv[2])
with open(sys.argv[1], newline="", encoding="utf-8") as fh:
    rows = csv.reader(fh)
    header = next(rows)
    con.execute("CREATE TABLE raw (" + ", ".join(f"c{i}" for i in range(len(header))) + ")")
    con.executemany("INSERT INTO raw VALUES (" + ", ".join("?" * len(header)) + ")", rows)
con.commit()
"""


# The floor in the real schema: the sqlite3 shell copies the file into a bare temporary
# table, then one INSERT ... SELECT writes its rows into the deals table crossdeal made
# (its columns, unique and secondary indexes, foreign keys, WAL), with the owners added
# to the sellers table and each deal joined to its account by name; no check of any
# kind, no idempotency. The database is the tool's own, with the companies imported.
REAL_SCHEMA_FLOOR = """
PRAGMA foreign_keys=ON;
PRAGMA journal_mode=WAL;
PRAGMA synchronous=NORMAL;
PRAGMA cache_size=-65536;
BEGIN;
CREATE TEMP TABLE raw (record, name, stage, company, owner, amount, currency, created, closing);
.import --csv --skip 1 --schema temp {csv} raw
INSERT INTO sellers (team_id, name)
    SELECT DISTINCT (SELECT id FROM teams WHERE name = 'local'), owner FROM raw WHERE owner <> '';
INSERT INTO deals (team_id, account_id, owner_id, name, amount, currency, stage, outcome,
        created_on, expected_close, closed_on, source, external_id)
    SELECT t.id, a.id, s.id, r.name, CAST(r.amount AS REAL), r.currency, r.stage,
        CASE r.stage WHEN 'closedwon' THEN 'won' WHEN 'closedlost' THEN 'lost' ELSE 'open' END,
        substr(r.created, 1, 10),
        CASE WHEN r.stage NOT IN ('closedwon', 'closedlost') THEN substr(r.closing, 1, 10) END,
        CASE WHEN r.stage IN ('closedwon', 'closedlost') THEN substr(r.closing, 1, 10) END,
        'hubspot', r.record
    FROM raw r
    JOIN teams t ON t.name = 'local'
    JOIN accounts a ON a.team_id = t.id AND a.name = r.company
    LEFT JOIN sellers s ON s.team_id = t.id AND s.name = r.owner
    ORDER BY r.rowid;
COMMIT;
"""


def wall(run: Callable[[], object], runs: int, before: Callable[[], object] | None = None) -> float:
    times = []
    for _ in range(runs):
        if before is not None:
            before()
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def sh(cmd: list[str], env: dict[str, str] | None = None, stdin: str | None = None) -> None:
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env=env, input=stdin, text=True)


def bench_import(
    folder: Path, rows: int, runs: int, exe: str, sqlite3: str, postgres: str | None
) -> None:
    companies_csv, deals_csv = write_exports(folder, rows)
    size = deals_csv.stat().st_size / 1e6
    print(f"import: {rows:,} deals, {size:.0f} MB HubSpot export")

    floor_db = folder / "floor.db"
    tool_db = folder / "tool.db"

    def fresh_floor() -> None:
        floor_db.unlink(missing_ok=True)

    def fresh_tool() -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{tool_db}{suffix}").unlink(missing_ok=True)
        env = {**os.environ, "CROSSDEAL_DATABASE_URL": f"sqlite:///{tool_db}"}
        sh([exe, "import", str(companies_csv), "--from", "hubspot"], env)

    env = {**os.environ, "CROSSDEAL_DATABASE_URL": f"sqlite:///{tool_db}"}
    script = REAL_SCHEMA_FLOOR.format(csv=deals_csv)
    real_floor = wall(lambda: sh([sqlite3, str(tool_db)], stdin=script), runs, fresh_tool)
    floor = wall(
        lambda: sh([sqlite3, str(floor_db), f".import --csv {deals_csv} raw"]), runs, fresh_floor
    )
    python_floor = wall(
        lambda: sh([sys.executable, "-c", PYTHON_FLOOR, str(deals_csv), str(floor_db)]),
        runs,
        fresh_floor,
    )
    tool = wall(
        lambda: sh([exe, "import", str(deals_csv), "--from", "hubspot"], env), runs, fresh_tool
    )
    print(f"  floor  sqlite3 .import        : {floor:7.2f} s")
    print(
        f"  floor in the real schema       : {real_floor:7.2f} s "
        f"({real_floor / floor:.1f}x the bare floor)"
    )
    print(
        f"  Python csv + executemany, bare : {python_floor:7.2f} s "
        f"({python_floor / floor:.1f}x the floor before any check)"
    )
    print(f"  crossdeal import --from hubspot: {tool:7.2f} s ({rows / tool:,.0f} rows/s)")
    print(
        f"  ratio crossdeal/floor in the real schema: {tool / real_floor:.2f} (goal <= 1.25); "
        f"crossdeal/bare floor: {tool / floor:.1f}"
    )
    if postgres:
        teams = iter(f"bench-{os.getpid()}-{i}" for i in range(runs * 2))
        team = ""

        def fresh_team() -> None:
            # a new team each run: the importer's work on an empty team, as in SQLite
            nonlocal team
            team = next(teams)
            sh([exe, "import", str(companies_csv), "--from", "hubspot", "--team", team], pg_env)

        pg_env = {**os.environ, "CROSSDEAL_DATABASE_URL": postgres}
        on_pg = wall(
            lambda: sh(
                [exe, "import", str(deals_csv), "--from", "hubspot", "--team", team], pg_env
            ),
            runs,
            fresh_team,
        )
        print(
            f"  crossdeal import into PostgreSQL: {on_pg:7.2f} s ({rows / on_pg:,.0f} rows/s; "
            f"{on_pg / tool:.1f}x the SQLite import; the bench teams stay in that database)"
        )


def bench_listing(folder: Path, deals: int, runs: int, exe: str, sqlite3: str) -> None:
    db_path = folder / "pipeline.db"
    url = f"sqlite:///{db_path}"
    start = time.perf_counter()
    store = PipelineStore(Database(url))
    store.load_demo(generate(deals=deals))
    store.db.dispose()
    print(f"listing: demo pipeline of {deals:,} deals built in {time.perf_counter() - start:.0f} s")
    env = {**os.environ, "CROSSDEAL_DATABASE_URL": url}
    floor_sql = (
        "SELECT deals.id, accounts.name, accounts.culture, deals.amount, deals.expected_close "
        "FROM deals JOIN accounts ON accounts.id = deals.account_id "
        "WHERE deals.outcome = 'open' ORDER BY deals.id;"
    )
    floor = wall(lambda: sh([sqlite3, str(db_path), floor_sql]), runs)
    text = wall(lambda: sh([exe, "deals", "--at-risk"], env), runs)
    full = wall(lambda: sh([exe, "deals", "--at-risk", "--format", "json"], env), runs)
    print(f"  floor  sqlite3 join of the open deals : {floor:6.2f} s")
    print(f"  crossdeal deals --at-risk (50 shown)  : {text:6.2f} s (goal <= 1.5 s)")
    print(f"  crossdeal deals --at-risk --format json (all): {full:6.2f} s")
    print(f"  ratio text/floor: {text / floor:.1f}; json/floor: {full / floor:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--deals", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", choices=("import", "listing"))
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="also import into new teams on this PostgreSQL database, e.g. "
        "postgresql+psycopg://postgres@127.0.0.1:5432/test",
    )
    args = parser.parse_args()
    exe = shutil.which("crossdeal")
    sqlite3 = shutil.which("sqlite3")
    if not exe or not sqlite3:
        sys.exit("needs `crossdeal` (pip install .) and the sqlite3 shell on PATH")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if args.only in (None, "import"):
            bench_import(folder, args.rows, args.runs, exe, sqlite3, args.postgres)
        if args.only in (None, "listing"):
            bench_listing(folder, args.deals, args.runs, exe, sqlite3)


if __name__ == "__main__":
    main()
