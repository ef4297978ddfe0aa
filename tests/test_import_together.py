"""Several exports of one CRM imported together: companies, contacts and deals (and, for
Salesforce, the opportunities' contact roles) joined on their names and ids, in one
transaction, whatever order they are given in."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from crossdeal.cli import app

EXPORTS = Path(__file__).resolve().parents[1] / "examples" / "crm"
runner = CliRunner()


def _json(*args: str) -> dict:  # type: ignore[type-arg]
    result = runner.invoke(app, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def _import(*names: str, extra: tuple[str, ...] = ()) -> dict:  # type: ignore[type-arg]
    return _json("import", *(str(EXPORTS / n) for n in names), *extra)


@pytest.mark.parametrize(
    ("crm", "files", "cultures"),
    [
        (
            "hubspot",
            ("hubspot-deals.csv", "hubspot-contacts.csv", "hubspot-companies.csv"),
            {"Line 3 retrofit": "JPN", "Spare parts framework": "JPN", "ERP rollout": "IND"},
        ),
        (
            "salesforce",
            (
                "salesforce-contact-roles.csv",
                "salesforce-opportunities.csv",
                "salesforce-contacts.csv",
                "salesforce-accounts.csv",
            ),
            {"Press line 4": "GER", "Service contract": "GER", "Warehouse automation": "SAU"},
        ),
        (
            "pipedrive",
            ("pipedrive-deals.csv", "pipedrive-persons.csv", "pipedrive-organizations.csv"),
            {"Fleet telematics": "THA", "Cold chain pilot": "THA"},
        ),
    ],
)
def test_a_crms_exports_go_in_together_and_deals_get_their_country(
    crossdeal_home: Path, crm: str, files: tuple[str, ...], cultures: dict[str, str]
) -> None:
    batch = _import(*files, extra=("--from", crm))
    assert batch["committed"]
    order = [r["entity"] for r in batch["files"]]
    assert order == sorted(order, key=["accounts", "contacts", "deals", "committee"].index)
    assert all(r["rejected"] == 0 for r in batch["files"])
    deals = _json("deals", "--outcome", "all")["deals"]
    assert {d["name"]: d["culture"] for d in deals} == cultures
    # idempotent: the same files again change nothing
    again = _import(*files)
    assert all(r["created"] == r["updated"] == 0 for r in again["files"])


def test_contact_roles_put_people_on_the_committee(crossdeal_home: Path) -> None:
    _import(
        "salesforce-accounts.csv",
        "salesforce-contacts.csv",
        "salesforce-opportunities.csv",
        "salesforce-contact-roles.csv",
    )
    deals = {d["name"]: d for d in _json("deals")["deals"]}
    press = _json("deal", str(deals["Press line 4"]["id"]))
    assert {(c["name"], c["role"]) for c in press["committee"]} == {
        ("Klaus Becker", "economic-buyer"),
        ("Petra Vogel", "influencer"),
    }
    # a committee of two: no longer single-threaded
    assert "single-threaded" not in {s["id"] for s in deals["Press line 4"]["signals"]}
    warehouse = {s["id"] for s in deals["Warehouse automation"]["signals"]}
    assert "decision-maker-not-met" in warehouse  # the decider is known and not yet met


def test_a_contact_role_for_an_unknown_deal_is_a_row_problem(
    crossdeal_home: Path, tmp_path: Path
) -> None:
    roles = tmp_path / "roles.csv"
    roles.write_text(
        (EXPORTS / "salesforce-contact-roles.csv").read_text(encoding="utf-8")
        + "Lost deal,0065g00000ZZZZZAA1,0035g00000QwErAAA1,Klaus,Becker,Rheinwerk AG,Other,0\n",
        encoding="utf-8",
    )
    result = runner.invoke(
        app,
        [
            "import",
            str(EXPORTS / "salesforce-accounts.csv"),
            str(EXPORTS / "salesforce-contacts.csv"),
            str(EXPORTS / "salesforce-opportunities.csv"),
            str(roles),
        ],
    )
    said = " ".join(result.output.split())
    assert result.exit_code == 1
    assert "line 5, column Opportunity ID: '0065g00000ZZZZZAA1' no salesforce deal has" in said
    assert "Nothing was imported from any of the files" in said
    # one transaction: not even the accounts of the good files went in
    assert _json("accounts")["accounts"] == []


def test_skip_invalid_keeps_the_good_rows_of_every_file(
    crossdeal_home: Path, tmp_path: Path
) -> None:
    for name in ("hubspot-deals.csv", "hubspot-companies.csv"):
        shutil.copy(EXPORTS / name, tmp_path / name)
    contacts = tmp_path / "hubspot-contacts.csv"
    contacts.write_text(
        (EXPORTS / "hubspot-contacts.csv").read_text(encoding="utf-8")
        + "704,Li,Wei,l.wei@x.example,,,Buyer,,China\n",
        encoding="utf-8",
    )
    batch = _import_paths(tmp_path, "--skip-invalid")
    assert batch["committed"]
    by_entity = {r["entity"]: r for r in batch["files"]}
    assert by_entity["contacts"]["rejected"] == 1 and by_entity["contacts"]["created"] == 3
    assert by_entity["contacts"]["rejected_file"].endswith("hubspot-contacts.rejected.csv")
    assert by_entity["deals"]["rejected_file"] is None  # nothing set aside, no side file
    assert not (tmp_path / "hubspot-deals.rejected.csv").exists()


def _import_paths(folder: Path, *extra: str) -> dict:  # type: ignore[type-arg]
    return _json("import", *(str(p) for p in sorted(folder.glob("*.csv"))), *extra)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("hubspot-deals.csv", "hubspot-deals.csv"), "is given twice"),
        (("hubspot-deals.csv", "hubspot-companies.csv", "--mapping", "x.yaml"), "--mapping"),
        (("hubspot-deals.csv", "hubspot-companies.csv", "--rejected", "r.csv"), "--rejected"),
    ],
)
def test_options_that_name_one_file_are_refused_with_several(
    crossdeal_home: Path, args: tuple[str, ...], says: str
) -> None:
    paths = [
        str(EXPORTS / a) if a.endswith(".csv") and "/" not in a and a != "r.csv" else a
        for a in args
    ]
    result = runner.invoke(app, ["import", *paths])
    assert result.exit_code == 2 and says in result.output and "Traceback" not in result.output


def test_a_backup_is_restored_on_its_own(crossdeal_home: Path, tmp_path: Path) -> None:
    assert runner.invoke(app, ["demo"]).exit_code == 0
    backup = tmp_path / "backup.zip"
    backup.write_bytes(
        runner.invoke(app, ["--team", "demo", "export", "--format", "crossdeal"]).stdout_bytes
    )
    result = runner.invoke(app, ["import", str(backup), str(EXPORTS / "hubspot-deals.csv")])
    assert result.exit_code == 2 and "restored on its own" in result.output


@pytest.mark.parametrize(
    ("crm", "files", "deal", "committee", "signal", "fires"),
    [
        (
            "hubspot",
            ("hubspot-deals.csv", "hubspot-contacts.csv", "hubspot-companies.csv"),
            "Line 3 retrofit",
            {"Kenji Sato", "Aiko Mori"},
            "single-threaded",  # two people on it now
            False,
        ),
        (
            "pipedrive",
            ("pipedrive-deals.csv", "pipedrive-persons.csv", "pipedrive-organizations.csv"),
            "Fleet telematics",
            {"Somchai Jaidee"},
            "decision-maker-not-met",  # the managing director decides, and no one met him
            True,
        ),
    ],
)
def test_a_deals_associated_contacts_join_its_committee(
    crossdeal_home: Path,
    crm: str,
    files: tuple[str, ...],
    deal: str,
    committee: set[str],
    signal: str,
    fires: bool,
) -> None:
    """HubSpot's deals export names the deal's contacts by record id (Associated Contact
    IDs), Pipedrive's by name (Deal - Contact person): they join the committee."""
    batch = _import(*files, extra=("--from", crm))
    deals_report = next(r for r in batch["files"] if r["entity"] == "deals")
    assert any("put on their deals' buying committees" in n for n in deals_report["notes"])
    deals = {d["name"]: d for d in _json("deals", "--outcome", "all")["deals"]}
    shown = _json("deal", str(deals[deal]["id"]))
    assert {c["name"] for c in shown["committee"]} == committee
    # the committee counts the signals read follow
    assert (signal in {s["id"] for s in deals[deal]["signals"]}) is fires
    # a second import finds them there already and adds no one twice
    again = _import(*files)
    assert not any("buying committees" in n for r in again["files"] for n in r["notes"])
    assert {c["name"] for c in _json("deal", str(deals[deal]["id"]))["committee"]} == committee


def test_deals_before_their_contacts_say_so_and_link_on_the_next_import(
    crossdeal_home: Path,
) -> None:
    first = _import("hubspot-deals.csv", "hubspot-companies.csv", extra=("--from", "hubspot"))
    deals_report = next(r for r in first["files"] if r["entity"] == "deals")
    [note] = [n for n in deals_report["notes"] if "not in crossdeal yet" in n]
    assert "701, 702, 703" in note and "contacts.csv" in note
    _import("hubspot-contacts.csv", extra=("--from", "hubspot"))
    _import("hubspot-deals.csv", extra=("--from", "hubspot"))
    deals = {d["name"]: d for d in _json("deals", "--outcome", "all")["deals"]}
    erp = _json("deal", str(deals["ERP rollout"]["id"]))
    assert [c["name"] for c in erp["committee"]] == ["Priya Nair"]


DATA_EXPORT = ("Account.csv", "Contact.csv", "Opportunity.csv", "OpportunityContactRole.csv")


def test_a_salesforce_data_export_joins_on_record_ids(crossdeal_home: Path) -> None:
    """A Data Export names no accounts: opportunities and contacts give an AccountId, and
    contact roles an OpportunityId and a ContactId (the files' own API column names)."""
    files = [f"salesforce-data-export/{name}" for name in reversed(DATA_EXPORT)]
    batch = _import(*files, extra=("--from", "salesforce"))
    profiles = [r["profile"] for r in batch["files"]]
    assert all("Data Export" in p for p in profiles), profiles
    assert all(r["rejected"] == 0 for r in batch["files"])
    deals = {d["name"]: d for d in _json("deals", "--outcome", "all")["deals"]}
    assert {name: d["culture"] for name, d in deals.items()} == {
        "Press line 4": "GER",
        "Service contract": "GER",
        "Warehouse automation": "SAU",
    }
    assert deals["Service contract"]["outcome"] == "won"
    press = _json("deal", str(deals["Press line 4"]["id"]))
    assert {(c["name"], c["role"]) for c in press["committee"]} == {
        ("Klaus Becker", "economic-buyer"),
        ("Petra Vogel", "influencer"),
    }
    again = _import(*files)
    assert all(r["created"] == r["updated"] == 0 for r in again["files"])


def test_an_account_id_nobody_imported_is_a_row_problem(crossdeal_home: Path) -> None:
    result = runner.invoke(
        app,
        ["import", str(EXPORTS / "salesforce-data-export" / "Opportunity.csv"), "--format", "json"],
    )
    assert result.exit_code != 0
    report = json.loads(result.stdout)
    problem = report["problems"][0]
    assert problem["column"] == "AccountId" and problem["value"] == "0015g00000XyZaAAA1"
    assert "import the accounts file with this one" in problem["reason"]
    assert _json("deals", "--outcome", "all")["deals"] == []  # nothing written


def test_a_data_export_finds_an_account_added_by_hand(crossdeal_home: Path) -> None:
    """An account of the same name, added before any import, takes the export's id."""
    added = runner.invoke(app, ["accounts", "add", "Rheinwerk AG", "--country", "DE"])
    assert added.exit_code == 0, added.output
    batch = _import(*(f"salesforce-data-export/{n}" for n in DATA_EXPORT))
    assert batch["committed"] and all(r["rejected"] == 0 for r in batch["files"])
    accounts = _json("accounts")["accounts"]
    assert sorted(a["name"] for a in accounts) == ["Rheinwerk AG", "Riyadh Logistics Co"]


def test_two_crm_accounts_of_one_name_are_a_row_problem(
    crossdeal_home: Path, tmp_path: Path
) -> None:
    source = (EXPORTS / "salesforce-data-export" / "Account.csv").read_text(encoding="utf-8")
    header, first, *_ = source.splitlines()
    twin = first.replace("0015g00000XyZaAAA1", "0015g00000XyZzAAA1").replace(
        "Germany,Germany", "Austria,Austria"
    )
    path = tmp_path / "Account.csv"
    path.write_text("\n".join([header, first, twin]) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["import", str(path), "--format", "json"])
    assert result.exit_code != 0
    problem = json.loads(result.stdout)["problems"][0]
    assert problem["line"] == 3 and "another account of this name" in problem["reason"]
    assert "one account per name" in problem["reason"]
