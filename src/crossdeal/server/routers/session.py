"""Who is signed in, and API tokens: GET /me, POST/GET/DELETE /tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request, status
from pydantic import BaseModel, Field

from crossdeal.auth.store import UserStore
from crossdeal.pipeline.db import Database
from crossdeal.pipeline.store import NotFoundError
from crossdeal.server.deps import Me, RecordId, database
from crossdeal.server.errors import ERROR_RESPONSES

router = APIRouter(tags=["session"], responses=ERROR_RESPONSES)


class UserPublic(BaseModel):
    email: str
    team: str
    role: str


class TokenCreate(BaseModel):
    email: str = Field(max_length=320)
    password: str = Field(max_length=1000)
    name: str = Field(min_length=1, max_length=200, description="what will use the token")


class TokenCreated(BaseModel):
    id: int
    name: str
    token: str = Field(description="shown this once; only its hash is kept")


class TokenPublic(BaseModel):
    id: int
    name: str
    created_at: datetime
    last_used_at: datetime | None
    revoked: bool


@router.get("/me", response_model=UserPublic, summary="The signed-in user")
def me(user: Me) -> UserPublic:
    return UserPublic(email=user.email, team=user.team, role=user.role)


@router.post(
    "/tokens",
    response_model=TokenCreated,
    status_code=status.HTTP_201_CREATED,
    summary="Sign in with email and password and get a new API token",
    responses={429: ERROR_RESPONSES[422] | {"description": "too many failed sign-ins"}},
)
def create_token(
    body: TokenCreate, request: Request, db: Annotated[Database, Depends(database)]
) -> TokenCreated:
    users = UserStore(db)
    address = request.client.host if request.client else "-"
    user = users.authenticate(body.email, body.password, address)
    token_id, token = users.create_token(user.email, body.name)
    return TokenCreated(id=token_id, name=" ".join(body.name.split()), token=token)


@router.get("/tokens", response_model=list[TokenPublic], summary="Your API tokens")
def tokens(user: Me, db: Annotated[Database, Depends(database)]) -> list[TokenPublic]:
    return [
        TokenPublic(
            id=t.id,
            name=t.name,
            created_at=t.created_at,
            last_used_at=t.last_used_at,
            revoked=t.revoked,
        )
        for t in UserStore(db).tokens(user.email)
    ]


@router.delete(
    "/tokens/{token_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Revoke one of your API tokens",
)
def revoke_token(
    token_id: RecordId,
    user: Me,
    db: Annotated[Database, Depends(database)],
) -> None:
    users = UserStore(db)
    mine = {t.id for t in users.tokens(user.email) if not t.revoked}
    if token_id not in mine:
        raise NotFoundError(f"you have no active token {token_id}")
    users.revoke_token(token_id)
