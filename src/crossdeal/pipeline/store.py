"""The pipeline for one team: add and read accounts, contacts, deals and activities.

Every read and write is scoped to the store's team, so one database can serve several
teams without mixing their data. Risk signals are computed on read, from counts of each
deal's committee and activities that every write keeps up to date on the deal; the
:class:`~crossdeal.pipeline.signals.SignalBook` decides which signals fire.
"""

from __future__ import annotations

import operator
import statistics
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Connection,
    Date,
    Float,
    case,
    cast,
    delete,
    func,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.orm import Session

from crossdeal.culture.layers import with_practices
from crossdeal.culture.model import Culture, CultureModel, default_model
from crossdeal.errors import CrossdealError, InputError
from crossdeal.forecast.prior import CyclePrior, default_cycle_prior
from crossdeal.pipeline.db import Database, new_id
from crossdeal.pipeline.demo import DemoContact, DemoDeal, DemoPipeline
from crossdeal.pipeline.models import (
    CHANNELS,
    DIRECTIONS,
    OUTCOMES,
    ROLES,
    Account,
    Activity,
    ActivityContact,
    Contact,
    Deal,
    DealContact,
    DealEvent,
    FittedForecast,
    Seller,
)
from crossdeal.pipeline.reports import (
    AccountList,
    AccountSummary,
    ActivityView,
    ContactList,
    ContactSummary,
    ContactView,
    DealEventView,
    DealList,
    DealSummary,
    DealView,
    ForecastReport,
    SellerList,
    SellerSummary,
)
from crossdeal.pipeline.signals import FACT_FIELDS, Signal, SignalBook, worst
from crossdeal.playbook.rules import Severity

__all__ = [
    "DEFAULT_CYCLE_DAYS",
    "CycleCache",
    "NotFoundError",
    "PipelineStore",
    "TeamContents",
    "TeamNotEmptyError",
    "checked_amount",
]

# The usual cycle of a same-culture deal until the team has won enough deals to say.
DEFAULT_CYCLE_DAYS = 90
MIN_WON_FOR_TEAM_CYCLE = 10
DECIDERS = ("decision-maker", "economic-buyer")
MEETINGS = ("call", "video", "in-person")
FACE_TIME = ("video", "in-person")
# Rows per INSERT batch when loading a demo pipeline: large enough to amortise the
# round trips, small enough to keep memory flat for a 100,000-deal benchmark.
DEMO_BATCH = 2_000


def _insert_returning_ids(conn: Connection, table: Any, rows: list[dict[str, Any]]) -> list[int]:
    """Insert ``rows`` in one batch and return their new ids, in the order given."""
    if not rows:
        return []
    statement = insert(table).returning(table.id, sort_by_parameter_order=True)
    return [int(row[0]) for row in conn.execute(statement, rows)]


# Deal ids per UPDATE when recounting many deals: well under every database's limit on
# bound parameters.
IDS_PER_STATEMENT = 2_000
# the column of the deal's amount in the rows of PipelineStore._decisions
_AMOUNT_COLUMN = 4 + FACT_FIELDS.index("amount")
# Up to this many shown deals are read back by id; more, and one filtered scan of the
# listing is cheaper than a long IN list.
FULL_READ_BY_ID = 500
# high before watch, larger amounts first, then the deal id (unique, so never further)
_RISK_ORDER = operator.itemgetter(0, 1, 2)


class NotFoundError(CrossdealError):
    """A deal, account or contact does not exist in this team."""


@dataclass(frozen=True)
class _Row:
    deal: Any
    account_name: str
    account_country: str | None
    account_culture: str | None
    owner_name: str | None
    owner_culture: str | None


_SINGULAR = {
    "deals": "deal",
    "accounts": "account",
    "contacts": "contact",
    "activities": "activity",
    "sellers": "seller",
    "history entries": "history entry",
}


class TeamNotEmptyError(CrossdealError):
    """The demo would be loaded into a team that holds rows already."""


@dataclass(frozen=True)
class TeamContents:
    """What a team holds: row counts by kind, and how many a person added or imported."""

    counts: dict[str, int]
    added: int

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def describe(self) -> str:
        parts = [
            f"{n:,} {name if n != 1 else _SINGULAR[name]}" for name, n in self.counts.items() if n
        ]
        if not parts:
            return "nothing"
        mine = f" ({self.added:,} of the deals, accounts and contacts not from the demo)"
        return ", ".join(parts) + (mine if self.added else "")


class CycleCache:
    """The teams' usual won cycles, remembered for ``seconds``: a server reads it on every
    deal page, and it changes only as deals are won (a minute late is harmless)."""

    def __init__(self, seconds: float = 30.0) -> None:
        self.seconds = seconds
        self._values: dict[int, tuple[float, float]] = {}

    def get(self, team_id: int) -> float | None:
        hit = self._values.get(team_id)
        if hit is None or time.monotonic() - hit[0] > self.seconds:
            return None
        return hit[1]

    def put(self, team_id: int, days: float) -> None:
        self._values[team_id] = (time.monotonic(), days)


class PipelineStore:
    """One team's pipeline in one database."""

    def __init__(
        self,
        db: Database,
        team: str = "local",
        model: CultureModel | None = None,
        signals: SignalBook | None = None,
        cycle_prior: CyclePrior | None = None,
        team_id: int | None = None,
        cycle_cache: CycleCache | None = None,
    ) -> None:
        self.db = db
        self.cycle_cache = cycle_cache
        self.team_name = team
        # a caller that already knows the team's id (a signed-in request) saves a query
        self.team_id = team_id if team_id is not None else db.team(team)
        self.model = with_practices(model or default_model())
        self.signals = signals or SignalBook.default()
        self.cycle_prior = cycle_prior or default_cycle_prior()

    # --- culture helpers ---------------------------------------------------------------
    def culture_code(self, text: str | None) -> str | None:
        """The culture code for a country or culture name (None for None)."""
        if text is None or not str(text).strip():
            return None
        return self.model.resolve(str(text)).code

    def _culture(self, code: str | None) -> Culture | None:
        return self.model.get(code) if code else None

    # --- writes ------------------------------------------------------------------------
    def add_seller(self, name: str, culture: str | None = None, email: str | None = None) -> int:
        code = self.culture_code(culture)
        with self.db.session() as s:
            found = s.scalar(
                select(Seller).where(Seller.team_id == self.team_id, Seller.name == name)
            )
            if found is not None:
                found.culture = code or found.culture
                found.email = email or found.email
                return found.id
            seller = Seller(team_id=self.team_id, name=name, culture=code, email=email)
            s.add(seller)
            s.flush()
            return seller.id

    def add_account(
        self,
        name: str,
        country: str | None = None,
        industry: str | None = None,
        observations: Iterable[str] = (),
    ) -> int:
        from crossdeal.culture.individual import check_observations

        name = _required(name, "account name")
        code = self.culture_code(country)
        observed = " ".join(check_observations(observations))
        with self.db.session() as s:
            found = s.scalar(
                select(Account).where(Account.team_id == self.team_id, Account.name == name)
            )
            if found is not None:
                found.country = country or found.country
                found.culture = code or found.culture
                found.industry = industry or found.industry
                found.observations = observed or found.observations
                return found.id
            account = Account(
                team_id=self.team_id,
                name=name,
                country=country,
                culture=code,
                industry=industry,
                observations=observed,
            )
            s.add(account)
            s.flush()
            return account.id

    def add_deal(
        self,
        name: str,
        account: str,
        owner: str | None = None,
        amount: float | Decimal | None = None,
        currency: str = "USD",
        stage: str | None = None,
        outcome: str = "open",
        created_on: date | None = None,
        expected_close: date | None = None,
        closed_on: date | None = None,
        budget_confirmed: bool = False,
        authority_identified: bool = False,
        need: str | None = None,
        timing: str | None = None,
        standard_offer: bool = False,
        lost_reason: str | None = None,
        product: str | None = None,
        notes: str | None = None,
    ) -> int:
        name = _required(name, "deal name")
        _check_deal(amount, outcome, created_on, expected_close, closed_on)
        with self.db.session() as s:
            account_id = s.scalar(
                select(Account.id).where(Account.team_id == self.team_id, Account.name == account)
            )
            if account_id is None:
                raise NotFoundError(f"no account called {account!r}: add it first")
            owner_id = None
            if owner:
                owner_id = s.scalar(
                    select(Seller.id).where(Seller.team_id == self.team_id, Seller.name == owner)
                )
                if owner_id is None:
                    raise NotFoundError(f"no seller called {owner!r} in this team")
            deal = Deal(
                team_id=self.team_id,
                account_id=account_id,
                owner_id=owner_id,
                name=name,
                amount=checked_amount(amount) if amount is not None else None,
                currency=currency.upper(),
                stage=stage,
                outcome=outcome,
                created_on=created_on,
                expected_close=expected_close,
                closed_on=closed_on,
                budget_confirmed=budget_confirmed,
                authority_identified=authority_identified,
                need=need,
                timing=timing,
                standard_offer=standard_offer or mentions_standard_offer(notes),
                lost_reason=lost_reason,
                product=product,
                notes=notes,
            )
            s.add(deal)
            s.flush()
            return deal.id

    def add_contact(
        self,
        deal_id: int | str,
        name: str,
        role: str | None = None,
        culture: str | None = None,
        seniority: str | None = None,
        observations: Iterable[str] = (),
        email: str | None = None,
    ) -> int:
        """Add a person to a deal's buying committee (creating them on the account)."""
        from crossdeal.culture.individual import check_observations

        name = _required(name, "contact name")
        if role is not None and role not in ROLES:
            raise InputError(f"role {role!r} is not one of: {', '.join(ROLES)}")
        code = self.culture_code(culture)
        observed = " ".join(check_observations(observations))
        with self.db.session() as s:
            deal = self._deal(s, deal_id)
            contact = s.scalar(
                select(Contact).where(
                    Contact.team_id == self.team_id,
                    Contact.account_id == deal.account_id,
                    Contact.name == name,
                )
            )
            # a role change is recounted on every deal the contact sits on
            on_deals = (
                s.scalars(
                    select(DealContact.deal_id).where(DealContact.contact_id == contact.id)
                ).all()
                if contact is not None
                else []
            )
            self.lock_deals(s.connection(), [deal.id, *on_deals])
            if contact is None:
                contact = Contact(
                    team_id=self.team_id,
                    account_id=deal.account_id,
                    name=name,
                    role=role,
                    culture=code,
                    seniority=seniority,
                    observations=observed,
                    email=email,
                )
                s.add(contact)
                s.flush()
            else:
                contact.role = role or contact.role
                contact.culture = code or contact.culture
                contact.seniority = seniority or contact.seniority
                contact.observations = observed or contact.observations
            member = s.get(DealContact, (deal.id, contact.id))
            if member is None:
                s.add(DealContact(deal_id=deal.id, contact_id=contact.id))
            s.flush()
            self.refresh_counts(s.connection(), [deal.id, *on_deals])
            return contact.id

    def log_activity(
        self,
        deal_id: int | str,
        channel: str,
        with_: Sequence[str] = (),
        note: str | None = None,
        direction: str = "outbound",
        occurred_on: date | None = None,
    ) -> int:
        """Log an email, call, video call, meeting or chat on a deal."""
        from crossdeal.messages.coach import is_unqualified_yes

        if channel not in CHANNELS:
            raise InputError(f"channel {channel!r} is not one of: {', '.join(CHANNELS)}")
        if direction not in DIRECTIONS:
            raise InputError(f"direction {direction!r} is not one of: {', '.join(DIRECTIONS)}")
        when = occurred_on or date.today()
        if when > date.today():
            raise InputError(f"{when.isoformat()} is in the future: log activities that happened")
        with self.db.session() as s:
            deal = self._deal(s, deal_id)
            self.lock_deals(s.connection(), [deal.id])
            contacts = []
            for name in with_:
                contact = s.scalar(
                    select(Contact)
                    .join(DealContact, DealContact.contact_id == Contact.id)
                    .where(
                        DealContact.deal_id == deal.id,
                        func.lower(Contact.name) == name.strip().lower(),
                    )
                )
                if contact is None:
                    raise NotFoundError(
                        f"{name!r} is not on deal {deal.id}'s committee: add them with "
                        f"`crossdeal deal {deal.id} add-contact`"
                    )
                contacts.append(contact)
            activity = Activity(
                team_id=self.team_id,
                deal_id=deal.id,
                channel=channel,
                direction=direction,
                occurred_on=when,
                note=note,
                unqualified_yes=direction == "inbound"
                and bool(note)
                and is_unqualified_yes(note or ""),
            )
            s.add(activity)
            s.flush()
            for contact in contacts:
                s.add(ActivityContact(activity_id=activity.id, contact_id=contact.id))
            s.flush()
            self.refresh_counts(s.connection(), [deal.id])
            return activity.id

    def contents(self, conn: Connection | None = None) -> TeamContents:
        """How many rows of each kind the team holds, and how many of them a person added
        or imported (everything but the demo generator's)."""
        tables: list[tuple[str, Any, bool]] = [
            ("deals", Deal, True),
            ("accounts", Account, True),
            ("contacts", Contact, True),
            ("activities", Activity, False),
            ("history entries", DealEvent, False),
            ("sellers", Seller, False),
        ]

        def read(c: Connection) -> TeamContents:
            counts: dict[str, int] = {}
            added = 0
            for name, table, has_source in tables:
                where = table.team_id == self.team_id
                counts[name] = c.scalar(select(func.count()).select_from(table).where(where)) or 0
                if has_source:
                    added += (
                        c.scalar(
                            select(func.count())
                            .select_from(table)
                            .where(where, table.source != "demo")
                        )
                        or 0
                    )
            return TeamContents(counts=counts, added=added)

        if conn is not None:
            return read(conn)
        with self.db.engine.connect() as c:
            return read(c)

    def _clear_team(self, conn: Connection) -> None:
        """Delete every row of this team (the team itself stays)."""
        for table in (FittedForecast, DealEvent, Activity, Deal, Contact, Account, Seller):
            conn.execute(delete(table).where(table.team_id == self.team_id))

    def load_demo(self, pipeline: DemoPipeline, reset: bool = False) -> int:
        """Load a generated demo pipeline into this team, which must be empty, or, with
        ``reset``, whose rows are all deleted first (everything in this team, and nothing
        in any other).

        Rows go in as batches (one INSERT ... RETURNING per table and batch), so a
        benchmark-sized pipeline of 100,000 deals loads in seconds, in one transaction.
        """
        from crossdeal.messages.coach import is_unqualified_yes

        flags: dict[str, bool] = {}
        with self.db.engine.begin() as conn:
            self.lock_deals(conn)
            held = self.contents(conn)
            if held.total and not reset:
                raise TeamNotEmptyError(
                    f"team {self.team_name!r} already holds {held.describe()}; the demo goes "
                    "into an empty team (reset it to rebuild the demo)"
                )
            if reset:
                self._clear_team(conn)
            sellers: dict[str, int] = {
                name: int(id_)
                for name, id_ in conn.execute(
                    select(Seller.name, Seller.id).where(Seller.team_id == self.team_id)
                ).all()
            }
            for name, culture in pipeline.sellers:
                if name not in sellers:
                    sellers[name] = new_id(
                        conn.execute(
                            insert(Seller).values(team_id=self.team_id, name=name, culture=culture)
                        )
                    )
            accounts: dict[str, int] = {}
            for name, culture, industry in pipeline.accounts:
                culture_row = self.model.get(culture)
                accounts[name] = new_id(
                    conn.execute(
                        insert(Account).values(
                            team_id=self.team_id,
                            name=name,
                            culture=culture,
                            industry=industry,
                            country=culture_row.name if culture_row else None,
                            source="demo",
                            observations="",
                        )
                    )
                )
            contacts: dict[tuple[str, str], int] = {}
            loaded: list[int] = []
            for start in range(0, len(pipeline.deals), DEMO_BATCH):
                batch = pipeline.deals[start : start + DEMO_BATCH]
                deal_ids = _insert_returning_ids(
                    conn,
                    Deal,
                    [
                        {
                            "team_id": self.team_id,
                            "account_id": accounts[deal.account],
                            "owner_id": sellers[deal.owner],
                            "name": deal.name,
                            "amount": Decimal(deal.amount),
                            "currency": "USD",
                            "stage": deal.stage,
                            "outcome": deal.outcome,
                            "created_on": deal.created_on,
                            "expected_close": deal.expected_close,
                            "closed_on": deal.closed_on,
                            "budget_confirmed": deal.budget_confirmed,
                            "authority_identified": deal.authority_identified,
                            "standard_offer": deal.standard_offer,
                            "lost_reason": deal.lost_reason,
                            "source": "demo",
                            "external_id": deal.key,
                        }
                        for deal in batch
                    ],
                )
                self._demo_committees(conn, batch, deal_ids, accounts, contacts)
                stage_events = [
                    {
                        "team_id": self.team_id,
                        "deal_id": deal_id,
                        "at": datetime(day.year, day.month, day.day),
                        "by": "demo",
                        "kind": "update",
                        "field": "stage",
                        "old": previous,
                        "new": stage,
                        "note": None,
                    }
                    for deal, deal_id in zip(batch, deal_ids, strict=True)
                    for (day, stage), previous in zip(
                        deal.stage_history,
                        [None, *(stage for _, stage in deal.stage_history)],
                        strict=False,
                    )
                ]
                if stage_events:
                    conn.execute(insert(DealEvent), stage_events)
                activity_rows: list[dict[str, Any]] = []
                activity_people: list[tuple[str, list[str]]] = []
                for deal, deal_id in zip(batch, deal_ids, strict=True):
                    for act in deal.activities:
                        note = act.note or ""
                        if note and note not in flags:
                            flags[note] = is_unqualified_yes(note)
                        activity_rows.append(
                            {
                                "team_id": self.team_id,
                                "deal_id": deal_id,
                                "channel": act.channel,
                                "direction": act.direction,
                                "occurred_on": act.occurred_on,
                                "note": act.note,
                                "unqualified_yes": act.direction == "inbound"
                                and flags.get(note, False),
                            }
                        )
                        activity_people.append((deal.account, act.with_))
                activity_ids = _insert_returning_ids(conn, Activity, activity_rows)
                links = [
                    {"activity_id": activity_id, "contact_id": contacts[(account, name)]}
                    for activity_id, (account, names) in zip(
                        activity_ids, activity_people, strict=True
                    )
                    for name in names
                ]
                if links:
                    conn.execute(insert(ActivityContact), links)
                loaded.extend(deal_ids)
            self.refresh_counts(conn, loaded)
        return len(pipeline.deals)

    def _demo_committees(
        self,
        conn: Connection,
        batch: Sequence[DemoDeal],
        deal_ids: Sequence[int],
        accounts: dict[str, int],
        contacts: dict[tuple[str, str], int],
    ) -> None:
        """Insert the batch's new contacts (adding them to ``contacts``), then link
        every deal to its committee."""
        fresh: dict[tuple[str, str], DemoContact] = {}
        for deal in batch:
            for person in deal.contacts:
                key = (deal.account, person.name)
                if key not in contacts and key not in fresh:
                    fresh[key] = person
        if fresh:
            ids = _insert_returning_ids(
                conn,
                Contact,
                [
                    {
                        "team_id": self.team_id,
                        "account_id": accounts[account],
                        "name": person.name,
                        "culture": person.culture,
                        "role": person.role,
                        "source": "demo",
                        "observations": "",
                    }
                    for (account, _), person in fresh.items()
                ],
            )
            contacts.update(zip(fresh, ids, strict=True))
        links = [
            {"deal_id": deal_id, "contact_id": contacts[(deal.account, person.name)]}
            for deal, deal_id in zip(batch, deal_ids, strict=True)
            for person in deal.contacts
        ]
        if links:
            conn.execute(insert(DealContact), links)

    def lock_deals(self, conn: Connection, deal_ids: Iterable[int] | None = None) -> None:
        """Hold the deals' rows (None: all the team's) until the transaction ends.

        A write that changes what the stored counts count locks the deals it will recount,
        in id order, before recounting them: another writer of those deals waits, and
        whichever recounts last does so after the other has committed, and sees its rows.
        Only PostgreSQL needs it: SQLite lets one writer in at a time.
        """
        if conn.dialect.name == "sqlite":
            return
        query = select(Deal.id).where(Deal.team_id == self.team_id)
        if deal_ids is not None:
            ids = sorted(set(deal_ids))
            if not ids:
                return
            query = query.where(Deal.id.in_(ids))
        conn.execute(query.order_by(Deal.id).with_for_update()).all()

    def refresh_counts(self, conn: Connection, deal_ids: Sequence[int] | None = None) -> None:
        """Recount what the risk signals read for the given deals (None: all the team's).

        Every write that changes a committee, a contact's role or a deal's activities
        calls this inside its transaction, so the counts stored on a deal always agree
        with its rows (``tests/test_pipeline.py`` checks them against a recount).
        """
        if deal_ids is not None and not deal_ids:
            return
        committee = select(func.count()).select_from(DealContact)
        deciders = committee.join(Contact, Contact.id == DealContact.contact_id).where(
            Contact.role.in_(DECIDERS)
        )
        activities = select(func.count()).select_from(Activity)
        met = (
            select(func.count(func.distinct(ActivityContact.contact_id)))
            .select_from(Activity)
            .join(ActivityContact, ActivityContact.activity_id == Activity.id)
            .join(Contact, Contact.id == ActivityContact.contact_id)
            .where(Contact.role.in_(DECIDERS), Activity.channel.in_(MEETINGS))
        )
        statement = (
            update(Deal)
            .where(Deal.team_id == self.team_id)
            .values(
                committee_size=committee.where(DealContact.deal_id == Deal.id).scalar_subquery(),
                committee_deciders=deciders.where(DealContact.deal_id == Deal.id).scalar_subquery(),
                deciders_met=met.where(Activity.deal_id == Deal.id).scalar_subquery(),
                activity_count=activities.where(Activity.deal_id == Deal.id).scalar_subquery(),
                face_time_count=activities.where(
                    Activity.deal_id == Deal.id, Activity.channel.in_(FACE_TIME)
                ).scalar_subquery(),
                unqualified_yes_count=activities.where(
                    Activity.deal_id == Deal.id, Activity.unqualified_yes.is_(True)
                ).scalar_subquery(),
            )
        )
        if deal_ids is None:
            conn.execute(statement)
            return
        ids = sorted(set(deal_ids))
        for start in range(0, len(ids), IDS_PER_STATEMENT):
            chunk = ids[start : start + IDS_PER_STATEMENT]
            conn.execute(statement.where(Deal.id.in_(chunk)))

    # --- reads -------------------------------------------------------------------------
    def find_deal(self, ref: int | str) -> int:
        """The number of the deal that ``ref`` names: its number, or its name (any case)."""
        with self.db.session() as s:
            return self._deal(s, ref).id

    def account_named(self, s: Session, name: str) -> Account:
        """The team's account called ``name`` (any case, any spacing), or NotFoundError."""
        wanted = " ".join(name.split())
        found = s.scalar(
            select(Account).where(
                Account.team_id == self.team_id, func.lower(Account.name) == wanted.lower()
            )
        )
        if found is None:
            raise NotFoundError(
                f"there is no account called {name!r} in this pipeline "
                f"(team {self.team_name!r}); `crossdeal accounts` lists them"
            )
        return found

    def _deal(self, s: Session, ref: int | str) -> Deal:
        text = str(ref).strip()
        deal = None
        # a number larger than any id a database hands out names no deal (not an overflow)
        if text.isdigit():
            if len(text) <= 18:
                deal = s.get(Deal, int(text))
            if deal is None or deal.team_id != self.team_id:
                raise NotFoundError(
                    f"there is no deal {text} in this pipeline (team {self.team_name!r})"
                )
            return deal
        found = s.scalars(
            select(Deal)
            .where(Deal.team_id == self.team_id, func.lower(Deal.name) == text.lower())
            .order_by(Deal.id)
            .limit(6)
        ).all()
        if len(found) == 1:
            return found[0]
        if not found:
            raise NotFoundError(
                f"there is no deal called {text!r} in this pipeline (team {self.team_name!r}); "
                "`crossdeal deals --outcome all` lists them"
            )
        numbers = ", ".join(str(d.id) for d in found[:5])
        raise NotFoundError(
            f"{len(found) if len(found) < 6 else 'several'} deals are called {text!r} "
            f"(numbers {numbers}{', ...' if len(found) > 5 else ''}); give the number"
        )

    def _rows(
        self, s: Session, deal_ids: Sequence[int] | None = None, **filters: Any
    ) -> list[_Row]:
        # plain rows, not ORM objects: a listing may read a hundred thousand deals
        query = (
            select(
                Deal.__table__,
                Account.name.label("account_name"),
                Account.country.label("account_country"),
                Account.culture.label("account_culture"),
                Seller.name.label("owner_name"),
                Seller.culture.label("owner_culture"),
            )
            .join(Account, Account.id == Deal.account_id)
            .outerjoin(Seller, Seller.id == Deal.owner_id)
            .where(Deal.team_id == self.team_id)
        )
        if deal_ids is not None:
            query = query.where(Deal.id.in_(deal_ids))
        if filters.get("outcome"):
            query = query.where(Deal.outcome == filters["outcome"])
        if filters.get("culture"):
            query = query.where(Account.culture == filters["culture"])
        query = query.order_by(Deal.id)
        # through the connection: Core rows skip the ORM's loading machinery
        return [_Row(row, *row[-5:]) for row in s.connection().execute(query).all()]

    def _decisions(
        self,
        s: Session,
        deal_ids: Sequence[int] | None = None,
        outcome: str | None = None,
        culture: str | None = None,
        limit: int | None = None,
    ) -> list[Any]:
        """One flat row per deal with what its risk signals read (the first ``limit`` by id).

        Columns: id, outcome, account culture, owner culture, then the deal facts in
        :data:`FACT_FIELDS` order up to ``planned_days`` (the next two come from the
        culture pair, ``close_in_holiday`` from the calendar), then the expected close
        date that calendar fact is read for. The committee and activity counts are the
        ones stored on the deal (:meth:`refresh_counts`), so this is a plain scan of the
        deals.
        """
        conn = s.connection()
        today: Any = (
            literal(date.today().isoformat())
            if conn.dialect.name == "sqlite"
            else literal(date.today(), Date)
        )
        query = (
            select(
                Deal.id,
                Deal.outcome,
                Account.culture,
                Seller.culture,
                Deal.committee_size,
                Deal.committee_deciders,
                Deal.deciders_met,
                Deal.activity_count,
                Deal.face_time_count,
                Deal.unqualified_yes_count,
                # flags as numbers, in a form both databases compare with numbers
                case((Deal.standard_offer, 1), else_=0),
                case((Deal.authority_identified, 1), else_=0),
                cast(Deal.amount, Float),
                _days_between(conn, Deal.created_on, today),
                _days_between(conn, Deal.created_on, Deal.expected_close),
                # last, and not a fact itself: the date the calendar fact is read for
                Deal.expected_close,
            )
            .join(Account, Account.id == Deal.account_id)
            .outerjoin(Seller, Seller.id == Deal.owner_id)
            .where(Deal.team_id == self.team_id)
            .order_by(Deal.id)
        )
        if deal_ids is not None:
            query = query.where(Deal.id.in_(deal_ids))
        if outcome is not None:
            query = query.where(Deal.outcome == outcome)
        if culture is not None:
            query = query.where(Account.culture == culture)
        if limit is not None:
            query = query.limit(limit)
        return list(conn.execute(query).all())

    def usual_cycle_days(self, s: Session | None = None) -> float:
        """The team's median won cycle, or the default until enough deals are won."""
        if self.cycle_cache is not None:
            cached = self.cycle_cache.get(self.team_id)
            if cached is not None:
                return cached
        if s is None:
            with self.db.session() as session:
                return self.usual_cycle_days(session)
        days = self._usual_cycle_days(s)
        if self.cycle_cache is not None:
            self.cycle_cache.put(self.team_id, days)
        return days

    def _usual_cycle_days(self, s: Session) -> float:
        conn = s.connection()
        # the database computes the day counts and finds the middle of them: fetching
        # and parsing the dates of every won deal costs more than the median itself
        span = _days_between(conn, Deal.created_on, Deal.closed_on)
        won = (
            Deal.team_id == self.team_id,
            Deal.outcome == "won",
            Deal.created_on.is_not(None),
            Deal.closed_on.is_not(None),
            Deal.closed_on >= Deal.created_on,
        )
        n = conn.execute(select(func.count()).select_from(Deal).where(*won)).scalar_one()
        if n < MIN_WON_FOR_TEAM_CYCLE:
            return float(DEFAULT_CYCLE_DAYS)
        middle = [
            float(value)
            for (value,) in conn.execute(
                select(span).where(*won).order_by(span).offset((n - 1) // 2).limit(2 - n % 2)
            )
        ]
        if not middle:  # won deals removed between the two queries by another writer
            return float(DEFAULT_CYCLE_DAYS)
        return float(statistics.fmean(middle))

    def _summaries(
        self,
        s: Session,
        decisions: list[Any],
        at_risk: bool = False,
        limit: int | None = None,
        **filters: Any,
    ) -> tuple[int, list[DealSummary]]:
        """Deal summaries with their signals: (how many matched, the ones to show).

        Two passes: the first decides which rules fire on every deal from the flat rows
        of :meth:`_decisions` (cheap), the second reads the full records and builds
        output objects only for the deals that will be shown, so listing the at-risk
        deals of a large pipeline costs one rule pass, not a report per deal.
        """
        usual: float | None = None  # read once, and only if a deal is open
        # per culture pair: the two cultures, the cycle factor, and a decider for the rules
        pairs: dict[tuple[str | None, str | None], tuple[Any, ...]] = {}
        closes: dict[str | None, Callable[[Any], int]] = {}  # per buyer culture
        fired_rows = []
        for row in decisions:
            fired: list[tuple[Any, Severity]] = []
            values: tuple[Any, ...] = ()
            found = None
            if row[1] == "open":
                pair = (row[3], row[2])
                found = pairs.get(pair)
                if found is None:
                    seller, buyer = self._culture(row[3]), self._culture(row[2])
                    factor = self._cycle_factor(seller, buyer)
                    found = (
                        seller,
                        buyer,
                        factor,
                        self.signals.decider(seller, buyer, self.model),
                        closes.get(row[2]) or closes.setdefault(row[2], self._close_checker(buyer)),
                    )
                    pairs[pair] = found
                factor = found[2]
                if usual is None:
                    usual = self.usual_cycle_days(s)
                close_flag = found[4](row[-1])
                values = (
                    *row[4:-1],
                    usual * factor if factor is not None else None,
                    factor,
                    close_flag,
                )
                fired = found[3](values)
            level = worst(lvl for _, lvl in fired) if fired else None
            if at_risk and level not in ("watch", "high"):
                continue
            # the at-risk order (high first, then the largest amounts) leads the tuple
            amount = row[_AMOUNT_COLUMN]
            fired_rows.append(
                (level != "high", -(amount or 0), row[0], values, fired, level, found)
            )
        if closes:
            from crossdeal._calendar_cache import keep_library_facts

            keep_library_facts()  # the holidays computed here serve the next run too
        if at_risk:
            fired_rows.sort(key=_RISK_ORDER)
        total = len(fired_rows)
        shown = fired_rows if limit is None else fired_rows[:limit]
        if len(shown) <= FULL_READ_BY_ID:
            full = self._rows(s, [item[2] for item in shown])
        else:
            full = self._rows(s, **filters)
        records = {row.deal.id: row for row in full}
        out = []
        for _, _, deal_id, values, fired, level, cultures in shown:
            row = records.get(deal_id)
            if row is None:  # deleted by another writer since the first read
                total -= 1
                continue
            deal = row.deal
            signals: list[Signal] = []
            if fired and cultures is not None:
                # the cultures the rules were decided with, whatever the second read says
                seller, buyer = cultures[:2]
                context, _ = self.signals.fired_values(values, seller, buyer, self.model)
                signals = self.signals.signals(context, fired)
            out.append(
                DealSummary(
                    id=deal.id,
                    name=deal.name,
                    account=row.account_name,
                    country=row.account_country,
                    culture=row.account_culture,
                    owner=row.owner_name,
                    amount=float(deal.amount) if deal.amount is not None else None,
                    currency=deal.currency,
                    stage=deal.stage,
                    outcome=deal.outcome,
                    created_on=deal.created_on,
                    expected_close=deal.expected_close,
                    closed_on=deal.closed_on,
                    signals=signals,
                    worst=level,
                )
            )
        return total, out

    def _close_checker(self, buyer: Culture | None) -> Callable[[Any], int]:
        """For one buyer culture: 1 if an expected close date (a date, or SQLite's text)
        is a public holiday or inside a business period of the buyer's country, 0
        otherwise or when it cannot be known. Answers are kept per date: many deals of a
        pipeline share a close date."""
        if buyer is None or buyer.iso2 is None:
            return lambda _close: 0
        from crossdeal._calendar_cache import cached_knowledge
        from crossdeal.calendar.days import FIRST_YEAR, LAST_YEAR, closes_badly

        knowledge, country = cached_knowledge(), buyer.iso2
        known: dict[Any, int] = {None: 0}

        def check(close: Any) -> int:
            flag = known.get(close)
            if flag is None:
                day = date.fromisoformat(close) if isinstance(close, str) else close
                in_range = FIRST_YEAR <= day.year <= LAST_YEAR
                flag = known[close] = int(in_range and closes_badly(country, day, knowledge))
            return flag

        return check

    def _cycle_factor(self, seller: Culture | None, buyer: Culture | None) -> float | None:
        if seller is None or buyer is None:
            return None
        from crossdeal._calendar_cache import cached_knowledge
        from crossdeal.culture.distance import kogut_singh_index

        ks = kogut_singh_index(
            seller.scores, buyer.scores, self.model.variances, self.model.distance_keys
        )
        directed = self.cycle_prior.directed(
            ks.value, seller.scores, buyer.scores, cached_knowledge().common_language(seller, buyer)
        )
        return None if directed is None else directed[0]

    def deals(
        self,
        country: str | None = None,
        at_risk: bool = False,
        outcome: str | None = "open",
        limit: int | None = None,
    ) -> DealList:
        """Deals with their risk signals; ``at_risk`` keeps those with a watch or high signal."""
        if outcome is not None and outcome not in OUTCOMES:
            raise InputError(f"outcome {outcome!r} is not one of: {', '.join(OUTCOMES)}")
        culture = self.culture_code(country)
        with self.db.session() as s:
            if not at_risk and limit is not None:
                # only the deals shown need their signals decided
                total = self._count(s, outcome, culture)
                decisions = self._decisions(s, outcome=outcome, culture=culture, limit=limit)
                _, summaries = self._summaries(s, decisions)
            else:
                decisions = self._decisions(s, outcome=outcome, culture=culture)
                total, summaries = self._summaries(
                    s, decisions, at_risk=at_risk, limit=limit, outcome=outcome, culture=culture
                )
        return DealList(
            team=self.team_name, database=self.db.describe(), total=total, deals=summaries
        )

    def _count(self, s: Session, outcome: str | None, culture: str | None) -> int:
        # every deal has its account (a foreign key), so only a culture filter needs the
        # join; without it the count is read from the (team, outcome) index alone
        query = select(func.count()).select_from(Deal).where(Deal.team_id == self.team_id)
        if outcome is not None:
            query = query.where(Deal.outcome == outcome)
        if culture is not None:
            query = query.join(Account, Account.id == Deal.account_id).where(
                Account.culture == culture
            )
        return int(s.connection().execute(query).scalar_one())

    def accounts(self, country: str | None = None) -> AccountList:
        """The team's accounts with their culture, observed norms and open deals."""
        culture = self.culture_code(country)
        open_deals = (
            select(Deal.account_id, func.count().label("n"))
            .where(Deal.team_id == self.team_id, Deal.outcome == "open")
            .group_by(Deal.account_id)
            .subquery()
        )
        people = (
            select(Contact.account_id, func.count().label("n"))
            .where(Contact.team_id == self.team_id)
            .group_by(Contact.account_id)
            .subquery()
        )
        query = (
            select(Account, open_deals.c.n, people.c.n)
            .outerjoin(open_deals, open_deals.c.account_id == Account.id)
            .outerjoin(people, people.c.account_id == Account.id)
            .where(Account.team_id == self.team_id)
            .order_by(Account.name)
        )
        if culture is not None:
            query = query.where(Account.culture == culture)
        with self.db.session() as s:
            rows = s.execute(query).all()
            return AccountList(
                team=self.team_name,
                accounts=[
                    AccountSummary(
                        id=account.id,
                        name=account.name,
                        country=account.country,
                        culture=account.culture,
                        industry=account.industry,
                        observed=account.observations.split(),
                        open_deals=n_open or 0,
                        contacts=n_people or 0,
                        source=account.source,
                    )
                    for account, n_open, n_people in rows
                ],
            )

    def sellers(self) -> SellerList:
        """The team's sellers with their home culture and their open, won and lost deals."""
        counts = (
            select(
                Deal.owner_id,
                func.count().filter(Deal.outcome == "open").label("open"),
                func.count().filter(Deal.outcome == "won").label("won"),
                func.count().filter(Deal.outcome == "lost").label("lost"),
            )
            .where(Deal.team_id == self.team_id)
            .group_by(Deal.owner_id)
            .subquery()
        )
        query = (
            select(Seller, counts.c.open, counts.c.won, counts.c.lost)
            .outerjoin(counts, counts.c.owner_id == Seller.id)
            .where(Seller.team_id == self.team_id)
            .order_by(Seller.name)
        )
        with self.db.session() as s:
            return SellerList(
                team=self.team_name,
                sellers=[
                    SellerSummary(
                        id=seller.id,
                        name=seller.name,
                        culture=seller.culture,
                        email=seller.email,
                        self_assessed=bool(seller.self_profile),
                        open_deals=n_open or 0,
                        won=n_won or 0,
                        lost=n_lost or 0,
                    )
                    for seller, n_open, n_won, n_lost in s.execute(query).all()
                ],
            )

    def contacts(self, account: str | None = None, name: str | None = None) -> ContactList:
        """The team's contacts (the buyers' people), by account, with their committees.

        ``account`` keeps one account's contacts, ``name`` the contacts of that name (on
        any account): each matched in any case."""
        committees = (
            select(DealContact.contact_id, func.count().label("n"))
            .group_by(DealContact.contact_id)
            .subquery()
        )
        query = (
            select(Contact, Account.name, Account.culture, committees.c.n)
            .join(Account, Account.id == Contact.account_id)
            .outerjoin(committees, committees.c.contact_id == Contact.id)
            .where(Contact.team_id == self.team_id)
            .order_by(Account.name, Contact.name)
        )
        with self.db.session() as s:
            if account is not None:
                query = query.where(Contact.account_id == self.account_named(s, account).id)
            if name is not None:
                wanted = " ".join(name.split())
                if wanted.isascii():
                    query = query.where(func.lower(Contact.name) == wanted.lower())
                else:
                    # SQLite's lower() folds ASCII only: compare the team's names here
                    matching = [
                        contact_id
                        for contact_id, held in s.execute(
                            select(Contact.id, Contact.name).where(Contact.team_id == self.team_id)
                        ).all()
                        if held.casefold() == wanted.casefold()
                    ]
                    query = query.where(Contact.id.in_(matching))
            return ContactList(
                team=self.team_name,
                contacts=[
                    ContactSummary(
                        id=contact.id,
                        name=contact.name,
                        account=account_name,
                        account_id=contact.account_id,
                        culture=contact.culture,
                        account_culture=account_culture,
                        role=contact.role,
                        seniority=contact.seniority,
                        email=contact.email,
                        observed=contact.observations.split(),
                        deals=n_deals or 0,
                        source=contact.source,
                    )
                    for contact, account_name, account_culture, n_deals in s.execute(query).all()
                ],
            )

    def deal(self, deal_id: int, brief: bool = True) -> DealView:
        """One deal: BANT, committee, activities, risk signals and the briefing."""
        with self.db.session() as s:
            deal = self._deal(s, deal_id)
            _, (summary,) = self._summaries(s, self._decisions(s, [deal.id]))
            members = (
                s.execute(
                    select(Contact)
                    .join(DealContact, DealContact.contact_id == Contact.id)
                    .where(DealContact.deal_id == deal.id)
                    .order_by(Contact.name)
                )
                .scalars()
                .all()
            )
            activities = (
                s.execute(
                    select(Activity)
                    .where(Activity.deal_id == deal.id)
                    .order_by(Activity.occurred_on, Activity.id)
                )
                .scalars()
                .all()
            )
            # who took part, looked up by the activities' own ids: a join on the deal id
            # leads PostgreSQL's planner to hash the whole attendance table
            people: dict[int, list[str]] = {}
            met_ids: set[int] = set()
            meetings = {a.id for a in activities if a.channel in MEETINGS}
            activity_ids = [a.id for a in activities]
            for start in range(0, len(activity_ids), IDS_PER_STATEMENT):
                chunk = activity_ids[start : start + IDS_PER_STATEMENT]
                for activity_id, contact_id, name in s.execute(
                    select(ActivityContact.activity_id, Contact.id, Contact.name)
                    .join(Contact, Contact.id == ActivityContact.contact_id)
                    .where(ActivityContact.activity_id.in_(chunk))
                ).all():
                    people.setdefault(activity_id, []).append(name)
                    if activity_id in meetings:
                        met_ids.add(contact_id)
            owner_culture = (
                s.scalar(select(Seller.culture).where(Seller.id == deal.owner_id))
                if deal.owner_id
                else None
            )
            view = DealView(
                deal=summary,
                budget_confirmed=deal.budget_confirmed,
                authority_identified=deal.authority_identified,
                need=deal.need,
                timing=deal.timing,
                standard_offer=deal.standard_offer,
                lost_reason=deal.lost_reason,
                product=deal.product,
                notes=deal.notes,
                source=deal.source,
                external_id=deal.external_id,
                committee=[
                    ContactView(
                        id=c.id,
                        name=c.name,
                        role=c.role,
                        culture=c.culture,
                        seniority=c.seniority,
                        observations=c.observations.split(),
                        met=c.id in met_ids,
                    )
                    for c in members
                ],
                activities=[
                    ActivityView(
                        id=a.id,
                        occurred_on=a.occurred_on,
                        channel=a.channel,
                        direction=a.direction,
                        with_=sorted(people.get(a.id, [])),
                        note=a.note,
                        unqualified_yes=a.unqualified_yes,
                    )
                    for a in activities
                ],
                briefing=self._briefing(owner_culture, summary.culture) if brief else None,
                before_close=self._before_close(summary.culture, summary),
                version=deal.version,
                history=[
                    event_view(e)
                    for e in s.scalars(
                        select(DealEvent)
                        .where(DealEvent.deal_id == deal.id, DealEvent.team_id == self.team_id)
                        .order_by(DealEvent.id)
                    )
                ],
            )
        return view

    def _before_close(self, culture: str | None, summary: DealSummary) -> list[Any]:
        """The public holidays and business periods of the buyer's country from today to
        an open deal's expected close date (at most a year ahead)."""
        buyer = self.model.get(culture) if culture else None
        close = summary.expected_close
        today = date.today()
        if summary.outcome != "open" or buyer is None or buyer.iso2 is None or close is None:
            return []
        if close < today:
            return []
        from crossdeal._calendar_cache import cached_knowledge
        from crossdeal.calendar.days import LAST_YEAR, usual_subdivision
        from crossdeal.calendar.reports import calendar_entries

        end = min(close, today + timedelta(days=365))
        if end.year > LAST_YEAR:
            return []
        knowledge = cached_knowledge()
        subdivision = usual_subdivision(buyer.iso2, None, knowledge)
        entries, _ = calendar_entries(buyer.iso2, today, end, knowledge, subdivision)
        return entries

    def _briefing(self, seller: str | None, buyer: str | None) -> Any:
        if not seller or not buyer:
            return None
        from crossdeal.playbook.engine import Playbook

        s, b = self.model.get(seller), self.model.get(buyer)
        if s is None or b is None:
            return None
        from crossdeal._calendar_cache import cached_knowledge

        common = cached_knowledge().common_language(s, b)
        return Playbook.default().brief(s, b, self.model, self.cycle_prior, common)

    def forecast(self, as_of: date | None = None, limit: int | None = None) -> ForecastReport:
        """Fit the forecast on the team's closed deals and forecast its open ones."""
        from crossdeal.pipeline.forecasting import forecast_report

        return forecast_report(self, as_of=as_of, limit=limit)

    def export_rows(self) -> Iterator[dict[str, Any]]:
        """Every deal of the team as a flat row (for CSV or JSON export)."""
        listing = self.deals(outcome=None)
        for d in listing.deals:
            yield {
                "id": d.id,
                "name": d.name,
                "account": d.account,
                "country": d.country,
                "culture": d.culture,
                "owner": d.owner,
                "amount": d.amount,
                "currency": d.currency,
                "stage": d.stage,
                "outcome": d.outcome,
                "created_on": d.created_on.isoformat() if d.created_on else None,
                "expected_close": d.expected_close.isoformat() if d.expected_close else None,
                "closed_on": d.closed_on.isoformat() if d.closed_on else None,
                "risk": d.worst,
                "signals": " ".join(s.id for s in d.signals),
            }


def event_view(event: DealEvent) -> DealEventView:
    """A recorded change to a deal, as the reports show it."""
    return DealEventView(
        at=event.at,
        by=event.by,
        kind=event.kind,
        field=event.field,
        old=event.old,
        new=event.new,
        note=event.note,
    )


def mentions_standard_offer(notes: str | None) -> bool:
    """Whether free-text notes describe a one-size-fits-all offer (the coach's feature)."""
    if not notes:
        return False
    from crossdeal.messages.features import default_features

    return default_features().extract(notes, only=("standard_offer",)).has("standard_offer")


def _required(value: str | None, what: str) -> str:
    if value is None or not str(value).strip():
        raise InputError(f"a {what} is required")
    return " ".join(str(value).split())


# the deals.amount column: Numeric(16, 2), so 14 digits before the point and 2 after
AMOUNT_DIGITS = 14
_CENT = Decimal("0.01")


def checked_amount(value: float | Decimal | str) -> Decimal:
    """An amount as it will be stored: finite, not negative, in cents, and small enough
    for the column; anything else is an InputError that says why."""
    import decimal

    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except decimal.InvalidOperation:
        raise InputError(f"{value!r} is not an amount") from None
    if not amount.is_finite():
        raise InputError(f"{value!r} is not an amount (it is not a finite number)")
    if amount < 0:
        raise InputError(f"amount {value} is negative")
    if amount.adjusted() >= AMOUNT_DIGITS:
        raise InputError(
            f"amount {value} is too large (at most {AMOUNT_DIGITS} digits before the point)"
        )
    # rounded here, once, so that what is stored is what the next import compares with
    return amount.quantize(_CENT, rounding=decimal.ROUND_HALF_EVEN)


def _check_deal(
    amount: float | Decimal | None,
    outcome: str,
    created_on: date | None,
    expected_close: date | None,
    closed_on: date | None,
) -> None:
    if outcome not in OUTCOMES:
        raise InputError(f"outcome {outcome!r} is not one of: {', '.join(OUTCOMES)}")
    if amount is not None:
        checked_amount(amount)
    today = date.today()
    if created_on and created_on > today:
        raise InputError(f"created date {created_on.isoformat()} is in the future")
    if closed_on and closed_on > today:
        raise InputError(f"close date {closed_on.isoformat()} is in the future")
    if closed_on and outcome == "open":
        raise InputError("an open deal cannot have a close date; set outcome won or lost")
    if created_on and closed_on and closed_on < created_on:
        raise InputError("the deal closes before it was created")
    if created_on and expected_close and expected_close < created_on:
        raise InputError("the expected close date is before the deal was created")


def _days_between(conn: Connection, start: Any, end: Any) -> Any:
    """Whole days from ``start`` to ``end`` (date columns or values), worked out by the
    database: SQLite keeps dates as text, PostgreSQL subtracts dates into days."""
    if conn.dialect.name == "sqlite":
        return func.julianday(end) - func.julianday(start)
    return end - start
