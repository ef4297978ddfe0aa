"""The calendar's knowledge and library answers, kept between runs in the crossdeal home.

Validating the calendar data, importing the holidays package and loading CLDR's locale
data cost a command-line call more than the briefing itself. As for the culture model
(see ``_model_cache``), the validated knowledge is kept as a pickle keyed by the data
files and the code, and the holidays and CLDR answers a run computed are kept in a
second pickle keyed by the versions of the libraries that gave them. A problem with
either file falls back to computing; the cache is never needed for a correct answer.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import os
import pickle
from pathlib import Path

from crossdeal._model_cache import read, store
from crossdeal.calendar import days
from crossdeal.calendar.knowledge import CalendarKnowledge, load_knowledge, shipped_files

__all__ = ["cached_knowledge", "keep_library_facts"]

# per $CROSSDEAL_HOME: the knowledge built for it in this process (the user's files are
# read once per process)
_by_home: dict[str, CalendarKnowledge] = {}
_facts_path: list[Path] = []


def _folder() -> Path:
    from crossdeal.people.store import home

    return home() / "cache"


def _knowledge_key() -> str:
    from crossdeal.calendar import knowledge

    digest = hashlib.sha256(str(pickle.HIGHEST_PROTOCOL).encode())
    for path in (Path(knowledge.__file__ or ""), *shipped_files()):
        stat = path.stat()
        digest.update(f"{path.name}:{stat.st_size}:{stat.st_mtime_ns};".encode())
    return digest.hexdigest()[:20]


def _facts_key() -> str:
    """The installed libraries that gave the answers, by the size and time of their
    files (an upgrade changes them; reading package metadata would cost more)."""
    marks = []
    for package in ("holidays", "babel", "hijridate"):
        spec = importlib.util.find_spec(package)
        if spec is not None and spec.origin:
            origin = Path(spec.origin)
            for path in (origin, origin.parent / "version.py"):
                with contextlib.suppress(OSError):
                    stat = path.stat()
                    marks.append(f"{package}/{path.name}:{stat.st_size}:{stat.st_mtime_ns}")
    stat = Path(days.__file__ or "").stat()
    marks.append(f"days:{stat.st_size}:{stat.st_mtime_ns}")
    return hashlib.sha256(";".join(marks).encode()).hexdigest()[:20]


def user_files() -> list[Path]:
    """The user's own calendar files (``<crossdeal home>/calendar/*.yaml``): countries or
    periods that add to or correct the shipped ones, everywhere crossdeal reads them."""
    from crossdeal.people.store import home

    folder = home() / "calendar"
    return sorted(folder.glob("*.yaml")) if folder.is_dir() else []


def cached_knowledge() -> CalendarKnowledge:
    """The calendar knowledge with the user's own files (validated once, then kept), and
    the library answers of earlier runs loaded into the calendar's tables."""
    # once per home and process: a draft check in a loop must not look for files each
    # time (the home is $CROSSDEAL_HOME, else the same user folder for the whole process)
    marker = os.environ.get("CROSSDEAL_HOME", "")
    known = _by_home.get(marker)
    if known is not None:
        return known
    folder = _folder()
    extra = user_files()
    if extra:
        knowledge = load_knowledge(extra)  # never pickled: the user edits them
    else:
        path = folder / f"calendar-knowledge-{_knowledge_key()}.pickle"
        found = read(path)
        if isinstance(found, CalendarKnowledge):
            knowledge = found
        else:
            knowledge = load_knowledge()
            store(knowledge, folder, path, "calendar-knowledge-")
    _by_home[marker] = knowledge
    if not _facts_path:
        facts_path = folder / f"calendar-facts-{_facts_key()}.pickle"
        _facts_path.append(facts_path)
        kept = read(facts_path)
        if isinstance(kept, days.LibraryFacts) and not days.FACTS.added:
            days.FACTS.holidays.update(kept.holidays)
            days.FACTS.weekends.update(kept.weekends)
            days.FACTS.month_first.update(kept.month_first)
            days.FACTS.gaps.update(kept.gaps)
            days.FACTS.workdays.update(kept.workdays)
            days.FACTS.subdivisions.update(kept.subdivisions)
            if kept.supported is not None and days.FACTS.supported is None:
                days.FACTS.supported = kept.supported
    return knowledge


def keep_library_facts() -> None:
    """Save what the libraries answered in this run, if anything new, for the next."""
    if not days.FACTS.added or not _facts_path:
        return
    # cap the file: a long-running server that has seen every country keeps the newest
    facts = days.FACTS
    if len(facts.holidays) > 2_000:
        for key in list(facts.holidays)[: len(facts.holidays) - 2_000]:
            del facts.holidays[key]
    path = _facts_path[0]
    kept = days.LibraryFacts(
        facts.holidays,
        facts.weekends,
        facts.month_first,
        supported=facts.supported,
        gaps=facts.gaps,
        workdays=facts.workdays,
        subdivisions=facts.subdivisions,
    )
    store(kept, path.parent, path, "calendar-facts-")
    facts.added = False
