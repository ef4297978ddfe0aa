"""A team's whole pipeline as one file, and back: crossdeal's own export format.

A backup is a zip holding one JSON document, ``backup.json`` (its schema is
``schemas/backup.schema.json``): the team's sellers with their self-assessments,
accounts with their observed norms, contacts with their committee roles, deals with
their committees, activities and recorded history, and, from the command line, the
user's saved people and self-profile. Records refer to each other by name (an account,
a contact of the deal's account, a seller); deals keep their numbers.

The same data gives the same bytes: rows in a fixed order, no timestamp of the export
itself, and zip entries with a fixed date. Exporting, restoring into an empty database
and exporting again gives the file back byte for byte (a test does exactly that).

A restore goes into an empty team, in one transaction: a team that holds anything is
refused before a row is written, so nothing the user has is ever replaced or merged.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlalchemy import Connection, Select, insert, select, text
from sqlalchemy.exc import DataError

from crossdeal.errors import InputError
from crossdeal.people.store import PersonRecord, ProfileStore, SelfProfile
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
    Seller,
)
from crossdeal.pipeline.reports import RestoreReport
from crossdeal.pipeline.store import (
    PipelineStore,
    TeamNotEmptyError,
    _insert_returning_ids,
    checked_amount,
)

__all__ = [
    "BACKUP_ENTRY",
    "FORMAT",
    "Backup",
    "backup_bytes",
    "is_backup",
    "read_backup",
    "restore",
    "restore_people",
    "team_backup",
]

FORMAT: Final = "crossdeal.backup/1"
# the one entry of the zip
BACKUP_ENTRY = "backup.json"
# a zip entry larger than this, unpacked, is refused before it is read (a 100,000-deal
# team with its activities is about 150 MB of JSON)
MAX_UNPACKED_BYTES = 2 * 1024**3
# zip entries carry a date; a fixed one keeps the bytes of a backup a function of its data
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
# rows per INSERT batch while restoring
_BATCH = 2_000
# deal ids looked up per statement when checking they are free
_IDS_PER_LOOKUP = 2_000


class _Record(BaseModel):
    # text is carried as the database holds it (SQLite does not enforce column lengths);
    # a database that cannot take a value refuses the restore with the reason
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class BackupSeller(_Record):
    name: str = Field(min_length=1)
    email: str | None = None
    culture: str | None = None
    self_profile: str | None = Field(
        default=None, description="the seller's self-assessment answers, as JSON text"
    )


class BackupAccount(_Record):
    name: str = Field(min_length=1)
    country: str | None = Field(default=None, description="as the CRM wrote it")
    culture: str | None = Field(default=None, description="the resolved culture")
    industry: str | None = None
    observations: str = Field(default="", description="observed norms: space-separated ids")
    source: str = "crossdeal"
    external_id: str | None = None


class BackupContact(_Record):
    account: str = Field(min_length=1)
    name: str = Field(min_length=1)
    culture: str | None = None
    role: str | None = Field(default=None, description=f"one of {', '.join(ROLES)}")
    role_guessed: bool = Field(default=False, description="the role was read from a job title")
    seniority: str | None = None
    observations: str = ""
    email: str | None = None
    source: str = "crossdeal"
    external_id: str | None = None


class ContactRef(_Record):
    """A contact of another account than the deal's."""

    account: str
    name: str


class BackupActivity(_Record):
    channel: Literal[CHANNELS]  # type: ignore[valid-type]
    direction: Literal[DIRECTIONS] = "outbound"  # type: ignore[valid-type]
    occurred_on: date
    note: str | None = None
    unqualified_yes: bool = False
    with_: list[str | ContactRef] = Field(default_factory=list, alias="with")


class BackupEvent(_Record):
    at: datetime
    by: str | None = None
    kind: str
    field: str
    old: str | None = None
    new: str | None = None
    note: str | None = None


class BackupDeal(_Record):
    id: int = Field(ge=1, le=2_147_483_647, description="the deal's number")
    account: str
    owner: str | None = None
    name: str = Field(min_length=1)
    amount: str | None = Field(default=None, description="a decimal number, in cents")
    currency: str = "USD"
    stage: str | None = None
    outcome: Literal[OUTCOMES] = "open"  # type: ignore[valid-type]
    budget_confirmed: bool = False
    authority_identified: bool = False
    need: str | None = None
    timing: str | None = None
    standard_offer: bool = False
    created_on: date | None = None
    expected_close: date | None = None
    closed_on: date | None = None
    lost_reason: str | None = None
    product: str | None = None
    notes: str | None = None
    source: str = "crossdeal"
    external_id: str | None = None
    version: int = Field(default=1, ge=1)
    committee: list[str | ContactRef] = Field(default_factory=list)
    activities: list[BackupActivity] = Field(default_factory=list)
    history: list[BackupEvent] = Field(default_factory=list)

    @field_validator("amount")
    @classmethod
    def _amount(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            checked = checked_amount(value)
        except InputError as error:
            raise ValueError(str(error)) from None
        if checked != Decimal(value):
            raise ValueError(f"{value!r} has more than two decimals")
        return value


class Backup(_Record):
    """One team's pipeline, and the user's people, as crossdeal writes and reads it."""

    format: Literal["crossdeal.backup/1"] = "crossdeal.backup/1"
    team: str = Field(description="the team it was exported from")
    sellers: list[BackupSeller] = Field(default_factory=list)
    accounts: list[BackupAccount] = Field(default_factory=list)
    contacts: list[BackupContact] = Field(default_factory=list)
    deals: list[BackupDeal] = Field(default_factory=list)
    people: list[PersonRecord] | None = Field(
        default=None, description="saved people (absent in a backup taken by the server)"
    )
    me: SelfProfile | None = Field(default=None, description="the user's self-profile")


# --- export --------------------------------------------------------------------------------


def _linked(conn: Connection, pairs: Select[int, int]) -> dict[int, list[int]]:
    """A link table's (owner, contact) pairs as each owner's contacts, in id order."""
    linked: dict[int, list[int]] = defaultdict(list)
    for owner, contact in conn.execute(pairs.order_by(*pairs.selected_columns)):
        linked[owner].append(contact)
    return linked


def team_backup(
    store: PipelineStore,
    people: list[PersonRecord] | None = None,
    me: SelfProfile | None = None,
) -> Backup:
    """Everything the team holds, read as one snapshot: a change committed while the
    backup is read is either wholly in it or not at all."""
    with _snapshot(store) as conn:
        team = store.team_id
        sellers = conn.execute(
            select(Seller).where(Seller.team_id == team).order_by(Seller.id)
        ).all()
        # sorted here, not by the database: collations differ between databases
        sellers = sorted(sellers, key=lambda r: (r.name, r.id))
        seller_names = {row.id: row.name for row in sellers}
        accounts = conn.execute(
            select(Account).where(Account.team_id == team).order_by(Account.id)
        ).all()
        accounts = sorted(accounts, key=lambda r: (r.name, r.id))
        account_names = {row.id: row.name for row in accounts}
        contacts = conn.execute(
            select(Contact).where(Contact.team_id == team).order_by(Contact.id)
        ).all()
        contact_keys = {row.id: (account_names[row.account_id], row.name) for row in contacts}
        deals = conn.execute(select(Deal).where(Deal.team_id == team).order_by(Deal.id)).all()
        committees = _linked(
            conn,
            select(DealContact.deal_id, DealContact.contact_id)
            .join(Deal, Deal.id == DealContact.deal_id)
            .where(Deal.team_id == team),
        )
        attendees = _linked(
            conn,
            select(ActivityContact.activity_id, ActivityContact.contact_id)
            .join(Activity, Activity.id == ActivityContact.activity_id)
            .where(Activity.team_id == team),
        )
        activities: dict[int, list[Any]] = defaultdict(list)
        for activity in conn.execute(
            select(Activity).where(Activity.team_id == team).order_by(Activity.id)
        ):
            activities[activity.deal_id].append(activity)
        history: dict[int, list[BackupEvent]] = defaultdict(list)
        for event in conn.execute(
            select(DealEvent).where(DealEvent.team_id == team).order_by(DealEvent.id)
        ):
            history[event.deal_id].append(
                BackupEvent(
                    at=event.at,
                    by=event.by,
                    kind=event.kind,
                    field=event.field,
                    old=event.old,
                    new=event.new,
                    note=event.note,
                )
            )

    def refs(account: str, contact_ids: Iterable[int]) -> list[str | ContactRef]:
        shown: list[str | ContactRef] = []
        for contact_id in contact_ids:
            of, name = contact_keys[contact_id]
            shown.append(name if of == account else ContactRef(account=of, name=name))
        # a fixed order whatever the contacts' ids were
        return sorted(shown, key=lambda r: (r, "") if isinstance(r, str) else (r.name, r.account))

    backup_deals = []
    for row in deals:
        account = account_names[row.account_id]
        backup_deals.append(
            BackupDeal(
                id=row.id,
                account=account,
                owner=seller_names.get(row.owner_id) if row.owner_id else None,
                name=row.name,
                amount=None if row.amount is None else f"{Decimal(row.amount):.2f}",
                currency=row.currency,
                stage=row.stage,
                outcome=row.outcome,
                budget_confirmed=bool(row.budget_confirmed),
                authority_identified=bool(row.authority_identified),
                need=row.need,
                timing=row.timing,
                standard_offer=bool(row.standard_offer),
                created_on=row.created_on,
                expected_close=row.expected_close,
                closed_on=row.closed_on,
                lost_reason=row.lost_reason,
                product=row.product,
                notes=row.notes,
                source=row.source,
                external_id=row.external_id,
                version=row.version,
                committee=refs(account, committees.get(row.id, ())),
                activities=[
                    BackupActivity.model_validate(
                        {
                            "channel": a.channel,
                            "direction": a.direction,
                            "occurred_on": a.occurred_on,
                            "note": a.note,
                            "unqualified_yes": bool(a.unqualified_yes),
                            "with": refs(account, attendees.get(a.id, ())),
                        }
                    )
                    for a in activities.get(row.id, [])
                ],
                history=history.get(row.id, []),
            )
        )
    return Backup(
        team=store.team_name,
        sellers=[
            BackupSeller(name=r.name, email=r.email, culture=r.culture, self_profile=r.self_profile)
            for r in sellers
        ],
        accounts=[
            BackupAccount(
                name=r.name,
                country=r.country,
                culture=r.culture,
                industry=r.industry,
                observations=r.observations or "",
                source=r.source,
                external_id=r.external_id,
            )
            for r in accounts
        ],
        contacts=sorted(
            (
                BackupContact(
                    account=account_names[r.account_id],
                    name=r.name,
                    culture=r.culture,
                    role=r.role,
                    role_guessed=bool(r.role_guessed),
                    seniority=r.seniority,
                    observations=r.observations or "",
                    email=r.email,
                    source=r.source,
                    external_id=r.external_id,
                )
                for r in contacts
            ),
            key=lambda c: (c.account, c.name),
        ),
        deals=backup_deals,
        people=people,
        me=me,
    )


@contextmanager
def _snapshot(store: PipelineStore) -> Iterator[Connection]:
    """A connection whose reads all see one state of the database."""
    with store.db.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                yield conn
            return
        # SQLite: a read transaction holds one snapshot of the write-ahead log until it ends
        conn.exec_driver_sql("BEGIN")
        try:
            yield conn
        finally:
            conn.exec_driver_sql("ROLLBACK")


def backup_bytes(backup: Backup) -> bytes:
    """The backup as a zip file's bytes: the same data gives the same bytes."""
    payload = backup.model_dump_json(by_alias=True, indent=1) + "\n"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        entry = zipfile.ZipInfo(BACKUP_ENTRY, date_time=_ZIP_DATE)
        entry.compress_type = zipfile.ZIP_DEFLATED
        entry.external_attr = 0o600 << 16  # it holds people's names and notes
        zf.writestr(entry, payload.encode("utf-8"), compresslevel=6)
    return buffer.getvalue()


# --- import --------------------------------------------------------------------------------


def is_backup(path: Path) -> bool:
    """Whether the file looks like a crossdeal backup (a zip), from its first bytes."""
    try:
        with path.open("rb") as fh:
            return fh.read(4) == b"PK\x03\x04"
    except OSError:
        return False


def read_backup(path: Path, shown: str | None = None) -> Backup:
    """The backup in ``path``, checked whole before anything is written (``shown``: the
    file's name in messages, where ``path`` is a copy, such as an upload)."""
    name = shown or path.name
    try:
        with zipfile.ZipFile(path) as zf:
            try:
                entry = zf.getinfo(BACKUP_ENTRY)
            except KeyError:
                raise InputError(
                    f"{name} is a zip file but not a crossdeal backup (it has no "
                    f"{BACKUP_ENTRY}); make one with: crossdeal export --format crossdeal"
                ) from None
            if entry.file_size > MAX_UNPACKED_BYTES:
                raise InputError(
                    f"{name}: its {BACKUP_ENTRY} unpacks to {entry.file_size:,} bytes, "
                    f"more than a backup can hold ({MAX_UNPACKED_BYTES:,})"
                )
            raw = zf.read(entry)
    except zipfile.BadZipFile:
        raise InputError(f"{name} is not a readable zip file (damaged or cut short)") from None
    except OSError as exc:
        raise InputError(f"cannot read {name}: {exc.strerror or exc}") from None
    try:
        document = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{name}: {BACKUP_ENTRY} is not valid JSON ({exc})") from None
    if not isinstance(document, dict):
        raise InputError(f"{name}: {BACKUP_ENTRY} is not a crossdeal backup")
    found = document.get("format")
    if found != FORMAT:
        raise InputError(
            f"{name} is in the format {found!r}; this crossdeal reads {FORMAT!r}"
            + (" (a newer crossdeal wrote it: upgrade to restore it)" if found else "")
        )
    try:
        return Backup.model_validate(document)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        message = str(first["msg"]).removeprefix("Value error, ")
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise InputError(f"{name}: {where}: {message}{more}") from None


def _check_references(backup: Backup) -> None:
    """Every name a record refers to is in the backup, and no name is there twice."""
    sellers = [s.name for s in backup.sellers]
    accounts = [a.name for a in backup.accounts]
    contacts = [(c.account, c.name) for c in backup.contacts]
    numbers = [d.id for d in backup.deals]
    for what, keys in (
        ("seller", sellers),
        ("account", accounts),
        ("contact", contacts),
        ("deal number", numbers),
    ):
        seen: set[Any] = set()
        for key in keys:
            if key in seen:
                shown = " at ".join(reversed(key)) if isinstance(key, tuple) else key
                raise InputError(f"the backup holds the {what} {shown!r} twice")
            seen.add(key)
    known_accounts, known_contacts = set(accounts), set(contacts)
    for contact in backup.contacts:
        if contact.account not in known_accounts:
            raise InputError(
                f"the contact {contact.name!r} is at {contact.account!r}, an account the "
                "backup does not hold"
            )
    known_sellers = set(sellers)
    for deal in backup.deals:
        where = f"deal {deal.id} ({deal.name!r})"
        if deal.account not in known_accounts:
            raise InputError(f"{where} is at {deal.account!r}, an account the backup lacks")
        if deal.owner is not None and deal.owner not in known_sellers:
            raise InputError(f"{where} is owned by {deal.owner!r}, a seller the backup lacks")
        for people, what in (
            (deal.committee, "committee"),
            *((a.with_, f"activity of {a.occurred_on}") for a in deal.activities),
        ):
            keys = [
                (deal.account, r) if isinstance(r, str) else (r.account, r.name) for r in people
            ]
            if len(set(keys)) != len(keys):
                raise InputError(f"{where} names someone twice in its {what}")
        refs = [*deal.committee, *(p for a in deal.activities for p in a.with_)]
        for ref in refs:
            key = (deal.account, ref) if isinstance(ref, str) else (ref.account, ref.name)
            if key not in known_contacts:
                raise InputError(f"{where} names {key[1]!r} at {key[0]!r}, who is not a contact")


def _free(conn: Connection, ids: list[int]) -> bool:
    # every team's deals: numbers are unique in the database, not per team
    for start in range(0, len(ids), _IDS_PER_LOOKUP):
        chunk = ids[start : start + _IDS_PER_LOOKUP]
        if conn.execute(select(Deal.id).where(Deal.id.in_(chunk)).limit(1)).first():
            return False
    return True


def _advance_sequence(conn: Connection, highest: int) -> None:
    """After rows were written with their own ids, PostgreSQL's id sequence must not hand
    those ids out again (SQLite takes the next id from the table itself)."""
    if conn.dialect.name != "postgresql" or not highest:
        return
    conn.execute(
        text(
            "SELECT setval(pg_get_serial_sequence('deals', 'id'), "
            "greatest(:highest, coalesce(pg_sequence_last_value("
            "pg_get_serial_sequence('deals', 'id')::regclass), 1)))"
        ),
        {"highest": highest},
    )


def restore(store: PipelineStore, backup: Backup) -> RestoreReport:
    """Write the backup into the store's team, which must be empty, in one transaction.

    Deals keep their numbers where none of them is taken in this database (always, in a
    new one); otherwise every deal gets a new number, and the report says so.
    """
    _check_references(backup)
    try:
        return _restore(store, backup)
    except DataError as exc:
        first = str(exc.orig).strip().splitlines()[0] if exc.orig else "a value does not fit"
        raise InputError(
            f"this database cannot hold a value of the backup ({first}); nothing was restored"
        ) from None


def _restore(store: PipelineStore, backup: Backup) -> RestoreReport:
    with store.db.engine.begin() as conn:
        store.lock_deals(conn)
        held = store.contents(conn)
        if held.total:
            raise TeamNotEmptyError(
                f"team {store.team_name!r} already holds {held.describe()}; a backup is "
                "restored into an empty team, so nothing you have is replaced: name another "
                "team, e.g. crossdeal --team restored import BACKUP.zip"
            )
        writer = _Writer(conn, store.team_id)
        writer.sellers(backup.sellers)
        writer.accounts(backup.accounts)
        writer.contacts(backup.contacts)
        keep_numbers = _free(conn, [d.id for d in backup.deals])
        for start in range(0, len(backup.deals), _BATCH):
            writer.deals(backup.deals[start : start + _BATCH], keep_numbers)
        if keep_numbers:
            _advance_sequence(conn, max(writer.deal_ids, default=0))
        store.refresh_counts(conn, writer.deal_ids)
    return RestoreReport(
        team=store.team_name,
        source_team=backup.team,
        sellers=len(backup.sellers),
        accounts=len(backup.accounts),
        contacts=len(backup.contacts),
        deals=len(backup.deals),
        activities=writer.activities,
        history_entries=writer.events,
        deal_numbers_kept=keep_numbers,
    )


class _Writer:
    """Writes a backup's records into one team, remembering the ids they were given."""

    def __init__(self, conn: Connection, team_id: int) -> None:
        self.conn, self.team = conn, team_id
        self.seller_ids: dict[str, int] = {}
        self.account_ids: dict[str, int] = {}
        self.contact_ids: dict[tuple[str, str], int] = {}
        self.deal_ids: list[int] = []
        self.activities = self.events = 0

    def _insert(self, table: Any, rows: list[dict[str, Any]]) -> list[int]:
        return _insert_returning_ids(self.conn, table, [{"team_id": self.team} | r for r in rows])

    def sellers(self, sellers: list[BackupSeller]) -> None:
        ids = self._insert(Seller, [s.model_dump() for s in sellers])
        self.seller_ids = {s.name: i for s, i in zip(sellers, ids, strict=True)}

    def accounts(self, accounts: list[BackupAccount]) -> None:
        ids = self._insert(Account, [a.model_dump() for a in accounts])
        self.account_ids = {a.name: i for a, i in zip(accounts, ids, strict=True)}

    def contacts(self, contacts: list[BackupContact]) -> None:
        for start in range(0, len(contacts), _BATCH):
            batch = contacts[start : start + _BATCH]
            rows = [
                {"account_id": self.account_ids[c.account]} | c.model_dump(exclude={"account"})
                for c in batch
            ]
            for c, new in zip(batch, self._insert(Contact, rows), strict=True):
                self.contact_ids[(c.account, c.name)] = new

    def _contact(self, deal: BackupDeal, ref: str | ContactRef) -> int:
        if isinstance(ref, str):
            return self.contact_ids[(deal.account, ref)]
        return self.contact_ids[(ref.account, ref.name)]

    def deals(self, batch: list[BackupDeal], keep_numbers: bool) -> None:
        nested = {"id", "account", "owner", "amount", "committee", "activities", "history"}
        rows = [
            {
                "account_id": self.account_ids[d.account],
                "owner_id": self.seller_ids[d.owner] if d.owner is not None else None,
                "amount": None if d.amount is None else Decimal(d.amount),
            }
            | d.model_dump(exclude=nested)
            | ({"id": d.id} if keep_numbers else {})
            for d in batch
        ]
        placed = list(zip(batch, self._insert(Deal, rows), strict=True))
        committee = [
            {"deal_id": deal_id, "contact_id": self._contact(deal, ref)}
            for deal, deal_id in placed
            for ref in deal.committee
        ]
        if committee:
            self.conn.execute(insert(DealContact), committee)
        history = [
            {"team_id": self.team, "deal_id": deal_id} | event.model_dump()
            for deal, deal_id in placed
            for event in deal.history
        ]
        if history:
            self.conn.execute(insert(DealEvent), history)
        activities = [
            (deal_id, activity, sorted({self._contact(deal, ref) for ref in activity.with_}))
            for deal, deal_id in placed
            for activity in deal.activities
        ]
        activity_ids = self._insert(
            Activity,
            [
                {"deal_id": deal_id} | a.model_dump(exclude={"with_"})
                for deal_id, a, _ in activities
            ],
        )
        attendance = [
            {"activity_id": activity_id, "contact_id": contact_id}
            for activity_id, (_, _, present) in zip(activity_ids, activities, strict=True)
            for contact_id in present
        ]
        if attendance:
            self.conn.execute(insert(ActivityContact), attendance)
        self.activities += len(activity_ids)
        self.events += len(history)
        self.deal_ids.extend(deal_id for _, deal_id in placed)


def restore_people(profiles: ProfileStore, backup: Backup, report: RestoreReport) -> RestoreReport:
    """Add the backup's saved people and self-profile where the user has none of that name;
    a saved person or self-profile the user already has is never replaced."""
    unchanged = 0
    kept: list[str] = []
    missing: list[PersonRecord] = []
    saved = {p.name.casefold(): p for p in profiles.people()}
    for person in backup.people or []:
        have = saved.get(person.name.casefold())
        if have is None:
            missing.append(person)
        elif have == person:
            unchanged += 1
        else:
            kept.append(person.name)
    added = profiles.add_missing(missing)
    me: Literal["restored", "unchanged", "kept yours", "not in the backup"] = "not in the backup"
    if backup.me is not None:
        mine = profiles.me()
        if mine is None:
            profiles.save_me(backup.me)
            me = "restored"
        else:
            me = "unchanged" if mine == backup.me else "kept yours"
    return report.model_copy(
        update={"people_added": added, "people_unchanged": unchanged, "people_kept": kept, "me": me}
    )
