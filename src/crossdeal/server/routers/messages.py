"""The message coach: POST /lint (a draft, before it is sent) and POST /replies (a
buyer's reply: what does its yes commit to?)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field

from crossdeal.messages.reports import LintReport, ReplyReport
from crossdeal.server.deps import Me
from crossdeal.server.errors import ERROR_RESPONSES
from crossdeal.server.responses import ModelResponse
from crossdeal.server.routers.culture import resolve_culture

router = APIRouter(tags=["messages"], responses=ERROR_RESPONSES)

# a request longer than this is refused; the coach itself reads the first 20,000
# characters of what it is given and says when it cut (crossdeal.messages.coach)
MAX_MESSAGE = 100_000


class Draft(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=MAX_MESSAGE)
    to: str = Field(min_length=1, max_length=200, description="the reader's culture")
    sender: str | None = Field(None, max_length=200, description="your culture")
    reader_rank: Literal["junior", "manager", "executive"] | None = None


class Reply(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=MAX_MESSAGE)
    sender: str = Field(min_length=1, max_length=200, description="the buyer's culture")
    to: str | None = Field(None, max_length=200, description="your culture")
    asked: str | None = Field(None, max_length=MAX_MESSAGE, description="what you had asked")


@router.post("/lint", response_model=LintReport, summary="Check a draft for its reader")
def lint(body: Draft, _user: Me) -> Response:
    import crossdeal

    return ModelResponse(
        crossdeal.lint_message(
            body.text,
            to=resolve_culture(body.to),
            sender=resolve_culture(body.sender) if body.sender else None,
            reader_rank=body.reader_rank,
        )
    )


@router.post("/replies", response_model=ReplyReport, summary="Read a buyer's reply")
def reply(body: Reply, _user: Me) -> Response:
    import crossdeal

    return ModelResponse(
        crossdeal.read_reply(
            body.text,
            sender=resolve_culture(body.sender),
            to=resolve_culture(body.to) if body.to else None,
            asked=body.asked,
        )
    )
