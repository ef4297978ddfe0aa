"""Local storage of people and of the seller's own profile: JSON files, saved atomically.

Location: ``$CROSSDEAL_HOME`` if set, else the user data folder
(``~/.local/share/crossdeal`` on Linux, the platform's equivalent elsewhere):

    people.json   {"schema": "crossdeal.people/1", "people": [PersonRecord, ...]}
    me.json       {"schema": "crossdeal.me/1", ...SelfProfile}

Every save writes a temporary file beside the target and renames it over the target,
so a crash leaves either the old file or the new one, never half of one. A file that
does not parse, or does not match its schema, is an error naming the file: it is never
silently reset.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from crossdeal._validation import describe
from crossdeal.errors import DataFileError, InputError

__all__ = ["PersonRecord", "ProfileStore", "SelfProfile", "StoreError", "home"]


class StoreError(DataFileError):
    """A stored profile file is unreadable or malformed; it is left untouched."""


# a people or profile file larger than this is not one crossdeal wrote
MAX_FILE_BYTES = 50_000_000


def home() -> Path:
    """The folder crossdeal keeps its local files in."""
    override = os.environ.get("CROSSDEAL_HOME")
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("crossdeal", appauthor=False))


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


class PersonRecord(BaseModel):
    """A person the seller deals with: their culture and what has been observed."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    name: str = Field(min_length=1, max_length=200)
    culture: str = Field(description="culture code in the culture model, e.g. IND")
    observations: list[str] = Field(default_factory=list)
    company: str | None = None
    role: str | None = None
    notes: list[str] = Field(default_factory=list)
    created: str = Field(default_factory=_now)
    updated: str = Field(default_factory=_now)

    @field_validator("name")
    @classmethod
    def _clean_name(cls, name: str) -> str:
        name = " ".join(name.split())
        if not name:
            raise ValueError("a person needs a name")
        if name.lower() == "me":
            raise ValueError("'me' is reserved for your own profile")
        return name


class SelfProfile(BaseModel):
    """The seller: home culture, questionnaire answers and own observations."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    schema_: Literal["crossdeal.me/1"] = Field(default="crossdeal.me/1", alias="schema")
    name: str = "me"
    culture: str
    answers: dict[str, int] = Field(default_factory=dict)
    assessed: str = Field(default_factory=_now)


class _PeopleFile(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)
    schema_: Literal["crossdeal.people/1"] = Field(default="crossdeal.people/1", alias="schema")
    people: list[PersonRecord] = Field(default_factory=list)


class ProfileStore:
    """People and the self profile in one folder (see the module docstring)."""

    def __init__(self, root: Path | str | None = None) -> None:
        self.root = Path(root) if root is not None else home()

    @property
    def people_path(self) -> Path:
        return self.root / "people.json"

    @property
    def me_path(self) -> Path:
        return self.root / "me.json"

    # --- people --------------------------------------------------------------------
    def people(self) -> list[PersonRecord]:
        data = self._read(self.people_path)
        if data is None:
            return []
        try:
            return _PeopleFile.model_validate(data).people
        except ValidationError as exc:
            loc, reason = describe(exc)
            raise StoreError(
                f"{reason} (at {'.'.join(map(str, loc))}); fix or move the file - crossdeal will "
                "not overwrite it",
                self.people_path,
            ) from None

    def find(self, name: str) -> PersonRecord | None:
        wanted = " ".join(name.split()).casefold()
        return next((p for p in self.people() if p.name.casefold() == wanted), None)

    def save_person(self, record: PersonRecord) -> PersonRecord:
        """Add a person, or replace the one with the same name (case-insensitive)."""
        with self._locked():  # read, change and write as one step: no save is lost
            people = [p for p in self.people() if p.name.casefold() != record.name.casefold()]
            people.append(record.model_copy(update={"updated": _now()}))
            people.sort(key=lambda p: p.name.casefold())
            body = _PeopleFile(people=people).model_dump(by_alias=True)
            self._write(self.people_path, body)
        return people[[p.name for p in people].index(record.name)]

    def add_missing(self, records: list[PersonRecord]) -> list[str]:
        """Add, as they are (their dates too), the records whose name no saved person
        has; the names added. A saved person is never replaced (a restore)."""
        with self._locked():
            people = self.people()
            have = {p.name.casefold() for p in people}
            new = [r for r in records if r.name.casefold() not in have]
            if new:
                people = sorted([*people, *new], key=lambda p: p.name.casefold())
                self._write(self.people_path, _PeopleFile(people=people).model_dump(by_alias=True))
        return [r.name for r in new]

    def remove_person(self, name: str) -> PersonRecord:
        with self._locked():
            found = self.find(name)
            if found is None:
                raise InputError(f"no saved person called {name!r}")
            people = [p for p in self.people() if p is not found and p.name != found.name]
            self._write(self.people_path, _PeopleFile(people=people).model_dump(by_alias=True))
        return found

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """One writer of the people file at a time, across processes (POSIX)."""
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not POSIX: saves stay atomic, not serialised
            yield
            return
        # what is kept about people is for its owner's eyes: a new folder is theirs alone
        self.people_path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        with (self.people_path.parent / ".people.lock").open("a") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    # --- me ------------------------------------------------------------------------
    def me(self) -> SelfProfile | None:
        data = self._read(self.me_path)
        if data is None:
            return None
        try:
            return SelfProfile.model_validate(data)
        except ValidationError as exc:
            loc, reason = describe(exc)
            raise StoreError(
                f"{reason} (at {'.'.join(map(str, loc))}); fix or move the file - crossdeal will "
                "not overwrite it",
                self.me_path,
            ) from None

    def save_me(self, profile: SelfProfile) -> None:
        self._write(self.me_path, profile.model_dump(by_alias=True))

    # --- files ---------------------------------------------------------------------
    def _read(self, path: Path) -> Any:
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                raise StoreError(
                    f"is larger than {MAX_FILE_BYTES // 1_000_000} MB; a people file is far "
                    "smaller - move it away and crossdeal will start a new one",
                    path,
                )
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except UnicodeDecodeError:
            raise StoreError(
                "not UTF-8 text; fix or move the file - crossdeal will not overwrite it", path
            ) from None
        except OSError as exc:
            raise StoreError(f"cannot be read ({exc.strerror})", path) from None
        try:
            return json.loads(text)
        except RecursionError:
            raise StoreError(
                "is nested too deeply to be a people file; fix or move the file - crossdeal "
                "will not overwrite it",
                path,
            ) from None
        except json.JSONDecodeError as exc:
            raise StoreError(
                f"not valid JSON ({exc.msg}, column {exc.colno}); fix or move the file - crossdeal "
                "will not overwrite it",
                path,
                exc.lineno,
            ) from None

    def _write(self, path: Path, body: dict[str, Any]) -> None:
        # mkstemp creates the file readable by its owner only, and os.replace keeps that
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        payload = json.dumps(body, indent=2, ensure_ascii=False) + "\n"
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(payload)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
