"""The library's front door: one function per user job, returning typed results.

These are what ``import crossdeal`` offers and what the CLI calls; they only look
things up and delegate to the culture core and the playbook.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from crossdeal.culture.model import (
    Culture,
    CultureKind,
    CultureModel,
    default_model,
    load_culture_model,
)
from crossdeal.culture.reports import (
    Comparison,
    CultureList,
    CultureProfile,
    compare_cultures,
    culture_list,
    culture_profile,
)
from crossdeal.forecast.prior import CyclePrior
from crossdeal.messages.reports import LintReport, ReplyReport
from crossdeal.playbook.briefing import Briefing
from crossdeal.playbook.engine import Playbook

__all__ = ["brief", "compare", "countries", "lint_message", "profile", "read_reply"]

ModelArg = CultureModel | str | Path | None


def _model(model: ModelArg) -> CultureModel:
    if model is None:
        return default_model()
    if isinstance(model, CultureModel):
        return model
    return load_culture_model(model)


def countries(model: ModelArg = None, kind: CultureKind | None = None) -> CultureList:
    """Every culture of the model, with the dimensions it has scores for."""
    return culture_list(_model(model), kind)


def profile(culture: str | Culture, model: ModelArg = None) -> CultureProfile:
    """One culture's scores, levels and source. ``culture`` is a name or code ("India", "IN")."""
    m = _model(model)
    return culture_profile(m.resolve(culture), m)


def compare(seller: str | Culture, buyer: str | Culture, model: ModelArg = None) -> Comparison:
    """Per-dimension gaps (buyer minus seller), Kogut-Singh and Euclidean distances,
    and common ground."""
    m = _model(model)
    return compare_cultures(m.resolve(seller), m.resolve(buyer), m)


def brief(
    seller: str | Culture,
    buyer: str | Culture,
    model: ModelArg = None,
    rules: Iterable[str | Path] = (),
    playbook: Playbook | None = None,
    cycle_prior: CyclePrior | None = None,
) -> Briefing:
    """The pre-call briefing for a seller -> buyer pair.

    ``rules`` adds user rule files or folders (adding or replacing rules by id);
    pass a prepared ``playbook`` instead to reuse compiled rules across many calls.
    """
    m = _model(model)
    rule_paths = list(rules)
    if playbook is None:
        playbook = Playbook.load(rule_paths) if rule_paths else Playbook.default()
    return playbook.brief(m.resolve(seller), m.resolve(buyer), m, cycle_prior)


def lint_message(
    text: str, to: str | Culture, sender: str | Culture | None = None, model: ModelArg = None
) -> LintReport:
    """Check an email draft for its reader's culture (``to``); ``sender`` is yours."""
    from crossdeal.messages.coach import lint_message as lint

    return lint(text, to=to, sender=sender, model=_model(model))


def read_reply(
    text: str,
    sender: str | Culture,
    to: str | Culture | None = None,
    asked: str | None = None,
    model: ModelArg = None,
) -> ReplyReport:
    """Read a buyer's reply: does its yes commit to anything? ``asked``: your earlier message."""
    from crossdeal.messages.coach import read_reply as read

    return read(text, sender=sender, to=to, asked=asked, model=_model(model))
