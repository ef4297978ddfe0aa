"""Users, roles and API tokens of the team server, in the pipeline's database.

Passwords are hashed with Argon2id (pwdlib) and rehashed on sign-in when the hashing
parameters change. API tokens are random, stored only as their SHA-256, shown once, and
revocable. Failed sign-ins are counted per account and per address in the database, so
every worker of a server limits the same attempts.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.orm import Session

from crossdeal.errors import CrossdealError, InputError
from crossdeal.pipeline.db import Database
from crossdeal.pipeline.models import USER_ROLES, ApiToken, LoginFailure, Team, User, WebSession

if TYPE_CHECKING:
    from pwdlib import PasswordHash

__all__ = [
    "AuthError",
    "SignedIn",
    "TokenInfo",
    "TooManyAttempts",
    "UserStore",
]

# failed sign-ins tolerated in the window, per account and per address
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_ADDRESS = 20
FAILURE_WINDOW = timedelta(minutes=15)
# sign-ins from one address whose passwords are being checked at the same moment: an
# office behind one address signing in together is asked to wait a moment beyond this,
# not counted as failing; an address guessing in parallel gets at most this many tries
# more than MAX_FAILURES_PER_ADDRESS in a window
MAX_IN_FLIGHT_PER_ADDRESS = 20
BUSY_RETRY_SECONDS = 2
# an attempt still in flight after this long was cut off (a worker stopped mid-check)
# and counts as a failure
IN_FLIGHT_TIMEOUT = timedelta(seconds=60)
MIN_PASSWORD = 10
TOKEN_PREFIX = "cd_"  # noqa: S105 - a marker that says what the string is, not a secret
# how long a browser stays signed in
SESSION_LIFETIME = timedelta(hours=12)
# a token's last-used time is written at most this often, not on every request
LAST_USED_EVERY = timedelta(minutes=1)


class AuthError(CrossdealError):
    """Wrong email or password, or an unknown or revoked token (never says which)."""


class TooManyAttempts(CrossdealError):
    """Too many failed sign-ins for this account or address; try again later."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class SignedIn:
    """Who a request comes from: the user, their team and role."""

    user_id: int
    email: str
    team: str
    team_id: int
    role: str

    def may(self, role: str) -> bool:
        """Whether this user has ``role`` or a higher one (seller < manager < admin)."""
        return USER_ROLES.index(self.role) >= USER_ROLES.index(role)


@dataclass(frozen=True)
class TokenInfo:
    """An API token as it can be listed: never the token itself."""

    id: int
    name: str
    user: str
    created_at: datetime
    last_used_at: datetime | None
    revoked: bool


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def _hasher() -> PasswordHash:
    from pwdlib import PasswordHash

    return PasswordHash.recommended()


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _email(text: str) -> str:
    email = text.strip().lower()
    local, _, domain = email.partition("@")
    if not local or "." not in domain or " " in email or len(email) > 320:
        raise InputError(f"{text!r} is not an email address")
    return email


class UserStore:
    """The server's users and tokens in one database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # --- users -------------------------------------------------------------------------
    def add_user(self, email: str, password: str, team: str, role: str = "seller") -> int:
        """Add a user to a team (created if new); an existing email is an error."""
        email = _email(email)
        if role not in USER_ROLES:
            raise InputError(f"role {role!r} is not one of: {', '.join(USER_ROLES)}")
        if len(password) < MIN_PASSWORD:
            raise InputError(f"a password needs at least {MIN_PASSWORD} characters")
        team_id = self.db.team(team)
        digest = _hasher().hash(password)
        with self.db.session() as s:
            if s.scalar(select(User.id).where(User.email == email)) is not None:
                raise InputError(f"there is a user {email} already")
            user = User(
                team_id=team_id,
                email=email,
                role=role,
                password_hash=digest,
                created_at=_now(),
                disabled=False,
            )
            s.add(user)
            s.flush()
            return user.id

    def users(self, team: str | None = None) -> list[SignedIn]:
        with self.db.session() as s:
            query = (
                select(User.id, User.email, Team.name, Team.id, User.role)
                .join(Team, Team.id == User.team_id)
                .where(User.disabled.is_(False))
                .order_by(Team.name, User.email)
            )
            if team is not None:
                query = query.where(Team.name == team)
            return [SignedIn(*row) for row in s.execute(query).all()]

    def count(self) -> int:
        with self.db.session() as s:
            return s.scalar(select(func.count()).select_from(User)) or 0

    @staticmethod
    def _signed(s: Session, user: User) -> SignedIn:
        team = s.scalar(select(Team.name).where(Team.id == user.team_id)) or "?"
        return SignedIn(user.id, user.email, team, user.team_id, user.role)

    def get(self, user_id: int) -> SignedIn | None:
        with self.db.session() as s:
            row = s.execute(
                select(User.id, User.email, Team.name, Team.id, User.role)
                .join(Team, Team.id == User.team_id)
                .where(User.id == user_id, User.disabled.is_(False))
            ).first()
        return SignedIn(*row) if row else None

    # --- sign-in -----------------------------------------------------------------------
    def authenticate(self, email: str, password: str, address: str = "-") -> SignedIn:
        """The user with this email and password; counts and limits failures.

        Each attempt is first recorded, in the same transaction that counts the attempts
        before it, and only then is the password checked; a success removes the record,
        a failure marks it settled. So attempts sent at the same moment cannot all pass
        the count: SQLite lets one writer in at a time, and on PostgreSQL the attempts on
        one account wait for each other on a lock of that account's own. For an account
        an attempt in flight counts as a failure (parallel guesses at one password get
        no more tries); for an address it counts against a cap of its own
        (``MAX_IN_FLIGHT_PER_ADDRESS``), with a short wait beyond it, so that colleagues
        signing in together are not taken for someone guessing.
        """
        wanted = email.strip().lower()[:320]
        address = address[:64]
        now = _now()
        since = now - FAILURE_WINDOW
        with self.db.session() as s:
            if s.connection().dialect.name == "postgresql":
                s.execute(
                    text("SELECT pg_advisory_xact_lock(hashtext(:key))"),
                    {"key": "signin:" + wanted},
                )
            s.execute(delete(LoginFailure).where(LoginFailure.at < since))
            by_account = (
                s.scalar(
                    select(func.count())
                    .select_from(LoginFailure)
                    .where(LoginFailure.email == wanted, LoginFailure.at >= since)
                )
                or 0
            )
            cut_off = now - IN_FLIGHT_TIMEOUT
            checking = LoginFailure.in_flight.is_(True) & (LoginFailure.at >= cut_off)
            by_address, in_flight = s.execute(
                select(
                    func.count().filter(~checking),
                    func.count().filter(checking),
                ).where(LoginFailure.address == address, LoginFailure.at >= since)
            ).one()
            limited = (
                by_account >= MAX_FAILURES_PER_ACCOUNT or by_address >= MAX_FAILURES_PER_ADDRESS
            )
            busy = not limited and in_flight >= MAX_IN_FLIGHT_PER_ADDRESS
            attempt_id: int | None = None
            if not limited and not busy:
                attempt = LoginFailure(email=wanted, address=address, at=now, in_flight=True)
                s.add(attempt)
                s.flush()
                attempt_id = attempt.id
        if limited:
            raise TooManyAttempts(
                "too many failed sign-ins; wait 15 minutes and try again",
                int(FAILURE_WINDOW.total_seconds()),
            )
        if busy:
            raise TooManyAttempts(
                "many sign-ins from your network at once; try again in a few seconds",
                BUSY_RETRY_SECONDS,
            )
        hasher = _hasher()
        with self.db.session() as s:
            user = s.scalar(select(User).where(User.email == wanted, User.disabled.is_(False)))
            if user is None:
                # the same work as for a real account, so timing does not tell them apart
                hasher.verify(password, _dummy_hash())
                valid, fresh = False, None
            else:
                valid, fresh = hasher.verify_and_update(password, user.password_hash)
            signed: SignedIn | None = None
            if valid and user is not None:
                if fresh is not None:  # the hashing parameters changed since it was set
                    user.password_hash = fresh
                # the attempt recorded above, and the account's earlier failures
                s.execute(
                    delete(LoginFailure).where(
                        (LoginFailure.email == wanted) | (LoginFailure.id == attempt_id)
                    )
                )
                signed = self._signed(s, user)
            else:
                # the failure stays recorded, settled (were this write lost, the attempt
                # would count as a failure once IN_FLIGHT_TIMEOUT has passed)
                s.execute(
                    update(LoginFailure)
                    .where(LoginFailure.id == attempt_id)
                    .values(in_flight=False)
                )
        if signed is None:
            raise AuthError("wrong email or password")
        return signed

    # --- tokens ------------------------------------------------------------------------
    def create_token(self, email: str, name: str) -> tuple[int, str]:
        """A new API token for the user: its id and the token, which is not kept."""
        wanted = _email(email)
        name = " ".join(name.split())
        if not name:
            raise InputError("a token needs a name (what uses it)")
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        with self.db.session() as s:
            user_id = s.scalar(select(User.id).where(User.email == wanted))
            if user_id is None:
                raise InputError(f"there is no user {wanted}")
            row = ApiToken(
                user_id=user_id,
                name=name[:200],
                token_hash=token_digest(token),
                created_at=_now(),
            )
            s.add(row)
            s.flush()
            return row.id, token

    def tokens(self, email: str | None = None) -> list[TokenInfo]:
        with self.db.session() as s:
            query = (
                select(ApiToken, User.email)
                .join(User, User.id == ApiToken.user_id)
                .order_by(ApiToken.id)
            )
            if email is not None:
                query = query.where(User.email == _email(email))
            return [
                TokenInfo(
                    t.id, t.name, owner, t.created_at, t.last_used_at, t.revoked_at is not None
                )
                for t, owner in s.execute(query).all()
            ]

    def revoke_token(self, token_id: int) -> None:
        with self.db.session() as s:
            done = s.execute(
                update(ApiToken)
                .where(ApiToken.id == token_id, ApiToken.revoked_at.is_(None))
                .values(revoked_at=_now())
            )
            if done.rowcount != 1:  # type: ignore[attr-defined]
                raise InputError(f"there is no active token {token_id}")

    def user_for_token(self, token: str) -> SignedIn:
        """The user a bearer token belongs to; records when it was last used."""
        now = _now()
        with self.db.session() as s:
            # one query for the token, its user and their team: it runs on every request
            row = s.execute(
                select(
                    ApiToken.id,
                    ApiToken.last_used_at,
                    User.id,
                    User.email,
                    Team.name,
                    Team.id,
                    User.role,
                )
                .join(User, User.id == ApiToken.user_id)
                .join(Team, Team.id == User.team_id)
                .where(
                    ApiToken.token_hash == token_digest(token),
                    ApiToken.revoked_at.is_(None),
                    User.disabled.is_(False),
                )
            ).first()
            if row is None:
                raise AuthError("unknown or revoked token")
            token_id, last_used = row[0], row[1]
            if last_used is None or now - last_used >= LAST_USED_EVERY:
                s.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now))
            return SignedIn(*row[2:])

    # --- browser sessions ------------------------------------------------------------
    def open_session(self, user: SignedIn) -> tuple[str, str]:
        """A new browser session for the user: the cookie value and the form token."""
        token = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32)
        now = _now()
        with self.db.session() as s:
            s.execute(delete(WebSession).where(WebSession.expires_at < now))
            s.add(
                WebSession(
                    user_id=user.user_id,
                    token_hash=token_digest(token),
                    csrf=csrf,
                    created_at=now,
                    expires_at=now + SESSION_LIFETIME,
                )
            )
        return token, csrf

    def session_user(self, token: str) -> tuple[SignedIn, str]:
        """Who a session cookie belongs to, and the session's form token."""
        with self.db.session() as s:
            row = s.execute(
                select(WebSession, User)
                .join(User, User.id == WebSession.user_id)
                .where(
                    WebSession.token_hash == token_digest(token),
                    WebSession.expires_at > _now(),
                    User.disabled.is_(False),
                )
            ).first()
            if row is None:
                raise AuthError("your session has ended: sign in again")
            session, user = row
            return self._signed(s, user), session.csrf

    def close_session(self, token: str) -> None:
        with self.db.session() as s:
            s.execute(delete(WebSession).where(WebSession.token_hash == token_digest(token)))


_DUMMY: list[str] = []


def _dummy_hash() -> str:
    if not _DUMMY:
        _DUMMY.append(_hasher().hash(secrets.token_urlsafe(16)))
    return _DUMMY[0]
