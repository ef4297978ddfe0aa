"""Find the dates a draft proposes: "Friday 6 March", "21-22 March", "April 30 or May 1",
"2027-03-04", "04/03/2027", "next Friday", "on the 5th", "end of the month".

Each mention is read against the day the draft is written (``on``), and says how it
was read: a date without a year is the next one to come; a date up to a month back is
taken as a reference to the past and not checked; numeric dates are read in the
reader's order (day first, or month first in the United States), and one that reads
differently the other way is reported as ambiguous.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Literal

__all__ = ["DateMention", "day_label", "find_dates"]

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_WD = r"(?:mon|tue(?:s)?|wed(?:nes)?|thu(?:r(?:s)?)?|fri|sat(?:ur)?|sun)(?:day)?"
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_JOIN = r"\s*(?:-|–|—|to|and|or|&|/)\s*"
# (a look-behind instead of a leading word boundary: the same here, as every match starts
# with a letter or a digit, and faster to search)
_DAY_FIRST = re.compile(
    rf"(?<!\w)(?:(?P<wd>{_WD}),?\s+)?(?:the\s+)?(?P<days>{_DAY}(?:{_JOIN}(?:{_WD},?\s+)?{_DAY})*)"
    rf"\s+(?:of\s+)?(?P<month>{_MONTH})(?:,?\s+(?P<year>\d{{4}}))?\b",
)
_MONTH_FIRST = re.compile(
    rf"(?<!\w)(?:(?P<wd>{_WD}),?\s+)?(?P<month>{_MONTH})\s+(?P<days>{_DAY}(?:{_JOIN}{_DAY})*)\b"
    rf"(?:,?\s+(?P<year>\d{{4}}))?",
)
_ISO = re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})\b")
_NUMERIC = re.compile(r"\b(?P<a>\d{1,2})(?P<sep>[/.])(?P<b>\d{1,2})(?P=sep)(?P<y>\d{4}|\d{2})\b")
_RELATIVE_WD = re.compile(rf"\b(?P<which>next|this|coming|on)\s+(?P<wd>{_WD})\b")
_TOMORROW = re.compile(r"\btomorrow\b")
_THE_NTH = re.compile(rf"\bon\s+the\s+(?P<day>{_DAY})\b(?!\s+(?:of\s+)?{_MONTH})")
_END_OF = re.compile(
    rf"\b(?:the\s+)?end\s+of\s+(?:(?P<rel>the|this|next)\s+month|(?P<month>{_MONTH}))\b"
)
# Where a date may start: a month or weekday as a word ("may" only beside a number),
# "tomorrow", a numeric date, "the 5th", "end of"; the kind of anchor says which of the
# patterns above can match on the line. One word boundary in front of all of them keeps
# the search fast (text is matched in lower case).
_KINDS = (
    (
        "month",
        r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|june?|july?|aug(?:ust)?"
        r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b|may\s+\d",
    ),
    ("wd", r"(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?\b"),
    ("tomorrow", r"tomorrow\b"),
    ("nth", r"the\s+\d"),
    ("end", r"end\s+of\b"),
    ("iso", r"\d{4}-\d{2}-\d{2}"),
    ("num", r"\d{1,2}[/.]\d{1,2}[/.]\d"),
    ("may", r"\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?may\b"),
)
_ANY = re.compile(r"\b(?:" + "|".join(f"(?P<{name}>{body})" for name, body in _KINDS) + ")")
try:  # an accelerator: RE2's Set says in one call per line which kinds occur (it may
    # name a kind that the leftmost search would hide behind another: that runs one more
    # pattern on the line, and never misses one); without google-re2, _ANY does it
    import re2 as _re2

    _KIND_SET: Any = _re2.Set.SearchSet(_re2.Options())
    for _name, _body in _KINDS:
        _KIND_SET.Add(rf"\b(?:{_body})")
    _KIND_SET.Compile()
except ImportError:  # pragma: no cover - without google-re2
    _KIND_SET = None
_DIGITS = re.compile(r"\d{1,2}")
# "by 20 June", "no later than Friday": a due date, not a day anyone has to meet on
_DUE = re.compile(
    r"\b(?:by|until|till|before|no\s+later\s+than|due(?:\s+on)?|deadline(?:\s+is|\s+of)?)"
    r"\s+(?:the\s+|this\s+|next\s+|on\s+)?$",
)

Kind = Literal["date", "weekday", "deadline"]


@dataclass(frozen=True)
class DateMention:
    start: int
    end: int
    text: str
    days: tuple[dt.date, ...]
    reading: str  # how the text was read, for the finding's evidence
    kind: Kind = "date"
    past: bool = False  # a reference to a day already gone: not checked
    weekday_written: int | None = None
    impossible: str | None = None  # "31 February": why it is no date
    ambiguous: str | None = None  # "03/04/2027": the other reading


def _month(text: str) -> int:
    return _MONTHS[text[:3].lower()]


def _weekday(text: str | None) -> int | None:
    return None if not text else _WEEKDAYS[text[:3].lower()]


_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTH_NAMES = (
    "", "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def day_label(day: dt.date) -> str:
    """'Friday 6 March 2026', in English whatever the machine's locale (strftime's
    names follow it, and are slower to get)."""
    return f"{_DAY_NAMES[day.weekday()]} {day.day} {_MONTH_NAMES[day.month]} {day.year}"


def _year_for(month: int, day: int, on: dt.date) -> int:
    """The year of the next "day month" to come, or of one up to a month back."""
    for year in (on.year, on.year + 1):
        try:
            candidate = dt.date(year, month, day)
        except ValueError:
            continue
        if candidate >= on - dt.timedelta(days=31):
            return year
    return on.year + 1


def _dated(
    match: re.Match[str],
    text: str,
    on: dt.date,
    month: int,
    day_numbers: list[int],
    year: int | None,
    weekday: int | None,
) -> DateMention:
    if year is None and weekday is not None and day_numbers:
        # "Friday 6 March" with no year: the year in which 6 March is a Friday, if one of
        # the next two is; otherwise the next 6 March, and the weekday is reported
        for candidate in (on.year, on.year + 1):
            try:
                day = dt.date(candidate, month, day_numbers[0])
            except ValueError:
                break
            if day >= on - dt.timedelta(days=31) and day.weekday() == weekday:
                year = candidate
                break
    days: list[dt.date] = []
    chosen = year
    for number in day_numbers:
        y = chosen if chosen is not None else _year_for(month, number, on)
        try:
            days.append(dt.date(y, month, number))
        except ValueError:
            import calendar as stdcal

            return DateMention(
                match.start(),
                match.end(),
                text,
                (),
                f"{text!r} is not a date",
                "date",
                impossible=f"{stdcal.month_name[month]} has no day {number}",
            )
        chosen = y if year is None else year
    how = "the year written" if match["year"] else "the next one to come (no year written)"
    reading = "read as " + " and ".join(day_label(d) for d in days) + f": {how}"
    past = all(d < on for d in days)
    return DateMention(
        match.start(), match.end(), text, tuple(days), reading, "date", past, weekday
    )


def _numbers(days_text: str) -> list[int]:
    return [int(n) for n in _DIGITS.findall(days_text)]


def find_dates(text: str, on: dt.date, day_first: bool = True) -> list[DateMention]:
    """Every date the text names, in order, read relative to ``on``."""
    # the patterns are written in lower case: matching lowered text is several times
    # faster than a case-insensitive search (where a character's lower case is longer,
    # such as a dotted capital I, the offsets would shift: such text is left as it is)
    low = text.lower()
    if len(low) != len(text):
        low = text
    # one search over the whole text finds the lines worth reading, and the kinds of
    # anchor on each say which patterns can match there
    kinds_by_line: dict[int, set[str | None]] = {}
    if _KIND_SET is not None:
        start = 0
        for line in low.splitlines(keepends=True):
            hits = _KIND_SET.Match(line)
            if hits:
                kinds_by_line[start] = {_KINDS[i][0] for i in hits}
            start += len(line)
    else:
        for m in _ANY.finditer(low):
            start = low.rfind("\n", 0, m.start()) + 1
            kinds_by_line.setdefault(start, set()).add(m.lastgroup)
    found: list[DateMention] = []
    for start, kinds in kinds_by_line.items():
        stop = low.find("\n", start)
        stop = len(low) if stop == -1 else stop + 1
        for mention in _find_in(text[start:stop], low[start:stop], on, day_first, kinds):
            found.append(
                dataclasses.replace(mention, start=mention.start + start, end=mention.end + start)
            )
    return found


def _find_in(
    text: str, low: str, on: dt.date, day_first: bool, kinds: set[str | None]
) -> list[DateMention]:
    """The dates of one line (a date does not run across lines), searched only with the
    patterns that the kinds of anchor found on the line can start."""
    found: list[DateMention] = []
    taken: list[tuple[int, int]] = []

    def free(m: re.Match[str]) -> bool:
        return not any(m.start() < e and s < m.end() for s, e in taken)

    def mk(m: re.Match[str], *args: Any, **kwargs: Any) -> DateMention:
        return DateMention(m.start(), m.end(), text[m.start() : m.end()], *args, **kwargs)

    def add(m: re.Match[str], mention: DateMention) -> None:
        taken.append((m.start(), m.end()))
        found.append(mention)

    for m in _ISO.finditer(low) if "iso" in kinds else ():
        try:
            day = dt.date(int(m["y"]), int(m["m"]), int(m["d"]))
        except ValueError:
            add(
                m,
                mk(m, (), "", impossible="no such date"),
            )
            continue
        add(
            m,
            mk(
                m,
                (day,),
                f"read as {day_label(day)}",
                "date",
                day < on,
            ),
        )
    for m in _NUMERIC.finditer(low) if "num" in kinds else ():
        if not free(m):
            continue
        a, b, y = int(m["a"]), int(m["b"]), int(m["y"])
        if not (1 <= a <= 31 and 1 <= b <= 31 and min(a, b) <= 12):
            continue  # 30/60/10 payment terms, a ratio: not a date
        year = y + 2000 if y < 100 else y
        first = (a, b) if day_first else (b, a)  # (day, month) as the reader reads it
        other = (b, a) if day_first else (a, b)
        try:
            day = dt.date(year, first[1], first[0])
        except ValueError:
            add(
                m,
                mk(m, (), "", impossible="no such date"),
            )
            continue
        order = "day first" if day_first else "month first"
        ambiguous = None
        if a != b and other[1] <= 12:
            try:
                alt = dt.date(year, other[1], other[0])
                ambiguous = (
                    f"{day_label(day)} for this reader ({order}), {day_label(alt)} the other way"
                )
            except ValueError:
                pass
        add(
            m,
            mk(
                m,
                (day,),
                f"read as {day_label(day)}: the reader writes dates {order}",
                "date",
                day < on,
                ambiguous=ambiguous,
            ),
        )
    for pattern in (_DAY_FIRST, _MONTH_FIRST) if kinds & {"month", "may"} else ():
        for m in pattern.finditer(low):
            if not free(m):
                continue
            written = int(m["year"]) if m["year"] else None
            add(
                m,
                _dated(
                    m,
                    text[m.start() : m.end()],
                    on,
                    _month(m["month"]),
                    _numbers(m["days"]),
                    written,
                    _weekday(m["wd"]),
                ),
            )
    for m in _RELATIVE_WD.finditer(low) if "wd" in kinds else ():
        if not free(m):
            continue
        weekday = _weekday(m["wd"])
        assert weekday is not None
        ahead = (weekday - on.weekday()) % 7 or 7
        day = on + dt.timedelta(days=ahead)
        add(
            m,
            mk(
                m,
                (day,),
                f"read as {day_label(day)}: the first {m['wd'].capitalize()} after "
                f"{on.isoformat()}",
                "weekday",
                weekday_written=weekday,
            ),
        )
    for m in _TOMORROW.finditer(low) if "tomorrow" in kinds else ():
        if free(m):
            day = on + dt.timedelta(days=1)
            add(
                m,
                mk(m, (day,), f"read as {day_label(day)}"),
            )
    for m in _THE_NTH.finditer(low) if "nth" in kinds else ():
        if not free(m):
            continue
        number = _numbers(m["day"])[0]
        month_start = on.replace(day=1)
        for step in range(3):
            month_first_day = (month_start + dt.timedelta(days=32 * step)).replace(day=1)
            try:
                day = month_first_day.replace(day=number)
            except ValueError:
                continue
            if day >= on:
                add(
                    m,
                    mk(
                        m,
                        (day,),
                        f"read as {day_label(day)}: the next {m['day']} to come",
                    ),
                )
                break
    for m in _END_OF.finditer(low) if "end" in kinds else ():
        if not free(m):
            continue
        if m["month"]:
            month = _month(m["month"])
            year = _year_for(month, 28, on)
        else:
            later = m["rel"].lower() == "next"
            month = on.month % 12 + 1 if later else on.month
            year = on.year + (1 if later and on.month == 12 else 0)
        last = (dt.date(year, month, 28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(
            days=1
        )
        add(
            m,
            mk(
                m,
                (last,),
                f"read as {day_label(last)}: the last day of the month",
                "deadline",
            ),
        )
    found.sort(key=lambda d: d.start)
    return [_as_due(low, d) for d in found]


def _as_due(text: str, mention: DateMention) -> DateMention:
    """The mention as a due date when the words before it make it one ("by 20 June")."""
    before = text[max(0, mention.start - 24) : mention.start]
    if mention.kind in ("date", "weekday") and _DUE.search(before):
        return dataclasses.replace(mention, kind="deadline")
    return mention
