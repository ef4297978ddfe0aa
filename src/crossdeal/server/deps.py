"""What a route needs, resolved once per request: the database, who is signed in, and
the pipeline of their team (the only one the request can touch)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from crossdeal.auth.store import AuthError, SignedIn, UserStore
from crossdeal.errors import CrossdealError
from crossdeal.pipeline.db import Database
from crossdeal.pipeline.store import PipelineStore

__all__ = [
    "Forbidden",
    "Me",
    "RecordId",
    "Team",
    "authorized",
    "database",
    "signed_in",
    "store_for",
    "team_store",
]

# a record number in a path: larger ones name nothing (and would overflow an integer column)
RecordId = Annotated[int, Path(ge=1, le=2_147_483_647)]

_bearer = HTTPBearer(auto_error=False, description="an API token: crossdeal tokens create")


class Forbidden(CrossdealError):
    """The signed-in user's role does not allow this."""


def database(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def signed_in(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> SignedIn:
    known: SignedIn | None = getattr(request.state, "user", None)
    if known is not None:  # authorized() has already looked the token up
        return known
    if credentials is None or not credentials.credentials.strip():
        raise AuthError("sign in first: send the header Authorization: Bearer <token>")
    user = UserStore(database(request)).user_for_token(credentials.credentials.strip())
    request.state.user = user
    return user


Me = Annotated[SignedIn, Depends(signed_in)]


def store_for(request: Request, user: SignedIn) -> PipelineStore:
    """The user's team pipeline, for the API and the pages alike: every read and write
    of a request goes through it, scoped to the team by the store and, on PostgreSQL,
    by the transactions' team mark."""
    return PipelineStore(
        database(request).for_team(user.team_id),
        team=user.team,
        team_id=user.team_id,
        cycle_cache=request.app.state.cycle_cache,
    )


def team_store(request: Request, user: Me) -> PipelineStore:
    return store_for(request, user)


Team = Annotated[PipelineStore, Depends(team_store)]


def authorized(request: Request) -> None:
    """Lets through a public route, or a signed-in user whose role the route's line in
    ``roles.ROUTE_ROLES`` allows; a route without a line is refused to everybody."""
    from crossdeal.server.roles import is_public, role_for

    method, path = request.method, getattr(request.scope.get("route"), "path", "")
    if is_public(method, path):
        return
    # the header is read here, not through the bearer scheme, so that the OpenAPI
    # document marks as secured only the routes that name the signed-in user
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    credentials = (
        HTTPAuthorizationCredentials(scheme=scheme, credentials=token)
        if scheme.lower() == "bearer"
        else None
    )
    user = signed_in(request, credentials)
    needed = role_for(method, path)
    if needed is None:
        raise Forbidden("this part of the API is not open to any role")
    if not user.may(needed):
        raise Forbidden(f"this needs the {needed} role; you are a {user.role}")
