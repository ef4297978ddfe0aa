"""Change, close, reopen and delete a team's deals, accounts and committee members.

Each operation is one transaction in the store's team. A change to a deal can be made
against the version the editor last saw (``if_version``): if someone else changed the
deal since, it is refused with :class:`ConflictError` instead of overwriting their
change. Every changed field is recorded in the deal's history with who and when.

Deletions remove what the record owns and nothing else: a deal takes its committee links,
activities and history with it (the people stay on the account); an account takes its
contacts and deals. ``dry_run`` reports what a deletion would remove without removing
it, so an interface can say so and ask before it deletes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from crossdeal.errors import CrossdealError, InputError
from crossdeal.pipeline.models import (
    Account,
    Activity,
    ActivityContact,
    Contact,
    Deal,
    DealContact,
    DealEvent,
    Seller,
)
from crossdeal.pipeline.reasons import CloseReasons
from crossdeal.pipeline.reports import ChangeReport, DeletionReport
from crossdeal.pipeline.store import (
    NotFoundError,
    PipelineStore,
    checked_amount,
    event_view,
    mentions_standard_offer,
)

__all__ = [
    "ConflictError",
    "DealUpdate",
    "account_name",
    "close_deal",
    "delete_account",
    "delete_deal",
    "remove_contact",
    "reopen_deal",
    "update_deal",
]


class ConflictError(CrossdealError):
    """The deal changed since the editor read it; their edit was not applied."""


class DealUpdate(BaseModel):
    """The fields of a deal a person may change. A field left out is left as it is; a
    field given as None (where it may be empty) is cleared."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    name: str | None = Field(None, max_length=300)
    stage: str | None = Field(None, max_length=100)
    amount: Decimal | None = None
    currency: str | None = None
    expected_close: date | None = None
    owner: str | None = Field(None, description="a seller's name in the team")
    product: str | None = Field(None, max_length=200)
    need: str | None = None
    timing: str | None = None
    notes: str | None = None
    budget_confirmed: bool | None = None
    authority_identified: bool | None = None

    @field_validator("currency")
    @classmethod
    def _three_letters(cls, value: str | None) -> str | None:
        if value is not None and not (len(value.strip()) == 3 and value.strip().isalpha()):
            raise ValueError(f"{value!r} is not a three-letter currency code such as EUR")
        return value.strip().upper() if value is not None else None


# fields that cannot be emptied: a deal always has a name and a currency, and a BANT
# flag is either confirmed or not
_NOT_EMPTY = ("name", "currency", "budget_confirmed", "authority_identified")


# the stage a deal closed by crossdeal shows, as the demo and most CRMs name it
CLOSED_STAGE = {"won": "Closed won", "lost": "Closed lost"}


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _write(
    store: PipelineStore,
    s: Session,
    deal: Deal,
    values: dict[str, Any],
    events: Sequence[tuple[str, str, Any, Any, str | None]],
    if_version: int | None,
    by: str | None,
) -> ChangeReport:
    """Apply ``values`` to the deal if it is still at the version read (or ``if_version``),
    record ``events`` (kind, field, old, new, note) and bump the version."""
    seen = deal.version
    if if_version is not None and if_version != seen:
        raise ConflictError(
            f"deal {deal.id} was changed by someone else (it is at version {seen}, you edited "
            f"version {if_version}); read it again and redo your change"
        )
    # compare-and-set: a writer that changed the deal between our read and this write
    # leaves no row at the version we read, and nothing is written
    done = s.execute(
        update(Deal)
        .where(Deal.id == deal.id, Deal.team_id == store.team_id, Deal.version == seen)
        .values(**values, version=seen + 1)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]
        raise ConflictError(
            f"deal {deal.id} was changed by someone else while you edited it; "
            "read it again and redo your change"
        )
    at = _now()
    rows = [
        DealEvent(
            team_id=store.team_id,
            deal_id=deal.id,
            at=at,
            by=by,
            kind=kind,
            field=field,
            old=_text(old),
            new=_text(new),
            note=note,
        )
        for kind, field, old, new, note in events
    ]
    s.add_all(rows)
    s.flush()
    return ChangeReport(
        deal_id=deal.id,
        deal=values.get("name", deal.name),
        version=seen + 1,
        changes=[event_view(r) for r in rows],
    )


def update_deal(
    store: PipelineStore,
    ref: int | str,
    changes: DealUpdate,
    by: str | None = None,
    if_version: int | None = None,
) -> ChangeReport:
    """Change the given fields of one deal; says what changed (nothing given: an error)."""
    given = changes.model_fields_set
    if not given:
        raise InputError("nothing to change: give at least one field")
    for field in _NOT_EMPTY:
        if field in given and getattr(changes, field) is None:
            raise InputError(f"a deal's {field.replace('_', ' ')} cannot be emptied")
    with store.db.session() as s:
        deal = store._deal(s, ref)
        values: dict[str, Any] = {}
        shown: dict[str, tuple[Any, Any]] = {}
        for field in sorted(given):
            new = getattr(changes, field)
            if isinstance(new, str):
                new = " ".join(new.split()) if field in ("name", "stage") else new.strip()
                new = new or None
                if field in _NOT_EMPTY and new is None:
                    raise InputError(f"a deal's {field} cannot be emptied")
            if field == "amount" and new is not None:
                new = checked_amount(new)
            if field == "currency" and new is not None:
                new = new.upper()
            if field == "owner":
                owner_id = None
                if new is not None:
                    owner_id = s.scalar(
                        select(Seller.id).where(Seller.team_id == store.team_id, Seller.name == new)
                    )
                    if owner_id is None:
                        raise NotFoundError(f"no seller called {new!r} in this team")
                old_owner = (
                    s.scalar(select(Seller.name).where(Seller.id == deal.owner_id))
                    if deal.owner_id
                    else None
                )
                if owner_id != deal.owner_id:
                    values["owner_id"] = owner_id
                    shown["owner"] = (old_owner, new)
                continue
            old = getattr(deal, field)
            if field == "amount" and old is not None:
                old = Decimal(old).quantize(Decimal("0.01"))
            if old != new:
                values[field] = new
                shown[field] = (old, new)
        close = values.get("expected_close", deal.expected_close)
        if close and deal.created_on and close < deal.created_on:
            raise InputError(
                f"the expected close date {close.isoformat()} is before the deal was created "
                f"({deal.created_on.isoformat()})"
            )
        if not values:
            raise InputError(f"nothing to change: deal {deal.id} already has those values")
        if "notes" in values:
            values["standard_offer"] = deal.standard_offer or mentions_standard_offer(
                values["notes"]
            )
        events = [("update", field, old, new, None) for field, (old, new) in shown.items()]
        return _write(store, s, deal, values, events, if_version, by)


def close_deal(
    store: PipelineStore,
    ref: int | str,
    outcome: str,
    reason: str | None = None,
    note: str | None = None,
    on: date | None = None,
    by: str | None = None,
    if_version: int | None = None,
    reasons: CloseReasons | None = None,
) -> ChangeReport:
    """Close an open deal as won or lost, on a day (default today), with a reason from
    the team's list (required for a loss: it is what the team learns from)."""
    if outcome not in ("won", "lost"):
        raise InputError(f"close a deal as won or lost, not {outcome!r}")
    reasons = reasons or CloseReasons.default()
    day = on or date.today()
    if day > date.today():
        raise InputError(f"{day.isoformat()} is in the future: close a deal when it closes")
    with store.db.session() as s:
        deal = store._deal(s, ref)
        if deal.outcome != "open":
            raise InputError(
                f"deal {deal.id} is already {deal.outcome}"
                + (f" (on {deal.closed_on.isoformat()})" if deal.closed_on else "")
                + f"; `crossdeal deal {deal.id} reopen` first to close it again"
            )
        if reason is None and outcome == "lost":
            listed = ", ".join(r.id for r in reasons.for_outcome("lost"))
            raise InputError(f"say why the deal was lost with --reason, one of: {listed}")
        chosen = reasons.resolve(reason, outcome) if reason is not None else None
        if deal.created_on and day < deal.created_on:
            raise InputError(
                f"the deal was created on {deal.created_on.isoformat()}, after {day.isoformat()}"
            )
        stage = CLOSED_STAGE[outcome]
        values: dict[str, Any] = {"outcome": outcome, "closed_on": day, "stage": stage}
        events: list[tuple[str, str, Any, Any, str | None]] = [
            ("close", "outcome", deal.outcome, outcome, note),
            ("close", "closed_on", deal.closed_on, day, None),
        ]
        if deal.stage != stage:
            events.append(("close", "stage", deal.stage, stage, None))
        if chosen is not None:
            events.append(("close", "close_reason", None, chosen.id, None))
        if outcome == "lost":
            # the column the CRM imports fill too; the history has the reason as close_reason
            values["lost_reason"] = chosen.id if chosen else None
        return _write(store, s, deal, values, events, if_version, by)


def reopen_deal(
    store: PipelineStore,
    ref: int | str,
    note: str | None = None,
    by: str | None = None,
    if_version: int | None = None,
    stage: str | None = None,
) -> ChangeReport:
    """Make a won or lost deal open again. Its close date and loss reason are cleared
    (the history keeps them) and its stage goes back to the one it had before it was
    closed, if crossdeal closed it, or to ``stage``."""
    with store.db.session() as s:
        deal = store._deal(s, ref)
        if deal.outcome == "open":
            raise InputError(f"deal {deal.id} is open already")
        if stage is None:
            stage = s.scalar(
                select(DealEvent.old)
                .where(
                    DealEvent.deal_id == deal.id,
                    DealEvent.kind == "close",
                    DealEvent.field == "stage",
                )
                .order_by(DealEvent.id.desc())
                .limit(1)
            )
        if stage is None and deal.stage in CLOSED_STAGE.values():
            stage = None  # a closed stage does not describe an open deal
        elif stage is None:
            stage = deal.stage
        values = {"outcome": "open", "closed_on": None, "lost_reason": None, "stage": stage}
        events: list[tuple[str, str, Any, Any, str | None]] = [
            ("reopen", "outcome", deal.outcome, "open", note),
            ("reopen", "closed_on", deal.closed_on, None, None),
        ]
        if stage != deal.stage:
            events.append(("reopen", "stage", deal.stage, stage, None))
        return _write(store, s, deal, values, events, if_version, by)


def _count(s: Session, table: Any, *where: Any) -> int:
    return s.scalar(select(func.count()).select_from(table).where(*where)) or 0


def delete_deal(store: PipelineStore, ref: int | str, dry_run: bool = False) -> DeletionReport:
    """Delete one deal with its committee links, activities and history. The people on
    its committee stay on the account (they may sit on other deals)."""
    with store.db.session() as s:
        deal = store._deal(s, ref)
        activity_ids = select(Activity.id).where(Activity.deal_id == deal.id)
        removed = {
            "deals": 1,
            "committee memberships": _count(s, DealContact, DealContact.deal_id == deal.id),
            "activities": _count(s, Activity, Activity.deal_id == deal.id),
            "attendances": _count(
                s, ActivityContact, ActivityContact.activity_id.in_(activity_ids)
            ),
            "history entries": _count(s, DealEvent, DealEvent.deal_id == deal.id),
        }
        report = DeletionReport(
            kind="deal", name=f"{deal.id} {deal.name}", removed=removed, done=not dry_run
        )
        if dry_run:
            return report
        # spelled out rather than left to ON DELETE CASCADE, so that a database opened
        # without SQLite's foreign_keys pragma still loses nothing but this deal's rows
        s.execute(delete(ActivityContact).where(ActivityContact.activity_id.in_(activity_ids)))
        s.execute(delete(Activity).where(Activity.deal_id == deal.id))
        s.execute(delete(DealContact).where(DealContact.deal_id == deal.id))
        s.execute(delete(DealEvent).where(DealEvent.deal_id == deal.id))
        s.execute(delete(Deal).where(Deal.id == deal.id, Deal.team_id == store.team_id))
        return report


def account_name(store: PipelineStore, account_id: int) -> str:
    """The name of the team's account with this id."""
    with store.db.session() as s:
        name = s.scalar(
            select(Account.name).where(Account.id == account_id, Account.team_id == store.team_id)
        )
    if name is None:
        raise NotFoundError(f"there is no account {account_id} in this pipeline")
    return name


def delete_account(store: PipelineStore, name: str, dry_run: bool = False) -> DeletionReport:
    """Delete an account with its contacts and its deals (and theirs: committees,
    activities, history)."""
    with store.db.session() as s:
        account = store.account_named(s, name)
        deal_ids = select(Deal.id).where(Deal.account_id == account.id)
        contact_ids = select(Contact.id).where(Contact.account_id == account.id)
        activity_ids = select(Activity.id).where(Activity.deal_id.in_(deal_ids))
        removed = {
            "accounts": 1,
            "deals": _count(s, Deal, Deal.account_id == account.id),
            "contacts": _count(s, Contact, Contact.account_id == account.id),
            "activities": _count(s, Activity, Activity.deal_id.in_(deal_ids)),
            "history entries": _count(s, DealEvent, DealEvent.deal_id.in_(deal_ids)),
        }
        report = DeletionReport(
            kind="account", name=account.name, removed=removed, done=not dry_run
        )
        if dry_run:
            return report
        # deals of other accounts this account's contacts were linked to lose the link
        # and are recounted
        elsewhere = s.scalars(
            select(DealContact.deal_id).where(
                DealContact.contact_id.in_(contact_ids), DealContact.deal_id.not_in(deal_ids)
            )
        ).all()
        store.lock_deals(s.connection(), elsewhere)
        s.execute(
            delete(ActivityContact).where(
                ActivityContact.activity_id.in_(activity_ids)
                | ActivityContact.contact_id.in_(contact_ids)
            )
        )
        s.execute(delete(Activity).where(Activity.deal_id.in_(deal_ids)))
        s.execute(
            delete(DealContact).where(
                DealContact.deal_id.in_(deal_ids) | DealContact.contact_id.in_(contact_ids)
            )
        )
        s.execute(delete(DealEvent).where(DealEvent.deal_id.in_(deal_ids)))
        s.execute(delete(Deal).where(Deal.account_id == account.id))
        s.execute(delete(Contact).where(Contact.account_id == account.id))
        s.execute(delete(Account).where(Account.id == account.id))
        store.refresh_counts(s.connection(), list(elsewhere))
        return report


def remove_contact(
    store: PipelineStore,
    ref: int | str,
    name: str | None = None,
    dry_run: bool = False,
    contact_id: int | None = None,
) -> DeletionReport:
    """Take a person (by name, any case, or by ``contact_id``) off a deal's buying
    committee, and off the attendee lists of that deal's activities (the activities
    stay). The person stays on the account."""
    if (name is None) == (contact_id is None):
        raise InputError("name the person to take off the committee, or give their number")
    with store.db.session() as s:
        deal = store._deal(s, ref)
        on_committee = select(Contact).join(DealContact, DealContact.contact_id == Contact.id)
        if contact_id is not None:
            found = s.scalars(
                on_committee.where(DealContact.deal_id == deal.id, Contact.id == contact_id)
            ).all()
        else:
            wanted = " ".join((name or "").split())
            found = s.scalars(
                on_committee.where(DealContact.deal_id == deal.id).where(
                    func.lower(Contact.name) == wanted.lower()
                )
            ).all()
            # two people whose names differ only in case: the exact spelling decides
            exact = [c for c in found if c.name == wanted]
            if len(found) > 1 and len(exact) == 1:
                found = exact
            elif len(found) > 1:
                raise InputError(
                    f"{len(found)} people on deal {deal.id}'s committee are called {wanted!r}; "
                    "type the name exactly as it is written"
                )
        if not found:
            who = f"contact {contact_id}" if contact_id is not None else repr(name)
            raise NotFoundError(f"{who} is not on deal {deal.id}'s committee")
        contact = found[0]
        activity_ids = select(Activity.id).where(Activity.deal_id == deal.id)
        attended = (ActivityContact.activity_id.in_(activity_ids)) & (
            ActivityContact.contact_id == contact.id
        )
        report = DeletionReport(
            kind="committee member",
            name=f"{contact.name} (deal {deal.id})",
            removed={
                "committee memberships": 1,
                "attendances": _count(s, ActivityContact, attended),
            },
            done=not dry_run,
        )
        if dry_run:
            return report
        store.lock_deals(s.connection(), [deal.id])
        s.execute(delete(ActivityContact).where(attended))
        s.execute(
            delete(DealContact).where(
                DealContact.deal_id == deal.id, DealContact.contact_id == contact.id
            )
        )
        store.refresh_counts(s.connection(), [deal.id])
        return report
