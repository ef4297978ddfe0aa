"""How a CSV export maps onto crossdeal's accounts, contacts and deals.

A mapping is data: the shipped profiles for HubSpot, Salesforce and Pipedrive exports
(``pipeline/data/crm/*.yaml``, detected from the header row) or a user's own file with
the same shape (``--mapping``). See docs/pipeline.md for every key.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from crossdeal._validation import validate_yaml
from crossdeal._yaml import load_yaml
from crossdeal.errors import DataFileError, InputError

__all__ = ["TARGETS", "FieldRule", "Mapping", "detect", "load_mapping", "profiles"]

Entity = Literal["deals", "accounts", "contacts", "committee"]

TARGETS: dict[str, tuple[str, ...]] = {
    "accounts": ("name", "country", "industry"),
    # account_id: the account by the CRM's record id (a Data Export names no accounts)
    "contacts": (
        "name",
        "first_name",
        "last_name",
        "account",
        "account_id",
        "country",
        "role",
        "title",
        "email",
    ),
    "deals": (
        "name",
        "account",
        "account_id",
        "owner",
        "owner_culture",
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
        "account_country",
        # the deal's associated contacts: their CRM record ids, or their names on the
        # deal's account, several separated by ";" (they join the deal's committee)
        "contact_ids",
        "contact_names",
    ),
    # who sits on which deal's buying committee: a CRM's deal and contact ids (the ids
    # the deals and contacts files were imported with) and the contact's role
    "committee": ("deal", "contact", "role"),
}
REQUIRED: dict[str, tuple[str, ...]] = {
    "accounts": ("name",),
    "contacts": ("account",),
    "deals": ("account",),
    "committee": ("deal", "contact"),
}


class _FieldSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)
    column: str | list[str] | None = None
    value: str | None = None
    template: str | None = None
    map: dict[str, str] = Field(default_factory=dict)
    default: str | None = None
    required: bool = False
    known: dict[str, str | list[str]] | None = Field(
        default=None,
        description="allowed values: {values: [...]} or {file: products.csv, column: product}",
    )

    @model_validator(mode="after")
    def _one_source(self) -> _FieldSpec:
        if sum(x is not None for x in (self.column, self.value, self.template)) != 1:
            raise ValueError("give exactly one of column, value or template")
        if self.template is not None:
            _check_template(self.template)
        return self


class _OutcomeSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)
    column: str | None = Field(default=None, alias="from")
    won: list[str] = Field(default_factory=list)
    lost: list[str] = Field(default_factory=list)
    open: list[str] = Field(default_factory=list)
    otherwise: Literal["open", "won", "lost", "error"] = "open"


class _MappingSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)
    name: str
    source: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    entity: Entity
    detect: list[str] = Field(default_factory=list)
    detect_unless: list[str] = Field(
        default_factory=list,
        description="not this profile when the header has any of these columns",
    )
    id: str | None = Field(default=None, description="column with the CRM's record id")
    fields: dict[str, _FieldSpec]
    outcome: _OutcomeSpec | None = None
    dates: list[str] = Field(default_factory=lambda: ["%Y-%m-%d"])
    delimiter: str | None = Field(default=None, min_length=1, max_length=1)
    unquote_formulas: bool = Field(
        default=False,
        description="drop the apostrophe an export put before =, +, - or @ to keep "
        "spreadsheets from running the cell (crossdeal's own export does)",
    )


@dataclass(frozen=True)
class FieldRule:
    target: str
    columns: tuple[str, ...]
    value: str | None
    template: str | None
    map: dict[str, str]
    default: str | None
    required: bool
    known: frozenset[str] | None
    known_file: str | None


@dataclass(frozen=True)
class Mapping:
    name: str
    source: str
    entity: Entity
    detect: tuple[str, ...]
    id_column: str | None
    fields: dict[str, FieldRule]
    outcome_column: str | None
    outcome_values: dict[str, str]  # lower-cased stage -> outcome
    outcome_otherwise: str
    dates: tuple[str, ...]
    delimiter: str | None
    file: str
    columns_needed: tuple[str, ...] = field(default=())
    detect_unless: tuple[str, ...] = field(default=())
    unquote_formulas: bool = False

    def missing_columns(self, header: Sequence[str]) -> list[str]:
        present = set(header)
        missing = []
        if self.id_column and self.id_column not in present:
            missing.append(self.id_column)
        for rule in self.fields.values():
            if rule.columns and not any(c in present for c in rule.columns) and rule.required:
                missing.append(" or ".join(rule.columns))
        return missing


def _build(spec: _MappingSpec, path: Path) -> Mapping:
    unknown = sorted(set(spec.fields) - set(TARGETS[spec.entity]))
    if unknown:
        raise DataFileError(
            f"unknown field(s) for {spec.entity}: {', '.join(unknown)} "
            f"(known: {', '.join(TARGETS[spec.entity])})",
            path,
        )
    need = REQUIRED[spec.entity]
    if spec.entity == "contacts":
        if "name" not in spec.fields and not {"first_name", "last_name"} <= set(spec.fields):
            raise DataFileError(
                "a contacts mapping needs 'name' or 'first_name' and 'last_name'", path
            )
    elif spec.entity == "deals" and spec.id is None:
        raise DataFileError("a deals mapping needs 'id': the column with the CRM's record id", path)
    # an account is named, or given by its record id in the CRM
    given = set(spec.fields) | ({"account"} if "account_id" in spec.fields else set())
    missing = [n for n in need if n not in given]
    if missing:
        raise DataFileError(f"the mapping needs the field(s): {', '.join(missing)}", path)
    rules = {}
    for target, f in spec.fields.items():
        known = None
        known_label = None
        if f.known is not None:
            values, file, column = f.known.get("values"), f.known.get("file"), f.known.get("column")
            if isinstance(values, list):
                known = frozenset(str(v) for v in values)
                known_label = f"the mapping's known {target} values"
            elif isinstance(file, str) and isinstance(column, str):
                known = frozenset(_column_values(path.parent / file, column))
                known_label = file
            else:
                raise DataFileError(f"'{target}.known' needs values, or file and column", path)
        columns: tuple[str, ...] = ()
        if isinstance(f.column, str):
            columns = (f.column,)
        elif isinstance(f.column, list):
            columns = tuple(f.column)
        rules[target] = FieldRule(
            target=target,
            columns=columns,
            value=f.value,
            template=f.template,
            map={k.strip(): v for k, v in f.map.items()},
            default=f.default,
            required=f.required or target in need,
            known=known,
            known_file=known_label,
        )
    outcome_values: dict[str, str] = {}
    if spec.outcome is not None:
        for outcome in ("won", "lost", "open"):
            for value in getattr(spec.outcome, outcome):
                outcome_values[value.strip().lower()] = outcome
    return Mapping(
        name=spec.name,
        source=spec.source,
        entity=spec.entity,
        detect=tuple(spec.detect),
        id_column=spec.id,
        fields=rules,
        outcome_column=spec.outcome.column if spec.outcome else None,
        outcome_values=outcome_values,
        outcome_otherwise=spec.outcome.otherwise if spec.outcome else "open",
        dates=tuple(spec.dates),
        delimiter=spec.delimiter,
        file=str(path),
        detect_unless=tuple(spec.detect_unless),
        unquote_formulas=spec.unquote_formulas,
    )


def _column_values(path: Path, column: str) -> list[str]:
    import csv

    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            if reader.fieldnames is None or column not in reader.fieldnames:
                raise DataFileError(f"no column {column!r}", path)
            return [row[column].strip() for row in reader if row.get(column)]
    except FileNotFoundError:
        raise DataFileError("file not found (named by a 'known' check)", path) from None


def load_mapping(path: str | Path) -> Mapping:
    """A user's mapping file, checked; errors name file, line and reason."""
    path = Path(path)
    data = load_yaml(path, error=DataFileError)
    spec = validate_yaml(_MappingSpec, data, path, DataFileError)
    return _build(spec, path)


@functools.cache
def profiles() -> tuple[Mapping, ...]:
    """The shipped CRM export profiles."""
    folder = Path(str(resources.files("crossdeal.pipeline").joinpath("data"))) / "crm"
    return tuple(load_mapping(p) for p in sorted(folder.glob("*.yaml")))


def detect(header: Sequence[str], crm: str | None = None) -> Mapping:
    """The shipped profile whose detection columns are all in the header."""
    present = set(header)
    candidates = [p for p in profiles() if crm is None or p.source == crm]
    if crm is not None and not candidates:
        known = sorted({p.source for p in profiles()})
        raise InputError(
            f"--from {crm!r} is not a CRM crossdeal knows ({', '.join(known)}); use --mapping"
        )
    matches = [
        p
        for p in candidates
        if p.detect
        and all(c in present for c in p.detect)
        and not any(c in present for c in p.detect_unless)
    ]
    if not matches:
        where = f" a {crm} export" if crm else " any CRM export crossdeal knows"
        raise InputError(
            f"the header row does not look like{where} ({', '.join(list(header)[:8])}...); "
            "write a mapping file for it (docs/pipeline.md) and pass --mapping"
        )
    matches.sort(key=lambda p: -len(p.detect))
    return matches[0]


# a template may join columns and text, nothing more: no widths, formats, attributes
TEMPLATE_LIMIT = 500


def _check_template(template: str) -> None:
    import string

    if len(template) > TEMPLATE_LIMIT:
        raise ValueError(f"a template is at most {TEMPLATE_LIMIT} characters")
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise ValueError(f"the template does not parse ({exc})") from None
    for _, name, spec, conversion in parts:
        if name is None:
            continue
        if not name or any(c in name for c in ".[]") or spec or conversion:
            raise ValueError(
                f"template fields are plain column names such as {{Deal Name}}; "
                f"{{{name}{'!' + conversion if conversion else ''}{':' + spec if spec else ''}}} "
                "is not"
            )
