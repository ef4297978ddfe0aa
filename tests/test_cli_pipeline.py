"""The pipeline from the command line, on the default local SQLite database."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

from typer.testing import CliRunner

from crossdeal.cli import app

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[1]


def run(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args), env={"COLUMNS": "200"})


def flat(text: str) -> str:
    return " ".join(text.split())


def test_demo_then_deals_deal_and_export(crossdeal_home: Path) -> None:
    demo = run("demo", "--deals", "60")
    assert demo.exit_code == 0, demo.output
    assert "Created 60 demo deals" in demo.output
    assert (crossdeal_home / "crossdeal.db").exists()  # created and migrated with no setup
    listing = json.loads(
        run("deals", "--outcome", "all", "--format", "json", "--team", "demo").output
    )
    assert listing["schema_version"] == "crossdeal.deals/1" and listing["total"] == 60
    at_risk = json.loads(run("deals", "--at-risk", "--format", "json", "--team", "demo").output)
    assert at_risk["deals"] and all(d["worst"] in ("watch", "high") for d in at_risk["deals"])
    deal_id = at_risk["deals"][0]["id"]
    shown = run("deal", str(deal_id), "--team", "demo")
    assert (
        shown.exit_code == 0
        and "Buying committee" in shown.output
        and "Risk signals" in shown.output
    )
    exported = run("export", "--format", "csv", "--team", "demo")
    rows = list(csv.DictReader(io.StringIO(exported.output)))
    assert len(rows) == 60 and {"id", "account", "culture", "risk", "signals"} <= set(rows[0])


def test_the_demo_never_touches_the_users_own_data(crossdeal_home: Path, tmp_path: Path) -> None:
    # the README's tour: the user's own seller, account, deal, contact and activity, with
    # names the demo also uses, then an import onto a demo account name
    assert run("sellers", "add", "Emily Carter", "--culture", "US").exit_code == 0
    assert (
        run(
            "accounts",
            "add",
            "Tanaka Precision",
            "--country",
            "JP",
            "--observe",
            "consensus-seeker",
        ).exit_code
        == 0
    )
    added = run(
        "deals", "add", "Line 3 retrofit", "--account", "Tanaka Precision", "--amount", "120000",
        "--owner", "Emily Carter", "--close", "2099-01-31",
    )  # fmt: skip
    deal_id = added.output.split("deal ")[1].split(":")[0]
    # a deal can be named as well as numbered
    named = run("deal", "line 3 RETROFIT", "add-contact", "Kenji Sato", "--culture", "JP")
    assert named.exit_code == 0 and f"deal {deal_id}'s committee" in named.output, named.output
    assert run("deal", "Line 3 retrofit", "log", "video", "--with", "Kenji Sato").exit_code == 0
    path = tmp_path / "deals.csv"
    path.write_text(
        "Record ID,Deal Name,Deal Stage,Amount,Create Date,Close Date,Associated Company\n"
        "77,Imported pilot,Proposal,1000,2026-01-05,2099-02-01,Sakura Logistics\n",
        encoding="utf-8",
    )
    assert run("import", str(path)).exit_code == 0

    def mine() -> tuple[object, ...]:
        deals = json.loads(run("deals", "--outcome", "all", "--format", "json").output)
        view = json.loads(run("deal", deal_id, "--format", "json").output)
        accounts = json.loads(run("accounts", "--format", "json").output)
        return (
            sorted((d["id"], d["name"]) for d in deals["deals"]),
            [c["name"] for c in view["committee"]],
            [a["channel"] for a in view["activities"]],
            sorted((a["name"], tuple(a["observed"])) for a in accounts["accounts"]),
        )

    before = mine()
    assert before[0] and before[1] == ["Kenji Sato"] and before[2] == ["video"]
    first = run("demo", "--deals", "40")
    assert first.exit_code == 0 and "team 'demo'" in first.output, first.output
    assert mine() == before
    again = run("demo", "--deals", "40")
    assert again.exit_code == 0 and "already holds 40 deals" in flat(again.output)
    refused = run("demo", "--deals", "50", "--reset")  # no terminal, no --yes: nothing deleted
    assert refused.exit_code == 2 and "Add --yes to confirm" in flat(refused.output)
    demo_total = json.loads(
        run("deals", "--outcome", "all", "--format", "json", "--team", "demo").output
    )["total"]
    assert demo_total == 40
    reset = run("demo", "--deals", "50", "--reset", "--yes")
    assert reset.exit_code == 0 and "Created 50 demo deals" in reset.output
    assert mine() == before
    # the demo goes into the user's own team only when named, and never over their rows
    into_mine = run("demo", "--deals", "40", "--team", "local")
    assert into_mine.exit_code == 0 and "already holds" in flat(into_mine.output)
    assert mine() == before


def test_manual_entry_add_contact_and_log(crossdeal_home: Path) -> None:
    assert run("sellers", "add", "Tom Baker", "--culture", "US").exit_code == 0
    assert run("accounts", "add", "Tanaka Precision", "--country", "Japan").exit_code == 0
    added = run(
        "deals",
        "add",
        "Line monitoring",
        "--account",
        "Tanaka Precision",
        "--amount",
        "250000",
        "--owner",
        "Tom Baker",
        "--close",
        "2099-01-31",
    )
    assert added.exit_code == 0, added.output
    deal_id = added.output.split("deal ")[1].split(":")[0]
    contact = run(
        "deal", deal_id, "add-contact", "Kenji Sato", "--role", "decision-maker", "--culture", "JP"
    )
    assert contact.exit_code == 0, contact.output
    logged = run("deal", deal_id, "log", "video", "--with", "Kenji Sato", "--note", "first demo")
    assert logged.exit_code == 0, logged.output
    view = json.loads(run("deal", deal_id, "--format", "json").output)
    assert view["committee"][0]["met"] is True
    assert view["activities"][0]["channel"] == "video"
    assert view["briefing"]["buyer"]["code"] == "JPN"


def test_import_from_the_command_line(tmp_path: Path) -> None:
    path = tmp_path / "deals.csv"
    path.write_text(
        "Record ID,Deal Name,Deal Stage,Amount,Create Date,Close Date,Associated Company\n"
        "1,Pilot,Proposal,1000,2026-01-05,2099-02-01,Acme\n2,Bad,Proposal,-3,2026-01-05,2099-02-01,Acme\n",
        encoding="utf-8",
    )
    strict = run("import", str(path))
    assert strict.exit_code == 1
    assert "Nothing imported" in flat(strict.output) and "line 3" in strict.output
    assert "1 of 2 rows in" in flat(strict.output)
    good = tmp_path / "one.csv"
    good.write_text(
        path.read_text(encoding="utf-8").splitlines()[0] + "\n"
        "9,Pilot,Proposal,1000,2026-01-05,2099-02-01,Acme\n",
        encoding="utf-8",
    )
    one = run("import", str(good))
    assert one.exit_code == 0 and "(HubSpot deals export): 1 row · 1 created" in flat(one.output)
    loose = run("import", str(path), "--skip-invalid", "--format", "json")
    report = json.loads(loose.output)
    assert loose.exit_code == 0 and report["created"] == 1 and report["rejected"] == 1
    assert Path(report["rejected_file"]).exists()


def test_pipeline_errors_are_clear(tmp_path: Path) -> None:
    for args, message in [
        (("deal", "999"), "there is no deal 999"),
        (("deal", "99999999999999999999"), "there is no deal 99999999999999999999"),
        (("deal", "Nothing like it"), "there is no deal called 'Nothing like it'"),
        (("deals", "--country", "Atlantis"), "No culture matches 'Atlantis'"),
        (("import", str(tmp_path / "missing.csv")), "no such file"),
        (("deal", "1", "log", "fax"), "channel 'fax' is not one of"),
        (("deal", "1", "log", "call"), "there is no deal 1"),
        (("deal", "1", "dance"), "No such command 'dance'"),
        (("accounts", "add", "X", "--country", "Narnia"), "No culture matches 'Narnia'"),
        (("export", "--format", "xml"), "use csv, json or crossdeal"),
        (("deals", "--db", "nonsense"), "not a database URL"),
        (("deals", "--db", "mysql://root@localhost/crm"), "works with SQLite"),
        (("deals", "add", "X", "--account", "Acme", "--amount", "nan"), "is not an amount"),
        (("deals", "add", "X", "--account", "Acme", "--amount", "1e400"), "is not an amount"),
    ]:
        result = run(*args)
        assert result.exit_code == 2, (args, result.output)
        assert message in flat(result.output), (args, result.output)
        assert "Traceback" not in result.output


def test_a_long_listing_shows_the_most_urgent_deals_in_a_narrow_terminal(
    crossdeal_home: Path,
) -> None:
    assert run("demo", "--deals", "120", "--team", "local").exit_code == 0
    every = json.loads(run("deals", "--at-risk", "--format", "json").output)
    assert every["total"] == len(every["deals"])  # JSON gives every deal unless limited
    narrow = runner.invoke(app, ["deals", "--at-risk", "--limit", "3"], env={"COLUMNS": "80"})
    assert narrow.exit_code == 0, narrow.output
    assert f"{every['total']} deal(s), showing the first 3" in flat(narrow.output)
    # the most urgent first, and their numbers in full: `crossdeal deal N` needs them
    first_column = re.findall(r"^\s*(\d+)  ", narrow.output, flags=re.MULTILINE)
    assert first_column == [str(deal["id"]) for deal in every["deals"][:3]]
    assert all(len(line) <= 80 for line in narrow.output.splitlines())


def test_accounts_lists_culture_norms_and_open_deals(crossdeal_home: Path) -> None:
    assert run("accounts").output.startswith("No accounts yet")
    added = run(
        "accounts", "add", "Tanaka Precision", "--country", "Japan", "--observe", "consensus-seeker"
    )
    assert added.exit_code == 0, added.output
    assert run("accounts", "add", "Harbour Bank", "--country", "Australia").exit_code == 0
    assert run("deals", "add", "Line 3", "--account", "Tanaka Precision").exit_code == 0
    listing = json.loads(run("accounts", "--format", "json").output)
    assert listing["schema_version"] == "crossdeal.accounts/1"
    by_name = {a["name"]: a for a in listing["accounts"]}
    assert by_name["Tanaka Precision"]["culture"] == "JPN"
    assert by_name["Tanaka Precision"]["observed"] == ["consensus-seeker"]
    assert by_name["Tanaka Precision"]["open_deals"] == 1
    assert by_name["Harbour Bank"]["open_deals"] == 0
    japan = json.loads(run("accounts", "--country", "JP", "--format", "json").output)
    assert [a["name"] for a in japan["accounts"]] == ["Tanaka Precision"]
    text = flat(run("accounts").output)
    assert "Tanaka Precision" in text and "consensus-seeker" in text and "2 account(s)" in text


def test_control_characters_from_data_are_shown_not_sent(
    crossdeal_home: Path, tmp_path: Path
) -> None:
    """A name or a CSV cell with terminal escapes (clear screen, window title, clipboard)
    is printed with the escapes made visible."""
    evil = "Evil\x1b]0;pwned\x07\x1b[2J Co"
    outputs = [
        run("accounts", "add", evil, "--country", "JP").output,
        run("accounts").output,
        run("person", "add", evil, "--culture", "JP").output,
        run("person", "list").output,
    ]
    path = tmp_path / "deals.csv"
    path.write_text(
        "Record ID,Deal Name,Deal Stage,Amount,Create Date,Close Date,Associated Company\n"
        "1,\x1b[2JDeal,Proposal,10,2026-01-05,2099-02-01,\x1b]52;c;aGk=\x07Acme\n",
        encoding="utf-8",
    )
    outputs += [run("import", str(path)).output, run("deals", "--outcome", "all").output]
    for output in outputs:
        assert "\x1b" not in output and "\x07" not in output, output
    assert any("\\x1b" in output for output in outputs)


def test_names_are_printed_as_typed_not_as_emoji(crossdeal_home: Path, tmp_path: Path) -> None:
    """Rich would turn ":rocket:" into a rocket; a name is data and is shown as written."""
    path = tmp_path / "deals.csv"
    path.write_text(
        "Record ID,Deal Name,Deal Stage,Amount,Create Date,Close Date,Associated Company\n"
        "1,Launch :rocket: pilot,Proposal,10,2026-01-05,2099-02-01,Smile :smile: KK\n",
        encoding="utf-8",
    )
    assert run("import", str(path)).exit_code == 0
    for output in (run("deals").output, run("accounts").output, run("deal", "1").output):
        assert "🚀" not in output and "😄" not in output, output
    assert ":rocket:" in flat(run("deals").output)


def test_a_team_named_before_the_command_holds_for_that_run_only(crossdeal_home: Path) -> None:
    assert (
        run("--team", "emea", "accounts", "add", "Tanaka Precision", "--country", "JP").exit_code
        == 0
    )
    emea = json.loads(run("--team", "emea", "accounts", "--format", "json").output)
    assert emea["team"] == "emea" and [a["name"] for a in emea["accounts"]] == ["Tanaka Precision"]
    local = json.loads(run("accounts", "--format", "json").output)  # the next run: local again
    assert local["team"] == "local" and local["accounts"] == []
    # a command's own --team wins over the one before it
    own = json.loads(run("--team", "emea", "accounts", "--team", "apac", "-f", "json").output)
    assert own["team"] == "apac"


def test_version() -> None:
    from crossdeal import __version__

    result = run("--version")
    assert result.exit_code == 0 and result.output == f"crossdeal {__version__}\n"


def test_an_empty_team_points_to_where_the_demo_put_its_sample(crossdeal_home: Path) -> None:
    assert run("demo", "--deals", "20").exit_code == 0
    # the user's own team is still empty: the hint must name the team the sample is in
    for command in ("deals", "forecast", "accounts"):
        said = flat(run(command).output)
        assert "team local" in said and f"crossdeal --team demo {command}" in said, said
    # and the demo team itself lists its deals
    assert "20 deal(s)" in flat(run("--team", "demo", "deals", "--outcome", "all").output)


def test_the_deals_table_keeps_signal_ids_whole_and_shows_name_owner_and_stage(
    crossdeal_home: Path,
) -> None:
    assert run("demo", "--deals", "120").exit_code == 0
    listing = json.loads(run("--team", "demo", "deals", "--format", "json").output)["deals"]
    for columns in ("80", "120", "160"):
        shown = runner.invoke(app, ["--team", "demo", "deals"], env={"COLUMNS": columns})
        assert shown.exit_code == 0, shown.output
        lines = shown.output.splitlines()
        assert all(len(line) <= int(columns) for line in lines)
        # off a terminal the table is plain text: no box to strip before grep or cut
        assert not re.search("[│┃━─┏└]", shown.output)
        words = set(shown.output.split())
        for deal in listing:
            assert {s["id"] for s in deal["signals"]} <= words, (columns, deal["signals"])
            assert set(f"{deal['name']} {deal['owner']} {deal['stage']}".split()) <= words
        header = lines[0].split()
        assert ("owner" in header) == (int(columns) >= 120)


def test_sellers_and_contacts_are_listed_with_iso_codes(crossdeal_home: Path) -> None:
    assert run("sellers").exit_code == 0 and "No sellers yet" in run("sellers").output
    assert run("sellers", "add", "Hannah Weber", "--culture", "Germany").exit_code == 0
    assert run("sellers", "add", "Lena Roth", "--culture", "GER").exit_code == 0  # Hofstede's
    assert run("accounts", "add", "Tanaka Precision", "--country", "JP").exit_code == 0
    added = run("deals", "add", "Line 3 retrofit", "--account", "Tanaka Precision")
    assert added.exit_code == 0, added.output
    contact = run("deal", "Line 3 retrofit", "add-contact", "Kenji Sato", "--role", "champion")
    assert contact.exit_code == 0, contact.output

    sellers = json.loads(run("sellers", "--format", "json").output)
    assert sellers["schema_version"] == "crossdeal.sellers/1"
    assert [(s["name"], s["culture"]) for s in sellers["sellers"]] == [
        ("Hannah Weber", "GER"),
        ("Lena Roth", "GER"),
    ]
    shown = run("sellers").output
    assert "DEU" in shown and "GER" not in shown  # people read ISO codes
    contacts = json.loads(run("contacts", "--format", "json").output)["contacts"]
    assert [(c["name"], c["account"], c["role"], c["deals"]) for c in contacts] == [
        ("Kenji Sato", "Tanaka Precision", "champion", 1)
    ]
    assert "Kenji Sato" in run("contacts", "--account", "tanaka precision").output
    unknown = run("contacts", "--account", "Nowhere Ltd")
    assert unknown.exit_code != 0 and "no account called 'Nowhere Ltd'" in flat(unknown.output)
    assert "Traceback" not in unknown.output


def test_the_next_command_names_the_team_even_when_it_was_named_first(
    crossdeal_home: Path,
) -> None:
    """`crossdeal --team demo demo` holds for that run only: the hint it prints must name
    the team, or the next command would look in the user's own."""
    for args in (("--team", "demo", "demo"), ("demo",)):
        result = run(*args)
        assert result.exit_code == 0, result.output
        assert "Next: crossdeal deals --at-risk --team demo" in flat(result.output)
