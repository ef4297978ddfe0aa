"""The practice data: complete, cited, covering the markets sellers work in, and correctable."""

from __future__ import annotations

from pathlib import Path

import pycountry
import pytest

import crossdeal
from crossdeal.culture.layers import briefing_model, practice_profile
from crossdeal.culture.practice import default_practices, load_practices
from crossdeal.errors import PracticeFileError

ATLAS = default_practices()

# Cultures with Hofstede scores among the world's 60 largest economies (nominal GDP,
# IMF 2024), and the markets the knowledge must cover besides (ISO 3166 alpha-3).
LARGE_ECONOMIES_WITH_SCORES = """
USA CHN DEU JPN IND GBR FRA ITA BRA CAN RUS MEX AUS KOR ESP IDN NLD TUR CHE POL TWN BEL
SWE IRL ARG AUT THA ISR NOR SGP PHL VNM BGD MYS DNK IRN COL HKG ROU PAK CHL CZE FIN PRT
PER NZL GRC HUN
""".split()
ALSO_REQUIRED = "SAU ARE QAT KWT BHR OMN NGA KEN EGY ZAF VNM PHL".split()


def test_coverage_of_the_markets_sellers_work_in() -> None:
    missing = [
        c for c in (*LARGE_ECONOMIES_WITH_SCORES, *ALSO_REQUIRED) if c not in ATLAS.countries
    ]
    assert missing == []
    # the regions and sub-national samples stay addressable
    assert {"ARA", "AFW", "AFE", "CAF", "SWG", "SWF", "BEF", "BEN"} <= set(ATLAS.samples)


def test_every_shipped_position_is_cited_and_coded_on_every_scale() -> None:
    iso3 = {c.alpha_3 for c in pycountry.countries}
    for key, profile in [*ATLAS.countries.items(), *ATLAS.samples.items()]:
        if key in ATLAS.countries:
            assert key in iso3, key
        assert set(profile.positions) == set(ATLAS.keys), key
        assert profile.about, key
        for scale, position in profile.positions.items():
            assert len(position.sources) >= 2, (key, scale)  # several sources per entry
            assert all(s.split()[0] in ATLAS.bibliography for s in position.sources)
            assert (position.level is None) == position.holistic, (key, scale)
    cited = {
        s.split()[0]
        for p in ATLAS.countries.values()
        for q in p.positions.values()
        for s in q.sources
    }
    assert len(cited) >= 30  # not one book's view


def test_regional_rows_are_never_more_confident_than_medium() -> None:
    for key in ("ARA", "AFW", "AFE"):
        assert {p.confidence for p in ATLAS.samples[key].positions.values()} <= {"medium", "low"}


def test_a_sub_national_sample_reads_its_own_entry_and_a_country_without_one_its_region() -> None:
    model = briefing_model()
    quebec, source = practice_profile(model.resolve("Quebec"), model)
    assert quebec is not None and quebec.key == "CAF" and source is None
    lebanon = model.resolve("Lebanon")
    profile, source = practice_profile(lebanon, model)
    assert (
        profile is not None and profile.key == "ARA" and source == "Arab countries (region) (ARA)"
    )
    assert lebanon.borrowed["feedback"] == "Arab countries (region) (ARA)"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "ours.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_company_corrects_one_scale_of_a_shipped_entry(tmp_path: Path) -> None:
    ours = _write(
        tmp_path,
        "countries:\n"
        "  DEU:\n"
        "    formality: {level: 3, confidence: medium, sources: [ours2026],\n"
        "                note: 'Our software buyers switch to Du after the first workshop.'}\n"
        "sources:\n"
        "  ours2026: Our account team's notes on 40 German customers (2026).\n",
    )
    shipped = crossdeal.brief("US", "DE")
    corrected = crossdeal.brief("US", "DE", practices=ours)
    level = {r.rule_id: r.severity for r in shipped.risks}["hierarchy-and-titles/formal-protocol"]
    assert level == "high"
    # at level 3 titles are kept only at first: no formal-protocol card any more
    assert "hierarchy-and-titles/formal-protocol" not in {r.rule_id for r in corrected.risks}
    formality = next(p for p in corrected.practices if p.key == "formality")
    assert formality.buyer_level == 3 and "ours2026" in formality.sources
    # the other scales of the entry are untouched
    deciding = next(p for p in corrected.practices if p.key == "deciding")
    assert deciding.buyer_level == 2


def test_a_company_adds_a_market_crossdeal_does_not_cover(tmp_path: Path) -> None:
    scales = "\n".join(
        f"    {key}: {{level: 3, confidence: low, sources: [ours2026]}}" for key in ATLAS.keys
    )
    ours = _write(
        tmp_path,
        f"countries:\n  KAZ:\n    name: Kazakhstan\n{scales}\n"
        "sources:\n  ours2026: Our Almaty office (2026).\n",
    )
    with pytest.raises(crossdeal.UnknownCultureError):
        crossdeal.brief("US", "Kazakhstan")
    briefing = crossdeal.brief("US", "Kazakhstan", practices=ours)
    assert briefing.buyer.name == "Kazakhstan"
    assert briefing.confidence != "high"


DEU = "countries:\n  DEU:\n    "
CITED = "confidence: low, sources: [meyer2014]"


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        (DEU + f"tone: {{level: 3, {CITED}}}\n", 3, "unknown scale 'tone'"),
        (DEU + f"context: {{level: 7, {CITED}}}\n", 3, "less than or equal to 5"),
        (DEU + "context: {level: 2, confidence: sure, sources: [meyer2014]}\n", 3, "confidence"),
        (DEU + "context: {level: 2, confidence: low, sources: [mybook]}\n", 3, "source 'mybook'"),
        (DEU + f"context: {{holistic: true, {CITED}}}\n", 3, "only the persuading scale"),
        (DEU + f"context: {{{CITED}}}\n", 3, "give a level"),
        ("countries:\n  GER:\n    name: Germany\n", 2, "not an ISO 3166 alpha-3"),
        (f"countries:\n  KAZ:\n    context: {{level: 2, {CITED}}}\n", 2, "'name' is required"),
    ],
)
def test_a_broken_practice_file_names_file_line_and_reason(
    tmp_path: Path, text: str, line: int, reason: str
) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(PracticeFileError) as caught:
        load_practices([path])
    message = str(caught.value)
    assert message.startswith(f"{path}, line {line}"), message
    assert reason in message, message


def test_a_missing_practice_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(PracticeFileError, match="no such practice file"):
        crossdeal.brief("US", "DE", practices=tmp_path / "nope.yaml")


def test_the_cli_takes_a_practice_file_and_no_fallback(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from crossdeal.cli import app

    runner = CliRunner()
    ours = _write(
        tmp_path,
        "countries:\n  DEU:\n    context: {level: 9, confidence: low, sources: [meyer2014]}\n",
    )
    bad = runner.invoke(app, ["brief", "-s", "US", "-b", "DE", "--practices", str(ours)])
    assert bad.exit_code == 2 and "line 3" in bad.output and "Traceback" not in bad.output
    short = runner.invoke(app, ["brief", "-s", "US", "-b", "SA", "--short"], env={"COLUMNS": "100"})
    assert short.exit_code == 0
    assert "What matters most for this call" in short.output
    assert "Using Arab countries (region)" in " ".join(short.output.split())
    assert "╭" not in short.output  # only the first screen, no cards
    alone = runner.invoke(app, ["brief", "-s", "US", "-b", "SA", "--no-fallback"])
    assert alone.exit_code == 0 and "Not enough data" in alone.output
