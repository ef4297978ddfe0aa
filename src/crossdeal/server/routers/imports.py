"""Imports through the server: POST /imports uploads a CRM export and starts importing
it in the background; GET /imports/{id} says how far it got and, at the end, gives the
per-row report (nothing is half-written: an import is all-or-nothing). POST /restores
restores a backup (``crossdeal export --format crossdeal``) into the caller's team while
they wait, if the team is empty."""

from __future__ import annotations

from pathlib import Path as Path_
from typing import Annotated, Literal

from fastapi import APIRouter, BackgroundTasks, File, Form, Path, Response, UploadFile, status
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile as AnyUpload

from crossdeal.errors import InputError
from crossdeal.pipeline import jobs
from crossdeal.pipeline.edits import ConflictError
from crossdeal.pipeline.reports import ImportJobView, RestoreReport
from crossdeal.pipeline.store import PipelineStore
from crossdeal.server import uploads
from crossdeal.server.deps import Me, Team
from crossdeal.server.errors import ERROR_RESPONSES
from crossdeal.server.responses import ModelResponse

router = APIRouter(tags=["imports"], responses=ERROR_RESPONSES)


@router.post(
    "/imports",
    response_model=ImportJobView,
    status_code=status.HTTP_202_ACCEPTED,
    summary="Upload a CRM export and import it in the background",
    responses={
        409: ERROR_RESPONSES[422] | {"description": "an import is already running for the team"},
        413: ERROR_RESPONSES[422] | {"description": "the file is too large"},
    },
)
async def start_import(
    store: Team,
    user: Me,
    background: BackgroundTasks,
    file: Annotated[UploadFile, File(description="a CSV export from your CRM")],
    crm: Annotated[Literal["hubspot", "salesforce", "pipedrive"] | None, Form()] = None,
    mapping: Annotated[
        UploadFile | None, File(description="your own mapping file, for any other CSV")
    ] = None,
    skip_invalid: Annotated[bool, Form()] = False,
) -> ImportJobView:
    return await start(store, user.user_id, background, file, crm, mapping, skip_invalid)


async def start(
    store: PipelineStore,
    user_id: int,
    background: BackgroundTasks,
    file: AnyUpload,
    crm: str | None,
    mapping: AnyUpload | None,
    skip_invalid: bool,
) -> ImportJobView:
    """Save the upload(s) and queue the import; shared by the API and the import page."""
    running = [j for j in jobs.jobs(store, limit=5) if j.status in ("queued", "running")]
    if running:
        raise jobs.ImportBusy(
            f"an import is already running for your team ({running[0].file}); wait for it "
            "to finish, then upload the next file"
        )
    folder = uploads.private_folder()
    try:
        size = await uploads.save(file, folder, "upload.csv")
        if size == 0:
            raise InputError(f"{file.filename or 'the file'} is empty")
        mapping_path = None
        if mapping is not None and mapping.filename:
            await uploads.save(mapping, folder, "mapping.yaml", limit=1_000_000)
            mapping_path = folder / "mapping.yaml"
    except BaseException:
        uploads.discard(folder)
        raise
    try:
        job_id = jobs.create_job(store, file.filename or "upload.csv", size, user_id)
    except BaseException:
        uploads.discard(folder)
        raise
    background.add_task(
        jobs.run_import,
        store,
        job_id,
        folder,
        folder / "upload.csv",
        crm,
        mapping_path,
        skip_invalid,
    )
    return jobs.job(store, job_id)


@router.get("/imports", response_model=list[ImportJobView], summary="The team's recent imports")
def list_imports(store: Team) -> Response:
    return ModelResponse(jobs.jobs(store))


@router.get("/imports/{job_id}", response_model=ImportJobView, summary="One import")
def get_import(job_id: Annotated[int, Path(ge=1, le=2_147_483_647)], store: Team) -> ImportJobView:
    return jobs.job(store, job_id)


@router.post(
    "/restores",
    response_model=RestoreReport,
    summary="Restore a crossdeal backup into your team, which must be empty (managers)",
    responses={
        409: ERROR_RESPONSES[422] | {"description": "the team already holds records"},
        413: ERROR_RESPONSES[422] | {"description": "the file is too large"},
    },
)
async def restore_backup(
    store: Team,
    file: Annotated[
        UploadFile, File(description="a backup made by crossdeal export --format crossdeal")
    ],
) -> Response:
    folder = uploads.private_folder()
    try:
        path = folder / "backup.zip"
        await uploads.save(file, folder, path.name)
        return ModelResponse(await run_in_threadpool(_restore, store, path, file.filename))
    finally:
        uploads.discard(folder)


def _restore(store: PipelineStore, path: Path_, name: str | None) -> RestoreReport:
    from crossdeal.pipeline.backup import is_backup, read_backup, restore
    from crossdeal.pipeline.store import TeamNotEmptyError

    shown = name or "the file"
    if not is_backup(path):
        raise InputError(
            f"{shown} is not a crossdeal backup (a zip made by crossdeal export --format "
            "crossdeal); CRM exports go to POST /api/v1/imports"
        )
    backup = read_backup(path, shown)
    try:
        report = restore(store, backup)
    except TeamNotEmptyError:
        raise ConflictError(
            f"team {store.team_name!r} already holds records; a backup is restored only into "
            "an empty team, so nothing the team has is replaced: an admin can add you to a new "
            "team (crossdeal users add EMAIL --team NEW --role manager)"
        ) from None
    left = []
    if backup.people:
        left.append(f"{len(backup.people)} saved people")
    if backup.me is not None:
        left.append("a self-profile")
    return report.model_copy(update={"file": shown, "left_in_file": left})
