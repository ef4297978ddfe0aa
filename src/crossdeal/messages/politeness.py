"""A small, inspectable politeness model over explicit features.

Logistic regression on the politeness strategies of ``features.yaml`` (present or not)
plus word unigrams, trained on the Stanford Politeness Corpus by
``tools/train_politeness.py``; only the weights ship (``data/politeness_weights.json``).
``score`` is the probability that a reader would judge the text polite, in the sense of
the corpus annotators (top versus bottom quartile of requests).
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from crossdeal.errors import DataFileError
from crossdeal.messages.features import _TOKEN, TextFeatures, data_dir, lower_case

# Features that make a sentence a request (what the politeness corpus rates).
REQUEST_FEATURES = ("question_mark", "imperative", "please", "obligation", "polite_request")

__all__ = ["PolitenessModel", "default_politeness_model", "model_inputs"]


def model_inputs(features: TextFeatures, strategies: Iterable[str]) -> list[str]:
    """The binary inputs of the model that are present: ``s:<strategy>`` and ``w:<word>``
    (the distinct lower-case words the feature extraction found)."""
    inputs = [f"s:{name}" for name in strategies if features.has(name)]
    inputs.extend("w:" + word for word in features.tokens)
    return inputs


@dataclass(frozen=True)
class PolitenessModel:
    """Weights of a fitted logistic regression; ``predict_proba`` needs no scikit-learn."""

    intercept: float
    weights: Mapping[str, float]
    strategies: tuple[str, ...]
    trained_on: str = ""

    def decision(self, features: TextFeatures) -> float:
        weights = self.weights
        inputs = model_inputs(features, self.strategies)
        return math.fsum([self.intercept, *[weights.get(k, 0.0) for k in inputs]])

    def predict_proba(self, features: TextFeatures) -> float:
        """Probability that the text reads as polite (0..1)."""
        z = self.decision(features)
        return 1.0 / (1.0 + math.exp(-max(min(z, 30.0), -30.0)))

    def explain(self, features: TextFeatures, top: int = 4) -> list[tuple[str, float]]:
        """The inputs that moved the score most, with their weights."""
        weighted = [
            (k, self.weights[k])
            for k in model_inputs(features, self.strategies)
            if k in self.weights
        ]
        weighted.sort(key=lambda kv: (-abs(kv[1]), kv[0]))
        return weighted[:top]

    def score_message(self, features: TextFeatures) -> tuple[float, int | None]:
        """The politeness of a whole message, as the reader meets its bluntest request.

        The corpus the model learned from holds short requests, so a long email is
        scored request by request: every sentence that asks for something (a question,
        a command, a please, a "you must"), read together with the sentence before it.
        The message scores as its least polite request; with no request at all, as the
        mean of its two-sentence windows. Returns the score and the sentence it rests on.
        """
        score, sentence, _ = self.read_message(features, top=0)
        return score, sentence

    def explain_message(
        self, features: TextFeatures, sentence: int | None, top: int = 4
    ) -> list[tuple[str, float]]:
        """The inputs that moved the score most in the window the score rests on
        (``sentence`` from :meth:`score_message`; None: the whole text)."""
        if sentence is None:
            return self.explain(features, top)
        return self._drivers(_Windows(self, features), sentence, top)

    def read_message(
        self, features: TextFeatures, top: int = 4
    ) -> tuple[float, int | None, list[tuple[str, float]]]:
        """:meth:`score_message` and :meth:`explain_message` at once: the score, the
        sentence it rests on, and the ``top`` inputs that moved it most."""
        if not features.sentences:
            return 0.5, None, self.explain(features, top) if top else []
        windows = _Windows(self, features)
        asks = self._request_sentences(features)
        if asks:
            score, weakest = min((windows.probability(i), i) for i in asks)
            return score, weakest, self._drivers(windows, weakest, top) if top else []
        every = [windows.probability(i) for i in range(len(features.sentences))]
        return sum(every) / len(every), None, self.explain(features, top) if top else []

    def _drivers(self, windows: _Windows, sentence: int, top: int) -> list[tuple[str, float]]:
        weighted = [(k, self.weights[k]) for k in windows.inputs(sentence) if k in self.weights]
        weighted.sort(key=lambda kv: (-abs(kv[1]), kv[0]))
        return weighted[:top]

    def _request_sentences(self, features: TextFeatures) -> list[int]:
        asks: set[int] = set()
        for name in REQUEST_FEATURES:
            asks.update(h.sentence for h in features.hits.get(name, ()))
        return sorted(asks)

    @functools.cached_property
    def _split_weights(self) -> tuple[dict[str, float], dict[str, float]]:
        """Word and strategy weights keyed by the bare word or strategy name."""
        words = {k[2:]: w for k, w in self.weights.items() if k.startswith("w:")}
        strategies = {k[2:]: w for k, w in self.weights.items() if k.startswith("s:")}
        return words, strategies

    @classmethod
    def load(cls, path: Path) -> PolitenessModel:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(
                intercept=float(data["intercept"]),
                weights={str(k): float(v) for k, v in data["weights"].items()},
                strategies=tuple(data["strategies"]),
                trained_on=str(data.get("trained_on", "")),
            )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise DataFileError(f"not a politeness weights file ({exc})", path) from None

    def dump(self, path: Path, extra: Mapping[str, object] | None = None) -> None:
        data = {
            "intercept": round(self.intercept, 6),
            "strategies": list(self.strategies),
            "trained_on": self.trained_on,
            "weights": {k: round(v, 6) for k, v in sorted(self.weights.items())},
            **(extra or {}),
        }
        path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


class _Windows:
    """A message read as the model reads it: each sentence together with the one
    before it. Sentences are tokenised only when a window needs them."""

    def __init__(self, model: PolitenessModel, features: TextFeatures) -> None:
        self._model = model
        self._features = features
        self._lowered = lower_case(features.text)
        self._words: dict[int, set[str]] = {}
        self._strategies: list[set[str]] = [set() for _ in features.sentences]
        for name in model.strategies:
            for hit in features.hits.get(name, ()):
                self._strategies[hit.sentence].add(name)

    def words(self, i: int) -> set[str]:
        found = self._words.get(i)
        if found is None:
            sentence = self._features.sentences[i]
            tokens = _TOKEN.findall(self._lowered, sentence.start, sentence.end)
            found = self._words[i] = set(tokens)
        return found

    def strategies(self, i: int) -> set[str]:
        return self._strategies[i]

    def inputs(self, i: int) -> set[str]:
        """The model inputs of the window that ends with sentence ``i``."""
        before = max(i - 1, 0)
        words = self.words(before) | self.words(i)
        strategies = self._strategies[before] | self._strategies[i]
        return {"w:" + w for w in words} | {"s:" + s for s in strategies}

    def probability(self, i: int) -> float:
        before = max(i - 1, 0)
        word_weights, strategy_weights = self._model._split_weights
        # fsum: the same score whatever order the sets iterate in, so that ties between
        # sentences always break the same way
        z = math.fsum(
            [
                self._model.intercept,
                *[word_weights.get(w, 0.0) for w in self.words(before) | self.words(i)],
                *[
                    strategy_weights.get(s, 0.0)
                    for s in self._strategies[before] | self._strategies[i]
                ],
            ]
        )
        return 1.0 / (1.0 + math.exp(-max(min(z, 30.0), -30.0)))


@functools.cache
def default_politeness_model() -> PolitenessModel:
    return PolitenessModel.load(data_dir() / "politeness_weights.json")
