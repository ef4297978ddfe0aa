"""Everything held about one buyer-side person, to hand over or to erase.

A person asks what a seller holds about them, or asks to be forgotten. Both start from
their name: the contacts of that name in the team's pipeline (on one account or several),
the deals whose buying committees they sit on, the activities they took part in, every
free-text field where their full name is written (activity notes, deal notes and
history), and the person saved on this machine under that name, if any.

Erasing removes the contacts (with their committee places and activity links, the deals'
counts recomputed) and the saved person, and replaces the full name in free text by
``[name erased]``. Deals and activities stay: they are the seller's records, not the
person's. A surname alone is not erased (too many people share it); where a part of the
name is still written, the report lists the place so the user can read it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from crossdeal.errors import InputError
from crossdeal.people.store import PersonRecord, ProfileStore
from crossdeal.pipeline.models import (
    Account,
    Activity,
    ActivityContact,
    Contact,
    Deal,
    DealContact,
    DealEvent,
)
from crossdeal.pipeline.reports import (
    ErasureReport,
    HeldActivity,
    HeldContact,
    HeldDeal,
    Mention,
    PersonalData,
)
from crossdeal.pipeline.store import NotFoundError, PipelineStore

__all__ = ["ERASED", "erase_person", "personal_data"]

# what an erased name becomes in free text
ERASED = "[name erased]"
# the free-text fields a name may be written in: (table, field)
_DEAL_TEXT = ("notes", "need", "timing", "lost_reason")
_EVENT_TEXT = ("note", "old", "new")
# a part of a name shorter than this is too common to report as a leftover mention
_SHORTEST_PART = 3


@dataclass(frozen=True)
class _Found:
    field: str
    record: Any
    place: str
    record_id: int
    deal_id: int | None


def _clean(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise InputError("give the person's name, e.g. crossdeal contacts export 'Kenji Sato'")
    return cleaned


def _full_name(name: str) -> re.Pattern[str]:
    # the whole name, any case, any spacing between its parts, never inside a longer word
    parts = [re.escape(part) for part in name.split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(parts) + r"(?!\w)", re.IGNORECASE)


def _name_parts(name: str) -> re.Pattern[str] | None:
    parts = [re.escape(p) for p in name.split() if len(p) >= _SHORTEST_PART]
    if not parts:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)", re.IGNORECASE)


def _contacts(s: Session, store: PipelineStore, name: str, account: str | None) -> list[Contact]:
    query = select(Contact).where(Contact.team_id == store.team_id).order_by(Contact.id)
    if account is not None:
        query = query.where(Contact.account_id == store.account_named(s, account).id)
    wanted = name.casefold()
    return [c for c in s.scalars(query) if " ".join(c.name.split()).casefold() == wanted]


def _texts(s: Session, store: PipelineStore) -> Iterator[_Found]:
    """Every non-empty free-text field of the team's deals, activities and history."""
    for activity in s.scalars(
        select(Activity).where(Activity.team_id == store.team_id, Activity.note.is_not(None))
    ):
        yield _Found("note", activity, "activity", activity.id, activity.deal_id)
    for deal in s.scalars(select(Deal).where(Deal.team_id == store.team_id)):
        for field in _DEAL_TEXT:
            if getattr(deal, field):
                yield _Found(field, deal, "deal", deal.id, deal.id)
    for event in s.scalars(select(DealEvent).where(DealEvent.team_id == store.team_id)):
        for field in _EVENT_TEXT:
            if getattr(event, field):
                yield _Found(field, event, "deal history", event.id, event.deal_id)


def _mention(found: _Found, text: str) -> Mention:
    return Mention(
        place=found.place,
        id=found.record_id,
        deal_id=found.deal_id,
        field=found.field,
        text=text,
    )


def _account_names(s: Session, contacts: list[Contact]) -> dict[int, str]:
    wanted = {c.account_id for c in contacts}
    query = select(Account.id, Account.name).where(Account.id.in_(wanted))
    return {row.id: row.name for row in s.execute(query)}


def _held(s: Session, contacts: list[Contact]) -> tuple[list[HeldContact], list[HeldActivity]]:
    ids = [c.id for c in contacts]
    accounts = _account_names(s, contacts)
    on_deals: dict[int, list[HeldDeal]] = {i: [] for i in ids}
    for contact_id, deal_id, deal_name in s.execute(
        select(DealContact.contact_id, Deal.id, Deal.name)
        .join(Deal, Deal.id == DealContact.deal_id)
        .where(DealContact.contact_id.in_(ids))
        .order_by(Deal.id)
    ):
        on_deals[contact_id].append(HeldDeal(id=deal_id, name=deal_name))
    held = [
        HeldContact(
            id=c.id,
            name=c.name,
            account=accounts[c.account_id],
            culture=c.culture,
            role=c.role,
            seniority=c.seniority,
            email=c.email,
            observed=c.observations.split(),
            source=c.source,
            external_id=c.external_id,
            deals=on_deals[c.id],
        )
        for c in contacts
    ]
    activities = [
        HeldActivity(
            id=a.id,
            deal_id=a.deal_id,
            deal=deal_name,
            occurred_on=a.occurred_on,
            channel=a.channel,
            direction=a.direction,
            note=a.note,
        )
        for a, deal_name in s.execute(
            select(Activity, Deal.name)
            .join(Deal, Deal.id == Activity.deal_id)
            .join(ActivityContact, ActivityContact.activity_id == Activity.id)
            .where(ActivityContact.contact_id.in_(ids))
            .order_by(Activity.occurred_on, Activity.id)
        ).unique()
    ]
    return held, activities


def personal_data(
    store: PipelineStore,
    name: str,
    people: ProfileStore | None = None,
    account: str | None = None,
) -> PersonalData:
    """Everything the team's pipeline (and this machine's saved people) hold about ``name``."""
    wanted = _clean(name)
    full = _full_name(wanted)
    with store.db.session() as s:
        contacts = _contacts(s, store, wanted, account)
        held, activities = _held(s, contacts)
        mentions = [
            _mention(found, text)
            for found in _texts(s, store)
            if full.search(text := getattr(found.record, found.field))
        ]
    saved = people.find(wanted) if people is not None else None
    if not held and not mentions and saved is None:
        raise NotFoundError(
            f"nothing is held about {wanted!r} in team {store.team_name!r}: no contact, saved "
            "person or note has that full name; `crossdeal contacts` lists the contacts"
        )
    return PersonalData(
        name=held[0].name if held else saved.name if saved is not None else wanted,
        team=store.team_name,
        contacts=held,
        activities=activities,
        mentions=mentions,
        saved_person=saved.model_dump() if saved is not None else None,
    )


def erase_person(
    store: PipelineStore,
    name: str,
    people: ProfileStore | None = None,
    account: str | None = None,
    dry_run: bool = False,
) -> ErasureReport:
    """Remove ``name``'s contacts and saved person and write ``[name erased]`` over their
    full name in free text; ``dry_run`` reports the same without changing anything."""
    wanted = _clean(name)
    full, parts = _full_name(wanted), _name_parts(wanted)
    with store.db.session() as s:
        contacts = _contacts(s, store, wanted, account)
        ids = [c.id for c in contacts]
        places = s.scalars(select(DealContact.deal_id).where(DealContact.contact_id.in_(ids)))
        deal_ids = list(places)
        links = len(
            s.scalars(
                select(ActivityContact.activity_id).where(ActivityContact.contact_id.in_(ids))
            ).all()
        )
        accounts = sorted(set(_account_names(s, contacts).values()))
        redacted: list[Mention] = []
        leftovers: list[Mention] = []
        for found in _texts(s, store):
            text = getattr(found.record, found.field)
            cleaned = full.sub(ERASED, text)
            if cleaned != text:
                redacted.append(_mention(found, cleaned))
                if not dry_run:
                    setattr(found.record, found.field, cleaned)
            if parts is not None and parts.search(cleaned):
                leftovers.append(_mention(found, cleaned))
        saved: PersonRecord | None = people.find(wanted) if people is not None else None
        if not contacts and not redacted and saved is None:
            raise NotFoundError(
                f"nothing is held about {wanted!r} in team {store.team_name!r}: no contact, "
                "saved person or note has that full name; `crossdeal contacts` lists them"
            )
        if not dry_run:
            store.lock_deals(s.connection(), sorted(set(deal_ids)))
            s.execute(delete(ActivityContact).where(ActivityContact.contact_id.in_(ids)))
            s.execute(delete(DealContact).where(DealContact.contact_id.in_(ids)))
            s.execute(delete(Contact).where(Contact.id.in_(ids)))
            s.flush()
            store.refresh_counts(s.connection(), sorted(set(deal_ids)))
        report = ErasureReport(
            name=wanted,
            team=store.team_name,
            removed={
                "contacts": len(contacts),
                "committee places": len(deal_ids),
                "activity links": links,
                "saved people": 1 if saved is not None else 0,
            },
            accounts=accounts,
            redacted=redacted,
            still_mentioned=leftovers,
            done=not dry_run,
        )
    if saved is not None and not dry_run and people is not None:
        people.remove_person(saved.name)
    return report
