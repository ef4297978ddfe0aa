"""A contact on a deal is a person too: briefed like a saved person, from what the team
recorded about them (their culture, else their account's, and the behaviours observed)."""

from __future__ import annotations

import dataclasses

from crossdeal.culture.individual import PersonEstimate, estimate_person
from crossdeal.culture.model import CultureModel
from crossdeal.errors import InputError
from crossdeal.pipeline.reports import ContactSummary
from crossdeal.pipeline.store import PipelineStore

__all__ = ["contact_person"]


def _culture(contact: ContactSummary) -> str | None:
    return contact.culture or contact.account_culture


def contact_person(store: PipelineStore, name: str, model: CultureModel) -> PersonEstimate | None:
    """The estimate for the team's contact called ``name`` (any case); None when the team
    has no contact of that name.

    The same person is often a contact on several accounts (a consultant, a group's
    buyer): when those records agree on culture and observations they are one person;
    when they do not, the user is asked to say which, rather than one being picked.
    """
    found = store.contacts(name=name).contacts
    if not found:
        return None
    versions = {(_culture(c), tuple(sorted(c.observed))) for c in found}
    if len(versions) > 1:
        shown = "; ".join(
            f"{c.account}: {_culture(c) or 'no culture'}"
            + (f", {' '.join(c.observed)}" if c.observed else "")
            for c in found
        )
        raise InputError(
            f"{found[0].name} is a contact on {len(found)} accounts with different details "
            f"({shown}); save the one you mean as a person (crossdeal person add) and brief "
            "that name"
        )
    contact = found[0]
    culture = _culture(contact)
    if culture is None:
        raise InputError(
            f"{contact.name} is a contact at {contact.account}, but neither they nor the "
            "account have a country: add one (crossdeal accounts add "
            f'"{contact.account}" --country ...) or brief their culture instead'
        )
    estimate = estimate_person(contact.name, model.resolve(culture), model, contact.observed)
    whose = "their own" if contact.culture else "the account's"
    where = ", ".join(sorted({c.account for c in found}))
    recorded = f"pipeline contact at {where}, team {store.team_name}; culture: {whose}"
    return dataclasses.replace(estimate, sources=(recorded, *estimate.sources))
