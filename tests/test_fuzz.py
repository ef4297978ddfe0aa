"""Hostile and unlucky input to the loaders, the importer and the people store.

Whatever the bytes, each ends in success or a ``CrossdealError`` (never another
exception), and a refused input changes no database and no file.
"""

from __future__ import annotations

import csv
import hashlib
import json
import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from crossdeal.culture.model import load_culture_model
from crossdeal.errors import CrossdealError
from crossdeal.people.store import PersonRecord, ProfileStore
from crossdeal.pipeline.db import Database
from crossdeal.pipeline.importer import import_csv
from crossdeal.pipeline.models import Account, Activity, Deal
from crossdeal.pipeline.reports import ImportReport
from crossdeal.pipeline.store import PipelineStore
from crossdeal.playbook.rules import load_rules

FUZZ = settings(
    max_examples=60,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Text a CRM export or a hand-edited file can hold: control characters, escapes,
# formula openers, quotes, separators, non-Latin scripts and numbers of every shape.
NASTY = st.sampled_from(
    [
        "",
        " ",
        "\x1b[2J",
        "\x00",
        '=HYPERLINK("x")',
        '"',
        ",",
        ";",
        "\n",
        "\r",
        "1e400",
        "-0",
        "nan",
        "inf",
        "123456789012345",
        "0.125",
        "99999999999999999999",
        "2024-02-30",
        "2026-13-01",
        "東京",
        "Müller",
        "{x}",
        "[",
        "- ",
        "&a *a",
        "!!python/object:os.system",
    ]
)
CELL = st.one_of(
    NASTY,
    st.text(max_size=12),
    st.integers(-(10**16), 10**16).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
)


# mostly a plausible score, so that most models load and the success path is exercised too
MOSTLY_SCORE = st.sampled_from([True, True, True, False]).flatmap(
    lambda plausible: st.integers(-200, 400).map(str) if plausible else CELL
)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _ends_well_or_refused(call) -> bool:  # type: ignore[no-untyped-def]
    """True when the call succeeded, False when it was refused with a CrossdealError."""
    try:
        call()
    except CrossdealError:
        return False
    return True


# --- the rule loader ------------------------------------------------------------------

RULE_VALUES = st.one_of(
    CELL,
    st.none(),
    st.booleans(),
    st.integers(),
    st.lists(CELL, max_size=3),
    st.dictionaries(st.sampled_from(["high", "otherwise", "watch", "x"]), CELL, max_size=2),
)
VALID_RULE = {
    "id": "ours/fuzzed",
    "theme": "make-them-see-you",
    "title": "A title for a fuzzed rule",
    "when": "buyer.pdi >= 50 and gap.pdi <= -25",
    "severity": "watch",
    "advice": ["Say something useful to the seller here."],
    "rationale": "A rationale that is long enough to pass the length check, for sure.",
}


@pytest.fixture(scope="module")
def fuzz_dir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as folder:
        yield Path(folder)


@FUZZ
@given(
    changes=st.dictionaries(
        st.sampled_from([*VALID_RULE, "premise", "questions", "sources", "disabled", "odd"]),
        RULE_VALUES,
        max_size=2,
    ),
    condition=st.sampled_from(
        [
            "",
            "buyer.deciding <= 25 and gap.deciding <= -25",
            "abs(gap.pdi) >= 30",
            "not buyer.idv > 50",
        ]
    )
    | st.lists(
        st.sampled_from(
            [
                "buyer.pdi",
                "gap.deciding",
                "seller.idv",
                ">=",
                "<",
                "and",
                "or",
                "not",
                "(",
                ")",
                "50",
                "-25",
                "1e400",
                "nan",
                "buyer.nosuch",
                "==",
                "'x'",
                "abs(",
                ",",
            ]
        ),
        max_size=12,
    ).map(" ".join),
)
def test_any_rule_file_loads_or_is_refused(
    fuzz_dir: Path, changes: dict[str, object], condition: str
) -> None:
    rule = {**VALID_RULE, "when": condition or VALID_RULE["when"], **changes}
    path = fuzz_dir / "ours.yaml"
    path.write_text(yaml.safe_dump({"rules": [rule]}, allow_unicode=True), encoding="utf-8")
    before = _digest(path)
    _ends_well_or_refused(lambda: load_rules([path]))
    assert _digest(path) == before


@FUZZ
@given(raw=st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_any_bytes_as_a_rule_file_load_or_are_refused(fuzz_dir: Path, raw: bytes) -> None:
    path = fuzz_dir / "raw.yaml"
    path.write_bytes(raw)
    _ends_well_or_refused(lambda: load_rules([path]))
    assert path.read_bytes() == raw


# --- the culture model loader ---------------------------------------------------------


@pytest.mark.filterwarnings("ignore::crossdeal.errors.CultureModelWarning")
@FUZZ
@given(
    header=st.sampled_from([["id", "pdi"], ["id", "pdi", "idv"], ["id", "name", "pdi"]])
    | st.lists(st.sampled_from(["id", "pdi", "idv", "name", "", "PDI", "id "]), max_size=4),
    rows=st.lists(
        st.tuples(
            st.sampled_from(["AA", "BB", "CC", "DD", "AA ", "", "東京", "\x1b[2J"]),
            MOSTLY_SCORE,
            MOSTLY_SCORE,
        ).map(list),
        max_size=5,
        unique_by=lambda row: row[0],
    ),
    delimiter=st.sampled_from([",", ";", "\t"]),
    spec_changes=st.sampled_from([True, True, False]).flatmap(
        lambda untouched: (
            st.just({})
            if untouched
            else st.dictionaries(
                st.sampled_from(["name", "id_column", "dimensions", "name_column", "scale", "odd"]),
                RULE_VALUES,
                max_size=2,
            )
        )
    ),
)
def test_any_culture_model_loads_or_is_refused(
    fuzz_dir: Path,
    header: list[str],
    rows: list[list[str]],
    delimiter: str,
    spec_changes: dict[str, object],
) -> None:
    scores = fuzz_dir / "model.csv"
    lines = [delimiter.join(header), *(delimiter.join(r) for r in rows)]
    scores.write_text("\n".join(lines) + "\n", encoding="utf-8")
    spec = {"name": "m", "id_column": "id", "dimensions": [{"key": "pdi"}], **spec_changes}
    if delimiter != ",":
        spec.setdefault("delimiter", delimiter)
    (fuzz_dir / "model.yaml").write_text(yaml.safe_dump(spec), encoding="utf-8")
    before = _digest(scores)
    if _ends_well_or_refused(lambda: load_culture_model(scores)):
        model = load_culture_model(scores)
        assert all(abs(value) <= 1_000_000 for c in model.cultures for value in c.scores.values())
    assert _digest(scores) == before


# --- the importer ---------------------------------------------------------------------

DEAL_HEADER = [
    "Record ID",
    "Deal Name",
    "Deal Stage",
    "Associated Company (Primary)",
    "Deal owner",
    "Amount",
    "Currency",
    "Create Date",
    "Close Date",
]


@pytest.fixture(scope="module")
def fuzz_store(fuzz_dir: Path) -> Iterator[PipelineStore]:
    database = Database(f"sqlite:///{fuzz_dir / 'pipeline.db'}")
    store = PipelineStore(database)
    seed = fuzz_dir / "seed.csv"
    seed.write_text(
        ",".join(DEAL_HEADER)
        + "\n1,Pumps for Osaka,appointmentscheduled,Kato Industries,Ana,50000,USD,"
        "2026-01-05,2027-03-01\n",
        encoding="utf-8",
    )
    import_csv(store, seed, crm="hubspot")
    yield store
    database.dispose()


def _counts(store: PipelineStore) -> tuple[int, ...]:
    with store.db.session() as s:
        return tuple(
            s.scalar(select(func.count()).select_from(table).where(table.team_id == store.team_id))
            or 0
            for table in (Account, Deal, Activity)
        )


def _mostly(plausible: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """A plausible value nine times in ten, else a nasty one: many rows import."""
    return st.integers(0, 9).flatmap(lambda roll: CELL if roll == 0 else plausible)


def _csv_cell(value: str) -> str:
    return '"' + value.replace('"', '""') + '"' if any(c in value for c in ',"\n\r') else value


@FUZZ
@given(
    rows=st.lists(
        st.fixed_dictionaries(
            {
                "Record ID": _mostly(st.integers(2, 50).map(str)),
                "Deal Name": _mostly(st.sampled_from(["Pumps", "Valves for Pune", "東京 order"])),
                "Deal Stage": _mostly(
                    st.sampled_from(["closedwon", "closedlost", "qualifiedtobuy"])
                ),
                "Associated Company (Primary)": _mostly(st.sampled_from(["Kato", "Tata"])),
                "Deal owner": _mostly(st.sampled_from(["Ana", "Raj"])),
                "Amount": _mostly(st.integers(0, 10**9).map(str)),
                "Currency": _mostly(st.sampled_from(["USD", "JPY", "usd"])),
                "Create Date": _mostly(st.dates(date(2020, 1, 1), date(2026, 6, 1)).map(str)),
                "Close Date": _mostly(st.dates(date(2024, 1, 1), date(2026, 11, 30)).map(str)),
            }
        ),
        min_size=1,
        max_size=4,
    ),
    drop=st.integers(0, 3).flatmap(
        lambda roll: (
            st.sets(st.sampled_from(DEAL_HEADER), min_size=1, max_size=2)
            if roll == 0
            else st.just(set())
        )
    ),
    skip_invalid=st.booleans(),
)
def test_any_export_imports_or_is_refused_without_a_trace(
    fuzz_dir: Path,
    fuzz_store: PipelineStore,
    rows: list[dict[str, str]],
    drop: set[str],
    skip_invalid: bool,
) -> None:
    header = [h for h in DEAL_HEADER if h not in drop]
    export = fuzz_dir / "export.csv"
    export.write_text(
        "\n".join([",".join(header), *(",".join(_csv_cell(r[h]) for h in header) for r in rows)])
        + "\n",
        encoding="utf-8",
    )
    rejected = fuzz_dir / "rejected.csv"
    rejected.unlink(missing_ok=True)
    before, source = _counts(fuzz_store), _digest(export)
    reports: list[ImportReport] = []

    def run() -> None:
        reports.append(
            import_csv(
                fuzz_store,
                export,
                crm="hubspot",
                skip_invalid=skip_invalid,
                rejected_path=rejected if skip_invalid else None,
            )
        )

    if not _ends_well_or_refused(run) or not reports[0].committed:
        assert _counts(fuzz_store) == before  # a refused import writes nothing
    assert _digest(export) == source
    assert not (fuzz_dir / "export.rejected.csv").exists()  # nothing asked for, nothing written
    if reports and skip_invalid:
        report = reports[0]
        assert rejected.exists() == (report.committed and report.rejected > 0)
        if rejected.exists():
            with rejected.open(newline="", encoding="utf-8") as fh:
                cells = [cell for row in csv.reader(fh) for cell in row]
            assert not any(c.startswith("=") for c in cells)  # formulas stay inert


# --- the people store -----------------------------------------------------------------

JSONISH = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), CELL),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(CELL, inner, max_size=3),
    max_leaves=12,
)


@FUZZ
@given(
    body=st.one_of(
        JSONISH.map(json.dumps),
        st.fixed_dictionaries(
            {"schema": st.sampled_from(["crossdeal.people/1", "x"]), "people": JSONISH}
        ).map(json.dumps),
        st.text(max_size=80),
        st.lists(
            st.fixed_dictionaries(
                {"name": CELL, "culture": CELL | st.sampled_from(["IND", "JPN"])}
            ),
            max_size=3,
        ).map(lambda people: json.dumps({"schema": "crossdeal.people/1", "people": people})),
    )
)
def test_any_people_file_reads_or_is_refused_and_is_never_overwritten(
    fuzz_dir: Path, body: str
) -> None:
    root = fuzz_dir / "home"
    root.mkdir(exist_ok=True)
    people = root / "people.json"
    people.write_text(body, encoding="utf-8")
    store = ProfileStore(root)
    readable = _ends_well_or_refused(store.people)
    saved = _ends_well_or_refused(
        lambda: store.save_person(PersonRecord(name="Kenji Sato", culture="JPN"))
    )
    if not readable:
        assert not saved
        assert people.read_text(encoding="utf-8") == body  # a file it cannot read is kept
    else:
        assert saved and any(p.name == "Kenji Sato" for p in store.people())
