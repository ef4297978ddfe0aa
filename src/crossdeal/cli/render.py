"""Terminal rendering of crossdeal results with Rich. Used by the CLI only."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

from rich import panel as _rich_panel
from rich import table as _rich_table
from rich.console import Console, Group, RenderableType
from rich.measure import Measurement
from rich.segment import Segment
from rich.text import Text

from crossdeal.cli import layout as _layout
from crossdeal.cli.layout import (
    SEVERITY_STYLE,
    WIDE_TABLE,
    distance,
    escape,
    num,
    sample_hint,
    short_money,
    shown_code,
    signed,
)
from crossdeal.cli.plain import Column

if TYPE_CHECKING:
    from rich.console import ConsoleOptions, RenderResult

    from crossdeal.culture.reports import Comparison, CultureList, CultureProfile
    from crossdeal.playbook.briefing import PersonReport
    from crossdeal.playbook.rules import Rule


class Table(_rich_table.Table):
    """A Rich table that drops its box when the output is not a terminal (piped, redirected):
    the columns stay aligned by spaces, so grep, cut and a text file read it cleanly."""

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if not console.is_terminal and self.box is not None:
            self.box = None
            self.show_edge = False
        yield from super().__rich_console__(console, options)


class Panel(_rich_panel.Panel):
    """A Rich panel that, off a terminal, is its title on a line and then its content."""

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if console.is_terminal:
            yield from super().__rich_console__(console, options)
            return
        if self.title:
            yield (
                Text.from_markup(self.title, emoji=False)
                if isinstance(self.title, str)
                else self.title
            )
        yield self.renderable


if TYPE_CHECKING:  # types for annotations only: rendering a briefing loads none of these
    from crossdeal.forecast.backtest import Backtest
    from crossdeal.forecast.gap import GapReport
    from crossdeal.messages.reports import LintReport, MessageFinding, ReplyReport
    from crossdeal.messages.templates import Template, TemplateRendering
    from crossdeal.pipeline.reports import (
        AccountList,
        ChangeReport,
        ContactList,
        DealEventView,
        DealView,
        DeletionReport,
        ErasureReport,
        ForecastFactor,
        ForecastLine,
        ForecastReport,
        ForecastTotal,
        ImportBatchReport,
        ImportReport,
        RestoreReport,
        SellerList,
    )


LEVEL_STYLE = {"low": "blue", "medium": "white", "high": "magenta"}


def countries(console: Console, result: CultureList) -> None:
    table = Table(title=f"Cultures in {escape(result.model.name)}", title_justify="left")
    table.add_column("code", style="bold")
    table.add_column("name")
    table.add_column("kind")
    for key in result.dimensions:
        table.add_column(key, justify="center")
    table.add_column("pr.", justify="center")
    for c in result.cultures:
        has = set(c.available)
        marks = [
            "✓" if k in has else ("~" if k in c.borrowed else "[dim]—[/dim]")
            for k in result.dimensions
        ]
        # a country by its ISO code, which is what people type; the data set's own code
        # (Hofstede's GER) is accepted too and shown beside it when it differs
        shown = c.shown_code
        if shown != c.code:
            shown += f" [dim]{c.code}[/dim]"
        table.add_row(shown, escape(c.name), c.kind, *marks, "✓" if c.practice else "[dim]—[/dim]")
    console.print(table)
    console.print(
        "[dim]code: a country's ISO 3166 code, then the data set's own code where it differs "
        "(either is accepted). "
        "✓ own score · ~ taken from the region or country that covers it · — no data. "
        "pr.: crossdeal's practice coding (docs/practices.md).[/dim]"
    )
    full = sum(1 for c in result.cultures if not c.missing)
    console.print(
        f"{len(result.cultures)} cultures, {full} with every dimension. "
        "— means the data set has no score: it is never filled in."
    )


def profile(console: Console, result: CultureProfile) -> None:
    c = result.culture
    head = f"[bold]{escape(c.name)}[/bold] ({c.shown_code}, {c.kind})"
    if result.iso2 or result.iso3:
        head += f"  ISO {result.iso2 or '—'}/{result.iso3 or '—'}"
    console.print(head)
    table = Table(show_header=True, header_style="bold")
    table.add_column("dimension")
    table.add_column("score", justify="right")
    table.add_column("level")
    table.add_column("low pole ↔ high pole")
    for s in result.scores:
        level = f"[{LEVEL_STYLE[s.level]}]{s.level}[/]" if s.level else "[dim]no data[/dim]"
        table.add_row(
            f"{escape(s.name)} ({s.key})",
            num(s.score) + ("~" if s.taken_from else ""),
            level,
            f"{escape(s.low_pole)} ↔ {escape(s.high_pole)}",
        )
    console.print(table)
    borrowed = sorted({s.taken_from for s in result.scores if s.taken_from})
    if borrowed:
        console.print(f"[yellow]~ taken from {escape(', '.join(borrowed))}[/yellow]")
    if result.practices:
        console.print("[bold]How business is done[/bold] [dim](crossdeal's practice coding)[/dim]")
        practice = Table(show_header=True, header_style="bold")
        practice.add_column("scale (1 ↔ 5)")
        practice.add_column("level", justify="center")
        practice.add_column("what it means")
        practice.add_column("confidence")
        for p in result.practices:
            practice.add_row(
                f"{escape(p.name)} ({escape(p.low_pole)} ↔ {escape(p.high_pole)})",
                "holistic" if p.holistic else str(p.level),
                escape(p.meaning),
                p.confidence,
            )
        console.print(practice)
        origin = result.practices[0].taken_from
        if origin:
            console.print(f"[yellow]Practice positions taken from {escape(origin)}.[/yellow]")
        if result.about:
            console.print(_bullets("•", [result.about]))
        console.print("[dim]Sources and notes for every position: --format json[/dim]")
    if result.missing:
        console.print(
            f"[yellow]No score on: {', '.join(result.missing)}[/yellow] "
            "(shown as —, never guessed)."
        )
    if result.related:
        console.print(
            "Related rows: "
            + ", ".join(f"{escape(r.name)} ({r.shown_code})" for r in result.related)
        )
    console.print(
        f"[dim]Source: {escape(result.model.name)}. {escape(result.model.citation)}[/dim]"
    )
    console.print(f"[dim italic]{escape(result.caveat)}[/dim italic]")


def compare(console: Console, result: Comparison) -> None:
    s, b = result.seller, result.buyer
    console.print(
        f"[bold]{escape(s.name)} ({s.shown_code}) → {escape(b.name)} ({b.shown_code})[/bold]"
    )
    table = Table(header_style="bold")
    table.add_column("dimension")
    table.add_column(s.shown_code, justify="right")
    table.add_column(b.shown_code, justify="right")
    table.add_column("gap (buyer − seller)", justify="right")

    def score(value: float | None, level: str | None, origin: str | None) -> str:
        return f"{num(value)}{'*' if origin else ''} {level or ''}"

    for g in result.gaps:
        table.add_row(
            f"{escape(g.name)} ({g.key})",
            score(g.seller, g.seller_level, g.seller_from),
            score(g.buyer, g.buyer_level, g.buyer_from),
            signed(g.gap),
        )
    console.print(table)
    origins = sorted(
        {o for g in result.gaps for o in (g.seller_from, g.buyer_from) if o is not None}
    )
    if origins:
        console.print(
            f"[yellow]* borrowed from {escape(', '.join(origins))}: the region or country "
            "that covers the culture, which has no score of its own there[/yellow]"
        )
    console.print(f"Kogut–Singh index: {distance(result.kogut_singh, 2)}")
    console.print(f"Euclidean distance: {distance(result.euclidean, 1)} (score points)")
    console.print(f"[dim]Variances: {escape(result.variance_basis)}[/dim]")
    _layout.common_ground(RichWriter(console), result.common_ground)
    console.print(f"[dim italic]{escape(result.caveat)}[/dim italic]")


class Hanging:
    """Rows of a mark and a text whose wrapped lines hang under its first word:

        1. HIGH They need to trust you as a person before they will weigh your
                offer

    It lays out what a two-column grid would, without measuring every cell twice: a
    briefing has a few hundred of these, and a grid made them most of its rendering time.
    """

    def __init__(self, rows: Sequence[tuple[Text, Text]], mark_width: int | None = None) -> None:
        self.rows = rows
        self.mark_width = mark_width

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = self.mark_width or max((mark.cell_len for mark, _ in self.rows), default=0)
        inner = max(options.max_width - width - 1, 1)
        blank = Segment(" " * (width + 1))
        for mark, text in self.rows:
            for index, line in enumerate(text.wrap(console, inner)):
                if index == 0:
                    yield from mark.render(console)
                    yield Segment(" " * (width + 1 - mark.cell_len))
                else:
                    yield blank
                line.rstrip()
                yield from line.render(console)
                yield Segment.line()

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(min(options.max_width, 4), options.max_width)


def _bullets(mark: str, items: Sequence[str], style: str = "") -> Hanging:
    return Hanging([(Text(mark), Text(item, style=style)) for item in items], mark_width=2)


class RichWriter:
    """The writer of ``layout`` on a Rich console: cards framed, styles shown."""

    def __init__(self, console: Console, into: list[RenderableType] | None = None) -> None:
        self.console = console
        self.into = into
        self.width = console.width

    def _emit(self, renderable: RenderableType) -> None:
        if self.into is None:
            self.console.print(renderable)
        else:
            self.into.append(renderable)

    def print(self, markup: str = "") -> None:
        self._emit(markup)

    def rows(self, rows: Sequence[tuple[str, str]], mark_width: int | None = None) -> None:
        self._emit(
            Hanging(
                [
                    (Text.from_markup(m, emoji=False), Text.from_markup(t, emoji=False))
                    for m, t in rows
                ],
                mark_width,
            )
        )

    @contextmanager
    def card(self, title: str, style: str = "") -> Iterator[RichWriter]:
        body: list[RenderableType] = []
        yield RichWriter(self.console, body)
        self._emit(
            Panel(
                Group(*body),
                title=Text.from_markup(title, emoji=False),
                title_align="left",
                border_style=style,
            )
        )

    def table(
        self,
        columns: Sequence[Column],
        rows: Sequence[Sequence[str]],
        edge: bool = False,
        title: str | None = None,
        pad_edge: bool = True,
    ) -> None:
        table = Table(
            title=title,
            title_justify="left",
            header_style="bold",
            show_edge=edge,
            pad_edge=pad_edge,
        )
        for column in columns:
            table.add_column(
                column.header,
                justify=column.justify,
                no_wrap=column.no_wrap,
                min_width=column.min_width,
            )
        for row in rows:
            table.add_row(*(Text.from_markup(cell, emoji=False) for cell in row))
        self._emit(table)


def rules(console: Console, items: Sequence[Rule]) -> None:
    # A rule id is what `--rules` files, briefings and lint findings cite, so it is never
    # cut; its theme is its first part. Titles wrap by words. The file column is for the
    # user's own rule files and for wide terminals; otherwise the file goes under the title.
    wide = console.width >= WIDE_TABLE
    own_files = any(not rule.file.startswith("crossdeal:") for rule in items)
    table = Table(header_style="bold", pad_edge=False)
    table.add_column("rule id", style="bold", no_wrap=True)
    if wide:
        table.add_column("severity", no_wrap=True)
    table.add_column("title")
    if wide:
        table.add_column("file", no_wrap=True)
    from crossdeal.playbook.rules import themes

    order = themes()
    previous_theme = None
    for rule in sorted(items, key=lambda r: (order[r.theme].order, r.id)):
        if previous_theme is not None and rule.theme != previous_theme:
            table.add_section()
        previous_theme = rule.theme
        levels = " / ".join(level for level, _ in rule.severity)
        where = f"{escape(rule.file)}:{rule.line}"
        if wide:
            table.add_row(rule.id, levels, escape(rule.title), where)
        else:
            title = f"{escape(rule.title)} [dim]({levels})[/dim]"
            if own_files:
                title += f"\n[dim]{where}[/dim]"
            table.add_row(rule.id, title)
    console.print(table)
    console.print(f"{len(items)} rules across {len({r.theme for r in items})} themes.")


# --- message coach ------------------------------------------------------------------


def _marked(text: str, findings: Sequence[MessageFinding]) -> Text:
    """The message with every span a finding points at highlighted in its colour."""
    out = Text(text)
    for f in reversed(findings):  # the most severe last, so it wins where spans overlap
        for s in f.spans:
            if s.source == "message":
                out.stylize(f"underline {SEVERITY_STYLE[f.severity]}", s.start, s.end)
    return out


def _finding(index: int, f: MessageFinding) -> Panel:
    style = SEVERITY_STYLE[f.severity]
    body: list[Text | _rich_table.Table | Hanging] = [Text(f.title, style="bold"), Text(f.why)]
    quoted = [s for s in f.spans if s.source == "message"]
    if quoted:
        body.append(
            Text(
                "Where: " + "; ".join(f'line {s.line}: "{s.text}"' for s in quoted[:6]), style="dim"
            )
        )
    asked = [s for s in f.spans if s.source == "asked"]
    if asked:
        body.append(Text("Not answered from your message:", style="underline"))
        body.append(_bullets("?", [s.text for s in asked]))
    if f.suggestions:
        body.append(Text("Try", style="underline"))
        body.append(
            _bullets(
                "→",
                [
                    f'"{s.original}" → {s.rewrite}' if s.original else s.rewrite
                    for s in f.suggestions
                ],
            )
        )
    if f.follow_up:
        body.append(Text("Ask back", style="underline"))
        body.append(_bullets("?", f.follow_up))
    evidence = "; ".join(
        f"{e.name} {num(e.buyer)}" + (f" (you {num(e.seller)})" if e.seller is not None else "")
        for e in f.evidence
    )
    if evidence:
        body.append(Text(f"Reader's culture: {evidence}", style="dim"))
    body.append(Text(f"Rule {f.id} ({f.rule_file}): {f.condition}", style="dim"))
    title = Text.assemble(
        (f" {index} · ", "bold"),
        (f.severity.upper(), style),
        (f" · {f.id} ", "bold"),
        (f"({f.theme}) ", "dim"),
    )
    return Panel(Group(*body), title=title, title_align="left", border_style=style)


ECHO_LINES = 200  # lines of a draft shown above its findings


def _nth_newline(text: str, n: int) -> int | None:
    """The offset of the n-th newline, or None if the text has fewer."""
    at = -1
    for _ in range(n):
        at = text.find("\n", at + 1)
        if at < 0:
            return None
    return at


def lint(console: Console, result: LintReport, text: str) -> None:
    who = f"{escape(result.reader.name)} ({result.reader.shown_code})"
    console.print(f"[bold]Draft check for a reader in {who}[/bold]")
    console.print(
        f"[dim]{result.words} words · politeness {result.politeness.score:.2f} "
        f"(0 = reads as rude, 1 = reads as polite)[/dim]"
    )
    if result.truncated:
        console.print("[yellow]Only the first part of this long text was checked.[/yellow]")
    # the part that was checked, and at most a screenful of it: echoing a megabyte helps
    # no one (the findings below quote their lines whatever is shown)
    from crossdeal.messages.coach import MAX_CHARS

    shown = text[:MAX_CHARS]
    cut = _nth_newline(shown, ECHO_LINES)
    hidden = shown.count("\n", cut) if cut is not None else 0
    if cut is not None:
        shown = shown[:cut]
    console.print(Panel(_marked(shown, result.findings), border_style="dim"))
    if hidden:
        console.print(f"[dim]… {hidden:,} more line(s) checked, not shown[/dim]")
    if not result.findings:
        console.print("[green]Nothing to flag for this reader.[/green]")
    for i, f in enumerate(result.findings, start=1):
        console.print(_finding(i, f))
    for item in result.not_decided:
        console.print(f"[dim]Not decided: {item.rule_id}, {_needs(item.missing)}[/dim]")
    console.print(f"[italic]{escape(result.caveat)}[/italic]")


def _needs(missing: list[str]) -> str:
    """What a finding that could not be decided is waiting for, in the user's words."""
    parts = []
    scores = [name for name in missing if name != "reader.rank"]
    if scores:
        parts.append(f"missing scores {', '.join(scores)}")
    if "reader.rank" in missing:
        parts.append("needs the reader's seniority (--reader-rank junior|manager|executive)")
    return "; ".join(parts)


VERDICTS = {
    "qualified-yes": ("green", "A real yes: it comes with specifics."),
    "unqualified-yes": ("red", "A yes without specifics: it may only mean 'we heard you'."),
    "soft-no": ("red", "Probably a polite no, or a concern they have not said out loud."),
    "mixed": ("yellow", "Agreement wrapped around a hesitation: check both."),
    "no-agreement": ("white", "No agreement in this reply."),
}


def reply(console: Console, result: ReplyReport) -> None:
    colour, meaning = VERDICTS[result.verdict]
    console.print(
        f"[bold]Reply from {escape(result.sender.name)} ({result.sender.shown_code}):[/bold] "
        f"[{colour}]{result.verdict}[/] - {meaning}"
    )
    c = result.commitments
    rows = [
        ("dates and numbers", c.dates_and_numbers),
        ("conditions", c.conditions),
        ("trade-offs", c.trade_offs),
        ("owners", c.owners),
        ("questions back", c.questions),
    ]
    table = Table(show_header=False, box=None, padding=(0, 1))
    for label, items in rows:
        table.add_row(
            f"[dim]{label}[/dim]", escape("; ".join(items)) if items else "[dim]none[/dim]"
        )
    console.print(table)
    for i, f in enumerate(result.findings, start=1):
        console.print(_finding(i, f))
    console.print(f"[italic]{escape(result.caveat)}[/italic]")


def template_list(console: Console, items: Sequence[Template]) -> None:
    table = Table(header_style="bold")
    table.add_column("name", style="bold")
    table.add_column("what it is for")
    table.add_column("slots")
    for t in items:
        slots = ", ".join(f"{k}{'*' if s.required else ''}" for k, s in t.slots.items())
        table.add_row(t.name, escape(t.use), slots)
    console.print(table)
    console.print(
        "[dim]* required. Render one: crossdeal template render NAME --to KR --var name=...[/dim]"
    )


def template_show(console: Console, t: Template) -> None:
    console.print(f"[bold]{escape(t.title)}[/bold] ({t.name}) - {escape(t.use)}")
    for key, slot in t.slots.items():
        need = "required" if slot.required else ("personal touch" if slot.personal else "optional")
        console.print(f" • [bold]{key}[/bold] ({need}): {escape(slot.help)}")
    console.print(Panel(Text(t.body.strip()), border_style="dim"))


def template_rendering(console: Console, result: TemplateRendering) -> None:
    console.print(Panel(Text(result.text), title=result.template, title_align="left"))
    if result.placeholders:
        console.print(
            "[yellow]Fill in before sending:[/yellow] "
            + ", ".join(f"[bold]{p}[/bold]" for p in result.placeholders)
        )
    flagged = [
        f for f in result.check.findings if f.id != "no-personal-touch" or not result.placeholders
    ]
    if flagged:
        console.print(
            "Checked for this reader: " + "; ".join(f"{f.id} ({f.severity})" for f in flagged)
        )
    else:
        console.print(
            f"[green]Checked for a reader in {escape(result.reader.name)}: nothing to flag.[/green]"
        )


# --- people --------------------------------------------------------------------------


def _estimate_table(report: PersonReport, who: str) -> Table:
    table = Table(header_style="bold")
    table.add_column("dimension")
    table.add_column(escape(who), justify="right")
    table.add_column(escape(report.culture.name), justify="right")
    table.add_column("difference", justify="right")
    table.add_column("from")
    for d in report.dimensions:
        estimate = "—" if d.estimate is None else f"{d.estimate:.0f} ± {d.sd:.0f}"
        shift = signed(d.shift)
        if d.shift is not None and abs(d.shift) >= 10:
            shift = f"[bold]{shift}[/bold]"
        table.add_row(
            f"{escape(d.name)} ({d.key})",
            estimate,
            num(d.country),
            shift,
            escape(", ".join(d.evidence) or "country prior"),
        )
    return table


def me(console: Console, report: PersonReport) -> None:
    console.print(f"[bold]You, next to the {escape(report.culture.name)} average[/bold]")
    console.print(_estimate_table(report, "you"))
    if report.departures:
        console.print("[bold]Where you differ from your country's average[/bold]")
        console.print(_bullets("•", [d.replace("You: ", "") for d in report.departures]))
    else:
        console.print("You are close to your country's average on every dimension.")
    console.print(
        "[dim italic]A self-report of how you work, on the country data's scales; briefings use it "
        "to compare you, not your country, with the buyer.[/dim italic]"
    )


def person(console: Console, report: PersonReport) -> None:
    console.print(
        f"[bold]{escape(report.name)}[/bold], next to the {escape(report.culture.name)} average"
    )
    if report.observations:
        console.print("Observed: " + ", ".join(report.observations))
    console.print(_estimate_table(report, report.name))
    if report.departures:
        console.print(_bullets("•", report.departures))


def people(console: Console, items: Sequence[object]) -> None:
    if not items:
        console.print(
            'No one saved yet: crossdeal person add "Name" --culture IN --observe pushes-back'
        )
        return
    table = Table(header_style="bold")
    for column in ("name", "culture", "company", "role", "observations"):
        table.add_column(column)
    for p in items:
        table.add_row(
            escape(p.name),  # type: ignore[attr-defined]
            p.culture,  # type: ignore[attr-defined]
            escape(p.company or ""),  # type: ignore[attr-defined]
            escape(p.role or ""),  # type: ignore[attr-defined]
            ", ".join(p.observations),  # type: ignore[attr-defined]
        )
    console.print(table)


def observations(console: Console, items: Sequence[object]) -> None:
    table = Table(header_style="bold")
    table.add_column("id", style="bold")
    table.add_column("what you see")
    table.add_column("suggests")
    for o in items:
        suggests = ", ".join(f"{k} ≈ {v:.0f}" for k, v in o.suggests.items())  # type: ignore[attr-defined]
        table.add_row(o.id, escape(o.description), suggests)  # type: ignore[attr-defined]
    console.print(table)


# --- pipeline ------------------------------------------------------------------------


def _money(amount: float | None, currency: str) -> str:
    return "—" if amount is None else f"{amount:,.0f} {currency}"


def forecast(console: Console, report: ForecastReport, shown: int | None) -> None:
    if not report.deals:
        console.print(
            f"No open deals to forecast in team {escape(report.team)}. "
            f"{sample_hint(report.team, 'forecast')}; `crossdeal import` loads your own."
        )
        return
    deals = report.deals if shown is None else report.deals[:shown]
    table = Table(
        title=f"Forecast as of {report.as_of.isoformat()} (team {escape(report.team)})",
        title_justify="left",
        header_style="bold",
        pad_edge=False,
    )
    # at 80 columns the numbers come first; a wide terminal also shows who and why
    wide = console.width >= 110
    widest_id = max(len(str(d.id)) for d in deals)
    table.add_column("#", justify="right", no_wrap=True, min_width=widest_id)
    if wide:
        table.add_column("account", max_width=22, overflow="ellipsis")
    table.add_column("cult.", no_wrap=True, min_width=3)
    table.add_column("amount", justify="right", no_wrap=True)
    table.add_column("P(win)", justify="right", no_wrap=True)
    table.add_column("P50", no_wrap=True)
    table.add_column("P80", no_wrap=True)
    table.add_column("expected", justify="right", no_wrap=True)
    if wide:
        table.add_column("largest factor", overflow="fold")
    for d in deals:
        factor = d.factors[0] if d.factors else None
        why = _factor_text(factor) if factor else "the prior alone"
        if d.stale:
            why = "STALE: open longer than any won deal; " + why
        cells = [
            str(d.id),
            shown_code(d.culture),
            short_money(d.amount, d.currency),
            ("stale " if d.stale and not wide else "") + f"{d.p_win:.0%}",
            d.close_p50.isoformat() if d.close_p50 else "—",
            d.close_p80.isoformat() if d.close_p80 else "—",
            short_money(d.expected_value, d.currency),
        ]
        if wide:
            cells.insert(1, escape(d.account))
            cells.append(escape(why))
        table.add_row(*cells)
    console.print(table)
    if not wide:
        console.print(
            "[dim]Accounts and the largest factors: a wider terminal, or --format json.[/dim]"
        )
    total = max(report.open_deals, len(report.deals))
    more = f", showing {len(deals)} (--limit 0 shows all)" if len(deals) < total else ""
    console.print(f"[dim]{total:,} open deal(s){more}[/dim]")
    currency = deals[0].currency
    console.print(
        "[bold]Expected won, by quarter[/bold] (80 % interval; deals whose P50 falls in it): "
        + " · ".join(
            f"{escape(t.key)} {short_money(t.expected_value, currency)}"
            + (
                f" ({short_money(t.low, currency)}–{short_money(t.high, currency)})"
                if t.low is not None and t.high is not None
                else ""
            )
            + f" [{t.deals}]"
            for t in report.by_quarter
        )
    )
    sections: list[tuple[str, Sequence[ForecastTotal]]] = []
    if report.period:
        sections.append((f"In {report.period}, by {report.by}", report.totals))
    elif report.by == "market":
        sections.append(("By market", report.by_market))
    else:
        sections.append((f"By {report.by}", report.totals))
    # a market is a culture code, shown as people read it (DEU, not Hofstede's GER)
    label = shown_code if report.by == "market" else (lambda key: key)
    for title, totals in sections:
        console.print(
            f"[bold]{escape(title)}:[/bold] "
            + " · ".join(
                f"{escape(label(t.key))} {short_money(t.expected_value, currency)} of "
                f"{short_money(t.amount, currency)} ({t.deals})"
                for t in totals
            )
        )
    if report.period:
        in_period = sum(t.expected_value for t in report.totals)
        console.print(
            f"[bold]{escape(report.period)}:[/bold] {short_money(in_period, currency)} expected "
            "from the open pipeline (each deal's chance of a win inside the quarter)."
        )
    for feature, why in report.left_out.items():
        console.print(f"[yellow]{escape(feature.replace('_', ' '))}: {escape(why)}[/yellow]")
    for note in report.notes:
        console.print(f"[yellow]{escape(note)}[/yellow]")
    if report.model is not None:
        m = report.model
        console.print(
            f"[dim]Model fitted on {m.fitted_on.isoformat()} from {m.closed_deals:,} closed "
            f"deal(s) ({'refitted now: ' if m.refitted else ''}{escape(m.reason)}; "
            "--refit fits it anew).[/dim]"
        )
    learned = report.closed_deals_learned_from
    console.print(
        f"[dim]Learned from {learned:,} closed deal(s) (win rate {report.win_rate:.0%}); "
        f"{report.data_share:.0%} of each estimate is this team's data, the rest the "
        f"documented prior. {escape(report.method)}[/dim]"
    )


def backtest(console: Console, report: Backtest) -> None:
    def number(value: float | None, digits: int = 3) -> str:
        return "—" if value is None else f"{value:.{digits}f}"

    for cut in report.cutoffs:
        console.print(
            f"[bold]As of {cut.as_of.isoformat()}[/bold]: learned from {cut.closed_before:,} "
            f"closed deal(s) ({cut.data_share:.0%} data); scored {cut.scored:,} open deal(s), "
            f"{cut.resolved:,} of them closed since."
        )
    left_out = {k: v for cut in report.cutoffs for k, v in cut.left_out.items()}
    for feature, why in left_out.items():
        console.print(f"[yellow]{escape(feature.replace('_', ' '))}: {escape(why)}[/yellow]")
    short = {
        "team win rate / median cycle": "team win rate",
        "stage defaults (HubSpot)": "HubSpot stage defaults",
        "naive Bayes (Odoo-style)": "naive Bayes (Odoo)",
    }
    table = Table(
        title=f"Win probability, all cut-offs together (evaluated on "
        f"{report.evaluated_on.isoformat()})",
        title_justify="left",
        header_style="bold",
        pad_edge=False,
    )
    table.add_column("method", no_wrap=True)
    for name in ("Brier", "log loss", "ECE", "AUC"):
        table.add_column(name, justify="right", no_wrap=True)
    for m in report.pooled:
        table.add_row(
            escape(short.get(m.method, m.method)),
            number(m.brier),
            number(m.log_loss),
            number(m.ece),
            number(m.auc),
        )
    console.print(table)
    dates = Table(title="Close dates", title_justify="left", header_style="bold", pad_edge=False)
    dates.add_column("method", no_wrap=True)
    for name in ("C-index", "MAE (days)", "P80 covers"):
        dates.add_column(name, justify="right", no_wrap=True)
    for m in report.pooled:
        if m.c_index is None and m.close_mae_days is None:
            continue
        label = "median won cycle" if m.method.startswith("team win rate") else m.method
        dates.add_row(
            escape(label),
            number(m.c_index),
            number(m.close_mae_days, 0),
            "—" if m.p80_coverage is None else f"{m.p80_coverage:.0%}",
        )
    console.print(dates)
    ours = next((m for m in report.pooled if m.method == "crossdeal"), None)
    if ours and ours.reliability:
        console.print(
            "[bold]Calibration of crossdeal[/bold] (predicted → won, deals): "
            + " · ".join(
                f"{b.predicted:.0%} → {b.observed:.0%} ({b.deals})" for b in ours.reliability
            )
        )
    revenue = Table(title="Won amount per quarter", title_justify="left", header_style="bold")
    for name in ("cut-off", "quarter", "crossdeal", "win rate × median cycle", "actual"):
        revenue.add_column(name, justify="right" if name != "quarter" else "left", no_wrap=True)
    for cut in report.cutoffs:
        for q in cut.quarters:
            revenue.add_row(
                cut.as_of.isoformat(),
                q.quarter,
                f"{q.forecast:,.0f}",
                f"{q.baseline:,.0f}",
                f"{q.actual:,.0f}",
            )
    if revenue.row_count:
        console.print(revenue)
    console.print(
        "[dim]Lower is better for Brier, log loss, ECE and MAE; higher for AUC and the "
        f"C-index; P80 cover should be near 80 %. {escape(report.note)} Stage defaults: "
        f"{escape(report.stage_defaults_source)}[/dim]"
    )


def gap(console: Console, report: GapReport) -> None:
    money = report.currency

    def m(amount: float) -> str:
        return short_money(amount, money)

    def bare(amount: float) -> str:
        return short_money(amount, money).removesuffix(f" {money}")

    def side(amount: float) -> str:
        return f"{m(amount)} short" if amount > 0 else f"{m(-amount)} ahead"

    sources = [f"expected {m(report.pipeline_expected)} from the open pipeline"]
    if report.won_already:
        sources.insert(0, f"{m(report.won_already)} won in it already")
    if report.inbound_leads:
        sources.append(f"{m(report.inbound_expected)} from {report.inbound_leads:,} inbound leads")
    if report.nurture_leads:
        sources.append(f"{m(report.nurture_expected)} from {report.nurture_leads:,} nurtured leads")
    console.print(
        f"[bold]{escape(report.period)}[/bold]: target {m(report.target)}; "
        + ", ".join(sources)
        + "."
    )
    low, high = report.gap_interval
    headline = (
        f"[bold green]Ahead of the target by {m(-report.gap)}[/bold green]"
        if report.gap <= 0
        else f"[bold]Gap: {m(report.gap)}[/bold]"
    )
    console.print(
        f"{headline} (80 % interval: {side(low)} to {side(high)}; the target is reached in "
        f"{report.p_reach_target:.0%} of {report.assumptions['draws']:,.0f} simulated outcomes)."
    )
    table = Table(
        title=f"By market ({money})", title_justify="left", header_style="bold", pad_edge=False
    )
    for name in ("market", "open", "expected", "win rate", "avg deal", "leads", "needed"):
        table.add_column(name, justify="left" if name == "market" else "right", no_wrap=True)
    for row in report.markets:
        needed = " / ".join(
            "—" if n is None else f"{n:,}"
            for n in (row.inbound_leads_needed, row.nurture_leads_needed)
        )
        table.add_row(
            escape(row.market),
            str(row.open_deals),
            bare(row.pipeline_expected),
            f"{row.win_rate:.0%}",
            bare(row.deal_size),
            f"{row.lead_share:.0%}",
            needed,
        )
    console.print(table)
    console.print(
        "[dim]needed: inbound / nurtured leads from that market alone that would fill the "
        "whole gap. leads: the market's share of the lead volume (its share of the deals "
        f"created in the last {report.assumptions['market_share_months']:.0f} months). Win "
        "rates: each market's own, shrunk toward the forecast's estimate for its deals "
        f"where it has few closed deals (--format json shows both). Assumed: "
        f"{report.assumptions['inbound_to_deal']:.0%} of inbound and "
        f"{report.assumptions['nurture_to_deal']:.0%} of nurtured leads become a deal "
        f"({escape(report.source)})[/dim]"
    )
    for note in report.notes:
        console.print(f"[yellow]{escape(note)}[/yellow]")


def accounts(console: Console, listing: AccountList) -> None:
    if not listing.accounts:
        console.print(
            f"No accounts yet in team {escape(listing.team)}. Add one with "
            "`crossdeal accounts add NAME --country ...`; "
            f"{sample_hint(listing.team, 'accounts')}."
        )
        return
    table = Table(title_justify="left", header_style="bold", pad_edge=False)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("account", max_width=26)
    table.add_column("country")
    table.add_column("cult.", no_wrap=True, min_width=3)
    table.add_column("open", justify="right", no_wrap=True)
    table.add_column("people", justify="right", no_wrap=True)
    table.add_column("observed norms", overflow="fold")
    for a in listing.accounts:
        table.add_row(
            str(a.id),
            escape(a.name),
            escape(a.country or "—"),
            shown_code(a.culture),
            str(a.open_deals),
            str(a.contacts),
            escape(" ".join(a.observed)),
        )
    console.print(table)
    unknown = sum(1 for a in listing.accounts if a.culture is None)
    note = (
        f" · {unknown} without a culture: set it with `crossdeal accounts add NAME --country ...`"
        if unknown
        else ""
    )
    console.print(f"[dim]{len(listing.accounts):,} account(s) · team {listing.team}{note}[/dim]")


def deal(console: Console, view: DealView) -> None:
    d = view.deal
    console.print(
        f"[bold]Deal {d.id}: {escape(d.name)}[/bold] — {escape(d.account)} "
        f"({shown_code(d.culture) if d.culture else 'culture unknown'})"
    )
    close = d.closed_on or d.expected_close
    console.print(
        f"{_money(d.amount, d.currency)} · {d.outcome}"
        + (f" · stage {escape(d.stage)}" if d.stage else "")
        + (f" · owner {escape(d.owner)}" if d.owner else "")
        + (
            f" · {'closed' if d.closed_on else 'expected close'} {close.isoformat()}"
            if close
            else ""
        )
    )
    bant = Table.grid(padding=(0, 2))
    bant.add_row(
        "[bold]Budget[/bold]",
        "confirmed" if view.budget_confirmed else "[yellow]not confirmed[/yellow]",
    )
    bant.add_row(
        "[bold]Authority[/bold]",
        "identified" if view.authority_identified else "[yellow]not identified[/yellow]",
    )
    bant.add_row("[bold]Need[/bold]", escape(view.need or "—"))
    bant.add_row("[bold]Timing[/bold]", escape(view.timing or "—"))
    console.print(bant)
    if view.forecast is not None:
        _deal_forecast(console, view.forecast)
    if d.signals:
        console.print("\n[bold]Risk signals[/bold]")
        for s in d.signals:
            console.print(
                _bullets("•", [f"{s.severity.upper()} {s.id}: {s.title}. Next: {s.next}"])
            )
    if view.before_close:
        console.print(f"\n[bold]Before the expected close[/bold] ({shown_code(d.culture)})")
        console.print(
            _bullets(
                "•",
                [
                    f"{_layout.span(e.start, e.end)}: {escape(e.name)}"
                    + (" (estimated)" if e.estimated else "")
                    + ("" if e.kind == "holiday" else f" - {escape(e.for_seller)}")
                    for e in view.before_close[:8]
                ],
            )
        )
    committee = Table(title="Buying committee", title_justify="left", header_style="bold")
    for column in ("name", "role", "culture", "met"):
        committee.add_column(column)
    for c in view.committee:
        committee.add_row(
            escape(c.name),
            c.role or "—",
            shown_code(c.culture),
            "yes" if c.met else "[yellow]not yet[/yellow]",
        )
    console.print(
        committee if view.committee else "\n[yellow]No one on the buying committee yet.[/yellow]"
    )
    if view.activities:
        acts = Table(title="Activities", title_justify="left", header_style="bold")
        for column in ("date", "channel", "with", "note"):
            acts.add_column(column)
        for a in view.activities[-12:]:
            note = escape(a.note or "")
            if a.unqualified_yes:
                note += " [red](a yes without specifics)[/red]"
            acts.add_row(
                a.occurred_on.isoformat(),
                f"{a.channel} {'←' if a.direction == 'inbound' else '→'}",
                escape(", ".join(a.with_)),
                note,
            )
        console.print(acts)
    if view.history:
        console.print("\n[bold]History[/bold]")
        for e in view.history[-12:]:
            console.print(f"  {e.at:%Y-%m-%d %H:%M} {escape(e.by or '?')}: {_change_line(e)}")
    if view.briefing is not None:
        b = view.briefing
        themes_line = ", ".join(f"{t} ({s})" for t, s in b.themes.items()) or "no risk themes"
        console.print(
            f"\n[bold]Briefing {b.seller.shown_code} → {b.buyer.shown_code}[/bold]: {themes_line}"
        )
        console.print(
            f"[dim]Full briefing: crossdeal brief --seller {b.seller.code} "
            f"--buyer {b.buyer.code}[/dim]"
        )


def _deal_forecast(console: Console, f: ForecastLine) -> None:
    dates = (
        f"most likely won by {f.close_p50.isoformat()}, four in five of its wins by "
        f"{f.close_p80.isoformat()}"
        if f.close_p50 and f.close_p80
        else "no close date in sight"
    )
    console.print(
        f"\n[bold]Forecast[/bold]: {f.p_win:.0%} chance of a win ({dates}); expected "
        f"{short_money(f.expected_value, f.currency)}."
        + (
            " [bold red]STALE[/bold red]: open longer than the team's won deals take."
            if f.stale
            else ""
        )
    )
    for factor in f.factors:
        console.print(_bullets("•", [_factor_text(factor)]))
    console.print(
        f"[dim]{f.data_share:.0%} of this estimate is the team's own closed deals, the rest "
        "the documented prior (docs/forecast.md).[/dim]"
    )


def _factor_text(factor: ForecastFactor) -> str:
    """A factor as a manager reads it: the deal's value, the team's, and the effect."""
    points = round(factor.effect * 100)
    effect = f"{points:+d} point{'' if abs(points) == 1 else 's'}"
    if factor.feature == "stage":
        return f"{escape(factor.label)}: {effect}"
    if factor.feature in ("face_time", "deciders_met"):
        value = "yes" if factor.value else "not yet"
        return f"{factor.label}: {value} (team: {factor.average:.0%} of deals), {effect}"
    if factor.feature == "log_amount":
        return (
            f"{factor.label}: {10**factor.value:,.0f} (team average {10**factor.average:,.0f}), "
            f"{effect}"
        )
    return f"{factor.label}: {factor.value:.1f} (team average {factor.average:.1f}), {effect}"


def _change_line(e: DealEventView) -> str:
    field = e.field.replace("_", " ")
    line = f"{field} {escape(e.old or '—')} → {escape(e.new or '—')}"
    return line + (f" ({escape(e.note)})" if e.note else "")


def change(console: Console, report: ChangeReport) -> None:
    console.print(
        f"Deal {report.deal_id} ({escape(report.deal)}), now at version {report.version}:"
    )
    for e in report.changes:
        console.print(f"  {_change_line(e)}")


def deletion(console: Console, report: DeletionReport) -> None:
    if report.kind == "committee member":
        # the person stays on the account and in the pipeline: only the link goes
        console.print(
            f"Took {escape(report.name)} off the buying committee ({report.describe()} "
            "removed); they stay on the account."
        )
        return
    console.print(f"Deleted {report.kind} {escape(report.name)}: {report.describe()}.")


def import_report(console: Console, report: ImportReport) -> None:
    rows = f"{report.rows:,} row{'' if report.rows == 1 else 's'}"
    if report.committed:
        console.print(
            f"[green]Imported {report.file}[/green] ({report.profile}): {rows} · "
            f"{report.created:,} created · {report.updated:,} updated · "
            f"{report.unchanged:,} unchanged"
            + (f" · {report.rejected:,} rejected" if report.rejected else "")
        )
    else:
        console.print(
            f"[bold red]Nothing imported:[/bold red] {report.rejected:,} of {rows} in "
            f"{report.file} have problems, and the import is all-or-nothing. Fix them, or use "
            "--skip-invalid to import the good rows and set the others aside."
        )
    if report.problem_counts:
        console.print("[bold]Problems[/bold]")
        console.print(
            _bullets("•", [f"{n} × {reason}" for reason, n in report.problem_counts.items()])
        )
        for p in report.problems[:10]:
            where = f"line {p.line}" + (f", column {p.column}" if p.column else "")
            value = f" {p.value!r}" if p.value else ""
            console.print(f"  [dim]{where}:{escape(value)} {escape(p.reason)}[/dim]")
    if report.notes:
        console.print("[bold]Notes[/bold]")
        console.print(_bullets("•", report.notes))
    if report.rejected_file:
        console.print(f"Rejected rows, with the reason, are in {escape(report.rejected_file)}")


def import_batch(console: Console, batch: ImportBatchReport) -> None:
    """Several files imported together: each one's report, then whether any was written."""
    for report in batch.files:
        if batch.committed or report.rejected:
            import_report(console, report)
        else:
            console.print(
                f"[dim]{escape(report.file)} ({report.profile}): {report.rows:,} rows, "
                "no problem; not imported, as the files go in together[/dim]"
            )
    if not batch.committed:
        console.print(
            "[bold red]Nothing was imported from any of the files:[/bold red] they go in "
            "together or not at all."
        )


def restore_report(console: Console, report: RestoreReport, on_team: str = "") -> None:
    """``on_team``: the ``--team`` option the next commands need (empty for the default)."""

    def n(count: int, one: str, many: str) -> str:
        return f"{count:,} {one if count == 1 else many}"

    console.print(
        f"[green]Restored {escape(report.file)}[/green] into team {escape(report.team)} "
        f"(exported from {escape(report.source_team)}): "
        + " · ".join(
            (
                n(report.deals, "deal", "deals"),
                n(report.accounts, "account", "accounts"),
                n(report.contacts, "contact", "contacts"),
                n(report.activities, "activity", "activities"),
                n(report.history_entries, "history entry", "history entries"),
                n(report.sellers, "seller", "sellers"),
            )
        )
    )
    if report.deals and report.deal_numbers_kept:
        console.print("Deals keep their numbers.")
    elif report.deals:
        console.print(
            "[yellow]Deals have new numbers:[/yellow] their old ones are taken in this "
            "database (crossdeal deals shows the new ones)."
        )
    people = []
    if report.people_added:
        people.append(n(len(report.people_added), "saved person added", "saved people added"))
    if report.people_unchanged:
        people.append(f"{report.people_unchanged:,} already saved")
    if report.me != "not in the backup":
        people.append(f"self-profile {report.me}")
    if people:
        console.print("People: " + " · ".join(people))
    if report.people_kept:
        console.print(
            "[yellow]Kept as you have them[/yellow] (the backup's differ): "
            + escape(", ".join(report.people_kept))
        )
    console.print(f"[dim]Next: crossdeal deals{on_team}[/dim]")


def sellers(console: Console, listing: SellerList) -> None:
    if not listing.sellers:
        console.print(
            f"No sellers yet in team {escape(listing.team)}. Add one with "
            "`crossdeal sellers add NAME --culture US`; "
            f"{sample_hint(listing.team, 'sellers')}."
        )
        return
    table = Table(title_justify="left", header_style="bold", pad_edge=False)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("seller")
    table.add_column("cult.", no_wrap=True, min_width=3)
    table.add_column("open", justify="right", no_wrap=True)
    table.add_column("won", justify="right", no_wrap=True)
    table.add_column("lost", justify="right", no_wrap=True)
    table.add_column("self-assessed", no_wrap=True)
    table.add_column("email", overflow="fold")
    for seller in listing.sellers:
        table.add_row(
            str(seller.id),
            escape(seller.name),
            shown_code(seller.culture),
            str(seller.open_deals),
            str(seller.won),
            str(seller.lost),
            "yes" if seller.self_assessed else "no",
            escape(seller.email or ""),
        )
    console.print(table)
    console.print(f"[dim]{len(listing.sellers):,} seller(s) · team {listing.team}[/dim]")


def contacts(console: Console, listing: ContactList) -> None:
    if not listing.contacts:
        console.print(
            f"No contacts in team {escape(listing.team)} (for this filter). Add one to a deal "
            "with `crossdeal deal N add-contact NAME`, or import them from your CRM; "
            f"{sample_hint(listing.team, 'contacts')}."
        )
        return
    table = Table(title_justify="left", header_style="bold", pad_edge=False)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("contact")
    table.add_column("account")
    table.add_column("cult.", no_wrap=True, min_width=3)
    table.add_column("role", no_wrap=True)
    table.add_column("seniority")
    table.add_column("deals", justify="right", no_wrap=True)
    table.add_column("observed")
    for contact in listing.contacts:
        table.add_row(
            str(contact.id),
            escape(contact.name),
            escape(contact.account),
            shown_code(contact.culture),
            escape(contact.role or "—"),
            escape(contact.seniority or ""),
            str(contact.deals),
            escape(" ".join(contact.observed)),
        )
    console.print(table)
    console.print(f"[dim]{len(listing.contacts):,} contact(s) · team {listing.team}[/dim]")


_ERASED_KINDS = {
    "contacts": ("contact", "contacts"),
    "committee places": ("committee place", "committee places"),
    "activity links": ("activity link", "activity links"),
    "saved people": ("saved person", "saved people"),
}


def erasure_summary(report: ErasureReport) -> str:
    removed = [
        f"{n:,} {_ERASED_KINDS.get(kind, (kind, kind))[n != 1]}"
        for kind, n in report.removed.items()
        if n
    ]
    if report.redacted:
        removed.append(f"their name in {len(report.redacted):,} note(s)")
    return ", ".join(removed) if removed else "nothing"


def erasure(console: Console, report: ErasureReport) -> None:
    verb = "Erased" if report.done else "Would erase (dry run, nothing changed)"
    where = f" on {', '.join(escape(a) for a in report.accounts)}" if report.accounts else ""
    console.print(f"[bold]{verb}: {escape(report.name)}[/bold]{where} · team {escape(report.team)}")
    console.print(f"  {escape(erasure_summary(report))}")
    left = {(m.place, m.id, m.field) for m in report.still_mentioned}
    for m in report.redacted:
        deal = f" (deal {m.deal_id})" if m.deal_id and m.place != "deal" else ""
        flag = " [yellow]← a part of the name is still written[/yellow]"
        console.print(
            f"  name replaced in {m.place} {m.id}{deal}, {m.field}: {escape(m.text)}"
            + (flag if (m.place, m.id, m.field) in left else "")
        )
    replaced = {(m.place, m.id, m.field) for m in report.redacted}
    others = [m for m in report.still_mentioned if (m.place, m.id, m.field) not in replaced]
    if others:
        console.print(
            "[yellow]A part of the name is written here too; read these and edit them "
            "if they name this person:[/yellow]"
        )
        for m in others:
            console.print(f"  {m.place} {m.id}, {m.field}: {escape(m.text)}")
