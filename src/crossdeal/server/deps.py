"""What a route needs, resolved once per request: the database, who is signed in, and
the pipeline of their team (the only one the request can touch)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from crossdeal.auth.store import AuthError, SignedIn, UserStore
from crossdeal.errors import CrossdealError
from crossdeal.pipeline.db import Database
from crossdeal.pipeline.store import PipelineStore

__all__ = ["Me", "Team", "database", "require", "signed_in", "team_store"]

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


def team_store(request: Request, user: Me) -> PipelineStore:
    """The signed-in user's team pipeline: every read and write of a request goes
    through it, and it is scoped to that team in one place (the store)."""
    return PipelineStore(
        database(request).for_team(user.team_id),
        team=user.team,
        team_id=user.team_id,
        cycle_cache=request.app.state.cycle_cache,
    )


Team = Annotated[PipelineStore, Depends(team_store)]


def require(role: str):  # type: ignore[no-untyped-def]
    """A dependency that lets only users with ``role`` or a higher one through."""

    def check(user: Me) -> SignedIn:
        if not user.may(role):
            raise Forbidden(f"this needs the {role} role; you are a {user.role}")
        return user

    return Depends(check)
