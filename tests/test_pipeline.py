"""The pipeline on a real database (SQLite and PostgreSQL): data, teams, risk signals."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

import pytest

from crossdeal.errors import InputError, UnknownCultureError
from crossdeal.pipeline.db import HEAD, Database, DatabaseError
from crossdeal.pipeline.demo import generate
from crossdeal.pipeline.export import neutralise, write_csv
from crossdeal.pipeline.models import Account, Seller
from crossdeal.pipeline.signals import DealFacts
from crossdeal.pipeline.store import NotFoundError, PipelineStore, TeamNotEmptyError

TODAY = date.today()


def ids(deal) -> set[str]:  # type: ignore[no-untyped-def]
    return {s.id for s in deal.signals}


@pytest.fixture
def store(database: Database) -> PipelineStore:
    s = PipelineStore(database)
    s.add_seller("Tom Baker", "US")
    return s


def _deal(store: PipelineStore, account: str, country: str, **kw) -> int:  # type: ignore[no-untyped-def]
    store.add_account(account, country)
    defaults = {
        "owner": "Tom Baker",
        "amount": 250_000,
        "created_on": TODAY - timedelta(days=10),
        "expected_close": TODAY + timedelta(days=120),
    }
    defaults.update(kw)
    return store.add_deal(f"Deal with {account}", account, **defaults)


def test_the_schema_is_created_and_at_the_newest_migration(database: Database) -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", "crossdeal.pipeline:migrations")
    assert ScriptDirectory.from_config(config).get_current_head() == HEAD
    assert database.revision() == HEAD
    database.migrate()  # idempotent
    assert database.revision() == HEAD


def test_the_migrations_build_exactly_the_models(database: Database) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from crossdeal.pipeline.models import Base

    with database.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []


def test_a_deal_with_committee_activities_and_briefing(store: PipelineStore) -> None:
    deal_id = _deal(
        store, "Tanaka Precision", "Japan", budget_confirmed=True, need="line monitoring"
    )
    store.add_contact(deal_id, "Kenji Sato", role="decision-maker")
    store.add_contact(deal_id, "Yuki Suzuki", role="user", culture="JP")
    store.log_activity(deal_id, "video", ["Kenji Sato"], "first demo")
    store.log_activity(
        deal_id, "email", ["yuki suzuki"], "Of course, no problem.", direction="inbound"
    )
    view = store.deal(deal_id)
    assert view.deal.culture == "JPN" and view.deal.owner == "Tom Baker"
    assert (
        view.budget_confirmed and not view.authority_identified and view.need == "line monitoring"
    )
    assert {(c.name, c.role, c.met) for c in view.committee} == {
        ("Kenji Sato", "decision-maker", True),
        ("Yuki Suzuki", "user", False),
    }
    assert [a.unqualified_yes for a in view.activities] == [False, True]
    assert view.briefing is not None and view.briefing.buyer.code == "JPN"
    assert "unqualified-yes-logged" in ids(view.deal)


@pytest.mark.parametrize(
    ("country", "setup", "expected", "absent"),
    [
        # one contact where a group decides
        (
            "Japan",
            lambda s, d: s.add_contact(d, "Kenji Sato", role="champion"),
            {"single-threaded"},
            set(),
        ),
        (
            "Sweden",
            lambda s, d: s.add_contact(d, "Erik Hansen", role="champion"),
            {"single-threaded"},
            set(),
        ),
        (
            "United States",
            lambda s, d: s.add_contact(d, "Mike Brown", role="champion"),
            set(),
            {"single-threaded"},
        ),
        # three contacts by email only, in a relationship culture
        (
            "Indonesia",
            lambda s, d: [s.log_activity(d, "email") for _ in range(3)],
            {"no-face-time"},
            set(),
        ),
        (
            "Netherlands",
            lambda s, d: [s.log_activity(d, "email") for _ in range(3)],
            set(),
            {"no-face-time"},
        ),
        # the decider never met, in a hierarchical culture
        (
            "India",
            lambda s, d: s.add_contact(d, "Priya Raman", role="decision-maker"),
            {"decision-maker-not-met"},
            set(),
        ),
        (
            "Denmark",
            lambda s, d: s.add_contact(d, "Lars Jensen", role="decision-maker"),
            set(),
            {"decision-maker-not-met"},
        ),
    ],
)
def test_risk_signals_follow_the_buyer_culture(store, country, setup, expected, absent) -> None:  # type: ignore[no-untyped-def]
    deal_id = _deal(store, f"Account in {country}", country, authority_identified=True)
    setup(store, deal_id)
    found = ids(store.deal(deal_id).deal)
    assert expected <= found, found
    assert not (absent & found), found


def test_standard_offer_from_notes_and_pace_mismatch(store: PipelineStore) -> None:
    deal_id = _deal(
        store,
        "Huaxin Components",
        "China",
        notes="Sent our standard package, no exceptions.",
        created_on=TODAY - timedelta(days=5),
        expected_close=TODAY + timedelta(days=25),
    )
    found = ids(store.deal(deal_id).deal)
    assert {"standard-offer", "pace-mismatch"} <= found


def test_closed_deals_carry_no_signals_and_filters_work(store: PipelineStore) -> None:
    _deal(store, "Open in Japan", "Japan")
    _deal(
        store,
        "Won in Brazil",
        "Brazil",
        created_on=TODAY - timedelta(days=200),
        expected_close=None,
        closed_on=TODAY - timedelta(days=20),
        outcome="won",
    )
    assert [d.account for d in store.deals(outcome="won").deals] == ["Won in Brazil"]
    assert store.deals(outcome="won").deals[0].signals == []
    assert [d.account for d in store.deals(country="JP").deals] == ["Open in Japan"]
    assert store.deals(country="Brazil").total == 0  # only open deals by default
    assert {d.account for d in store.deals(outcome=None).deals} == {
        "Open in Japan",
        "Won in Brazil",
    }
    at_risk = store.deals(at_risk=True)
    assert all(d.worst in ("watch", "high") for d in at_risk.deals)


def test_one_team_never_sees_another(database: Database) -> None:
    north, south = PipelineStore(database, "north"), PipelineStore(database, "south")
    north.add_account("Secret Account", "Germany")
    deal_id = north.add_deal("Secret deal", "Secret Account", amount=10)
    assert south.deals(outcome=None).total == 0
    with pytest.raises(NotFoundError, match="no deal"):
        south.deal(deal_id)
    with pytest.raises(NotFoundError):
        south.add_deal("Peek", "Secret Account")
    with pytest.raises(NotFoundError):
        south.log_activity(deal_id, "call")
    assert north.deals(outcome=None).total == 1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"amount": -5}, "negative"),
        ({"created_on": TODAY + timedelta(days=3)}, "in the future"),
        ({"closed_on": TODAY - timedelta(days=1)}, "open deal cannot have a close date"),
        ({"outcome": "maybe"}, "not one of"),
        ({"expected_close": TODAY - timedelta(days=40)}, "before the deal was created"),
    ],
)
def test_bad_deals_are_refused(store: PipelineStore, kwargs: dict, message: str) -> None:
    store.add_account("Acme", "US")
    with pytest.raises(InputError, match=message):
        store.add_deal("x", "Acme", **{"created_on": TODAY - timedelta(days=10), **kwargs})
    assert store.deals(outcome=None).total == 0


def test_bad_contacts_and_activities_are_refused(store: PipelineStore) -> None:
    deal_id = _deal(store, "Acme", "US")
    with pytest.raises(InputError, match="role 'boss'"):
        store.add_contact(deal_id, "Ann", role="boss")
    with pytest.raises(InputError, match="channel 'fax'"):
        store.log_activity(deal_id, "fax")
    with pytest.raises(InputError, match="in the future"):
        store.log_activity(deal_id, "call", occurred_on=TODAY + timedelta(days=1))
    with pytest.raises(NotFoundError, match="not on deal"):
        store.log_activity(deal_id, "call", ["Nobody"])
    with pytest.raises(UnknownCultureError):
        store.add_account("Nowhere Inc", "Atlantis")


def test_demo_pipeline_is_realistic_and_reproducible(database: Database) -> None:
    store = PipelineStore(database, "demo")
    first, again = generate(seed=3), generate(seed=3)
    assert [d.key for d in first.deals] == [d.key for d in again.deals]
    assert [(d.amount, d.outcome, d.created_on) for d in first.deals] == [
        (d.amount, d.outcome, d.created_on) for d in again.deals
    ]
    assert len({c for _, c, _ in first.accounts}) >= 20
    assert len({c for _, c in first.sellers}) >= 3
    outcomes = {d.outcome for d in first.deals}
    assert outcomes == {"won", "lost", "open"}
    span = max(d.created_on for d in first.deals) - min(d.created_on for d in first.deals)
    assert span.days > 600
    store.load_demo(first)
    with pytest.raises(TeamNotEmptyError, match="already holds"):
        store.load_demo(first)
    store.load_demo(first, reset=True)  # replacing, not adding
    listing = store.deals(outcome=None)
    assert listing.total == len(first.deals)
    assert store.deals(at_risk=True).total > 0


def test_export_neutralises_formulas() -> None:
    assert neutralise('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert neutralise("+1+cmd") == "'+1+cmd"
    assert neutralise("@SUM(A1)") == "'@SUM(A1)"
    assert neutralise("-42") == "-42"
    assert neutralise("Acme") == "Acme"
    out = io.StringIO()
    write_csv([{"name": '=HYPERLINK("http://evil","click")', "amount": 5}], out)
    assert out.getvalue().splitlines()[1].startswith("\"'=HYPERLINK")


def test_export_rows_cover_every_deal(store: PipelineStore) -> None:
    _deal(store, "=cmd|' /C calc'!A0", "Germany")
    rows = list(store.export_rows())
    assert len(rows) == 1
    out = io.StringIO()
    write_csv(rows, out)
    assert "'=cmd" in out.getvalue()


def test_a_bad_database_url_is_a_clear_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DatabaseError, match="not a database URL"):
        Database("not a url")
    with pytest.raises(DatabaseError, match="cannot open the database"):
        Database("postgresql+psycopg://nobody@127.0.0.1:1/none")


def _facts_the_slow_way(store: PipelineStore, deal_id: int) -> tuple[DealFacts, Any, Any]:
    """A deal's facts counted in Python from its ORM rows: the oracle for the listing's SQL."""
    from sqlalchemy import select

    from crossdeal.pipeline.models import Activity, ActivityContact, Contact, Deal, DealContact

    deciders = ("decision-maker", "economic-buyer")
    with store.db.session() as s:
        deal = s.get(Deal, deal_id)
        assert deal is not None
        roles = s.scalars(
            select(Contact.role)
            .join(DealContact, DealContact.contact_id == Contact.id)
            .where(DealContact.deal_id == deal_id)
        ).all()
        activities = s.scalars(select(Activity).where(Activity.deal_id == deal_id)).all()
        met = set()
        for activity in activities:
            if activity.channel not in ("call", "video", "in-person"):
                continue
            for contact_id in s.scalars(
                select(ActivityContact.contact_id).where(ActivityContact.activity_id == activity.id)
            ):
                contact = s.get(Contact, contact_id)
                if contact is not None and contact.role in deciders:
                    met.add(contact_id)
        seller = deal.owner_id and s.get(Seller, deal.owner_id)
        account = s.get(Account, deal.account_id)
        assert account is not None
        seller_culture = store.model.get(seller.culture) if seller and seller.culture else None
        buyer_culture = store.model.get(account.culture) if account.culture else None
        factor = store._cycle_factor(seller_culture, buyer_culture)
        created, expected = deal.created_on, deal.expected_close
        close_in_holiday = 0
        if buyer_culture is not None and buyer_culture.iso2 and expected is not None:
            from crossdeal.calendar.days import day_facts
            from crossdeal.calendar.knowledge import default_knowledge

            found = day_facts(buyer_culture.iso2, expected, default_knowledge())
            close_in_holiday = int(any(f.kind in ("holiday", "period") for f in found))
        return (
            DealFacts(
                contacts=len(roles),
                decision_makers=sum(role in deciders for role in roles),
                decision_makers_met=len(met),
                activities=len(activities),
                face_time=sum(a.channel in ("video", "in-person") for a in activities),
                unqualified_yes=sum(a.unqualified_yes for a in activities),
                standard_offer=int(deal.standard_offer),
                authority_identified=int(deal.authority_identified),
                amount=float(deal.amount) if deal.amount is not None else None,
                days_open=(TODAY - created).days if created else None,
                planned_days=(expected - created).days if created and expected else None,
                expected_days=store.usual_cycle_days() * factor if factor is not None else None,
                cycle_factor=factor,
                close_in_holiday=close_in_holiday,
            ),
            seller_culture,
            buyer_culture,
        )


def _change_committees(store: PipelineStore) -> None:
    """Writes that change what the signals read: new members, a new role, activities."""
    open_ids = [d.id for d in store.deals(outcome="open").deals][:6]
    first, second, third = open_ids[:3]
    store.add_contact(first, "Noor Haddad", role="decision-maker", culture="Arab countries")
    store.log_activity(first, "video", with_=["Noor Haddad"], occurred_on=TODAY)
    # the same person now decides on a second deal of the account, if it has one, and a
    # contact already on a deal changes role, which changes every deal they sit on
    view = store.deal(second)
    if view.committee:
        store.add_contact(second, view.committee[0].name, role="economic-buyer")
    store.log_activity(
        third, "email", note="Of course, no problem!", direction="inbound", occurred_on=TODAY
    )
    store.log_activity(third, "in-person", occurred_on=TODAY)
    # edits: someone leaves a committee, a deal shrinks and slips, another is lost
    from decimal import Decimal

    from crossdeal.pipeline import edits

    fourth, fifth, sixth = open_ids[3:6]
    view = store.deal(fourth)
    if view.committee:
        edits.remove_contact(store, fourth, view.committee[0].name)
    edits.update_deal(
        store,
        fifth,
        edits.DealUpdate(amount=Decimal("40000"), expected_close=TODAY + timedelta(days=400)),
    )
    edits.close_deal(store, sixth, "lost", reason="went-silent")


@pytest.mark.parametrize("after_writes", [False, True])
def test_the_listing_decides_every_deal_as_its_own_facts_say(
    database: Database, after_writes: bool
) -> None:
    store = PipelineStore(database, "demo")
    # The listing reads counts kept on each deal; here every deal is counted again row
    # by row from its committee and activities, and its signals decided one at a time.
    store.load_demo(generate(seed=11, deals=160))
    if after_writes:
        _change_committees(store)
    listing = store.deals(outcome=None)
    assert listing.total == 160
    fired_somewhere = set()
    for summary in listing.deals:
        if summary.outcome != "open":
            assert summary.signals == []
            continue
        facts, seller, buyer = _facts_the_slow_way(store, summary.id)
        expected = store.signals.evaluate(facts, seller, buyer, store.model)
        assert [(s.id, s.severity, s.evidence) for s in summary.signals] == [
            (s.id, s.severity, s.evidence) for s in expected
        ], summary.id
        fired_somewhere |= {s.id for s in expected}
    assert len(fired_somewhere) >= 4  # the check covered several different signals
    at_risk = store.deals(at_risk=True)
    assert {d.id for d in at_risk.deals} == {
        d.id for d in listing.deals if d.worst in ("watch", "high")
    }
    # a page of the listing decides only the deals it shows, and says how many there are
    open_deals = store.deals()
    page = store.deals(limit=7)
    assert page.total == open_deals.total
    assert page.deals == open_deals.deals[:7]


@pytest.mark.parametrize(
    ("won_cycles", "usual"),
    [
        ([], 90.0),  # no history: the default cycle
        ([30] * 9, 90.0),  # fewer than ten won deals: still the default
        ([10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110], 60.0),  # odd: the middle one
        ([10, 20, 30, 40, 50, 60, 70, 80, 90, 100], 55.0),  # even: the mean of the two
        ([200, 5, 5, 5, 5, 5, 300, 400, 500, 600, 700, 800], 250.0),  # order does not matter
    ],
)
def test_the_usual_cycle_is_the_median_of_won_deals(
    store: PipelineStore, won_cycles: list[int], usual: float
) -> None:
    for n, days in enumerate(won_cycles):
        _deal(
            store,
            f"Won {n}",
            "Germany",
            created_on=TODAY - timedelta(days=days + 5),
            expected_close=None,
            closed_on=TODAY - timedelta(days=5),
            outcome="won",
        )
    _deal(
        store,
        "Lost one",
        "Germany",
        created_on=TODAY - timedelta(days=900),
        expected_close=None,
        closed_on=TODAY - timedelta(days=1),
        outcome="lost",
    )
    assert store.usual_cycle_days() == usual


def test_migrating_an_older_database_fills_the_deal_counts(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from alembic import command
    from alembic.config import Config

    url = f"sqlite:///{tmp_path / 'old.db'}"
    old = Database(url, migrate=False)
    config = Config()
    config.set_main_option("script_location", "crossdeal.pipeline:migrations")
    with old.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0003")
    # a pipeline written before the counts existed
    with old.engine.begin() as conn:
        for statement in (
            "INSERT INTO teams (id, name, created_at) VALUES (1, 'local', '2026-01-01')",
            "INSERT INTO accounts (id, team_id, name, culture, observations, source) "
            "VALUES (1, 1, 'Tata Tools', 'IND', '', 'crossdeal')",
            "INSERT INTO deals (id, team_id, account_id, name, currency, outcome, "
            "budget_confirmed, authority_identified, standard_offer, source) "
            "VALUES (1, 1, 1, 'Pilot', 'USD', 'open', 0, 0, 0, 'crossdeal')",
            "INSERT INTO contacts (id, team_id, account_id, name, role, observations, source) "
            "VALUES (1, 1, 1, 'Priya', 'decision-maker', '', 'crossdeal'), "
            "(2, 1, 1, 'Ravi', 'user', '', 'crossdeal')",
            "INSERT INTO deal_contacts (deal_id, contact_id) VALUES (1, 1), (1, 2)",
            "INSERT INTO activities (id, team_id, deal_id, channel, direction, occurred_on, "
            "unqualified_yes) VALUES (1, 1, 1, 'video', 'outbound', '2026-01-02', 0), "
            "(2, 1, 1, 'email', 'inbound', '2026-01-03', 1)",
            "INSERT INTO activity_contacts (activity_id, contact_id) VALUES (1, 1), (1, 2)",
        ):
            conn.exec_driver_sql(statement)
    old.dispose()
    store = PipelineStore(Database(url))
    facts, _, _ = _facts_the_slow_way(store, 1)
    assert (facts.contacts, facts.decision_makers, facts.decision_makers_met) == (2, 1, 1)
    assert (facts.activities, facts.face_time, facts.unqualified_yes) == (2, 1, 1)
    with store.db.engine.connect() as conn:
        stored = conn.exec_driver_sql(
            "SELECT committee_size, committee_deciders, deciders_met, activity_count, "
            "face_time_count, unqualified_yes_count FROM deals WHERE id = 1"
        ).one()
    assert tuple(stored) == (2, 1, 1, 2, 1, 1)


def test_a_new_role_is_counted_on_every_deal_of_the_contact(store: PipelineStore) -> None:
    first = _deal(store, "Tata Tools", "India")
    second = store.add_deal("Second line", "Tata Tools", owner="Tom Baker", amount=90_000)
    for deal_id in (first, second):
        store.add_contact(deal_id, "Priya Raman", role="user")
    assert "decision-maker-not-met" in ids(store.deal(second).deal)  # nobody decides yet
    store.add_contact(first, "Priya Raman", role="decision-maker")
    store.log_activity(first, "video", with_=["Priya Raman"], occurred_on=TODAY)
    for deal_id in (first, second):
        facts, _, _ = _facts_the_slow_way(store, deal_id)
        assert facts.decision_makers == 1
    assert "decision-maker-not-met" not in ids(store.deal(first).deal)  # met on video
    # on the second deal she decides too, but nobody has met her there
    assert store.deal(second).deal.signals == store.signals.evaluate(
        *_facts_the_slow_way(store, second), store.model
    )


def test_downgrading_the_counts_keeps_committees_and_activities(database: Database) -> None:
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import func, inspect, select

    from crossdeal.pipeline.models import Activity, DealContact

    store = PipelineStore(database)
    store.load_demo(generate(seed=5, deals=20))
    with database.engine.connect() as conn:
        before = [
            conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (DealContact, Activity)
        ]
    assert min(before) > 0
    config = Config()
    config.set_main_option("script_location", "crossdeal.pipeline:migrations")
    with database.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0003")
    with database.engine.connect() as conn:
        after = [
            conn.exec_driver_sql(f"SELECT count(*) FROM {name}").scalar_one()
            for name in ("deal_contacts", "activities")
        ]
        columns = {c["name"] for c in inspect(conn).get_columns("deals")}
    assert after == before
    assert "committee_size" not in columns
    database.migrate()  # and up again, the counts filled from the rows
    assert database.revision() == HEAD


def test_writers_at_the_same_time_lose_no_count(database: Database) -> None:
    # Two people log activities on one deal at the same moment (the team server): each
    # write recounts the deal, and neither may overwrite the other's count.
    import threading

    store = PipelineStore(database)
    store.add_seller("Tom Baker", "US")
    deal_id = _deal(store, "Tata Tools", "India")
    start = threading.Barrier(4)
    failures: list[BaseException] = []

    def log(channel: str) -> None:
        try:
            start.wait()
            for _ in range(15):
                store.log_activity(deal_id, channel, occurred_on=TODAY)
        except BaseException as exc:  # reported below, not lost in the thread
            failures.append(exc)

    threads = [threading.Thread(target=log, args=(c,)) for c in ("email", "video", "call", "chat")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    facts, _, _ = _facts_the_slow_way(store, deal_id)
    assert facts.activities == 60
    with database.engine.connect() as conn:
        stored = conn.exec_driver_sql(
            f"SELECT activity_count, face_time_count FROM deals WHERE id = {int(deal_id)}"
        ).one()
    assert tuple(stored) == (60, 15)
