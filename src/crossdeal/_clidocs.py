"""Render the CLI reference from the Typer app itself, so docs/cli.md cannot drift."""

from __future__ import annotations

import typer.main

from crossdeal.cli import app


def cli_markdown() -> str:
    group = typer.main.get_command(app)
    lines = [
        "# Command-line reference",
        "",
        "Generated from the `crossdeal` command by `python tools/gen_docs.py`;",
        "a test fails if this page is stale. Every command prints text for people by",
        "default and `--format json` for programs; a mistake in the input exits with code 2",
        "and one line saying what is wrong.",
    ]
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        lines += ["", f"## `crossdeal {name}`", "", " ".join((command.help or "").split()), ""]
        lines += ["| argument / option | meaning | default |", "| --- | --- | --- |"]
        for param in command.params:
            if param.param_type_name == "argument":
                label = f"`{param.name.upper()}`"
            else:
                label = ", ".join(f"`{o}`" for o in param.opts)
            default = (
                "required"
                if param.required
                else ("" if param.default is None else f"`{param.default}`")
            )
            help_text = " ".join((getattr(param, "help", "") or "").split())
            lines.append(f"| {label} | {help_text} | {default} |")
    return "\n".join(lines) + "\n"
