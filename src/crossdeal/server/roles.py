"""Who may do what through the API: the lowest role each route needs, in one table.

A seller works the team's pipeline: reads every deal, account and forecast of the team,
adds and edits deals, closes and reopens them, keeps their committees and activities,
imports CRM exports, and briefs, checks drafts and reads replies. A manager also removes
records (a deal, an account with everything on it), takes the whole pipeline out
(export), puts a backup back into an empty team (restore), and answers a person's
request for their data or its erasure. An admin manages teams and users, from the
command line for now.

Every route the API serves must have a line here: a route without one is refused to
everybody (and a test that reads the OpenAPI document fails), so that a new route is
never open by accident.
"""

from __future__ import annotations

from typing import Final

from crossdeal.pipeline.models import USER_ROLES

__all__ = ["PUBLIC", "ROUTE_ROLES", "is_public", "role_for"]

PREFIX: Final = "/api/v1"

# answered without sign-in: the health check, and signing in (a token for a password)
PUBLIC: Final = frozenset({("GET", "/health"), ("POST", "/tokens")})

ROUTE_ROLES: Final[dict[tuple[str, str], str]] = {
    # the signed-in user and their own tokens
    ("GET", "/me"): "seller",
    ("GET", "/tokens"): "seller",
    ("DELETE", "/tokens/{token_id}"): "seller",
    # culture knowledge and the message coach
    ("GET", "/cultures"): "seller",
    ("GET", "/cultures/{name}"): "seller",
    ("POST", "/comparisons"): "seller",
    ("POST", "/briefings"): "seller",
    ("POST", "/lint"): "seller",
    ("POST", "/replies"): "seller",
    # the pipeline: reading and working deals
    ("GET", "/deals"): "seller",
    ("POST", "/deals"): "seller",
    ("GET", "/deals/{deal_id}"): "seller",
    ("PATCH", "/deals/{deal_id}"): "seller",
    ("POST", "/deals/{deal_id}/close"): "seller",
    ("POST", "/deals/{deal_id}/reopen"): "seller",
    ("POST", "/deals/{deal_id}/committee"): "seller",
    ("DELETE", "/deals/{deal_id}/committee/{contact_id}"): "seller",
    ("POST", "/deals/{deal_id}/activities"): "seller",
    ("GET", "/close-reasons"): "seller",
    ("GET", "/accounts"): "seller",
    ("POST", "/accounts"): "seller",
    ("GET", "/sellers"): "seller",
    ("GET", "/contacts"): "seller",
    ("GET", "/forecast"): "seller",
    ("GET", "/backtest"): "seller",
    ("GET", "/gap"): "seller",
    ("GET", "/imports"): "seller",
    ("POST", "/imports"): "seller",
    ("GET", "/imports/{job_id}"): "seller",
    # removing records and taking the whole pipeline out
    ("DELETE", "/deals/{deal_id}"): "manager",
    ("DELETE", "/accounts/{account_id}"): "manager",
    ("GET", "/export"): "manager",
    ("POST", "/restores"): "manager",
    # a person's own data: handed over or erased on their request
    ("POST", "/personal-data"): "manager",
    ("POST", "/erasures"): "manager",
}

assert set(ROUTE_ROLES.values()) <= set(USER_ROLES), "a role that does not exist"


def role_for(method: str, path: str) -> str | None:
    """The lowest role that may call ``method path`` (a route's path as declared, with
    its ``{placeholders}``); None for a route that has no line (refused to all)."""
    return ROUTE_ROLES.get((method.upper(), path.removeprefix(PREFIX)))


def is_public(method: str, path: str) -> bool:
    """Whether ``method path`` is answered without sign-in."""
    return (method.upper(), path.removeprefix(PREFIX)) in PUBLIC
