"""PostgreSQL's row-level security as a second guard: a transaction marked for one team
(as the server marks every request's) reads, changes and adds only that team's rows,
even with a query that has no team filter at all. Connected as an ordinary role, since
a superuser is never limited by the policies."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from crossdeal.pipeline.db import Database
from crossdeal.pipeline.store import PipelineStore

# PostgreSQL only: SQLite has no row-level security (the store's own filters guard it)
pytestmark = pytest.mark.parametrize("database", ["postgresql"], indirect=True)


@pytest.fixture
def app_role(database: Database) -> Iterator[dict[str, Any]]:
    ids = {}
    for team, country in (("emea", "Germany"), ("apac", "Japan")):
        store = PipelineStore(database, team=team)
        store.add_account("Tanaka Precision", country)
        store.add_deal("Press line", "Tanaka Precision", amount=100_000)
        store.add_deal("Spare parts", "Tanaka Precision", amount=20_000)
        ids[team] = store.team_id
    role = f"crossdeal_app_{uuid.uuid4().hex[:8]}"
    with database.engine.begin() as conn:
        schema = conn.execute(sa.text("SELECT current_schema()")).scalar_one()
        for statement in (
            f'CREATE ROLE "{role}" LOGIN NOSUPERUSER NOBYPASSRLS',
            f'GRANT USAGE ON SCHEMA "{schema}" TO "{role}"',
            f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "{schema}" TO "{role}"',
            f'GRANT USAGE ON ALL SEQUENCES IN SCHEMA "{schema}" TO "{role}"',
        ):
            conn.execute(sa.text(statement))
    as_app = Database(
        make_url(database.url).set(username=role).render_as_string(hide_password=False),
        migrate=False,
    )
    try:
        yield {"db": as_app, "owner": database, "ids": ids}
    finally:
        as_app.dispose()
        with database.engine.begin() as conn:
            conn.execute(sa.text(f'DROP OWNED BY "{role}"'))
            conn.execute(sa.text(f'DROP ROLE "{role}"'))


def _count(db: Database, table: str) -> int:
    with db.engine.connect() as conn:
        return int(conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one())


def test_a_query_without_a_team_filter_still_sees_one_team(app_role: dict[str, Any]) -> None:
    apac = app_role["db"].for_team(app_role["ids"]["apac"])
    assert _count(apac, "deals") == 2 and _count(apac, "accounts") == 1
    with apac.engine.connect() as conn:
        countries = conn.execute(sa.text("SELECT country FROM accounts")).scalars().all()
    assert countries == ["Japan"]
    # the command line's transactions say they act for every team
    assert _count(app_role["db"], "deals") == 4


def test_a_transaction_that_says_nothing_sees_and_writes_nothing(
    app_role: dict[str, Any],
) -> None:
    # a tool connecting as the server's role without crossdeal's mark (psql, a report,
    # a code path that forgot for_team) fails closed
    bare = sa.create_engine(app_role["db"].engine.url)
    try:
        with bare.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM deals")).scalar_one() == 0
            conn.execute(sa.text("SELECT set_config('crossdeal.team_id', '', false)"))
            assert conn.execute(sa.text("SELECT count(*) FROM accounts")).scalar_one() == 0
        with pytest.raises(sa.exc.ProgrammingError, match="row-level security"), bare.begin() as c:
            c.execute(
                sa.text(
                    "INSERT INTO accounts (team_id, name, observations, source) "
                    "VALUES (:t, 'Planted GmbH', '', 'crossdeal')"
                ),
                {"t": app_role["ids"]["emea"]},
            )
    finally:
        bare.dispose()
    # the server's view: nothing until a request marks its team
    server = app_role["db"].teams_only()
    assert _count(server, "deals") == 0 and _count(server, "forecast_models") == 0
    assert _count(server.for_team(app_role["ids"]["emea"]), "deals") == 2


def test_an_unfiltered_change_touches_only_the_marked_team(app_role: dict[str, Any]) -> None:
    apac = app_role["db"].for_team(app_role["ids"]["apac"])
    with apac.engine.begin() as conn:
        changed = conn.execute(sa.text("UPDATE deals SET stage = 'Lost in a bug'")).rowcount
        removed = conn.execute(sa.text("DELETE FROM deals WHERE amount < 50000")).rowcount
    assert (changed, removed) == (2, 1)
    with app_role["owner"].engine.connect() as conn:
        emea = conn.execute(
            sa.text("SELECT count(*), count(stage) FROM deals WHERE team_id = :t"),
            {"t": app_role["ids"]["emea"]},
        ).one()
    assert tuple(emea) == (2, 0)  # emea's two deals, untouched


def test_a_row_for_another_team_cannot_be_written(app_role: dict[str, Any]) -> None:
    apac = app_role["db"].for_team(app_role["ids"]["apac"])
    planted = sa.text(
        "INSERT INTO accounts (team_id, name, observations, source) "
        "VALUES (:t, 'Planted GmbH', '', 'crossdeal')"
    )
    with (
        pytest.raises(sa.exc.ProgrammingError, match="row-level security"),
        apac.engine.begin() as conn,
    ):
        conn.execute(planted, {"t": app_role["ids"]["emea"]})
    assert _count(app_role["owner"], "accounts") == 2


def test_the_store_works_unchanged_under_the_policies(app_role: dict[str, Any]) -> None:
    from crossdeal.pipeline import edits

    team_id = app_role["ids"]["apac"]
    store = PipelineStore(app_role["db"].for_team(team_id), team="apac", team_id=team_id)
    listing = store.deals()
    assert listing.total == 2
    deal = listing.deals[0].id
    store.add_contact(deal, "Kenji Sato", role="decision-maker")
    store.log_activity(deal, "video", with_=["Kenji Sato"])
    edits.update_deal(store, deal, edits.DealUpdate(stage="Negotiation"), by="tests")
    view = store.deal(deal)
    assert view.deal.stage == "Negotiation" and view.committee[0].met
    assert len(view.history) == 1


def test_the_server_marks_every_request_so_a_forgotten_filter_cannot_leak(
    app_role: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    import warnings

    from sqlalchemy import func, select

    from crossdeal.auth.store import UserStore
    from crossdeal.pipeline.models import Deal
    from crossdeal.server import create_app

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    users = UserStore(app_role["db"])
    users.add_user("bea@example.com", "correct horse battery", "apac", "manager")
    token = users.create_token("bea@example.com", "tests")[1]

    def count_forgetting_the_team(self: PipelineStore, s: Any, outcome: Any, culture: Any) -> int:
        return int(s.connection().execute(select(func.count()).select_from(Deal)).scalar_one())

    # a bug: the listing's count no longer filters by team
    monkeypatch.setattr(PipelineStore, "_count", count_forgetting_the_team)
    client = TestClient(create_app(app_role["db"]))
    listing = client.get(
        "/api/v1/deals?limit=1", headers={"Authorization": f"Bearer {token}"}
    ).json()
    assert listing["team"] == "apac" and listing["total"] == 2  # not emea's too
    client.close()
