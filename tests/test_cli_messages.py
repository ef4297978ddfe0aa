"""The message coach from the command line: files, standard input, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from crossdeal.cli import app

runner = CliRunner()
DRAFT = (
    "Hi Kenji,\n\nCan you deliver the integration by March 3? "
    "Our standard package is fixed.\n\nBest,\nTom\n"
)


def run(*args: str, stdin: str | bytes | None = None):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args), input=stdin, env={"COLUMNS": "250"})


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def draft(tmp_path: Path) -> Path:
    path = tmp_path / "draft.txt"
    path.write_text(DRAFT, encoding="utf-8")
    return path


def test_lint_a_file_end_to_end(draft: Path) -> None:
    result = run("lint", str(draft), "--to", "JP", "--from", "US")
    assert result.exit_code == 0, result.output
    out = flat(result.output)
    assert "Draft check for a reader in Japan (JPN)" in out
    assert "closed-question" in out and "standard-offer" in out
    assert "What would it take for your team to deliver the integration by March 3?" in out


def test_lint_reads_standard_input() -> None:
    result = run("lint", "-", "--to", "IN", "--format", "json", stdin=DRAFT)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["schema_version"] == "crossdeal.lint/1"
    assert data["reader"]["code"] == "IND"
    assert "closed-question" in {f["id"] for f in data["findings"]}


def test_reply_with_the_earlier_message(tmp_path: Path) -> None:
    reply = tmp_path / "reply.txt"
    reply.write_text(
        "Of course, no problem. We will discuss the budget internally.", encoding="utf-8"
    )
    asked = tmp_path / "asked.txt"
    asked.write_text("Can you confirm the budget? Who will sign the contract?", encoding="utf-8")
    result = run("reply", str(reply), "--from", "IN", "--asked", str(asked), "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["verdict"] == "mixed"
    assert {f["id"] for f in data["findings"]} == {"unqualified-yes", "soft-no", "unanswered-point"}
    text = run("reply", str(reply), "--from", "IN").output
    assert "mixed" in text and "Ask back" in text


def test_template_list_show_and_render() -> None:
    listed = run("template", "list")
    assert listed.exit_code == 0 and "follow-up-after-meeting" in listed.output
    assert "personal" in run("template", "show", "proposal-cover").output
    rendered = run(
        "template",
        "render",
        "follow-up-after-meeting",
        "--to",
        "KR",
        "--var",
        "name=Kim Min-jun",
        "--var",
        "title=Mr.",
        "--var",
        "topic=the pilot",
        "--var",
        "next_step=a call next week",
        "--var",
        "sender=Anna",
    )
    assert rendered.exit_code == 0, rendered.output
    # the family name comes first in Korea, and it is the one that takes the title
    assert "Dear Mr. Kim," in rendered.output
    assert "Fill in before sending: personal" in flat(rendered.output)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty"),
        (b"   \n\n  ", "is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "looks like a binary file"),
        ("Cher Monsieur Dupont, merci pour votre réponse.".encode("cp1252"), None),
        ("Hello — can you ship by Friday?".encode("utf-16"), None),
        (b"\xef\xbb\xbfDear Ms. Lee, can you deliver by May?", None),
        (bytes([0x81, 0x8D, 0x8F, 0x90, 0x9D]) * 10, "not in an encoding crossdeal can read"),
    ],
)
def test_bad_or_unusual_files(tmp_path: Path, content: bytes, message: str | None) -> None:
    path = tmp_path / "draft.txt"
    path.write_bytes(content)
    result = run("lint", str(path), "--to", "JP")
    assert "Traceback" not in result.output
    if message is None:
        assert result.exit_code == 0, result.output
    else:
        assert result.exit_code == 2
        assert message in flat(result.output)


def test_a_5_mb_file_is_read_in_part_and_says_so(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    path.write_text("Dear Mr. Rao, can you deliver the plan by June? " * 110_000, encoding="utf-8")
    assert path.stat().st_size > 5_000_000
    result = run("lint", str(path), "--to", "IN", "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["truncated"] is True


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("lint", "missing.txt", "--to", "JP"), "no such file: missing.txt"),
        (("lint", "-", "--to", "Atlantis"), "No culture matches 'Atlantis'"),
        (("reply", "-", "--from", "Narnia"), "No culture matches 'Narnia'"),
        (("template", "render", "nope", "--to", "KR"), "no template named 'nope'"),
        (
            ("template", "render", "proposal-cover", "--to", "KR", "--var", "oops"),
            "is not slot=value",
        ),
        (("template", "show", "nope"), "no template named 'nope'"),
    ],
)
def test_errors_exit_2_with_a_message(args: tuple[str, ...], message: str) -> None:
    result = run(*args, stdin="Hello there")
    assert result.exit_code == 2
    assert message in flat(result.output)
    assert "Traceback" not in result.output


def test_a_folder_is_not_a_draft(tmp_path: Path) -> None:
    result = run("lint", str(tmp_path), "--to", "JP")
    assert result.exit_code == 2
    assert "is a folder" in flat(result.output)


def test_lint_with_the_readers_rank() -> None:
    draft = (
        "Dear Mr. Chen,\n\nWe would be grateful for your approval of the pilot contract "
        "before 12 May.\n\nKind regards,\nAnna\n"
    )
    unknown = run("lint", "-", "--to", "CN", stdin=draft)
    assert unknown.exit_code == 0, unknown.output
    assert "Not decided: junior-decider, needs the reader's seniority (--reader-rank" in flat(
        unknown.output
    )
    junior = run("lint", "-", "--to", "CN", "--reader-rank", "junior", stdin=draft)
    assert junior.exit_code == 0, junior.output
    assert "junior-decider" in junior.output and "Not decided" not in junior.output
    bad = run("lint", "-", "--to", "CN", "--reader-rank", "boss", stdin=draft)
    assert bad.exit_code == 2
    assert "Traceback" not in bad.output
