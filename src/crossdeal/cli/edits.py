"""The CLI's commands that change or remove pipeline records: `deal N update`, `close`,
`reopen`, `remove-contact`, `deals delete`, `accounts delete` and `deals reasons`.

They parse, call :mod:`crossdeal.pipeline.edits` and print; every deletion says what it
will remove and asks first (``--yes`` in scripts).
"""

# No `from __future__ import annotations`: Typer reads the annotations at run time.
import getpass
import os
from decimal import Decimal
from typing import Annotated, Any

import typer

from crossdeal.cli.common import (
    FormatOption,
    OutputFormat,
    confirm,
    console,
    date_option,
    emit_json,
    fail,
)
from crossdeal.cli.pipeline import DbOption, TeamOption, _store
from crossdeal.errors import CrossdealError

IfVersionOption = Annotated[
    int | None,
    typer.Option(
        "--if-version",
        help="Only if the deal is still at this version (as `crossdeal deal N -f json` "
        "showed it); otherwise nothing changes.",
        min=1,
        show_default=False,
    ),
]


def who() -> str:
    """Who the history records as making a change from the command line."""
    name = os.environ.get("CROSSDEAL_USER")
    if name:
        return name
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in the environment or the password file
        return "unknown"


def _flag(value: str | None, what: str) -> bool | None:
    if value is None:
        return None
    if value.lower() in ("yes", "true", "y"):
        return True
    if value.lower() in ("no", "false", "n"):
        return False
    raise CrossdealError(f"{what} {value!r}: use yes or no")


def _cleared(value: str | None) -> Any:
    # an empty string given on the command line clears the field
    return None if value is not None and not value.strip() else value


def register(deal_actions: typer.Typer, deals_app: typer.Typer, accounts_app: typer.Typer) -> None:
    @deal_actions.command("update")
    def update(
        ctx: typer.Context,
        stage: Annotated[str | None, typer.Option(help="Your stage name.")] = None,
        close_date: Annotated[
            str | None,
            typer.Option("--close-date", help='Expected close date (YYYY-MM-DD; "" clears).'),
        ] = None,
        amount: Annotated[str | None, typer.Option(help='Amount ("" clears).')] = None,
        currency: Annotated[str | None, typer.Option(help="Currency code.")] = None,
        owner: Annotated[
            str | None, typer.Option(help='The seller who owns it ("" for nobody).')
        ] = None,
        name: Annotated[str | None, typer.Option(help="A new name for the deal.")] = None,
        product: Annotated[str | None, typer.Option(help="The product.")] = None,
        need: Annotated[str | None, typer.Option(help="BANT: the need.")] = None,
        timing: Annotated[str | None, typer.Option(help="BANT: the timing.")] = None,
        notes: Annotated[str | None, typer.Option(help="Notes (replace the old ones).")] = None,
        budget: Annotated[
            str | None, typer.Option("--budget-confirmed", help="BANT: yes or no.")
        ] = None,
        authority: Annotated[
            str | None, typer.Option("--authority-identified", help="BANT: yes or no.")
        ] = None,
        if_version: IfVersionOption = None,
    ) -> None:
        """Change a deal's stage, close date, amount, owner or BANT; recorded in its history."""
        from crossdeal.pipeline.edits import DealUpdate, update_deal

        deal_ref, db, team, output = ctx.obj
        given: dict[str, Any] = {}
        try:
            if close_date is not None:
                given["expected_close"] = date_option(_cleared(close_date), "--close-date")
            if amount is not None:
                given["amount"] = None if not amount.strip() else _amount(amount)
            for key, value in (
                ("stage", stage),
                ("currency", currency),
                ("owner", owner),
                ("name", name),
                ("product", product),
                ("need", need),
                ("timing", timing),
                ("notes", notes),
            ):
                if value is not None:
                    given[key] = _cleared(value)
            for key, text, what in (
                ("budget_confirmed", budget, "--budget-confirmed"),
                ("authority_identified", authority, "--authority-identified"),
            ):
                flag = _flag(text, what)
                if flag is not None:
                    given[key] = flag
            changes = _validated(DealUpdate, given)
            report = update_deal(_store(db, team), deal_ref, changes, who(), if_version)
        except CrossdealError as error:
            fail(error)
        _show_change(report, output)

    @deal_actions.command("close")
    def close(
        ctx: typer.Context,
        outcome: Annotated[str, typer.Argument(help="won or lost.")],
        reason: Annotated[
            str | None,
            typer.Option(
                help="Why (required when lost): see `crossdeal deals reasons`.",
                show_default=False,
            ),
        ] = None,
        note: Annotated[str | None, typer.Option(help="What happened, in a sentence.")] = None,
        on: Annotated[
            str | None, typer.Option("--on", help="When it closed (YYYY-MM-DD; default today).")
        ] = None,
        if_version: IfVersionOption = None,
    ) -> None:
        """Close the deal as won or lost, with a reason from the team's list."""
        from crossdeal.pipeline.edits import close_deal

        deal_ref, db, team, output = ctx.obj
        try:
            report = close_deal(
                _store(db, team),
                deal_ref,
                outcome.lower(),
                reason,
                note,
                date_option(on, "--on"),
                who(),
                if_version,
            )
        except CrossdealError as error:
            fail(error)
        _show_change(report, output)

    @deal_actions.command("reopen")
    def reopen(
        ctx: typer.Context,
        stage: Annotated[
            str | None,
            typer.Option(help="Its stage now (default: the one it had before it closed)."),
        ] = None,
        note: Annotated[str | None, typer.Option(help="Why it is open again.")] = None,
        if_version: IfVersionOption = None,
    ) -> None:
        """Make a won or lost deal open again."""
        from crossdeal.pipeline.edits import reopen_deal

        deal_ref, db, team, output = ctx.obj
        try:
            report = reopen_deal(_store(db, team), deal_ref, note, who(), if_version, stage)
        except CrossdealError as error:
            fail(error)
        _show_change(report, output)

    @deal_actions.command("remove-contact")
    def remove_contact(
        ctx: typer.Context,
        name: Annotated[str, typer.Argument(help="The person's name.")],
        yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask first.")] = False,
    ) -> None:
        """Take a person off the deal's buying committee (they stay on the account)."""
        from crossdeal.cli import render as _render
        from crossdeal.pipeline import edits

        deal_ref, db, team, output = ctx.obj
        try:
            store = _store(db, team)
            plan = edits.remove_contact(store, deal_ref, name, dry_run=True)
            confirm(f"This removes {plan.name} from the committee: {plan.describe()}", yes)
            report = edits.remove_contact(store, deal_ref, name)
        except CrossdealError as error:
            fail(error)
        if output is OutputFormat.json:
            emit_json(report)
        else:
            _render.deletion(console(), report)

    @deals_app.command("delete")
    def deals_delete(
        ctx: typer.Context,
        deal_ref: Annotated[
            str, typer.Argument(metavar="DEAL", help="The deal's number, or its name.")
        ],
        yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask first.")] = False,
    ) -> None:
        """Delete a deal with its committee links, activities and history."""
        from crossdeal.cli import render as _render
        from crossdeal.pipeline import edits

        db, team = ctx.obj
        try:
            store = _store(db, team)
            plan = edits.delete_deal(store, deal_ref, dry_run=True)
            confirm(f"This deletes deal {plan.name}: {plan.describe()}", yes)
            report = edits.delete_deal(store, deal_ref)
        except CrossdealError as error:
            fail(error)
        _render.deletion(console(), report)

    @deals_app.command("reasons")
    def deals_reasons(
        output: FormatOption = OutputFormat.text,
    ) -> None:
        """The reasons a deal can be closed won or lost with, and the file they come from."""
        from rich.table import Table

        from crossdeal.cli.layout import escape
        from crossdeal.pipeline.reasons import CloseReasons

        try:
            reasons = CloseReasons.default()
        except CrossdealError as error:
            fail(error)
        if output is OutputFormat.json:
            import json

            print(
                json.dumps(
                    {
                        "schema_version": "crossdeal.close-reasons/1",
                        "file": reasons.path,
                        "reasons": [r.model_dump() for r in reasons.reasons],
                    },
                    indent=2,
                )
            )
            return
        table = Table(title="Close reasons", title_justify="left", header_style="bold")
        for column in ("id", "won", "lost", "when to pick it"):
            table.add_column(column)
        for r in reasons.reasons:
            table.add_row(
                r.id,
                "✓" if "won" in r.outcomes else "",
                "✓" if "lost" in r.outcomes else "",
                escape(r.description),
            )
        out = console()
        out.print(table)
        out.print(f"[dim]From {escape(reasons.path)}[/dim]")

    @accounts_app.command("delete")
    def accounts_delete(
        name: Annotated[str, typer.Argument(help="The account's name.")],
        yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask first.")] = False,
        db: DbOption = None,
        team: TeamOption = None,
    ) -> None:
        """Delete an account with its contacts and deals (and their activities)."""
        from crossdeal.cli import render as _render
        from crossdeal.pipeline import edits

        try:
            store = _store(db, team)
            plan = edits.delete_account(store, name, dry_run=True)
            confirm(f"This deletes account {plan.name}: {plan.describe()}", yes)
            report = edits.delete_account(store, name)
        except CrossdealError as error:
            fail(error)
        _render.deletion(console(), report)


def _show_change(report: Any, output: OutputFormat) -> None:
    from crossdeal.cli import render as _render

    if output is OutputFormat.json:
        emit_json(report)
    else:
        _render.change(console(), report)


def _amount(text: str) -> Decimal:
    from crossdeal.pipeline.store import checked_amount

    return checked_amount(text)


def _validated(model: Any, given: dict[str, Any]) -> Any:
    from pydantic import ValidationError

    from crossdeal._validation import describe

    try:
        return model(**given)
    except ValidationError as exc:
        _, reason = describe(exc)
        raise CrossdealError(reason) from None
