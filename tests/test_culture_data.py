"""The shipped Hofstede data: complete, faithful to the source, and never filled in."""

from __future__ import annotations

import csv
from pathlib import Path

import pycountry
import pytest

from crossdeal.culture import CultureModel
from crossdeal.culture.model import data_dir

SOURCE_ROWS = 110


def test_every_source_row_is_loaded_with_its_exact_scores(model: CultureModel) -> None:
    path = data_dir() / "hofstede_6d_2015-08-16.csv"
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter=";"))
    assert len(rows) == SOURCE_ROWS == len(model.cultures)
    columns = {
        "pdi": "pdi",
        "idv": "idv",
        "mas": "mas",
        "uai": "uai",
        "lto": "ltowvs",
        "ivr": "ivr",
    }
    for row in rows:
        culture = model.get(row["ctr"])
        assert culture is not None, row["ctr"]
        assert culture.source_name == row["country"]
        for key, column in columns.items():
            raw = row[column]
            expected = None if raw == "#NULL!" else float(raw)
            assert culture.scores[key] == expected, (row["ctr"], key)


@pytest.mark.parametrize(
    ("code", "missing"),
    [
        ("ALB", ("pdi", "idv", "mas", "uai")),
        ("AND", ("pdi", "idv", "mas", "uai", "lto")),
        ("ISR", ("ivr",)),
        ("BEF", ("lto", "ivr")),
        ("SAU", ("pdi", "idv", "mas", "uai")),
    ],
)
def test_no_score_stays_missing_never_zero(
    model: CultureModel, code: str, missing: tuple[str, ...]
) -> None:
    culture = model.get(code)
    assert culture is not None
    assert culture.missing == missing
    assert all(culture.scores[k] is None for k in missing)


def test_scores_above_100_are_kept(model: CultureModel) -> None:
    assert model.get("SLK").scores["mas"] == 110  # type: ignore[union-attr]
    assert model.get("GRE").scores["uai"] == 112  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("USA", "country"),
        ("ARA", "region"),
        ("AFW", "region"),
        ("BEF", "subnational"),
        ("SWG", "subnational"),
        ("CAF", "subnational"),
        ("GEE", "subnational"),
    ],
)
def test_rows_keep_their_kind(model: CultureModel, code: str, kind: str) -> None:
    assert model.get(code).kind == kind  # type: ignore[union-attr]


def test_iso_codes_are_real_and_agree_with_each_other(model: CultureModel) -> None:
    for culture in model.cultures:
        if culture.kind == "region":
            assert culture.iso2 is None and culture.iso3 is None
            continue
        country = pycountry.countries.get(alpha_2=culture.iso2)
        assert country is not None, culture.code
        assert country.alpha_3 == culture.iso3, culture.code


def test_each_iso_country_has_exactly_one_country_row(model: CultureModel) -> None:
    iso3 = [c.iso3 for c in model.cultures if c.kind == "country"]
    assert len(iso3) == len(set(iso3))


def test_region_coverage_uses_real_iso_codes(model: CultureModel) -> None:
    for culture in model.cultures:
        for code in culture.covers:
            assert pycountry.countries.get(alpha_2=code) is not None, (culture.code, code)


def test_variances_use_country_rows_only(model: CultureModel) -> None:
    countries_with_pdi = [
        c for c in model.cultures if c.kind == "country" and c.scores["pdi"] is not None
    ]
    assert model.variance_counts["pdi"] == len(countries_with_pdi) == 69
    assert model.variance_counts["lto"] == 91
    assert model.variances["pdi"] == pytest.approx(477.909, abs=1e-3)


def test_dimension_metadata_is_complete(model: CultureModel) -> None:
    assert model.keys == ("pdi", "idv", "mas", "uai", "lto", "ivr")
    for dim in model.dimensions:
        assert dim.name and dim.low_pole and dim.high_pole and dim.meaning
        # a dimension offered as common ground says something at every level
        assert set(dim.common_ground) == (
            {"low", "medium", "high"} if dim.common_ground_shown else set()
        )
        assert dim.low_below < dim.high_from


def test_package_carries_its_attribution() -> None:
    sources = (data_dir() / "SOURCES.md").read_text(encoding="utf-8")
    assert "Hofstede" in sources and "Minkov" in sources and "2015-08-16" in sources


def test_shipped_data_is_inside_the_package() -> None:
    assert Path(data_dir()).name == "data"
    assert (data_dir() / "hofstede_6d.yaml").is_file()
