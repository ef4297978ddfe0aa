"""The FastAPI application: routers under /api/v1, one error shape, security headers and
a bound on request bodies."""

from __future__ import annotations

import contextlib
from typing import Any

from fastapi import Depends, FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from crossdeal.pipeline.db import Database

__all__ = ["MAX_BODY_BYTES", "create_app", "openapi_document", "openapi_text"]

# a JSON request larger than this is refused before it is read (an upload has its own)
MAX_BODY_BYTES = 1_000_000

SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'; "
        b"form-action 'self'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"no-store"),
]


class SecurityHeaders:
    """Every response carries the headers that keep a page from being framed, sniffed or
    made to load scripts from elsewhere."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    (k, v) for k, v in SECURITY_HEADERS if k not in present
                ]
            await send(message)

        await self.app(scope, receive, with_headers)


# where a CRM export is uploaded: these take up to the upload limit, not MAX_BODY_BYTES
UPLOAD_PATHS = ("/api/v1/imports", "/api/v1/restores", "/imports")


class BodyLimit:
    """Refuse a request body larger than the limit, whether it says its length or not."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        from crossdeal.server.uploads import MAX_UPLOAD_BYTES

        # a little more than the file itself, for the multipart envelope and fields
        limit = MAX_UPLOAD_BYTES + 2_000_000 if scope["path"] in UPLOAD_PATHS else self.limit
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await _too_large(limit, send)
            return
        seen = 0
        over = False
        started = False

        async def counted() -> Message:
            nonlocal seen, over
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    over = True
                    raise _BodyTooLarge
            return message

        async def unless_over(message: Message) -> None:
            # the app may catch the overflow while it parses the body and answer 400: a
            # body that was too large is answered 413 here instead, whatever it said
            nonlocal started
            if over:
                return
            started = True
            await send(message)

        with contextlib.suppress(_BodyTooLarge):
            await self.app(scope, counted, unless_over)
        if over and not started:
            await _too_large(limit, send)


class _BodyTooLarge(Exception):
    pass


async def _too_large(limit: int, send: Send) -> None:
    from crossdeal.server.errors import error_response

    response = error_response(413, f"the request is larger than {limit // 1000:,} kB")
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(k.encode(), v.encode()) for k, v in response.headers.items()],
        }
    )
    await send({"type": "http.response.body", "body": response.body})


def create_app(db: Database | None = None, url: str | None = None) -> FastAPI:
    """The team server over ``db`` (or a database opened from ``url``, else the default
    one: ``$CROSSDEAL_DATABASE_URL`` or SQLite in the crossdeal home), migrated."""
    from crossdeal import __version__
    from crossdeal.server import errors, pages
    from crossdeal.server.deps import authorized
    from crossdeal.server.routers import culture, deals, health, imports, messages, session

    app = FastAPI(
        title="crossdeal",
        version=__version__,
        summary="Close B2B deals across national cultures: the team server's JSON API.",
        openapi_url="/openapi.json",
        # the interactive docs pages load their scripts from a CDN; the server loads
        # nothing from elsewhere, so they are off and the OpenAPI document is served
        docs_url=None,
        redoc_url=None,
    )
    from crossdeal.pipeline.store import CycleCache

    # a request reaches team rows only through Database.for_team (deps.store_for)
    app.state.db = (db if db is not None else Database(url)).teams_only()
    app.state.cycle_cache = CycleCache()
    _warm_up()
    errors.install(app)
    # every route: public, or signed in with the role its line in roles.ROUTE_ROLES asks
    for router in (
        health.router,
        session.router,
        culture.router,
        messages.router,
        deals.router,
        imports.router,
    ):
        app.include_router(router, prefix="/api/v1", dependencies=[Depends(authorized)])
    _document_roles(app)
    pages.install(app)
    app.add_middleware(BodyLimit)
    app.add_middleware(SecurityHeaders)
    return app


def _document_roles(app: FastAPI) -> None:
    """Say in the OpenAPI document which routes need more than the seller role (the
    routers are included lazily, so their routes are reached through the document)."""
    from crossdeal.server.roles import role_for

    generate = app.openapi

    def documented() -> dict[str, Any]:
        document = generate()
        for path, operations in document.get("paths", {}).items():
            for method, operation in operations.items():
                needed = role_for(method, path)
                if needed not in (None, "seller"):
                    operation["responses"]["403"] = {
                        "description": f"needs the {needed} role",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/ErrorBody"}
                            }
                        },
                    }
        return document

    app.openapi = documented  # type: ignore[method-assign]


def _warm_up() -> None:
    """Load the shipped knowledge before the first request: loaded lazily, it would be
    loaded by every request thread that arrives before the first load has finished."""
    import crossdeal
    from crossdeal.culture.layers import with_practices
    from crossdeal.culture.model import default_model
    from crossdeal.forecast.prior import default_cycle_prior
    from crossdeal.messages.features import default_features
    from crossdeal.pipeline.signals import SignalBook
    from crossdeal.playbook.engine import Playbook

    with_practices(default_model())
    SignalBook.default()
    Playbook.default()
    default_cycle_prior()
    default_features()
    # and what the coach and a briefing load on their first call
    crossdeal.lint_message("Thank you for your time today.", to="United States")
    crossdeal.brief("United States", "India")


def openapi_document() -> dict[str, Any]:
    """The OpenAPI document of the API (schemas/openapi.json is this, checked by a test)."""
    return create_app(Database("sqlite://", migrate=False)).openapi()


def openapi_text() -> str:
    import json

    return json.dumps(openapi_document(), indent=2, sort_keys=True) + "\n"
