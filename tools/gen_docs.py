"""Regenerate the generated pages in docs/ (tests/test_docs.py checks they are current)."""

from pathlib import Path

from crossdeal.calendar.docs import calendar_markdown
from crossdeal.cli.docs import cli_markdown
from crossdeal.culture.docs import people_markdown, practices_markdown
from crossdeal.messages.docs import messages_markdown
from crossdeal.pipeline.docs import pipeline_markdown
from crossdeal.playbook.docs import playbook_markdown

DOCS = Path(__file__).resolve().parents[1] / "docs"

PAGES = {
    "cli.md": cli_markdown,
    "playbook.md": playbook_markdown,
    "messages.md": messages_markdown,
    "people.md": people_markdown,
    "practices.md": practices_markdown,
    "pipeline.md": pipeline_markdown,
    "calendar.md": calendar_markdown,
}

if __name__ == "__main__":
    for name, render in PAGES.items():
        (DOCS / name).write_text(render(), encoding="utf-8")
        print(f"wrote docs/{name}")
