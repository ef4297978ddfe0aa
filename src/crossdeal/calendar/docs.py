"""Render the calendar knowledge as Markdown, so the reference cannot drift from the data."""

from __future__ import annotations

import calendar as stdcal

from crossdeal.calendar.knowledge import DateRule, default_knowledge


def _rule(rule: DateRule) -> str:
    if rule.fixed is not None:
        month, day = int(rule.fixed[:2]), int(rule.fixed[3:])
        text = f"{day} {stdcal.month_name[month]}"
    elif rule.hijri is not None:
        text = f"Hijri {rule.hijri} (Umm al-Qura)"
    else:
        text = f"{rule.holiday} ({rule.country})"
    if rule.days:
        text += f" {rule.days:+d} days"
    return text


def _cell(text: str | None) -> str:
    return (text or "").replace("|", "\\|").replace("\n", " ")


def calendar_markdown() -> str:
    k = default_knowledge()
    lines = [
        "# The practical layer: periods, office hours, fiscal years, forms of address",
        "",
        "Generated from `src/crossdeal/calendar/data/*.yaml` by `python tools/gen_docs.py`;",
        "a test fails if this page is stale. Public holidays come from the `holidays`",
        "package and weekends from CLDR (via babel) for every country, listed here or not;",
        "Hijri dates from the Umm al-Qura calendar (hijridate). A user file of the same",
        "shape (`crossdeal.calendar-countries/1` or `crossdeal.calendar-periods/1`) adds or",
        "replaces entries.",
        "",
        "## Periods that change business",
        "",
        "| period | from | to | countries | severity in a draft | what it means |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for p in k.periods:
        lines.append(
            f"| {p.name} (`{p.id}`) | {_rule(p.start)} | {_rule(p.end)} | "
            f"{', '.join(sorted(p.countries))} | {p.severity} | {_cell(p.for_seller)} |"
        )
    lines += [
        "",
        "Periods anchored on the Hijri calendar are shown as estimated: the real start",
        "depends on the moon sighting in each country (a day either way).",
        "",
        "## Countries",
        "",
        "| country | time zone | office hours | weekend | fiscal year starts | addressed by | "
        "first contact | greeting | languages |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for code in sorted(k.countries):
        c = k.countries[code]
        weekend = "CLDR"
        if c.weekend is not None:
            weekend = "crossdeal: " + ", ".join(
                ("mon tue wed thu fri sat sun".split())[d] for d in c.weekend
            )
        if c.weekend_history:
            weekend += "; before: " + "; ".join(
                f"{', '.join(('mon tue wed thu fri sat sun'.split())[d] for d in days)} "
                f"until {until.isoformat()}"
                for until, days in c.weekend_history
            )
        a = c.address
        lines.append(
            f"| {code} | {c.time_zone} | {c.hours[0]:%H:%M}-{c.hours[1]:%H:%M} | {weekend} | "
            f"{c.fiscal_year.starts} | {a.addressed_by} ({a.name_order}) | {a.first_contact} | "
            f"{_cell(a.salutation)} | {', '.join(c.languages)} |"
        )
    lines += ["", "## Notes per country", ""]
    for code in sorted(k.countries):
        c = k.countries[code]
        notes = [
            n
            for n in (
                c.time_zone_note,
                c.hours_note,
                c.weekend_note,
                c.fiscal_year.note,
                c.fiscal_year.budget_note,
                c.address.note,
            )
            if n
        ]
        if c.address.titles:
            notes.append("Titles: " + ", ".join(c.address.titles) + ".")
        if c.address.formal_you:
            notes.append(f"Formal you: {c.address.formal_you}.")
        lines += [f"### {code}", ""] + [f"- {n}" for n in notes]
        lines += ["", "Sources: " + "; ".join(k.cite(c.sources)), ""]
    lines += ["## Sources", ""] + [
        f"- `{key}`: {text}" for key, text in sorted(k.bibliography.items())
    ]
    return "\n".join(lines) + "\n"
