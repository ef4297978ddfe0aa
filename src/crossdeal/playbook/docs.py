"""Render the playbook as Markdown, so the rule reference cannot drift from the rules."""

from __future__ import annotations

from crossdeal.playbook.rules import Rule, load_rules, themes


def _severity(rule: Rule) -> str:
    parts = []
    for level, cond in rule.severity:
        parts.append(f"`{level}`" if cond.text == "true" else f"`{level}` when `{cond.text}`")
    return "; otherwise ".join(parts)


def playbook_markdown() -> str:
    rules = load_rules()
    lines = [
        "# The playbook: every shipped rule",
        "",
        "Generated from `src/crossdeal/playbook/data/rules/*.yaml` by",
        "`python tools/gen_docs.py`; a test fails if this page is stale.",
        "Gaps are buyer minus seller. Levels: low below 40, high from 60 (Hofstede scales).",
        "",
        "| theme | what it is about | rules |",
        "| --- | --- | --- |",
    ]
    for theme in themes().values():
        count = sum(1 for r in rules if r.theme == theme.id)
        lines.append(f"| `{theme.id}` | {theme.about} | {count} |")
    for theme in themes().values():
        lines += ["", f"## `{theme.id}`: {theme.title}", "", theme.about]
        for rule in sorted((r for r in rules if r.theme == theme.id), key=lambda r: r.id):
            lines += [
                "",
                f"### `{rule.id}`",
                "",
                f"**{rule.title}**",
                "",
                f"- When: `{rule.when.text}`",
                f"- Severity: {_severity(rule)}",
            ]
            if rule.channel:
                lines.append(f"- Channel: {rule.channel.mode}: {rule.channel.advice}")
            lines += ["", "Advice:", ""] + [f"- {a}" for a in rule.advice]
            lines += ["", "Questions to ask:", ""] + [f"- {q}" for q in rule.questions]
            lines += ["", f"Why: {rule.rationale}", "", "Sources: " + "; ".join(rule.sources)]
    return "\n".join(lines) + "\n"
