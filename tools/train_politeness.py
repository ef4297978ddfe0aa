"""Fit the politeness model on the Stanford Politeness Corpus and report how good it is.

    pip install -e '.[train]'
    python tools/train_politeness.py            # evaluate, write weights and the report

Protocol (Danescu-Niculescu-Mizil et al., ACL 2013): requests in the top quartile of
the normalised politeness score are "polite", those in the bottom quartile "impolite"
(quartiles per corpus); the middle half is left out. Two models are compared on the
same folds in the same run:

- bag of words (BOW): logistic regression on word unigrams (present or not);
- linguistically informed (Ling.): the same unigrams plus crossdeal's politeness
  strategies (features.yaml, `politeness: true`), present or not.

In-domain accuracy is 10-fold stratified cross-validation (seed 7); cross-domain
trains on every labelled request of one corpus and tests on the other. The shipped
weights are the Ling. model fitted on both corpora together.
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPORA = {"wikipedia": "wikipedia.annotated.csv", "stack-exchange": "stack-exchange.annotated.csv"}


def load(corpus_dir: Path, name: str) -> tuple[list[str], list[int]]:
    with (corpus_dir / CORPORA[name]).open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    scores = [float(r["Normalized Score"]) for r in rows]
    q1, _, q3 = statistics.quantiles(scores, n=4, method="inclusive")
    texts, labels = [], []
    for row, score in zip(rows, scores, strict=True):
        if score >= q3:
            texts.append(row["Request"])
            labels.append(1)
        elif score <= q1:
            texts.append(row["Request"])
            labels.append(0)
    return texts, labels


def inputs(texts: list[str], with_strategies: bool) -> list[dict[str, float]]:
    """Model inputs exactly as crossdeal computes them at run time (present = 1)."""
    from crossdeal.messages.features import default_features
    from crossdeal.messages.politeness import model_inputs

    features = default_features()
    strategies = features.politeness_features if with_strategies else ()
    return [
        dict.fromkeys(model_inputs(features.extract(text, only=strategies), strategies), 1.0)
        for text in texts
    ]


def make_model(c: float):  # type: ignore[no-untyped-def]
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    return make_pipeline(DictVectorizer(), LogisticRegression(C=c, max_iter=2000))


def cross_validated(x: list[dict[str, float]], y: list[int], folds: int, c: float) -> float:
    from sklearn.model_selection import StratifiedKFold

    correct = 0
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=7)
    for train, test in splitter.split(x, y):
        model = make_model(c).fit([x[i] for i in train], [y[i] for i in train])
        predicted = model.predict([x[i] for i in test])
        correct += sum(int(p == y[i]) for p, i in zip(predicted, test, strict=True))
    return correct / len(y)


def held_out(
    xa: list[dict[str, float]], ya: list[int], xb: list[dict[str, float]], yb: list[int], c: float
) -> float:
    model = make_model(c).fit(xa, ya)
    return sum(int(p == t) for p, t in zip(model.predict(xb), yb, strict=True)) / len(yb)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus-dir", type=Path, default=ROOT / "data" / "stanford_politeness")
    parser.add_argument("--folds", type=int, default=10)
    parser.add_argument("--c", type=float, default=0.3, help="inverse L2 strength of both models")
    parser.add_argument(
        "--weights", type=Path, default=ROOT / "src/crossdeal/messages/data/politeness_weights.json"
    )
    parser.add_argument("--report", type=Path, default=ROOT / "docs/politeness-model.md")
    parser.add_argument("--min-weight", type=float, default=0.1, help="drop smaller word weights")
    args = parser.parse_args()

    started = time.perf_counter()
    data = {name: load(args.corpus_dir, name) for name in CORPORA}
    x = {
        (name, kind): inputs(texts, kind == "ling")
        for name, (texts, _) in data.items()
        for kind in ("bow", "ling")
    }
    results: dict[str, dict[str, float]] = {}
    for name, (_, y) in data.items():
        results[f"in-domain {name}"] = {
            kind: cross_validated(x[(name, kind)], y, args.folds, args.c)
            for kind in ("bow", "ling")
        }
    for train, test in (("wikipedia", "stack-exchange"), ("stack-exchange", "wikipedia")):
        results[f"train {train}, test {test}"] = {
            kind: held_out(x[(train, kind)], data[train][1], x[(test, kind)], data[test][1], args.c)
            for kind in ("bow", "ling")
        }

    # the shipped model: Ling. on both corpora
    from crossdeal.messages.features import default_features
    from crossdeal.messages.politeness import PolitenessModel

    all_x = x[("wikipedia", "ling")] + x[("stack-exchange", "ling")]
    all_y = data["wikipedia"][1] + data["stack-exchange"][1]
    pipeline = make_model(args.c).fit(all_x, all_y)
    vectorizer, regression = pipeline.steps[0][1], pipeline.steps[1][1]
    weights = {
        name: float(w)
        for name, w in zip(vectorizer.get_feature_names_out(), regression.coef_[0], strict=True)
        if name.startswith("s:") or abs(w) >= args.min_weight
    }
    model = PolitenessModel(
        intercept=float(regression.intercept_[0]),
        weights=weights,
        strategies=default_features().politeness_features,
        trained_on="Stanford Politeness Corpus (Wikipedia + Stack Exchange requests), CC BY 4.0",
    )
    counts = {
        name: {"polite": sum(y), "impolite": len(y) - sum(y)} for name, (_, y) in data.items()
    }
    model.dump(
        args.weights,
        extra={
            "protocol": "top vs bottom quartile of the normalised score, per corpus",
            "citation": "Danescu-Niculescu-Mizil, Sudhof, Jurafsky, Leskovec, Potts (2013), "
            "A computational approach to politeness with application to social factors, ACL",
            "evaluation": {k: {m: round(v, 4) for m, v in r.items()} for k, r in results.items()},
            "examples": counts,
        },
    )
    write_report(args.report, results, counts, model, args)
    for key, r in results.items():
        print(
            f"{key:45s} BOW {r['bow']:.2%}  Ling. {r['ling']:.2%}  "
            f"margin {r['ling'] - r['bow']:+.2%}"
        )
    print(f"weights: {len(weights)} inputs -> {args.weights}; {time.perf_counter() - started:.0f}s")
    return 0


def write_report(path: Path, results, counts, model, args) -> None:  # type: ignore[no-untyped-def]
    strategies = sorted(
        ((k[2:], w) for k, w in model.weights.items() if k.startswith("s:")), key=lambda kv: -kv[1]
    )
    lines = [
        "# The politeness model",
        "",
        "Generated by `python tools/train_politeness.py` (do not edit by hand).",
        "",
        "Data: Stanford Politeness Corpus (Danescu-Niculescu-Mizil et al., ACL 2013; CC BY 4.0),",
        "requests from Wikipedia talk pages and Stack Exchange, each rated by five annotators.",
        "Labels follow the published protocol: top quartile of the normalised score = polite,",
        "bottom quartile = impolite, per corpus; the middle half is left out.",
        "",
        "| corpus | polite | impolite |",
        "| --- | --- | --- |",
    ]
    lines += [f"| {n} | {c['polite']} | {c['impolite']} |" for n, c in counts.items()]
    lines += [
        "",
        f"Both models are L2 logistic regressions (C = {args.c}) on the same inputs encoding",
        "(present / absent); BOW sees word unigrams, Ling. sees the same unigrams plus",
        "crossdeal's politeness strategies. In-domain figures are "
        f"{args.folds}-fold stratified cross-validation on the same folds for both models;",
        "cross-domain figures train on one whole corpus and test on the other.",
        "",
        "| evaluation | BOW | Ling. | margin |",
        "| --- | --- | --- | --- |",
    ]
    for key, r in results.items():
        lines.append(f"| {key} | {r['bow']:.1%} | {r['ling']:.1%} | {r['ling'] - r['bow']:+.1%} |")
    lines += [
        "",
        "The published study reports that its linguistically informed model beat bag of words",
        "by about 3-4 points and came within about 3 points of human agreement.",
        "",
        "## Weights of the strategies in the shipped model",
        "",
        "Fitted on both corpora together. Positive weights make a text read as more polite.",
        "",
        "| strategy | weight |",
        "| --- | --- |",
    ]
    lines += [f"| `{name}` | {w:+.2f} |" for name, w in strategies]
    words = sorted(
        ((k[2:], w) for k, w in model.weights.items() if k.startswith("w:")), key=lambda kv: kv[1]
    )
    lines += [
        "",
        f"The model also carries {len(words)} word weights (|w| >= {args.min_weight}); the most",
        "impolite-sounding words: " + ", ".join(f"`{w}`" for w, _ in words[:12]) + ";",
        "the most polite-sounding: " + ", ".join(f"`{w}`" for w, _ in words[-12:][::-1]) + ".",
        "",
    ]
    path.write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
