"""Write the JSON Schemas of crossdeal's outputs, and the server's OpenAPI document, to
schemas/.

tests/test_schemas.py fails when a checked-in schema differs from what the models
produce, and tests/test_server.py when openapi.json differs from the app.
"""

from pathlib import Path

from crossdeal._schemas import OUTPUTS, schema_text

ROOT = Path(__file__).resolve().parents[1] / "schemas"

if __name__ == "__main__":
    ROOT.mkdir(exist_ok=True)
    for name in OUTPUTS:
        path = ROOT / f"{name}.schema.json"
        path.write_text(schema_text(name), encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT.parent)}")
    from crossdeal.server.app import openapi_text

    (ROOT / "openapi.json").write_text(openapi_text(), encoding="utf-8")
    print("wrote schemas/openapi.json")
