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
    "database",
    "require",
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
    if credentials is None or not credentials.credentials.strip():
        raise AuthError("sign in first: send the header Authorization: Bearer <token>")
    return UserStore(database(request)).user_for_token(credentials.credentials.strip())


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


def require(role: str):  # type: ignore[no-untyped-def]
    """A dependency that lets only users with ``role`` or a higher one through."""

    def check(user: Me) -> SignedIn:
        if not user.may(role):
            raise Forbidden(f"this needs the {role} role; you are a {user.role}")
        return user

    return Depends(check)
