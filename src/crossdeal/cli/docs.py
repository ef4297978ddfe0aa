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
        lines += _command(f"crossdeal {name}", command)
        for sub_name, sub in getattr(command, "commands", {}).items():
            lines += _command(f"crossdeal {name} {sub_name}", sub)
        if name == "deal":
            from crossdeal.cli.pipeline import DEAL_ACTIONS

            actions = typer.main.get_command(DEAL_ACTIONS)
            for sub_name, sub in actions.commands.items():  # type: ignore[attr-defined]
                lines += _command(f"crossdeal deal ID {sub_name}", sub)
    return "\n".join(lines) + "\n"


def _command(title: str, command: object) -> list[str]:
    help_text = " ".join((getattr(command, "help", None) or "").split())
    lines = ["", f"## `{title}`", "", help_text, ""]
    params = [p for p in getattr(command, "params", []) if p.name not in ("ctx",)]
    if not params:
        return lines
    lines += ["| argument / option | meaning | default |", "| --- | --- | --- |"]
    for param in params:
        if param.param_type_name == "argument":
            label = f"`{param.name.upper()}`"
        else:
            label = ", ".join(f"`{o}`" for o in param.opts)
        default = (
            "required"
            if param.required
            else ("" if param.default in (None, ()) else f"`{param.default}`")
        )
        help_param = " ".join((getattr(param, "help", "") or "").split())
        lines.append(f"| {label} | {help_param} | {default} |")
    return lines
