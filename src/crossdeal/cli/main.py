"""The ``crossdeal`` command line: parse, call the library, print. Nothing else.

Every error crossdeal raises on purpose becomes one line on stderr and exit code 2;
anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from crossdeal.cli.common import (
    FormatOption,
    KindFilter,
    ModelOption,
    OutputFormat,
    PracticesOption,
    ReaderRank,
    RulesOption,
    date_option,
    safe,
    say_on_stderr,
    show_warnings_as_lines,
    text_writer,
)
from crossdeal.cli.common import (
    console as _console,
)
from crossdeal.cli.common import (
    emit_json as _json,
)
from crossdeal.cli.common import (
    fail as _fail,
)
from crossdeal.errors import CrossdealError, UnknownCultureError

if TYPE_CHECKING:
    from crossdeal._api import Side
    from crossdeal.culture.individual import PersonEstimate
    from crossdeal.playbook.briefing import Briefing, PersonReport

app = typer.Typer(
    name="crossdeal",
    help=(
        "Close B2B deals across national cultures: briefings, distances and advice "
        "that explains itself."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _print_version(value: bool) -> None:
    if value:
        from crossdeal import __version__

        sys.stdout.write(f"crossdeal {__version__}\n")
        raise typer.Exit()


@app.callback()
def _every_command(
    team: Annotated[
        str | None,
        typer.Option(
            "--team",
            help="The team every pipeline command acts on (default: $CROSSDEAL_TEAM, else "
            "'local'); a command's own --team wins.",
            show_default=False,
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version", help="Print the version and stop.", is_eager=True, callback=_print_version
        ),
    ] = False,
) -> None:
    from crossdeal.cli import pipeline as _cli_pipeline

    show_warnings_as_lines()
    # set on every run, so that one invocation's team never carries over to the next
    _cli_pipeline.ROOT_TEAM[:] = [team] if team else []


@app.command()
def countries(
    kind: Annotated[
        KindFilter | None, typer.Option(help="Only countries, regions or sub-national samples.")
    ] = None,
    output: FormatOption = OutputFormat.text,
    model: ModelOption = None,
) -> None:
    """Every culture with the dimensions it has data for."""
    import crossdeal

    try:
        result = crossdeal.countries(model=model, kind=kind.value if kind else None)
    except CrossdealError as error:
        _fail(error)
    if output is OutputFormat.json:
        _json(result)
    else:
        from crossdeal.cli import render as _render

        _render.countries(_console(), result)


@app.command()
def profile(
    culture: Annotated[str, typer.Argument(help='A country or culture: "India", "IN", "IND".')],
    output: FormatOption = OutputFormat.text,
    model: ModelOption = None,
) -> None:
    """One culture's scores, levels and source."""
    import crossdeal

    try:
        result = crossdeal.profile(culture, model=model)
    except CrossdealError as error:
        _fail(error)
    if output is OutputFormat.json:
        _json(result)
    else:
        from crossdeal.cli import render as _render

        _render.profile(_console(), result)


@app.command()
def compare(
    seller: Annotated[str, typer.Argument(help="The seller's culture.")],
    buyer: Annotated[str, typer.Argument(help="The buyer's culture.")],
    output: FormatOption = OutputFormat.text,
    model: ModelOption = None,
) -> None:
    """Per-dimension gaps, Kogut–Singh and Euclidean distance, and common ground."""
    import crossdeal

    try:
        result = crossdeal.compare(seller, buyer, model=model)
    except CrossdealError as error:
        _fail(error)
    if output is OutputFormat.json:
        _json(result)
    else:
        from crossdeal.cli import render as _render

        _render.compare(_console(), result)


@app.command()
def brief(
    seller: Annotated[
        str, typer.Option("--seller", "-s", help='Your culture, or "me" for your self-assessment.')
    ],
    buyer: Annotated[
        str,
        typer.Option(
            "--buyer",
            "-b",
            help="The buyer: a culture, a saved person, or a contact on one of your deals.",
        ),
    ],
    output: FormatOption = OutputFormat.text,
    model: ModelOption = None,
    rules: RulesOption = None,
    cycle_per_unit: Annotated[
        float | None,
        typer.Option(help="Cycle prior: extra cycle length per Kogut–Singh unit (default 0.12)."),
    ] = None,
    cycle_cap: Annotated[
        float | None, typer.Option(help="Cycle prior: largest multiplier (default 1.75).")
    ] = None,
    short: Annotated[
        bool,
        typer.Option("--short", help="Only the first screen: the three things that matter most."),
    ] = False,
    practices: PracticesOption = None,
    no_fallback: Annotated[
        bool,
        typer.Option(
            "--no-fallback",
            help="Never borrow a region's or a country's data for a culture that lacks its own.",
        ),
    ] = False,
    on: Annotated[
        str | None,
        typer.Option("--on", help="The day of the call, YYYY-MM-DD: the next 60 days start here."),
    ] = None,
    tz: Annotated[
        str | None,
        typer.Option("--tz", help="Your time zone (Europe/Berlin), if not your culture's."),
    ] = None,
    subdivision: Annotated[
        str | None,
        typer.Option(
            "--subdivision", help="The buyer's state or region, for its own holidays (BY, MH ...)."
        ),
    ] = None,
) -> None:
    """The pre-call briefing: risks for this pair, common ground, channel, cycle length,
    the buyer's next 60 days, office hours and how to address them."""
    from dataclasses import replace

    import crossdeal
    from crossdeal.forecast import default_cycle_prior

    try:
        prior = None
        if cycle_per_unit is not None or cycle_cap is not None:
            base = default_cycle_prior()
            prior = replace(
                base,
                per_kogut_singh_unit=(
                    cycle_per_unit if cycle_per_unit is not None else base.per_kogut_singh_unit
                ),
                cap=cycle_cap if cycle_cap is not None else base.cap,
            )
        day = date_option(on, "--on")

        def briefing(seller_side: Side, buyer_side: Side) -> Briefing:
            return crossdeal.brief(
                seller_side,
                buyer_side,
                model=model,
                rules=rules or (),
                cycle_prior=prior,
                practices=practices or None,
                fallback=not no_fallback,
                practical=True,
                on=day,
                seller_zone=tz,
                subdivision=subdivision,
            )

        try:
            result = briefing(seller, buyer)
        except UnknownCultureError:
            # not a culture nor a saved person: perhaps a contact on one of the team's deals
            from crossdeal._api import _model
            from crossdeal.cli.pipeline import contacts_as_people

            sides = contacts_as_people(
                (seller, buyer), _model(model, practices or None, not no_fallback)
            )
            if sides is None:
                raise
            result = briefing(*sides)
    except CrossdealError as error:
        _fail(error)
    if output is OutputFormat.json:
        _json(result)
    else:
        from crossdeal.cli import layout as _layout

        _layout.briefing(text_writer(), result, short=short)


@app.command("calendar")
def calendar_command(
    country: Annotated[
        str, typer.Argument(help='The country: "India", "IN", "IND", "Saudi Arabia".')
    ],
    start: Annotated[
        str | None, typer.Option("--from", help="First day, YYYY-MM-DD (default: today).")
    ] = None,
    days: Annotated[int, typer.Option("--days", help="How many days to show (1-400).")] = 30,
    with_country: Annotated[
        str | None,
        typer.Option("--with", help="Your own country: both calendars and your shared hours."),
    ] = None,
    subdivision: Annotated[
        str | None,
        typer.Option("--subdivision", help="A state or region for its own holidays (BY, MH ...)."),
    ] = None,
    output: FormatOption = OutputFormat.text,
) -> None:
    """Holidays, weekends and business periods ahead, with office hours, fiscal year and
    how to address people."""
    import crossdeal

    try:
        result = crossdeal.business_calendar(
            country,
            start=date_option(start, "--from"),
            days=days,
            with_country=with_country,
            subdivision=subdivision,
        )
    except CrossdealError as error:
        _fail(error)
    if output is OutputFormat.json:
        _json(result)
    else:
        from crossdeal.cli import layout as _layout

        _layout.calendar(text_writer(), result)


@app.command("rules")
def list_rules(
    rules: RulesOption = None,
    theme: Annotated[str | None, typer.Option(help="Only rules of this theme.")] = None,
    output: FormatOption = OutputFormat.text,
) -> None:
    """List the playbook rules (and check your own rule files with --rules)."""
    from crossdeal.playbook import Playbook, themes

    try:
        playbook = Playbook.load(rules or ())
        if theme is not None and theme not in themes():
            raise CrossdealError(f"unknown theme {theme!r}; themes are: {', '.join(themes())}")
    except CrossdealError as error:
        _fail(error)
    items = [r for r in playbook.rules if theme is None or r.theme == theme]
    if output is OutputFormat.json:
        import json

        rows = [
            {
                "id": r.id,
                "theme": r.theme,
                "title": r.title,
                "when": r.when.text,
                "severity": [{"level": level, "when": c.text} for level, c in r.severity],
                "advice": list(r.advice),
                "questions": list(r.questions),
                "rationale": r.rationale,
                "sources": list(r.sources),
                "channel": {"mode": r.channel.mode, "advice": r.channel.advice}
                if r.channel
                else None,
                "file": r.file,
                "line": r.line,
            }
            for r in items
        ]
        sys.stdout.write(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
    else:
        from crossdeal.cli import render as _render

        _render.rules(_console(), items)


def _read(source: str, what: str) -> str:
    from crossdeal._textfile import read_text

    got = read_text(source, what)
    notes = []
    if got.encoding not in ("utf-8", "utf-8-sig"):
        notes.append(f"read as {got.encoding}")
    if got.cut:
        notes.append("the file is very large; only its first megabyte was read")
    if notes:
        say_on_stderr(f"[dim]Note: {'; '.join(notes)}.[/dim]")
    return got.text


@app.command()
def lint(
    draft: Annotated[
        str, typer.Argument(help='The draft: a text file, or "-" to read standard input.')
    ],
    to: Annotated[str, typer.Option("--to", "-t", help="The reader's culture.")],
    sender: Annotated[
        str | None, typer.Option("--from", help="Your culture (sharpens some findings).")
    ] = None,
    reader_rank: Annotated[
        ReaderRank | None,
        typer.Option(
            "--reader-rank",
            help="The reader's seniority, if you know it (checks who a decision is asked of).",
        ),
    ] = None,
    on: Annotated[
        str | None,
        typer.Option("--on", help="The day you write, YYYY-MM-DD: dates are read from it."),
    ] = None,
    reader: Annotated[
        str | None,
        typer.Option("--reader", help='The reader\'s name ("Zhang Wei"), for the greeting.'),
    ] = None,
    subdivision: Annotated[
        str | None,
        typer.Option(
            "--subdivision",
            help="The reader's state or region for its holidays (BY, MH ...); else a city "
            "the draft names decides.",
        ),
    ] = None,
    output: FormatOption = OutputFormat.text,
    model: ModelOption = None,
) -> None:
    """Check an email draft for its reader's culture: what may land wrongly, and a fix.
    Dates in it are checked against the reader's holidays, weekends and periods."""
    import crossdeal

    try:
        text = _read(draft, "draft")
        result = crossdeal.lint_message(
            text,
            to=to,
            sender=sender,
            model=model,
            reader_rank=reader_rank.value if reader_rank else None,
            on=date_option(on, "--on"),
            reader=reader,
            subdivision=subdivision,
        )
    except CrossdealError as error:
        _fail(error)
    if output is OutputFormat.json:
        _json(result)
    else:
        from crossdeal.cli import render as _render

        _render.lint(_console(), result, text)


@app.command()
def reply(
    message: Annotated[
        str, typer.Argument(help='The reply: a text file, or "-" for standard input.')
    ],
    sender: Annotated[str, typer.Option("--from", help="The culture of the person who replied.")],
    to: Annotated[str | None, typer.Option("--to", help="Your own culture.")] = None,
    asked: Annotated[
        Path | None,
        typer.Option("--asked", help="Your earlier message, to find points left unanswered."),
    ] = None,
    output: FormatOption = OutputFormat.text,
    model: ModelOption = None,
) -> None:
    """Read a reply: does its yes commit to anything, and what may it really mean?"""
    import crossdeal

    try:
        text = _read(message, "reply")
        earlier = _read(str(asked), "earlier message") if asked is not None else None
        result = crossdeal.read_reply(text, sender=sender, to=to, asked=earlier, model=model)
    except CrossdealError as error:
        _fail(error)
    if output is OutputFormat.json:
        _json(result)
    else:
        from crossdeal.cli import render as _render

        _render.reply(_console(), result)


template_app = typer.Typer(
    help="Email templates with slots for the personal touch, fitted to the reader."
)
app.add_typer(template_app, name="template")


@template_app.command("list")
def template_list(output: FormatOption = OutputFormat.text) -> None:
    """Every template, with what it is for."""
    from crossdeal.messages.templates import slot_info, templates

    found = templates()
    if output is OutputFormat.json:
        import json

        rows = [
            {
                "name": t.name,
                "title": t.title,
                "use": t.use,
                "slots": [s.model_dump() for s in slot_info(t)],
            }
            for t in found.values()
        ]
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return
    from crossdeal.cli import render as _render

    _render.template_list(_console(), list(found.values()))


@template_app.command("show")
def template_show(name: Annotated[str, typer.Argument(help="The template's name.")]) -> None:
    """A template's slots and text."""
    from crossdeal.messages.templates import templates

    found = templates()
    if name not in found:
        _fail(CrossdealError(f"no template named {name!r}; templates are: {', '.join(found)}"))
    from crossdeal.cli import render as _render

    _render.template_show(_console(), found[name])


@template_app.command("render")
def template_render(
    name: Annotated[
        str, typer.Argument(help="The template's name (see `crossdeal template list`).")
    ],
    to: Annotated[str, typer.Option("--to", "-t", help="The reader's culture.")],
    var: Annotated[
        list[str] | None, typer.Option("--var", help="A slot value, as slot=value. Repeatable.")
    ] = None,
    sender: Annotated[str | None, typer.Option("--from", help="Your culture.")] = None,
    output: FormatOption = OutputFormat.text,
) -> None:
    """Fill a template for a reader; the result is checked by the coach."""
    from crossdeal.messages.templates import render_template

    try:
        values: dict[str, str] = {}
        for item in var or []:
            key, sep, value = item.partition("=")
            if not sep or not key.strip():
                raise CrossdealError(f"--var {item!r} is not slot=value")
            values[key.strip()] = value
        result = render_template(name, to=to, values=values, sender=sender)
    except CrossdealError as error:
        _fail(error)
    if output is OutputFormat.json:
        _json(result)
    else:
        from crossdeal.cli import render as _render

        _render.template_rendering(_console(), result)


@app.command()
def assess(
    answers: Annotated[
        Path | None,
        typer.Option(
            "--answers", help="A YAML file of answers (item id: 1-5) instead of the questions."
        ),
    ] = None,
    culture: Annotated[str | None, typer.Option("--culture", help="Your home culture.")] = None,
    output: FormatOption = OutputFormat.text,
) -> None:
    """Your self-assessment: 26 short statements about how you work (under 5 minutes)."""
    import crossdeal
    from crossdeal.culture.assessment import questionnaire

    q = questionnaire()
    try:
        if answers is not None:
            given, from_file = _answers_file(answers)
            culture = culture or from_file
            if not culture:
                raise CrossdealError(
                    "say which culture you come from: --culture US (or 'culture:' in the file)"
                )
        else:
            culture, given = _ask(q, culture)
        estimate = crossdeal.assess(given, culture)
    except CrossdealError as error:
        _fail(error)
    if output is OutputFormat.json:
        _json(_me_report(estimate))
    else:
        from crossdeal.cli import render as _render
        from crossdeal.people import ProfileStore

        _render.me(_console(), _me_report(estimate))
        _console().print(f"[dim]Saved to {ProfileStore().me_path}[/dim]")


def _answers_file(path: Path) -> tuple[dict[str, int], str | None]:
    from crossdeal._yaml import load_yaml
    from crossdeal.errors import DataFileError

    data = load_yaml(path, error=DataFileError)
    if not isinstance(data, dict):
        raise DataFileError("expected a mapping of item ids to answers (1-5)", path)
    culture = data.get("culture")
    body = data.get("answers", data)
    if not isinstance(body, dict):
        raise DataFileError("'answers' must map item ids to answers (1-5)", path)
    return {str(k): v for k, v in body.items() if k != "culture"}, str(culture) if culture else None


def _ask(q: object, culture: str | None) -> tuple[str, dict[str, int]]:
    from rich.console import Console
    from rich.prompt import IntPrompt, Prompt

    import crossdeal

    console = Console(highlight=False, emoji=False)
    while culture is None:
        typed = Prompt.ask("Which country or culture do you come from?", console=console)
        try:
            culture = crossdeal.default_model().resolve(typed).code
        except CrossdealError as error:
            console.print(f"[red]{error}[/red]")
    items = q.items  # type: ignore[attr-defined]
    scale = q.scale  # type: ignore[attr-defined]
    console.print(
        "For each statement, answer how true it is of you at work: "
        + ", ".join(f"{k} = {v}" for k, v in scale.items())
    )
    answers: dict[str, int] = {}
    for n, item in enumerate(items, start=1):
        answers[item.id] = IntPrompt.ask(
            f"[dim]{n}/{len(items)}[/dim] {item.text}",
            choices=[str(k) for k in scale],
            show_choices=True,
            console=console,
        )
    return culture, answers


def _me_report(estimate: PersonEstimate) -> PersonReport:
    import crossdeal
    from crossdeal.playbook.people import person_report

    return person_report(estimate, crossdeal.default_model())


@app.command("me")
def show_me(output: FormatOption = OutputFormat.text) -> None:
    """Your profile next to your country's, with the differences named."""
    import crossdeal

    try:
        estimate = crossdeal.me()
    except CrossdealError as error:
        _fail(error)
    if output is OutputFormat.json:
        _json(_me_report(estimate))
    else:
        from crossdeal.cli import render as _render

        _render.me(_console(), _me_report(estimate))


person_app = typer.Typer(help="The people you deal with: their culture and what you have observed.")
app.add_typer(person_app, name="person")


@person_app.command("add")
def person_add(
    name: Annotated[str, typer.Argument(help='The person\'s name, e.g. "Priya Raman".')],
    culture: Annotated[str, typer.Option("--culture", "-c", help="Their culture.")],
    observe: Annotated[
        list[str] | None,
        typer.Option(
            "--observe", "-o", help="An observed behaviour (see `person observations`). Repeatable."
        ),
    ] = None,
    company: Annotated[str | None, typer.Option(help="Their company.")] = None,
    role: Annotated[str | None, typer.Option(help="Their role, e.g. decision-maker.")] = None,
) -> None:
    """Save a person, or replace the saved person of the same name."""
    import crossdeal

    try:
        record = crossdeal.add_person(name, culture, observe or (), company=company, role=role)
        estimate = crossdeal.person(record.name)
    except CrossdealError as error:
        _fail(error)
    from crossdeal.cli import render as _render

    _render.person(_console(), _me_report(estimate))


@person_app.command("observe")
def person_observe(
    name: Annotated[str, typer.Argument(help="A saved person's name.")],
    behaviours: Annotated[list[str], typer.Argument(help="Observed behaviours to add.")],
) -> None:
    """Add observations to a saved person."""
    import crossdeal
    from crossdeal.people import ProfileStore

    try:
        record = ProfileStore().find(name)
        if record is None:
            raise CrossdealError(
                f"no saved person called {name!r}: add them with `crossdeal person add`"
            )
        crossdeal.add_person(
            record.name,
            record.culture,
            [*record.observations, *behaviours],
            company=record.company,
            role=record.role,
        )
        estimate = crossdeal.person(record.name)
    except CrossdealError as error:
        _fail(error)
    from crossdeal.cli import render as _render

    _render.person(_console(), _me_report(estimate))


@person_app.command("show")
def person_show(
    name: Annotated[str, typer.Argument(help="A saved person's name.")],
    output: FormatOption = OutputFormat.text,
) -> None:
    """A person's estimate next to their country's scores."""
    import crossdeal

    try:
        estimate = crossdeal.person(name)
    except CrossdealError as error:
        _fail(error)
    if output is OutputFormat.json:
        _json(_me_report(estimate))
    else:
        from crossdeal.cli import render as _render

        _render.person(_console(), _me_report(estimate))


@person_app.command("list")
def person_list(output: FormatOption = OutputFormat.text) -> None:
    """Everyone you have saved."""
    from crossdeal.people import ProfileStore

    try:
        people = ProfileStore().people()
    except CrossdealError as error:
        _fail(error)
    if output is OutputFormat.json:
        import json

        sys.stdout.write(json.dumps([p.model_dump() for p in people], indent=2) + "\n")
        return
    from crossdeal.cli import render as _render

    _render.people(_console(), people)


@person_app.command("remove")
def person_remove(name: Annotated[str, typer.Argument(help="A saved person's name.")]) -> None:
    """Forget a saved person."""
    from crossdeal.people import ProfileStore

    try:
        removed = ProfileStore().remove_person(name)
    except CrossdealError as error:
        _fail(error)
    _console().print(f"Removed {safe(removed.name)}.")


@person_app.command("observations")
def person_observations(output: FormatOption = OutputFormat.text) -> None:
    """The behaviours you can record, and what each suggests."""
    from crossdeal.culture.individual import observation_vocabulary

    vocabulary = observation_vocabulary()
    if output is OutputFormat.json:
        import json

        rows = [
            {
                "id": o.id,
                "label": o.label,
                "description": o.description,
                "suggests": dict(o.suggests),
                "strength": o.strength,
            }
            for o in vocabulary.values()
        ]
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return
    from crossdeal.cli import render as _render

    _render.observations(_console(), list(vocabulary.values()))


def _register_pipeline() -> None:
    from crossdeal.cli import pipeline as _cli_pipeline
    from crossdeal.cli import server as _cli_server

    _cli_pipeline.register(app)
    _cli_server.register(app)


_register_pipeline()


def main() -> None:
    try:
        app()
    except Exception as exc:
        # Another process held the database longer than the busy timeout (a large
        # import, say): say so, rather than print the driver's traceback. Matched by
        # name, so that commands that never open a database need not import SQLAlchemy.
        orig = str(getattr(exc, "orig", "")).lower()
        if type(exc).__name__ != "OperationalError" or not ("locked" in orig or "lock" in orig):
            raise
        say_on_stderr(
            "[bold red]Error:[/bold red] the database is busy: another crossdeal command "
            "(an import?) is writing to it. Nothing was changed; try again when it has "
            "finished."
        )
        sys.exit(2)


if __name__ == "__main__":  # pragma: no cover
    main()
