"""What every command shares: output format, common options, errors and printing."""

from __future__ import annotations

import os
import sys
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from crossdeal.cli.plain import escape, visible
from crossdeal.errors import CrossdealError

if TYPE_CHECKING:
    from rich.console import Console

    from crossdeal.cli.layout import Writer

__all__ = [
    "FormatOption",
    "KindFilter",
    "ModelOption",
    "OutputFormat",
    "PracticesOption",
    "ReaderRank",
    "RulesOption",
    "confirm",
    "console",
    "date_option",
    "emit_json",
    "fail",
    "safe",
    "say_on_stderr",
    "show_warnings_as_lines",
    "stdout_is_terminal",
    "text_writer",
    "visible",
]


class OutputFormat(StrEnum):
    text = "text"
    json = "json"


class ReaderRank(StrEnum):
    junior = "junior"
    manager = "manager"
    executive = "executive"


class KindFilter(StrEnum):
    country = "country"
    region = "region"
    subnational = "subnational"


FormatOption = Annotated[
    OutputFormat, typer.Option("--format", "-f", help="text for people, json for programs.")
]
ModelOption = Annotated[
    Path | None,
    typer.Option(
        "--model",
        help="Your own culture model: its YAML description, or a CSV with a YAML beside it.",
        show_default=False,
    ),
]
RulesOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--rules",
        help="A rule file or folder that adds rules or replaces shipped ones by id. Repeatable.",
        show_default=False,
    ),
]


PracticesOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--practices",
        help=(
            "Your own practice file: adds cultures or corrects scales (docs/practices.md). "
            "Repeatable."
        ),
        show_default=False,
    ),
]


def safe(text: object) -> str:
    """Data for a Rich console: control characters made visible, markup escaped."""
    from crossdeal.cli.layout import escape as escape_data

    return escape_data(str(text))


def stdout_is_terminal() -> bool:
    """Whether standard output is a terminal, as Rich decides it (FORCE_COLOR or
    TTY_COMPATIBLE set make it one)."""
    if os.environ.get("FORCE_COLOR") or os.environ.get("TTY_COMPATIBLE") == "1":
        return True
    isatty = getattr(sys.stdout, "isatty", None)
    return bool(isatty and isatty())


def text_writer() -> Writer:
    """Where a command's text goes: Rich on a terminal; plain lines, without loading Rich,
    when the output is piped or redirected (the same text, less start-up)."""
    if stdout_is_terminal():
        from crossdeal.cli.render import RichWriter

        return RichWriter(console())
    from crossdeal.cli.plain import PlainWriter

    return PlainWriter(sys.stdout)


def console() -> Console:
    from rich.console import Console

    # emoji=False: a deal named "Launch :rocket:" is printed as typed (and the emoji
    # table is never loaded)
    return Console(highlight=False, soft_wrap=False, emoji=False)


def say_on_stderr(markup: str) -> None:
    """One message on stderr (Rich markup), never wrapped: it stays whole for people and grep."""
    from rich.console import Console

    Console(stderr=True, highlight=False, soft_wrap=True, emoji=False).print(markup)


def fail(error: CrossdealError) -> NoReturn:
    """One line on stderr, exit code 2: how every deliberate error ends a command."""
    say_on_stderr(f"[bold red]Error:[/bold red] {escape(str(error))}")
    raise typer.Exit(2)


def show_warnings_as_lines() -> None:
    """crossdeal's own warnings become one line on stderr each, like errors; others as usual."""
    import warnings

    from crossdeal.errors import CrossdealWarning

    default = warnings.showwarning
    if getattr(default, "crossdeal", False):
        return  # installed already (several commands in one process, as in tests)

    def show(message, category, filename, lineno, file=None, line=None):  # type: ignore[no-untyped-def]
        if not issubclass(category, CrossdealWarning):
            return default(message, category, filename, lineno, file, line)
        say_on_stderr(f"[bold yellow]Warning:[/bold yellow] {escape(str(message))}")
        return None

    show.crossdeal = True  # type: ignore[attr-defined]
    warnings.showwarning = show


def emit_json(result: object) -> None:
    sys.stdout.write(result.model_dump_json(indent=2) + "\n")  # type: ignore[attr-defined]


def confirm(what: str, yes: bool) -> None:
    """Ask before a command deletes anything: on a terminal a yes/no question, in a
    script ``--yes``; without either, nothing is deleted and the command fails."""
    if yes:
        return
    if sys.stdin.isatty():
        if not typer.confirm(f"{what}. Go ahead?", default=False, err=True):
            raise typer.Exit(1)
        return
    fail(CrossdealError(f"{what}; nothing was changed. Add --yes to confirm"))


ChartOption = Annotated[
    Path | None,
    typer.Option(
        "--chart",
        help="Also write the charts to this SVG file (it opens in any browser).",
        show_default=False,
    ),
]


def write_chart(path: Path, svg: str) -> None:
    """Write an SVG file whole or not at all: a temporary file beside it, then renamed."""
    import os
    import tempfile

    if path.suffix.lower() != ".svg":
        raise CrossdealError(f"{path}: charts are written as SVG; name the file ….svg")
    if path.is_dir():
        raise CrossdealError(f"{path} is a folder: name the chart's file, e.g. forecast.svg")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise CrossdealError(f"there is no folder {folder} to write {path.name} into")
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(svg)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temp, 0o666 & ~umask)  # a file the user asked for: their usual permissions
        os.replace(temp, path)
    except OSError as error:
        Path(temp).unlink(missing_ok=True)
        raise CrossdealError(f"could not write {path}: {error.strerror or error}") from None


def date_option(text: str | None, what: str) -> date | None:
    """A YYYY-MM-DD option's date (None when not given); anything else is the user's
    mistake, said in one line."""
    if text is None:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise CrossdealError(f"{what} {text!r} is not a date written YYYY-MM-DD") from None
