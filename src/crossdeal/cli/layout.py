"""The briefing's text layout, written once for two writers: Rich's on a terminal
(``render.RichWriter``: colours, framed cards) and plain lines anywhere else
(``plain.PlainWriter``: no Rich at all). Used by the CLI only.

A writer prints markup paragraphs (``print``), rows of a mark and a text whose wrapped
lines hang under the text (``rows``), cards (``card``, a context whose writes go inside
it) and tables (``table``). Data is escaped with :func:`escape` before it goes into
markup.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, Protocol

from crossdeal.cli.plain import Column, visible
from crossdeal.cli.plain import escape as _markup_escape

if TYPE_CHECKING:
    from crossdeal.calendar.reports import (
        AddressAdvice,
        CalendarReport,
        PairCalendar,
        PracticalBriefing,
        RegionalHoliday,
    )
    from crossdeal.culture.reports import DistanceReport
    from crossdeal.pipeline.reports import DealList
    from crossdeal.playbook.briefing import Briefing, Evidence, Risk

__all__ = [
    "Writer",
    "address",
    "briefing",
    "calendar",
    "common_ground",
    "escape",
    "practical",
]

SEVERITY_STYLE = {"high": "bold red", "watch": "yellow", "info": "cyan"}
TOP = 3  # cards on the first screen of a briefing


class Writer(Protocol):
    width: int

    def print(self, markup: str = "") -> None: ...

    def rows(self, rows: Sequence[tuple[str, str]], mark_width: int | None = None) -> None: ...

    def card(self, title: str, style: str = "") -> AbstractContextManager[Writer]: ...

    def table(
        self,
        columns: Sequence[Column],
        rows: Sequence[Sequence[str]],
        edge: bool = False,
        title: str | None = None,
        pad_edge: bool = True,
    ) -> None: ...


def escape(text: str) -> str:
    """Data for markup: brackets escaped and control characters shown, not sent."""
    return _markup_escape(visible(text))


def bullets(out: Writer, mark: str, items: Sequence[str], style: str = "") -> None:
    """Each item after the mark (data: escaped here), in ``style``."""
    out.rows(
        [(escape(mark), f"[{style}]{escape(i)}[/]" if style else escape(i)) for i in items],
        mark_width=2,
    )


def num(value: float | None, digits: int = 0) -> str:
    if value is None:
        return "—"
    text = f"{value:.{digits}f}"
    return text[:-2] if digits and text.endswith(".0") and digits == 1 else text


def signed(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:+.0f}"


def distance(d: DistanceReport, digits: int) -> str:
    if d.value is None:
        return "not computable (no shared dimensions)"
    text = f"{d.value:.{digits}f} over {len(d.dimensions_used)} dimension(s)"
    if d.dimensions_missing:
        text += f"; left out: {', '.join(d.dimensions_missing)}"
    return text


def span(start: dt.date, end: dt.date) -> str:
    if start == end:
        return f"{start:%a} {start.day} {start:%b %Y}"
    if start.year == end.year:
        return f"{start:%a} {start.day} {start:%b} – {end:%a} {end.day} {end:%b %Y}"
    return f"{start:%a} {start.day} {start:%b %Y} – {end:%a} {end.day} {end:%b %Y}"


def _ground_values(ground: Any) -> str:
    """Both sides' values: scores on a value dimension, levels (1-5) on a practice scale."""
    from crossdeal.culture.practice import level_of

    if ground.layer == "practice":
        return f"levels {level_of(ground.seller):g} and {level_of(ground.buyer):g}"
    return f"{num(ground.seller)} vs {num(ground.buyer)}"


def common_ground(out: Writer, ground: Sequence[object]) -> None:
    if not ground:
        out.print(
            # a close value score whose practice differs is not offered either, so the
            # line must not claim that no score is close
            "\n[bold]Common ground[/bold]: nothing both sides share that the data can "
            "vouch for; look for it in the person and the company."
        )
        return
    out.print("\n[bold green]Common ground[/bold green]")
    bullets(
        out,
        "•",
        [f"{g.name} ({_ground_values(g)}): {g.angle}" for g in ground],  # type: ignore[attr-defined]
    )


def _evidence(e: Evidence, seller: str, buyer: str) -> str:
    if e.layer == "practice":
        if e.dimension == "holistic":

            def shown(v: float | None) -> str:
                return "—" if v is None else ("holistic" if v >= 50 else "on the line")

            return f"{e.name} {seller} {shown(e.seller)} → {buyer} {shown(e.buyer)}"
        gap = None if e.gap is None else e.gap / 25
        return (
            f"{e.name} {seller} level {num(e.seller_practice_level)} → {buyer} level "
            f"{num(e.buyer_practice_level)} ({signed(gap)})"
        )
    return f"{e.name} {seller} {num(e.seller)} → {buyer} {num(e.buyer)} ({signed(e.gap)})"


def _risk(out: Writer, risk: Risk, seller: str, buyer: str) -> None:
    style = SEVERITY_STYLE[risk.severity]
    title = (
        f"[bold] {risk.rank} · [/bold][{style}]{risk.severity.upper()}[/]"
        f"[bold] · {escape(risk.theme)} [/bold]"
    )
    with out.card(title, style) as card:
        card.print(f"[bold]{escape(risk.title)}[/bold]")
        if risk.borderline:
            card.print(f"[italic]Borderline: {escape(risk.borderline)}.[/italic]")
        card.print("[underline]Do[/underline]")
        bullets(card, "•", risk.advice)
        if risk.questions:
            card.print("[underline]Ask[/underline]")
            bullets(card, "?", risk.questions)
        card.print("[underline]Why[/underline]")
        bullets(card, " ", [risk.rationale], style="dim")
        evidence = "; ".join(_evidence(e, seller, buyer) for e in risk.evidence)
        card.print(f"[dim]Evidence: {escape(evidence)}[/dim]")
        notes = [n for e in risk.evidence for n in e.notes]
        if notes:
            bullets(card, " ", notes, style="dim")
        card.print(
            f"[dim]Rule {escape(risk.rule_id)} ({escape(risk.rule_file)}): "
            f"{escape(risk.condition)}[/dim]"
        )


def _headline(out: Writer, result: Briefing) -> None:
    """The first screen: who, how far, how sure, and the three things that matter most."""
    s, b = result.seller, result.buyer
    out.print(
        f"[bold]Pre-call briefing: {escape(s.name)} ({s.shown_code}) → "
        f"{escape(b.name)} ({b.shown_code})[/bold]"
    )
    cycle = result.cycle
    facts = [f"Kogut–Singh {distance(result.kogut_singh, 2)}"]
    if cycle.factor is not None:
        facts.append(f"expected cycle ≈ {cycle.factor:.2f}× a same-culture deal")
    out.print("[dim]" + escape(" · ".join(facts)) + f" · data: {escape(result.model.name)}[/dim]")
    if result.kogut_singh_meaning:
        out.print(f"[dim]{escape(result.kogut_singh_meaning)}[/dim]")
    if result.practical is not None and result.practical.call_day:
        # the day itself comes first: a call on Eid or a Friday in Riyadh is the first risk
        out.print(f"[bold red]{escape(result.practical.call_day)}[/bold red]")
    if result.data_gaps and result.data_gaps[0].startswith("Not enough data"):
        out.print(f"[bold yellow]{escape(result.data_gaps[0])}[/bold yellow]")
    if result.confidence != "high":
        out.print(
            f"[yellow]Confidence: {result.confidence}. {escape(result.confidence_reason)}[/yellow]"
        )
    if result.fallbacks:
        bullets(out, "•", result.fallbacks, style="yellow")
    if not result.risks:
        if result.unmeasured:
            names = ", ".join(u.title.lower() for u in result.unmeasured)
            out.print(
                "[bold yellow]No risk rule fired, but crossdeal could not measure "
                f"{escape(names)} for this pair.[/bold yellow] Do not read this as closeness; "
                "ask instead (see 'Not measured' below)."
            )
        elif wide := result.wide_practice_gaps():
            gaps = "; ".join(
                f"{p.name.lower()} ({result.seller.shown_code} {p.seller_level}, "
                f"{result.buyer.shown_code} {p.buyer_level})"
                for p in wide
            )
            out.print(
                "[bold yellow]No risk rule fired, but the two sides stand two levels or more "
                f"apart on {escape(gaps)}.[/bold yellow] No card reads that gap for this "
                "pair: do not read this as closeness; ask how they work there (see 'How "
                "business is done' below)."
            )
        else:
            out.print(
                "No risk rule fired: on everything crossdeal measures for this pair, the two "
                "cultures are close."
            )
        return
    out.print(f"[bold]What matters most for this call[/bold] ({len(result.risks)} in all)")
    rows: list[tuple[str, str]] = []
    for risk in result.risks[:TOP]:
        mark = f"[{SEVERITY_STYLE[risk.severity]}]{risk.rank}. {risk.severity.upper()}[/]"
        lines = f"[bold]{escape(risk.title)}[/bold]\n→ {escape(risk.advice[0])}"
        if risk.questions:
            lines += f"\n? {escape(risk.questions[0])}"
        if risk.borderline:
            lines += "\n[italic](borderline)[/italic]"
        rows.append((mark, lines))
    out.rows(rows)


def briefing(out: Writer, result: Briefing, short: bool = False) -> None:
    s, b = result.seller, result.buyer
    _headline(out, result)
    if short:
        out.print(
            "[dim]The full briefing (every card, practice positions, common ground, "
            "missing data): drop --short.[/dim]"
        )
        return
    if result.themes:
        from crossdeal.playbook.rules import themes

        known = themes()
        # the label, not the id: a theme's cards run either way (a task-first buyer is
        # a relationship-first card), and the id alone would say the opposite
        out.print(
            "Themes: "
            + "".join(
                f"[{SEVERITY_STYLE[severity]}]"
                f"{escape(known[theme].label if theme in known else theme)}[/] ({severity})  "
                for theme, severity in result.themes.items()
            )
        )
    for side in (result.seller_person, result.buyer_person):
        if side is not None and side.departures:
            heading = (
                "You are not your country's average"
                if side.name == "You"
                else f"{escape(side.name)} is not the {escape(side.culture.name)} average"
            )
            recorded = [x for x in side.sources if x.startswith("pipeline contact")]
            out.print(
                f"[bold]{heading}[/bold]"
                + (f" [dim]({escape(recorded[0])})[/dim]" if recorded else "")
            )
            bullets(out, "•", side.departures)
    if result.adjustments:
        out.print(
            "[bold]How that changes the advice[/bold] (against the briefing for the two countries)"
        )
        bullets(
            out,
            "•",
            [
                f"{a.rule_id}: {a.change}"
                + (f" ({a.country_severity or 'none'} → {a.person_severity or 'none'})")
                for a in result.adjustments
            ],
        )
    for risk in result.risks:
        _risk(out, risk, s.shown_code, b.shown_code)
    common_ground(out, result.common_ground)
    if result.channel:
        out.print("\n[bold]Meetings and channel[/bold]")
        bullets(
            out, "•", [f"{c.mode} ({c.severity}): {c.advice} [{c.rule_id}]" for c in result.channel]
        )
    out.print("\n[bold]Sales cycle[/bold]")
    bullets(out, "•", [result.cycle.explanation])
    if result.practical is not None:
        practical(out, result.practical)
    _practices(out, result)
    if result.unmeasured:
        out.print("\n[bold yellow]Not measured for this pair[/bold yellow] (ask instead)")
        bullets(out, "•", [f"{u.title}: " + " ".join(u.questions) for u in result.unmeasured])
    if result.data_gaps:
        out.print("\n[bold yellow]Missing data[/bold yellow]")
        bullets(out, "•", result.data_gaps)
        if result.not_evaluated:
            ids = ", ".join(n.rule_id for n in result.not_evaluated)
            out.print(f" [dim]Rules not decided: {escape(ids)}[/dim]")
    if result.playbook.rule_files:
        out.print(f"[dim]User rules: {escape(', '.join(result.playbook.rule_files))}[/dim]")
    out.print(f"\n[italic]{escape(result.caveat)}[/italic]")


def _practices(out: Writer, result: Briefing) -> None:
    coded = [p for p in result.practices if p.seller_confidence or p.buyer_confidence]
    if not coded:
        return
    s, b = result.seller, result.buyer
    out.print("\n[bold]How business is done[/bold] [dim](crossdeal's practice coding, 1-5)[/dim]")

    def shown(level: int | None, holistic: bool, origin: str | None) -> str:
        text = "holistic" if holistic else ("—" if level is None else str(level))
        return text + ("*" if origin else "")

    out.table(
        [
            Column("scale (1 ↔ 5)"),
            Column(s.shown_code, "center"),
            Column(b.shown_code, "center"),
            Column("confidence"),
        ],
        [
            [
                f"{escape(p.name)} ({escape(p.low_pole)} ↔ {escape(p.high_pole)})",
                shown(p.seller_level, p.seller_holistic, p.seller_from),
                shown(p.buyer_level, p.buyer_holistic, p.buyer_from),
                f"{p.seller_confidence or '—'} / {p.buyer_confidence or '—'}",
            ]
            for p in coded
        ],
    )
    if any(p.seller_from or p.buyer_from for p in coded):
        out.print("[dim]* taken from the region or country that covers it[/dim]")


def address(out: Writer, a: AddressAdvice, label: str = "How to address them: ") -> None:
    order = {
        "family-first": "family name first",
        "given-first": "given name first",
        "either": "both orders are seen",
    }[a.name_order]
    out.print(f"{label}[bold]{escape(a.greeting)}[/bold]")
    if a.first_contact != "title":
        first = "first names from the first email"
    elif a.addressed_by == "given":
        first = "a title with the given name, from the first email on"
    elif a.addressed_by == "given-and-patronymic":
        first = "the first name with the patronymic, or in English a title and the family name"
    else:
        first = "a title and the family name until they offer first names"
    out.print(
        f"  [dim]{order}; {first}"
        + (f"; formal you: {escape(a.formal_you)}" if a.formal_you else "")
        + "[/dim]"
    )
    if a.note:
        out.print(f"  [dim]{escape(a.note)}[/dim]")


def practical(out: Writer, p: PracticalBriefing) -> None:
    end = p.on + dt.timedelta(days=p.days - 1)
    out.print(
        f"\n[bold]Next {p.days} days in {escape(p.country.name)}"
        + (f" ({escape(p.country.subdivision)})" if p.country.subdivision else "")
        + "[/bold] "
        f"[dim]({span(p.on, end)})[/dim]"
    )
    lines = [
        f"{span(e.start, e.end)}: {e.name}"
        + (" (estimated)" if e.estimated else "")
        + ("" if e.kind == "holiday" else f" - {e.for_seller}")
        for e in p.entries
    ]
    bullets(out, "•", lines or ["No public holiday or business period."])
    regional(out, p.regional, "  ")
    out.print(f"  Weekend: {', '.join(d.capitalize() for d in p.weekend)}")
    if p.hours:
        h = p.hours
        line = f"Office hours: {h.start}–{h.end} {escape(h.time_zone)} (UTC{h.utc_offset})"
        if p.overlap is not None:
            o = p.overlap
            line += (
                f"; shared with yours: {o.seller_local} your time ({o.hours:g} h)"
                if o.hours
                else "; no overlap with your office hours"
            )
        out.print(f"  {line}")
        # what to do without an overlap (the note past its first sentence), and what
        # moves or bounds the shared hours: nearest times, clock changes, other weeks
        if p.overlap is not None:
            said = [*p.overlap.note.split(". ", 1)[1:], *p.overlap.details]
            if said:
                out.print(f"  [yellow]{escape(' '.join(said))}[/yellow]")
        if h.note:
            out.print(f"  [dim]{escape(h.note)}[/dim]")
    if p.fiscal_year:
        fy = p.fiscal_year
        # the note qualifies the label ("others use the calendar year"): never left out
        extra = "".join(f" {escape(n)}" for n in (fy.note, fy.budget_note) if n)
        out.print(f"  Fiscal year: {escape(fy.label)}.{extra}")
    if p.address:
        out.print("\n[bold]How to address them[/bold]")
        address(out, p.address, label="  ")
        if p.languages:
            out.print(f"  [dim]Business email: {', '.join(p.languages)}[/dim]")
    for gap in p.not_covered:
        out.print(f"  [yellow]Not covered: {escape(gap)}[/yellow]")


def regional(out: Writer, holidays: list[RegionalHoliday], indent: str = "") -> None:
    """Holidays some regions keep: only for a buyer there, so said apart from the list."""
    if not holidays:
        return
    out.print(f"{indent}Regional holidays (offices closed only there):")
    bullets(
        out,
        "•",
        [
            f"{span(h.start, h.end)}: {h.name} in {', '.join(h.regions)} ({', '.join(h.cities)})"
            for h in holidays
        ],
    )
    out.print(f"{indent}[dim]Name the buyer's region with --subdivision to see its calendar.[/dim]")


def calendar_country(out: Writer, report: CalendarReport) -> None:
    c = report.country
    where = f"{escape(c.name)} ({c.code}{', ' + c.subdivision if c.subdivision else ''})"
    out.print(f"[bold]{where}[/bold]: {report.days} days from {span(report.start, report.start)}")
    out.print(
        f"Weekend: {', '.join(d.capitalize() for d in report.weekend)} "
        f"[dim]({escape(report.weekend_source)})[/dim]"
    )
    if report.entries:
        rows = []
        for e in report.entries:
            name = escape(e.name) + (" [dim](estimated)[/dim]" if e.estimated else "")
            kind = "[bold]holiday[/bold]" if e.kind == "holiday" else "period"
            rows.append([span(e.start, e.end), f"{name}\n[dim]{kind}[/dim]", escape(e.for_seller)])
        columns = [Column("when", no_wrap=True), Column("what"), Column("what it means for you")]
        out.table(columns, rows, edge=True)
    else:
        out.print("No public holiday or business period in this window.")
    regional(out, report.regional)
    if report.hours:
        h = report.hours
        out.print(
            f"Office hours: {h.start}–{h.end} {escape(h.time_zone)} (UTC{h.utc_offset}), "
            f"{', '.join(d.capitalize() for d in h.working_days)}"
        )
        for note in (h.time_zone_note, h.note):
            if note:
                out.print(f"  [dim]{escape(note)}[/dim]")
    if report.fiscal_year:
        fy = report.fiscal_year
        last = fy.next_start - dt.timedelta(days=1)
        out.print(f"Fiscal year: {escape(fy.label)}; this one runs {span(fy.current_start, last)}.")
        for note in (fy.note, fy.budget_note):
            if note:
                out.print(f"  [dim]{escape(note)}[/dim]")
    if report.address:
        address(out, report.address)
    if report.languages:
        out.print(f"Business email: {', '.join(report.languages)}")
    for gap in report.not_covered:
        out.print(f"[yellow]Not covered: {escape(gap)}[/yellow]")


def calendar(out: Writer, result: CalendarReport | PairCalendar) -> None:
    from crossdeal.calendar.reports import PairCalendar

    if not isinstance(result, PairCalendar):
        calendar_country(out, result)
        return
    calendar_country(out, result.first)
    out.print()
    calendar_country(out, result.second)
    if result.overlap:
        o = result.overlap
        out.print()
        if o.hours:
            out.print(
                f"[bold]Shared office hours[/bold] on {o.on:%d %b}: {o.buyer_local} for "
                f"{o.buyer}, {o.seller_local} for {o.seller} ({o.hours:g} h). "
                + escape(" ".join([o.note, *o.details]))
            )
        else:
            out.print(
                "[bold]Shared office hours[/bold]: none. " + escape(" ".join([o.note, *o.details]))
            )


def short_money(amount: float | None, currency: str) -> str:
    if amount is None:
        return "—"
    if amount >= 1_000_000:
        return f"{amount / 1_000_000:.1f}M {currency}"
    if amount >= 1_000:
        return f"{amount / 1_000:.0f}k {currency}"
    return f"{amount:.0f} {currency}"


def shown_code(code: str | None) -> str:
    """A pipeline culture code as people read it: ISO 3166 for a country (DEU, not GER)."""
    if not code:
        return "—"
    from crossdeal._model_cache import cached_briefing_model

    return cached_briefing_model().shown_code(code)


def sample_hint(team: str, command: str) -> str:
    """Where the sample pipeline is: `crossdeal demo` loads it into its own team."""
    if team == "demo":
        return "`crossdeal demo` loads the sample pipeline into this team"
    return (
        "`crossdeal demo` loads a sample into team demo; "
        f"see it with `crossdeal --team demo {command}`"
    )


# the terminal width from which a table of deals gives name, owner and stage their own columns
WIDE_TABLE = 120


def deals(out: Writer, listing: DealList, title: str | None = None) -> None:
    if not listing.deals:
        out.print(
            f"No deals match in team {escape(listing.team)}. "
            f"{sample_hint(listing.team, 'deals')}; `crossdeal import` loads your own."
        )
        return
    # The deal number (what `crossdeal deal N` needs), amount, date, risk and every signal
    # id stay whole on one line; the words of names, owners and stages wrap instead. A
    # terminal of 120 columns or more gets a column for each; a narrower one stacks them.
    wide = out.width >= WIDE_TABLE
    widest_id = max(len(str(d.id)) for d in listing.deals)
    columns = [Column("#", "right", no_wrap=True, min_width=widest_id)]
    if wide:
        columns += [
            Column("deal"),
            Column("account"),
            Column("cult.", no_wrap=True, min_width=3),
            Column("owner"),
            Column("stage"),
        ]
    else:
        columns.append(Column("deal"))
    columns += [
        Column("amount", "right", no_wrap=True, min_width=8),
        Column("close", no_wrap=True, min_width=10),
        Column("risk", no_wrap=True, min_width=5),
        Column("signals", no_wrap=True),
    ]
    rows = []
    for d in listing.deals:
        close = d.closed_on or d.expected_close
        risk = f"[{SEVERITY_STYLE[d.worst]}]{d.worst}[/]" if d.worst else ""
        if wide:
            described = [
                escape(d.name),
                escape(d.account),
                shown_code(d.culture),
                escape(d.owner or "—"),
                escape(d.stage or d.outcome),
            ]
        else:
            facts = " · ".join(
                escape(fact)
                for fact in (shown_code(d.culture), d.stage or d.outcome, d.owner)
                if fact
            )
            described = [f"[bold]{escape(d.account)}[/bold]\n{escape(d.name)}\n[dim]{facts}[/dim]"]
        rows.append(
            [
                str(d.id),
                *described,
                short_money(d.amount, d.currency),
                close.isoformat() if close else "",
                risk,
                escape("\n".join(s.id for s in d.signals)),
            ]
        )
    out.table(columns, rows, edge=True, title=title, pad_edge=False)
    shown = len(listing.deals)
    more = f", showing the first {shown} (--limit 0 shows all)" if shown < listing.total else ""
    out.print(
        f"[dim]{listing.total:,} deal(s){more} · team {listing.team} · {listing.database}[/dim]"
    )
