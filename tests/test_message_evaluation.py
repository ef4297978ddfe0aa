"""Precision and recall of the coach on the labelled messages, with floors we can defend.

Floors apply to the held-out half (even ids), which was never read while tuning the
patterns. The figures themselves are in docs/message-evaluation.md.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from crossdeal.messages.evaluation import Score, evaluate

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "messages"

# The one floor the product brief fixes: a flagged unqualified yes must be right.
UNQUALIFIED_YES_PRECISION = 0.85
PRECISION_FLOOR = 0.75
RECALL_FLOOR = 0.6


def _held_out(name: str) -> list[dict[str, Any]]:
    items = yaml.safe_load((DATA / name).read_text(encoding="utf-8"))
    return [i for i in items if int(str(i["id"])[1:]) % 2 == 0]


@pytest.fixture(scope="module")
def drafts() -> dict[str, Score]:
    return evaluate(_held_out("drafts.yaml"), "draft")


@pytest.fixture(scope="module")
def replies() -> dict[str, Score]:
    return evaluate(_held_out("replies.yaml"), "reply")


def test_the_labelled_set_is_large_enough() -> None:
    drafts = yaml.safe_load((DATA / "drafts.yaml").read_text(encoding="utf-8"))
    replies = yaml.safe_load((DATA / "replies.yaml").read_text(encoding="utf-8"))
    assert len(drafts) + len(replies) >= 200
    assert len({i["id"] for i in drafts + replies}) == len(drafts) + len(replies)


def test_unqualified_yes_flags_are_precise(replies: dict[str, Score]) -> None:
    score = replies["unqualified-yes"]
    assert score.support >= 10
    assert score.precision is not None and score.precision >= UNQUALIFIED_YES_PRECISION
    assert score.recall is not None and score.recall >= 0.85


@pytest.mark.parametrize(
    "finding",
    [
        "closed-question",
        "no-personal-touch",
        "too-blunt",
        "too-vague",
        "pressure",
        "standard-offer",
        "informal-address",
        "single-decider",
        "junior-decider",
        "boastful",
    ],
)
def test_every_draft_finding_meets_its_floor(drafts: dict[str, Score], finding: str) -> None:
    score = drafts[finding]
    assert score.support >= 5, finding
    assert score.precision is not None and score.precision >= PRECISION_FLOOR, (finding, score)
    assert score.recall is not None and score.recall >= RECALL_FLOOR, (finding, score)


@pytest.mark.parametrize("finding", ["soft-no", "unanswered-point"])
def test_every_reply_finding_meets_its_floor(replies: dict[str, Score], finding: str) -> None:
    score = replies[finding]
    assert score.precision is not None and score.precision >= PRECISION_FLOOR, (finding, score)
    assert score.recall is not None and score.recall >= RECALL_FLOOR, (finding, score)


def test_the_reported_figures_are_current(tmp_path: Path) -> None:
    doc = ROOT / "docs" / "message-evaluation.md"
    before = doc.read_text(encoding="utf-8")
    subprocess.run(
        [sys.executable, str(ROOT / "tools/evaluate_messages.py")],
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    after = doc.read_text(encoding="utf-8")
    assert after == before, (
        "docs/message-evaluation.md is stale: run python tools/evaluate_messages.py"
    )


def test_the_blind_set_is_varied_and_its_passing_findings_do_not_slip() -> None:
    # written blind to the patterns and kept out of pattern work (docs/message-evaluation.md);
    # most findings miss the goal on it, and those that meet it must keep meeting it
    blind = yaml.safe_load((DATA / "blind_drafts.yaml").read_text(encoding="utf-8"))
    assert len(blind) >= 60 and len({b["to"] for b in blind}) >= 15
    scores = evaluate(blind, "draft", min_severity="watch")
    for finding in ("closed-question", "date-mismatch", "impossible-date", "weekend-clash"):
        score = scores[finding]
        assert score.precision is not None and score.precision >= 0.85, (finding, score)
        assert score.recall is not None and score.recall >= 0.7, (finding, score)
