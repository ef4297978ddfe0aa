"""The pipeline commands of the CLI: demo, import, deals, deal, accounts, sellers, contacts,
export."""

# No `from __future__ import annotations` here: Typer reads the parameter annotations
# of the nested commands at run time, and some of them are local names.
import gc
import os
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from crossdeal.cli.common import (
    ChartOption,
    FormatOption,
    OutputFormat,
    confirm,
    console,
    date_option,
    emit_json,
    fail,
    safe,
    text_writer,
    write_chart,
)
from crossdeal.errors import CrossdealError

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import NoReturn

    from pydantic import BaseModel

    from crossdeal.culture.individual import PersonEstimate
    from crossdeal.culture.model import CultureModel
    from crossdeal.forecast.engines import DaskEngine, InProcess
    from crossdeal.pipeline.store import PipelineStore

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database URL (default: $CROSSDEAL_DATABASE_URL, else SQLite in the crossdeal home).",
        show_default=False,
    ),
]
TeamOption = Annotated[
    str | None,
    typer.Option(
        "--team",
        help="Whose pipeline (default: $CROSSDEAL_TEAM, else 'local').",
        show_default=False,
    ),
]


EngineOption = Annotated[
    str,
    typer.Option(
        "--engine",
        help="Where the scoring and the simulation run: local, or dask (the cluster at "
        "$CROSSDEAL_DASK_SCHEDULER, else a local one of two worker processes).",
    ),
]


def engine_named(name: str) -> "InProcess | DaskEngine":
    from crossdeal.forecast.engines import engine_named as named

    return named(name)


def _store(db: str | None, team: str | None) -> "PipelineStore":
    from crossdeal._model_cache import cached_briefing_model
    from crossdeal.pipeline.db import Database
    from crossdeal.pipeline.store import PipelineStore

    store = PipelineStore(Database(db), team or _default_team(), model=cached_briefing_model())
    _freeze_loaded_heap()
    return store


def contacts_as_people(
    sides: tuple[str, str], model: "CultureModel"
) -> "tuple[str | PersonEstimate, str | PersonEstimate] | None":
    """The briefing's sides with each name that is neither a culture nor a saved person
    replaced by the team's pipeline contact of that name; None when no side is one (or
    there is no pipeline to look in: a briefing never creates or migrates one)."""
    from sqlalchemy import select
    from sqlalchemy.exc import SQLAlchemyError

    from crossdeal._model_cache import cached_briefing_model
    from crossdeal.errors import UnknownCultureError
    from crossdeal.people.store import ProfileStore
    from crossdeal.pipeline.db import HEAD, Database, default_url
    from crossdeal.pipeline.models import Team
    from crossdeal.pipeline.persons import contact_person
    from crossdeal.pipeline.store import PipelineStore

    url = default_url()
    if (
        not os.environ.get("CROSSDEAL_DATABASE_URL")
        and not Path(url.removeprefix("sqlite:///")).exists()
    ):
        return None
    # a lookup only: never migrate a database or create a team for it; a database that
    # cannot be read leaves the briefing's own error (a culture typo, say) standing
    team = _default_team()
    try:
        db = Database(url, migrate=False)
        if db.revision() != HEAD:
            return None
        with db.engine.connect() as conn:
            team_id = conn.scalar(select(Team.id).where(Team.name == team))
    except (CrossdealError, SQLAlchemyError):
        return None
    if team_id is None:
        return None
    store = PipelineStore(db, team, model=cached_briefing_model(), team_id=team_id)
    saved = ProfileStore()
    shown: list[str | PersonEstimate] = []
    for side in sides:
        text = side.strip()
        person = None
        if text.lower() not in ("me", "myself") and saved.find(text) is None:
            try:
                model.resolve(text)
            except UnknownCultureError:
                person = contact_person(store, text, model)
        shown.append(person if person is not None else side)
    if shown == list(sides):
        return None
    return shown[0], shown[1]


def _interrupted(what: str) -> "NoReturn":
    """Ctrl-C during a write that is one transaction: say that nothing was written."""
    console().print(
        f"Interrupted: nothing was {what}; the database is as it was before.", style="yellow"
    )
    raise typer.Exit(130) from None


def _team_flag(team: str) -> str:
    """The ``--team`` option a next command needs: nothing for the team a command uses
    when none is named (a ``--team`` given before this command does not carry over)."""
    return "" if team == _unnamed_team() else f" --team {team}"


def _listing(output: OutputFormat, read: "Callable[[], BaseModel]", renderer: str) -> None:
    """Read one listing from the store and show it: JSON for programs, a table for people."""
    from crossdeal.cli import render as _render

    try:
        listing = read()
    except CrossdealError as error:
        fail(error)
    if output is OutputFormat.json:
        emit_json(listing)
    else:
        getattr(_render, renderer)(console(), listing)


# where `crossdeal demo` puts its sample unless told otherwise: never the user's own team
DEMO_TEAM = "demo"


# the team given before the command (`crossdeal --team emea deals`), for this run only
ROOT_TEAM: list[str] = []


def _default_team() -> str:
    """The team of this run: the one named before the command, else the usual one."""
    return (ROOT_TEAM[0] if ROOT_TEAM else None) or _unnamed_team()


def _unnamed_team() -> str:
    """The team a command uses when no --team is given: $CROSSDEAL_TEAM, else "local"."""
    return os.environ.get("CROSSDEAL_TEAM") or "local"


_frozen: list[bool] = []


def _freeze_loaded_heap() -> None:
    """Once per process: the modules, culture data and rules loaded so far live as long
    as the command, so the garbage collector need not walk them again each time a listing
    of a hundred thousand deals triggers a full collection (about a fifth of its time)."""
    if not _frozen:
        gc.freeze()
        _frozen.append(True)


# The actions of `crossdeal deal ID ACTION`, dispatched by the `deal` command.
# rows a `deals` table shows unless told otherwise: the most urgent first
TEXT_LIMIT = 50

DEAL_ACTIONS = typer.Typer(help="What to do with a deal.", add_completion=False)


def click_exceptions() -> tuple[type[Exception], ...]:
    """The usage errors of the click layer Typer is built on (Typer vendors it)."""
    from typer import _click

    return (_click.exceptions.ClickException,)


def register(app: typer.Typer) -> None:
    """Add the pipeline commands to the ``crossdeal`` app."""

    @app.command()
    def demo(
        seed: Annotated[int, typer.Option(help="The same seed gives the same pipeline.")] = 7,
        deals: Annotated[
            int, typer.Option(min=10, max=100_000, help="How many deals to generate.")
        ] = 180,
        reset: Annotated[
            bool,
            typer.Option("--reset", help="Delete everything in the demo team and build it again."),
        ] = False,
        yes: Annotated[
            bool, typer.Option("--yes", "-y", help="Do not ask before --reset deletes.")
        ] = False,
        db: DbOption = None,
        team: Annotated[
            str | None,
            typer.Option(
                "--team",
                help=f"The team the sample goes into (default: {DEMO_TEAM!r}, never yours).",
                show_default=False,
            ),
        ] = None,
    ) -> None:
        """A realistic sample pipeline in a team of its own, which never touches your data."""
        from crossdeal.cli import layout as _layout
        from crossdeal.pipeline.demo import generate

        team = team or DEMO_TEAM
        try:
            store = _store(db, team)
            held = store.contents()
            if held.total and reset:
                confirm(
                    f"This deletes everything in team {team!r}: {held.describe()}",
                    yes,
                )
            if held.total and not reset:
                message = (
                    f"Team {team!r} already holds {held.describe()}; showing it as it is "
                    "(crossdeal demo --reset rebuilds it)."
                )
            else:
                count = store.load_demo(
                    generate(seed=seed, deals=deals, model=store.model), reset=reset
                )
                message = (
                    f"Created {count} demo deals in {store.db.describe()} (team {team!r}); "
                    "no other team was touched."
                )
            listing = store.deals(at_risk=True, limit=15)
        except CrossdealError as error:
            fail(error)
        out = text_writer()
        out.print(message)
        _layout.deals(out, listing, title="Open deals at risk (most severe first)")
        first = listing.deals[0].id if listing.deals else 1
        on = _team_flag(team)
        out.print(
            f"[dim]Next: crossdeal deals --at-risk{on} · crossdeal deal {first}{on} · "
            f"crossdeal export --format csv{on}[/dim]"
        )

    @app.command("import")
    def import_(
        files: Annotated[
            list[Path],
            typer.Argument(
                help="CSV exports from your CRM (several of one CRM at once: companies, "
                "contacts and deals are joined), or one crossdeal backup (.zip).",
                metavar="FILE...",
            ),
        ],
        crm: Annotated[
            str | None,
            typer.Option(
                "--from",
                help="hubspot, salesforce or pipedrive (otherwise detected from the header).",
            ),
        ] = None,
        mapping: Annotated[
            Path | None,
            typer.Option(
                "--mapping", help="Your own mapping file for any other CSV (docs/pipeline.md)."
            ),
        ] = None,
        skip_invalid: Annotated[
            bool,
            typer.Option(
                "--skip-invalid", help="Import the good rows; write rejected rows to a side file."
            ),
        ] = False,
        rejected: Annotated[
            Path | None,
            typer.Option(
                "--rejected",
                help="Where to write rejected rows (with --skip-invalid; never the input file).",
            ),
        ] = None,
        output: FormatOption = OutputFormat.text,
        db: DbOption = None,
        team: TeamOption = None,
    ) -> None:
        """Import accounts, contacts and deals from CRM exports (all-or-nothing by default;
        several files in one transaction), or restore a backup made by crossdeal export
        --format crossdeal."""
        from crossdeal.cli import render as _render
        from crossdeal.pipeline.backup import is_backup
        from crossdeal.pipeline.importer import CHECKPOINT_ROWS, import_files

        backups = [f for f in files if is_backup(f)]
        if backups:
            given = [
                flag
                for flag, value in (
                    ("--from", crm),
                    ("--mapping", mapping),
                    ("--skip-invalid", skip_invalid or None),
                    ("--rejected", rejected),
                )
                if value is not None
            ]
            if len(files) > 1:
                fail(
                    CrossdealError(
                        f"{backups[0].name} is a crossdeal backup: it is restored on its own, "
                        "not with other files"
                    )
                )
            if given:
                fail(
                    CrossdealError(
                        f"{backups[0].name} is a crossdeal backup: it is restored whole, so "
                        f"{', '.join(given)} does not apply; leave it out"
                    )
                )
            _restore(backups[0], output, db, team)
            return

        try:
            store = _store(db, team)
            out = console()
            if output is OutputFormat.text and sys.stderr.isatty():
                from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

                with Progress(
                    "[progress.description]{task.description}",
                    BarColumn(),
                    DownloadColumn(),
                    TimeRemainingColumn(),
                    transient=True,
                ) as bar:
                    names = ", ".join(f.name for f in files)
                    task = bar.add_task(f"Importing {names}", total=None)

                    def progress(done: int, total: int) -> None:
                        bar.update(task, completed=done, total=total)

                    batch = import_files(
                        store, files, crm, mapping, skip_invalid, rejected, progress
                    )
            else:
                batch = import_files(store, files, crm, mapping, skip_invalid, rejected)
        except KeyboardInterrupt:
            _interrupted("imported")
        except CrossdealError as error:
            fail(error)
        if output is OutputFormat.json:
            emit_json(batch.files[0] if len(batch.files) == 1 else batch)
        elif len(batch.files) == 1:
            _render.import_report(out, batch.files[0])
        else:
            _render.import_batch(out, batch)
        if not batch.committed:
            raise typer.Exit(1)
        if sum(r.created + r.updated for r in batch.files) >= CHECKPOINT_ROWS:
            store.db.checkpoint()

    def _export_backup(db: str | None, team: str | None) -> None:
        from crossdeal.people.store import ProfileStore
        from crossdeal.pipeline.backup import backup_bytes, team_backup

        if sys.stdout.isatty():
            fail(
                CrossdealError(
                    "a backup is a zip file, not text for the screen: send it to a file, "
                    "e.g. crossdeal export --format crossdeal > backup.zip"
                )
            )
        try:
            profiles = ProfileStore()
            backup = team_backup(_store(db, team), profiles.people(), profiles.me())
            payload = backup_bytes(backup)
        except CrossdealError as error:
            fail(error)
        sys.stdout.buffer.write(payload)
        sys.stdout.buffer.flush()

    def _restore(file: Path, output: OutputFormat, db: str | None, team: str | None) -> None:
        from crossdeal.cli import render as _render
        from crossdeal.people.store import ProfileStore
        from crossdeal.pipeline.backup import read_backup, restore, restore_people

        try:
            backup = read_backup(file)
            profiles = ProfileStore()
            if backup.people or backup.me:
                # read the people files first: one that cannot be read stops the restore
                # before the database is written, not after
                profiles.people()
                profiles.me()
            store = _store(db, team)
            report = restore(store, backup).model_copy(update={"file": file.name})
            report = restore_people(profiles, backup, report)
        except KeyboardInterrupt:
            _interrupted("restored")
        except CrossdealError as error:
            fail(error)
        if output is OutputFormat.json:
            emit_json(report)
        else:
            _render.restore_report(console(), report, _team_flag(store.team_name))

    def _listing_limit(limit: int | None, output: OutputFormat) -> int | None:
        # a terminal table of 20,000 deals helps no one; JSON is for programs
        if limit is None:
            return None if output is OutputFormat.json else TEXT_LIMIT
        return limit or None

    deals_app = typer.Typer(
        invoke_without_command=True, help="The pipeline as a table, with risk signals."
    )
    app.add_typer(deals_app, name="deals")

    @deals_app.callback()
    def deals(
        ctx: typer.Context,
        country: Annotated[
            str | None, typer.Option(help="Only accounts in this country or culture.")
        ] = None,
        at_risk: Annotated[
            bool, typer.Option("--at-risk", help="Only open deals with a watch or high signal.")
        ] = False,
        outcome: Annotated[str, typer.Option(help="open, won, lost or all.")] = "open",
        limit: Annotated[
            int | None,
            typer.Option(
                help=f"Show at most this many (0 for all; text shows {TEXT_LIMIT} by default, "
                "JSON all).",
                min=0,
            ),
        ] = None,
        output: FormatOption = OutputFormat.text,
        db: DbOption = None,
        team: TeamOption = None,
    ) -> None:
        """List deals with their risk signals (open deals by default)."""
        ctx.obj = (db, team)
        if ctx.invoked_subcommand is not None:
            return
        from crossdeal.cli import layout as _layout

        try:
            store = _store(db, team)
            listing = store.deals(
                country=country,
                at_risk=at_risk,
                outcome=None if outcome == "all" else outcome,
                limit=_listing_limit(limit, output),
            )
        except CrossdealError as error:
            fail(error)
        if output is OutputFormat.json:
            emit_json(listing)
        else:
            _layout.deals(text_writer(), listing)

    @deals_app.command("add")
    def deals_add(
        ctx: typer.Context,
        name: Annotated[str, typer.Argument(help="The deal's name.")],
        account: Annotated[str, typer.Option(help="The account (see `crossdeal accounts add`).")],
        amount: Annotated[float | None, typer.Option(help="Amount.")] = None,
        currency: Annotated[str, typer.Option(help="Currency code.")] = "USD",
        owner: Annotated[str | None, typer.Option(help="The seller who owns it.")] = None,
        stage: Annotated[str | None, typer.Option(help="Your stage name.")] = None,
        created: Annotated[
            str | None, typer.Option(help="Created on (YYYY-MM-DD; default today).")
        ] = None,
        close: Annotated[str | None, typer.Option(help="Expected close date (YYYY-MM-DD).")] = None,
        budget: Annotated[
            bool, typer.Option("--budget-confirmed", help="BANT: budget confirmed.")
        ] = False,
        authority: Annotated[
            bool, typer.Option("--authority-identified", help="BANT: authority identified.")
        ] = False,
        need: Annotated[str | None, typer.Option(help="BANT: the need.")] = None,
        timing: Annotated[str | None, typer.Option(help="BANT: the timing.")] = None,
        standard_offer: Annotated[
            bool, typer.Option("--standard-offer", help="The offer is a standard package.")
        ] = False,
        notes: Annotated[str | None, typer.Option(help="Notes.")] = None,
    ) -> None:
        """Add an open deal."""
        db, team = ctx.obj
        try:
            store = _store(db, team)
            deal_id = store.add_deal(
                name,
                account,
                owner=owner,
                amount=amount,
                currency=currency,
                stage=stage,
                created_on=date_option(created, "created") or date.today(),
                expected_close=date_option(close, "close"),
                budget_confirmed=budget,
                authority_identified=authority,
                need=need,
                timing=timing,
                standard_offer=standard_offer,
                notes=notes,
            )
        except CrossdealError as error:
            fail(error)
        console().print(f"Added deal {deal_id}: crossdeal deal {deal_id}")

    accounts_app = typer.Typer(
        invoke_without_command=True, help="Accounts: the buying companies and their country."
    )
    app.add_typer(accounts_app, name="accounts")

    @accounts_app.callback()
    def accounts(
        ctx: typer.Context,
        country: Annotated[
            str | None, typer.Option(help="Only accounts in this country or culture.")
        ] = None,
        output: FormatOption = OutputFormat.text,
        db: DbOption = None,
        team: TeamOption = None,
    ) -> None:
        """List the accounts with their culture, observed norms and open deals."""
        if ctx.invoked_subcommand is not None:
            return
        _listing(output, lambda: _store(db, team).accounts(country=country), "accounts")

    @accounts_app.command("add")
    def accounts_add(
        name: Annotated[str, typer.Argument(help="The company's name.")],
        country: Annotated[str, typer.Option(help="Its country or culture.")],
        industry: Annotated[str | None, typer.Option(help="Its industry.")] = None,
        observe: Annotated[
            list[str] | None, typer.Option("--observe", help="Company norms you observed.")
        ] = None,
        db: DbOption = None,
        team: TeamOption = None,
    ) -> None:
        """Add an account (or update the one with the same name)."""
        try:
            account_id = _store(db, team).add_account(name, country, industry, observe or ())
        except CrossdealError as error:
            fail(error)
        console().print(f"Account {account_id}: {safe(name)}")

    from crossdeal.cli import edits as _cli_edits

    _cli_edits.register(DEAL_ACTIONS, deals_app, accounts_app)

    sellers_app = typer.Typer(
        invoke_without_command=True, help="The sellers of the team and their home culture."
    )
    app.add_typer(sellers_app, name="sellers")

    @sellers_app.callback()
    def sellers(
        ctx: typer.Context,
        output: FormatOption = OutputFormat.text,
        db: DbOption = None,
        team: TeamOption = None,
    ) -> None:
        """List the sellers with their home culture and their open, won and lost deals."""
        if ctx.invoked_subcommand is not None:
            return
        _listing(output, lambda: _store(db, team).sellers(), "sellers")

    contacts_app = typer.Typer(
        invoke_without_command=True,
        help="The buyers' people in the pipeline; what is held about one, or erase them.",
    )
    app.add_typer(contacts_app, name="contacts")

    @contacts_app.callback()
    def contacts(
        ctx: typer.Context,
        account: Annotated[
            str | None, typer.Option(help="Only the contacts of this account (its name).")
        ] = None,
        output: FormatOption = OutputFormat.text,
        db: DbOption = None,
        team: TeamOption = None,
    ) -> None:
        """List the contacts: account, culture, committee role, deals."""
        ctx.obj = (db, team)
        if ctx.invoked_subcommand is not None:
            return
        _listing(output, lambda: _store(db, team).contacts(account=account), "contacts")

    PersonName = Annotated[str, typer.Argument(metavar="NAME", help="The person's full name.")]
    OnAccount = Annotated[
        str | None, typer.Option(help="Only their contact on this account (its name).")
    ]

    @contacts_app.command("export")
    def contacts_export(ctx: typer.Context, name: PersonName, account: OnAccount = None) -> None:
        """Everything held about one person, as JSON: their contacts, committees,
        activities, every note that writes their name, and the saved person."""
        from crossdeal.people.store import ProfileStore
        from crossdeal.pipeline import privacy

        db, team = ctx.obj
        try:
            held = privacy.personal_data(_store(db, team), name, ProfileStore(), account)
        except CrossdealError as error:
            fail(error)
        emit_json(held)

    @contacts_app.command("erase")
    def contacts_erase(
        ctx: typer.Context,
        name: PersonName,
        account: OnAccount = None,
        dry_run: Annotated[
            bool, typer.Option("--dry-run", help="Say what would be erased; change nothing.")
        ] = False,
        yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask first.")] = False,
        output: FormatOption = OutputFormat.text,
    ) -> None:
        """Erase a person: their contacts and saved person go, and their full name is
        replaced in every note. Deals and activities stay."""
        from crossdeal.cli import render as _render
        from crossdeal.people.store import ProfileStore
        from crossdeal.pipeline import privacy

        db, team = ctx.obj
        try:
            store, people = _store(db, team), ProfileStore()
            plan = privacy.erase_person(store, name, people, account, dry_run=True)
            if dry_run:
                report = plan
            else:
                confirm(f"This erases {plan.name}: {_render.erasure_summary(plan)}", yes)
                report = privacy.erase_person(store, name, people, account)
        except CrossdealError as error:
            fail(error)
        if output is OutputFormat.json:
            emit_json(report)
        else:
            _render.erasure(console(), report)

    @sellers_app.command("add")
    def sellers_add(
        name: Annotated[str, typer.Argument(help="The seller's name.")],
        culture: Annotated[str, typer.Option(help="Their home culture.")],
        email: Annotated[str | None, typer.Option(help="Their email.")] = None,
        db: DbOption = None,
        team: TeamOption = None,
    ) -> None:
        """Add a seller (or update the one with the same name)."""
        try:
            seller_id = _store(db, team).add_seller(name, culture, email)
        except CrossdealError as error:
            fail(error)
        console().print(f"Seller {seller_id}: {safe(name)}")

    deal_actions = DEAL_ACTIONS

    @app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
    def deal(
        ctx: typer.Context,
        deal_ref: Annotated[
            str, typer.Argument(metavar="DEAL", help="The deal's number, or its name.")
        ],
        action: Annotated[
            str | None,
            typer.Argument(
                help="Nothing to show the deal; add-contact, log, update, close, reopen or "
                "remove-contact to change it.",
                show_default=False,
            ),
        ] = None,
        output: FormatOption = OutputFormat.text,
        db: DbOption = None,
        team: TeamOption = None,
    ) -> None:
        """One deal: BANT, buying committee, activities, briefing and risk signals.

        crossdeal deal 42 · crossdeal deal 42 add-contact NAME --role decision-maker --culture JP ·
        crossdeal deal 42 log video --with NAME --note "..." ·
        crossdeal deal 42 update --stage negotiation --close-date 2027-03-31 ·
        crossdeal deal 42 close lost --reason price · crossdeal deal 42 reopen
        """
        if action is not None:
            command = typer.main.get_command(deal_actions)
            try:
                code = command.main(
                    args=[action, *ctx.args],
                    prog_name=f"crossdeal deal {deal_ref}",
                    obj=(deal_ref, db, team, output),
                    standalone_mode=False,
                )
            except click_exceptions() as error:
                error.show()  # type: ignore[attr-defined]
                raise typer.Exit(2) from None
            if isinstance(code, int) and code:
                raise typer.Exit(code)
            return
        if ctx.args:
            fail(CrossdealError(f"unexpected argument(s): {' '.join(ctx.args)}"))
        from crossdeal.cli import render as _render

        try:
            from crossdeal.pipeline.forecasting import deal_forecast

            store = _store(db, team)
            view = store.deal(store.find_deal(deal_ref))
            if view.deal.outcome == "open":
                view = view.model_copy(update={"forecast": deal_forecast(store, view.deal.id)})
        except CrossdealError as error:
            fail(error)
        if output is OutputFormat.json:
            emit_json(view)
        else:
            _render.deal(console(), view)

    @deal_actions.command("add-contact")
    def add_contact(
        ctx: typer.Context,
        name: Annotated[str, typer.Argument(help="The person's name.")],
        role: Annotated[
            str | None,
            typer.Option(
                help="decision-maker, economic-buyer, champion, influencer, user or gatekeeper."
            ),
        ] = None,
        culture: Annotated[
            str | None, typer.Option(help="Their culture, if not the account's.")
        ] = None,
        seniority: Annotated[str | None, typer.Option(help="Their seniority or title.")] = None,
        observe: Annotated[
            list[str] | None, typer.Option("--observe", help="Observed behaviour. Repeatable.")
        ] = None,
    ) -> None:
        """Add a person to the deal's buying committee."""
        deal_ref, db, team, _ = ctx.obj
        try:
            store = _store(db, team)
            contact_id = store.add_contact(deal_ref, name, role, culture, seniority, observe or ())
            deal_id = store.find_deal(deal_ref)
        except CrossdealError as error:
            fail(error)
        console().print(f"{safe(name)} is on deal {deal_id}'s committee (contact {contact_id}).")

    @deal_actions.command("log")
    def log(
        ctx: typer.Context,
        channel: Annotated[str, typer.Argument(help="email, call, video, in-person or chat.")],
        with_: Annotated[
            list[str] | None, typer.Option("--with", help="Who took part. Repeatable.")
        ] = None,
        note: Annotated[str | None, typer.Option(help="What happened, or what they wrote.")] = None,
        inbound: Annotated[
            bool, typer.Option("--inbound", help="They reached out or replied.")
        ] = False,
        on: Annotated[
            str | None, typer.Option("--on", help="When (YYYY-MM-DD; default today).")
        ] = None,
    ) -> None:
        """Log an activity on the deal (an inbound note is read by the message coach)."""
        deal_ref, db, team, _ = ctx.obj
        try:
            store = _store(db, team)
            activity_id = store.log_activity(
                deal_ref,
                channel,
                with_ or (),
                note,
                "inbound" if inbound else "outbound",
                date_option(on, "date"),
            )
            deal_id = store.find_deal(deal_ref)
        except CrossdealError as error:
            fail(error)
        console().print(f"Logged {channel} on deal {deal_id} (activity {activity_id}).")

    @app.command()
    def forecast(
        limit: Annotated[
            int | None,
            typer.Option(help="How many deals to show, by expected value (0: all).", min=0),
        ] = None,
        as_of: Annotated[
            str | None, typer.Option("--as-of", help="Forecast as of this day (YYYY-MM-DD).")
        ] = None,
        by: Annotated[
            str,
            typer.Option(help="Group the totals by market, country, owner or quarter."),
        ] = "market",
        quarter: Annotated[
            str | None,
            typer.Option(
                help="A quarter such as 2027Q2: each deal's chance of a win inside it, "
                "and the totals for it."
            ),
        ] = None,
        refit: Annotated[
            bool,
            typer.Option(
                "--refit",
                help="Fit the model anew (it is refitted by itself once ten, or a tenth, "
                "of the closed deals differ from those it learned from).",
            ),
        ] = False,
        chart: ChartOption = None,
        engine: EngineOption = "local",
        output: FormatOption = OutputFormat.text,
        db: DbOption = None,
        team: TeamOption = None,
    ) -> None:
        """Open deals: win probability, close-date range (P50, P80) and expected value."""
        from crossdeal.cli import render as _render
        from crossdeal.pipeline.forecasting import forecast_report

        groupings = ("market", "country", "owner", "quarter")
        try:
            if by not in groupings:
                raise CrossdealError(f"--by {by!r}: use one of {', '.join(groupings)}")
            day = date_option(as_of, "--as-of")
            with engine_named(engine) as runner:
                report = forecast_report(
                    _store(db, team),
                    as_of=day,
                    limit=_listing_limit(limit, output),
                    by=by,  # type: ignore[arg-type]
                    period=quarter,
                    refit=refit,
                    engine=runner,
                )
            if chart is not None:
                from crossdeal.charts import forecast_charts, stack

                write_chart(chart, stack(forecast_charts(report)))
        except CrossdealError as error:
            fail(error)
        if output is OutputFormat.json:
            emit_json(report)
        else:
            _render.forecast(console(), report, None)

    @app.command()
    def backtest(
        as_of: Annotated[
            list[str] | None,
            typer.Option(
                "--as-of",
                help="A cut-off day (YYYY-MM-DD); repeat for several. Default: the starts "
                "of the last four quarters at least 90 days back.",
                show_default=False,
            ),
        ] = None,
        chart: ChartOption = None,
        output: FormatOption = OutputFormat.text,
        db: DbOption = None,
        team: TeamOption = None,
    ) -> None:
        """How good the forecast has been on this team's history, against the baselines."""
        from crossdeal.cli import render as _render
        from crossdeal.pipeline.forecasting import backtest_report

        try:
            days = [d for d in (date_option(text, "--as-of") for text in as_of or []) if d]
            report = backtest_report(_store(db, team), days)
            if chart is not None:
                from crossdeal.charts import calibration_chart

                write_chart(chart, calibration_chart(report))
        except CrossdealError as error:
            fail(error)
        if output is OutputFormat.json:
            emit_json(report)
        else:
            _render.backtest(console(), report)

    @app.command()
    def gap(
        target: Annotated[
            float, typer.Option(help="The revenue target of the period.", show_default=False)
        ],
        period: Annotated[str, typer.Option(help="The quarter, e.g. 2027Q2.", show_default=False)],
        inbound_leads: Annotated[
            int, typer.Option(help="Inbound leads expected in the period.", min=0)
        ] = 0,
        nurture_leads: Annotated[
            int, typer.Option(help="Leads in nurture campaigns in the period.", min=0)
        ] = 0,
        inbound_rate: Annotated[
            float | None,
            typer.Option(help="Your share of inbound leads that become a deal (default 0.10)."),
        ] = None,
        nurture_rate: Annotated[
            float | None,
            typer.Option(help="Your share of nurtured leads that become a deal (default 0.02)."),
        ] = None,
        as_of: Annotated[
            str | None, typer.Option("--as-of", help="Work it out as of this day (YYYY-MM-DD).")
        ] = None,
        chart: ChartOption = None,
        engine: EngineOption = "local",
        output: FormatOption = OutputFormat.text,
        db: DbOption = None,
        team: TeamOption = None,
    ) -> None:
        """The revenue gap of a quarter, and the leads it takes to fill it, per market."""
        from crossdeal.cli import render as _render
        from crossdeal.pipeline.forecasting import gap_report

        try:
            with engine_named(engine) as runner:
                report = gap_report(
                    _store(db, team),
                    target,
                    period,
                    inbound_leads,
                    nurture_leads,
                    inbound_rate,
                    nurture_rate,
                    date_option(as_of, "--as-of"),
                    engine=runner,
                )
            if chart is not None:
                from crossdeal.charts import gap_charts, stack

                write_chart(chart, stack(gap_charts(report)))
        except CrossdealError as error:
            fail(error)
        if output is OutputFormat.json:
            emit_json(report)
        else:
            _render.gap(console(), report)

    @app.command()
    def export(
        output: Annotated[
            str,
            typer.Option(
                "--format",
                "-f",
                help="csv or json (the deals, with risk signals), or crossdeal (a backup of "
                "the whole team that crossdeal import restores).",
            ),
        ] = "csv",
        db: DbOption = None,
        team: TeamOption = None,
    ) -> None:
        """Write the whole pipeline to standard output: the deals, or a backup of the team."""
        from crossdeal.pipeline.export import write_csv, write_json

        if output not in ("csv", "json", "crossdeal"):
            fail(CrossdealError(f"--format {output!r}: use csv, json or crossdeal"))
        if output == "crossdeal":
            _export_backup(db, team)
            return
        try:
            rows = _store(db, team).export_rows()
            if output == "csv":
                write_csv(rows, sys.stdout)
            else:
                write_json(rows, sys.stdout)
        except CrossdealError as error:
            fail(error)
