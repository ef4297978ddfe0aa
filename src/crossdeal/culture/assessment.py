"""The seller's self-assessment: behavioural items scored onto the culture scales.

Each answer (1-5) is centred, x = (answer - 3) / 2, so -1 = strongly disagree and
+1 = strongly agree. An item with weight w on a dimension says "agreeing is typical of
the high pole" (w > 0) or of the low pole (w < 0). Per dimension:

    score = 50 + 50 * Σ w_i x_i / Σ |w_i|              (0 .. 100)

so answering every item at the extreme that matches a pole lands exactly on that pole,
and an all-neutral set lands at 50. The uncertainty combines how much the items
disagree with each other and a fixed item error of 20 points, over the effective number
of items. The score describes how you say you behave at work; it is a self-report, not
a measurement of your culture, and it is scored on the same scales as the country data
so that briefings can compare you with a buyer.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, field_validator

from crossdeal._validation import validate_yaml
from crossdeal._yaml import load_yaml
from crossdeal.culture.individual import Evidence
from crossdeal.culture.model import data_dir
from crossdeal.errors import DataFileError, InputError

__all__ = ["AssessmentScore", "Item", "Questionnaire", "questionnaire"]

ITEM_SD = 20.0  # how far one answer may be from what the person is really like (points)


@dataclass(frozen=True, slots=True)
class Item:
    id: str
    text: str
    scores: Mapping[str, float]


@dataclass(frozen=True, slots=True)
class AssessmentScore:
    dimension: str
    score: float
    sd: float
    items: int


class _ItemSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)
    id: str = Field(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
    text: str = Field(min_length=10)
    scores: dict[str, float] = Field(min_length=1)

    @field_validator("scores")
    @classmethod
    def _nonzero(cls, scores: dict[str, float]) -> dict[str, float]:
        if any(w == 0 or abs(w) > 1 for w in scores.values()):
            raise ValueError("weights must be between -1 and 1, and not 0")
        return scores


class _QuestionnaireSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)
    scale: dict[int, str]
    items: list[_ItemSpec] = Field(min_length=1)


@dataclass(frozen=True)
class Questionnaire:
    scale: Mapping[int, str]
    items: tuple[Item, ...]

    @property
    def dimensions(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for item in self.items:
            for key in item.scores:
                seen.setdefault(key, None)
        return tuple(seen)

    def check(self, answers: Mapping[str, int]) -> dict[str, int]:
        """Answers by item id, checked: every item answered once, on the 1-5 scale."""
        known = {i.id for i in self.items}
        unknown = sorted(set(answers) - known)
        if unknown:
            raise InputError(f"no questionnaire item called {', '.join(unknown)}")
        missing = [i.id for i in self.items if i.id not in answers]
        if missing:
            raise InputError(f"{len(missing)} item(s) not answered: {', '.join(missing[:5])}")
        out: dict[str, int] = {}
        for key, value in answers.items():
            if isinstance(value, bool) or not isinstance(value, int) or value not in self.scale:
                raise InputError(f"item {key}: answer {value!r} is not on the scale 1-5")
            out[key] = value
        return out

    def score(self, answers: Mapping[str, int]) -> dict[str, AssessmentScore]:
        """Scores on each dimension the items inform, with their uncertainty."""
        answers = self.check(answers)
        out: dict[str, AssessmentScore] = {}
        for dim in self.dimensions:
            pairs = [
                (item.scores[dim], (answers[item.id] - 3) / 2)
                for item in self.items
                if dim in item.scores
            ]
            total = sum(abs(w) for w, _ in pairs)
            score = 50 + 50 * sum(w * x for w, x in pairs) / total
            # each item's own reading of the dimension, to see how much the items agree
            readings = [50 + 50 * math.copysign(1, w) * x for w, x in pairs]
            spread = (
                sum(abs(w) * (r - score) ** 2 for (w, _), r in zip(pairs, readings, strict=True))
                / total
            )
            effective = total**2 / sum(w * w for w, _ in pairs)
            sd = math.sqrt((spread + ITEM_SD**2) / effective)
            out[dim] = AssessmentScore(dim, score, sd, len(pairs))
        return out

    def evidence(self, answers: Mapping[str, int]) -> list[Evidence]:
        """The assessment as evidence for the person estimate."""
        return [
            Evidence(s.dimension, s.score, s.sd, "self-assessment")
            for s in self.score(answers).values()
        ]


@functools.cache
def questionnaire() -> Questionnaire:
    """The shipped self-assessment (culture/data/questionnaire.yaml)."""
    path = data_dir() / "questionnaire.yaml"
    spec = validate_yaml(
        _QuestionnaireSpec, load_yaml(path, error=DataFileError), path, DataFileError
    )
    ids = [i.id for i in spec.items]
    if len(ids) != len(set(ids)):
        raise DataFileError("questionnaire item ids must be unique", path)
    return Questionnaire(
        scale=dict(spec.scale),
        items=tuple(Item(i.id, i.text, dict(i.scores)) for i in spec.items),
    )
