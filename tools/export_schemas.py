"""Write the JSON Schemas of crossdeal's outputs to schemas/.

tests/test_schemas.py fails when a checked-in schema differs from what the models produce.
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
