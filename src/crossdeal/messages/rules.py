"""Message rules: which features of a draft or reply, for which culture, mean what.

Rules are data (``draft_rules.yaml``, ``reply_rules.yaml``), in the same condition
language as the playbook, with three more kinds of name: ``text.<feature>`` (how many
times a feature matched), ``politeness.score`` and ``reader.rank`` (what the writer
says of the reader's seniority). Mistakes in a rule file raise
:class:`~crossdeal.errors.RuleFileError` with file, line, rule id and reason.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from crossdeal._kept import kept
from crossdeal._validation import validate_yaml
from crossdeal._yaml import LineDict, LineList, load_yaml
from crossdeal.errors import RuleFileError
from crossdeal.messages.features import FeatureSet, data_dir, default_features
from crossdeal.playbook.expressions import Condition, ExpressionError, compile_condition
from crossdeal.playbook.rules import SEVERITIES, Severity, themes

__all__ = ["MessageRule", "draft_rules", "load_message_rules", "reply_rules"]

Kind = Literal["draft", "reply"]
MESSAGE_SIDES = ("text", "politeness", "reader")
# Names a rule may read besides features: counts the engine computes itself.
ENGINE_COUNTS = {"draft": ("words", "sentences"), "reply": ("words", "sentences", "unanswered")}
ENGINE_SPANS = {"draft": (), "reply": ("unanswered",)}
POLITENESS_NAMES = ("score",)
# What the writer says about the reader as a person: reader.rank is 1 (junior), 2
# (manager) or 3 (executive), unknown unless given.
READER_NAMES = ("rank",)


@dataclass(frozen=True)
class MessageRule:
    id: str
    theme: str
    title: str
    when: Condition
    reader: Condition
    severity: tuple[tuple[Severity, Condition], ...]
    point_at: tuple[str, ...]
    why: str
    rewrite: str | None
    follow_up: tuple[str, ...]
    file: str
    line: int

    @property
    def dimensions(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for cond in (self.reader, *(c for _, c in self.severity)):
            for key in cond.dimensions:
                seen.setdefault(key, None)
        return tuple(seen)


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)

    id: str = Field(pattern=r"^[a-z0-9]+(?:[-/.][a-z0-9]+)*$")
    theme: str
    title: str = Field(min_length=5)
    when: str
    reader: str | bool = True
    severity: Severity | dict[str, str | bool]
    point_at: list[str] = Field(default_factory=list)
    why: str = Field(min_length=30)
    rewrite: str | None = None
    follow_up: list[str] = Field(default_factory=list)

    @field_validator("severity")
    @classmethod
    def _levels(cls, value: Severity | dict[str, str | bool]) -> Severity | dict[str, str | bool]:
        if isinstance(value, dict):
            unknown = set(value) - {"high", "watch", "info", "otherwise"}
            if unknown:
                raise ValueError(
                    f"severity levels are high, watch, info and otherwise; got {sorted(unknown)}"
                )
            if value.get("otherwise") not in SEVERITIES:
                raise ValueError("a conditional severity needs 'otherwise: info|watch|high'")
        return value


def load_message_rules(
    path: Path, kind: Kind, features: FeatureSet | None = None
) -> list[MessageRule]:
    """Load and check one message rule file against the feature set."""
    features = features or default_features()
    data = load_yaml(path, error=RuleFileError)
    if not isinstance(data, LineDict) or not isinstance(data.get("rules"), LineList):
        raise RuleFileError("expected a top-level 'rules:' list", path, getattr(data, "line", 1))
    known_counts = set(features.names) | set(ENGINE_COUNTS[kind])
    known_spans = set(features.names) | set(ENGINE_SPANS[kind])
    out: list[MessageRule] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(data["rules"]):
        if not isinstance(raw, LineDict):
            raise RuleFileError("each rule must be a mapping", path, data["rules"].line_of(index))
        rule_id = str(raw.get("id", f"rule #{index + 1}"))
        spec = validate_yaml(_Spec, raw, path, RuleFileError, rule_id)

        def fail(
            reason: str, key: str, raw: LineDict = raw, rule_id: str = rule_id
        ) -> RuleFileError:
            return RuleFileError(reason, path, raw.line_of(key), rule_id)

        if spec.id in seen:
            raise fail(f"rule id appears twice (first on line {seen[spec.id]})", "id")
        seen[spec.id] = raw.line
        if spec.theme not in themes():
            raise fail(f"unknown theme {spec.theme!r}; themes are: {', '.join(themes())}", "theme")

        def compile_(text: str | bool, key: str, fail=fail) -> Condition:  # type: ignore[no-untyped-def]
            try:
                cond = compile_condition(text, MESSAGE_SIDES)
            except ExpressionError as exc:
                raise fail(f"'{key}' does not parse: {exc}", key) from None
            for var in cond.variables:
                if var.side == "text" and var.name not in known_counts:
                    raise fail(f"'{key}' reads text.{var.name}, which is not a feature", key)
                if var.side == "politeness" and var.name not in POLITENESS_NAMES:
                    raise fail(
                        f"'{key}' reads politeness.{var.name}; only politeness.score exists", key
                    )
                if var.side == "reader" and var.name not in READER_NAMES:
                    raise fail(
                        f"'{key}' reads reader.{var.name}; known: "
                        + ", ".join(f"reader.{n}" for n in READER_NAMES),
                        key,
                    )
            return cond

        unknown = [f for f in spec.point_at if f not in known_spans]
        if unknown:
            raise fail(f"'point_at' names unknown features: {', '.join(unknown)}", "point_at")
        if isinstance(spec.severity, str):
            severity: tuple[tuple[Severity, Condition], ...] = (
                (spec.severity, compile_condition(True)),
            )
        else:
            levels: list[tuple[Severity, Condition]] = []
            for level in ("high", "watch", "info"):
                if level in spec.severity:
                    levels.append((level, compile_(spec.severity[level], "severity")))
            levels.append((spec.severity["otherwise"], compile_condition(True)))  # type: ignore[arg-type]
            severity = tuple(levels)
        reader = spec.reader
        if isinstance(reader, str) and reader.strip().lower() == "true":
            reader = True
        out.append(
            MessageRule(
                id=spec.id,
                theme=spec.theme,
                title=spec.title,
                when=compile_(spec.when, "when"),
                reader=compile_(reader, "reader"),
                severity=severity,
                point_at=tuple(spec.point_at),
                why=" ".join(spec.why.split()),
                rewrite=" ".join(spec.rewrite.split()) if spec.rewrite else None,
                follow_up=tuple(spec.follow_up),
                file=f"crossdeal:messages/{path.name}" if path.parent == data_dir() else str(path),
                line=raw.line,
            )
        )
    return out


@kept(
    "crossdeal.messages:data/draft_rules.yaml",
    "crossdeal.messages:data/features.yaml",
    "crossdeal.playbook:data/themes.yaml",
)
def draft_rules() -> tuple[MessageRule, ...]:
    return tuple(load_message_rules(data_dir() / "draft_rules.yaml", "draft"))


@kept(
    "crossdeal.messages:data/reply_rules.yaml",
    "crossdeal.messages:data/features.yaml",
    "crossdeal.playbook:data/themes.yaml",
)
def reply_rules() -> tuple[MessageRule, ...]:
    return tuple(load_message_rules(data_dir() / "reply_rules.yaml", "reply"))


def rule_ids(rules: Iterable[MessageRule]) -> list[str]:
    return [r.id for r in rules]
