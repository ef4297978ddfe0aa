"""Render the coach's features and findings as Markdown, so the reference cannot drift."""

from __future__ import annotations

from crossdeal.messages.features import default_features
from crossdeal.messages.rules import MessageRule, draft_rules, reply_rules
from crossdeal.messages.templates import templates


def _severity(rule: MessageRule) -> str:
    parts = []
    for level, cond in rule.severity:
        parts.append(f"`{level}`" if cond.text == "true" else f"`{level}` when `{cond.text}`")
    return "; otherwise ".join(parts)


def _rules(title: str, rules: tuple[MessageRule, ...]) -> list[str]:
    lines = ["", f"## {title}", ""]
    for rule in rules:
        lines += [
            f"### `{rule.id}`",
            "",
            f"**{rule.title}** (theme `{rule.theme}`)",
            "",
            f"- When: `{rule.when.text}`",
            f"- For: `{rule.reader.text}`",
            f"- Severity: {_severity(rule)}",
            f"- Points at: {', '.join(f'`{p}`' for p in rule.point_at) or 'the whole message'}",
            "",
            f"Why: {rule.why}",
        ]
        if rule.rewrite:
            lines += ["", f"Suggested rewrite: {rule.rewrite}"]
        if rule.follow_up:
            lines += ["", "Questions to send back:", ""] + [f"- {q}" for q in rule.follow_up]
        lines.append("")
    return lines


def messages_markdown() -> str:
    features = default_features()
    lines = [
        "# The message coach: findings and features",
        "",
        "Generated from `src/crossdeal/messages/data/` by `python tools/gen_docs.py`;",
        "a test fails if this page is stale. In conditions, `buyer.<dim>` is the buyer's",
        "culture (the reader of a draft, the writer of a reply), `seller.<dim>` yours when",
        "given, `text.<feature>` how often a feature matched, `politeness.score` the",
        "politeness model's probability that the text reads as polite.",
    ]
    lines += _rules("Findings on drafts (`crossdeal lint`)", draft_rules())
    lines += _rules("Findings on replies (`crossdeal reply`)", reply_rules())
    lines += [
        "",
        "## Features",
        "",
        "| feature | what it finds | politeness strategy |",
        "| --- | --- | --- |",
    ]
    for name in features.names:
        strategy = "yes" if name in features.politeness_features else ""
        lines.append(f"| `{name}` | {features.description(name)} | {strategy} |")
    lines += ["", "## Templates", "", "| template | use | slots |", "| --- | --- | --- |"]
    for t in templates().values():
        slots = ", ".join(f"`{k}`" + ("*" if s.required else "") for k, s in t.slots.items())
        lines.append(f"| `{t.name}` | {t.use} | {slots} |")
    lines += [
        "",
        "`*` required. The `personal` slot is left as a visible placeholder when empty.",
        "",
    ]
    return "\n".join(lines)
