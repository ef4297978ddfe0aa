"""Risk signals on deals: facts about a deal, read against the buyer's culture.

Plain Python on plain data (no database here): the store reads each deal's facts (the
values of :class:`DealFacts`, in :data:`FACT_FIELDS` order) from one row per deal, and
:class:`SignalBook` decides which signals fire. The
signals themselves are data (``pipeline/data/signals.yaml``) in the playbook's condition
language with one more kind of name, ``deal.<fact>``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, fields
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from crossdeal._kept import kept
from crossdeal._validation import validate_yaml
from crossdeal._yaml import LineDict, LineList, load_yaml
from crossdeal.culture.model import Culture, CultureModel
from crossdeal.errors import RuleFileError
from crossdeal.playbook.engine import pair_context
from crossdeal.playbook.expressions import Condition, ExpressionError, compile_condition
from crossdeal.playbook.rules import SEVERITIES, Severity, themes

__all__ = ["FACTS", "FACT_FIELDS", "DealFacts", "Signal", "SignalBook", "facts_context"]


@dataclass(frozen=True, slots=True)
class DealFacts:
    """What the record says about one deal; None where it cannot be known."""

    contacts: int = 0
    decision_makers: int = 0
    decision_makers_met: int = 0
    activities: int = 0
    face_time: int = 0
    unqualified_yes: int = 0
    standard_offer: int = 0
    authority_identified: int = 0
    amount: float | None = None
    days_open: float | None = None
    planned_days: float | None = None
    expected_days: float | None = None
    cycle_factor: float | None = None
    close_in_holiday: int = 0

    @property
    def pace_ratio(self) -> float | None:
        return pace_ratio(self.planned_days, self.expected_days)

    def values(self) -> tuple[float | None, ...]:
        """The facts in field order, as :meth:`SignalBook.fired_values` takes them."""
        return tuple(getattr(self, name) for name in FACT_FIELDS)


FACT_FIELDS = tuple(f.name for f in fields(DealFacts))
_CONTEXT_KEYS = tuple(f"deal.{name}" for name in FACT_FIELDS)
_PLANNED, _EXPECTED = FACT_FIELDS.index("planned_days"), FACT_FIELDS.index("expected_days")


def facts_context(values: Sequence[float | int | None]) -> dict[str, float | None]:
    """The ``deal.*`` names a signal condition reads, from the facts in field order.

    Spelled out rather than built from a DealFacts object: a listing runs this once per
    open deal, straight from the database row.
    """
    context: dict[str, float | None] = {
        key: float(value) if value is not None else None
        for key, value in zip(_CONTEXT_KEYS, values, strict=True)
    }
    context["deal.pace_ratio"] = pace_ratio(values[_PLANNED], values[_EXPECTED])
    return context


def pace_ratio(planned_days: float | None, expected_days: float | None) -> float | None:
    """Planned days over expected days; unknown when either is, or nothing is expected."""
    if planned_days is None or not expected_days:
        return None
    return planned_days / expected_days


FACTS: dict[str, str] = {
    "contacts": "people from the buyer on the deal (the buying committee)",
    "decision_makers": "committee members with the role decision-maker or economic-buyer",
    "decision_makers_met": "decision-makers who took part in a call, video call or meeting",
    "activities": "logged activities (email, call, video, in-person, chat)",
    "face_time": "activities on video or in person",
    "unqualified_yes": "inbound notes the message coach reads as a yes that commits to nothing",
    "standard_offer": "1 if the deal is marked as a standard offer or its notes say so",
    "authority_identified": "1 if BANT authority is identified",
    "amount": "the deal's amount",
    "days_open": "days since the deal was created",
    "planned_days": "days from creation to the expected close date",
    "expected_days": "the team's usual cycle times the culture factor",
    "cycle_factor": "the culture factor on cycle length (the briefing's cycle prior)",
    "close_in_holiday": (
        "1 if the expected close date is a public holiday or inside a business period of "
        "the buyer's country (crossdeal calendar)"
    ),
    "pace_ratio": "planned_days divided by expected_days",
}


@dataclass(frozen=True)
class SignalRule:
    id: str
    theme: str
    title: str
    when: Condition
    severity: tuple[tuple[Severity, Condition], ...]
    next: str
    line: int

    @functools.cached_property
    def reads(self) -> tuple[str, ...]:
        """The names the condition reads, in the order evidence is shown."""
        return tuple(sorted({f"{v.side}.{v.name}" for v in self.when.variables}))


# a rule with its conditions specialised to one pair of cultures
_Specialized = tuple[SignalRule, Condition, tuple[tuple[Severity, Condition], ...]]


class Signal(BaseModel):
    """A risk signal that fired on a deal, with the facts and scores behind it."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    id: str
    theme: str
    severity: Severity
    title: str
    evidence: dict[str, float | None] = Field(description="the facts and scores the signal read")
    next: str = Field(description="what to do next")
    condition: str


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)
    id: str = Field(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
    theme: str
    title: str
    when: str
    severity: Severity | dict[str, str]
    next: str = Field(min_length=20)


def _path() -> Path:
    return Path(str(resources.files("crossdeal.pipeline").joinpath("data", "signals.yaml")))


class SignalBook:
    """Compiled signal rules; :meth:`evaluate` decides them for one deal."""

    def __init__(self, rules: list[SignalRule]) -> None:
        self.rules = tuple(rules)
        self._pairs: dict[
            tuple[int, str | None, str | None],
            tuple[dict[str, float | str | None], tuple[_Specialized, ...]],
        ] = {}

    @classmethod
    def load(cls, path: Path | None = None) -> SignalBook:
        path = path or _path()
        data = load_yaml(path, error=RuleFileError)
        if not isinstance(data, LineDict) or not isinstance(data.get("signals"), LineList):
            raise RuleFileError("expected a top-level 'signals:' list", path)
        rules = []
        for index, raw in enumerate(data["signals"]):
            if not isinstance(raw, LineDict):
                raise RuleFileError(
                    "each signal must be a mapping", path, data["signals"].line_of(index)
                )
            spec = validate_yaml(_Spec, raw, path, RuleFileError, str(raw.get("id", "")))
            if spec.theme not in themes():
                raise RuleFileError(
                    f"unknown theme {spec.theme!r}", path, raw.line_of("theme"), spec.id
                )

            def compile_(text: str, key: str, raw: LineDict = raw, spec: _Spec = spec) -> Condition:
                try:
                    cond = compile_condition(text, ("deal",))
                except ExpressionError as exc:
                    raise RuleFileError(
                        f"'{key}' does not parse: {exc}", path, raw.line_of(key), spec.id
                    ) from None
                unknown = [
                    v.name for v in cond.variables if v.side == "deal" and v.name not in FACTS
                ]
                if unknown:
                    raise RuleFileError(
                        f"'{key}' reads unknown deal facts: {', '.join(unknown)}",
                        path,
                        raw.line_of(key),
                        spec.id,
                    )
                return cond

            if isinstance(spec.severity, str):
                severity: tuple[tuple[Severity, Condition], ...] = (
                    (spec.severity, compile_condition(True)),
                )
            else:
                levels = [
                    (level, compile_(spec.severity[level], "severity"))
                    for level in ("high", "watch", "info")
                    if level in spec.severity
                ]
                otherwise = spec.severity.get("otherwise")
                if otherwise not in SEVERITIES:
                    raise RuleFileError(
                        "a conditional severity needs 'otherwise'",
                        path,
                        raw.line_of("severity"),
                        spec.id,
                    )
                severity = (*levels, (otherwise, compile_condition(True)))
            rules.append(
                SignalRule(
                    id=spec.id,
                    theme=spec.theme,
                    title=spec.title,
                    when=compile_(spec.when, "when"),
                    severity=severity,
                    next=" ".join(spec.next.split()),
                    line=raw.line,
                )
            )
        return cls(rules)

    @classmethod
    def default(cls) -> SignalBook:
        return _shipped_book()

    def _pair(
        self, seller: Culture | None, buyer: Culture | None, model: CultureModel
    ) -> tuple[dict[str, float | str | None], tuple[_Specialized, ...]]:
        key = (id(model), seller.code if seller else None, buyer.code if buyer else None)
        cached = self._pairs.get(key)
        if cached is None:
            context = pair_context(seller, buyer, model)
            # The cultures are fixed for this pair: each condition is specialised to
            # what is left to read of the deal, and a signal whose condition is already
            # False can never fire for this pair, so later deals skip it.
            possible = []
            for rule in self.rules:
                when = rule.when.specialize(context)
                if when.constant is False:
                    continue
                severity = tuple((level, cond.specialize(context)) for level, cond in rule.severity)
                possible.append((rule, when, severity))
            cached = (context, tuple(possible))
            self._pairs[key] = cached
        return cached

    def fired(
        self,
        facts: DealFacts,
        seller: Culture | None,
        buyer: Culture | None,
        model: CultureModel,
    ) -> tuple[dict[str, float | str | None], list[tuple[SignalRule, Severity]]]:
        """The rules that fire for this deal with their severity, and the context read.

        Cheaper than :meth:`evaluate` (no output objects): a listing decides which
        deals are at risk from this, and builds signals only for the deals it shows.
        """
        return self.fired_values(facts.values(), seller, buyer, model)

    def fired_values(
        self,
        values: Sequence[float | int | None],
        seller: Culture | None,
        buyer: Culture | None,
        model: CultureModel,
    ) -> tuple[dict[str, float | str | None], list[tuple[SignalRule, Severity]]]:
        """:meth:`fired`, from the facts' values in :data:`FACT_FIELDS` order."""
        base, possible = self._pair(seller, buyer, model)
        if not possible:
            return base, []
        context = dict(base)
        context.update(facts_context(values))
        return context, _decide(possible, context)

    def decider(
        self, seller: Culture | None, buyer: Culture | None, model: CultureModel
    ) -> Callable[[Sequence[float | int | None]], list[tuple[SignalRule, Severity]]]:
        """A function that decides which rules fire on deals between these two cultures.

        For listings that decide thousands of deals and show a few: the function reuses
        one context between calls instead of building one per deal, and returns only the
        rules with their severity; :meth:`fired_values` gives the context (the evidence)
        for the deals shown. Each call of this method makes a new function, so callers
        on different threads never share a context.
        """
        base, possible = self._pair(seller, buyer, model)
        if not possible:
            return lambda values: []
        context = dict(base)

        def decide(values: Sequence[float | int | None]) -> list[tuple[SignalRule, Severity]]:
            context.update(zip(_CONTEXT_KEYS, values, strict=True))
            context["deal.pace_ratio"] = pace_ratio(values[_PLANNED], values[_EXPECTED])
            return _decide(possible, context)

        return decide

    @staticmethod
    def signals(
        context: dict[str, float | str | None], fired: list[tuple[SignalRule, Severity]]
    ) -> list[Signal]:
        """Signals, most severe first, from what :meth:`fired` returned."""
        out = [
            Signal(
                id=rule.id,
                theme=rule.theme,
                severity=level,
                title=rule.title,
                evidence={k: _plain(context.get(k)) for k in rule.reads},
                next=rule.next,
                condition=rule.when.text,
            )
            for rule, level in fired
        ]
        out.sort(key=lambda s: -SEVERITIES.index(s.severity))
        return out

    def evaluate(
        self,
        facts: DealFacts,
        seller: Culture | None,
        buyer: Culture | None,
        model: CultureModel,
    ) -> list[Signal]:
        """The signals that fire for this deal, most severe first."""
        return self.signals(*self.fired(facts, seller, buyer, model))


def _decide(
    possible: tuple[_Specialized, ...], context: dict[str, float | str | None]
) -> list[tuple[SignalRule, Severity]]:
    out: list[tuple[SignalRule, Severity]] = []
    for rule, when, severity in possible:
        if when.evaluate(context) is not True:
            continue
        level: Severity = severity[-1][0]
        for candidate, cond in severity:
            if cond.evaluate(context) is True:
                level = candidate
                break
        out.append((rule, level))
    return out


def _plain(value: float | str | None) -> float | None:
    if isinstance(value, int | float):
        return round(float(value), 3)
    return None


def worst(levels: Iterable[Severity]) -> Severity | None:
    """The highest of some severities, or None when there are none."""
    return max(levels, key=SEVERITIES.index, default=None)


@kept("crossdeal.pipeline:data/signals.yaml", "crossdeal.playbook:data/themes.yaml")
def _shipped_book() -> SignalBook:
    return SignalBook.load()
