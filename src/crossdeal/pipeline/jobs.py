"""Imports that run in the background: a file uploaded to the team server is imported
by :func:`run_import` while the uploader watches :func:`job` for progress and, at the
end, the same per-row report as `crossdeal import` prints.

The import itself is the CLI's (all-or-nothing, one transaction), so a job that fails,
or a worker killed half-way, leaves the database as it was. Progress is known to the
process running the import (a SQLite database cannot take another write while the
import holds it); the job's row says where it runs, so a job whose process has gone
is reported as failed rather than running for ever.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select, update

from crossdeal.errors import CrossdealError
from crossdeal.pipeline.models import ImportJob
from crossdeal.pipeline.reports import ImportJobView, ImportReport
from crossdeal.pipeline.store import NotFoundError, PipelineStore

__all__ = ["ImportBusy", "create_job", "job", "jobs", "run_import"]


class ImportBusy(CrossdealError):
    """The team has an import running: one at a time per team."""


# share of the file read, by job id, for the jobs this process runs
_progress: dict[int, float] = {}
_lock = threading.Lock()
GONE = (
    "the server stopped while this file was being imported; nothing was imported "
    "(an import is all-or-nothing): upload it again"
)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def _here() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def create_job(store: PipelineStore, file_name: str, size: int, user_id: int | None) -> int:
    with store.db.session() as s:
        row = ImportJob(
            team_id=store.team_id,
            user_id=user_id,
            file_name=file_name[:300],
            size=size,
            status="queued",
            worker=_here(),
            created_at=_now(),
        )
        s.add(row)
        s.flush()
        return row.id


def _set(store: PipelineStore, job_id: int, **values: object) -> None:
    with store.db.session() as s:
        s.execute(
            update(ImportJob)
            .where(ImportJob.id == job_id, ImportJob.team_id == store.team_id)
            .values(**values)
        )


def run_import(
    store: PipelineStore,
    job_id: int,
    folder: Path,
    path: Path,
    crm: str | None,
    mapping: Path | None,
    skip_invalid: bool,
) -> None:
    """Import the uploaded file for the job, record the outcome, and remove the upload
    (the folder it was written to) whatever happens."""
    from crossdeal.pipeline.importer import import_csv

    def progress(done: int, total: int) -> None:
        with _lock:
            _progress[job_id] = min(1.0, done / total) if total else 0.0

    try:
        _set(store, job_id, status="running", worker=_here())
        report = import_csv(
            store,
            path,
            crm,
            mapping,
            skip_invalid,
            folder / "rejected.csv" if skip_invalid else None,
            progress,
        )
        _set(
            store,
            job_id,
            status="done",
            report=report.model_dump_json(),
            finished_at=_now(),
        )
    except CrossdealError as error:
        _set(store, job_id, status="failed", error=str(error), finished_at=_now())
    except Exception:
        _set(
            store,
            job_id,
            status="failed",
            error="the import stopped on an unexpected error; nothing was imported",
            finished_at=_now(),
        )
        raise
    finally:
        with _lock:
            _progress.pop(job_id, None)
        shutil.rmtree(folder, ignore_errors=True)


def _gone(worker: str | None) -> bool:
    """Whether the process that ran a job on this host no longer exists."""
    if not worker or ":" not in worker:
        return False
    host, _, pid = worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    if int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _view(row: ImportJob) -> ImportJobView:
    status, error = row.status, row.error
    if status in ("queued", "running") and _gone(row.worker):
        status, error = "failed", GONE
    with _lock:
        progress = _progress.get(row.id)
    if status == "done":
        progress = 1.0
    return ImportJobView(
        id=row.id,
        file=row.file_name,
        size=row.size,
        status=status,
        progress=progress,
        report=ImportReport.model_validate_json(row.report) if row.report else None,
        error=error,
        created_at=row.created_at,
        finished_at=row.finished_at,
    )


def job(store: PipelineStore, job_id: int) -> ImportJobView:
    with store.db.session() as s:
        row = s.scalar(
            select(ImportJob).where(ImportJob.id == job_id, ImportJob.team_id == store.team_id)
        )
        if row is None:
            raise NotFoundError(f"there is no import {job_id} in this team")
        return _view(row)


def jobs(store: PipelineStore, limit: int = 20) -> list[ImportJobView]:
    with store.db.session() as s:
        rows = s.scalars(
            select(ImportJob)
            .where(ImportJob.team_id == store.team_id)
            .order_by(ImportJob.id.desc())
            .limit(limit)
        ).all()
        return [_view(r) for r in rows]
