"""Importing through the server: an upload becomes a background job whose report is the
CLI's, nothing is half-written, and a job never leaks to another team."""

from __future__ import annotations

import subprocess
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from crossdeal.auth.store import UserStore
from crossdeal.pipeline import jobs
from crossdeal.pipeline.db import Database
from crossdeal.pipeline.models import Account, Deal, ImportJob
from crossdeal.pipeline.store import PipelineStore

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from crossdeal.server import create_app

ROOT = Path(__file__).resolve().parents[1]
MAVEN = ROOT / "tests" / "data" / "crm_maven"
EXAMPLES = ROOT / "examples" / "maven"


@pytest.fixture
def api(database: Database) -> Iterator[dict[str, Any]]:
    users = UserStore(database)
    heads = {}
    for email, team in (("ana@example.com", "emea"), ("bea@example.com", "apac")):
        users.add_user(email, "correct horse battery", team, "manager")
        heads[team] = {"Authorization": f"Bearer {users.create_token(email, 'tests')[1]}"}
    client = TestClient(create_app(database), raise_server_exceptions=False)
    yield {"client": client, "db": database, "emea": heads["emea"], "apac": heads["apac"]}
    client.close()


def count(db: Database, table: Any, team: str) -> int:
    team_id = db.team(team)
    with db.session() as s:
        return (
            s.scalar(select(func.count()).select_from(table).where(table.team_id == team_id)) or 0
        )


def upload(api: dict[str, Any], team: str, name: str, data: bytes, **fields: Any) -> Any:
    files: dict[str, Any] = {"file": (name, data, "text/csv")}
    if "mapping" in fields:
        files["mapping"] = ("mapping.yaml", fields.pop("mapping"), "application/yaml")
    return api["client"].post("/api/v1/imports", headers=api[team], files=files, data=fields)


def test_the_maven_sample_imports_through_the_server(api: dict[str, Any]) -> None:
    started = upload(
        api,
        "emea",
        "accounts.csv",
        (MAVEN / "accounts.csv").read_bytes(),
        mapping=(EXAMPLES / "accounts.yaml").read_bytes(),
    )
    assert started.status_code == 202, started.text
    job = api["client"].get(f"/api/v1/imports/{started.json()['id']}", headers=api["emea"]).json()
    assert job["status"] == "done" and job["progress"] == 1.0
    report = job["report"]
    assert report["committed"] and report["created"] == 85
    assert any("'Philipines' read as 'Philippines'" in n for n in report["notes"])
    assert count(api["db"], Account, "emea") == 85 and count(api["db"], Account, "apac") == 0
    # the deals file without its accounts is refused whole, with the problems by line
    deals = upload(
        api,
        "apac",
        "sales_pipeline.csv",
        (MAVEN / "sales_pipeline.csv").read_bytes(),
        mapping=(EXAMPLES / "deals.yaml").read_bytes(),
    )
    job = api["client"].get(f"/api/v1/imports/{deals.json()['id']}", headers=api["apac"]).json()
    assert job["status"] == "done" and not job["report"]["committed"]
    assert job["report"]["problems"][0]["line"] >= 2
    assert count(api["db"], Deal, "apac") == 0  # nothing half-written
    listed = api["client"].get("/api/v1/imports", headers=api["emea"]).json()
    assert [j["file"] for j in listed] == ["accounts.csv"]  # only emea's own


def test_an_unreadable_file_fails_the_job_with_a_reason(api: dict[str, Any]) -> None:
    started = upload(api, "emea", "notes.csv", b"just,some,columns\n1,2,3\n")
    job = api["client"].get(f"/api/v1/imports/{started.json()['id']}", headers=api["emea"]).json()
    assert job["status"] == "failed" and "does not look like any CRM export" in job["error"]


@pytest.mark.parametrize(
    ("files", "status", "says"),
    [
        ({"file": ("empty.csv", b"", "text/csv")}, 422, "is empty"),
        ({}, 422, "body.file"),
    ],
)
def test_bad_uploads_get_the_one_error_shape(
    api: dict[str, Any], files: dict[str, Any], status: int, says: str
) -> None:
    response = api["client"].post(
        "/api/v1/imports", headers=api["emea"], files=files or None, data={"crm": "hubspot"}
    )
    assert response.status_code == status, response.text
    assert says in response.json()["error"]["message"]


def test_an_upload_over_the_limit_is_a_413_and_leaves_nothing(
    api: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from crossdeal.server import uploads

    monkeypatch.setattr(uploads, "MAX_UPLOAD_BYTES", 1_000)
    response = upload(api, "emea", "big.csv", b"x" * 1_500)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"
    with api["db"].session() as s:
        assert s.scalar(select(func.count()).select_from(ImportJob)) == 0


def test_a_job_whose_worker_died_is_reported_failed(api: dict[str, Any]) -> None:
    import socket

    store = PipelineStore(api["db"], team="emea")
    job_id = jobs.create_job(store, "deals.csv", 10, None)
    finished = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    with api["db"].session() as s:
        row = s.get(ImportJob, job_id)
        assert row is not None
        row.status, row.worker = "running", f"{socket.gethostname()}:{finished.stdout.strip()}"
    view = api["client"].get(f"/api/v1/imports/{job_id}", headers=api["emea"]).json()
    assert view["status"] == "failed" and "nothing was imported" in view["error"]


def test_another_team_cannot_see_a_job(api: dict[str, Any]) -> None:
    job_id = jobs.create_job(PipelineStore(api["db"], team="emea"), "deals.csv", 10, None)
    response = api["client"].get(f"/api/v1/imports/{job_id}", headers=api["apac"])
    assert response.status_code == 404
    assert api["client"].get("/api/v1/imports", headers=api["apac"]).json() == []


def test_one_import_at_a_time_per_team(api: dict[str, Any]) -> None:
    jobs.create_job(PipelineStore(api["db"], team="emea"), "big.csv", 10, None)  # still queued
    busy = upload(api, "emea", "accounts.csv", (MAVEN / "accounts.csv").read_bytes())
    assert busy.status_code == 409 and "already running" in busy.json()["error"]["message"]
    other = upload(
        api,
        "apac",
        "accounts.csv",
        (MAVEN / "accounts.csv").read_bytes(),
        mapping=(EXAMPLES / "accounts.yaml").read_bytes(),
    )
    assert other.status_code == 202  # another team is not held up
