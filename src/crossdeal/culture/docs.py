"""Render the self-assessment and the observation vocabulary as Markdown (docs/people.md)."""

from __future__ import annotations

from crossdeal.culture.assessment import ITEM_SD, questionnaire
from crossdeal.culture.individual import observation_vocabulary, prior_sd
from crossdeal.culture.model import default_model


def people_markdown() -> str:
    model = default_model()
    q = questionnaire()
    names = {d.key: d.name for d in model.dimensions}
    lines = [
        "# People, not stereotypes",
        "",
        "Generated from `src/crossdeal/culture/data/questionnaire.yaml` and `observations.yaml`",
        "by `python tools/gen_docs.py`; a test fails if this page is stale.",
        "",
        "Country scores describe the average of a population. crossdeal treats them as the",
        "*prior* for a person and lets evidence about the person move the estimate: your",
        "self-assessment for you, your observations for a buyer.",
        "",
        "## The estimate",
        "",
        "Per dimension, the prior is the country score with a standard deviation of "
        f"{prior_sd():.0f} points (individuals differ from their country's average by about as",
        "much as countries differ from each other). Each piece of evidence suggests a value",
        "with its own standard deviation; the estimate is the precision-weighted mean of",
        "prior and evidence,",
        "and its uncertainty is the combined precision plus the disagreement among the pieces",
        "of evidence. One observation always narrows the uncertainty; observations that agree",
        "narrow it further; observations that pull in opposite directions widen it again.",
        "With no evidence, the person equals the country.",
        "",
        "A briefing for a person uses the estimate where it would use the country score, and",
        "lists every rule whose outcome differs from the briefing for the two countries",
        "(`adjustments` in JSON), with the departures behind the change. A departure is a",
        "dimension where the estimate moved 10 points or more from the country score.",
        "",
        "## The self-assessment (`crossdeal assess`)",
        "",
        f"{len(q.items)} statements about work situations, answered from 1 (strongly disagree) to",
        "5 (strongly agree). An answer is centred (x = (answer - 3) / 2) and each item has a",
        "signed weight per dimension it informs: positive when agreeing is typical of the",
        "high pole. A dimension's score is 50 + 50 × Σ w·x / Σ |w|, so answering every item at",
        "the extreme that matches a pole lands exactly on it and an all-neutral set lands at 50.",
        "Its uncertainty combines how much the items disagree with a fixed item error of",
        f"{ITEM_SD:.0f} points, over the effective number of items. The score then enters your",
        "estimate as evidence, with your home country as the prior.",
        "",
        "What the scores mean: where you say you stand, on the same scales as the country data,",
        "so that a briefing compares you with the buyer rather than two national averages.",
        "What they do not mean: a measurement of your culture or personality, a validated",
        "psychometric instrument, or a fact about your country.",
        "",
        "| item | statement | informs |",
        "| --- | --- | --- |",
    ]
    for item in q.items:
        informs = ", ".join(
            f"{names.get(k, k).lower()} {'+' if w > 0 else '−'}{abs(w):g}"
            for k, w in item.scores.items()
        )
        lines.append(f"| `{item.id}` | {item.text} | {informs} |")
    lines += [
        "",
        "## What you can observe about a buyer (`crossdeal person add --observe ...`)",
        "",
        "| observation | what you see | suggests | strength (sd, points) |",
        "| --- | --- | --- | --- |",
    ]
    for obs in observation_vocabulary().values():
        suggests = ", ".join(
            f"{names.get(k, k).lower()} ≈ {v:.0f}" for k, v in obs.suggests.items()
        )
        lines.append(f"| `{obs.id}` | {obs.description} | {suggests} | {obs.strength:g} |")
    lines += [
        "",
        "## Where it is stored",
        "",
        "`people.json` and `me.json` in `$CROSSDEAL_HOME` if set, else the user data folder",
        "(`~/.local/share/crossdeal` on Linux). Saving writes a temporary file and renames it",
        "over the old one, so a crash never loses the previous profile; a file that does not",
        "parse is reported with its name and line and never reset.",
        "",
    ]
    return "\n".join(lines)


def practices_markdown() -> str:
    """docs/practices.md: the practice scales, every culture's coding, and the sources."""
    from crossdeal.culture.practice import default_practices

    atlas = default_practices()
    lines = [
        "# Practice scales: how business is actually done",
        "",
        "Generated from `src/crossdeal/culture/data/practice_scales.yaml` and `practices.yaml`",
        "by `python tools/gen_docs.py`; a test fails if this page is stale.",
        "",
        "Six value dimensions cannot say how people disagree, give negative feedback, decide,",
        "keep time, persuade or build trust. crossdeal keeps its own coding of those practices:",
        "each culture has a level from 1 to 5 on each scale below, coded by this project from",
        "the research and practitioner literature listed at the end (several sources per",
        "position), with a confidence and a note where sources disagree. No source's own",
        "numbers or charts were transcribed. The levels describe business populations, not",
        "the person across the table: a contact's observed behaviour moves their estimate",
        "(docs/people.md).",
        "",
        "The playbook reads the levels on the 0-100 footing of the value scores (level 1 = 0,",
        "2 = 25, 3 = 50, 4 = 75, 5 = 100), so a rule can say `buyer.disagreeing >= 75 and",
        "gap.disagreeing >= 25` (the buyer avoids open confrontation, and at least one level",
        "more than the seller). A position may be off by "
        + ", ".join(f"{v:g} level(s) at {k} confidence" for k, v in atlas.uncertainty.items())
        + "; advice that rests on a position closer than that to a rule's threshold is marked",
        "borderline and shown at most as watch (at most as info within half that).",
        "",
        "A culture without an entry of its own reads the entry of its country (sub-national",
        "samples) or of the region that covers it, and the briefing says so. A culture with no",
        "entry and no covering region has no practice coding: the briefing says what it could",
        "not measure and what to ask instead, and never calls two cultures close on it.",
        "",
        "## Your own corrections",
        "",
        "A company that knows a market better can correct an entry: `crossdeal brief ...",
        "--practices ours.yaml` (or `practices=` in Python). The file has the shape of",
        "`practices.yaml`; an entry for a culture that exists replaces only the scales it",
        "names, a new entry (under `countries:` by ISO 3166 alpha-3 code, or `samples:` by the",
        "culture model's code) must give `name`. Every position needs a level (or",
        "`holistic: true` for persuading), a confidence and at least one source key from the",
        "shipped bibliography or the file's own `sources:`. A mistake is reported with file,",
        "line and reason.",
        "",
        "```yaml",
        "countries:",
        "  DEU:",
        "    formality: {level: 3, confidence: medium, sources: [ours2026],",
        "                note: 'Our software buyers switch to Du after the first workshop.'}",
        "sources:",
        "  ours2026: Our account team's notes on 40 German customers (2026).",
        "```",
        "",
        "## The scales",
        "",
    ]
    for scale in atlas.scales:
        lines += [
            f"### {scale.name} (`{scale.key}`): {scale.low_pole} (1) to {scale.high_pole} (5)",
            "",
            scale.meaning,
            "",
        ]
        lines += [f"{level}. {text}" for level, text in sorted(scale.levels.items())]
        lines.append("")
    keys = [s.key for s in atlas.scales]
    lines += [
        "## Every culture",
        "",
        "Levels 1-5 (`H` holistic on persuading); a lower-case letter after a level is its",
        "confidence (`h` high, `m` medium, `l` low).",
        "",
        "| culture | key | " + " | ".join(keys) + " |",
        "| --- | --- |" + " --- |" * len(keys),
    ]
    entries = sorted([*atlas.countries.values(), *atlas.samples.values()], key=lambda p: p.name)
    for profile in entries:
        cells = []
        for key in keys:
            p = profile.positions.get(key)
            if p is None:
                cells.append("—")
            else:
                cells.append(("H" if p.holistic else str(p.level)) + p.confidence[0])
        lines.append(f"| {profile.name} | {profile.key} | " + " | ".join(cells) + " |")
    lines += ["", "## Notes and sources, culture by culture", ""]
    for profile in entries:
        lines += [f"### {profile.name} ({profile.key})", ""]
        if profile.about:
            lines += [profile.about, ""]
        if profile.values_from:
            lines += [
                f"Value scores, where it has none of its own: `{profile.values_from}`.",
                "",
            ]
        for key in keys:
            p = profile.positions.get(key)
            if p is None:
                continue
            shown = "holistic" if p.holistic else f"level {p.level}"
            text = f"- **{key}** {shown} ({p.confidence}; {'; '.join(p.sources)})"
            if p.note:
                text += f": {p.note}"
            lines.append(text)
        lines.append("")
    lines += ["## Bibliography", ""]
    lines += [f"- `{key}`: {ref}" for key, ref in sorted(atlas.bibliography.items())]
    lines.append("")
    return "\n".join(lines)
