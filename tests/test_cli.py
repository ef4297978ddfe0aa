"""The command line, driven the way a user drives it."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest
from typer.testing import CliRunner

from crossdeal.cli import app
from crossdeal.culture.model import DEFAULT_MODEL_FILE, data_dir, load_culture_model
from crossdeal.errors import CultureModelError, CultureModelWarning
from tests.conftest import WWMETRICS

runner = CliRunner()


def _flat(text: str) -> str:
    return " ".join(text.split())


def run(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args))


def test_brief_end_to_end_text() -> None:
    result = run("brief", "--seller", "US", "--buyer", "IN")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Pre-call briefing: United States (USA) → India (IND)" in out
    assert "HIGH · unqualified-yes" in out
    assert "Common ground" in out and "Sales cycle" in out and "Meetings and channel" in out
    assert "Rule unqualified-yes/deference" in out
    assert "not the person you will" in _flat(out)


def test_brief_json_is_the_library_result() -> None:
    import crossdeal

    result = run("brief", "--seller", "US", "--buyer", "IN", "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    # the command line adds the practical section (the next 60 days, hours, address)
    assert data == json.loads(crossdeal.brief("US", "IN", practical=True).model_dump_json())
    assert data["schema_version"] == "crossdeal.briefing/1"


def test_countries_lists_every_culture() -> None:
    result = run("countries", "--format", "json")
    data = json.loads(result.output)
    own = [c for c in data["cultures"] if c["available"] or c["missing"]]
    assert len(own) == 110  # every row of the Hofstede file
    albania = next(c for c in data["cultures"] if c["code"] == "ALB")
    assert albania["missing"] == ["pdi", "idv", "mas", "uai"]
    # countries without a row of their own, briefed through the region that covers them
    kenya = next(c for c in data["cultures"] if c["name"] == "Kenya")
    assert kenya["available"] == [] and set(kenya["borrowed"].values()) == {
        "East Africa (region) (AFE)"
    }
    assert kenya["practice"] is True
    text = run("countries", "--kind", "region").output
    assert "Arab countries" in text and "India" not in text


def test_profile_shows_scores_and_source() -> None:
    result = run("profile", "India")
    assert result.exit_code == 0
    assert "Power distance (pdi)" in result.output and "77" in result.output
    assert "Hofstede" in result.output
    missing = run("profile", "Albania")
    assert "No score on: pdi, idv, mas, uai" in missing.output


def test_compare_shows_gaps_distances_and_common_ground() -> None:
    result = run("compare", "US", "IN")
    assert result.exit_code == 0
    out = result.output
    assert "Kogut–Singh index: 1.80 over 6 dimension(s)" in out
    assert "+37" in out and "-43" in out
    assert "Common ground" in out


def test_compare_marks_the_scores_a_culture_borrows_from_its_region() -> None:
    """Saudi Arabia has its own scores on two dimensions only; the other four are the
    Arab countries' and must not read as Saudi Arabia's own."""
    out = " ".join(run("compare", "US", "SA").output.split())
    assert "80* high" in out and "* borrowed from Arab countries" in out
    as_json = json.loads(run("compare", "US", "SA", "--format", "json").output)
    by_key = {g["key"]: g for g in as_json["gaps"]}
    assert by_key["pdi"]["buyer_from"] and by_key["pdi"]["seller_from"] is None
    assert by_key["lto"]["buyer_from"] is None  # its own score
    assert "borrowed" not in run("compare", "US", "IN").output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("brief", "--seller", "US", "--buyer", "Atlantis"), "No culture matches 'Atlantis'"),
        (("brief", "--seller", "Indai", "--buyer", "US"), "Did you mean: India (IND)"),
        (("profile", "SLV"), "could mean several cultures"),
        (("compare", "US", "Kazakhstan"), "Kazakhstan has no scores"),
        (("brief", "--seller", "US", "--buyer", "IN", "--rules", "does/not/exist"), "no such file"),
        (
            ("brief", "--seller", "US", "--buyer", "IN", "--cycle-cap", "0.5"),
            "cap must be at least 1",
        ),
        (("rules", "--theme", "small-talk"), "unknown theme"),
    ],
)
def test_bad_input_is_a_clear_error_with_exit_code_2(args: tuple[str, ...], message: str) -> None:
    result = run(*args)
    assert result.exit_code == 2
    assert message in _flat(result.output)
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_broken_rule_file_names_file_line_and_rule(tmp_path: Path) -> None:
    bad = tmp_path / "ours.yaml"
    bad.write_text(
        "rules:\n  - id: ours/one\n    theme: make-them-see-you\n    title: A title here\n"
        "    when: buyer.pdi >>= 3\n    severity: info\n    advice: [Say something useful here.]\n"
        "    rationale: A rationale that is long enough to pass the length check for sure.\n",
        encoding="utf-8",
    )
    result = run("brief", "--seller", "US", "--buyer", "IN", "--rules", str(bad))
    assert result.exit_code == 2
    out = _flat(result.output)
    assert "ours.yaml, line 5 (ours/one)" in out and "does not parse" in out


def test_user_model_from_csv_and_yaml() -> None:
    result = run(
        "compare",
        "USA",
        "IND",
        "--model",
        str(WWMETRICS / "wwmetrics_Hofstede_input.csv"),
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["model"]["name"] == "wwmetrics Hofstede input"
    assert data["kogut_singh"]["value"] == pytest.approx(1.8337, abs=1e-4)


@pytest.mark.parametrize(
    ("csv_text", "yaml_text", "message"),
    [
        ("", "name: m\nid_column: id\ndimensions: [{key: pdi}]\n", "the file is empty"),
        ("id,pdi\n", "name: m\nid_column: id\ndimensions: [{key: pdi}]\n", "no culture rows"),
        (
            "id,pdi\nAA,high\n",
            "name: m\nid_column: id\ndimensions: [{key: pdi}]\n",
            "line 2 (AA): column 'pdi': 'high' is not a number",
        ),
        (
            "id,pdi\nAA,1e308\nBB,20\n",
            "name: m\nid_column: id\ndimensions: [{key: pdi}]\n",
            "line 2 (AA): column 'pdi': '1e308' is outside the range",
        ),
        (
            "id,pdi,idv\nAA,52,5,30\nBB,20,40\n",
            "name: m\nid_column: id\ndimensions: [{key: pdi}, {key: idv}]\n",
            "line 2: 4 field(s) where the header has 3: a decimal comma",
        ),
        (
            "id;pdi\nAA;3\n",
            "name: m\nid_column: id\ndimensions: [{key: pdi}]\n",
            "not in the header",
        ),
        (
            "id,pdi\nAA,3\nAA,4\n",
            "name: m\nid_column: id\ndimensions: [{key: pdi}]\n",
            "line 3: id 'AA' appears twice",
        ),
        ("id,pdi\nAA,3\n", "name: m\ndimensions: [{key: pdi}]\n", "'id_column' is required"),
        ("id,pdi\nAA,3\n", "name: m\nid_column: id\ndimensions: [{key: PDI}]\n", "line 3"),
        ("id,pdi\nAA,3\n", "name: m\nid_column: id\ndimensions: [\n", "invalid YAML"),
    ],
)
def test_bad_user_model_is_a_clear_error(
    tmp_path: Path, csv_text: str, yaml_text: str, message: str
) -> None:
    (tmp_path / "model.csv").write_text(csv_text, encoding="utf-8")
    (tmp_path / "model.yaml").write_text(yaml_text, encoding="utf-8")
    result = run("profile", "AA", "--model", str(tmp_path / "model.csv"))
    assert result.exit_code == 2
    assert message in _flat(result.output), result.output
    assert "Traceback" not in result.output


def test_scores_off_the_usual_footing_load_with_a_warning(tmp_path: Path) -> None:
    (tmp_path / "model.csv").write_text("id,pdi\nAA,-40\nBB,400\nCC,50\n", encoding="utf-8")
    (tmp_path / "model.yaml").write_text(
        "name: m\nid_column: id\ndimensions: [{key: pdi}]\n", encoding="utf-8"
    )
    with pytest.warns(CultureModelWarning, match=r"2 score\(s\) outside 0-120.*line 2 \(AA\): -40"):
        load_culture_model(tmp_path / "model.csv")
    result = run("compare", "AA", "CC", "--model", str(tmp_path / "model.csv"))
    assert result.exit_code == 0, result.output
    assert "Warning:" in result.output and "line 3 (BB): 400" in _flat(result.output)


def test_a_declared_range_silences_the_warning_and_is_enforced(tmp_path: Path) -> None:
    (tmp_path / "model.csv").write_text("id,pdi\nAA,-3\nBB,2.5\n", encoding="utf-8")
    spec = tmp_path / "model.yaml"
    spec.write_text(
        "name: m\nid_column: id\ndimensions: [{key: pdi, range: [-3, 3]}]\n", encoding="utf-8"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", CultureModelWarning)
        assert load_culture_model(spec).get("AA").score("pdi") == -3
    spec.write_text(
        "name: m\nid_column: id\ndimensions: [{key: pdi, range: [-2, 2]}]\n", encoding="utf-8"
    )
    with pytest.raises(
        CultureModelError, match=r"line 2 \(AA\).*outside the range the description"
    ):
        load_culture_model(spec)
    spec.write_text(
        "name: m\nid_column: id\ndimensions: [{key: pdi, range: [3, -3]}]\n", encoding="utf-8"
    )
    with pytest.raises(CultureModelError, match="the lower first"):
        load_culture_model(spec)


def test_common_ground_needs_practice_levels_in_order(tmp_path: Path) -> None:
    (tmp_path / "model.csv").write_text("id,pdi\nAA,3\n", encoding="utf-8")
    spec = tmp_path / "model.yaml"
    spec.write_text(
        "name: m\nid_column: id\n"
        "dimensions: [{key: pdi, common_ground_needs: {high: {scheduling: [4, 2]}}}]\n",
        encoding="utf-8",
    )
    with pytest.raises(CultureModelError, match=r"common_ground_needs\.high\.scheduling"):
        load_culture_model(spec)


def test_published_hofstede_tables_load_without_a_warning() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", CultureModelWarning)
        load_culture_model(WWMETRICS / "wwmetrics_Hofstede_input.csv")
        load_culture_model(data_dir() / DEFAULT_MODEL_FILE)


def test_model_csv_without_description_says_what_is_needed(tmp_path: Path) -> None:
    (tmp_path / "scores.csv").write_text("id,pdi\nAA,3\n", encoding="utf-8")
    result = run("countries", "--model", str(tmp_path / "scores.csv"))
    assert result.exit_code == 2
    assert "needs a YAML description" in _flat(result.output)


def test_rules_lists_and_checks_rules(tmp_path: Path) -> None:
    result = run("rules", "--format", "json")
    rows = json.loads(result.output)
    assert {r["theme"] for r in rows} >= {"unqualified-yes", "make-them-see-you"}
    assert all(r["file"].startswith("crossdeal:rules/") for r in rows)
    assert "rules across 10 themes" in run("rules").output


def test_help_lists_every_command() -> None:
    out = run("--help").output
    for command in ("countries", "profile", "compare", "brief", "rules"):
        assert command in out


@pytest.mark.parametrize(
    ("seller", "buyer", "opening"),
    [
        # no card fires, but the practice table shows a two-level gap: not "close"
        ("CN", "KE", "two levels or more apart on planning horizon (CHN 4, KEN 2)"),
        ("GB", "AU", "two levels or more apart on negative feedback (GBR 4, AUS 2)"),
        # no card, no wide gap: close on everything measured
        ("US", "CA", "on everything crossdeal measures for this pair, the two cultures are close"),
    ],
)
def test_a_briefing_without_cards_says_calm_only_when_it_is(
    seller: str, buyer: str, opening: str
) -> None:
    result = run("brief", "--seller", seller, "--buyer", buyer)
    assert result.exit_code == 0, result.output
    assert opening in _flat(result.output)


def test_the_rules_table_never_cuts_a_rule_id() -> None:
    from crossdeal.playbook.rules import load_rules

    ids = {rule.id for rule in load_rules()}
    for columns in (80, 140):
        shown = runner.invoke(app, ["rules"], env={"COLUMNS": str(columns)})
        assert shown.exit_code == 0, shown.output
        assert all(len(line) <= columns for line in shown.output.splitlines())
        assert ids <= set(shown.output.split())  # each id whole, on one line


def test_help_names_value_types_only_where_an_option_takes_a_value() -> None:
    shown = runner.invoke(app, ["rules", "--help"], env={"COLUMNS": "100"}).output
    assert "<bool>" not in shown and "list[" not in shown


def test_the_themes_line_names_what_a_theme_is_about_in_either_direction() -> None:
    # a Chinese seller's US buyer is task-first: the relationship theme's card is the
    # reverse one, and the line must not read "relationship-first"
    out = " ".join(run("brief", "--seller", "CN", "--buyer", "US").output.split())
    themes = out.split("Themes: ", 1)[1].split(" 1 · ", 1)[0]
    assert "how trust is built (high)" in themes and "relationship-first" not in themes
