"""The web pages: server-rendered (Jinja2), working without JavaScript, over the same
operations as the API. A browser signs in with a form and keeps a session cookie
(HttpOnly, SameSite=Lax, Secure behind HTTPS, expiring); every form that changes
something carries the session's form token, checked before anything is done."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from crossdeal.auth.store import AuthError, SignedIn, TooManyAttempts, UserStore
from crossdeal.errors import CrossdealError, InputError
from crossdeal.pipeline import edits
from crossdeal.pipeline.db import Database
from crossdeal.pipeline.store import NotFoundError, PipelineStore, checked_amount
from crossdeal.server.deps import RecordId, store_for

__all__ = ["SESSION_COOKIE", "install", "marked"]

SESSION_COOKIE = "crossdeal_session"
SIGN_IN_COOKIE = "crossdeal_sign_in"
SESSION_SECONDS = 12 * 3600
PAGE_LIMIT = 100
_HERE = Path(str(resources.files("crossdeal.server")))
templates = Jinja2Templates(directory=str(_HERE / "templates"))
router = APIRouter(include_in_schema=False)

DONE = {
    "updated": "Saved.",
    "closed": "The deal is closed.",
    "reopened": "The deal is open again.",
}


def _money(amount: float | None, currency: str) -> str:
    return "—" if amount is None else f"{amount:,.0f} {currency}"


def _shown_code(code: str | None) -> str:
    """A pipeline culture code as people read it: ISO 3166 for a country (DEU, not GER)."""
    from crossdeal.culture.model import default_model

    return default_model().shown_code(code) if code else "—"


templates.env.globals["money"] = _money
templates.env.filters["shown_code"] = _shown_code


class SignInRequired(Exception):
    """The page needs a signed-in user; they are sent to sign in, and back here after."""

    def __init__(self, back_to: str) -> None:
        self.back_to = back_to


class BadFormToken(Exception):
    """A form came back without the session's token (a forged or stale form)."""


@dataclass(frozen=True)
class Visitor:
    user: SignedIn
    csrf: str
    token: str


def _db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def _visitor(request: Request) -> Visitor:
    token = request.cookies.get(SESSION_COOKIE, "")
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if not token:
        raise SignInRequired(here)
    try:
        user, csrf = UserStore(_db(request)).session_user(token)
    except AuthError:
        raise SignInRequired(here) from None
    return Visitor(user, csrf, token)


async def _form(request: Request, visitor: Visitor) -> dict[str, str]:
    form = await request.form()
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    if not secrets.compare_digest(values.get("csrf", ""), visitor.csrf):
        raise BadFormToken
    return values


def _page(
    request: Request,
    name: str,
    visitor: Visitor | None,
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    context.setdefault("error", None)
    context.setdefault("notice", None)
    return templates.TemplateResponse(
        request,
        name,
        {
            "user": visitor.user if visitor else None,
            "csrf": visitor.csrf if visitor else "",
            **context,
        },
        status_code=status,
    )


def _safe_next(text: str | None) -> str:
    """Only a path on this server: never another site (an open redirect)."""
    if not text or not text.startswith("/") or text.startswith("//") or "\\" in text:
        return "/deals"
    return text


def _store(request: Request, visitor: Visitor) -> PipelineStore:
    return store_for(request, visitor.user)


# --- sign-in -------------------------------------------------------------------------------


@router.get("/")
def home() -> RedirectResponse:
    return RedirectResponse("/deals", status_code=303)


@router.get("/sign-in", response_class=HTMLResponse)
def sign_in_page(request: Request, next: str | None = None) -> HTMLResponse:
    form_token = secrets.token_urlsafe(24)
    response = _page(request, "sign_in.html", None, form_token=form_token, next=_safe_next(next))
    response.set_cookie(
        SIGN_IN_COOKIE,
        form_token,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/sign-in",
        max_age=3600,
    )
    return response


@router.post("/sign-in", response_model=None)
async def sign_in(request: Request) -> Response:
    form = await request.form()
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    back_to = _safe_next(values.get("next"))
    expected = request.cookies.get(SIGN_IN_COOKIE, "")
    email = values.get("email", "")[:320]

    def again(message: str, status: int) -> HTMLResponse:
        fresh = secrets.token_urlsafe(24)
        response = _page(
            request,
            "sign_in.html",
            None,
            status=status,
            error=message,
            form_token=fresh,
            next=back_to,
            email=email,
        )
        response.set_cookie(
            SIGN_IN_COOKIE,
            fresh,
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
            path="/sign-in",
        )
        return response

    if not expected or not secrets.compare_digest(values.get("csrf", ""), expected):
        return again("The sign-in form had expired; please sign in again.", 403)
    users = UserStore(_db(request))
    try:
        user = users.authenticate(
            email, values.get("password", "")[:1000], request.client.host if request.client else "-"
        )
    except TooManyAttempts as error:
        return again(str(error), 429)
    except AuthError:
        return again("Wrong email or password.", 401)
    token, _ = users.open_session(user)
    response = RedirectResponse(back_to, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        max_age=SESSION_SECONDS,
    )
    response.delete_cookie(SIGN_IN_COOKIE, path="/sign-in")
    return response


@router.post("/sign-out")
async def sign_out(request: Request) -> RedirectResponse:
    visitor = _visitor(request)
    await _form(request, visitor)
    UserStore(_db(request)).close_session(visitor.token)
    response = RedirectResponse("/sign-in", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


# --- the pipeline --------------------------------------------------------------------------


@router.get("/deals", response_class=HTMLResponse)
def deals_page(
    request: Request,
    country: str | None = None,
    outcome: str = "open",
    at_risk: bool = False,
) -> HTMLResponse:
    visitor = _visitor(request)
    store = _store(request, visitor)
    error = None
    try:
        listing = store.deals(
            country=country or None,
            at_risk=at_risk,
            outcome=None if outcome == "all" else outcome,
            limit=PAGE_LIMIT,
        )
    except CrossdealError as exc:
        error = str(exc)
        listing = store.deals(limit=PAGE_LIMIT)
    return _page(
        request,
        "deals.html",
        visitor,
        status=422 if error else 200,
        active="/deals",
        listing=listing,
        country=country,
        outcome=outcome,
        at_risk=at_risk,
        error=error,
    )


def _deal_page(
    request: Request,
    visitor: Visitor,
    deal_id: int,
    error: str | None = None,
    status: int = 200,
    notice: str | None = None,
) -> HTMLResponse:
    from crossdeal.pipeline.reasons import CloseReasons

    store = _store(request, visitor)
    try:
        view = store.deal(deal_id)
    except NotFoundError as exc:
        return _page(request, "error.html", visitor, status=404, heading=str(exc))
    return _page(
        request,
        "deal.html",
        visitor,
        status=status,
        active="/deals",
        view=view,
        reasons=CloseReasons.default().reasons,
        error=error,
        notice=notice,
    )


@router.get("/deals/{deal_id}", response_class=HTMLResponse)
def deal_page(request: Request, deal_id: RecordId, done: str | None = None) -> HTMLResponse:
    visitor = _visitor(request)
    return _deal_page(request, visitor, deal_id, notice=DONE.get(done or ""))


def _version(values: dict[str, str]) -> int | None:
    text = values.get("version", "")
    return int(text) if text.isdigit() and len(text) < 10 else None


def _edited(
    request: Request, visitor: Visitor, deal_id: RecordId, done: str, change: Any
) -> Response:
    try:
        change()
    except edits.ConflictError as exc:
        return _deal_page(request, visitor, deal_id, str(exc), 409)
    except NotFoundError as exc:
        return _page(request, "error.html", visitor, status=404, heading=str(exc))
    except CrossdealError as exc:
        return _deal_page(request, visitor, deal_id, str(exc), 422)
    return RedirectResponse(f"/deals/{deal_id}?done={done}", status_code=303)


@router.post("/deals/{deal_id}/update", response_model=None)
async def deal_update(request: Request, deal_id: RecordId) -> Response:
    visitor = _visitor(request)
    values = await _form(request, visitor)
    store = _store(request, visitor)

    def change() -> None:
        current = store.deal(deal_id, brief=False).deal
        given: dict[str, Any] = {}
        stage = values.get("stage", "").strip() or None
        if stage != current.stage:
            given["stage"] = stage
        close = _form_date(values.get("expected_close", ""))
        if close != current.expected_close:
            given["expected_close"] = close
        amount = _form_amount(values.get("amount", ""))
        if amount != (Decimal(str(current.amount)) if current.amount is not None else None):
            given["amount"] = amount
        if not given:
            raise InputError("nothing changed")
        edits.update_deal(
            store, deal_id, edits.DealUpdate(**given), visitor.user.email, _version(values)
        )

    return _edited(request, visitor, deal_id, "updated", change)


@router.post("/deals/{deal_id}/close", response_model=None)
async def deal_close(request: Request, deal_id: RecordId) -> Response:
    visitor = _visitor(request)
    values = await _form(request, visitor)
    store = _store(request, visitor)
    return _edited(
        request,
        visitor,
        deal_id,
        "closed",
        lambda: edits.close_deal(
            store,
            deal_id,
            values.get("outcome", ""),
            values.get("reason") or None,
            values.get("note") or None,
            by=visitor.user.email,
            if_version=_version(values),
        ),
    )


@router.post("/deals/{deal_id}/reopen", response_model=None)
async def deal_reopen(request: Request, deal_id: RecordId) -> Response:
    visitor = _visitor(request)
    values = await _form(request, visitor)
    store = _store(request, visitor)
    return _edited(
        request,
        visitor,
        deal_id,
        "reopened",
        lambda: edits.reopen_deal(
            store, deal_id, by=visitor.user.email, if_version=_version(values)
        ),
    )


def _form_date(text: str) -> date | None:
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(f"{text!r} is not a date (use YYYY-MM-DD)") from None


def _form_amount(text: str) -> Decimal | None:
    if not text.strip():
        return None
    try:
        return checked_amount(text.replace(",", "").strip())
    except InvalidOperation:
        raise InputError(f"{text!r} is not an amount") from None


# --- briefing, coach, reply, forecast ------------------------------------------------------


@router.get("/brief", response_class=HTMLResponse)
def brief_page(
    request: Request,
    seller: str | None = None,
    buyer: str | None = None,
    on: str | None = None,
    region: str | None = None,
) -> HTMLResponse:
    visitor = _visitor(request)
    briefing, error, chart, comparison = None, None, None, None
    if seller and buyer:
        import crossdeal
        from crossdeal.server.routers.culture import resolve_culture

        try:
            sides = resolve_culture(seller[:200]), resolve_culture(buyer[:200])
            briefing = crossdeal.brief(
                *sides,
                practical=True,
                on=_form_date((on or "")[:20]),
                subdivision=(region or "").strip()[:40] or None,
            )
            comparison = crossdeal.compare(*sides)
        except CrossdealError as exc:
            error = str(exc)
        else:
            from crossdeal.charts import Group, bar_chart

            chart = bar_chart(
                f"{comparison.seller.name} and {comparison.buyer.name}, dimension by dimension",
                (comparison.seller.name, comparison.buyer.name),
                [Group(g.name, (g.seller, g.buyer)) for g in comparison.gaps],
                f"Scores of {comparison.seller.name} and {comparison.buyer.name} on each "
                f"dimension of {comparison.model.name}, 0 to 120.",
                top=120,
            )
    return _page(
        request,
        "brief.html",
        visitor,
        status=422 if error else 200,
        active="/brief",
        seller=seller,
        buyer=buyer,
        on=on,
        region=region,
        briefing=briefing,
        comparison=comparison,
        chart=chart,
        error=error,
    )


def marked(text: str, findings: list[Any]) -> list[dict[str, Any]]:
    """The text cut into pieces, each either plain or marked with the finding (its index)
    that points at it. Overlapping spans keep the first."""
    spans = sorted(
        (span.start, span.end, index)
        for index, finding in enumerate(findings)
        for span in finding.spans
        if span.source == "message" and 0 <= span.start < span.end <= len(text)
    )
    pieces: list[dict[str, Any]] = []
    at = 0
    for start, end, index in spans:
        if start < at:
            continue
        if start > at:
            pieces.append({"text": text[at:start], "finding": None})
        pieces.append({"text": text[start:end], "finding": index})
        at = end
    if at < len(text):
        pieces.append({"text": text[at:], "finding": None})
    return pieces


@router.get("/coach", response_class=HTMLResponse)
def coach_page(request: Request) -> HTMLResponse:
    return _page(request, "coach.html", _visitor(request), active="/coach", report=None)


def _culture_or_none(text: str) -> Any:
    from crossdeal.server.routers.culture import resolve_culture

    text = text.strip()[:200]
    return resolve_culture(text) if text else None


async def _message_page(request: Request, page: str) -> HTMLResponse:
    """The coach's two pages: a draft checked for its reader (``coach``) or a buyer's
    reply read for what it commits to (``reply``)."""
    import crossdeal
    from crossdeal.server.routers.messages import MAX_MESSAGE

    visitor = _visitor(request)
    values = await _form(request, visitor)
    text = values.get("text", "")[:MAX_MESSAGE]
    report: Any = None
    error = None
    try:
        if page == "coach":
            report = crossdeal.lint_message(
                text,
                to=_culture_or_none(values.get("to", "")) or _required_culture("to"),
                sender=_culture_or_none(values.get("sender", "")),
            )
        else:
            report = crossdeal.read_reply(
                text,
                sender=_culture_or_none(values.get("sender", "")) or _required_culture("sender"),
                to=_culture_or_none(values.get("to", "")),
            )
    except CrossdealError as exc:
        error = str(exc)
    return _page(
        request,
        f"{page}.html",
        visitor,
        status=422 if error else 200,
        active=f"/{page}",
        report=report,
        marked=marked(text, report.findings) if report else [],
        text=text,
        to=values.get("to"),
        sender=values.get("sender"),
        error=error,
    )


def _required_culture(field: str) -> Any:
    who = "the reader's" if field == "to" else "the buyer's"
    raise InputError(f"say {who} culture (a country, e.g. Japan)")


@router.post("/coach", response_class=HTMLResponse)
async def coach(request: Request) -> HTMLResponse:
    return await _message_page(request, "coach")


@router.get("/reply", response_class=HTMLResponse)
def reply_page(request: Request) -> HTMLResponse:
    return _page(request, "reply.html", _visitor(request), active="/reply", report=None)


@router.post("/reply", response_class=HTMLResponse)
async def reply(request: Request) -> HTMLResponse:
    return await _message_page(request, "reply")


@router.get("/forecast", response_class=HTMLResponse)
def forecast_page(request: Request) -> HTMLResponse:
    from crossdeal.charts import Group, bar_chart

    visitor = _visitor(request)
    report = _store(request, visitor).forecast(limit=50)
    series = ("expected value", "open amount")

    def chart(title: str, totals: Any, what: str, chart_id: str) -> str:
        groups = [
            Group(
                t.key,
                (t.expected_value, t.amount),
                ((t.low, t.high), None) if t.low is not None and t.high is not None else (),
            )
            for t in totals[:12]
        ]
        return bar_chart(
            title,
            series,
            groups,
            f"Expected value (win probability times amount) and open amount {what}.",
            chart_id=chart_id,
        )

    return _page(
        request,
        "forecast.html",
        visitor,
        active="/forecast",
        report=report,
        by_quarter=chart(
            "Forecast by quarter",
            report.by_quarter,
            "by quarter (each deal's chance of a win inside it, with the 80 % interval of "
            "the amount won; the open amount of the deals whose P50 date falls in it)",
            "by-quarter",
        ),
        by_market=chart("Forecast by market", report.by_market, "by buyer culture", "by-market"),
    )


@router.get("/gap", response_class=HTMLResponse)
def gap_page(
    request: Request,
    target: str | None = None,
    period: str | None = None,
    inbound_leads: str | None = None,
    nurture_leads: str | None = None,
) -> HTMLResponse:
    from crossdeal.charts import gap_charts
    from crossdeal.pipeline.forecasting import gap_report

    visitor = _visitor(request)
    report, error, charts = None, None, []
    if target or period:
        try:
            amount = _form_amount(target or "")
            if amount is None:
                raise InputError("give the quarter's revenue target")
            leads = [
                _form_count(text, what)
                for text, what in (
                    (inbound_leads, "inbound leads"),
                    (nurture_leads, "nurtured leads"),
                )
            ]
            report = gap_report(
                _store(request, visitor), float(amount), (period or "")[:10], leads[0], leads[1]
            )
        except CrossdealError as exc:
            error = str(exc)
        else:
            charts = gap_charts(report)
    return _page(
        request,
        "gap.html",
        visitor,
        active="/forecast",
        report=report,
        error=error,
        charts=charts,
        form={
            "target": target or "",
            "period": period or "",
            "inbound_leads": inbound_leads or "",
            "nurture_leads": nurture_leads or "",
        },
    )


def _form_count(text: str | None, what: str) -> int:
    if not text or not text.strip():
        return 0
    cleaned = text.replace(",", "").strip()
    if not cleaned.isdigit() or len(cleaned) > 9:
        raise InputError(f"{what}: give a whole number, e.g. 300")
    return int(cleaned)


@router.get("/backtest", response_class=HTMLResponse)
def backtest_page(request: Request) -> HTMLResponse:
    from crossdeal.charts import calibration_chart
    from crossdeal.pipeline.forecasting import backtest_report

    visitor = _visitor(request)
    report, error, chart = None, None, None
    try:
        report = backtest_report(_store(request, visitor))
    except CrossdealError as exc:
        error = str(exc)
    else:
        chart = calibration_chart(report)
    return _page(
        request,
        "backtest.html",
        visitor,
        active="/forecast",
        report=report,
        error=error,
        chart=chart,
    )


# --- imports -------------------------------------------------------------------------------


@router.get("/imports", response_class=HTMLResponse)
def imports_page(request: Request) -> HTMLResponse:
    from crossdeal.pipeline import jobs

    visitor = _visitor(request)
    recent = jobs.jobs(_store(request, visitor), limit=10)
    return _page(request, "imports.html", visitor, active="/imports", recent=recent)


@router.post("/imports", response_model=None)
async def import_upload(request: Request) -> Response:
    from fastapi import BackgroundTasks
    from starlette.datastructures import UploadFile

    from crossdeal.pipeline import jobs
    from crossdeal.server.routers.imports import start

    visitor = _visitor(request)
    form = await request.form(max_files=2, max_fields=10)
    if not secrets.compare_digest(str(form.get("csrf", "")), visitor.csrf):
        raise BadFormToken
    store = _store(request, visitor)
    upload, mapping = form.get("file"), form.get("mapping")
    crm = str(form.get("crm", "")) or None
    error = None
    if not isinstance(upload, UploadFile) or not upload.filename:
        error = "Choose the CSV file to import."
    elif crm not in (None, "hubspot", "salesforce", "pipedrive"):
        error = f"{crm!r} is not a CRM crossdeal knows"
    if error is None and isinstance(upload, UploadFile):
        background = BackgroundTasks()
        try:
            job = await start(
                store,
                visitor.user.user_id,
                background,
                upload,
                crm,
                mapping if isinstance(mapping, UploadFile) else None,
                form.get("skip_invalid") == "true",
            )
        except CrossdealError as exc:
            error = str(exc)
        else:
            return RedirectResponse(f"/imports/{job.id}", status_code=303, background=background)
    recent = jobs.jobs(store, limit=10)
    return _page(
        request, "imports.html", visitor, status=422, active="/imports", recent=recent, error=error
    )


@router.get("/imports/{job_id}", response_class=HTMLResponse)
def import_job_page(request: Request, job_id: RecordId) -> HTMLResponse:
    from crossdeal.pipeline import jobs

    visitor = _visitor(request)
    try:
        job = jobs.job(_store(request, visitor), job_id)
    except NotFoundError as exc:
        return _page(request, "error.html", visitor, status=404, heading=str(exc))
    return _page(request, "import_job.html", visitor, active="/imports", job=job)


# --- wiring --------------------------------------------------------------------------------


def install(app: FastAPI) -> None:
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=str(_HERE / "static")), name="static")

    @app.exception_handler(SignInRequired)
    async def to_sign_in(_request: Request, exc: SignInRequired) -> RedirectResponse:
        response = RedirectResponse(f"/sign-in?next={quote(exc.back_to)}", status_code=303)
        response.delete_cookie(SESSION_COOKIE)
        return response

    @app.exception_handler(BadFormToken)
    async def bad_form(request: Request, _exc: BadFormToken) -> HTMLResponse:
        return _page(
            request,
            "error.html",
            None,
            status=403,
            heading="This form had expired or did not come from crossdeal; nothing was "
            "changed. Go back, reload the page and try again.",
        )


def html_error(request: Request, status: int, message: str) -> HTMLResponse:
    """An error for a page (not the API) as a page."""
    heading = {404: "There is no such page.", 405: "That is not something this page does."}
    return _page(request, "error.html", None, status=status, heading=heading.get(status, message))
