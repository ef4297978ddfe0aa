"""Export the pipeline as CSV or JSON. Spreadsheet formulas are neutralised in CSV."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Mapping
from typing import Any, TextIO

__all__ = ["neutralise", "write_csv", "write_json"]

# A cell starting with one of these is run as a formula by spreadsheet programs
# (CSV injection); prefixing an apostrophe makes it plain text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """The value, made safe to open in a spreadsheet."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        try:
            float(value)  # a negative number is data, not a formula
            return value
        except ValueError:
            return "'" + value
    return value


def write_csv(rows: Iterable[Mapping[str, Any]], out: TextIO) -> int:
    writer: csv.DictWriter[str] | None = None
    count = 0
    for row in rows:
        if writer is None:
            writer = csv.DictWriter(out, fieldnames=list(row), lineterminator="\n")
            writer.writeheader()
        writer.writerow({k: neutralise("" if v is None else v) for k, v in row.items()})
        count += 1
    return count


def write_json(rows: Iterable[Mapping[str, Any]], out: TextIO) -> int:
    items = list(rows)
    json.dump(
        {"schema_version": "crossdeal.export/1", "deals": items}, out, indent=2, ensure_ascii=False
    )
    out.write("\n")
    return len(items)
