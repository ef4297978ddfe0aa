"""The domain core stays plain Python: no web, database, CLI or printing."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "crossdeal"
CORE = ["culture", "playbook", "messages", "forecast", "calendar"]
FORBIDDEN = {
    "typer",
    "click",
    "rich",
    "fastapi",
    "starlette",
    "uvicorn",
    "httpx",
    "requests",
    "sqlalchemy",
    "alembic",
    "psycopg",
    "sqlite3",
    "jinja2",
    "crossdeal.cli",
    "crossdeal.cli.render",
    "crossdeal.server",
    "crossdeal.pipeline",
}


def _core_files() -> list[Path]:
    return [p for part in CORE if (PACKAGE / part).exists() for p in (PACKAGE / part).rglob("*.py")]


@pytest.mark.parametrize("path", _core_files(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_core_imports_no_interface_or_storage_library(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        for name in names:
            assert not any(name == f or name.startswith(f + ".") for f in FORBIDDEN), (
                path.name,
                name,
            )
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            assert node.func.id != "print", f"{path.name} prints"


def test_importing_the_library_does_not_import_the_cli_stack() -> None:
    import subprocess
    import sys

    code = (
        "import sys, crossdeal; crossdeal.brief('US','IN'); "
        "print(sorted(m for m in ('typer','rich') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
