"""Cultures and briefings: GET /cultures, GET /cultures/{name}, POST /comparisons,
POST /briefings. The same results, in the same versioned shapes, as the CLI's JSON."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field

from crossdeal.culture.model import Culture, CultureKind
from crossdeal.culture.reports import Comparison, CultureList, CultureProfile
from crossdeal.playbook.briefing import Briefing
from crossdeal.server.deps import Me
from crossdeal.server.errors import ERROR_RESPONSES
from crossdeal.server.responses import ModelResponse

router = APIRouter(tags=["culture"], responses=ERROR_RESPONSES)


class Pair(BaseModel):
    model_config = ConfigDict(extra="forbid")

    seller: str = Field(min_length=1, max_length=200, examples=["US"])
    buyer: str = Field(min_length=1, max_length=200, examples=["India"])


def resolve_culture(text: str) -> Culture:
    # a culture only: the server holds no one's saved people, so a name is never looked
    # up in a file that another team might have written
    from crossdeal._api import _model

    return _model(None).resolve(text)


@router.get("/cultures", response_model=CultureList, summary="The cultures crossdeal knows")
def cultures(_user: Me, kind: CultureKind | None = None) -> Response:
    import crossdeal

    return ModelResponse(crossdeal.countries(kind=kind))


@router.get(
    "/cultures/{name}", response_model=CultureProfile, summary="One culture's scores and sources"
)
def culture(name: str, _user: Me) -> Response:
    import crossdeal

    return ModelResponse(crossdeal.profile(resolve_culture(name)))


@router.post("/comparisons", response_model=Comparison, summary="Two cultures side by side")
def comparison(body: Pair, _user: Me) -> Response:
    import crossdeal

    return ModelResponse(
        crossdeal.compare(resolve_culture(body.seller), resolve_culture(body.buyer))
    )


class BriefingRequest(Pair):
    on: dt.date | None = Field(
        default=None, description="the day of the call: the buyer's next 60 days start here"
    )
    subdivision: str | None = Field(
        default=None,
        max_length=40,
        description="the buyer's state or region (BY, MH ...) for its own holidays",
    )


@router.post("/briefings", response_model=Briefing, summary="A pre-call briefing")
def briefing(body: BriefingRequest, _user: Me) -> Response:
    import crossdeal

    return ModelResponse(
        crossdeal.brief(
            resolve_culture(body.seller),
            resolve_culture(body.buyer),
            practical=True,
            on=body.on,
            subdivision=body.subdivision,
        )
    )
