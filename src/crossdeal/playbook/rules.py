"""Playbook rules: advice as data, loaded from YAML and checked before use.

A rule file holds a ``rules:`` list. Each rule::

    - id: hierarchy/match-seniority         # stable, unique
      theme: hierarchy-and-titles           # one of the ten themes (themes.yaml)
      title: Match their seniority          # one line, what the risk is
      when: buyer.pdi >= 60 and gap.pdi >= 20
      severity:                             # a level, or levels with conditions
        high: gap.pdi >= 35                 #   (checked high, then watch, then info)
        otherwise: watch
      advice: [what to do in the next call or email, ...]
      questions: [questions that surface hidden assumptions, ...]
      rationale: why, citing the dimensions, written so an expert can check it
      sources: [literature the rationale rests on]
      channel: {mode: in-person, advice: ...}   # optional meeting/format advice
      premise: buyer.disagreeing >= 75      # optional: what the advice presumes of the pair

A user folder of rules (``--rules``) adds rules and replaces shipped ones by id;
``disabled: true`` switches a shipped rule off. Mistakes raise
:class:`~crossdeal.errors.RuleFileError` with file, line, rule id and reason.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from crossdeal._kept import kept
from crossdeal._validation import validate_yaml
from crossdeal._yaml import LineDict, LineList, load_yaml
from crossdeal.errors import RuleFileError
from crossdeal.playbook.expressions import Condition, ExpressionError, compile_condition

__all__ = [
    "SEVERITIES",
    "ChannelMode",
    "Rule",
    "Severity",
    "Theme",
    "load_rules",
    "shipped_rule_files",
    "themes",
]

Severity = Literal["info", "watch", "high"]
SEVERITIES: tuple[Severity, ...] = ("info", "watch", "high")
ChannelMode = Literal["in-person", "video", "phone", "email"]
RULE_ID = r"^[a-z0-9]+(?:[-/.][a-z0-9]+)*$"


@dataclass(frozen=True, slots=True)
class Theme:
    id: str
    title: str
    about: str
    order: int
    ask_when_unknown: tuple[str, ...] = ()
    label: str = ""


@kept("crossdeal.playbook:data/themes.yaml")
def themes() -> dict[str, Theme]:
    """The advice themes, by id, in their documented order."""
    path = _data_dir() / "themes.yaml"
    data = load_yaml(path, error=RuleFileError)
    entries = validate_yaml(_ThemesFile, data, path, RuleFileError).themes
    return {
        t.id: Theme(t.id, t.title, t.about, i, tuple(t.ask_when_unknown), t.label or t.id)
        for i, t in enumerate(entries)
    }


@dataclass(frozen=True, slots=True)
class Channel:
    mode: ChannelMode
    advice: str


@dataclass(frozen=True)
class Rule:
    """A compiled rule, ready to evaluate."""

    id: str
    theme: str
    title: str
    when: Condition
    severity: tuple[tuple[Severity, Condition], ...]
    advice: tuple[str, ...]
    questions: tuple[str, ...]
    rationale: str
    sources: tuple[str, ...]
    channel: Channel | None
    file: str
    line: int
    shipped: bool
    # what must hold of the pair for the rule's advice to make sense at all (a property
    # test checks that the rule never fires where the practice data contradicts it)
    premise: Condition | None = None

    @functools.cached_property
    def dimensions(self) -> tuple[str, ...]:
        """Dimension keys the rule reads (condition first, then severity conditions)."""
        seen: dict[str, None] = {}
        for cond in (self.when, *(c for _, c in self.severity)):
            for key in cond.dimensions:
                seen.setdefault(key, None)
        return tuple(seen)


# --- schema ----------------------------------------------------------------------


class _ThemeSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)
    id: str = Field(pattern=RULE_ID)
    label: str | None = None
    title: str
    about: str
    ask_when_unknown: list[str] = Field(min_length=1)


class _ThemesFile(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)
    themes: list[_ThemeSpec] = Field(min_length=1)


class _ChannelSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)
    mode: ChannelMode
    advice: str = Field(min_length=10)


class _RuleSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)

    id: str = Field(pattern=RULE_ID)
    theme: str | None = None
    title: str | None = Field(default=None, min_length=5)
    when: str | bool | None = None
    severity: Severity | dict[str, str | bool] | None = None
    advice: list[str] | None = None
    questions: list[str] = Field(default_factory=list)
    rationale: str | None = Field(default=None, min_length=40)
    sources: list[str] = Field(default_factory=list)
    channel: _ChannelSpec | None = None
    premise: str | None = None
    disabled: bool = False

    @field_validator("advice")
    @classmethod
    def _some_advice(cls, advice: list[str] | None) -> list[str] | None:
        if advice is not None and not advice:
            raise ValueError("give at least one piece of advice")
        if advice and any(len(a.strip()) < 10 for a in advice):
            raise ValueError("each piece of advice must be a sentence, not a word")
        return advice

    @field_validator("severity")
    @classmethod
    def _severity_levels(
        cls, value: Severity | dict[str, str | bool] | None
    ) -> Severity | dict[str, str | bool] | None:
        if isinstance(value, dict):
            allowed = {"high", "watch", "info", "otherwise"}
            unknown = set(value) - allowed
            if unknown:
                raise ValueError(
                    f"severity levels are high, watch, info and otherwise; got {sorted(unknown)}"
                )
            if "otherwise" not in value:
                raise ValueError("a conditional severity needs 'otherwise: <level>'")
            if value["otherwise"] not in SEVERITIES:
                raise ValueError(f"'otherwise' must be one of {', '.join(SEVERITIES)}")
        return value


# --- loading ---------------------------------------------------------------------


def _data_dir() -> Path:
    return Path(str(resources.files("crossdeal.playbook").joinpath("data")))


def shipped_rule_files() -> list[Path]:
    """The rule files that ship with crossdeal, in load order."""
    return sorted((_data_dir() / "rules").glob("*.yaml"))


def load_rules(
    extra: Iterable[str | Path] = (),
    include_shipped: bool = True,
) -> list[Rule]:
    """Shipped rules, then each extra file or folder; later rules replace earlier ones by id."""
    by_id: dict[str, Rule] = {r.id: r for r in _shipped_rules()} if include_shipped else {}
    for item in extra:
        path = Path(item)
        if path.is_dir():
            files = sorted([*path.glob("*.yaml"), *path.glob("*.yml")])
            if not files:
                raise RuleFileError("the folder has no .yaml rule files", path)
        elif path.exists():
            files = [path]
        else:
            raise RuleFileError("no such file or folder", path)
        _add_rules(by_id, files, shipped=False)
    return list(by_id.values())


@kept("crossdeal.playbook:data/rules/*.yaml", "crossdeal.playbook:data/themes.yaml")
def _shipped_rules() -> tuple[Rule, ...]:
    """The shipped rules, compiled (a user's files load after them)."""
    by_id: dict[str, Rule] = {}
    _add_rules(by_id, shipped_rule_files(), shipped=True)
    return tuple(by_id.values())


def _add_rules(by_id: dict[str, Rule], files: Sequence[Path], shipped: bool) -> None:
    """The rules of one source (the shipped files, or one file or folder of a user's) into
    ``by_id``: a rule replaces an earlier one of its id, a disabled one removes it."""
    seen_here: dict[str, tuple[str, int]] = {}
    for file in files:
        for spec, raw in _read_file(file):
            line = raw.line
            if spec.id in seen_here:
                first_file, first_line = seen_here[spec.id]
                raise RuleFileError(
                    f"rule id appears twice (first in {first_file}, line {first_line})",
                    file,
                    line,
                    spec.id,
                )
            seen_here[spec.id] = (str(file), line)
            if spec.disabled:
                by_id.pop(spec.id, None)
                continue
            by_id[spec.id] = _compile(spec, raw, file, shipped, by_id.get(spec.id))


def _read_file(path: Path) -> list[tuple[_RuleSpec, LineDict]]:
    data = load_yaml(path, error=RuleFileError)
    if data is None:
        raise RuleFileError("the file is empty: expected 'rules:' with a list of rules", path)
    if not isinstance(data, LineDict) or "rules" not in data:
        raise RuleFileError("expected a top-level 'rules:' list", path, getattr(data, "line", 1))
    if not isinstance(data["rules"], LineList):
        raise RuleFileError("'rules' must be a list of rules", path, data.line_of("rules"))
    out: list[tuple[_RuleSpec, LineDict]] = []
    for index, raw in enumerate(data["rules"]):
        line = data["rules"].line_of(index)
        if not isinstance(raw, LineDict):
            raise RuleFileError("each rule must be a mapping with id, theme, when, ...", path, line)
        rule_id = str(raw.get("id", f"rule #{index + 1}"))
        spec = validate_yaml(_RuleSpec, raw, path, RuleFileError, rule_id)
        out.append((spec, raw))
    return out


def _compile(
    spec: _RuleSpec,
    raw: LineDict,
    path: Path,
    shipped: bool,
    base: Rule | None,
) -> Rule:
    line = raw.line

    def fail(reason: str, key: str | None = None) -> RuleFileError:
        return RuleFileError(reason, path, raw.line_of(key) if key else line, spec.id)

    # An override may restate only what it changes; the rest comes from the rule it replaces.
    def pick(name: str) -> object:
        value = getattr(spec, name)
        if value is None and base is not None:
            return getattr(base, name)
        return value

    theme = pick("theme")
    if theme is None:
        raise fail("'theme' is required", None)
    if theme not in themes():
        raise fail(f"unknown theme {theme!r}; themes are: {', '.join(themes())}", "theme")
    for name in ("title", "when", "advice", "rationale"):
        if pick(name) is None:
            raise fail(f"'{name}' is required")

    def condition(text: str | bool | Condition, key: str) -> Condition:
        if isinstance(text, Condition):
            return text
        try:
            return compile_condition(text)
        except ExpressionError as exc:
            raise fail(f"'{key}' does not parse: {exc}", key) from None

    when = condition(pick("when"), "when")  # type: ignore[arg-type]
    premise_text = spec.premise if spec.premise is not None else (base.premise if base else None)
    premise = None if premise_text is None else condition(premise_text, "premise")
    severity: tuple[tuple[Severity, Condition], ...]
    if spec.severity is None and base is not None:
        severity = base.severity
    elif spec.severity is None:
        raise fail("'severity' is required")
    elif isinstance(spec.severity, str):
        severity = ((spec.severity, compile_condition(True)),)
    else:
        levels: list[tuple[Severity, Condition]] = []
        for level in ("high", "watch", "info"):
            if level in spec.severity:
                levels.append((level, condition(spec.severity[level], "severity")))
        otherwise = spec.severity["otherwise"]
        levels.append((otherwise, compile_condition(True)))  # type: ignore[arg-type]
        severity = tuple(levels)
    advice = spec.advice if spec.advice is not None else list(base.advice if base else [])
    channel = (
        Channel(spec.channel.mode, spec.channel.advice)
        if spec.channel
        else (base.channel if base else None)
    )
    return Rule(
        id=spec.id,
        theme=str(theme),
        title=str(pick("title")),
        when=when,
        severity=severity,
        advice=tuple(advice),
        questions=tuple(spec.questions or (base.questions if base else ())),
        rationale=str(pick("rationale")).strip(),
        sources=tuple(spec.sources or (base.sources if base else ())),
        channel=channel,
        file=_display_path(path, shipped),
        line=line,
        shipped=shipped,
        premise=premise,
    )


def _display_path(path: Path, shipped: bool) -> str:
    if shipped:
        return f"crossdeal:rules/{path.name}"
    return str(path)


def check_dimensions(rules: Sequence[Rule], known: Iterable[str]) -> list[Rule]:
    """Rules whose dimensions all exist in a model; a user rule naming an unknown one is an error.

    Shipped rules written for Hofstede's dimensions are set aside (not an error) when a
    user's own culture model lacks those dimensions.
    """
    keys = set(known)
    usable: list[Rule] = []
    for rule in rules:
        unknown = [d for d in rule.dimensions if d not in keys]
        if not unknown:
            usable.append(rule)
        elif not rule.shipped:
            raise RuleFileError(
                f"uses dimension(s) {', '.join(unknown)} that the culture model does not have "
                f"(it has: {', '.join(sorted(keys))})",
                rule.file,
                rule.line,
                rule.id,
            )
    return usable
