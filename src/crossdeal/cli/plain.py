"""Plain text for output that is not a terminal: the layout Rich gives a briefing off a
terminal (wrapped paragraphs, hanging rows, cards as a title and their lines, tables
aligned by spaces), without loading Rich.

Loading Rich and laying a briefing out with it took a command about a seventh of its
start-up, and piped output has no styles to show. The markup is Rich's (``[bold]``,
``[/]``, ``\\[`` for a literal bracket), so one text serves both writers; ``escape``
here writes what Rich's escape writes, and a test holds the two to the same output.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, Literal

__all__ = ["Column", "PlainWriter", "escape", "plain", "visible", "wrap"]

# C0 and C1 control characters (but tab and newline) and DEL: a name or a CSV cell that
# carries them could clear the screen, retitle the window or write to the clipboard
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

# a tag: "[" then a letter, "#", "/" or "@", up to the first "]" (no "[" inside), with the
# backslashes before it (an odd number makes it literal text)
_TAG = re.compile(r"(\\*)\[([a-z#/@][^[]*?)]")
_WORD = re.compile(r"\s*\S+\s*")


def visible(text: str) -> str:
    """The text with control characters shown as escapes (``\\x1b``), never sent raw."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def escape(text: str) -> str:
    """``text`` as markup that shows it as written (what ``rich.markup.escape`` gives)."""

    def literal(match: re.Match[str]) -> str:
        backslashes = match.group(1)
        return f"{backslashes}{backslashes}\\[{match.group(2)}]"

    escaped = _TAG.sub(literal, text)
    if escaped.endswith("\\") and not escaped.endswith("\\\\"):
        escaped += "\\"
    return escaped


def plain(markup: str) -> str:
    """The text that markup shows: its tags dropped and its escapes undone."""
    if "[" not in markup:
        return markup
    out: list[str] = []
    position = 0
    for match in _TAG.finditer(markup):
        # between tags, a backslash before any bracket makes it a bracket
        out.append(markup[position : match.start()].replace("\\[", "["))
        backslashes, odd = divmod(len(match.group(1)), 2)
        out.append("\\" * backslashes)
        if odd:  # an escaped bracket: the tag is text
            out.append(f"[{match.group(2)}]")
        position = match.end()
    out.append(markup[position:].replace("\\[", "["))
    return "".join(out)


def cells(text: str) -> int:
    """Columns the text takes on a terminal: wide East Asian characters take two,
    combining marks none."""
    if text.isascii():
        return len(text)
    width = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def _fold(word: str, width: int) -> list[str]:
    """A word longer than the line, cut into pieces of at most ``width`` columns."""
    pieces: list[str] = []
    piece = ""
    for char in word:
        if piece and cells(piece + char) > width:
            pieces.append(piece)
            piece = ""
        piece += char
    return [*pieces, piece] if piece else pieces


def _cut(word: str, width: int) -> str:
    """A word longer than the line, cut to it with an ellipsis."""
    while cells(word) > width - 1 and word:
        word = word[:-1]
    return word + "…"


def wrap(text: str, width: int, cut: bool = False) -> list[str]:
    """Lines of at most ``width`` columns, broken between words; every line break in the
    text is kept. A word longer than a line is folded onto the next, or with ``cut``
    ended with an ellipsis (as in a table's cells)."""
    width = max(width, 1)
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line, used = "", 0
        for word in _WORD.findall(paragraph) or [""]:
            need = cells(word.rstrip())
            if used + need <= width:
                line, used = line + word, used + cells(word)
                continue
            if line:
                lines.append(line.rstrip())
                line, used = "", 0
            if need > width and cut:
                word = _cut(word.rstrip(), width) + " "
            elif need > width:
                *whole, word = _fold(word.rstrip(), width)
                lines.extend(whole)
                word += " "
            line, used = word, cells(word)
        lines.append(line.rstrip())
    return lines


@dataclass(frozen=True)
class Column:
    header: str
    justify: Literal["left", "center", "right"] = "left"
    no_wrap: bool = False
    min_width: int | None = None


class PlainWriter:
    """Writes markup as plain lines of at most ``width`` columns (``COLUMNS``, else 80,
    as Rich sizes output that is not a terminal)."""

    def __init__(self, stream: IO[str], width: int | None = None) -> None:
        self.stream = stream
        self.width = width or _columns()

    def _lines(self, lines: Sequence[str]) -> None:
        self.stream.write("".join(f"{line}\n" for line in lines))

    def print(self, markup: str = "") -> None:
        """A paragraph (Rich markup), wrapped at the width."""
        self._lines(wrap(plain(markup), self.width))

    def rows(self, rows: Sequence[tuple[str, str]], mark_width: int | None = None) -> None:
        """Each text after its mark, its wrapped lines hanging under its first word."""
        marks = [plain(mark) for mark, _ in rows]
        width = mark_width or max((cells(m) for m in marks), default=0)
        out: list[str] = []
        for mark, (_, text) in zip(marks, rows, strict=True):
            for index, line in enumerate(wrap(plain(text), self.width - width - 1)):
                lead = mark + " " * (width + 1 - cells(mark)) if index == 0 else " " * (width + 1)
                out.append((lead + line).rstrip())
        self._lines(out)

    @contextmanager
    def card(self, title: str, style: str = "") -> Iterator[PlainWriter]:
        """A card: off a terminal, its title on a line and then what is written in it."""
        self.print(title)
        yield self

    def table(
        self,
        columns: Sequence[Column],
        rows: Sequence[Sequence[str]],
        edge: bool = False,
        title: str | None = None,
        pad_edge: bool = True,
    ) -> None:
        """Columns aligned by spaces, one space of padding each side (none at the outer
        edges without ``pad_edge``; ``edge``: the frame a terminal draws, which plain text
        has none of); when they do not fit, the widest columns that may wrap wrap first,
        and a word too long for its cell ends with an ellipsis."""
        last = len(columns) - 1
        pads = [
            (1 if pad_edge or i > 0 else 0, 1 if pad_edge or i < last else 0)
            for i in range(len(columns))
        ]
        header = [plain(c.header) for c in columns]
        body = [[plain(cell) for cell in row] for row in rows]
        everything = [header, *body]
        longest = [
            max(
                max(cells(line) for row in everything for line in row[i].split("\n")),
                column.min_width or 0,
            )
            for i, column in enumerate(columns)
        ]
        padded = _collapse(
            [min(w + sum(p), self.width) for w, p in zip(longest, pads, strict=True)],
            [not c.no_wrap for c in columns],
            self.width,
        )
        widths = [
            max(min(w, room - sum(p)), c.min_width or 0, 1)
            for w, room, p, c in zip(longest, padded, pads, columns, strict=True)
        ]
        out: list[str] = []
        if title:
            table_width = sum(w + sum(p) for w, p in zip(widths, pads, strict=True))
            out.extend(wrap(plain(title), table_width))
        for number, row in enumerate(everything):
            wrapped = [wrap(cell, width, cut=True) for cell, width in zip(row, widths, strict=True)]
            depth_of_row = max(len(w) for w in wrapped)
            if number == 0:  # headers sit on the row's last line, above their column
                wrapped = [[""] * (depth_of_row - len(w)) + w for w in wrapped]
            for depth in range(depth_of_row):
                parts = []
                for column, lines, width, (left, right) in zip(
                    columns, wrapped, widths, pads, strict=True
                ):
                    text = lines[depth] if depth < len(lines) else ""
                    parts.append(" " * left + _justify(text, width, column.justify) + " " * right)
                out.append("".join(parts).rstrip())
        self._lines(out)


def _collapse(widths: list[int], wrappable: list[bool], room: int) -> list[int]:
    """Column widths (padding included) narrowed to fit ``room`` as Rich narrows them: the
    widest columns that may wrap shrink towards the next widest, in turn; if that is not
    enough, every column gives up a share."""
    widths = list(widths)
    excess = sum(widths) - room
    while excess > 0 and any(wrappable):
        widest = max(w for w, ok in zip(widths, wrappable, strict=True) if ok)
        second = max(
            (w for w, ok in zip(widths, wrappable, strict=True) if ok and w != widest), default=0
        )
        shares = [1 if ok and w == widest else 0 for w, ok in zip(widths, wrappable, strict=True)]
        if not any(shares) or widest == second:
            break
        widths = _reduce(excess, shares, [min(excess, widest - second)] * len(widths), widths)
        excess = sum(widths) - room
    if excess > 0:
        widths = _reduce(excess, [1] * len(widths), widths, widths)
    return widths


def _reduce(total: int, shares: list[int], limits: list[int], widths: list[int]) -> list[int]:
    """``total`` taken from the widths in proportion to their shares, each giving at most
    its limit (rounded as it goes, so the parts add up to the total)."""
    shares = [s if limit else 0 for s, limit in zip(shares, limits, strict=True)]
    left_shares, left = sum(shares), total
    out = []
    for share, limit, width in zip(shares, limits, widths, strict=True):
        if share and left_shares > 0:
            taken = min(limit, round(share * left / left_shares))
            out.append(width - taken)
            left -= taken
            left_shares -= share
        else:
            out.append(width)
    return out


def _justify(text: str, width: int, how: str) -> str:
    gap = max(width - cells(text), 0)
    if how == "right":
        return " " * gap + text
    if how == "center":
        return " " * (gap // 2) + text + " " * (gap - gap // 2)
    return text + " " * gap


def _columns() -> int:
    try:
        return max(int(os.environ.get("COLUMNS", "")), 1)
    except ValueError:
        return 80
