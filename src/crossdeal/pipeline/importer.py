"""Import a CRM export (CSV) into the pipeline: streamed, checked, all-or-nothing.

The file is read row by row (constant memory). Every row is checked; a row with a
problem is reported with its line, column, value and what is wrong. By default one bad
row rejects the whole file and the database is left exactly as it was (one
transaction, rolled back; the same happens on a crash or Ctrl-C). With
``skip_invalid`` the good rows are imported and the rejected ones are written, with
the reason, to a side file, so nothing is lost. Records are matched on the CRM's own
ids, so importing the same file twice changes nothing the second time.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import io
import os
import re
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Connection, Table, insert, select, text, update

from crossdeal.errors import CrossdealError, InputError, UnknownCultureError
from crossdeal.pipeline.db import new_id
from crossdeal.pipeline.export import neutralise
from crossdeal.pipeline.mapping import Mapping, detect, load_mapping
from crossdeal.pipeline.models import ROLES, Account, Contact, Deal, DealContact, Seller
from crossdeal.pipeline.reports import ImportBatchReport, ImportProblem, ImportReport
from crossdeal.pipeline.store import PipelineStore, checked_amount, mentions_standard_offer

__all__ = ["ENTITY_ORDER", "ImportFileError", "import_csv", "import_files"]

# after writing this many rows, SQLite's write-ahead log is folded back into the database
# file at once (Database.checkpoint), so a large import leaves no log of hundreds of MB
CHECKPOINT_ROWS = 10_000
# what an export's apostrophe may protect: the first characters of a formula
_QUOTED_FORMULA = frozenset("=+-@\t\r")
# the longest job title a contact keeps (the contacts.seniority column); a longer one is
# cut, with a note, after the committee role has been read from all of it
TITLE_LENGTH = 40
MAX_PROBLEMS = 50  # reported one by one; every problem is still counted by reason
BATCH = 2_000
Progress = Callable[[int, int], None]

ROLE_WORDS = {
    "decision-maker": (
        "ceo",
        "chief",
        "president",
        "owner",
        "managing director",
        "general manager",
        "vp",
        "vice president",
        "director",
        "head of",
    ),
    "economic-buyer": ("cfo", "finance", "procurement", "purchasing", "buyer"),
    "user": ("engineer", "analyst", "specialist", "operator", "developer", "coordinator"),
}


class ImportFileError(CrossdealError):
    """The file cannot be imported at all (not a CSV, unknown layout, unreadable)."""


class _Problem(Exception):
    def __init__(self, column: str | None, value: str | None, reason: str) -> None:
        super().__init__(reason)
        self.column = column
        self.value = value
        self.reason = reason


@dataclass
class _Counts:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0


def _sniff_encoding(path: Path) -> str:
    with path.open("rb") as fh:
        head = fh.read(65_536)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in head:
        raise ImportFileError(f"{path} looks like a binary file, not a CSV export")
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 4:  # a character cut by the sample's end
            return "utf-8"
    try:
        head.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        raise ImportFileError(
            f"{path} is not in an encoding crossdeal can read (UTF-8, UTF-16 or Windows-1252); "
            "export it again as UTF-8 CSV"
        ) from None


def _delimiter(header_line: str, forced: str | None) -> str:
    if forced:
        return forced
    counts = {d: header_line.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


class _CountingReader(io.RawIOBase):
    """Wraps a binary file and counts bytes read, for the progress bar."""

    def __init__(self, raw: io.BufferedReader) -> None:
        self.raw = raw
        self.done = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = self.raw.readinto(buffer)
        self.done += n or 0
        return n or 0


def _rows(
    path: Path, encoding: str, delimiter: str | None
) -> tuple[list[str], _CsvRows, _CountingReader, str]:
    raw = path.open("rb")
    counter = _CountingReader(raw)
    text = io.TextIOWrapper(
        io.BufferedReader(counter, buffer_size=1 << 16), encoding=encoding, newline=""
    )
    try:
        first = text.readline()
    except UnicodeDecodeError:
        text.close()
        raise ImportFileError(f"{path}: the header is not {encoding} text") from None
    if not first.strip():
        text.close()
        raise ImportFileError(f"{path} is empty: expected a header row and records")
    delim = _delimiter(first, delimiter)
    try:
        header = next(csv.reader([first], delimiter=delim))
    except csv.Error as exc:
        text.close()
        raise ImportFileError(f"{path}, line 1: the header is not valid CSV ({exc})") from None
    header = [h.strip().lstrip("\ufeff") for h in header]
    if len(set(header)) != len(header):
        dup = [h for h, n in Counter(header).items() if n > 1]
        text.close()
        raise ImportFileError(f"{path}, line 1: the header repeats column(s) {', '.join(dup)}")
    return header, _CsvRows(csv.reader(text, delimiter=delim), text, encoding), counter, delim


class _CsvRows:
    """The records of an export after its header: (line, cells) for each row that is not
    blank; a row that is not valid CSV or not text comes as one cell saying why,
    starting with NUL. ``reader`` is the csv reader itself, for a caller that checks
    the rows its own way."""

    def __init__(self, reader: Any, text: io.TextIOWrapper, encoding: str) -> None:
        self.reader, self.text, self.encoding = reader, text, encoding

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        # reader.line_num counts from the line after the header, which is line 1 of the file
        reader = self.reader
        try:
            while True:
                try:
                    row = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    yield reader.line_num + 1, [f"\x00not valid CSV here ({exc})"]
                    continue
                except UnicodeDecodeError:
                    yield reader.line_num + 2, ["\x00the text is not " + self.encoding]
                    return
                line = reader.line_num + 1
                if not any(cell.strip() for cell in row):
                    continue
                yield line, row
        finally:
            self.close()

    def close(self) -> None:
        self.text.close()


# compiled once: a million-row file may create thousands of accounts
_NEW_ACCOUNT = insert(cast(Table, Account.__table__))
_CURRENCY = re.compile(r"[A-Z]{3}")
_AMOUNT_JUNK = re.compile(r"[\s$€£¥₹]|[A-Z]{3}$|^[A-Z]{3}")


_PLAIN_AMOUNT = re.compile(r"\d{1,15}(\.\d{1,4})?")


def _amount(value: str) -> Decimal:
    if _PLAIN_AMOUNT.fullmatch(value):
        return _stored(value, Decimal(value))
    text = _AMOUNT_JUNK.sub("", value.strip())
    if text.count(",") and text.count("."):
        text = (
            text.replace(",", "")
            if text.rfind(".") > text.rfind(",")
            else text.replace(".", "").replace(",", ".")
        )
    elif text.count(",") == 1 and len(text.split(",")[1]) != 3:
        text = text.replace(",", ".")  # a decimal comma
    else:
        text = text.replace(",", "")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise _Problem(None, value, "is not an amount") from None
    if not amount.is_finite():
        raise _Problem(None, value, "is not an amount")
    if amount < 0:
        raise _Problem(None, value, "is negative")
    return _stored(value, amount)


def _stored(value: str, amount: Decimal) -> Decimal:
    """The amount as the database will hold it (cents, at most 14 digits before the point)."""
    try:
        return checked_amount(amount)
    except InputError as exc:
        raise _Problem(None, value, str(exc).removeprefix(f"amount {amount} ")) from None


class _Mapper:
    """Turns one CSV row into the values of a record, or raises _Problem."""

    def __init__(self, mapping: Mapping, header: list[str], store: PipelineStore) -> None:
        self.mapping = mapping
        self.unquote = mapping.unquote_formulas
        self.index = {name: i for i, name in enumerate(header)}
        self.store = store
        self.today = date.today()
        self.notes: Counter[str] = Counter()
        self.cultures: dict[str, str | None] = {}
        self.date_cache: dict[str, date] = {}
        self.columns = {
            t: next((c for c in r.columns if c in self.index), None)
            for t, r in mapping.fields.items()
        }
        # Most targets read one column as it is: index them once, so the per-row cost
        # of a million-row file is a list lookup, not a walk through the rule.
        self.plain: dict[str, tuple[str, int, str, bool]] = {}
        for target, rule in mapping.fields.items():
            present = [c for c in rule.columns if c in self.index]
            if (
                len(present) == 1
                and not self.unquote  # each value looked at: the general path below
                and rule.value is None
                and rule.template is None
                and not rule.map
                and rule.known is None
            ):
                column = present[0]
                self.plain[target] = (column, self.index[column], rule.default or "", rule.required)

    def raw(self, row: list[str], target: str) -> tuple[str | None, str]:
        """(column used, stripped value) for a target; value '' when empty."""
        plain = self.plain.get(target)
        if plain is not None:
            column, at, default, required = plain
            value = row[at].strip() if at < len(row) else ""
            if not value:
                value = default
                if required and not value:
                    raise _Problem(column, value, f"no {target.replace('_', ' ')} given")
            return column, value
        rule = self.mapping.fields.get(target)
        if rule is None:
            return None, ""
        if rule.value is not None:
            return None, rule.value
        if rule.template is not None:
            try:
                return None, rule.template.format(
                    **{h: row[i] for h, i in self.index.items() if i < len(row)}
                )
            except (KeyError, IndexError, ValueError) as exc:
                raise _Problem(None, rule.template, f"template cannot be filled ({exc})") from None
        value = ""
        used = None
        for column in rule.columns:
            i = self.index.get(column)
            if i is not None and i < len(row) and row[i].strip():
                used, value = column, row[i].strip()
                break
        if not value:
            used = self.columns.get(target)
            if rule.default is not None:
                value = rule.default
        if self.unquote and value[:1] == "'" and value[1:2] in _QUOTED_FORMULA:
            value = value[1:]
        if value and value in rule.map:
            mapped = rule.map[value]
            self.notes[f"{target} {value!r} read as {mapped!r} (mapping file)"] += 1
            value = mapped
        if value and rule.known is not None and value not in rule.known:
            close = difflib.get_close_matches(value, list(rule.known), n=1)
            hint = f" (closest: {close[0]!r})" if close else ""
            raise _Problem(used, value, f"is not in {rule.known_file}{hint}")
        if rule.required and not value:
            raise _Problem(used, value, f"no {target.replace('_', ' ')} given")
        return used, value

    def date_of(self, row: list[str], target: str, past_only: bool) -> date | None:
        column, value = self.raw(row, target)
        if not value:
            return None
        parsed = self.date_cache.get(value)
        if parsed is None:
            parsed = self._parse_date(value, column)
            if len(self.date_cache) < 100_000:
                self.date_cache[value] = parsed
        if past_only and parsed > self.today:
            raise _Problem(column, value, "is in the future")
        return parsed

    def _parse_date(self, value: str, column: str | None) -> date:
        try:
            return (
                date.fromisoformat(value[:10])
                if len(value) >= 10 and value[4] == "-"
                else _strptime(value, self.mapping.dates)
            )
        except ValueError:
            try:
                return _strptime(value, self.mapping.dates)
            except ValueError:
                formats = ", ".join(self.mapping.dates)
                raise _Problem(column, value, f"is not a date (expected {formats})") from None

    def culture(self, column: str | None, value: str) -> str | None:
        """The culture code of a country name; a real country without scores is a note."""
        if not value:
            return None
        if value in self.cultures:
            return self.cultures[value]
        try:
            code: str | None = self.store.culture_code(value)
        except UnknownCultureError as exc:
            if not exc.known_country:
                raise _Problem(column, value, str(exc)) from None
            self.notes[f"country {value!r}: {exc}"] += 1
            code = None
        except CrossdealError as exc:
            raise _Problem(column, value, str(exc)) from None
        self.cultures[value] = code
        return code

    def outcome(self, row: list[str]) -> str:
        column = self.mapping.outcome_column
        if column is None:
            return "open"
        i = self.index.get(column)
        value = row[i].strip() if i is not None and i < len(row) else ""
        found = self.mapping.outcome_values.get(value.lower())
        if found is not None:
            return found
        if self.mapping.outcome_otherwise == "error":
            known = ", ".join(sorted(self.mapping.outcome_values))
            raise _Problem(column, value, f"is not a stage the mapping knows ({known})")
        return self.mapping.outcome_otherwise


def _strptime(value: str, formats: tuple[str, ...]) -> date:
    for fmt in formats:
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValueError(value)


def import_csv(
    store: PipelineStore,
    path: str | Path,
    crm: str | None = None,
    mapping: str | Path | Mapping | None = None,
    skip_invalid: bool = False,
    rejected_path: str | Path | None = None,
    on_progress: Progress | None = None,
) -> ImportReport:
    """Import one CSV export into the store's team; see the module docstring."""
    return import_files(
        store, [path], crm, mapping, skip_invalid, rejected_path, on_progress
    ).files[0]


# the order several exports of one CRM are imported in: a contact or a deal then finds
# the account its company file describes, with its country
ENTITY_ORDER = {"accounts": 0, "contacts": 1, "deals": 2, "committee": 3}


def import_files(
    store: PipelineStore,
    paths: list[str | Path] | list[Path],
    crm: str | None = None,
    mapping: str | Path | Mapping | None = None,
    skip_invalid: bool = False,
    rejected_path: str | Path | None = None,
    on_progress: Progress | None = None,
) -> ImportBatchReport:
    """Import several exports of one CRM together (companies, contacts, deals, in that
    order whatever the order given), in one transaction: one bad row in any file and,
    without ``skip_invalid``, nothing of any file is written."""
    if not paths:
        raise ImportFileError("give the CSV export(s) to import")
    if len(paths) > 1 and mapping is not None:
        raise ImportFileError(
            "--mapping describes one file: import the files it maps one at a time"
        )
    if len(paths) > 1 and rejected_path is not None:
        raise ImportFileError(
            "--rejected names one side file: with several files, each one's rejected rows "
            "go beside it (FILE.rejected.csv)"
        )
    seen: list[Path] = []
    for given in paths:
        path = Path(given)
        if any(_same_file(path, other) for other in seen):
            raise ImportFileError(f"{path} is given twice")
        seen.append(path)
    files = sorted(
        (_FileImport(store, path, crm, mapping) for path in seen),
        key=lambda f: ENTITY_ORDER[f.chosen.entity],
    )
    total = sum(f.size for f in files)
    done_before = 0
    committed = False
    try:
        for f in files:
            f.open_side_file(skip_invalid, rejected_path)
        with store.db.engine.begin() as conn:
            for f in files:

                def progress(done: int, _total: int, before: int = done_before) -> None:
                    if on_progress is not None:
                        on_progress(before + done, total)

                f.run(conn, progress)
                done_before += f.size
            if any(f.counts.rejected for f in files) and not skip_invalid:
                raise _Rollback()
            committed = True
    except _Rollback:
        committed = False
    finally:
        for f in files:
            f.close_side_file()
    return ImportBatchReport(committed=committed, files=[f.report(committed) for f in files])


class _FileImport:
    """One CSV export of an import: its profile, its rows, what they did."""

    def __init__(
        self,
        store: PipelineStore,
        path: Path,
        crm: str | None,
        mapping: str | Path | Mapping | None,
    ) -> None:
        if not path.exists():
            raise ImportFileError(f"no such file: {path}")
        if path.is_dir():
            raise ImportFileError(f"{path} is a folder; give the CSV export")
        if path.stat().st_size == 0:
            raise ImportFileError(f"{path} is empty: expected a header row and records")
        self.store, self.path, self.size = store, path, path.stat().st_size
        self.encoding = _sniff_encoding(path)
        forced = mapping.delimiter if isinstance(mapping, Mapping) else None
        self.header, self.rows, self.counter, self.delimiter = _rows(path, self.encoding, forced)
        if mapping is None:
            self.chosen = detect(self.header, crm)
        elif isinstance(mapping, Mapping):
            self.chosen = mapping
        else:
            self.chosen = load_mapping(mapping)
        missing = self.chosen.missing_columns(self.header)
        if missing:
            raise ImportFileError(
                f"{path}: column(s) {', '.join(missing)} not in the header "
                f"({', '.join(self.header[:10])}); check the file against {self.chosen.name}"
            )
        self.side: _SideFile | None = None
        self.side_path: Path | None = None
        self._fresh()

    def _fresh(self) -> None:
        """What the rows have done so far: nothing."""
        self.mapper = _Mapper(self.chosen, self.header, self.store)
        self.counts = _Counts()
        self.problems: list[ImportProblem] = []
        self.by_reason: Counter[str] = Counter()
        self.writer = _Writer(self.store, self.chosen)

    def open_side_file(self, skip_invalid: bool, rejected_path: str | Path | None) -> None:
        if skip_invalid:
            named = Path(rejected_path) if rejected_path else None
            self.side = _SideFile(self.path, named, self.header, self.store.db.file)

    def close_side_file(self) -> None:
        if self.side is not None:
            self.side_path = self.side.finish(keep=self.counts.rejected > 0)

    def run(self, conn: Connection, on_progress: Progress) -> None:
        """Check and write every row, inside the import's transaction: the fast way
        where the file allows it (see pipeline/bulk.py), else row by row."""
        from crossdeal.pipeline import bulk

        self.writer.start(conn)
        fast = bulk.import_deals(self, conn, on_progress)
        if fast:
            self._finish(conn, on_progress)
            return
        if fast is False:
            # a row it would reject: read the file again, and report row by row
            self.rows.close()
            _, self.rows, self.counter, _ = _rows(self.path, self.encoding, self.delimiter)
            self._fresh()
            self.writer.start(conn)
        self._row_by_row(on_progress)
        self._finish(conn, on_progress)

    def _row_by_row(self, on_progress: Progress) -> None:
        chosen, mapper, counts, header = self.chosen, self.mapper, self.counts, self.header
        writer = self.writer
        seen_ids: set[str] = set()
        for n, (line, row) in enumerate(self.rows):
            counts.rows += 1
            if n % 1000 == 0:
                on_progress(self.counter.done, self.size)
            try:
                if len(row) == 1 and row[0].startswith("\x00"):
                    raise _Problem(None, None, row[0][1:])
                if len(row) != len(header):
                    raise _Problem(
                        None,
                        None,
                        f"has {len(row)} field(s) where the header has {len(header)} "
                        f"(a quoting problem, or a delimiter other than {self.delimiter!r}?)",
                    )
                key = None
                if chosen.id_column:
                    key = row[mapper.index[chosen.id_column]].strip()
                    if not key:
                        raise _Problem(chosen.id_column, "", "no record id")
                    if key in seen_ids:
                        raise _Problem(chosen.id_column, key, "appears twice in this file")
                    seen_ids.add(key)
                writer.row(mapper, row, key, counts)
            except _Problem as problem:
                counts.rejected += 1
                self.by_reason[_reason_key(problem)] += 1
                if len(self.problems) < MAX_PROBLEMS:
                    self.problems.append(
                        ImportProblem(
                            line=line,
                            column=problem.column,
                            value=problem.value,
                            reason=problem.reason,
                        )
                    )
                if self.side is not None:
                    self.side.write(row, line, problem.reason)
        writer.flush(counts)

    def _finish(self, conn: Connection, on_progress: Progress) -> None:
        """Put associated contacts on their committees and recount what changed."""
        writer = self.writer
        writer.link_contacts()
        if writer.committee_touched:
            touched = sorted(writer.committee_touched)
            self.store.lock_deals(conn, touched)
            self.store.refresh_counts(conn, touched)
        if writer.new_roles:
            # a changed role changes the decision-maker counts of the contact's deals
            on_deals = sorted(
                set(
                    conn.execute(
                        select(DealContact.deal_id).where(
                            DealContact.contact_id.in_(writer.new_roles)
                        )
                    ).scalars()
                )
            )
            self.store.lock_deals(conn, on_deals)
            self.store.refresh_counts(conn, on_deals)
        on_progress(self.size, self.size)

    def report(self, committed: bool) -> ImportReport:
        counts = self.counts
        if not committed:
            counts.created = counts.updated = counts.unchanged = 0
        return ImportReport(
            file=str(self.path),
            profile=self.chosen.name,
            entity=self.chosen.entity,
            rows=counts.rows,
            created=counts.created,
            updated=counts.updated,
            unchanged=counts.unchanged,
            rejected=counts.rejected,
            committed=committed,
            problems=self.problems,
            problem_counts=dict(self.by_reason.most_common()),
            notes=[
                *_created_accounts_notes(self.writer.created_accounts if committed else []),
                *(
                    f"{note} ({n} row{'s' if n != 1 else ''})"
                    for note, n in self.mapper.notes.most_common()
                ),
                *(
                    [
                        f"{self.writer.places_added} associated contact(s) put on their deals' "
                        "buying committees"
                    ]
                    if committed and self.writer.places_added
                    else []
                ),
                *_not_found_note(self.writer.not_found if committed else set(), self.chosen),
            ],
            rejected_file=str(self.side_path) if self.side_path else None,
        )


def _created_accounts_notes(created: list[tuple[str, bool]]) -> list[str]:
    """One note for the accounts an import had to create, naming the first few."""
    if not created:
        return []
    shown = ", ".join(repr(name) for name, _ in created[:5])
    more = f" and {len(created) - 5:,} more" if len(created) > 5 else ""
    without = sum(1 for _, has_country in created if not has_country)
    country = (
        f"; {without:,} without a country: add it with `crossdeal accounts add NAME --country ...`"
        if without
        else ""
    )
    noun = "account was" if len(created) == 1 else "accounts were"
    return [f"{len(created):,} {noun} not in the pipeline and created: {shown}{more}{country}"]


class _Rollback(Exception):
    pass


class _SideFile:
    """The rows ``--skip-invalid`` sets aside, written so that no file is ever lost.

    Rows go to a temporary file beside the target; only when the import has rejected
    something does it take its place. A named target may not be the input (or the
    database), and is replaced only at that moment; without a name, the first free
    ``FILE.rejected.csv``, ``FILE.rejected-2.csv``, ... is taken, so an earlier side file
    is never overwritten. Cells a spreadsheet would run as formulas are neutralised, as
    in the export.
    """

    def __init__(
        self, source: Path, named: Path | None, header: list[str], database: Path | None
    ) -> None:
        self.named = named
        self.default = source.with_name(source.stem + ".rejected.csv")
        target = named or self.default
        protected = [source] if database is None else [source, database]
        for other in protected:
            if _same_file(target, other):
                raise ImportFileError(
                    f"--rejected {target} is the file being "
                    f"{'imported' if other == source else 'imported into'}; "
                    "name another file for the rejected rows"
                )
        if target.is_dir():
            raise ImportFileError(f"--rejected {target} is a folder; name a file")
        folder = target.parent if str(target.parent) else Path(".")
        try:
            handle, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=folder)
        except OSError as error:
            raise ImportFileError(
                f"cannot write the rejected rows next to {target}: {error.strerror}"
            ) from None
        self.temp = Path(temp)
        self.file = os.fdopen(handle, "w", encoding="utf-8", newline="")
        self.writer = csv.writer(self.file)
        self.writer.writerow([neutralise(cell) for cell in [*header, "line", "problem"]])

    def write(self, row: list[str], line: int, reason: str) -> None:
        self.writer.writerow([neutralise(cell) for cell in row] + [line, reason])

    def finish(self, keep: bool) -> Path | None:
        """Close; put the file in place when there is something to keep, else remove it."""
        self.file.close()
        if not keep:
            self.temp.unlink(missing_ok=True)
            return None
        if self.named is not None:
            os.replace(self.temp, self.named)
            return self.named
        candidate, n = self.default, 1
        while True:
            try:
                os.link(self.temp, candidate)  # fails if the name is taken: no overwrite
                break
            except FileExistsError:
                n += 1
                candidate = self.default.with_name(
                    f"{self.default.name.removesuffix('.csv')}-{n}.csv"
                )
        self.temp.unlink()
        return candidate


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return a.resolve() == b.resolve()


def _reason_key(problem: _Problem) -> str:
    column = f"{problem.column}: " if problem.column else ""
    reason = problem.reason
    if reason.startswith("has ") and "field(s)" in reason:
        reason = "wrong number of fields"
    if "No culture matches" in reason:
        reason = "unknown country"
    return column + reason


class _Writer:
    """Upserts checked records in batches, inside the import's transaction."""

    def __init__(self, store: PipelineStore, mapping: Mapping) -> None:
        self.store = store
        self.mapping = mapping
        self.team = store.team_id
        self.source = mapping.source
        self.pending: list[dict[str, Any]] = []
        self.accounts: dict[str, int] = {}
        self.sellers: dict[str, int] = {}
        self.created_accounts: list[tuple[str, bool]] = []
        self.new_roles: list[int] = []  # contacts whose committee role the file changed
        self.currencies: set[str] = set()
        self.conn: Connection | None = None
        # a committee file's lookups, read on its first row; the deals it added people to
        self.committee_deals: dict[str, int] | None = None
        self.committee_contacts: dict[str, int] = {}
        self.committee_links: set[tuple[int, int]] | None = None
        self.committee_touched: set[int] = set()
        # a deals file's associated contacts: (deal record id, account id, ids, names)
        self.links = "contact_ids" in mapping.fields or "contact_names" in mapping.fields
        self.associated: list[tuple[str, int, list[str], list[str]]] = []
        self.not_found: set[str] = set()
        self.places_added = 0
        self.account_records: dict[str, int] | None = None  # accounts by CRM id, when asked

    def start(self, conn: Connection) -> None:
        self.conn = conn
        self.inserted = 0
        self.next_analyze = 2 * BATCH

        self.accounts = dict(
            conn.execute(select(Account.name, Account.id).where(Account.team_id == self.team)).all()
        )
        self.sellers = dict(
            conn.execute(select(Seller.name, Seller.id).where(Seller.team_id == self.team)).all()
        )

    # --- per entity --------------------------------------------------------------------
    def row(self, m: _Mapper, row: list[str], key: str | None, counts: _Counts) -> None:
        if self.mapping.entity == "accounts":
            self._account(m, row, key, counts)
        elif self.mapping.entity == "contacts":
            self._contact(m, row, key, counts)
        elif self.mapping.entity == "committee":
            self._committee(m, row, counts)
        else:
            self._deal(m, row, key, counts)

    def _by_external_id(self, table: Any) -> dict[str, int]:
        assert self.conn is not None
        return dict(
            self.conn.execute(
                select(table.external_id, table.id).where(
                    table.team_id == self.team,
                    table.source == self.source,
                    table.external_id.is_not(None),
                )
            ).all()
        )

    def _committee(self, m: _Mapper, row: list[str], counts: _Counts) -> None:
        assert self.conn is not None
        if self.committee_deals is None:
            # read once per file: a contact-role file refers to many deals and contacts
            self.committee_deals = self._by_external_id(Deal)
            self.committee_contacts = self._by_external_id(Contact)
        deal_column, deal_key = m.raw(row, "deal")
        contact_column, contact_key = m.raw(row, "contact")
        role_column, role = m.raw(row, "role")
        deal_id = self.committee_deals.get(deal_key)
        if deal_id is None:
            raise _Problem(
                deal_column,
                deal_key,
                f"no {self.source} deal has this id: import the deals file with this one",
            )
        contact_id = self.committee_contacts.get(contact_key)
        if contact_id is None:
            raise _Problem(
                contact_column,
                contact_key,
                f"no {self.source} contact has this id: import the contacts file with this one",
            )
        if role and role not in ROLES:
            raise _Problem(
                role_column,
                role,
                f"is not a committee role ({', '.join(ROLES)}); map it in a mapping file",
            )
        added = self._seat(deal_id, contact_id)
        new_role = False
        if role:
            # a role the CRM gives is a given role: no later job title replaces it. One
            # role per person: a second deal's row for them sets the same field
            held, guessed = self.conn.execute(
                select(Contact.role, Contact.role_guessed).where(Contact.id == contact_id)
            ).one()
            if held != role or guessed:
                self.conn.execute(
                    update(Contact)
                    .where(Contact.id == contact_id)
                    .values(role=role, role_guessed=False)
                )
            if held != role:
                self.new_roles.append(contact_id)
                new_role = True
        if added:
            counts.created += 1
        elif new_role:
            counts.updated += 1
        else:
            counts.unchanged += 1

    def _account(self, m: _Mapper, row: list[str], key: str | None, counts: _Counts) -> None:
        name_column, name = m.raw(row, "name")
        column, country = m.raw(row, "country")
        culture = m.culture(column, country)
        _, industry = m.raw(row, "industry")
        assert self.conn is not None
        found = self.conn.execute(
            select(
                Account.id,
                Account.country,
                Account.culture,
                Account.industry,
                Account.external_id,
                Account.source,
            ).where(Account.team_id == self.team, Account.name == name)
        ).first()
        values = {"country": country or None, "culture": culture, "industry": industry or None}
        if found is not None and key and found.external_id is None:
            # an account added by hand or from a report that gave no ids: it takes the
            # CRM's id, so the files that refer to it by id find it
            self.conn.execute(
                update(Account)
                .where(Account.id == found[0])
                .values(source=self.source, external_id=key)
            )
        elif found is not None and key and (found.external_id, found.source) != (key, self.source):
            raise _Problem(
                name_column,
                name,
                f"another account of this name has the id {found.external_id} "
                f"({found.source}); crossdeal keeps one account per name: rename one of "
                "them in the CRM or in the file",
            )
        if found is None:
            result = self.conn.execute(
                insert(Account).values(
                    team_id=self.team,
                    name=name,
                    source=self.source,
                    external_id=key,
                    observations="",
                    **values,
                )
            )
            self.accounts[name] = new_id(result)
            counts.created += 1
        elif (found[1], found[2], found[3]) == (
            values["country"],
            values["culture"],
            values["industry"],
        ):
            counts.unchanged += 1
        else:
            self.conn.execute(update(Account).where(Account.id == found[0]).values(**values))
            counts.updated += 1

    def _account_id(self, m: _Mapper, row: list[str]) -> int:
        if "account_id" in self.mapping.fields:
            return self._account_by_record(m, row)
        _, name = m.raw(row, "account")
        found = self.accounts.get(name)
        if found is not None:
            return found
        assert self.conn is not None
        ccol, country = m.raw(row, "account_country")
        culture = m.culture(ccol, country)
        result = self.conn.execute(
            _NEW_ACCOUNT,
            {
                "team_id": self.team,
                "name": name,
                "country": country or None,
                "culture": culture,
                "source": self.source,
                "observations": "",
            },
        )
        self.accounts[name] = new_id(result)
        self.created_accounts.append((name, bool(country)))
        return self.accounts[name]

    def _account_by_record(self, m: _Mapper, row: list[str]) -> int:
        """The account of the CRM's record id in the row (imported before, or in the same
        import from the accounts file)."""
        column, record = m.raw(row, "account_id")
        if self.account_records is None:
            self.account_records = self._by_external_id(Account)
        found = self.account_records.get(record)
        if found is None:
            raise _Problem(
                column,
                record,
                f"no {self.source} account has this id: import the accounts file with this one"
                if record
                else "no account id",
            )
        return found

    def _seller_id(self, m: _Mapper, row: list[str]) -> int | None:
        _, name = m.raw(row, "owner")
        if not name:
            return None
        found = self.sellers.get(name)
        if found is not None:
            return found
        ccol, culture_text = m.raw(row, "owner_culture")
        culture = m.culture(ccol, culture_text)
        assert self.conn is not None
        result = self.conn.execute(
            insert(Seller).values(team_id=self.team, name=name, culture=culture)
        )
        self.sellers[name] = new_id(result)
        return self.sellers[name]

    def _contact(self, m: _Mapper, row: list[str], key: str | None, counts: _Counts) -> None:
        _, name = m.raw(row, "name")
        if not name:
            first, last = m.raw(row, "first_name")[1], m.raw(row, "last_name")[1]
            name = " ".join(p for p in (first, last) if p)
        if not name:
            raise _Problem(None, None, "no contact name")
        account_id = self._account_id(m, row)
        column, country = m.raw(row, "country")
        culture = m.culture(column, country)
        title_column, title = m.raw(row, "title")
        role_column, role = m.raw(row, "role")
        _, email = m.raw(row, "email")
        if role and role not in ROLES:
            raise _Problem(
                role_column,
                role,
                f"is not a committee role ({', '.join(ROLES)}); map it in a mapping file",
            )
        assert self.conn is not None
        fields = (
            Contact.id,
            Contact.account_id,
            Contact.culture,
            Contact.role,
            Contact.role_guessed,
            Contact.seniority,
            Contact.email,
        )
        found = None
        if key:
            # the CRM's id first: a person who moved to another account stays one contact
            found = self.conn.execute(
                select(*fields).where(
                    Contact.team_id == self.team,
                    Contact.source == self.source,
                    Contact.external_id == key,
                )
            ).first()
        if found is None:
            found = self.conn.execute(
                select(*fields).where(
                    Contact.team_id == self.team,
                    Contact.account_id == account_id,
                    Contact.name == name,
                )
            ).first()
        guess = None if role else _role_from_title(title)
        values: dict[str, Any] = {
            "account_id": account_id,
            "culture": culture,
            "role": role or guess or None,
            "role_guessed": not role and guess is not None,
            "seniority": title[:TITLE_LENGTH] or None,
            "email": email or None,
        }
        if len(title) > TITLE_LENGTH:
            m.notes[f"{title_column}: job titles cut to {TITLE_LENGTH} characters"] += 1
        if found is not None and not role and found.role and not found.role_guessed:
            # a role read from the job title is a guess: it fills an empty role, and
            # corrects an earlier guess, but never replaces one that was given
            values["role"], values["role_guessed"] = found.role, False
        if found is None:
            self.conn.execute(
                insert(Contact).values(
                    team_id=self.team,
                    name=name,
                    source=self.source,
                    external_id=key,
                    observations="",
                    **values,
                )
            )
            counts.created += 1
        elif tuple(found[1:]) == tuple(values.values()):
            counts.unchanged += 1
        else:
            self.conn.execute(update(Contact).where(Contact.id == found.id).values(**values))
            counts.updated += 1
            if found.role != values["role"]:
                self.new_roles.append(found.id)

    def _deal(self, m: _Mapper, row: list[str], key: str | None, counts: _Counts) -> None:
        assert key is not None
        outcome = m.outcome(row)
        account_id = self._account_id(m, row)
        owner_id = self._seller_id(m, row)
        _, name = m.raw(row, "name")
        acol, amount_text = m.raw(row, "amount")
        try:
            amount = _amount(amount_text) if amount_text else None
        except _Problem as problem:
            raise _Problem(acol, amount_text, problem.reason) from None
        _, currency = m.raw(row, "currency")
        currency = (currency or "USD").upper()
        if currency not in self.currencies and not _CURRENCY.fullmatch(currency):
            raise _Problem(
                self.mapping.fields["currency"].columns[0]
                if self.mapping.fields.get("currency")
                else None,
                currency,
                "is not a currency code (three letters, e.g. USD)",
            )
        self.currencies.add(currency)
        created = m.date_of(row, "created_on", past_only=True)
        expected = m.date_of(row, "expected_close", past_only=False)
        closed = m.date_of(row, "closed_on", past_only=True)
        if "close_date" in self.mapping.fields:
            when = m.date_of(row, "close_date", past_only=outcome != "open")
            if outcome == "open":
                expected = expected or when
            else:
                closed = closed or when
        if closed and outcome == "open":
            closed = None
        if created and closed and closed < created:
            raise _Problem(
                None,
                closed.isoformat(),
                f"the deal closes before it was created ({created.isoformat()})",
            )
        _, stage = m.raw(row, "stage")
        _, product = m.raw(row, "product")
        _, notes = m.raw(row, "notes")
        _, lost_reason = m.raw(row, "lost_reason")
        values: dict[str, Any] = {
            "account_id": account_id,
            "owner_id": owner_id,
            "name": name or f"{product or 'Deal'} {key}",
            "amount": amount,
            "currency": currency,
            "stage": stage or None,
            "outcome": outcome,
            "created_on": created,
            "expected_close": expected,
            "closed_on": closed,
            "product": product or None,
            "notes": notes or None,
            "lost_reason": lost_reason or None,
            "budget_confirmed": _flag(m.raw(row, "budget_confirmed")[1]),
            "authority_identified": _flag(m.raw(row, "authority_identified")[1]),
            "standard_offer": mentions_standard_offer(notes) if notes else False,
        }
        self.pending.append(
            {"team_id": self.team, "source": self.source, "external_id": key, **values}
        )
        if self.links:
            ids, names = (_several(m.raw(row, t)[1]) for t in ("contact_ids", "contact_names"))
            if ids or names:
                self.associated.append((key, account_id, ids, names))
        if len(self.pending) >= BATCH:
            self.flush(counts)

    def link_contacts(self) -> None:
        """Put each deal's associated contacts on its committee (once; a contact already
        there keeps its role). A contact crossdeal does not hold yet is counted in a
        note: the contacts export imported with the deals, or before them, links it."""
        if not self.associated:
            return
        assert self.conn is not None
        deals = self._by_external_id(Deal)
        by_id = self._by_external_id(Contact)
        by_name = {
            (account, name.casefold()): contact
            for contact, account, name in self.conn.execute(
                select(Contact.id, Contact.account_id, Contact.name).where(
                    Contact.team_id == self.team
                )
            )
        }
        for key, account_id, ids, names in self.associated:
            deal_id = deals[key]
            found = [(i, by_id.get(i)) for i in ids] + [
                (n, by_name.get((account_id, n.casefold()))) for n in names
            ]
            for ref, contact_id in found:
                if contact_id is None:
                    self.not_found.add(ref)
                elif self._seat(deal_id, contact_id):
                    self.places_added += 1
        self.associated = []

    def _seat(self, deal_id: int, contact_id: int) -> bool:
        """Put the contact on the deal's committee unless they sit there; whether they
        were added (the team's committees are read once per file)."""
        assert self.conn is not None
        if self.committee_links is None:
            self.committee_links = {
                (deal, contact)
                for deal, contact in self.conn.execute(
                    select(DealContact.deal_id, DealContact.contact_id)
                    .join(Deal, Deal.id == DealContact.deal_id)
                    .where(Deal.team_id == self.team)
                )
            }
        if (deal_id, contact_id) in self.committee_links:
            return False
        self.conn.execute(insert(DealContact).values(deal_id=deal_id, contact_id=contact_id))
        self.committee_links.add((deal_id, contact_id))
        self.committee_touched.add(deal_id)
        return True

    def flush(self, counts: _Counts) -> None:
        """Write the pending deals: new ids are inserted, known ids updated if changed.

        The deals already in the database are looked up one batch at a time, so memory
        stays flat however many deals the team already has or the file holds.
        """
        if not self.pending:
            return
        assert self.conn is not None
        columns = [getattr(Deal, f) for f in _DEAL_FIELDS]
        existing = {
            row[0]: (row[1], tuple(row[2:]))
            for row in self.conn.execute(
                select(Deal.external_id, Deal.id, *columns).where(
                    Deal.team_id == self.team,
                    Deal.source == self.source,
                    Deal.external_id.in_([record["external_id"] for record in self.pending]),
                )
            )
        }
        fresh = []
        for record in self.pending:
            found = existing.get(record["external_id"])
            if found is None:
                fresh.append(record)
                continue
            deal_id, before = found
            if _same(before, tuple(record[f] for f in _DEAL_FIELDS)):
                counts.unchanged += 1
                continue
            changes = {f: record[f] for f in _DEAL_FIELDS}
            self.conn.execute(update(Deal).where(Deal.id == deal_id).values(**changes))
            counts.updated += 1
        if fresh:
            _insert_batch(self.conn, Deal.__table__, fresh)
            counts.created += len(fresh)
            self._refresh_statistics(len(fresh))
        self.pending = []

    def _refresh_statistics(self, inserted: int) -> None:
        """On PostgreSQL, let the planner see the deals this import has written.

        Inside the import's one transaction the statistics still describe the table as
        it was (often empty), and the planner then reads every deal of the team for each
        batch of record ids instead of looking them up in the unique index: a 50,000-row
        import took 24 s, 21 of them in those look-ups. ANALYZE sees the transaction's
        own rows; it runs each time the deals written have doubled, so its cost stays a
        small share of the import.
        """
        assert self.conn is not None
        if self.conn.dialect.name != "postgresql":
            return
        self.inserted += inserted
        if self.inserted >= self.next_analyze:
            self.conn.execute(text("ANALYZE deals"))
            self.next_analyze = self.inserted * 2


def _several(text: str) -> list[str]:
    """The parts of a multi-value cell ("701;702"), in order, without repeats."""
    if ";" not in text:  # most cells name one record: a million rows' worth of time
        part = text.strip()
        return [part] if part else []
    return list(dict.fromkeys(p.strip() for p in text.split(";") if p.strip()))


def _not_found_note(refs: set[str], mapping: Mapping) -> list[str]:
    if not refs:
        return []
    shown = ", ".join(sorted(refs)[:5]) + (", ..." if len(refs) > 5 else "")
    return [
        f"{len(refs)} associated contact(s) not in crossdeal yet ({shown}): import the "
        f"{mapping.source} contacts export with the deals, e.g. crossdeal import "
        f"deals.csv contacts.csv --from {mapping.source}, to put them on the committees"
    ]


def _insert_batch(conn: Connection, table: Any, rows: list[dict[str, Any]]) -> None:
    """Insert rows that all have the same keys, as one executemany.

    On SQLite, SQLAlchemy's per-value type processing costs more than the insert itself
    (about half of a million-row import), so the values are converted once per column
    the way SQLAlchemy would store them (dates as ISO text, numerics as floats) and
    handed to the driver directly. Binding is the driver's main cost per row, so a
    column that is empty in every row of the batch is left to its default (NULL) and a
    column with one integer or plain-word value in every row (the team, the source) is
    written into the statement once. Other databases take the usual path.
    """
    columns = list(rows[0])
    if conn.dialect.name != "sqlite":
        conn.execute(insert(table), rows)
        return
    bound: list[str] = []
    fixed: dict[str, str] = {}
    for name in columns:
        distinct = {row[name] for row in rows} if _hashable(rows[0][name]) else None
        if distinct == {None} and table.c[name].server_default is None:
            continue
        if distinct is not None and len(distinct) == 1:
            (only,) = distinct
            literal = _sql_literal(only)
            if literal is not None:
                fixed[name] = literal
                continue
        bound.append(name)
    converters = [
        (i, _SQLITE_STORE[type(table.c[name].type).__name__])
        for i, name in enumerate(bound)
        if type(table.c[name].type).__name__ in _SQLITE_STORE
    ]
    values = []
    for row in rows:
        record = [row[name] for name in bound]
        for i, convert in converters:
            if record[i] is not None:
                record[i] = convert(record[i])
        values.append(tuple(record))
    names = ", ".join([*fixed, *bound])
    marks = ", ".join([*fixed.values(), *("?" * len(bound))])
    # the names come from the table definition; a value written into the statement is an
    # integer or a plain word (letters, digits, "_" and "-", see _sql_literal), so text
    # from the file reaches the statement only in a form that cannot change its meaning
    statement = f"INSERT INTO {table.name} ({names}) VALUES ({marks})"  # noqa: S608
    conn.exec_driver_sql(statement, values)


_PLAIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,39}")


def _hashable(value: Any) -> bool:
    return value is None or isinstance(value, str | int | bool | float | Decimal | date)


def _sql_literal(value: Any) -> str | None:
    """``value`` as SQL text when that is unambiguous and safe, else None (bind it)."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and _PLAIN_WORD.fullmatch(value):
        return f"'{value}'"
    return None


_SQLITE_STORE: dict[str, Callable[[Any], Any]] = {
    "Date": date.isoformat,
    "Numeric": float,
}


_DEAL_FIELDS = (
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


def _same(before: tuple[Any, ...], after: tuple[Any, ...]) -> bool:
    for a, b in zip(before, after, strict=True):
        if isinstance(a, Decimal) or isinstance(b, Decimal):
            if (a is None) != (b is None) or (a is not None and Decimal(a) != Decimal(b)):
                return False
        elif a != b:
            return False
    return True


def _flag(value: str) -> bool:
    return value.strip().lower() in ("1", "true", "yes", "y", "x", "confirmed")


def _role_from_title(title: str) -> str | None:
    lowered = title.lower()
    for role, words in ROLE_WORDS.items():
        if any(w in lowered for w in words):
            return role
    return None
