"""Every input has a size or depth limit with a clear message, and work in proportion."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from crossdeal.cli import app
from crossdeal.culture.model import load_culture_model
from crossdeal.errors import CultureModelError, DataFileError, RuleFileError
from crossdeal.pipeline.mapping import load_mapping
from crossdeal.playbook.rules import load_rules

runner = CliRunner()


@pytest.mark.parametrize(
    "condition", ["(" * 200 + "buyer.pdi > 1" + ")" * 200, "not " * 1000 + "buyer.pdi > 1"]
)
def test_a_condition_nested_too_deeply_is_refused_with_its_line(
    tmp_path: Path, condition: str
) -> None:
    rules = tmp_path / "deep.yaml"
    rules.write_text(
        "rules:\n  - id: ours/deep\n    theme: make-them-see-you\n    title: A title here\n"
        f"    when: {condition}\n    severity: info\n    advice: [Say something useful here.]\n"
        "    rationale: A rationale that is long enough to pass the length check for sure.\n",
        encoding="utf-8",
    )
    with pytest.raises(RuleFileError, match="nested more than 50 levels"):
        load_rules([rules])


def test_a_model_pointing_at_a_device_is_not_read(tmp_path: Path) -> None:
    spec = tmp_path / "model.yaml"
    spec.write_text(
        "name: m\ncsv: /dev/zero\nid_column: id\ndimensions: [{key: pdi}]\n", encoding="utf-8"
    )
    with pytest.raises(CultureModelError, match="not a regular file"):
        load_culture_model(spec)


def test_a_people_file_nested_too_deeply_is_reported_not_a_crash(crossdeal_home: Path) -> None:
    (crossdeal_home / "people.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    result = runner.invoke(app, ["person", "list"])
    assert result.exit_code == 2 and "nested too deeply" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.mark.parametrize("template", ["{Product:>99999999}", "{Product.__class__}", "{0[0]}"])
def test_a_mapping_template_is_plain_column_names_only(tmp_path: Path, template: str) -> None:
    mapping = tmp_path / "ours.yaml"
    mapping.write_text(
        "name: ours\nsource: ours\nentity: deals\nid: id\nfields:\n"
        f"  name: {{template: '{template}'}}\n  account: {{column: Account}}\n",
        encoding="utf-8",
    )
    with pytest.raises(DataFileError, match="plain column names"):
        load_mapping(mapping)


def test_a_long_draft_is_echoed_only_as_far_as_it_was_checked(tmp_path: Path) -> None:
    draft = tmp_path / "long.txt"
    draft.write_text("Hello Kenji," + "\n" * 500_000 + "Can you do it?", encoding="utf-8")
    result = runner.invoke(app, ["lint", str(draft), "--to", "JP"])
    assert result.exit_code == 0
    assert "Only the first part" in result.output
    assert len(result.output) < 500_000


def test_a_long_run_of_capitals_is_checked_in_linear_time() -> None:
    """'A' * 20,000 before a sentence: a pattern that opens with a repeat ([A-Z]{4,}) is
    tried where words start, never scanned from every letter of the run (which re-reads
    the run from each position: quadratic). Checked as the path taken, not wall time."""
    import crossdeal
    from crossdeal.messages import features

    scanned: list[str] = []
    original = features._scan

    def recording(pattern, subject, bounded):  # type: ignore[no-untyped-def]
        if bounded:
            scanned.append(pattern.pattern)
        return original(pattern, subject, bounded)

    features._scan = recording  # type: ignore[assignment]
    try:
        report = crossdeal.lint_message("A" * 19_980 + "1 We will try.", to="JP")
    finally:
        features._scan = original  # type: ignore[assignment]
    assert report.words >= 1
    assert not any(features._opens_with_repeat(p) for p in scanned), scanned
