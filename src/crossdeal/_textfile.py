"""Read a text file (or standard input) the way a salesperson saved it.

Handles byte-order marks, UTF-8, UTF-16/32 with a BOM and Windows-1252; refuses binary
files and text in an encoding it cannot tell, with a message saying what to do.
"""

from __future__ import annotations

import codecs
import sys
from dataclasses import dataclass
from pathlib import Path

from crossdeal.errors import InputError

# More than this is never needed to check a message; a larger file is cut here.
MAX_BYTES = 1_000_000

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


@dataclass(frozen=True)
class TextInput:
    text: str
    encoding: str
    cut: bool


def read_text(source: str, what: str = "message") -> TextInput:
    """Read ``source`` (a path, or "-" for standard input) as text."""
    if source == "-":
        data = sys.stdin.buffer.read(MAX_BYTES + 1)
        name = "standard input"
    else:
        path = Path(source)
        if path.is_dir():
            raise InputError(f"{source} is a folder; give the file that holds the {what}")
        try:
            with path.open("rb") as fh:
                data = fh.read(MAX_BYTES + 1)
        except FileNotFoundError:
            raise InputError(f"no such file: {source}") from None
        except OSError as exc:
            raise InputError(f"cannot read {source}: {exc.strerror}") from None
        name = source
    cut = len(data) > MAX_BYTES
    data = data[:MAX_BYTES]
    if not data.strip():
        raise InputError(f"{name} is empty: there is no {what} to read")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return TextInput(data.decode(encoding, errors="replace"), encoding, cut)
    if b"\x00" in data[:8192]:
        raise InputError(f"{name} looks like a binary file, not a text {what}")
    try:
        return TextInput(data.decode("utf-8"), "utf-8", cut)
    except UnicodeDecodeError as exc:
        if cut and exc.start >= len(data) - 4:  # cut in the middle of a character
            return TextInput(data[: exc.start].decode("utf-8"), "utf-8", cut)
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        raise InputError(
            f"{name} is not in an encoding crossdeal can read (UTF-8, UTF-16 or Windows-1252); "
            "save it as UTF-8 and try again"
        ) from None
    return TextInput(text, "windows-1252", cut)
