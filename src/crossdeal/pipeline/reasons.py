"""Why deals close: the list of reasons a deal can be closed won or lost with.

The list is data (``pipeline/data/close_reasons.yaml``); a team replaces it with a file of
the same shape named ``close_reasons.yaml`` in the crossdeal home folder.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from crossdeal._validation import validate_yaml
from crossdeal._yaml import LineDict, LineList, load_yaml
from crossdeal.errors import DataFileError, InputError

__all__ = ["CloseReason", "CloseReasons", "ReasonFileError"]

FILE_NAME = "close_reasons.yaml"


class ReasonFileError(DataFileError):
    """A close-reason list is malformed; ``item`` is the reason id where known."""


class CloseReason(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    id: str = Field(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=40)
    label: str = Field(min_length=2, max_length=80)
    outcomes: list[Literal["won", "lost"]] = Field(min_length=1)
    description: str = Field(min_length=10)


@dataclass(frozen=True)
class CloseReasons:
    """The reasons, in the order the file gives them, and the file they came from."""

    reasons: tuple[CloseReason, ...]
    path: str

    @classmethod
    def load(cls, path: Path) -> CloseReasons:
        data = load_yaml(path, error=ReasonFileError)
        if not isinstance(data, LineDict) or not isinstance(data.get("reasons"), LineList):
            raise ReasonFileError("expected a top-level 'reasons:' list", path)
        reasons: list[CloseReason] = []
        seen: set[str] = set()
        for index, raw in enumerate(data["reasons"]):
            line = data["reasons"].line_of(index)
            if not isinstance(raw, LineDict):
                raise ReasonFileError("each reason must be a mapping", path, line)
            reason = validate_yaml(CloseReason, raw, path, ReasonFileError, str(raw.get("id", "")))
            if reason.id in seen:
                raise ReasonFileError("this id is given twice", path, line, reason.id)
            seen.add(reason.id)
            reasons.append(reason)
        for outcome in ("won", "lost"):
            if not any(outcome in r.outcomes for r in reasons):
                raise ReasonFileError(f"no reason closes a deal as {outcome}", path)
        return cls(tuple(reasons), str(path))

    @classmethod
    def default(cls, home: Path | None = None) -> CloseReasons:
        """The team's own list from the crossdeal home folder if there is one, else the
        shipped list."""
        if home is None:
            from crossdeal.people.store import home as home_folder

            home = home_folder()
        own = home / FILE_NAME
        if own.exists():
            return cls.load(own)
        return cls.load(Path(str(resources.files("crossdeal.pipeline") / "data" / FILE_NAME)))

    def for_outcome(self, outcome: str) -> list[CloseReason]:
        return [r for r in self.reasons if outcome in r.outcomes]

    def resolve(self, text: str, outcome: str) -> CloseReason:
        """The reason that ``text`` names (its id or label, any case) for this outcome."""
        wanted = " ".join(text.split()).lower()
        choices = self.for_outcome(outcome)
        for reason in choices:
            if wanted in (reason.id, reason.label.lower()):
                return reason
        listed = ", ".join(r.id for r in choices)
        raise InputError(
            f"{text!r} is not a reason to close a deal as {outcome}; use one of: {listed}"
        )
