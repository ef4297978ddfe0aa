"""Draft-linting throughput against VADER sentiment on the same texts, in one run.

    pip install vaderSentiment   # the reference peer (not a crossdeal dependency)
    python benchmarks/bench_lint.py

The texts: typical sales drafts of about 150 words, generated from a fixed seed by
recombining sentences of the labelled test set, so every run reads the same texts.
Both tools process every text once per round, on one core, after a warm-up round.
"""

from __future__ import annotations

import argparse
import os
import random
import time
from pathlib import Path

import yaml

import crossdeal
from crossdeal.messages.features import default_features

ROOT = Path(__file__).resolve().parents[1]
READERS = ["JP", "IN", "US", "DE", "BR", "KR", "SE", "CN", "FR", "Arab countries"]
# openings of several kinds, so that the address check has something to read
OPENINGS = ["Dear Ms. Tanaka,", "Hi Klaus,", "Dear Wei,", "Hello team,", "Dear Mr. Kim,"]


def drafts(count: int, seed: int = 11) -> list[str]:
    items = yaml.safe_load((ROOT / "tests/data/messages/drafts.yaml").read_text(encoding="utf-8"))
    sentences = [
        s.strip() for item in items for s in item["text"].split("\n") if len(s.split()) > 4
    ]
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        words: list[str] = [rng.choice(OPENINGS)]
        while sum(len(w.split()) for w in words) < 140:
            words.append(rng.choice(sentences))
        words.append("Kind regards,\nAlex")
        out.append("\n".join(words))
    return out


def rate(fn, texts: list[str], rounds: int) -> float:  # type: ignore[no-untyped-def]
    for t in texts[:100]:
        fn(t)
    best = 0.0
    for _ in range(rounds):
        start = time.perf_counter()
        for t in texts:
            fn(t)
        best = max(best, len(texts) / (time.perf_counter() - start))
    return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    texts = drafts(args.count)
    words = sum(len(t.split()) for t in texts) / len(texts)
    model = crossdeal.default_model()
    readers = [model.resolve(r) for r in READERS]
    counter = iter(range(10**9))

    def lint(text: str) -> object:
        return crossdeal.lint_message(text, to=readers[next(counter) % len(readers)], model=model)

    ours = rate(lint, texts, args.rounds)
    print(f"texts: {len(texts)} drafts, {words:.0f} words on average")
    print(f"crossdeal lint   : {ours:8.0f} drafts/s (goal: ahead of VADER)")
    # The calendar and address checks on their own (goal: they cost < 10 %): the coach
    # called the same way with and without them, in turns, so that drift hits both alike
    from crossdeal._api import _model
    from crossdeal._calendar_cache import cached_knowledge
    from crossdeal.messages.coach import lint_message as core_lint

    joined, knowledge = _model(model), cached_knowledge()

    def lint_with(text: str) -> object:
        reader = readers[next(counter) % len(readers)]
        return core_lint(text, to=reader, model=joined, calendar=knowledge)

    def lint_without(text: str) -> object:
        reader = readers[next(counter) % len(readers)]
        return core_lint(text, to=reader, model=joined, practical=False)

    pairs = [(rate(lint_with, texts, 1), rate(lint_without, texts, 1)) for _ in range(args.rounds)]
    with_checks = max(p[0] for p in pairs)
    without = max(p[1] for p in pairs)
    print(
        f"  the coach with the calendar and address checks: {with_checks:8.0f} drafts/s; "
        f"without them: {without:.0f}/s (cost {1 - with_checks / without:+.1%})"
    )
    # The same, without the one-pass RE2 prefilter (as on a machine without google-re2).
    features = default_features()
    prefilters, features._prefilters = features._prefilters, None
    try:
        plain = rate(lint, texts, args.rounds)
    finally:
        features._prefilters = prefilters
    print(f"  without RE2    : {plain:8.0f} drafts/s (prefilter speed-up {ours / plain:.2f}x)")
    try:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
    except ImportError:
        print("VADER: not installed (pip install vaderSentiment) - no ratio")
        return
    analyzer = SentimentIntensityAnalyzer()
    vader = rate(analyzer.polarity_scores, texts, args.rounds)
    print(f"VADER sentiment  : {vader:8.0f} texts/s (reference peer)")
    print(f"ratio crossdeal/VADER: {ours / vader:.2f}")


if __name__ == "__main__":
    main()
