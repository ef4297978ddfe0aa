"""Turn pydantic validation errors on YAML data into errors that name file and line."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from crossdeal._yaml import LineDict, LineList
from crossdeal.errors import DataFileError

M = TypeVar("M", bound=BaseModel)


def line_for(data: Any, loc: tuple[int | str, ...]) -> int | None:
    """The line of the deepest element of ``loc`` that the YAML data knows."""
    line: int | None = getattr(data, "line", None)
    node = data
    for part in loc:
        in_mapping = isinstance(node, LineDict) and isinstance(part, str) and part in node
        in_sequence = isinstance(node, LineList) and isinstance(part, int) and 0 <= part < len(node)
        if in_mapping or in_sequence:
            line = node.line_of(part)
            node = node[part]
        else:
            break
    return line


def describe(exc: ValidationError) -> tuple[tuple[int | str, ...], str]:
    """The first error's location and a one-line reason a person can act on."""
    first = exc.errors(include_url=False)[0]
    loc = tuple(first["loc"])
    # pydantic adds union branches ("literal['a','b']", "function-after[...]") to the
    # location; a person wants only the field names they wrote.
    field = ".".join(
        str(p) for p in loc if "[" not in str(p) and not str(p).startswith("function-")
    )
    message = str(first["msg"])
    if first["type"] == "missing":
        reason = f"'{field}' is required"
    elif first["type"] == "extra_forbidden":
        reason = f"unknown field '{field}'"
    elif field:
        reason = f"'{field}': {message}"
    else:
        reason = message
    return loc, reason.removeprefix("Value error, ")


def validate_yaml(
    model: type[M],
    data: Any,
    path: Path | str | None,
    error: type[DataFileError],
    item: str | None = None,
) -> M:
    """Validate YAML data against ``model``; on failure raise ``error`` with the line."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        loc, reason = describe(exc)
        raise error(reason.replace("Value error, ", ""), path, line_for(data, loc), item) from None
