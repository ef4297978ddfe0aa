"""Precision and recall of the coach's findings on a labelled set of messages.

A labelled item is a mapping: ``id``, ``text``, ``expect`` (finding ids that should
fire) and, for drafts, ``to`` (and optionally ``from``, ``reader_rank``, ``reader``
and ``written``, the day the draft is written); for replies, ``from`` (and optionally
``asked``). ``low-politeness`` is not scored here: the politeness model is measured on
the Stanford corpus instead (docs/politeness-model.md).

A set is labelled for some findings only: ``scored`` names them (or ``unscored`` the
ones it was not labelled for), so that a finding added later is not counted as wrong
on a set written before it existed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from crossdeal.messages.coach import lint_message, read_reply
from crossdeal.messages.reports import LintReport, ReplyReport
from crossdeal.playbook.rules import SEVERITIES

NOT_SCORED = frozenset({"low-politeness"})
# Drafts without a ``written`` day are read as written on this day, so that a result never
# depends on the day the evaluation runs.
DEFAULT_ON = dt.date(2026, 1, 15)


@dataclass
class Score:
    true_positive: int = 0
    false_positive: int = 0
    false_negative: int = 0
    false_positive_ids: list[str] = field(default_factory=list)
    false_negative_ids: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float | None:
        fired = self.true_positive + self.false_positive
        return self.true_positive / fired if fired else None

    @property
    def recall(self) -> float | None:
        wanted = self.true_positive + self.false_negative
        return self.true_positive / wanted if wanted else None

    @property
    def support(self) -> int:
        return self.true_positive + self.false_negative


def evaluate(
    items: Iterable[Mapping[str, Any]],
    kind: Literal["draft", "reply"],
    scored: Collection[str] | None = None,
    unscored: Collection[str] = (),
    min_severity: str | None = None,
) -> dict[str, Score]:
    """Per finding id: true positives, false positives and false negatives.
    ``min_severity`` ("watch") counts only the findings at that severity or above."""
    scores: dict[str, Score] = {}
    floor = SEVERITIES.index(min_severity) if min_severity else 0
    for item in items:
        report: LintReport | ReplyReport
        if kind == "draft":
            report = lint_message(
                item["text"],
                to=item["to"],
                sender=item.get("from"),
                reader_rank=item.get("reader_rank"),
                on=item.get("written") or DEFAULT_ON,
                reader=item.get("reader"),
            )
        else:
            report = read_reply(item["text"], sender=item["from"], asked=item.get("asked"))
        fired = (
            {f.id for f in report.findings if SEVERITIES.index(f.severity) >= floor}
            - NOT_SCORED
            - set(unscored)
        )
        expected = set(item.get("expect") or ()) - NOT_SCORED
        if scored is not None:
            fired &= set(scored)
        for finding_id in fired | expected:
            score = scores.setdefault(finding_id, Score())
            if finding_id in fired and finding_id in expected:
                score.true_positive += 1
            elif finding_id in fired:
                score.false_positive += 1
                score.false_positive_ids.append(str(item["id"]))
            else:
                score.false_negative += 1
                score.false_negative_ids.append(str(item["id"]))
    return dict(sorted(scores.items()))
