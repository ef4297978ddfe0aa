"""The JSON Schemas in schemas/ are exactly what the models produce, and outputs validate."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

import crossdeal
from crossdeal._schemas import OUTPUTS, json_schema, schema_text

SCHEMAS = Path(__file__).resolve().parents[1] / "schemas"


@pytest.mark.parametrize("name", sorted(OUTPUTS))
def test_checked_in_schema_is_up_to_date(name: str) -> None:
    path = SCHEMAS / f"{name}.schema.json"
    assert path.read_text(encoding="utf-8") == schema_text(name), (
        f"{path.name} is stale: run python tools/export_schemas.py"
    )


@pytest.mark.parametrize(
    ("name", "result"),
    [
        ("briefing", lambda: crossdeal.brief("US", "IN")),
        ("briefing", lambda: crossdeal.brief("US", "Saudi Arabia")),
        ("comparison", lambda: crossdeal.compare("US", "Israel")),
        ("profile", lambda: crossdeal.profile("Albania")),
        ("cultures", lambda: crossdeal.countries()),
        (
            "lint",
            lambda: crossdeal.lint_message(
                "Hey, can you ship by Friday? Our standard package.", to="JP"
            ),
        ),
        (
            "reply",
            lambda: crossdeal.read_reply("Sure, no problem.", sender="IN", asked="Can you ship?"),
        ),
    ],
)
def test_outputs_validate_against_their_schema(name: str, result) -> None:  # type: ignore[no-untyped-def]
    document = json.loads(result().model_dump_json())
    jsonschema.validate(document, json_schema(name))
    assert document["schema_version"] == OUTPUTS[name].model_fields["schema_version"].default
