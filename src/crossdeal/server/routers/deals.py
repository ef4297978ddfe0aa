"""The team's pipeline: deals, their committees and activities, accounts, the forecast
and the export. Every route reads and writes only the signed-in user's team, through
the team-scoped store; a record of another team is "not found", as if it did not exist.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response, status
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from crossdeal.forecast.backtest import Backtest
from crossdeal.forecast.gap import GapReport
from crossdeal.pipeline import edits
from crossdeal.pipeline.models import CHANNELS, ROLES
from crossdeal.pipeline.reports import (
    AccountList,
    ChangeReport,
    ContactList,
    DealList,
    DealView,
    DeletionReport,
    ErasureReport,
    ForecastReport,
    PersonalData,
    SellerList,
)
from crossdeal.server.deps import Me, RecordId, Team
from crossdeal.server.errors import ERROR_RESPONSES
from crossdeal.server.responses import ModelResponse

router = APIRouter(tags=["pipeline"], responses=ERROR_RESPONSES)
CONFLICT: dict[int | str, dict[str, Any]] = {
    409: ERROR_RESPONSES[404] | {"description": "the deal changed since you read it"}
}
MAX_PAGE = 1000


class Created(BaseModel):
    id: int


class DealCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=300)
    account: str = Field(min_length=1, max_length=300, description="an account's name")
    owner: str | None = Field(None, max_length=200, description="a seller's name")
    amount: Decimal | None = None
    currency: str = Field("USD", pattern=r"^[A-Za-z]{3}$")
    stage: str | None = Field(None, max_length=100)
    created_on: date | None = None
    expected_close: date | None = None
    budget_confirmed: bool = False
    authority_identified: bool = False
    need: str | None = Field(None, max_length=10_000)
    timing: str | None = Field(None, max_length=10_000)
    standard_offer: bool = False
    product: str | None = Field(None, max_length=200)
    notes: str | None = Field(None, max_length=100_000)


class DealPatch(edits.DealUpdate):
    version: int | None = Field(
        None, ge=1, description="the version you read: a newer one on the server is a 409"
    )


class Close(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: Literal["won", "lost"]
    reason: str | None = Field(None, max_length=80, description="GET /close-reasons lists them")
    note: str | None = Field(None, max_length=10_000)
    on: date | None = Field(None, description="the day it closed (default today)")
    version: int | None = Field(None, ge=1)


class Reopen(BaseModel):
    model_config = ConfigDict(extra="forbid")

    stage: str | None = Field(None, max_length=100)
    note: str | None = Field(None, max_length=10_000)
    version: int | None = Field(None, ge=1)


class ContactCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=300)
    role: Literal[ROLES] | None = None  # type: ignore[valid-type]
    culture: str | None = Field(None, max_length=200)
    seniority: str | None = Field(None, max_length=40)
    observations: list[str] = Field(default_factory=list, max_length=50)
    email: str | None = Field(None, max_length=320)


class ActivityCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    channel: Literal[CHANNELS]  # type: ignore[valid-type]
    with_: list[str] = Field(default_factory=list, alias="with", max_length=50)
    note: str | None = Field(None, max_length=100_000)
    direction: Literal["outbound", "inbound"] = "outbound"
    occurred_on: date | None = None


class Erasure(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=300, description="the person's full name")
    account: str | None = Field(None, max_length=300, description="only their contact here")
    dry_run: bool = Field(False, description="report what would change, change nothing")


class AccountCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=300)
    country: str = Field(min_length=1, max_length=200)
    industry: str | None = Field(None, max_length=200)
    observations: list[str] = Field(default_factory=list, max_length=50)


class CloseReasonPublic(BaseModel):
    id: str
    label: str
    outcomes: list[str]
    description: str


# --- deals ---------------------------------------------------------------------------------


@router.get("/deals", response_model=DealList, summary="The pipeline, with risk signals")
def list_deals(
    store: Team,
    country: Annotated[str | None, Query(max_length=200)] = None,
    at_risk: bool = False,
    outcome: Literal["open", "won", "lost", "all"] = "open",
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Response:
    listing = store.deals(
        country=country,
        at_risk=at_risk,
        outcome=None if outcome == "all" else outcome,
        limit=offset + limit,
    )
    # the kind of database only: its path or address is the server's business
    shown = {"deals": listing.deals[offset:], "database": store.db.engine.dialect.name}
    return ModelResponse(listing.model_copy(update=shown))


@router.post(
    "/deals", response_model=DealView, status_code=status.HTTP_201_CREATED, summary="Add a deal"
)
def create_deal(body: DealCreate, store: Team) -> Response:
    deal_id = store.add_deal(
        body.name,
        body.account,
        owner=body.owner,
        amount=body.amount,
        currency=body.currency,
        stage=body.stage,
        created_on=body.created_on or date.today(),
        expected_close=body.expected_close,
        budget_confirmed=body.budget_confirmed,
        authority_identified=body.authority_identified,
        need=body.need,
        timing=body.timing,
        standard_offer=body.standard_offer,
        product=body.product,
        notes=body.notes,
    )
    return ModelResponse(store.deal(deal_id), status.HTTP_201_CREATED)


@router.get("/deals/{deal_id}", response_model=DealView, summary="One deal, whole")
def get_deal(deal_id: RecordId, store: Team) -> Response:
    return ModelResponse(store.deal(deal_id))


@router.patch(
    "/deals/{deal_id}",
    response_model=ChangeReport,
    summary="Change a deal's fields",
    responses=CONFLICT,
)
def update_deal(deal_id: RecordId, body: DealPatch, store: Team, user: Me) -> Response:
    given = body.model_fields_set - {"version"}
    changes = edits.DealUpdate(**{k: getattr(body, k) for k in given})
    return ModelResponse(edits.update_deal(store, deal_id, changes, user.email, body.version))


@router.post(
    "/deals/{deal_id}/close",
    response_model=ChangeReport,
    summary="Close a deal as won or lost",
    responses=CONFLICT,
)
def close_deal(deal_id: RecordId, body: Close, store: Team, user: Me) -> Response:
    return ModelResponse(
        edits.close_deal(
            store, deal_id, body.outcome, body.reason, body.note, body.on, user.email, body.version
        )
    )


@router.post(
    "/deals/{deal_id}/reopen",
    response_model=ChangeReport,
    summary="Open a won or lost deal again",
    responses=CONFLICT,
)
def reopen_deal(deal_id: RecordId, body: Reopen, store: Team, user: Me) -> Response:
    return ModelResponse(
        edits.reopen_deal(store, deal_id, body.note, user.email, body.version, body.stage)
    )


@router.delete(
    "/deals/{deal_id}",
    response_model=DeletionReport,
    summary="Delete a deal with its committee, activities and history",
)
def delete_deal(deal_id: RecordId, store: Team) -> Response:
    return ModelResponse(edits.delete_deal(store, deal_id))


@router.post(
    "/deals/{deal_id}/committee",
    response_model=Created,
    status_code=status.HTTP_201_CREATED,
    summary="Put a person on the deal's buying committee",
)
def add_contact(deal_id: RecordId, body: ContactCreate, store: Team) -> Created:
    contact_id = store.add_contact(
        deal_id,
        body.name,
        body.role,
        body.culture,
        body.seniority,
        body.observations,
        body.email,
    )
    return Created(id=contact_id)


@router.delete(
    "/deals/{deal_id}/committee/{contact_id}",
    response_model=DeletionReport,
    summary="Take a person off the deal's buying committee",
)
def remove_contact(deal_id: RecordId, contact_id: RecordId, store: Team) -> Response:
    return ModelResponse(edits.remove_contact(store, deal_id, contact_id=contact_id))


@router.post(
    "/deals/{deal_id}/activities",
    response_model=Created,
    status_code=status.HTTP_201_CREATED,
    summary="Log an email, call, video call, meeting or chat",
)
def log_activity(deal_id: RecordId, body: ActivityCreate, store: Team) -> Created:
    activity_id = store.log_activity(
        deal_id, body.channel, body.with_, body.note, body.direction, body.occurred_on
    )
    return Created(id=activity_id)


@router.get(
    "/close-reasons",
    response_model=list[CloseReasonPublic],
    summary="The reasons a deal can be closed with",
)
def close_reasons(_store: Team) -> list[CloseReasonPublic]:
    from crossdeal.pipeline.reasons import CloseReasons

    return [CloseReasonPublic(**r.model_dump()) for r in CloseReasons.default().reasons]


# --- accounts ------------------------------------------------------------------------------


@router.get("/accounts", response_model=AccountList, summary="The accounts of the team")
def list_accounts(
    store: Team, country: Annotated[str | None, Query(max_length=200)] = None
) -> Response:
    return ModelResponse(store.accounts(country=country))


@router.get("/sellers", response_model=SellerList, summary="The sellers of the team")
def list_sellers(store: Team) -> Response:
    return ModelResponse(store.sellers())


@router.get(
    "/contacts", response_model=ContactList, summary="The buyers' people in the team's pipeline"
)
def list_contacts(
    store: Team, account: Annotated[str | None, Query(max_length=300)] = None
) -> Response:
    return ModelResponse(store.contacts(account=account))


@router.post(
    "/accounts",
    response_model=Created,
    status_code=status.HTTP_201_CREATED,
    summary="Add an account (or update the one with the same name)",
)
def create_account(body: AccountCreate, store: Team) -> Created:
    return Created(id=store.add_account(body.name, body.country, body.industry, body.observations))


@router.delete(
    "/accounts/{account_id}",
    response_model=DeletionReport,
    summary="Delete an account with its contacts and deals (managers)",
)
def delete_account(account_id: RecordId, store: Team) -> Response:
    return ModelResponse(edits.delete_account(store, edits.account_name(store, account_id)))


class PersonalDataRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=300, description="the person's full name")
    account: str | None = Field(None, max_length=300, description="only their contact here")


@router.post(
    "/personal-data",
    response_model=PersonalData,
    summary="Everything the team holds about one buyer-side person (managers)",
)
def personal_data(body: PersonalDataRequest, store: Team) -> Response:
    from crossdeal.pipeline import privacy

    # a POST, so that the person's name stays out of access logs; the team's records
    # only: saved people live on each user's machine, not on the server
    return ModelResponse(privacy.personal_data(store, body.name, None, body.account))


@router.post(
    "/erasures",
    response_model=ErasureReport,
    summary="Erase one buyer-side person: their contacts, and their name in every note (managers)",
)
def erase_person(body: Erasure, store: Team) -> Response:
    from crossdeal.pipeline import privacy

    return ModelResponse(
        privacy.erase_person(store, body.name, None, body.account, dry_run=body.dry_run)
    )


# --- forecast and export -------------------------------------------------------------------


@router.get("/forecast", response_model=ForecastReport, summary="Open deals: P(win), close dates")
def forecast(
    store: Team,
    as_of: date | None = None,
    by: Literal["market", "country", "owner", "quarter"] = "market",
    quarter: Annotated[
        str | None, Query(pattern=r"^\d{4}[Qq][1-4]$", description="a quarter, e.g. 2027Q2")
    ] = None,
    limit: Annotated[
        int, Query(ge=1, le=MAX_PAGE, description="deals listed, by expected value")
    ] = 100,
) -> Response:
    from crossdeal.pipeline.forecasting import forecast_report

    report = forecast_report(store, as_of=as_of, limit=limit, by=by, period=quarter)
    return ModelResponse(report)


@router.get(
    "/backtest",
    response_model=Backtest,
    summary="How good the forecast has been on the team's history, against the baselines",
)
def backtest(
    store: Team,
    as_of: Annotated[
        list[date] | None, Query(max_length=12, description="cut-off days; default: four")
    ] = None,
) -> Response:
    from crossdeal.pipeline.forecasting import backtest_report

    return ModelResponse(backtest_report(store, as_of or []))


@router.get(
    "/gap", response_model=GapReport, summary="The revenue gap of a quarter, and the leads it takes"
)
def gap(
    store: Team,
    target: Annotated[float, Query(gt=0, le=1e15)],
    period: Annotated[str, Query(pattern=r"^\d{4}[Qq][1-4]$", description="e.g. 2027Q2")],
    inbound_leads: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    nurture_leads: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    inbound_rate: Annotated[float | None, Query(gt=0, le=1)] = None,
    nurture_rate: Annotated[float | None, Query(gt=0, le=1)] = None,
    as_of: date | None = None,
) -> Response:
    from crossdeal.pipeline.forecasting import gap_report

    return ModelResponse(
        gap_report(
            store, target, period, inbound_leads, nurture_leads, inbound_rate, nurture_rate, as_of
        )
    )


@router.get(
    "/export",
    summary="The whole pipeline: the deals as CSV or JSON (spreadsheet formulas "
    "neutralised), or a backup of the team that crossdeal import restores",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}, "application/json": {}, "application/zip": {}}}},
)
def export(store: Team, format: Literal["csv", "json", "crossdeal"] = "csv") -> Response:
    import io

    if format == "crossdeal":
        from crossdeal.pipeline.backup import backup_bytes, team_backup

        return Response(
            backup_bytes(team_backup(store)),
            media_type="application/zip",
            headers={"Content-Disposition": 'attachment; filename="crossdeal-backup.zip"'},
        )
    from crossdeal.pipeline.export import write_csv, write_json

    buffer = io.StringIO()
    (write_csv if format == "csv" else write_json)(store.export_rows(), buffer)
    media = "text/csv" if format == "csv" else "application/json"
    return StreamingResponse(
        iter([buffer.getvalue()]),
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="pipeline.{format}"'},
    )
