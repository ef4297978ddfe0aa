"""Rule files: the shipped playbook is valid, and a broken file says file, line, rule and why."""

from __future__ import annotations

from pathlib import Path

import pytest

import crossdeal
from crossdeal.errors import RuleFileError
from crossdeal.playbook import Playbook, load_rules, themes
from crossdeal.playbook.rules import shipped_rule_files

GOOD_RULE = """\
rules:
  - id: custom/always-video
    theme: make-them-see-you
    title: Always meet on video first
    when: distance.kogut_singh >= 0
    severity: info
    advice:
      - Hold the first meeting on video with cameras on.
    rationale: In our own experience first meetings on video convert better, for every pair.
"""


VALUE_KEYS = ("pdi", "idv", "mas", "uai", "lto", "ivr")


def test_every_shipped_rule_is_complete() -> None:
    rules = load_rules()
    assert len(rules) >= 25
    for rule in rules:
        assert rule.advice and rule.questions, rule.id
        assert len(rule.rationale) > 120, rule.id
        assert rule.sources, rule.id
        assert rule.dimensions, rule.id
        # the rationale cites the dimensions and practice scales the condition reads
        for key in rule.dimensions:
            cited = key.upper() if key in VALUE_KEYS else key
            assert cited in rule.rationale or "Kogut-Singh" in rule.rationale, (rule.id, key)
        assert rule.id.startswith(rule.theme + "/"), rule.id


def test_every_theme_has_rules() -> None:
    rules = load_rules()
    empty = [t for t in themes() if not any(r.theme == t for r in rules)]
    assert empty == []


def _write(tmp_path: Path, text: str, name: str = "rules.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "line", "rule_id", "reason"),
    [
        (
            GOOD_RULE.replace("theme: make-them-see-you", "theme: small-talk"),
            3,
            "custom/always-video",
            "unknown theme 'small-talk'",
        ),
        (
            GOOD_RULE.replace("distance.kogut_singh >= 0", "buyer.pdi >= "),
            5,
            "custom/always-video",
            "'when' does not parse",
        ),
        (
            GOOD_RULE.replace("severity: info", "severity: urgent"),
            6,
            "custom/always-video",
            "'severity': Input should be 'info', 'watch' or 'high'",
        ),
        (
            GOOD_RULE.replace("    severity: info\n", ""),
            2,
            "custom/always-video",
            "'severity' is required",
        ),
        (GOOD_RULE.replace("custom/always-video", "Custom Rule!"), 2, "Custom Rule!", "'id'"),
        (
            GOOD_RULE.replace(
                "      - Hold the first meeting on video with cameras on.\n", "      - Video.\n"
            ),
            7,
            "custom/always-video",
            "sentence",
        ),
        (GOOD_RULE + "    colour: blue\n", 10, "custom/always-video", "unknown field 'colour'"),
        (
            GOOD_RULE.replace(
                "In our own experience first meetings on video convert better, for every pair.",
                "Short.",
            ),
            9,
            "custom/always-video",
            "'rationale'",
        ),
        ("rules:\n  - id: a/b\n    theme: [unclosed\n", 4, None, "invalid YAML"),
        ("rules: 3\n", 1, None, "'rules' must be a list"),
        ("- just a list\n", 1, None, "top-level 'rules:'"),
        ("", None, None, "the file is empty"),
        (GOOD_RULE + GOOD_RULE.replace("rules:\n", ""), 10, "custom/always-video", "appears twice"),
        (
            GOOD_RULE.replace("severity: info", "severity: {high: buyer.pdi > 3}"),
            6,
            "custom/always-video",
            "otherwise",
        ),
    ],
)
def test_broken_rule_files_name_file_line_rule_and_reason(
    tmp_path: Path, text: str, line: int | None, rule_id: str | None, reason: str
) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(RuleFileError) as caught:
        load_rules([path])
    error = caught.value
    assert error.path == str(path)
    assert reason in error.reason, error.reason
    if line is not None:
        assert error.line == line, str(error)
    if rule_id is not None:
        assert error.item == rule_id
    assert str(path) in str(error)


def test_a_user_rule_is_added(tmp_path: Path) -> None:
    playbook = Playbook.load([_write(tmp_path, GOOD_RULE)])
    assert "custom/always-video" in {r.id for r in playbook.rules}
    briefing = crossdeal.brief("US", "CA", playbook=playbook)
    assert [r.rule_id for r in briefing.risks] == ["custom/always-video"]


def test_a_user_rule_overrides_a_shipped_rule_by_id(tmp_path: Path) -> None:
    override = """\
rules:
  - id: hierarchy-and-titles/match-seniority
    severity: info
    advice:
      - Our CEO visits every key account in person in the first quarter, whatever the country.
"""
    folder = tmp_path / "team-rules"
    folder.mkdir()
    _write(folder, override, "ours.yaml")
    briefing = crossdeal.brief("US", "IN", rules=[folder])
    risk = next(r for r in briefing.risks if r.rule_id == "hierarchy-and-titles/match-seniority")
    assert risk.severity == "info"
    assert risk.advice == [
        "Our CEO visits every key account in person in the first quarter, whatever the country."
    ]
    assert risk.rule_file.endswith("ours.yaml")
    assert "seniority" in risk.title.lower()  # unchanged fields come from the shipped rule
    assert briefing.playbook.rule_files == [str(folder)]


def test_a_user_file_can_switch_a_shipped_rule_off(tmp_path: Path) -> None:
    path = _write(tmp_path, "rules:\n  - id: unqualified-yes/deference\n    disabled: true\n")
    briefing = crossdeal.brief("US", "IN", rules=[path])
    assert "unqualified-yes/deference" not in {r.rule_id for r in briefing.risks}


def test_a_user_rule_on_an_unknown_dimension_is_an_error(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD_RULE.replace("distance.kogut_singh >= 0", "buyer.pdx >= 0"))
    with pytest.raises(RuleFileError, match="pdx"):
        crossdeal.brief("US", "IN", rules=[path])


def test_a_missing_rules_path_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(RuleFileError, match="no such file"):
        load_rules([tmp_path / "nope"])
    with pytest.raises(RuleFileError, match=r"no \.yaml rule files"):
        load_rules([tmp_path])


def test_shipped_rule_files_are_one_per_theme() -> None:
    names = {p.stem for p in shipped_rule_files()}
    assert names == set(themes())
