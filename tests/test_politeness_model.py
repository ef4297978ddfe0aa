"""The politeness model: shipped weights match the code, and its reported accuracy is real."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from crossdeal.messages.features import data_dir, default_features
from crossdeal.messages.politeness import default_politeness_model

ROOT = Path(__file__).resolve().parents[1]
WEIGHTS = data_dir() / "politeness_weights.json"


def test_shipped_weights_use_the_current_strategies() -> None:
    model = default_politeness_model()
    assert model.strategies == default_features().politeness_features
    assert all(f"s:{name}" in model.weights for name in model.strategies)
    assert "Stanford Politeness Corpus" in model.trained_on


def test_strategy_weights_point_the_way_the_literature_does() -> None:
    """Gratitude, greetings and apologies make requests read as more polite; direct,
    accusatory questions and negative words as less (Danescu-Niculescu-Mizil et al. 2013)."""
    w = default_politeness_model().weights
    for polite in ("gratitude", "greeting", "apology", "counterfactual_modal", "deference"):
        assert w[f"s:{polite}"] > 0, polite
    for rude in ("accusatory_question", "negative_lexicon", "second_person_start"):
        assert w[f"s:{rude}"] < 0, rude


@pytest.mark.slow
def test_retraining_reproduces_the_reported_accuracy(tmp_path: Path) -> None:
    """Runs tools/train_politeness.py into a scratch folder and checks the figures the
    repository reports: the same numbers, Ling. >= 83% in-domain on Wikipedia, and Ling.
    ahead of the same-run bag-of-words baseline on every evaluation."""
    pytest.importorskip("sklearn", reason="scikit-learn is part of the test extras")
    out = tmp_path / "weights.json"
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "tools/train_politeness.py"),
            "--weights",
            str(out),
            "--report",
            str(tmp_path / "report.md"),
        ],
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    fresh = json.loads(out.read_text(encoding="utf-8"))
    shipped = json.loads(WEIGHTS.read_text(encoding="utf-8"))
    assert fresh["evaluation"] == shipped["evaluation"]
    assert fresh["weights"] == shipped["weights"]
    evaluation = fresh["evaluation"]
    assert evaluation["in-domain wikipedia"]["ling"] >= 0.83
    for name, result in evaluation.items():
        assert result["ling"] > result["bow"], name
    assert (tmp_path / "report.md").read_text(encoding="utf-8") == (
        ROOT / "docs/politeness-model.md"
    ).read_text(encoding="utf-8")
