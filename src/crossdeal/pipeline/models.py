"""The pipeline's tables (SQLAlchemy 2.x). Every row belongs to a team.

The schema is created and changed only by Alembic migrations
(``pipeline/migrations/versions``); these classes describe it for queries.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = [
    "Account",
    "Activity",
    "ActivityContact",
    "ApiToken",
    "Base",
    "Contact",
    "Deal",
    "DealContact",
    "DealEvent",
    "FittedForecast",
    "ImportJob",
    "LoginFailure",
    "Seller",
    "Team",
    "User",
    "WebSession",
]

ROLES = ("decision-maker", "economic-buyer", "champion", "influencer", "user", "gatekeeper")
CHANNELS = ("email", "call", "video", "in-person", "chat")
DIRECTIONS = ("outbound", "inbound")
OUTCOMES = ("open", "won", "lost")
USER_ROLES = ("seller", "manager", "admin")


class Base(DeclarativeBase):
    pass


class Team(Base):
    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class Seller(Base):
    __tablename__ = "sellers"
    __table_args__ = (UniqueConstraint("team_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    culture: Mapped[str | None] = mapped_column(String(16))
    self_profile: Mapped[str | None] = mapped_column(Text)  # JSON of the self-assessment answers


class Account(Base):
    __tablename__ = "accounts"
    __table_args__ = (
        UniqueConstraint("team_id", "name"),
        Index("ix_accounts_external", "team_id", "source", "external_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    country: Mapped[str | None] = mapped_column(String(200))  # as the CRM wrote it
    culture: Mapped[str | None] = mapped_column(String(16))  # resolved culture code
    industry: Mapped[str | None] = mapped_column(String(200))
    observations: Mapped[str] = mapped_column(Text, default="")  # space-separated ids
    source: Mapped[str] = mapped_column(String(40), default="crossdeal")
    external_id: Mapped[str | None] = mapped_column(String(200))


class Contact(Base):
    __tablename__ = "contacts"
    __table_args__ = (UniqueConstraint("team_id", "account_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(300))
    culture: Mapped[str | None] = mapped_column(String(16))
    role: Mapped[str | None] = mapped_column(String(40))
    # true when the role was read from a job title: a later title may correct it
    role_guessed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    seniority: Mapped[str | None] = mapped_column(String(40))  # the job title, cut to 40
    observations: Mapped[str] = mapped_column(Text, default="")
    email: Mapped[str | None] = mapped_column(String(320))
    source: Mapped[str] = mapped_column(String(40), default="crossdeal")
    external_id: Mapped[str | None] = mapped_column(String(200))


class Deal(Base):
    __tablename__ = "deals"
    __table_args__ = (
        UniqueConstraint("team_id", "source", "external_id"),
        # id last: a page of a team's open deals in id order is read from the index in
        # that order, not sorted from every open deal (PostgreSQL)
        Index("ix_deals_team_outcome_id", "team_id", "outcome", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # no index of its own: the composite indexes below start with team_id
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("sellers.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(String(300))
    amount: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    stage: Mapped[str | None] = mapped_column(String(100))
    outcome: Mapped[str] = mapped_column(String(8), default="open")
    budget_confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    authority_identified: Mapped[bool] = mapped_column(Boolean, default=False)
    need: Mapped[str | None] = mapped_column(Text)
    timing: Mapped[str | None] = mapped_column(Text)
    standard_offer: Mapped[bool] = mapped_column(Boolean, default=False)
    created_on: Mapped[date | None] = mapped_column(Date)
    expected_close: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    lost_reason: Mapped[str | None] = mapped_column(Text)
    product: Mapped[str | None] = mapped_column(String(200))
    notes: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(40), default="crossdeal")
    external_id: Mapped[str | None] = mapped_column(String(200))
    # Counts the risk signals read, kept by the store on every write that changes them
    # (committee, roles, activities), so a listing of many deals reads them row by row
    # instead of counting each deal's committee and activities again.
    committee_size: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    committee_deciders: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    deciders_met: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    activity_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    face_time_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    unqualified_yes_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # bumped by every edit, close and reopen: an edit made against an older version is
    # refused instead of silently overwriting the other person's change
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")


class DealContact(Base):
    """The buying committee: which contacts take part in a deal."""

    __tablename__ = "deal_contacts"

    deal_id: Mapped[int] = mapped_column(
        ForeignKey("deals.id", ondelete="CASCADE"), primary_key=True
    )
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class DealEvent(Base):
    """One change to a deal: which field, from what to what, who made it and when."""

    __tablename__ = "deal_events"
    __table_args__ = (Index("ix_deal_events_deal", "deal_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(DateTime)
    by: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))  # update, close or reopen
    field: Mapped[str] = mapped_column(String(40))
    old: Mapped[str | None] = mapped_column(Text)
    new: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)


class Activity(Base):
    __tablename__ = "activities"
    # the risk signals count a deal's activities by channel and flag from this index alone
    __table_args__ = (Index("ix_activities_deal_channel", "deal_id", "channel", "unqualified_yes"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(16))
    direction: Mapped[str] = mapped_column(String(8), default="outbound")
    occurred_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    # set when the coach reads an inbound note as a yes that commits to nothing
    unqualified_yes: Mapped[bool] = mapped_column(Boolean, default=False)


class ActivityContact(Base):
    __tablename__ = "activity_contacts"

    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities.id", ondelete="CASCADE"), primary_key=True
    )
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class User(Base):
    """A person who signs in to the team server. Their team is the one pipeline they see."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)  # stored lower-case
    role: Mapped[str] = mapped_column(String(16))  # seller, manager or admin
    password_hash: Mapped[str] = mapped_column(Text)  # Argon2id, in the PHC string format
    created_at: Mapped[datetime] = mapped_column(DateTime)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)


class ApiToken(Base):
    """A token a program signs in with. Only its SHA-256 is stored; it is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)


class LoginFailure(Base):
    """A failed sign-in, kept for a while so that every worker limits the same attempts,
    or one whose password is being checked (``in_flight``)."""

    __tablename__ = "login_failures"
    __table_args__ = (
        Index("ix_login_failures_email", "email", "at"),
        Index("ix_login_failures_address", "address", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320))
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime)
    in_flight: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class WebSession(Base):
    """A browser's signed-in session. The cookie holds a random id; only its SHA-256 is
    stored, with the form token that every form of the session must send back."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime)


class ImportJob(Base):
    """A CRM file uploaded to the team server and imported in the background."""

    __tablename__ = "import_jobs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    file_name: Mapped[str] = mapped_column(String(300))
    size: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12))  # queued, running, done, failed
    worker: Mapped[str | None] = mapped_column(String(200))  # host:pid running it
    report: Mapped[str | None] = mapped_column(Text)  # the ImportReport, as JSON
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)


class FittedForecast(Base):
    """A team's fitted forecast model, kept so that a forecast need not refit it."""

    __tablename__ = "forecast_models"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), index=True, unique=True
    )
    fitted_at: Mapped[datetime] = mapped_column(DateTime)
    fitted_on: Mapped[date] = mapped_column(Date)  # the day whose history it learned from
    closed_deals: Mapped[int] = mapped_column(Integer)
    rows: Mapped[int] = mapped_column(Integer)  # deal-weeks
    format: Mapped[int] = mapped_column(Integer)  # of `params`; another format is refitted
    params: Mapped[str] = mapped_column(Text)  # the fitted model, as JSON
    metrics: Mapped[str] = mapped_column(Text)  # what the fit measured, as JSON
