"""The team server's JSON API: sign-in, one error shape, the same answers as the CLI, and
teams that never see each other's records (on SQLite and on PostgreSQL)."""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from crossdeal.auth.store import BUSY_RETRY_SECONDS, UserStore
from crossdeal.pipeline.db import HEAD, Database
from crossdeal.pipeline.models import ApiToken, User
from crossdeal.pipeline.store import PipelineStore

with warnings.catch_warnings():  # starlette's test client names a successor of httpx
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from crossdeal.server import create_app
from crossdeal.server.app import openapi_text

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "correct horse battery"
TODAY = date.today()


def _team_with_a_deal(db: Database, team: str) -> dict[str, int]:
    """A team with one seller, account, deal, contact and activity, named the same way
    in every team (look-alike data: only the team tells them apart)."""
    store = PipelineStore(db, team=team)
    store.add_seller("Tom Baker", "US")
    account = store.add_account("Tanaka Precision", "Japan")
    deal = store.add_deal(
        "Press line",
        "Tanaka Precision",
        owner="Tom Baker",
        amount=120_000,
        created_on=TODAY - timedelta(days=20),
        expected_close=TODAY + timedelta(days=90),
    )
    contact = store.add_contact(deal, "Kenji Sato", role="decision-maker")
    store.log_activity(deal, "video", with_=["Kenji Sato"], occurred_on=TODAY)
    from crossdeal.pipeline.jobs import create_job

    job = create_job(store, "deals.csv", 100, None)
    return {"deal_id": deal, "account_id": account, "contact_id": contact, "job_id": job}


class Api:
    """A signed-in client of one user."""

    def __init__(self, client: TestClient, token: str) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"}

    def __getattr__(self, method: str) -> Any:
        call = getattr(self.client, method)
        return lambda *args, **kw: call(*args, headers=self.headers | kw.pop("headers", {}), **kw)


@pytest.fixture
def server(database: Database) -> Iterator[dict[str, Any]]:
    users = UserStore(database)
    tokens = {}
    for email, team, role in (
        ("ana@example.com", "emea", "manager"),
        ("sam@example.com", "emea", "seller"),
        ("bea@example.com", "apac", "manager"),
    ):
        users.add_user(email, PASSWORD, team, role)
        tokens[email] = users.create_token(email, "tests")[1]
    records = {"emea": _team_with_a_deal(database, "emea")}
    records["apac"] = _team_with_a_deal(database, "apac")
    client = TestClient(create_app(database), raise_server_exceptions=False)
    yield {
        "client": client,
        "db": database,
        "ana": Api(client, tokens["ana@example.com"]),
        "sam": Api(client, tokens["sam@example.com"]),
        "bea": Api(client, tokens["bea@example.com"]),
        "records": records,
    }
    client.close()


def assert_error(response: Any, status: int, code: str, says: str = "") -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"status", "code", "message", "fields"}
    assert body["error"]["status"] == status and body["error"]["code"] == code
    assert says in body["error"]["message"]
    assert "Traceback" not in response.text


# --- the OpenAPI document ------------------------------------------------------------------


def test_the_committed_openapi_document_is_the_app() -> None:
    committed = (ROOT / "schemas" / "openapi.json").read_text(encoding="utf-8")
    assert committed == openapi_text(), "schemas/openapi.json is stale: run tools/export_schemas.py"


def _operations() -> list[tuple[str, str]]:
    document = json.loads(openapi_text())
    return [
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method in item
        if method in ("get", "post", "patch", "put", "delete")
    ]


# --- sign-in -----------------------------------------------------------------------------


def test_health_answers_without_sign_in(server: dict[str, Any]) -> None:
    response = server["client"].get("/api/v1/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["schema_revision"] == HEAD
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert "script-src" not in response.headers["content-security-policy"]  # self only
    assert server["client"].get("/docs").status_code == 404  # no page that loads a CDN


def test_every_route_but_health_and_sign_in_needs_a_token(server: dict[str, Any]) -> None:
    open_routes = {("GET", "/api/v1/health"), ("GET", "/openapi.json"), ("POST", "/api/v1/tokens")}
    checked = 0
    for method, path in _operations():
        if (method, path) in open_routes:
            continue
        url = path.replace("{deal_id}", "1").replace("{contact_id}", "1")
        url = url.replace("{account_id}", "1").replace("{token_id}", "1").replace("{name}", "JP")
        url = url.replace("{job_id}", "1")
        for headers in (
            {},
            {"Authorization": "Bearer cd_not-a-token"},
            {"Authorization": "Basic x"},
        ):
            response = server["client"].request(method, url, headers=headers, json={})
            assert_error(response, 401, "unauthorized")
            assert response.headers["www-authenticate"] == "Bearer"
        checked += 1
    assert checked >= 20


def test_a_token_signs_in_from_a_password_and_can_be_revoked(server: dict[str, Any]) -> None:
    client = server["client"]
    made = client.post(
        "/api/v1/tokens",
        json={"email": "ANA@example.com ", "password": PASSWORD, "name": "hubspot sync"},
    )
    assert made.status_code == 201, made.text
    token = made.json()["token"]
    api = Api(client, token)
    assert api.get("/api/v1/me").json() == {
        "email": "ana@example.com",
        "team": "emea",
        "role": "manager",
    }
    with server["db"].session() as s:  # only the hash is kept
        hashes = s.scalars(select(ApiToken.token_hash)).all()
        assert token not in hashes and len(hashes) == 4
    listed = {t["name"]: t for t in api.get("/api/v1/tokens").json()}
    assert listed["hubspot sync"]["last_used_at"] is not None
    assert api.delete(f"/api/v1/tokens/{made.json()['id']}").status_code == 204
    assert_error(api.get("/api/v1/me"), 401, "unauthorized", "unknown or revoked")
    # another user's token is not yours to revoke
    other = server["bea"].get("/api/v1/tokens").json()[0]["id"]
    assert_error(server["ana"].delete(f"/api/v1/tokens/{other}"), 404, "not_found")


def test_passwords_are_argon2id_and_rehashed_when_the_parameters_change(
    database: Database,
) -> None:
    from pwdlib.hashers.argon2 import Argon2Hasher

    users = UserStore(database)
    users.add_user("ana@example.com", PASSWORD, "emea", "manager")
    with database.session() as s:
        user = s.scalar(select(User))
        assert user is not None and user.password_hash.startswith("$argon2id$")
        # a hash made with weaker parameters, as an older release might have
        user.password_hash = Argon2Hasher(time_cost=1, memory_cost=8192).hash(PASSWORD)
        weak = user.password_hash
    assert users.authenticate("ana@example.com", PASSWORD).email == "ana@example.com"
    with database.session() as s:
        stored = s.scalar(select(User.password_hash))
    assert stored != weak and stored is not None and stored.startswith("$argon2id$")


def test_failed_sign_ins_are_limited_per_account(server: dict[str, Any]) -> None:
    client = server["client"]
    wrong = {"email": "ana@example.com", "password": "guess-guess", "name": "x"}
    for _ in range(5):
        assert_error(client.post("/api/v1/tokens", json=wrong), 401, "unauthorized", "wrong")
    right = wrong | {"password": PASSWORD}
    refused = client.post("/api/v1/tokens", json=right)
    assert_error(refused, 429, "too_many_attempts", "too many failed sign-ins")
    assert int(refused.headers["retry-after"]) > 0
    # another account from the same address is not locked out by these five
    ok = client.post("/api/v1/tokens", json=right | {"email": "bea@example.com"})
    assert ok.status_code == 201


def test_failed_sign_ins_are_limited_per_address(server: dict[str, Any]) -> None:
    client = server["client"]
    for n in range(20):
        body = {"email": f"nobody{n}@example.com", "password": "guess-guess", "name": "x"}
        assert client.post("/api/v1/tokens", json=body).status_code == 401
    right = {"email": "ana@example.com", "password": PASSWORD, "name": "x"}
    assert_error(client.post("/api/v1/tokens", json=right), 429, "too_many_attempts")


# --- one error shape, the CLI's messages ---------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "code", "says"),
    [
        (
            "POST",
            "/api/v1/briefings",
            {"seller": "US", "buyer": "Atlantis"},
            422,
            "invalid_input",
            "No culture matches 'Atlantis'",
        ),
        ("POST", "/api/v1/briefings", {"seller": 1}, 422, "invalid_input", "body.seller"),
        (
            "POST",
            "/api/v1/briefings",
            {"seller": "US", "buyer": "IN", "x": 1},
            422,
            "invalid_input",
            "body.x",
        ),
        ("POST", "/api/v1/lint", {"text": "", "to": "JP"}, 422, "invalid_input", "body.text"),
        ("GET", "/api/v1/deals?limit=0", None, 422, "invalid_input", "query.limit"),
        ("GET", "/api/v1/deals?outcome=maybe", None, 422, "invalid_input", "query.outcome"),
        ("GET", "/api/v1/deals/999", None, 404, "not_found", "there is no deal 999"),
        ("GET", "/api/v1/deals/abc", None, 422, "invalid_input", "path.deal_id"),
        ("GET", "/api/v1/deals/99999999999999999999", None, 422, "invalid_input", "deal_id"),
        ("GET", "/api/v1/nowhere", None, 404, "not_found", "no such page"),
        ("PUT", "/api/v1/deals", None, 405, "method_not_allowed", ""),
        (
            "POST",
            "/api/v1/deals",
            {"name": "X", "account": "Nobody Ltd"},
            404,
            "not_found",
            "no account called 'Nobody Ltd'",
        ),
        ("PATCH", "/api/v1/deals/1", {}, 422, "invalid_input", "nothing to change"),
        ("PATCH", "/api/v1/deals/1", {"amount": "-5"}, 422, "invalid_input", "negative"),
        (
            "POST",
            "/api/v1/deals/1/close",
            {"outcome": "lost"},
            422,
            "invalid_input",
            "say why the deal was lost",
        ),
        ("DELETE", "/api/v1/accounts/1", None, 403, "forbidden", "needs the manager role"),
    ],
)
def test_bad_requests_get_the_one_error_shape(
    server: dict[str, Any],
    method: str,
    path: str,
    body: Any,
    status: int,
    code: str,
    says: str,
) -> None:
    seller = server["sam"]
    response = (
        seller.request(method, path, json=body)
        if body is not None
        else seller.request(method, path)
    )
    assert_error(response, status, code, says)


def test_an_oversized_body_is_refused_before_it_is_read(server: dict[str, Any]) -> None:
    huge = b'{"text": "' + b"x" * 1_100_000 + b'", "to": "JP"}'
    response = server["sam"].post(
        "/api/v1/lint", content=huge, headers={"content-type": "application/json"}
    )
    assert_error(response, 413, "too_large")


def test_a_database_that_is_down_is_a_503_and_nothing_leaks(server: dict[str, Any]) -> None:
    from sqlalchemy import create_engine
    from sqlalchemy.orm import sessionmaker

    db = server["client"].app.state.db
    working = db.engine, db.sessions
    db.engine = create_engine("postgresql+psycopg://nobody@127.0.0.1:9/none")
    db.sessions = sessionmaker(db.engine)
    try:
        for response in (
            server["client"].get("/api/v1/health"),
            server["ana"].get("/api/v1/deals"),
        ):
            assert_error(response, 503, "unavailable", "try again shortly")
            assert "127.0.0.1" not in response.text and "nobody" not in response.text
    finally:
        db.engine.dispose()
        db.engine, db.sessions = working
    assert server["client"].get("/api/v1/health").status_code == 200  # and it recovers


def test_a_database_error_names_no_file_or_host(
    server: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from crossdeal.pipeline.db import Database, DatabaseError

    def unreadable(self: Database) -> str:
        raise DatabaseError(f"cannot open the database {self.describe()}: disk I/O error")

    monkeypatch.setattr(Database, "revision", unreadable)
    response = server["client"].get("/api/v1/health")
    assert_error(response, 503, "unavailable", "try again shortly")
    described = server["db"].describe()
    assert described not in response.text and "disk I/O" not in response.text


# --- the same answers as the CLI -----------------------------------------------------------


def test_a_briefing_is_the_one_the_cli_prints(server: dict[str, Any]) -> None:
    from typer.testing import CliRunner

    from crossdeal.cli import app

    cli = CliRunner().invoke(app, ["brief", "--seller", "US", "--buyer", "IN", "-f", "json"])
    assert cli.exit_code == 0
    api = server["sam"].post("/api/v1/briefings", json={"seller": "US", "buyer": "IN"})
    assert api.status_code == 200
    assert api.json() == json.loads(cli.output)


def test_a_briefing_for_the_buyers_region_is_the_one_the_cli_prints(
    server: dict[str, Any],
) -> None:
    from typer.testing import CliRunner

    from crossdeal.cli import app

    args = ["brief", "-s", "US", "-b", "DE", "--on", "2026-12-20", "--subdivision", "BY"]
    cli = CliRunner().invoke(app, [*args, "-f", "json"])
    assert cli.exit_code == 0, cli.output
    body = {"seller": "US", "buyer": "DE", "on": "2026-12-20", "subdivision": "BY"}
    api = server["sam"].post("/api/v1/briefings", json=body)
    assert api.status_code == 200
    assert api.json() == json.loads(cli.output)
    assert api.json()["practical"]["country"]["subdivision"] == "BY"
    wrong = server["sam"].post("/api/v1/briefings", json={**body, "subdivision": "XX"})
    assert_error(wrong, 422, "invalid_input")


def test_lint_and_reply_answer_as_the_cli_does(server: dict[str, Any]) -> None:
    from typer.testing import CliRunner

    from crossdeal.cli import app

    draft = "Hi Kenji, we need your decision by Friday. Please confirm ASAP."
    cli = CliRunner().invoke(app, ["lint", "-", "--to", "JP", "-f", "json"], input=draft)
    assert cli.exit_code == 0, cli.output
    api = server["sam"].post("/api/v1/lint", json={"text": draft, "to": "JP"})
    assert api.json() == json.loads(cli.output)
    assert api.json()["findings"]  # a deadline pushed on a Japanese reader is found
    reply = server["sam"].post(
        "/api/v1/replies", json={"text": "Yes, we will consider it positively.", "sender": "JP"}
    )
    assert reply.status_code == 200 and reply.json()["schema_version"] == "crossdeal.reply/1"


# --- the pipeline through the API ----------------------------------------------------------


def test_a_deal_is_edited_closed_and_reopened_with_its_history(server: dict[str, Any]) -> None:
    ana, deal = server["ana"], server["records"]["emea"]["deal_id"]
    seen = ana.get(f"/api/v1/deals/{deal}").json()
    assert seen["deal"]["name"] == "Press line" and seen["version"] == 1
    changed = ana.patch(
        f"/api/v1/deals/{deal}", json={"stage": "Negotiation", "version": seen["version"]}
    )
    assert changed.status_code == 200 and changed.json()["version"] == 2
    # a second manager who read version 1 gets a conflict, not an overwrite
    stale = server["sam"].patch(f"/api/v1/deals/{deal}", json={"stage": "Proposal", "version": 1})
    assert_error(stale, 409, "conflict", "changed by someone else")
    closed = ana.post(f"/api/v1/deals/{deal}/close", json={"outcome": "lost", "reason": "price"})
    assert closed.status_code == 200, closed.text
    listing = ana.get("/api/v1/deals").json()
    assert listing["total"] == 0
    # the kind of database, never its file or address
    assert listing["database"] in ("sqlite", "postgresql")
    assert ana.post(f"/api/v1/deals/{deal}/reopen", json={}).status_code == 200
    view = ana.get(f"/api/v1/deals/{deal}").json()
    assert view["deal"]["stage"] == "Negotiation"
    assert {e["by"] for e in view["history"]} == {"ana@example.com"}
    reasons = ana.get("/api/v1/close-reasons").json()
    assert "went-silent" in {r["id"] for r in reasons}


def test_committee_activities_and_deletion(server: dict[str, Any]) -> None:
    sam, ids = server["sam"], server["records"]["emea"]
    deal = ids["deal_id"]
    added = sam.post(
        f"/api/v1/deals/{deal}/committee", json={"name": "Aiko Mori", "role": "champion"}
    )
    assert added.status_code == 201
    logged = sam.post(
        f"/api/v1/deals/{deal}/activities",
        json={"channel": "email", "direction": "inbound", "note": "Sounds good, we will see."},
    )
    assert logged.status_code == 201
    view = sam.get(f"/api/v1/deals/{deal}").json()
    assert {c["name"] for c in view["committee"]} == {"Kenji Sato", "Aiko Mori"}
    removed = sam.delete(f"/api/v1/deals/{deal}/committee/{added.json()['id']}")
    assert removed.status_code == 200 and removed.json()["removed"]["committee memberships"] == 1
    assert_error(sam.delete(f"/api/v1/deals/{deal}"), 403, "forbidden", "manager role")
    gone = server["ana"].delete(f"/api/v1/deals/{deal}")
    assert gone.status_code == 200 and gone.json()["removed"]["activities"] == 2
    assert_error(sam.get(f"/api/v1/deals/{deal}"), 404, "not_found")
    account = server["ana"].delete(f"/api/v1/accounts/{ids['account_id']}")
    assert account.status_code == 200 and account.json()["kind"] == "account"


def test_export_is_formula_safe(server: dict[str, Any]) -> None:
    ana = server["ana"]
    ana.post("/api/v1/accounts", json={"name": '=HYPERLINK("x")', "country": "DE"})
    ana.post("/api/v1/deals", json={"name": "+cmd", "account": '=HYPERLINK("x")'})
    exported = ana.get("/api/v1/export?format=csv")
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    assert "'=HYPERLINK" in exported.text and "'+cmd" in exported.text
    as_json = ana.get("/api/v1/export?format=json").json()
    assert {d["name"] for d in as_json["deals"]} == {"Press line", "+cmd"}
    # a backup of the team: a zip that crossdeal import restores, raw text kept as typed
    import io
    import zipfile

    from crossdeal.pipeline.backup import BACKUP_ENTRY, Backup

    backup = ana.get("/api/v1/export?format=crossdeal")
    assert backup.status_code == 200 and backup.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(backup.content)) as zf:
        restored = Backup.model_validate_json(zf.read(BACKUP_ENTRY))
    assert restored.team == "emea" and restored.people is None
    assert {d.name for d in restored.deals} == {"Press line", "+cmd"}
    assert [c.name for c in restored.contacts] == ["Kenji Sato"]


def test_a_backup_is_restored_into_an_empty_team_only(server: dict[str, Any]) -> None:
    db, ana = server["db"], server["ana"]
    users = UserStore(db)
    users.add_user("rita@example.com", PASSWORD, "newco", "manager")
    rita = Api(server["client"], users.create_token("rita@example.com", "tests")[1])
    backup = ana.get("/api/v1/export?format=crossdeal").content
    others = {team: _snapshot(db, team) for team in ("emea", "apac")}

    restored = rita.post("/api/v1/restores", files={"file": ("emea.zip", backup, "x")})
    assert restored.status_code == 200, restored.text
    report = restored.json()
    assert report["team"] == "newco" and report["source_team"] == "emea"
    assert (report["deals"], report["contacts"], report["activities"]) == (1, 1, 1)
    assert report["file"] == "emea.zip" and report["left_in_file"] == []
    assert [d["name"] for d in rita.get("/api/v1/deals").json()["deals"]] == ["Press line"]
    # the other teams are as they were, and newco now holds what emea held
    assert {team: _snapshot(db, team) for team in ("emea", "apac")} == others
    assert [row[1:] for row in _snapshot(db, "newco")[0]] == [row[1:] for row in others["emea"][0]]

    again = rita.post("/api/v1/restores", files={"file": ("emea.zip", backup, "x")})
    assert_error(again, 409, "conflict", "already holds records")
    # a backup larger than the API's 1 MB body limit reaches the route (it is an upload)
    large = b"PK\x03\x04" + b"\0" * 1_500_000
    too_big_for_json = rita.post("/api/v1/restores", files={"file": ("big.zip", large, "x")})
    assert_error(too_big_for_json, 422, "invalid_input", "big.zip is not a readable zip file")
    csv = b"Record ID,Deal Name\n1,x\n"
    not_a_backup = rita.post("/api/v1/restores", files={"file": ("deals.csv", csv, "x")})
    assert_error(not_a_backup, 422, "invalid_input", "POST /api/v1/imports")
    assert_error(
        ana.post("/api/v1/restores", files={"file": ("emea.zip", backup, "x")}),
        409,
        "conflict",
        "team 'emea' already holds records",
    )


# --- who may do what -----------------------------------------------------------------------


def test_every_route_has_a_line_in_the_role_table() -> None:
    from crossdeal.server.roles import PREFIX, PUBLIC, ROUTE_ROLES

    served = {(m, p.removeprefix(PREFIX)) for m, p in _operations() if p.startswith(PREFIX)}
    assert served - PUBLIC == set(ROUTE_ROLES), "give the route a line in roles.ROUTE_ROLES"
    assert served >= PUBLIC


def _manager_routes() -> list[tuple[str, str]]:
    from crossdeal.server.roles import PREFIX, ROUTE_ROLES

    return sorted((m, PREFIX + p) for (m, p), role in ROUTE_ROLES.items() if role == "manager")


# what a manager sends to each manager route (a seller sending the same is refused)
MANAGER_CALLS: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "/api/v1/personal-data"): {"json": {"name": "Kenji Sato"}},
    ("POST", "/api/v1/erasures"): {"json": {"name": "Kenji Sato", "dry_run": True}},
    ("POST", "/api/v1/restores"): {"files": {"file": ("backup.zip", b"PK\x03\x04", "x")}},
}
# what a manager gets where it is not 200: the role check passed, the request did not
MANAGER_ANSWERS = {("POST", "/api/v1/restores"): 422}  # not a readable backup


@pytest.mark.parametrize(("method", "path"), _manager_routes())
def test_a_seller_cannot_do_what_needs_a_manager(
    server: dict[str, Any], method: str, path: str
) -> None:
    emea = server["records"]["emea"]
    url = path.replace("{deal_id}", str(emea["deal_id"]))
    url = url.replace("{account_id}", str(emea["account_id"]))
    call = MANAGER_CALLS.get((method, path), {})
    before = _snapshot(server["db"], "emea")
    response = server["sam"].request(method, url, **call)
    assert_error(response, 403, "forbidden", "this needs the manager role; you are a seller")
    assert _snapshot(server["db"], "emea") == before
    answered = server["ana"].request(method, url, **call).status_code  # a manager may
    assert answered == MANAGER_ANSWERS.get((method, path), 200)


def test_a_persons_data_and_its_erasure_stay_in_the_team(server: dict[str, Any]) -> None:
    ana, bea = server["ana"], server["bea"]
    held = ana.post("/api/v1/personal-data", json={"name": "kenji sato"}).json()
    assert held["team"] == "emea" and held["saved_person"] is None
    assert [c["id"] for c in held["contacts"]] == [server["records"]["emea"]["contact_id"]]
    dry = bea.post("/api/v1/erasures", json={"name": "Kenji Sato", "dry_run": True}).json()
    assert dry["team"] == "apac" and dry["removed"]["contacts"] == 1
    assert bea.post("/api/v1/personal-data", json={"name": "Kenji Sato"}).json()["contacts"]
    erased = bea.post("/api/v1/erasures", json={"name": "Kenji Sato"}).json()
    assert erased["removed"]["contacts"] == 1
    gone = bea.post("/api/v1/personal-data", json={"name": "Kenji Sato"})
    assert_error(gone, 404, "not_found", "Kenji Sato")
    # emea's Kenji Sato, who looks just the same, is untouched
    assert (
        len(ana.post("/api/v1/personal-data", json={"name": "Kenji Sato"}).json()["contacts"]) == 1
    )
    assert_error(ana.post("/api/v1/erasures", json={}), 422, "invalid_input", "body.name")


def test_a_route_without_a_line_is_refused_to_everybody(
    server: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from crossdeal.server import roles

    table = dict(roles.ROUTE_ROLES)
    del table[("GET", "/accounts")]
    monkeypatch.setattr(roles, "ROUTE_ROLES", table)
    assert_error(server["ana"].get("/api/v1/accounts"), 403, "forbidden", "not open to any role")
    assert server["ana"].get("/api/v1/deals").status_code == 200
    # signing in and the health check stay open without a token
    assert server["client"].get("/api/v1/health").status_code == 200


# --- teams never see each other ------------------------------------------------------------

# How the isolation test calls each route that names a record: the body it sends. A new
# route that names a record fails the test below until it is added here.
ISOLATION_CALLS: dict[tuple[str, str], Any] = {
    ("GET", "/api/v1/deals/{deal_id}"): None,
    ("PATCH", "/api/v1/deals/{deal_id}"): {"stage": "Stolen"},
    ("DELETE", "/api/v1/deals/{deal_id}"): None,
    ("POST", "/api/v1/deals/{deal_id}/close"): {"outcome": "won"},
    ("POST", "/api/v1/deals/{deal_id}/reopen"): {},
    ("POST", "/api/v1/deals/{deal_id}/committee"): {"name": "Mole", "role": "champion"},
    ("DELETE", "/api/v1/deals/{deal_id}/committee/{contact_id}"): None,
    ("POST", "/api/v1/deals/{deal_id}/activities"): {"channel": "call"},
    ("DELETE", "/api/v1/accounts/{account_id}"): None,
    ("DELETE", "/api/v1/tokens/{token_id}"): None,
    ("GET", "/api/v1/imports/{job_id}"): None,
}
# routes that name no record: their answers must hold only the caller's team
LISTINGS = (
    "/api/v1/deals?outcome=all",
    "/api/v1/accounts",
    "/api/v1/forecast",
    "/api/v1/sellers",
    "/api/v1/contacts",
)


def test_every_route_that_names_a_record_is_in_the_isolation_test() -> None:
    named = {(m, p) for m, p in _operations() if "{" in p and p != "/api/v1/cultures/{name}"}
    assert named == set(ISOLATION_CALLS), "add the new route to ISOLATION_CALLS"


def _snapshot(db: Database, team: str) -> Any:
    store = PipelineStore(db, team=team)
    deals = store.deals(outcome=None)
    return (
        [(d.id, d.name, d.stage, d.outcome) for d in deals.deals],
        [(a.id, a.name, a.contacts) for a in store.accounts().accounts],
        [(c.id, c.name) for d in deals.deals for c in store.deal(d.id, brief=False).committee],
        [len(store.deal(d.id, brief=False).activities) for d in deals.deals],
    )


@pytest.mark.parametrize(("method", "path"), sorted(ISOLATION_CALLS))
def test_another_team_gets_404_for_every_record(
    server: dict[str, Any], method: str, path: str
) -> None:
    emea = server["records"]["emea"]
    token_of_ana = server["ana"].get("/api/v1/tokens").json()[0]["id"]
    url = (
        path.replace("{deal_id}", str(emea["deal_id"]))
        .replace("{contact_id}", str(emea["contact_id"]))
        .replace("{account_id}", str(emea["account_id"]))
        .replace("{token_id}", str(token_of_ana))
        .replace("{job_id}", str(emea["job_id"]))
    )
    before = _snapshot(server["db"], "emea")
    body = ISOLATION_CALLS[(method, path)]
    bea = server["bea"]  # a manager of apac, whose records look just like emea's
    response = bea.request(method, url, json=body) if body is not None else bea.request(method, url)
    assert_error(response, 404, "not_found")
    assert _snapshot(server["db"], "emea") == before
    assert server["ana"].get("/api/v1/me").status_code == 200  # ana's token still works


def test_listings_hold_only_the_callers_team(server: dict[str, Any]) -> None:
    PipelineStore(server["db"], team="emea").add_account("Only in EMEA GmbH", "Germany")
    for path in LISTINGS:
        emea = server["ana"].get(path).json()
        apac = server["bea"].get(path).json()
        assert emea["team"] == "emea" and apac["team"] == "apac"
    emea_accounts = {a["name"] for a in server["ana"].get("/api/v1/accounts").json()["accounts"]}
    apac_accounts = {a["name"] for a in server["bea"].get("/api/v1/accounts").json()["accounts"]}
    assert emea_accounts == {"Tanaka Precision", "Only in EMEA GmbH"}
    assert apac_accounts == {"Tanaka Precision"}
    assert server["ana"].get("/api/v1/deals").json()["total"] == 1
    emea_contacts = {c["id"] for c in server["ana"].get("/api/v1/contacts").json()["contacts"]}
    apac_contacts = {c["id"] for c in server["bea"].get("/api/v1/contacts").json()["contacts"]}
    assert server["records"]["emea"]["contact_id"] in emea_contacts - apac_contacts
    assert_error(server["ana"].get("/api/v1/contacts?account=Nowhere Ltd"), 404, "not_found")
    exported = server["bea"].get("/api/v1/export?format=json").json()["deals"]
    assert len(exported) == 1 and exported[0]["id"] == server["records"]["apac"]["deal_id"]
    # apac's own records under the same numbers as emea's? no: ids are global, so the
    # apac deal has its own number, and emea's number is not found for apac
    apac_deal = server["records"]["apac"]["deal_id"]
    assert apac_deal != server["records"]["emea"]["deal_id"]
    assert server["bea"].get(f"/api/v1/deals/{apac_deal}").status_code == 200


def test_the_forecast_the_backtest_and_the_gap(server: dict[str, Any]) -> None:
    ana = server["ana"]
    report = ana.get("/api/v1/forecast?by=owner&quarter=2099Q1").json()
    assert report["team"] == "emea" and report["by"] == "owner" and report["period"] == "2099Q1"
    assert all(d["p_win_in_period"] == 0 for d in report["deals"])
    # nothing closed yet: nothing to replay, said in words
    assert_error(ana.get("/api/v1/backtest"), 422, "invalid_input", "no closed deal")
    gap = ana.get("/api/v1/gap?target=1000000&period=2099Q1&inbound_leads=50").json()
    assert gap["schema_version"] == "crossdeal.gap/1" and gap["gap"] > 0
    assert any("No closed deals" in note for note in gap["notes"])
    assert_error(ana.get("/api/v1/gap?target=100&period=2020Q1"), 422, "invalid_input", "over")
    assert ana.get("/api/v1/gap?target=100&period=2027Q9").status_code == 422


# --- the command line ----------------------------------------------------------------------


def test_users_and_tokens_from_the_cli(crossdeal_home: Path) -> None:
    from typer.testing import CliRunner

    from crossdeal.cli import app

    runner = CliRunner()
    added = runner.invoke(
        app,
        [
            "users",
            "add",
            "Ana@Example.com",
            "--team",
            "emea",
            "--role",
            "manager",
            "--password-stdin",
        ],
        input=PASSWORD + "\n",
    )
    assert added.exit_code == 0, added.output
    assert "ana@example.com" in runner.invoke(app, ["users"]).output
    short = runner.invoke(
        app, ["users", "add", "bob@example.com", "--password-stdin"], input="short\n"
    )
    assert short.exit_code == 2 and "at least 10 characters" in short.output
    again = runner.invoke(
        app, ["users", "add", "ana@example.com", "--password-stdin"], input=PASSWORD + "\n"
    )
    assert again.exit_code == 2 and "already" in again.output
    made = runner.invoke(
        app, ["tokens", "create", "--name", "hubspot sync", "--user", "ana@example.com"]
    )
    assert made.exit_code == 0, made.output
    token = made.stdout.strip().splitlines()[-1]
    assert token.startswith("cd_") and len(token) > 40
    assert UserStore(Database()).user_for_token(token).team == "emea"
    assert "hubspot sync" in runner.invoke(app, ["tokens"]).output
    assert runner.invoke(app, ["tokens", "revoke", "1"]).exit_code == 0
    assert "revoked" in runner.invoke(app, ["tokens"]).output


def test_serve_without_users_says_how_to_add_the_first_admin(crossdeal_home: Path) -> None:
    from typer.testing import CliRunner

    from crossdeal.cli import app

    result = CliRunner().invoke(app, ["serve"])
    assert result.exit_code == 2
    assert "crossdeal users add EMAIL --role admin" in result.output


def test_sign_ins_sent_at_once_are_limited_all_the_same(database: Database) -> None:
    import threading

    from crossdeal.auth.store import AuthError, TooManyAttempts
    from crossdeal.pipeline.models import LoginFailure

    users = UserStore(database)
    users.add_user("ana@example.com", PASSWORD, "emea", "manager")
    outcomes: list[str] = []

    def attempt() -> None:
        try:
            users.authenticate("ana@example.com", "guess-guess", "10.0.0.1")
        except AuthError:
            outcomes.append("wrong")
        except TooManyAttempts:
            outcomes.append("limited")

    threads = [threading.Thread(target=attempt) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    # only five passwords were checked; the other attempts were refused before it
    assert outcomes.count("wrong") == 5 and outcomes.count("limited") == 11
    with database.session() as s:
        assert s.scalar(select(func.count()).select_from(LoginFailure)) == 5
    with pytest.raises(TooManyAttempts):
        users.authenticate("ana@example.com", PASSWORD, "10.0.0.2")


def _attempts(database: Database, address: str, count: int, ago: float, in_flight: bool) -> None:
    from crossdeal.pipeline.models import LoginFailure

    at = datetime.now(UTC).replace(tzinfo=None) - timedelta(seconds=ago)
    with database.session() as s:
        s.add_all(
            LoginFailure(email=f"u{i}@example.com", address=address, at=at, in_flight=in_flight)
            for i in range(count)
        )


@pytest.mark.parametrize(
    ("ago", "in_flight", "wait"),
    [
        (1, True, BUSY_RETRY_SECONDS),  # colleagues' passwords being checked: wait a moment
        (1, False, 900),  # twenty failures: the address waits out the window
        (120, True, 900),  # attempts cut off mid-check long ago count as failures
    ],
)
def test_an_address_waits_a_moment_for_sign_ins_in_flight_and_long_for_failures(
    database: Database, ago: float, in_flight: bool, wait: int
) -> None:
    from crossdeal.auth.store import MAX_IN_FLIGHT_PER_ADDRESS, TooManyAttempts

    users = UserStore(database)
    users.add_user("ana@example.com", PASSWORD, "emea", "manager")
    _attempts(database, "10.0.0.9", MAX_IN_FLIGHT_PER_ADDRESS, ago, in_flight)
    with pytest.raises(TooManyAttempts) as refused:
        users.authenticate("ana@example.com", PASSWORD, "10.0.0.9")
    assert refused.value.retry_after == wait
    # another address is not affected
    assert users.authenticate("ana@example.com", PASSWORD, "10.0.0.8").email == "ana@example.com"


def test_colleagues_signing_in_at_once_from_one_address_all_get_in(
    database: Database,
) -> None:
    import threading
    import time

    from crossdeal.auth.store import TooManyAttempts
    from crossdeal.pipeline.models import LoginFailure

    users = UserStore(database)
    emails = [f"seller{i}@example.com" for i in range(24)]
    for email in emails:
        users.add_user(email, PASSWORD, "emea", "seller")
    _attempts(database, "10.0.0.1", 12, 1, True)  # others from the office, mid-check
    signed: list[str] = []
    refused: list[int] = []

    def sign_in(email: str) -> None:
        for _ in range(400):  # bounded: a refusal says how long to wait
            try:
                signed.append(users.authenticate(email, PASSWORD, "10.0.0.1").email)
                return
            except TooManyAttempts as error:
                refused.append(error.retry_after)
                if error.retry_after > BUSY_RETRY_SECONDS:
                    return
                time.sleep(0.02)

    threads = [threading.Thread(target=sign_in, args=(e,)) for e in emails]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(signed) == sorted(emails)
    assert all(wait == BUSY_RETRY_SECONDS for wait in refused)
    with database.session() as s:  # only the twelve planted attempts are left
        assert s.scalar(select(func.count()).select_from(LoginFailure)) == 12


def test_a_failed_sign_in_is_settled_once_its_password_is_checked(database: Database) -> None:
    from crossdeal.auth.store import AuthError
    from crossdeal.pipeline.models import LoginFailure

    users = UserStore(database)
    users.add_user("ana@example.com", PASSWORD, "emea", "manager")
    with pytest.raises(AuthError):
        users.authenticate("ana@example.com", "guess-guess", "10.0.0.1")
    with database.session() as s:
        assert s.scalars(select(LoginFailure.in_flight)).all() == [False]


def test_an_unexpected_error_is_a_500_with_the_shape_and_the_headers(
    server: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: Any, **_kw: Any) -> None:
        raise RuntimeError("a bug with a secret in it: hunter2")

    monkeypatch.setattr(PipelineStore, "deals", broken)
    response = server["sam"].get("/api/v1/deals")
    assert_error(response, 500, "internal", "it has been logged")
    assert "hunter2" not in response.text
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


def test_a_body_too_large_without_a_length_is_a_413(server: dict[str, Any]) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"to": "JP", "text": "'
        for _ in range(12):
            yield b"x" * 100_000
        yield b'"}'

    response = server["sam"].post(
        "/api/v1/lint", content=chunks(), headers={"content-type": "application/json"}
    )
    assert_error(response, 413, "too_large")
