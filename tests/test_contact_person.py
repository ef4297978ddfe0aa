"""A contact on one of the team's deals can be briefed by name, like a saved person:
their culture (else their account's) as the prior, what the team observed as evidence."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from crossdeal.cli import app

runner = CliRunner()


def _ok(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def _pipeline() -> None:
    _ok("accounts", "add", "Tanaka Precision", "--country", "JP")
    _ok("deals", "add", "Line 3 retrofit", "--account", "Tanaka Precision")
    _ok(
        "deal", "Line 3 retrofit", "add-contact", "Kenji Sato",
        "--role", "decision-maker", "--observe", "pushes-back",
    )  # fmt: skip


def _buyer(*args: str) -> dict:  # type: ignore[type-arg]
    briefing = json.loads(_ok("brief", "--seller", "US", "-f", "json", *args))
    return briefing["buyer_person"]  # type: ignore[no-any-return]


def test_a_contact_is_briefed_from_what_the_team_recorded(crossdeal_home: Path) -> None:
    _pipeline()
    person = _buyer("--buyer", "kenji sato")
    assert person["name"] == "Kenji Sato" and person["culture"]["code"] == "JPN"
    assert person["observations"] == ["pushes-back"]
    assert person["sources"][0] == (
        "pipeline contact at Tanaka Precision, team local; culture: the account's"
    )
    text = _ok("brief", "--seller", "US", "--buyer", "Kenji Sato")
    assert "Kenji Sato is not the Japan average (pipeline contact at" in " ".join(text.split())


def test_their_own_culture_comes_before_the_accounts(crossdeal_home: Path) -> None:
    _pipeline()
    _ok("deal", "Line 3 retrofit", "add-contact", "Priya Nair", "--culture", "IN")
    person = _buyer("--buyer", "Priya Nair")
    assert person["culture"]["code"] == "IND" and person["sources"][0].endswith("their own")


def test_one_name_on_two_accounts_is_asked_about_not_guessed(crossdeal_home: Path) -> None:
    _pipeline()
    _ok("accounts", "add", "Osaka Robotics", "--country", "JP")
    _ok("deals", "add", "Cell controller", "--account", "Osaka Robotics")
    _ok("deal", "Cell controller", "add-contact", "Kenji Sato")
    result = runner.invoke(app, ["brief", "--seller", "US", "--buyer", "Kenji Sato"])
    said = " ".join(result.output.split())
    assert result.exit_code == 2 and "contact on 2 accounts with different details" in said
    assert "Osaka Robotics: JPN" in said and "Tanaka Precision: JPN, pushes-back" in said


def test_a_saved_person_of_the_same_name_comes_first(crossdeal_home: Path) -> None:
    _pipeline()
    _ok("person", "add", "Kenji Sato", "--culture", "JP", "--observe", "avoids-disagreement")
    person = _buyer("--buyer", "Kenji Sato")
    assert person["observations"] == ["avoids-disagreement"]
    assert not any(s.startswith("pipeline contact") for s in person["sources"])


def test_an_unknown_name_is_the_usual_error_and_creates_no_database(crossdeal_home: Path) -> None:
    result = runner.invoke(app, ["brief", "--seller", "US", "--buyer", "Kenji Sato"])
    assert result.exit_code == 2 and "No culture matches 'Kenji Sato'" in result.output
    assert not (crossdeal_home / "crossdeal.db").exists()
    _pipeline()
    result = runner.invoke(app, ["brief", "--seller", "US", "--buyer", "Hiro Ito"])
    assert result.exit_code == 2 and "No culture matches 'Hiro Ito'" in result.output


def test_a_contact_of_the_demo_team(crossdeal_home: Path) -> None:
    _ok("demo")
    contacts = json.loads(_ok("--team", "demo", "contacts", "-f", "json"))["contacts"]
    someone = next(c for c in contacts if c["account_culture"] == "JPN")
    briefing = json.loads(
        _ok("--team", "demo", "brief", "--seller", "US", "--buyer", someone["name"], "-f", "json")
    )
    assert briefing["buyer_person"]["name"] == someone["name"]
    assert briefing["practical"]["country"]["code"] == "JP"


def test_a_name_beyond_ascii_is_found_in_any_case(crossdeal_home: Path) -> None:
    _pipeline()
    _ok("deal", "Line 3 retrofit", "add-contact", "Øyvind Ås", "--culture", "NO")
    assert _buyer("--buyer", "øyvind ås")["name"] == "Øyvind Ås"


def test_a_database_that_cannot_be_read_leaves_the_culture_error(
    crossdeal_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CROSSDEAL_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:9/none")
    result = runner.invoke(app, ["brief", "--seller", "US", "--buyer", "Jpan"])
    assert result.exit_code == 2 and "No culture matches 'Jpan'" in result.output
    assert "database" not in result.output
