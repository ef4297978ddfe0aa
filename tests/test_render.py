"""The text layout the CLI prints: hanging indents, plain when piped, whole on a terminal."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console
from rich.markup import escape as rich_escape
from rich.markup import render as rich_render
from rich.text import Text

import crossdeal
from crossdeal.cli import layout as _layout
from crossdeal.cli import plain as _plain
from crossdeal.cli import render as _render


def _printed(renderable: object, width: int = 40, terminal: bool = False) -> str:
    out = io.StringIO()
    Console(file=out, width=width, force_terminal=terminal, color_system=None).print(renderable)
    return out.getvalue()


def test_wrapped_lines_hang_under_the_text_not_the_mark() -> None:
    rows = [
        (Text("2. HIGH"), Text("The senior person decides; find them and the people they hear"))
    ]
    lines = _printed(_render.Hanging(rows)).splitlines()
    assert lines[0].startswith("2. HIGH The senior person")
    assert all(line.startswith(" " * 8) and line[8] != " " for line in lines[1:])
    assert all(len(line) <= 40 and line == line.rstrip() for line in lines)


@pytest.mark.parametrize(
    "item",
    [
        "佐藤健二さんは来週の会議で最終的な判断を下す予定です",
        "Dr. Müller-Lüdenscheidt prefers the formal Sie throughout",
    ],
)
def test_bullets_wrap_by_the_width_people_see(item: str) -> None:
    lines = _printed(_render._bullets("•", [item]), width=24).splitlines()
    assert lines[0].startswith("•  ")
    assert all(Text(line).cell_len <= 24 for line in lines)
    assert "".join(line[3:] for line in lines).replace(" ", "") == item.replace(" ", "")


def test_a_briefing_is_framed_on_a_terminal_and_plain_when_piped() -> None:
    result = crossdeal.brief("US", "IN")
    piped = _printed(_render._bullets("•", [result.cycle.explanation]), width=80)
    assert result.cycle.explanation.split()[0] in piped
    out = io.StringIO()
    framed_console = Console(file=out, width=100, force_terminal=True, color_system=None)
    _layout.briefing(_render.RichWriter(framed_console), result)
    framed = out.getvalue()
    assert "╭" in framed and result.risks[0].title in framed
    out = io.StringIO()
    _layout.briefing(_render.RichWriter(Console(file=out, width=100)), result)
    plain = out.getvalue()
    assert "╭" not in plain and result.risks[0].title in plain


# --- the plain writer: what Rich prints off a terminal, without Rich ----------------------

MARKUP_TEXT = st.text(alphabet=st.sampled_from(list("ab [/]\\#@:x1é漢")), max_size=30)


@given(MARKUP_TEXT)
def test_escape_writes_what_rich_writes_and_plain_reads_it_back(text: str) -> None:
    assert _plain.escape(text) == rich_escape(text)
    assert _plain.plain(_plain.escape(text)) == rich_render(rich_escape(text), emoji=False).plain
    if "\\" not in text:  # Rich reads some backslashes of data as escapes itself
        assert _plain.plain(_plain.escape(text)) == text


@given(MARKUP_TEXT)
def test_plain_shows_the_text_rich_shows(text: str) -> None:
    markup = _plain.escape(text) + "[bold]" + _plain.escape(text) + "[/bold]"
    assert _plain.plain(markup) == rich_render(markup, emoji=False).plain


@given(st.text(alphabet=st.sampled_from(list("ab cd\n-漢é")), max_size=120), st.integers(4, 40))
def test_wrapped_lines_fit_and_keep_every_word(text: str, width: int) -> None:
    lines = _plain.wrap(text, width)
    assert all(_plain.cells(line) <= width for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "").replace("\n", "")


def _both(render: object, result: object, width: int) -> tuple[str, str]:
    rich_out, plain_out = io.StringIO(), io.StringIO()
    console = Console(file=rich_out, width=width, highlight=False, soft_wrap=False, emoji=False)
    render(_render.RichWriter(console), result)  # type: ignore[operator]
    render(_plain.PlainWriter(plain_out, width), result)  # type: ignore[operator]
    strip = lambda text: [line.rstrip() for line in text.splitlines()]  # noqa: E731
    return "\n".join(strip(rich_out.getvalue())), "\n".join(strip(plain_out.getvalue()))


@pytest.mark.parametrize("width", [50, 80, 120])
@pytest.mark.parametrize(
    ("seller", "buyer"),
    [("US", "IN"), ("RU", "DE"), ("JP", "US"), ("SA", "KR"), ("US", "Arab countries")],
)
def test_a_piped_briefing_reads_as_rich_prints_it(seller: str, buyer: str, width: int) -> None:
    result = crossdeal.brief(seller, buyer, practical=True, on=dt.date(2026, 12, 1))
    framed, plain = _both(_layout.briefing, result, width)
    assert plain == framed


@pytest.mark.parametrize("width", [50, 80, 120])
@pytest.mark.parametrize(("country", "other"), [("JP", None), ("DE", "US"), ("AE", "IN")])
def test_a_piped_calendar_reads_as_rich_prints_it(
    country: str, other: str | None, width: int
) -> None:
    result = crossdeal.business_calendar(
        country, start=dt.date(2026, 12, 1), days=60, with_country=other
    )
    framed, plain = _both(_layout.calendar, result, width)
    assert plain == framed


def test_the_cli_prints_a_piped_briefing_without_rich() -> None:
    import subprocess
    import sys

    code = (
        "import sys; from crossdeal.cli import main; sys.argv = ['crossdeal', 'brief', "
        "'--seller', 'US', '--buyer', 'IN']\n"
        "try: main()\nexcept SystemExit: pass\n"
        "print('rich loaded' if any(m.startswith('rich') for m in sys.modules) else 'no rich')"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert "Pre-call briefing: United States" in out and out.strip().endswith("no rich")


@pytest.fixture(scope="module")
def sample_listings(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[object, str | None]]:
    from crossdeal.pipeline.db import Database
    from crossdeal.pipeline.demo import generate
    from crossdeal.pipeline.store import PipelineStore

    path = tmp_path_factory.mktemp("listing") / "pipeline.db"
    store = PipelineStore(Database(f"sqlite:///{path}"), "demo")
    store.load_demo(generate(seed=7, deals=120, model=store.model))
    return [
        (store.deals(limit=50), None),
        (store.deals(at_risk=True, limit=15), "Open deals at risk (most severe first)"),
    ]


@pytest.mark.parametrize("width", [60, 80, 120, 200])
def test_a_piped_deal_table_reads_as_rich_prints_it(
    sample_listings: list[tuple[object, str | None]], width: int
) -> None:
    for listing, title in sample_listings:
        framed, plain = _both(lambda out, r, t=title: _layout.deals(out, r, t), listing, width)
        assert plain == framed
        assert "close" in plain and (width < 80 or " deal " in plain)
