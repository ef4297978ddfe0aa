"""The web pages without a browser: sign-in, session cookies, form tokens, redirects and
team isolation, through the in-process client."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from typing import Any

import pytest

from crossdeal.auth.store import UserStore
from crossdeal.pipeline.db import Database
from crossdeal.pipeline.store import PipelineStore

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from crossdeal.server import create_app
from crossdeal.server.pages import marked

PASSWORD = "correct horse battery"


@pytest.fixture
def site(tmp_path: Any) -> Iterator[dict[str, Any]]:
    db = Database(f"sqlite:///{tmp_path / 'pages.db'}")
    users = UserStore(db)
    users.add_user("ana@example.com", PASSWORD, "emea", "manager")
    users.add_user("bea@example.com", PASSWORD, "apac", "manager")
    ids = {}
    for team in ("emea", "apac"):
        store = PipelineStore(db, team=team)
        store.add_account("Tanaka Precision", "Japan")
        ids[team] = store.add_deal("Press line", "Tanaka Precision", amount=120_000)
    yield {"db": db, "ids": ids}
    db.dispose()


def client(site: dict[str, Any]) -> TestClient:
    return TestClient(create_app(site["db"]), follow_redirects=False)


def form_token(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]*)"', html)
    assert found, "the page has no form token"
    return found.group(1)


def signed_in(site: dict[str, Any], email: str = "ana@example.com") -> TestClient:
    browser = client(site)
    page = browser.get("/sign-in")
    done = browser.post(
        "/sign-in",
        data={"email": email, "password": PASSWORD, "csrf": form_token(page.text)},
    )
    assert done.status_code == 303, done.text
    return browser


def test_pages_send_a_stranger_to_sign_in_and_back(site: dict[str, Any]) -> None:
    browser = client(site)
    deal = site["ids"]["emea"]
    response = browser.get(f"/deals/{deal}?done=updated")
    assert response.status_code == 303
    assert response.headers["location"] == f"/sign-in?next=/deals/{deal}%3Fdone%3Dupdated"
    page = browser.get(response.headers["location"])
    back = browser.post(
        "/sign-in",
        data={
            "email": "ana@example.com",
            "password": PASSWORD,
            "csrf": form_token(page.text),
            "next": f"/deals/{deal}?done=updated",
        },
    )
    assert back.status_code == 303 and back.headers["location"] == f"/deals/{deal}?done=updated"
    cookie = back.headers["set-cookie"]
    for flag in ("HttpOnly", "SameSite=lax", "Max-Age=43200", "Path=/"):
        assert flag in cookie, flag
    assert "Secure" not in cookie  # plain http on the loopback; behind HTTPS it is set


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:x"]
)
def test_sign_in_never_sends_the_user_to_another_site(site: dict[str, Any], target: str) -> None:
    browser = client(site)
    page = browser.get("/sign-in")
    done = browser.post(
        "/sign-in",
        data={
            "email": "ana@example.com",
            "password": PASSWORD,
            "csrf": form_token(page.text),
            "next": target,
        },
    )
    assert done.headers["location"] == "/deals"


def test_a_sign_in_form_without_its_token_is_refused(site: dict[str, Any]) -> None:
    browser = client(site)
    browser.get("/sign-in")
    refused = browser.post(
        "/sign-in", data={"email": "ana@example.com", "password": PASSWORD, "csrf": "forged"}
    )
    assert refused.status_code == 403 and "crossdeal_session" not in refused.headers.get(
        "set-cookie", ""
    )


def test_wrong_passwords_are_told_apart_from_nothing_and_limited(site: dict[str, Any]) -> None:
    browser = client(site)
    for _ in range(5):
        page = browser.get("/sign-in")
        wrong = browser.post(
            "/sign-in",
            data={"email": "ana@example.com", "password": "guess", "csrf": form_token(page.text)},
        )
        assert wrong.status_code == 401 and "Wrong email or password." in wrong.text
    page = browser.get("/sign-in")
    locked = browser.post(
        "/sign-in",
        data={"email": "ana@example.com", "password": PASSWORD, "csrf": form_token(page.text)},
    )
    assert locked.status_code == 429 and "too many failed sign-ins" in locked.text


def test_a_form_without_the_session_token_changes_nothing(site: dict[str, Any]) -> None:
    browser = signed_in(site)
    deal = site["ids"]["emea"]
    for token in ("", "forged"):
        refused = browser.post(f"/deals/{deal}/update", data={"csrf": token, "stage": "Stolen"})
        assert refused.status_code == 403 and "nothing was changed" in refused.text
    assert PipelineStore(site["db"], team="emea").deal(deal).deal.stage is None
    page = browser.get(f"/deals/{deal}")
    done = browser.post(
        f"/deals/{deal}/update",
        data={"csrf": form_token(page.text), "version": "1", "stage": "Proposal", "amount": ""},
    )
    assert done.status_code == 303 and done.headers["location"] == f"/deals/{deal}?done=updated"
    view = PipelineStore(site["db"], team="emea").deal(deal)
    assert view.deal.stage == "Proposal" and view.deal.amount is None
    assert view.history[0].by == "ana@example.com"


def test_a_stale_form_gets_a_conflict_page(site: dict[str, Any]) -> None:
    browser = signed_in(site)
    deal = site["ids"]["emea"]
    token = form_token(browser.get(f"/deals/{deal}").text)
    first = browser.post(
        f"/deals/{deal}/update", data={"csrf": token, "version": "1", "stage": "Proposal"}
    )
    assert first.status_code == 303
    second = browser.post(
        f"/deals/{deal}/update", data={"csrf": token, "version": "1", "stage": "Negotiation"}
    )
    assert second.status_code == 409 and "changed by someone else" in second.text


def test_another_team_cannot_open_or_change_a_deal(site: dict[str, Any]) -> None:
    bea = signed_in(site, "bea@example.com")
    emea_deal = site["ids"]["emea"]
    assert bea.get(f"/deals/{emea_deal}").status_code == 404
    token = form_token(bea.get("/deals").text)
    for action, data in (
        ("update", {"stage": "Stolen", "version": "1"}),
        ("close", {"outcome": "won"}),
        ("reopen", {}),
    ):
        response = bea.post(f"/deals/{emea_deal}/{action}", data={"csrf": token, **data})
        assert response.status_code == 404, action
    assert PipelineStore(site["db"], team="emea").deal(emea_deal).version == 1
    listing = bea.get("/deals").text
    assert f'href="/deals/{emea_deal}"' not in listing


def test_signing_out_ends_the_session(site: dict[str, Any]) -> None:
    browser = signed_in(site)
    token = form_token(browser.get("/deals").text)
    cookie = browser.cookies.get("crossdeal_session")
    out = browser.post("/sign-out", data={"csrf": token})
    assert out.status_code == 303 and out.headers["location"] == "/sign-in"
    browser.cookies.set("crossdeal_session", cookie or "")
    assert browser.get("/deals").status_code == 303  # the old cookie no longer works


def test_page_errors_are_pages_and_api_errors_json(site: dict[str, Any]) -> None:
    browser = signed_in(site)
    for path in ("/nowhere", "/deals/abc", "/deals/99999"):
        response = browser.get(path)
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("text/html"), path
    assert browser.get("/api/v1/nowhere").headers["content-type"] == "application/json"


def test_findings_are_marked_at_their_words() -> None:
    import crossdeal

    text = "We need your decision by Friday. Please confirm ASAP."
    report = crossdeal.lint_message(text, to="Japan")
    pieces = marked(text, report.findings)
    assert "".join(p["text"] for p in pieces) == text  # nothing lost or repeated
    marks = [p["text"] for p in pieces if p["finding"] is not None]
    assert "ASAP" in marks
    for piece in pieces:
        if piece["finding"] is not None:
            spans = report.findings[piece["finding"]].spans
            assert piece["text"] in {s.text for s in spans}


def test_an_impossible_record_number_in_a_page_address_is_not_found(site: dict[str, Any]) -> None:
    browser = signed_in(site)
    for path in ("/imports/99999999999999999999", "/deals/99999999999999999999", "/imports/0"):
        response = browser.get(path)
        assert response.status_code == 404, path
        assert response.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("target=1000000&period=2099Q1&inbound_leads=40", "a gap of"),
        ("target=abc&period=2099Q1", "is not an amount"),
        ("target=1000&period=2020Q1", "is over"),
        ("target=1000&period=2099Q1&inbound_leads=many", "give a whole number"),
    ],
)
def test_the_gap_page_answers_or_says_what_is_wrong(
    site: dict[str, Any], query: str, says: str
) -> None:
    page = signed_in(site).get(f"/gap?{query}")
    assert page.status_code == 200 and says in page.text
    assert "Traceback" not in page.text


def test_the_backtest_page_explains_a_team_with_nothing_closed(site: dict[str, Any]) -> None:
    page = signed_in(site).get("/backtest")
    assert page.status_code == 200 and "no closed deal" in page.text


def test_the_briefing_page_keeps_the_fiscal_years_qualifier(site: dict[str, Any]) -> None:
    # the UK's government year runs April to March; many companies use the calendar year
    page = signed_in(site).get("/brief?seller=AE&buyer=GB")
    assert page.status_code == 200
    assert "Fiscal year: April to March. The government" in page.text
    assert "others use the calendar year" in page.text


def test_the_briefing_page_takes_the_day_of_the_call_and_the_buyers_region(
    site: dict[str, Any],
) -> None:
    client = signed_in(site)
    page = client.get("/brief?seller=US&buyer=DE&on=2026-12-20")
    assert page.status_code == 200
    assert "Regional holidays" in page.text and "Epiphany in BW, BY, ST" in page.text
    named = client.get("/brief?seller=US&buyer=DE&on=2026-12-20&region=BY")
    assert named.status_code == 200
    assert "Next 60 days in Germany (BY)" in named.text
    assert "Regional holidays" not in named.text and "Epiphany" in named.text
    wrong = client.get("/brief?seller=US&buyer=DE&on=20.12.2026")
    assert wrong.status_code == 422 and "not a date" in wrong.text
    unknown = client.get("/brief?seller=US&buyer=DE&region=XX")
    assert unknown.status_code == 422 and "not a subdivision" in unknown.text
    # 20 December 2026 is a Sunday: the page says so before the cards
    assert 'role="alert"' in page.text and "Sunday 20 December is a weekend day" in page.text
    assert page.text.index("weekend day in Germany") < page.text.index('class="risks"')
