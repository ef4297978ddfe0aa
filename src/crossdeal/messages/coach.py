"""The message coach: check a draft for its reader, and read what a reply commits to.

Both jobs run the same way: extract explicit features from the text, add the culture
context of the pair, and let the data rules decide what to flag, how severely, and why.
The coach only reads: nothing is sent anywhere.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import string
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Literal, cast

from crossdeal.culture.layers import with_practices
from crossdeal.culture.model import Culture, CultureModel, default_model
from crossdeal.culture.names import in_prose
from crossdeal.culture.reports import culture_ref, model_ref
from crossdeal.errors import InputError
from crossdeal.messages.features import Hit, TextFeatures, default_features
from crossdeal.messages.politeness import REQUEST_FEATURES, default_politeness_model
from crossdeal.messages.reports import (
    Commitments,
    LintReport,
    MessageFinding,
    NotDecided,
    PolitenessReading,
    ReplyReport,
    Span,
    Suggestion,
)
from crossdeal.messages.rules import MessageRule, draft_rules, reply_rules
from crossdeal.playbook.engine import evidence_for, pair_context
from crossdeal.playbook.rules import SEVERITIES, Severity

if TYPE_CHECKING:
    from crossdeal.calendar.knowledge import CalendarKnowledge

__all__ = [
    "MAX_CHARS",
    "READER_RANKS",
    "ReaderRank",
    "is_unqualified_yes",
    "lint_message",
    "read_reply",
]

# Longer input is cut here (and says so): a draft or a reply is a few thousand
# characters; a pasted thread of megabytes would only slow the coach down.
MAX_CHARS = 20_000
_MAX_SUGGESTIONS = 5
_RANK = {s: i for i, s in enumerate(SEVERITIES)}


def _prepare(text: str) -> tuple[str, bool]:
    if not isinstance(text, str):
        raise InputError("the message must be text")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise InputError("the message is empty: there is nothing to check")
    truncated = len(text) > MAX_CHARS
    return (text[:MAX_CHARS] if truncated else text), truncated


def _culture(model: CultureModel, query: str | Culture | None) -> Culture | None:
    return None if query is None else model.resolve(query)


ReaderRank = Literal["junior", "manager", "executive"]
READER_RANKS: dict[str, float] = {"junior": 1.0, "manager": 2.0, "executive": 3.0}


def _rank(reader_rank: str | None) -> tuple[ReaderRank | None, float | None]:
    """The rank's name and its value for ``reader.rank`` in rule conditions."""
    if reader_rank is None:
        return None, None
    name = str(reader_rank).strip().lower()
    if name not in READER_RANKS:
        raise InputError(f"reader rank {reader_rank!r} is not one of: {', '.join(READER_RANKS)}")
    return cast(ReaderRank, name), READER_RANKS[name]


def _context(
    features: TextFeatures,
    seller: Culture | None,
    buyer: Culture,
    model: CultureModel,
    extra: Mapping[str, float | None] | None = None,
) -> dict[str, float | str | None]:
    context = pair_context(seller, buyer, model)
    hits = features.hits
    for key, name in _count_keys():
        found = hits.get(name)
        context[key] = float(len(found)) if found else 0.0
    context["text.words"] = float(features.words)
    context["text.sentences"] = float(len(features.sentences))
    for key, value in (extra or {}).items():
        context[key] = value
    return context


@functools.cache
def _count_keys() -> tuple[tuple[str, str], ...]:
    """(context variable, feature) for the count of every feature."""
    return tuple(("text." + name, name) for name in default_features().names)


class _Fill(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "..."


def _render(template: str, values: Mapping[str, str]) -> str:
    names = {f for _, f, _, _ in string.Formatter().parse(template) if f}
    fill = _Fill({k: v for k, v in values.items() if k in names})
    return template.format_map(fill)


def _span(text: str, hit: Hit, source: Literal["message", "asked"] = "message") -> Span:
    return Span(
        start=hit.start,
        end=hit.end,
        line=text.count("\n", 0, hit.start) + 1,
        text=text[hit.start : hit.end],
        feature=hit.feature,
        source=source,
    )


def _apply(
    rules: Sequence[MessageRule],
    features: TextFeatures,
    context: Mapping[str, float | str | None],
    seller: Culture | None,
    buyer: Culture,
    model: CultureModel,
    extra_hits: Mapping[str, Sequence[tuple[Hit, str, Literal["message", "asked"]]]] | None = None,
    fitted: Mapping[str, str] | None = None,
) -> tuple[list[MessageFinding], list[NotDecided]]:
    findings: list[tuple[int, int, MessageFinding]] = []
    undecided: list[NotDecided] = []
    text = features.text
    for rule in rules:
        if rule.when.evaluate(context) is not True:
            continue
        fits = rule.reader.evaluate(context)
        if fits is None:
            missing = sorted(
                {v.qualified for v in rule.reader.variables if context.get(v.qualified) is None}
            )
            undecided.append(NotDecided(rule_id=rule.id, missing=missing))
            continue
        if not fits:
            continue
        severity: Severity = rule.severity[-1][0]
        for level, condition in rule.severity:
            if condition.evaluate(context) is True:
                severity = level
                break
        spans: list[Span] = []
        for name in rule.point_at:
            for hit in features.hits.get(name, ()):
                spans.append(_span(text, hit))
            for hit, source_text, source in (extra_hits or {}).get(name, ()):
                spans.append(_span(source_text, hit, source))
        spans.sort(key=lambda s: (s.source != "message", s.start))
        suggestions = _suggestions(rule, features, spans, buyer, fitted)
        findings.append(
            (
                -_RANK[severity],
                spans[0].start if spans else 0,
                MessageFinding(
                    id=rule.id,
                    theme=rule.theme,
                    severity=severity,
                    title=rule.title,
                    why=_render(rule.why, {"reader": in_prose(buyer.name)}),
                    spans=spans,
                    suggestions=suggestions,
                    follow_up=list(rule.follow_up),
                    evidence=evidence_for(rule.dimensions, seller, buyer, model, notes=False),
                    condition=rule.when.text,
                    reader_condition=rule.reader.text,
                    rule_file=rule.file,
                ),
            )
        )
    findings.sort(key=lambda item: (item[0], item[1], item[2].id))
    return [f for _, _, f in findings], undecided


def _suggestions(
    rule: MessageRule,
    features: TextFeatures,
    spans: Sequence[Span],
    buyer: Culture,
    fitted: Mapping[str, str] | None = None,
) -> list[Suggestion]:
    if not rule.rewrite:
        return []
    base = {"reader": in_prose(buyer.name), **(fitted or {})}
    per_match = "{rest}" in rule.rewrite or "{match}" in rule.rewrite
    if not per_match or not spans:
        return [Suggestion(original=None, rewrite=_render(rule.rewrite, base))]
    out = []
    for name in rule.point_at:
        for hit in features.hits.get(name, ())[:_MAX_SUGGESTIONS]:
            values = {**base, "match": features.text[hit.start : hit.end]}
            values.update({k: v.strip() for k, v in hit.groups.items()})
            out.append(
                Suggestion(
                    original=features.text[hit.start : hit.end],
                    rewrite=_render(rule.rewrite, values),
                )
            )
    return out[:_MAX_SUGGESTIONS]


def lint_message(
    text: str,
    to: str | Culture,
    sender: str | Culture | None = None,
    model: CultureModel | None = None,
    reader_rank: str | None = None,
    on: dt.date | None = None,
    reader: str | None = None,
    calendar: CalendarKnowledge | None = None,
    practical: bool = True,
    subdivision: str | None = None,
) -> LintReport:
    """Check a draft for the culture of its reader (``to``), optionally knowing the writer's.

    ``reader_rank`` (junior, manager or executive) is the reader's seniority where the
    writer knows it: some findings, such as asking a junior person for a decision,
    depend on it and are listed as not decided without it. ``on`` is the day the draft
    is written (today by default): dates in it are read from there and checked against
    the reader's holidays, weekends and business periods. ``reader`` is the reader's
    name, for the greeting check and rewrites that use it. ``practical=False`` leaves
    out the calendar and address checks (the benchmark compares the two).
    ``subdivision``: the reader's state or region for its holidays (BY, MH ...); without
    it, a city the draft names decides (Stuttgart: BW), else the country's holidays.

    Returns findings (id, theme, severity, the spans they point at, why, a suggested
    rewrite), the politeness score, and the feature counts behind them.
    """
    model = with_practices(model or default_model())
    buyer = model.resolve(to)
    seller = _culture(model, sender)
    rank_name, rank = _rank(reader_rank)
    body, truncated = _prepare(text)
    features = default_features().extract(body, only=_draft_features())
    politeness = default_politeness_model()
    score, _, drivers = politeness.read_message(features)
    context = _context(
        features, seller, buyer, model, {"politeness.score": score, "reader.rank": rank}
    )
    if on is not None and not isinstance(on, dt.date):
        raise TypeError(f"on must be a date, not {type(on).__name__}")
    if reader is not None and not isinstance(reader, str):
        raise TypeError(f"reader must be a name (str), not {type(reader).__name__}")
    day = on or dt.date.today()
    found, fitted = (
        _practical(body, buyer, day, reader, calendar, subdivision, context)
        if practical
        else ([], {})
    )
    findings, undecided = _apply(
        draft_rules(), features, context, seller, buyer, model, fitted=fitted
    )
    findings = _merge(findings, found)
    return LintReport(
        reader=culture_ref(buyer),
        reader_rank=rank_name,
        writer=culture_ref(seller) if seller else None,
        model=model_ref(model),
        words=features.words,
        sentences=len(features.sentences),
        findings=findings,
        politeness=PolitenessReading(
            score=round(score, 4),
            drivers=[(k, round(w, 3)) for k, w in drivers],
            model=politeness.trained_on,
        ),
        features={name: len(hits) for name, hits in sorted(features.hits.items())},
        not_decided=undecided,
        truncated=truncated,
        on=day,
        reader_name=reader,
    )


def _practical(
    body: str,
    buyer: Culture,
    on: dt.date,
    reader: str | None,
    calendar: CalendarKnowledge | None,
    subdivision: str | None = None,
    pair: Mapping[str, float | str | None] | None = None,
) -> tuple[list[MessageFinding], dict[str, str]]:
    """The calendar and address findings for a reader in a country, and the greeting
    that rule rewrites use ({greeting}); nothing for a region (no one calendar)."""
    if buyer.iso2 is None:
        return [], {"greeting": _ANY_GREETING}
    from crossdeal.calendar.knowledge import default_knowledge
    from crossdeal.messages.practical import address_findings, date_findings, reader_greeting

    knowledge = calendar or default_knowledge()
    facts = knowledge.country(buyer.iso2)
    from crossdeal.calendar.days import month_first

    found = address_findings(body, facts, in_prose(buyer.name), reader, pair)
    if subdivision is not None:
        from crossdeal.calendar.days import check_subdivision

        subdivision = check_subdivision(buyer.iso2, subdivision)
    found += date_findings(
        body,
        buyer.iso2,
        in_prose(buyer.name),
        on,
        knowledge,
        not month_first(buyer.iso2),
        subdivision,
    )
    return found, {"greeting": reader_greeting(facts, reader) or _ANY_GREETING}


_ANY_GREETING = "Dear Mr./Ms. [family name],"


def _merge(rules: list[MessageFinding], practical: list[MessageFinding]) -> list[MessageFinding]:
    """Both kinds of finding in one order: severity, then position."""
    merged = rules + practical
    merged.sort(key=lambda f: (-_RANK[f.severity], f.spans[0].start if f.spans else 0, f.id))
    return merged


@functools.cache
def _draft_features() -> tuple[str, ...]:
    """The features a draft check reads: those of the draft rules (their conditions and
    what they point at) and the politeness model's inputs. Features only replies are
    read for (agreement, conditions, named owners ...) are not looked for in a draft."""
    needed = set(default_politeness_model().strategies) | set(REQUEST_FEATURES)
    for rule in draft_rules():
        for condition in (rule.when, rule.reader, *(c for _, c in rule.severity)):
            needed.update(v.name for v in condition.variables if v.side == "text")
        needed.update(rule.point_at)
    return tuple(name for name in default_features().names if name in needed)


_CONTENT = re.compile(r"[a-z][a-z'-]{2,}")
_STOP = frozenset(
    """about above after again also and any are been before being both but can could did does
    doing done for from further had has have having here how into its just let like made make
    many may might more most much must need needs not now off once only other our out over own
    please same shall should some such than that the their them then there these they this
    those through too under until very was were what when where which while who whom why will
    with would you your yours yet kindly know let's confirm share send tell give else team
    also able whether possible still currently exactly""".split()
)
_CLAUSE_SPLIT = re.compile(
    r",?\s+(?:and|or)\s+(?=(?:what|when|who|where|which|how|why|do|does|did|can|could|will|would|"
    r"is|are|have|has|should|shall|may|let\s+(?:us|me)\s+know|tell|send|share|confirm|provide)\b)"
    r"|;\s*",
    re.I,
)
# "Could you confirm / share / tell us X?" asks for information: a bare yes is no answer.
_INFORMATION = re.compile(
    r"\b(?:confirm|share|tell|let\s+(?:us|me)\s+know|send|provide|give|specify|advise|indicate)\b",
    re.I,
)
_YES_NO = re.compile(
    r"^\W*(?:can|could|will|would|is|are|do|does|did|have|has|shall|should|may)\b", re.I
)
_WHEN = re.compile(r"\b(?:when|date|deadline|timeline|lead\s+time|how\s+long|how\s+soon)\b", re.I)
_WHO = re.compile(r"\bwho(?:m)?\b", re.I)
_HOW_MUCH = re.compile(r"\b(?:how\s+(?:much|many)|price|cost|budget|rate|discount|fee)\b", re.I)
_DATE = re.compile(
    r"\b(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|"
    r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
    r"today|tomorrow|week|weeks|month|months|days|q[1-4])\b|\b\d{1,2}/\d{1,2}\b|\b\d{4}-\d{2}-\d{2}\b",
    re.I,
)
_MONEY = re.compile(
    r"[$€£¥₹]|\b(?:eur|usd|gbp|inr|jpy|cny|chf|sgd|aud|cad|brl|krw|k)\b|\bper\s+(?:unit|piece|user|seat)\b",
    re.I,
)
_ANSWER_WORDS = re.compile(
    r"\b(?:yes|yeah|yep|sure|of\s+course|certainly|absolutely|definitely|no\s+problem|agreed|fine|ok|okay|"
    r"no|not|cannot|can't|unfortunately)\b",
    re.I,
)
_ASK_START = re.compile(r"^\s*(?:please|kindly|let\s+me\s+know)\b", re.I)


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def _unanswered(asked: str, reply: TextFeatures) -> list[Hit]:
    """Questions of the earlier message that the reply does not take up.

    Each question is split into its clauses ("What is the price, and what is the lead
    time?" asks two things). A clause counts as answered when the reply shares one of
    its distinctive words, or gives what it asks for: a date for "when", an amount for
    "how much", a named person for "who"; a lone yes/no question is answered by a yes
    or a no.
    """
    asked_sentences = default_features().extract(asked, only=()).sentences
    reply_text = reply.text
    reply_words = {_stem(w) for w in _CONTENT.findall(reply_text.lower())}
    clauses: list[tuple[int, str]] = []
    for i, sentence in enumerate(asked_sentences):
        piece = asked[sentence.start : sentence.end]
        if piece.rstrip().endswith("?") or _ASK_START.match(piece):
            clauses.extend((i, part) for part in _CLAUSE_SPLIT.split(piece) if part.strip())
    out: list[Hit] = []
    reported: set[int] = set()
    for i, clause in clauses:
        words = {_stem(w) for w in _CONTENT.findall(clause.lower()) if w not in _STOP}
        answered = bool(words & reply_words) or not words
        if _WHEN.search(clause) and _DATE.search(reply_text):
            answered = True
        if _HOW_MUCH.search(clause) and _MONEY.search(reply_text):
            answered = True
        if _WHO.search(clause) and reply.has("named_owner"):
            answered = True
        if (
            len(clauses) == 1
            and _YES_NO.match(clause)
            and not _INFORMATION.search(clause)
            and _ANSWER_WORDS.search(reply_text)
        ):
            answered = True
        if not answered and i not in reported:
            reported.add(i)
            sentence = asked_sentences[i]
            out.append(Hit("unanswered", sentence.start, sentence.end, i))
    return out


def _commitments(features: TextFeatures) -> Commitments:
    text = features.text

    hedged = {h.sentence for h in features.hits.get("faith_hedge", ())}

    def matched(name: str, in_hedged: bool | None = None) -> list[str]:
        return list(
            dict.fromkeys(
                text[h.start : h.end].strip()
                for h in features.hits.get(name, ())
                if in_hedged is None or (h.sentence in hedged) == in_hedged
            )
        )

    questions = [
        text[features.sentences[h.sentence].start : features.sentences[h.sentence].end]
        for h in features.hits.get("question_back", ())
    ]
    return Commitments(
        dates_and_numbers=matched("specific", in_hedged=False),
        hoped_for=matched("specific", in_hedged=True),
        conditions=matched("condition"),
        trade_offs=matched("trade_off"),
        owners=matched("named_owner"),
        questions=list(dict.fromkeys(questions)),
    )


def read_reply(
    text: str,
    sender: str | Culture,
    to: str | Culture | None = None,
    asked: str | None = None,
    model: CultureModel | None = None,
) -> ReplyReport:
    """Read a reply from a buyer of culture ``sender``: does its yes commit to anything?

    ``asked`` is your earlier message; with it, questions the reply leaves unanswered
    are flagged too. ``to`` is your own culture, if you want it in the evidence.
    """
    model = with_practices(model or default_model())
    buyer = model.resolve(sender)
    seller = _culture(model, to)
    body, truncated = _prepare(text)
    features = default_features().extract(body)
    unanswered: list[Hit] = []
    asked_text = ""
    if asked is not None and asked.strip():
        asked_text, _ = _prepare(asked)
        unanswered = _unanswered(asked_text, features)
    context = _context(features, seller, buyer, model, {"text.unanswered": float(len(unanswered))})
    source: Literal["asked"] = "asked"
    extra = {"unanswered": [(hit, asked_text, source) for hit in unanswered]}
    findings, undecided = _apply(reply_rules(), features, context, seller, buyer, model, extra)
    commitments = _commitments(features)
    return ReplyReport(
        sender=culture_ref(buyer),
        seller=culture_ref(seller) if seller else None,
        model=model_ref(model),
        verdict=_verdict(features, commitments),
        findings=findings,
        commitments=commitments,
        not_decided=undecided,
        truncated=truncated,
    )


def is_unqualified_yes(text: str) -> bool:
    """Whether a note reads as a yes that commits to nothing, whatever the culture.

    The condition of the ``unqualified-yes`` reply rule, on the text alone; used to mark
    inbound notes logged on a deal.
    """
    if not text or not text.strip():
        return False
    rule = next(r for r in reply_rules() if r.id == "unqualified-yes")
    body, _ = _prepare(text)
    features = default_features().extract(body)
    context: dict[str, float | str | None] = {
        "text." + n: float(features.count(n)) for n in default_features().names
    }
    context["text.words"] = float(features.words)
    context["text.sentences"] = float(len(features.sentences))
    return rule.when.evaluate(context) is True


def _verdict(features: TextFeatures, commitments: Commitments) -> str:
    agrees = features.has("agreement")
    soft_no = features.has("soft_no")
    specific = any(
        (
            commitments.dates_and_numbers,
            commitments.conditions,
            commitments.trade_offs,
            commitments.owners,
            commitments.questions,
        )
    )
    if agrees and soft_no:
        return "mixed"
    if soft_no:
        return "soft-no"
    if agrees:
        return "qualified-yes" if specific else "unqualified-yes"
    return "no-agreement"
