"""Several crossdeal processes at once on one home: no traceback, no lost write."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

RUN = [sys.executable, "-c", "from crossdeal.cli import main; main()"]


def _start(home: Path, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "CROSSDEAL_HOME": str(home), "COLUMNS": "100"}
    env.pop("CROSSDEAL_DATABASE_URL", None)
    return subprocess.Popen(
        [*RUN, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _finish(procs: list[subprocess.Popen[str]]) -> list[tuple[int, str]]:
    out = []
    for p in procs:
        _, err = p.communicate(timeout=120)
        out.append((p.returncode, err))
    return out


def test_first_use_by_several_processes_migrates_once(tmp_path: Path) -> None:
    home = tmp_path / "home"
    results = _finish([_start(home, "deals") for _ in range(6)])
    assert all(code == 0 for code, _ in results), results
    assert not any("Traceback" in err for _, err in results)


def test_people_added_at_once_are_all_saved(tmp_path: Path) -> None:
    home = tmp_path / "home"
    names = [f"Person {i}" for i in range(8)]
    results = _finish([_start(home, "person", "add", name, "--culture", "JP") for name in names])
    assert all(code == 0 for code, _ in results), results
    saved = json.loads((home / "people.json").read_text(encoding="utf-8"))["people"]
    assert sorted(p["name"] for p in saved) == sorted(names)


def test_writers_wait_for_each_other_instead_of_failing(tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert _finish([_start(home, "sellers", "add", "Tom Baker", "--culture", "US")])[0][0] == 0
    procs = [_start(home, "accounts", "add", f"Account {i}", "--country", "JP") for i in range(5)]
    results = _finish(procs)
    assert all(code == 0 for code, _ in results), results
    listing = _finish([_start(home, "accounts", "--format", "json")])
    assert listing[0][0] == 0


def _big_export(path: Path, rows: int) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        fh.write(
            "Record ID,Deal Name,Deal Stage,Amount,Create Date,Close Date,Associated Company\n"
        )
        for i in range(1, rows + 1):
            fh.write(f"{i},Deal {i},Proposal,{1000 + i},2026-01-05,2099-02-01,Acme {i % 300}\n")
    return path


def test_a_large_import_leaves_no_write_ahead_log_behind(tmp_path: Path) -> None:
    home = tmp_path / "home"
    export = _big_export(tmp_path / "deals.csv", 12_000)
    [(code, err)] = _finish([_start(home, "import", str(export))])
    assert code == 0, err
    wal = home / "crossdeal.db-wal"
    assert not wal.exists() or wal.stat().st_size == 0


def test_ctrl_c_during_an_import_says_nothing_was_imported(tmp_path: Path) -> None:
    import signal
    import time

    home = tmp_path / "home"
    export = _big_export(tmp_path / "deals.csv", 400_000)
    proc = _start(home, "import", str(export))
    deadline = time.monotonic() + 60
    db = home / "crossdeal.db"
    while not db.exists() and time.monotonic() < deadline:  # wait until it is importing
        time.sleep(0.05)
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, (out, err)
    assert "nothing was imported" in out + err and "Traceback" not in err
    listing = _start(home, "deals", "--outcome", "all", "--format", "json")
    shown, _ = listing.communicate(timeout=120)
    assert listing.returncode == 0 and json.loads(shown)["total"] == 0  # as it was


def test_a_write_blocked_on_postgresql_gives_up_with_a_message(tmp_path: Path) -> None:
    """A write that waits on another session's lock ends after the busy timeout, in words."""
    import uuid

    import pytest
    import sqlalchemy as sa

    from tests.conftest import POSTGRES_URL

    if os.environ.get("CROSSDEAL_SKIP_POSTGRES") == "1":
        pytest.skip("CROSSDEAL_SKIP_POSTGRES=1: PostgreSQL tests switched off on purpose")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    sep = "&" if "?" in POSTGRES_URL else "?"
    url = f"{POSTGRES_URL}{sep}options=-csearch_path%3D{schema}"
    admin = sa.create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    env = {**os.environ, "CROSSDEAL_DATABASE_URL": url, "CROSSDEAL_HOME": str(tmp_path)}
    try:
        first = subprocess.run(
            [*RUN, "accounts", "add", "Kato", "--country", "JP"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert first.returncode == 0, first.stderr
        holder = sa.create_engine(url)
        with holder.connect() as conn:
            conn.execute(sa.text("LOCK TABLE accounts IN EXCLUSIVE MODE"))  # another import
            blocked = subprocess.run(
                [*RUN, "accounts", "add", "Tata", "--country", "IN"],
                env={**env, "CROSSDEAL_BUSY_TIMEOUT": "1"},
                capture_output=True,
                text=True,
                timeout=120,
            )
            conn.rollback()
        holder.dispose()
        assert blocked.returncode == 2, blocked.stderr
        assert "the database is busy" in blocked.stderr
        assert "Traceback" not in blocked.stderr
        listing = subprocess.run(
            [*RUN, "accounts", "--format", "json"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        accounts = json.loads(listing.stdout)["accounts"]
        assert [a["name"] for a in accounts] == ["Kato"]  # nothing half-done
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def test_a_busy_timeout_that_is_not_seconds_is_refused(tmp_path: Path) -> None:
    env = {**os.environ, "CROSSDEAL_HOME": str(tmp_path), "CROSSDEAL_BUSY_TIMEOUT": "soon"}
    env.pop("CROSSDEAL_DATABASE_URL", None)
    result = subprocess.run([*RUN, "deals"], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and "CROSSDEAL_BUSY_TIMEOUT" in result.stderr
    assert "Traceback" not in result.stderr
