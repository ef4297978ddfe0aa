"""The fast way of importing a deals export: one tight loop, batched writes.

The row-by-row import (``importer._Writer``) reads each field of each row through the
mapping's general rules, keeps a line-numbered report of every problem, and writes
through SQLAlchemy: about fifty microseconds a row, several times what the database
needs to store it. When a deals file's mapping reads each field from one column as it is (the
shipped CRM profiles do), it is imported here instead:

- each row's cells are stripped once;
- every value that needs judging (a stage, a date, a currency, an account or owner
  name, an amount written the way a CRM writes it) is judged by the row-by-row import's
  own code the first time it appears, and the verdict kept for the rows that repeat it;
  an account or owner the team lacks is created by that code, as that row reaches it;
- the deals go to the database in batches of rows already in the form they are stored in,
  known deals compared and updated only where they changed, as the row-by-row import
  does.

This path reports nothing: at the first row the row-by-row import would reject, it
rolls back to where it started and the file is imported row by row, which says what is
wrong and where. Either way the import leaves the same records, ids, counts and notes
(the tests import their files both ways).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection

from crossdeal.pipeline.models import Account

if TYPE_CHECKING:
    from crossdeal.pipeline.importer import _FileImport

__all__ = ["ENABLED", "import_deals"]

# False: every file is imported row by row (the tests import their files both ways)
ENABLED = True
BATCH = 5_000
_DATE_CACHE = 100_000  # distinct date texts remembered (a datetime column has many)
_STORED = (
    "account_id",
    "owner_id",
    "name",
    "amount",
    "currency",
    "stage",
    "outcome",
    "created_on",
    "expected_close",
    "closed_on",
    "product",
    "notes",
    "lost_reason",
    "budget_confirmed",
    "authority_identified",
    "standard_offer",
)
_TARGETS = frozenset(
    {
        "name",
        "account",
        "account_id",
        "owner",
        "owner_culture",
        "account_country",
        "amount",
        "currency",
        "stage",
        "created_on",
        "expected_close",
        "closed_on",
        "close_date",
        "product",
        "notes",
        "lost_reason",
        "budget_confirmed",
        "authority_identified",
        "contact_ids",
        "contact_names",
    }
)


# the targets that can give each stored column a value other than its default (None:
# every deal has one)
_FILLED_BY: dict[str, set[str] | None] = {
    "account_id": None,
    "owner_id": {"owner"},
    "name": None,  # "Deal 123" when the file has none
    "amount": {"amount"},
    "currency": None,  # USD when the file has none
    "stage": {"stage"},
    "outcome": None,
    "created_on": {"created_on"},
    "expected_close": {"expected_close", "close_date"},
    "closed_on": {"closed_on", "close_date"},
    "product": {"product"},
    "notes": {"notes"},
    "lost_reason": {"lost_reason"},
    "budget_confirmed": {"budget_confirmed"},
    "authority_identified": {"authority_identified"},
    "standard_offer": {"notes"},
}
_PLAIN_SOURCE = re.compile(r"[a-z0-9][a-z0-9-]*")


def _plain(source: str) -> str:
    if not _PLAIN_SOURCE.fullmatch(source):  # the mapping schema allows no other
        raise ValueError(f"source {source!r}")
    return source


class _Doubtful(Exception):
    """A row the row-by-row import would reject, or a value only it may judge."""


def import_deals(
    job: _FileImport, conn: Connection, on_progress: Callable[[int, int], None]
) -> bool | None:
    """Import ``job``'s deals file the fast way: True when done; False when a row needs
    the row-by-row import (nothing written, some rows read); None when the file is not
    one this path reads (nothing read)."""
    layout = _layout(job) if ENABLED else None
    if layout is None:
        return None
    conn.exec_driver_sql("SAVEPOINT crossdeal_fast_import")
    try:
        _Load(job, conn, layout).run(on_progress)
    except _Doubtful:
        # (the savepoint is never released: the import's own transaction commits it)
        conn.exec_driver_sql("ROLLBACK TO crossdeal_fast_import")
        return False
    return True


Places = dict[str, tuple[int, str, bool]]


@dataclass
class _Layout:
    """Where each target of the mapping is read, as (place, default, required), in a row
    extended with the mapping's constant values, one cell for each target read from the
    first of several columns that is not empty (``merged``), and one empty cell, last."""

    places: Places
    constants: tuple[str, ...]
    merged: list[tuple[int, tuple[int, ...]]]


def _layout(job: _FileImport) -> _Layout | None:
    """The layout, or None when a target is read in a way only the row-by-row import
    does (a template, a value map, a list of known values, apostrophes to drop)."""
    mapping, index = job.chosen, job.mapper.index
    if mapping.entity != "deals" or mapping.unquote_formulas or mapping.id_column is None:
        return None
    places: Places = {}
    constants: list[str] = []
    merged: list[tuple[int, tuple[int, ...]]] = []
    width = len(job.header)
    for target, rule in mapping.fields.items():
        if target not in _TARGETS:
            return None
        if rule.value is not None:
            places[target] = (width + len(constants), "", False)
            constants.append(rule.value)
            continue
        if rule.template is not None or rule.map or rule.known is not None:
            return None
        present = tuple(index[c] for c in rule.columns if c in index)
        if len(present) == 1:
            places[target] = (present[0], rule.default or "", rule.required)
            continue
        places[target] = (width + len(constants), rule.default or "", rule.required)
        if present:
            merged.append((width + len(constants), present))
        constants.append("")
    return _Layout(places, (*constants, ""), merged)


class _Load:
    """One pass over the rows of a deals file, writing batch by batch."""

    def __init__(self, job: _FileImport, conn: Connection, layout: _Layout) -> None:
        self.job, self.conn, self.layout = job, conn, layout
        self.writer, self.mapper, self.counts = job.writer, job.mapper, job.counts
        self.team, self.source = self.writer.team, self.writer.source
        self.today = date.today().isoformat()
        # SQLite's driver marks a parameter with ?, psycopg with %s; PostgreSQL reads a
        # date and a numeric back as date and Decimal, SQLite as text and a number
        self.mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
        self.sqlite = conn.dialect.name == "sqlite"
        self.known = conn.exec_driver_sql(
            f"SELECT EXISTS (SELECT 1 FROM deals WHERE team_id = {self.mark} "  # noqa: S608
            f"AND source = {self.mark})",
            (self.team, self.source),
        ).scalar()
        # a new deal binds only what the mapping can fill (binding is most of the cost
        # of a row); the rest keeps the column's default, as the row-by-row import's
        # inserts do. The team's id and the mapping's source (a plain word, checked when
        # the mapping was read) are written into the statement.
        fields = job.chosen.fields
        filled = [0] + [
            i + 1
            for i, column in enumerate(_STORED)
            if (by := _FILLED_BY[column]) is None or by & fields.keys()
        ]
        self.pick = itemgetter(*filled)
        names = ", ".join(
            ("team_id", "source", "external_id", *(_STORED[i - 1] for i in filled[1:]))
        )
        marks = ", ".join([self.mark] * len(filled))
        self.values = f"({int(self.team)}, '{_plain(self.source)}', {marks})"
        self.insert = f"INSERT INTO deals ({names}) VALUES "  # noqa: S608 (our names)
        self.names = names
        self.copied = ", ".join(("external_id", *(_STORED[i - 1] for i in filled[1:])))
        self.staging = False  # PostgreSQL: whether the staging table exists yet
        sets = ", ".join(f"{c} = {self.mark}" for c in _STORED)
        self.update = f"UPDATE deals SET {sets} WHERE id = {self.mark}"  # noqa: S608 (our names)
        self.select = ", ".join(("external_id", "id", *_STORED))

    def run(self, on_progress: Callable[[int, int], None]) -> None:
        from crossdeal.pipeline.importer import _CURRENCY, _amount, _flag, _Problem, _several
        from crossdeal.pipeline.store import mentions_standard_offer

        job, writer, mapper, counts = self.job, self.writer, self.mapper, self.counts
        mapping, places, merged = job.chosen, self.layout.places, self.layout.merged
        width = len(job.header)
        constants = self.layout.constants
        blank = width + len(constants) - 1  # the empty cell: a target the mapping lacks

        def at(target: str) -> int:
            return places.get(target, (blank, "", False))[0]

        required = [place for place, _, needed in places.values() if needed]
        defaults = [(place, default) for place, default, _ in places.values() if default]
        key_at = job.mapper.index[mapping.id_column or ""]
        outcome_at = job.mapper.index.get(mapping.outcome_column or "", blank)
        i_name = at("name")
        i_product = at("product")
        i_owner = at("owner")
        i_amount = at("amount")
        i_currency = at("currency")
        i_stage = at("stage")
        i_notes = at("notes")
        i_reason = at("lost_reason")
        i_budget = at("budget_confirmed")
        i_authority = at("authority_identified")
        i_ids = at("contact_ids")
        i_names = at("contact_names")
        by_record = "account_id" in mapping.fields
        i_account = at("account_id" if by_record else "account")
        # each date: (place, column named in a problem), or None when the mapping lacks it
        d_created, d_expected, d_closed, d_when = (
            (at(t), mapper.columns.get(t)) if t in mapping.fields else None
            for t in ("created_on", "expected_close", "closed_on", "close_date")
        )
        has_owner, has_notes, links = (
            "owner" in mapping.fields,
            "notes" in mapping.fields,
            writer.links,
        )
        has_flags = "budget_confirmed" in mapping.fields or "authority_identified" in mapping.fields
        today, sqlite = self.today, self.sqlite

        accounts = writer.accounts
        if by_record:
            writer.account_records = writer._by_external_id(Account)
            accounts = writer.account_records
        sellers = writer.sellers
        outcomes: dict[str, str] = {}
        currencies: dict[str, str] = {}
        dates: dict[str, str] = {}
        seen: set[str] = set()
        batch: list[tuple[Any, ...]] = []
        strip = str.strip

        def day(cell: str, column: str | None) -> str:
            found = dates.get(cell)
            if found is None:
                found = mapper._parse_date(cell, column).isoformat()
                if len(dates) < _DATE_CACHE:
                    dates[cell] = found
            return found

        reader = job.rows.reader
        n = 0
        try:
            for row in reader:
                if len(row) != width:
                    if any(cell.strip() for cell in row):
                        raise _Doubtful()  # a quoting problem: the row-by-row import says where
                    continue
                s = list(map(strip, row))
                if not any(s):
                    continue
                s += constants
                for place, sources in merged:
                    for i in sources:
                        if s[i]:
                            s[place] = s[i]
                            break
                for place, default in defaults:
                    if not s[place]:
                        s[place] = default
                counts.rows += 1
                n += 1
                if n % 1000 == 0:  # as often as the row-by-row import
                    on_progress(job.counter.done, job.size)
                for i in required:
                    if not s[i]:
                        raise _Doubtful()
                key = s[key_at]
                if not key or key in seen:
                    raise _Doubtful()
                seen.add(key)
                outcome = outcomes.get(s[outcome_at])
                if outcome is None:
                    outcome = outcomes[s[outcome_at]] = mapper.outcome(row)
                account_id = accounts.get(s[i_account])
                if account_id is None:
                    if by_record:
                        raise _Doubtful()
                    account_id = writer._account_id(mapper, row)
                owner_id = None
                if has_owner and s[i_owner]:
                    owner_id = sellers.get(s[i_owner]) or writer._seller_id(mapper, row)
                text = s[i_amount]
                amount: float | int | Decimal | None
                if not text:
                    amount = None
                elif len(text) <= 14 and text.isdigit() and text.isascii():
                    # a whole number: stored the same as the row-by-row import's Decimal
                    amount = float(text) if sqlite else int(text)
                else:
                    amount = float(_amount(text)) if sqlite else _amount(text)
                currency = currencies.get(s[i_currency])
                if currency is None:
                    currency = (s[i_currency] or "USD").upper()
                    if not _CURRENCY.fullmatch(currency):
                        raise _Doubtful()
                    currencies[s[i_currency]] = currency
                created = expected = closed = when = None
                if d_created and s[d_created[0]]:
                    created = day(s[d_created[0]], d_created[1])
                    if created > today:
                        raise _Doubtful()
                if d_expected and s[d_expected[0]]:
                    expected = day(s[d_expected[0]], d_expected[1])
                if d_closed and s[d_closed[0]]:
                    closed = day(s[d_closed[0]], d_closed[1])
                    if closed > today:
                        raise _Doubtful()
                if d_when and s[d_when[0]]:
                    when = day(s[d_when[0]], d_when[1])
                    if outcome == "open":
                        expected = expected or when
                    else:
                        if when > today:
                            raise _Doubtful()
                        closed = closed or when
                if outcome == "open":
                    closed = None
                if created and closed and closed < created:
                    raise _Doubtful()
                notes = s[i_notes] or None
                batch.append(
                    (
                        key,
                        account_id,
                        owner_id,
                        s[i_name] or f"{s[i_product] or 'Deal'} {key}",
                        amount,
                        currency,
                        s[i_stage] or None,
                        outcome,
                        created,
                        expected,
                        closed,
                        s[i_product] or None,
                        notes,
                        s[i_reason] or None,
                        has_flags and _flag(s[i_budget]),
                        has_flags and _flag(s[i_authority]),
                        has_notes and bool(notes) and mentions_standard_offer(notes),
                    )
                )
                if links:
                    ids, names = _several(s[i_ids]), _several(s[i_names])
                    if ids or names:
                        writer.associated.append((key, account_id, ids, names))
                if len(batch) >= BATCH:
                    self.flush(batch)
                    batch = []
        except (_Problem, csv.Error, UnicodeDecodeError):
            raise _Doubtful() from None
        self.flush(batch)
        self.finish()
        on_progress(job.counter.done, job.size)

    def flush(self, batch: list[tuple[Any, ...]]) -> None:
        """Write a batch: new deals inserted in the order of the file, known ones
        updated where they changed."""
        if not batch:
            return
        fresh = batch
        if self.known:
            stored: dict[str, tuple[Any, ...]] = {}
            for start in range(0, len(batch), 500):
                keys = [record[0] for record in batch[start : start + 500]]
                mark = self.mark
                marks = ", ".join([mark] * len(keys))
                for found in self.conn.exec_driver_sql(
                    f"SELECT {self.select} FROM deals WHERE team_id = {mark} "  # noqa: S608
                    f"AND source = {mark} AND external_id IN ({marks})",
                    (self.team, self.source, *keys),
                ):
                    stored[found[0]] = (
                        tuple(found[1:]) if self.sqlite else tuple(map(_as_text, found[1:]))
                    )
            fresh, changed = [], []
            for record in batch:
                before = stored.get(record[0])
                if before is None:
                    fresh.append(record)
                elif before[1:] == record[1:]:
                    self.counts.unchanged += 1
                else:
                    changed.append((*record[1:], before[0]))
            if changed:
                self.conn.exec_driver_sql(self.update, changed)
                self.counts.updated += len(changed)
        if fresh:
            rows = list(map(self.pick, fresh))
            if self.sqlite:
                self.conn.exec_driver_sql(self.insert + self.values, rows)
            else:
                self._copy(rows)
            self.counts.created += len(fresh)
            # on PostgreSQL, the planner learns of the new deals as they double, for the
            # look-ups above and the next import's (see _Writer._refresh_statistics)
            self.writer._refresh_statistics(len(fresh))

    def _copy(self, rows: list[tuple[Any, ...]]) -> None:
        """PostgreSQL: the rows COPYed into a temporary table, then inserted from there
        in one statement, in the order of the file. A parameter bound per value costs
        some 80 µs a row, COPY a few. COPY cannot write into the deals table itself
        (row-level security refuses it), but the INSERT ... SELECT is checked by the
        policy like any other insert."""
        cursor = self.conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            if not self.staging:
                cursor.execute(
                    "CREATE TEMP TABLE crossdeal_fast_deals ON COMMIT DROP AS "  # noqa: S608
                    f"SELECT 0::bigint AS n, {self.copied} FROM deals WITH NO DATA"
                )
                self.staging = True
            with cursor.copy(f"COPY crossdeal_fast_deals (n, {self.copied}) FROM STDIN") as copy:
                for n, row in enumerate(rows):
                    copy.write_row((n, *row))
            cursor.execute(
                f"INSERT INTO deals ({self.names}) SELECT {int(self.team)}, "  # noqa: S608
                f"'{_plain(self.source)}', {self.copied} FROM crossdeal_fast_deals ORDER BY n"
            )
            cursor.execute("TRUNCATE crossdeal_fast_deals")
        finally:
            cursor.close()

    def finish(self) -> None:
        if self.staging:
            self.conn.exec_driver_sql("DROP TABLE crossdeal_fast_deals")


def _as_text(value: Any) -> Any:
    """A date read back from PostgreSQL as the ISO text this path compares with."""
    return value.isoformat() if isinstance(value, date) else value
