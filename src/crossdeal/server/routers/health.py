"""GET /api/v1/health: answers without sign-in, for load balancers and monitors."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field
from sqlalchemy import text

from crossdeal.pipeline.db import Database
from crossdeal.server.deps import database

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: Literal["ok"]
    version: str = Field(description="crossdeal's version")
    database: str = Field(description="sqlite or postgresql")
    schema_revision: str | None = Field(description="the newest migration applied")


@router.get("/health", response_model=Health, summary="Is the server up, with its database")
def health(db: Annotated[Database, Depends(database)]) -> Health:
    from crossdeal import __version__

    with db.engine.connect() as conn:  # a database that is down answers 503
        conn.execute(text("SELECT 1"))
    return Health(
        status="ok",
        version=__version__,
        database=db.engine.dialect.name,
        schema_revision=db.revision(),
    )
