"""Imports through the server: POST /imports uploads a CRM export and starts importing
it in the background; GET /imports/{id} says how far it got and, at the end, gives the
per-row report (nothing is half-written: an import is all-or-nothing)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, BackgroundTasks, File, Form, Path, Response, UploadFile, status
from starlette.datastructures import UploadFile as AnyUpload

from crossdeal.errors import InputError
from crossdeal.pipeline import jobs
from crossdeal.pipeline.reports import ImportJobView
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
