"""Self-assessment and people from the command line, including the interactive questionnaire."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from typer.testing import CliRunner

from crossdeal.cli import app
from crossdeal.culture.assessment import questionnaire

runner = CliRunner()
ITEMS = questionnaire().items


def run(*args: str, stdin: str | None = None):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args), input=stdin, env={"COLUMNS": "200"})


def flat(text: str) -> str:
    return " ".join(text.split())


def test_interactive_questionnaire_end_to_end() -> None:
    typed = (
        ["Narnia", "United States"] + ["9"] + ["4"] * len(ITEMS)
    )  # a typo, a bad answer, then the rest
    result = run("assess", stdin="\n".join(typed) + "\n")
    assert result.exit_code == 0, result.output
    out = flat(result.output)
    assert "No culture matches 'Narnia'" in out
    assert f"1/{len(ITEMS)}" in out and f"{len(ITEMS)}/{len(ITEMS)}" in out
    assert "You, next to the United States average" in out
    shown = json.loads(run("me", "--format", "json").output)
    assert shown["culture"]["code"] == "USA"
    assert {d["key"] for d in shown["dimensions"]} == {"pdi", "idv", "mas", "uai", "lto", "ivr"}


def test_assessment_from_an_answers_file(tmp_path: Path) -> None:
    path = tmp_path / "answers.yaml"
    path.write_text(
        yaml.safe_dump({"culture": "DE", "answers": {i.id: 3 for i in ITEMS}}), encoding="utf-8"
    )
    result = run("assess", "--answers", str(path), "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["culture"]["code"] == "GER"


def test_bad_answers_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "answers.yaml"
    path.write_text(yaml.safe_dump({i.id: 7 for i in ITEMS}), encoding="utf-8")
    result = run("assess", "--answers", str(path), "--culture", "US")
    assert result.exit_code == 2
    assert "not on the scale 1-5" in flat(result.output)


def test_me_before_assessing_says_what_to_do() -> None:
    result = run("me")
    assert result.exit_code == 2
    assert "run `crossdeal assess` first" in flat(result.output)


def test_people_commands_and_a_briefing_for_two_people(tmp_path: Path) -> None:
    added = run(
        "person",
        "add",
        "Priya Raman",
        "--culture",
        "IN",
        "--observe",
        "pushes-back",
        "--observe",
        "wants-detail",
        "--company",
        "Infotech",
        "--role",
        "decision-maker",
    )
    assert added.exit_code == 0, added.output
    assert "towards 'egalitarian'" in flat(added.output)
    assert "Priya Raman" in run("person", "list").output
    observed = run("person", "observe", "Priya Raman", "decides-alone")
    assert observed.exit_code == 0 and "decides-alone" in observed.output
    shown = json.loads(run("person", "show", "priya raman", "--format", "json").output)
    assert shown["observations"] == ["pushes-back", "wants-detail", "decides-alone"]
    answers = tmp_path / "a.yaml"
    answers.write_text(yaml.safe_dump({i.id: 3 for i in ITEMS}), encoding="utf-8")
    assert run("assess", "--answers", str(answers), "--culture", "US").exit_code == 0
    briefing = run("brief", "--seller", "me", "--buyer", "Priya Raman")
    assert briefing.exit_code == 0, briefing.output
    out = flat(briefing.output)
    assert "Pre-call briefing: You (USA) → Priya Raman (IND)" in out
    assert "Priya Raman is not the India average" in out
    assert "How that changes the advice" in out
    assert "unqualified-yes/deference: dropped" in out
    vocabulary = json.loads(run("person", "observations", "--format", "json").output)
    assert {"pushes-back", "relationship-first"} <= {v["id"] for v in vocabulary}
    assert run("person", "remove", "Priya Raman").exit_code == 0
    assert "No one saved yet" in run("person", "list").output


def test_person_errors() -> None:
    bad = run("person", "add", "Kenji", "--culture", "JP", "--observe", "shouts")
    assert bad.exit_code == 2 and "is not an observation crossdeal knows" in flat(bad.output)
    assert run("person", "show", "Nobody").exit_code == 2
    assert run("person", "remove", "Nobody").exit_code == 2
    assert run("person", "observe", "Nobody", "pushes-back").exit_code == 2


def test_a_corrupted_people_file_is_reported_not_reset(crossdeal_home: Path) -> None:
    people = crossdeal_home / "people.json"
    people.write_text("{oops", encoding="utf-8")
    result = run("person", "add", "Kenji", "--culture", "JP")
    assert result.exit_code == 2
    assert "people.json, line 1: not valid JSON" in flat(result.output)
    assert people.read_text(encoding="utf-8") == "{oops"
