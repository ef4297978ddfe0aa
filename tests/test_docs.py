"""The docs match the code: generated pages are current and the README tells the truth."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import crossdeal
from crossdeal.cli.docs import cli_markdown
from crossdeal.culture.docs import people_markdown, practices_markdown
from crossdeal.messages.docs import messages_markdown
from crossdeal.pipeline.docs import pipeline_markdown
from crossdeal.playbook import load_rules, themes
from crossdeal.playbook.docs import playbook_markdown

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("page", "render"),
    [
        ("cli.md", cli_markdown),
        ("playbook.md", playbook_markdown),
        ("messages.md", messages_markdown),
        ("people.md", people_markdown),
        ("practices.md", practices_markdown),
        ("pipeline.md", pipeline_markdown),
    ],
)
def test_generated_pages_are_current(page: str, render) -> None:  # type: ignore[no-untyped-def]
    assert (ROOT / "docs" / page).read_text(encoding="utf-8") == render(), (
        f"docs/{page} is stale: run python tools/gen_docs.py"
    )


def test_every_command_appears_in_the_readme() -> None:
    import typer.main

    from crossdeal.cli import app

    for name in typer.main.get_command(app).commands:  # type: ignore[attr-defined]
        assert f"crossdeal {name}" in README, name


def test_every_theme_and_the_rule_count_appear_in_the_readme() -> None:
    for theme in themes():
        assert f"`{theme}`" in README, theme
    assert f"{len(load_rules())} rules across ten themes" in README


def _quick_start_commands() -> list[str]:
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```\n(.+?)\n```", section)


def test_quick_start_has_two_commands_and_ci_runs_the_test_one() -> None:
    commands = _quick_start_commands()
    assert len(commands) == 2
    main_job, tests = commands
    assert "crossdeal brief" in main_job
    assert "pytest" in tests
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert tests in ci, ".ci/run must run exactly the README's test command"


def test_cycle_prior_table_matches_the_code() -> None:
    page = (ROOT / "docs" / "cycle-prior.md").read_text(encoding="utf-8")
    rows = re.findall(
        r"\| ([A-Z][^|→]+?) → ([^|]+?) \| ([0-9.]+) \| ([0-9. +]+) \| ([0-9.]+) \|", page
    )
    assert len(rows) >= 8
    for seller, buyer, ks, parts, factor in rows:
        briefing = crossdeal.brief(seller, buyer)
        assert f"{briefing.kogut_singh.value:.2f}" == ks, (seller, buyer)
        assert " + ".join(f"{p.added:.2f}" for p in briefing.cycle.parts) == parts, (seller, buyer)
        assert f"{briefing.cycle.factor:.2f}" == factor, (seller, buyer)


def test_every_rule_file_and_shipped_data_file_is_documented() -> None:
    for rule in load_rules():
        assert rule.id in (ROOT / "docs" / "playbook.md").read_text(encoding="utf-8")
