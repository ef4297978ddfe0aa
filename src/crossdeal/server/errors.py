"""One error shape for every response that is not a success, produced here only.

``{"error": {"status": 404, "code": "not_found", "message": "...", "fields": [...]}}``:
the message is the one the CLI prints for the same mistake; ``fields`` lists, for a
request that did not validate, which field is wrong and why.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException

from crossdeal.auth.store import AuthError, TooManyAttempts
from crossdeal.errors import CrossdealError
from crossdeal.pipeline.db import DatabaseError
from crossdeal.pipeline.edits import ConflictError
from crossdeal.pipeline.store import NotFoundError

__all__ = ["ERROR_RESPONSES", "ErrorBody", "ErrorDetail", "FieldProblem", "install"]

log = logging.getLogger("crossdeal.server")


class FieldProblem(BaseModel):
    field: str = Field(description="where in the request, e.g. body.seller or query.limit")
    reason: str


class ErrorDetail(BaseModel):
    status: int
    code: str = Field(description="a stable word for programs: not_found, conflict, ...")
    message: str = Field(description="what went wrong, for a person")
    fields: list[FieldProblem] = Field(default_factory=list)


class ErrorBody(BaseModel):
    error: ErrorDetail


# documented on every route, so the OpenAPI document shows the one shape
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": description}
    for status, description in (
        (401, "not signed in, or an unknown or revoked token"),
        (404, "no such record in your team"),
        (422, "the request is not valid: see error.fields"),
    )
}

_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid_input",
    429: "too_many_attempts",
    500: "internal",
    503: "unavailable",
}


_UNAVAILABLE = "the database is not available just now; nothing was changed, try again shortly"


def error_response(
    status: int,
    message: str,
    fields: list[FieldProblem] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = ErrorBody(
        error=ErrorDetail(
            status=status,
            code=_CODES.get(status, "error"),
            message=message,
            fields=fields or [],
        )
    )
    return JSONResponse(body.model_dump(), status_code=status, headers=headers)


def status_for(error: CrossdealError) -> int:
    from crossdeal.pipeline.jobs import ImportBusy
    from crossdeal.server.deps import Forbidden
    from crossdeal.server.uploads import UploadTooLarge

    # the first class the error is an instance of decides (UploadTooLarge is an InputError)
    for kind, status in (
        (NotFoundError, 404),
        (ConflictError, 409),
        (ImportBusy, 409),
        (AuthError, 401),
        (TooManyAttempts, 429),
        (DatabaseError, 503),
        (Forbidden, 403),
        (UploadTooLarge, 413),
    ):
        if isinstance(error, kind):
            return status
    return 422


def _field_problems(exc: RequestValidationError) -> list[FieldProblem]:
    problems = []
    for item in exc.errors():
        where = ".".join(str(p) for p in item.get("loc", ()) if "[" not in str(p))
        reason = str(item.get("msg", "is not valid")).removeprefix("Value error, ")
        problems.append(FieldProblem(field=where or "body", reason=reason))
    return problems


def install(app: FastAPI) -> None:
    """Answer every failure with the one shape."""

    @app.exception_handler(CrossdealError)
    async def crossdeal_error(_request: Request, exc: CrossdealError) -> JSONResponse:
        status = status_for(exc)
        headers = None
        if isinstance(exc, DatabaseError):
            # its message names the database's file or host, which is the server's business
            log.warning("database unavailable: %s", exc)
            return error_response(status, _UNAVAILABLE, headers={"Retry-After": "5"})
        if isinstance(exc, AuthError):
            headers = {"WWW-Authenticate": "Bearer"}
        if isinstance(exc, TooManyAttempts):
            headers = {"Retry-After": str(exc.retry_after)}
        return error_response(status, str(exc), headers=headers)

    def page(request: Request) -> bool:
        # the API and its document answer in JSON; everything else is a page
        path = request.url.path
        return not (path.startswith("/api/") or path == "/openapi.json")

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        if page(request):
            from crossdeal.server.pages import html_error

            return html_error(request, 404, "There is no such page.")
        problems = _field_problems(exc)
        first = problems[0] if problems else None
        message = f"{first.field}: {first.reason}" if first else "the request is not valid"
        return error_response(422, message, problems)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        message = exc.detail if isinstance(exc.detail, str) else "request refused"
        if page(request):
            from crossdeal.server.pages import html_error

            return html_error(request, exc.status_code, message)
        if exc.status_code == 404 and message == "Not Found":
            message = "there is no such page or record"
        return error_response(exc.status_code, message, headers=getattr(exc, "headers", None))

    @app.exception_handler(OperationalError)
    async def database_down(_request: Request, exc: OperationalError) -> JSONResponse:
        # the database restarted, is unreachable or busy: the next request may succeed
        log.warning("database unavailable: %s", type(exc.orig).__name__)
        return error_response(503, _UNAVAILABLE, headers={"Retry-After": "5"})

    @app.exception_handler(Exception)
    async def unexpected(_request: Request, exc: Exception) -> JSONResponse:
        from crossdeal.server.app import SECURITY_HEADERS

        log.exception("unexpected error")  # the traceback goes to the log, not the client
        response = error_response(500, "something went wrong on the server; it has been logged")
        # this answer is sent from outside the middleware that adds them to every other
        for name, value in SECURITY_HEADERS:
            response.headers[name.decode()] = value.decode()
        return response
