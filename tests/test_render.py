"""The text layout the CLI prints: hanging indents, plain when piped, whole on a terminal."""

from __future__ import annotations

import io

import pytest
from rich.console import Console
from rich.text import Text

import crossdeal
from crossdeal import _render


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
    _render.briefing(Console(file=out, width=100, force_terminal=True, color_system=None), result)
    framed = out.getvalue()
    assert "╭" in framed and result.risks[0].title in framed
    out = io.StringIO()
    _render.briefing(Console(file=out, width=100), result)
    plain = out.getvalue()
    assert "╭" not in plain and result.risks[0].title in plain
