"""Errors crossdeal raises on purpose.

Every error a user can cause is a subclass of :class:`CrossdealError`; its message is
written for the person at the keyboard (a salesperson, not a developer). The CLI and
the server turn these into a message and an exit code or status, in one place each.

    CrossdealError
    ├── CultureLookupError          a culture name or code did not resolve
    │   ├── UnknownCultureError     nothing matched (carries close matches)
    │   └── AmbiguousCultureError   several cultures matched (carries them)
    ├── DataFileError               a data file a user or the package supplied is wrong
    │   ├── CultureModelError       a culture model (CSV + YAML) is malformed
    │   ├── CalendarFileError       a calendar data file (countries, periods) is malformed
    │   └── RuleFileError           a playbook rule file is malformed
    └── InputError                  an argument is out of range or inconsistent

Input that loads but may make advice read wrong is a :class:`CrossdealWarning`
(Python's warnings): the CLI prints it as one line on stderr and carries on.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

__all__ = [
    "AmbiguousCultureError",
    "CalendarFileError",
    "CrossdealError",
    "CrossdealWarning",
    "CultureLookupError",
    "CultureModelError",
    "CultureModelWarning",
    "DataFileError",
    "InputError",
    "PracticeFileError",
    "RuleFileError",
    "UnknownCultureError",
]


class CrossdealError(Exception):
    """Base class of every error crossdeal raises on purpose."""


class CrossdealWarning(UserWarning):
    """Input crossdeal accepted but whose advice may read wrong: worth a look."""


class CultureModelWarning(CrossdealWarning):
    """A culture model loaded, with scores off the footing the rules are written for."""


class InputError(CrossdealError):
    """An argument is out of range or inconsistent with another one."""


class CultureLookupError(CrossdealError):
    """A culture name or code could not be turned into exactly one culture."""

    def __init__(self, message: str, query: str) -> None:
        super().__init__(message)
        self.query = query


class UnknownCultureError(CultureLookupError):
    """Nothing in the culture model matches what was typed."""

    def __init__(
        self,
        query: str,
        suggestions: Sequence[str] = (),
        model_name: str = "",
        known_country: str | None = None,
    ) -> None:
        where = f" in {model_name}" if model_name else ""
        if known_country:
            message = f"{known_country} has no scores{where}."
        else:
            message = f"No culture matches {query!r}{where}."
        if suggestions:
            message += " Did you mean: " + "; ".join(suggestions) + "?"
        else:
            message += " Run `crossdeal countries` to see every culture with data."
        super().__init__(message, query)
        self.suggestions = list(suggestions)
        self.known_country = known_country


class AmbiguousCultureError(CultureLookupError):
    """What was typed names more than one culture."""

    def __init__(self, query: str, candidates: Sequence[str]) -> None:
        message = (
            f"{query!r} could mean several cultures: "
            + "; ".join(candidates)
            + ". Type the full name instead."
        )
        super().__init__(message, query)
        self.candidates = list(candidates)


class DataFileError(CrossdealError):
    """A data file is malformed. Says which file, which line and what is wrong."""

    def __init__(
        self,
        reason: str,
        path: str | Path | None = None,
        line: int | None = None,
        item: str | None = None,
    ) -> None:
        self.reason = reason
        self.path = str(path) if path is not None else None
        self.line = line
        self.item = item
        where = self.path or "<data>"
        if line is not None:
            where += f", line {line}"
        if item:
            where += f" ({item})"
        super().__init__(f"{where}: {reason}")


class CultureModelError(DataFileError):
    """A culture model (scores CSV + description YAML) is malformed."""


class CalendarFileError(DataFileError):
    """A calendar data file (countries' practical facts, periods) is malformed."""


class PracticeFileError(DataFileError):
    """A practice data file (scales or culture positions) is malformed."""


class RuleFileError(DataFileError):
    """A playbook rule file is malformed; ``item`` is the rule id where known."""
