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
