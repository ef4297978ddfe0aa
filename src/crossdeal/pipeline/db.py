"""The pipeline database: where it is, how to connect, and keeping its schema current.

``CROSSDEAL_DATABASE_URL`` chooses the database (``postgresql+psycopg://...`` for a team);
without it, a SQLite file ``crossdeal.db`` in the crossdeal home folder is created and
migrated on first use, with no setup. The engine is built when a :class:`Database` is
made, never at import time, so tests and servers can hold several at once.
"""

from __future__ import annotations

import contextlib
import copy
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import partial
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, CursorResult, Engine, create_engine, event, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from crossdeal.errors import CrossdealError
from crossdeal.pipeline.models import Team

__all__ = ["HEAD", "Database", "DatabaseError", "default_url", "new_id"]

# The newest migration. Checked against Alembic's own view by a test, so that a normal
# run can tell the schema is current without importing Alembic.
HEAD = "0012"
# the execution option that carries whom a transaction acts for (Database.for_team,
# Database.teams_only); without it a transaction acts for every team (the command line)
TEAM_OPTION = "crossdeal_team_id"
# the value of the option, and of PostgreSQL's setting, for "no team": no team rows
NO_TEAM = ""
# PostgreSQL's setting for a transaction that acts for every team
ALL_TEAMS = "all"
# the advisory lock key under which one PostgreSQL session migrates at a time
_MIGRATION_LOCK = 7_462_913
# how long a write waits for another process's write before giving up (seconds);
# CROSSDEAL_BUSY_TIMEOUT overrides it
BUSY_TIMEOUT = 30.0


def _busy_timeout() -> float:
    raw = os.environ.get("CROSSDEAL_BUSY_TIMEOUT")
    if not raw:
        return BUSY_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 < value <= 86_400:
        raise DatabaseError(
            f"CROSSDEAL_BUSY_TIMEOUT is {raw!r}: give the seconds a write may wait (0-86400)"
        )
    return value


class DatabaseError(CrossdealError):
    """The database cannot be reached or used."""


def default_url() -> str:
    """``CROSSDEAL_DATABASE_URL``, or the SQLite file in the crossdeal home folder."""
    url = os.environ.get("CROSSDEAL_DATABASE_URL")
    if url:
        return url
    from crossdeal.people.store import home

    return f"sqlite:///{home() / 'crossdeal.db'}"


class Database:
    """One database: an engine, a session factory, and its migrations."""

    def __init__(self, url: str | None = None, migrate: bool = True) -> None:
        self.url = url or default_url()
        try:
            parsed = make_url(self.url)
        except ArgumentError:
            raise DatabaseError(
                f"{self.url!r} is not a database URL (expected e.g. sqlite:///path/crossdeal.db "
                "or postgresql+psycopg://user@host/db)"
            ) from None
        if parsed.drivername == "postgresql":  # plain URLs use psycopg 3
            parsed = parsed.set(drivername="postgresql+psycopg")
        self.dialect = parsed.get_backend_name()
        if self.dialect not in ("sqlite", "postgresql"):
            raise DatabaseError(
                f"{self.describe()} is a {self.dialect} database; crossdeal works with "
                "SQLite (sqlite:///path/crossdeal.db) and PostgreSQL "
                "(postgresql+psycopg://user@host/db)"
            )
        # the SQLite file, if there is one (no other file may be written over it)
        self.file: Path | None = None
        if self.dialect == "sqlite" and parsed.database not in (None, "", ":memory:"):
            self.file = Path(parsed.database).expanduser()
            # a pipeline holds people's names and notes: a new folder and database file
            # are readable by their owner only (SQLite gives its -wal and -shm files the
            # database file's permissions)
            self.file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            if not self.file.exists():
                with contextlib.suppress(FileExistsError):
                    os.close(os.open(self.file, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        options: dict[str, Any] = {}
        self.busy_timeout = _busy_timeout()
        if self.dialect == "sqlite":
            options["connect_args"] = {"timeout": self.busy_timeout}
        self.engine: Engine = create_engine(parsed, future=True, **options)
        if self.dialect == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        else:
            # A write blocked by another session's (an import touching the same account,
            # say) gives up after the busy timeout, as on SQLite, instead of waiting
            # silently for as long as the other one runs.
            milliseconds = max(1, round(self.busy_timeout * 1000))
            event.listen(self.engine, "connect", partial(_postgres_lock_timeout, milliseconds))
            event.listen(self.engine, "begin", _postgres_team)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        if migrate:
            self.migrate()

    def for_team(self, team_id: int) -> Database:
        """This database, with every transaction marked as working for one team.

        On PostgreSQL the mark is the setting ``crossdeal.team_id`` of the transaction,
        which the row-level security policies (migrations 0008 and 0010) read: a query
        that forgot its team filter still sees, changes and adds only that team's rows.
        The server works through this view; the CLI, which acts for whoever runs it,
        marks its transactions as acting for every team. On SQLite it changes nothing
        (the store's own filters are the guard).
        """
        return self._marked(int(team_id))

    def teams_only(self) -> Database:
        """This database, where a transaction not marked for one team sees and writes no
        team's rows: the server's, so that a code path that forgot ``for_team`` reads
        nothing instead of every team (on PostgreSQL; on SQLite the store's filters are
        the guard). Users, tokens and sessions are not team rows and stay readable."""
        return self._marked(NO_TEAM)

    def _marked(self, team: int | str) -> Database:
        view = copy.copy(self)
        view.engine = self.engine.execution_options(**{TEAM_OPTION: team})
        view.sessions = sessionmaker(view.engine, expire_on_commit=False)
        return view

    def describe(self) -> str:
        return make_url(self.url).render_as_string(hide_password=True)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: committed when the block ends, rolled back on any error."""
        session = self.sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def revision(self) -> str | None:
        try:
            with self.engine.connect() as conn:
                if not inspect(conn).has_table("alembic_version"):
                    return None
                return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except OperationalError as exc:
            raise DatabaseError(f"cannot open the database {self.describe()}: {exc.orig}") from None

    def migrate(self) -> None:
        """Bring the schema to the newest migration (creating it on first use).

        Several processes may start on a fresh database at once (a team's first commands,
        a server's workers): one migrates while the others wait for it, then find the
        schema current. SQLite serialises through a lock file beside the database,
        PostgreSQL through an advisory lock.
        """
        if self.revision() == HEAD:
            return
        with self._migration_lock():
            if self.revision() == HEAD:  # another process migrated while we waited
                return
            from alembic import command
            from alembic.config import Config

            config = Config()
            config.set_main_option(
                "script_location",
                str(resources.files("crossdeal.pipeline").joinpath("migrations")),
            )
            with self.engine.begin() as conn:
                if self.dialect == "postgresql":
                    conn.execute(
                        text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK}
                    )
                    if conn.execute(
                        text("SELECT to_regclass('alembic_version') IS NOT NULL")
                    ).scalar() and (
                        conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
                        == HEAD
                    ):
                        return
                config.attributes["connection"] = conn
                command.upgrade(config, "head")

    @contextmanager
    def _migration_lock(self) -> Iterator[None]:
        if self.file is None:
            yield
            return
        try:
            import fcntl
        except ImportError:  # not POSIX: the busy timeout below still serialises writers
            yield
            return
        lock = self.file.with_name(self.file.name + ".migrate.lock")
        with lock.open("a") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def team(self, name: str = "local") -> int:
        """The id of the team called ``name``, created on first use (by whichever of
        several processes starting at once gets there first)."""
        from sqlalchemy.exc import IntegrityError

        for _ in range(2):
            try:
                with self.session() as session:
                    found = session.scalar(select(Team.id).where(Team.name == name))
                    if found is not None:
                        return found
                    team = Team(name=name, created_at=datetime.now(UTC).replace(tzinfo=None))
                    session.add(team)
                    session.flush()
                    return team.id
            except IntegrityError:
                continue  # another process created it a moment ago: read it back
        raise DatabaseError(f"cannot create the team {name!r}")

    def checkpoint(self) -> None:
        """Fold SQLite's write-ahead log into the database file and truncate it (after a
        large write; other databases have nothing to do). Best effort: a reader holding
        the log open only delays it."""
        if self.dialect != "sqlite":
            return
        with self.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")

    def dispose(self) -> None:
        self.engine.dispose()


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    # WAL makes NORMAL durable across application crashes; only a power cut can lose
    # the last commits, never corrupt the file
    cursor.execute("PRAGMA synchronous=NORMAL")
    # 64 MiB of page cache keeps the deal indexes in memory during a large import
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.close()


def _postgres_team(conn: Connection) -> None:
    # the policies of migration 0010 fail closed: every transaction says whom it acts for
    team = conn.get_execution_options().get(TEAM_OPTION)
    mark = ALL_TEAMS if team is None else NO_TEAM if team == NO_TEAM else str(int(team))
    # set for this transaction only (is_local): a pooled connection forgets it at the end
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    cursor.execute("SELECT set_config('crossdeal.team_id', %s, true)", (mark,))
    cursor.close()


def _postgres_lock_timeout(milliseconds: int, dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute(f"SET lock_timeout = {int(milliseconds)}")
    cursor.close()
    dbapi_connection.commit()  # a SET inside a transaction that is rolled back is undone


def new_id(result: CursorResult[Any]) -> int:
    """The primary key of the row a single-row INSERT just wrote."""
    key = result.inserted_primary_key
    assert key is not None, "not a single-row INSERT"
    return int(key[0])
