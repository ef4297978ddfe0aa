"""Explicit linguistic features of a message, each with the spans it matched.

Features are data (``messages/data/features.yaml``): regular expressions, word lists,
sentence-start and line-start patterns, and sentence-level combinations. Extraction
is one pass per feature over the whole text; spans are character offsets.
"""

from __future__ import annotations

import functools
import re
from bisect import bisect_right
from collections.abc import Container, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from itertools import repeat
from operator import itemgetter
from pathlib import Path
from re._constants import (  # the parser's opcodes, as in _anchors
    AT,
    AT_BOUNDARY,
    CATEGORY,
    CATEGORY_DIGIT,
    IN,
    MAX_REPEAT,
    MIN_REPEAT,
    POSSESSIVE_REPEAT,
)
from re._parser import parse as sre_parse
from types import MappingProxyType
from typing import Any, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, model_validator

from crossdeal._kept import kept
from crossdeal._validation import validate_yaml
from crossdeal._yaml import LineDict, load_yaml
from crossdeal.errors import DataFileError
from crossdeal.messages._anchors import Anchors, _literal_set
from crossdeal.messages._anchors import anchors as literal_anchors
from crossdeal.messages._prefilter import Prefilter, available

__all__ = [
    "FeatureSet",
    "Hit",
    "Sentence",
    "TextFeatures",
    "default_features",
    "lower_case",
    "split_sentences",
]

_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9])")
_TOKEN = re.compile(r"[A-Za-z0-9]+(?:'[A-Za-z]+)?")
_DIGIT = re.compile(r"\d")
_NUMBER_START = re.compile(r"\b\d")
_WORD_START = re.compile(r"\b\w")
_BY_SPAN = itemgetter(1, 2)  # a Hit's start and end
_PLAIN_WORD = re.compile(r"[a-z0-9]+")
# Position tests, named groups and possessive or atomic parts (which do not give back
# what they took) that a plain choice of words cannot keep.
_POSITION_OR_GROUP = re.compile(r"\\[bBAZ]|[\^$]|\(\?P<|\(\?[=!<>]|[?*+}]\+")


class Sentence(NamedTuple):
    start: int
    end: int
    first_on_line: bool


# a draft has dozens of sentences: built as tuples directly (see _new_hit)
_new_sentence = functools.partial(tuple.__new__, Sentence)


_NO_GROUPS: Mapping[str, str] = MappingProxyType({})


class Hit(NamedTuple):
    """One match of a feature: where it is and what it captured."""

    feature: str
    start: int
    end: int
    sentence: int
    groups: Mapping[str, str] = _NO_GROUPS


# Hit(...) runs a Python-level __new__; extraction makes dozens per text, so the hot
# loops build the tuple directly (all five fields, in order).
_new_hit = functools.partial(tuple.__new__, Hit)


def split_sentences(text: str) -> list[Sentence]:
    """Sentences with offsets; every line break also ends a sentence (emails are line-based)."""
    out: list[Sentence] = []
    offset = 0
    ends = _SENTENCE_END.finditer
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        cursor = 0
        first = True
        for match in ends(body):
            _add(out, body, offset, cursor, match.start(), first)
            first = False
            cursor = match.end()
        _add(out, body, offset, cursor, len(body), first)
        offset += len(line)
    return out


def _add(out: list[Sentence], body: str, offset: int, start: int, end: int, first: bool) -> None:
    segment = body[start:end]
    stripped = segment.strip()
    if not stripped:
        return
    lead = offset + start + len(segment) - len(segment.lstrip())
    out.append(_new_sentence((lead, lead + len(stripped), first)))


class _FeatureSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)

    description: str = Field(min_length=3)
    politeness: bool = False
    patterns: list[str] = Field(default_factory=list)
    words: list[str] = Field(default_factory=list)
    start: list[str] = Field(default_factory=list)
    line_start: list[str] = Field(default_factory=list)
    sentence_has: list[str] = Field(default_factory=list)
    sentence_lacks: list[str] = Field(default_factory=list)
    case_sensitive: bool = False
    not_at_sentence_start: bool = False

    @model_validator(mode="after")
    def _has_a_definition(self) -> _FeatureSpec:
        if not (self.patterns or self.words or self.start or self.line_start or self.sentence_has):
            raise ValueError("a feature needs patterns, words, start, line_start or sentence_has")
        return self


class _FeaturesFile(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)
    features: dict[str, _FeatureSpec]


@dataclass(frozen=True, slots=True)
class _Scanner:
    """One alternative of a feature's patterns, compiled for speed.

    ``pattern`` is matched against the lower-cased text (IGNORECASE costs about four
    times as much in Python's re), or the text as written for a case-sensitive feature.
    A leading \\b is removed and checked in Python (``bounded``): it stops re from
    jumping to the literal prefix and makes a scan 10-20 times slower. ``repeat``: the
    pattern opens with a repeat (``[A-Z]{4,}``) and is tried only where words start,
    which keeps its scan linear in a long run of letters. ``anchors``:
    literals one of which every match contains; when the text has none of them the
    scan is skipped (``None``: always scan). ``digit``: every match starts with a digit.
    A kept copy (see ``crossdeal._kept``) holds the pattern's text: it is compiled again
    when a text first needs it, and most texts need only a few of them.
    """

    source: str
    bounded: bool
    anchors: tuple[str, ...] | None
    whole_words: bool
    digit: bool
    repeat: bool = False
    compiled: re.Pattern[str] | None = field(default=None, compare=False, repr=False)

    @property
    def pattern(self) -> re.Pattern[str]:
        compiled = self.compiled
        if compiled is None:
            compiled = re.compile(self.source)
            object.__setattr__(self, "compiled", compiled)
        return compiled

    def __reduce__(self) -> tuple[object, ...]:
        return (
            _Scanner,
            (self.source, self.bounded, self.anchors, self.whole_words, self.digit, self.repeat),
        )


@dataclass(frozen=True)
class _Compiled:
    name: str
    description: str
    politeness: bool
    case_sensitive: bool
    not_at_sentence_start: bool
    words: frozenset[str]
    anywhere: tuple[_Scanner, ...]
    at_sentence_start: re.Pattern[str] | None
    at_line_start: re.Pattern[str] | None
    start_anchors: Anchors | None
    sentence_has: tuple[str, ...]
    sentence_lacks: tuple[str, ...]


@dataclass(frozen=True)
class TextFeatures:
    """The features found in one text."""

    text: str
    sentences: tuple[Sentence, ...]
    hits: Mapping[str, tuple[Hit, ...]]
    words: int
    tokens: frozenset[str] = frozenset()

    def count(self, feature: str) -> int:
        return len(self.hits.get(feature, ()))

    def has(self, feature: str) -> bool:
        return bool(self.hits.get(feature))


class FeatureSet:
    """A compiled set of features; call :meth:`extract` on a text."""

    def __init__(
        self, specs: Mapping[str, _FeatureSpec], source: str = "", use_prefilter: bool = True
    ) -> None:
        """``use_prefilter``: decide in one pass (RE2, when installed) which patterns can
        match a text; without it, anchors and word lists decide. Both find the same."""
        self.source = source
        compiled: dict[str, _Compiled] = {}
        for name, spec in specs.items():
            compiled[name] = _compile(name, spec, source)
        for c in compiled.values():
            unknown = [f for f in (*c.sentence_has, *c.sentence_lacks) if f not in compiled]
            if unknown:
                raise DataFileError(
                    f"feature {c.name!r} combines unknown features {unknown}", source
                )
        self._features = compiled
        # Index the work so that one pass over the words of a text decides which
        # patterns can match at all: word lists, and whole-word anchors of patterns.
        word_lists: dict[str, list[str]] = {}
        for c in compiled.values():
            for word in c.words:
                word_lists.setdefault(word, []).append(c.name)
        # A pattern that is only a choice of whole words ("\\b(?:maybe|perhaps)\\b") is
        # found with the word lists, in the same pass, instead of by a search of its own.
        pattern_words: dict[str, list[str]] = {}
        triggers: dict[str, list[int]] = {}
        self._scanners: list[tuple[str, _Scanner]] = []
        self._substring_gated: list[int] = []
        self._always: list[int] = []
        for c in compiled.values():
            for scanner in c.anywhere:
                words = None if c.case_sensitive else _whole_words(scanner, word_lists)
                if words is not None:
                    for word in words:
                        pattern_words.setdefault(word, []).append(c.name)
                    continue
                index = len(self._scanners)
                self._scanners.append((c.name, scanner))
                if scanner.anchors is None:
                    self._always.append(index)
                elif scanner.whole_words:
                    for word in scanner.anchors:
                        triggers.setdefault(word, []).append(index)
                else:
                    self._substring_gated.append(index)
        self._words = {
            w: (tuple(word_lists.get(w, ())), tuple(pattern_words.get(w, ())))
            for w in sorted(word_lists.keys() | pattern_words.keys())
        }
        self._triggers = {w: tuple(ids) for w, ids in triggers.items()}
        # All these words as one regex shaped like a trie ("you(?:r(?:s)?)?"), so that
        # re tries a few first letters at each position rather than every word.
        self._word_regex = re.compile(_trie(list(self._words)) + r"(?!\w)")
        self._trigger_words = frozenset(self._triggers)
        self._with_start = [
            (c, c.at_sentence_start) for c in compiled.values() if c.at_sentence_start
        ]
        self._with_line = [(c, c.at_line_start) for c in compiled.values() if c.at_line_start]
        self._combined = [c for c in compiled.values() if c.sentence_has]
        self._parts: dict[tuple[str, ...], frozenset[str]] = {}
        self._prefilters = self._build_prefilters() if use_prefilter and available() else None

    def _build_prefilters(self) -> tuple[Prefilter[int], Prefilter[int]]:
        """For the patterns searched anywhere in a text (by their index): one prefilter
        over the lower-cased text, one over the text as written (case-sensitive ones).

        Sentence-start patterns stay with their anchors: most of them occur somewhere in
        most texts, and as unanchored patterns they would slow the automaton threefold."""
        lower: list[tuple[int, str]] = []
        cased: list[tuple[int, str]] = []
        for index, (name, scanner) in enumerate(self._scanners):
            target = cased if self._features[name].case_sensitive else lower
            target.append((index, scanner.source))
        return Prefilter(lower), Prefilter(cased)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._features)

    @property
    def politeness_features(self) -> tuple[str, ...]:
        return tuple(n for n, c in self._features.items() if c.politeness)

    def description(self, name: str) -> str:
        return self._features[name].description

    def _with_parts(self, names: Sequence[str]) -> set[str]:
        """``names`` and, for sentence-level combinations, the features they combine."""
        wanted: set[str] = set()
        todo = list(names)
        while todo:
            name = todo.pop()
            if name in wanted:
                continue
            wanted.add(name)
            feature = self._features.get(name)
            if feature is not None:
                todo.extend((*feature.sentence_has, *feature.sentence_lacks))
        return wanted

    def _wanted(self, only: Sequence[str]) -> frozenset[str]:
        key = tuple(only)
        wanted = self._parts.get(key)
        if wanted is None:
            wanted = self._parts[key] = frozenset(self._with_parts(key))
        return wanted

    def _candidates(self, text: str, lowered: str) -> frozenset[int] | None:
        """What the prefilters leave to look for (None: they cannot narrow this text)."""
        if self._prefilters is None:
            return None
        lower_filter, cased_filter = self._prefilters
        lower = lower_filter.candidates(lowered)
        if lower is None:
            return None
        cased = cased_filter.candidates(text)
        return None if cased is None else lower | cased

    def _anchored(self, lowered: str, words: frozenset[str]) -> list[int]:
        """The scanners whose anchors occur in the text."""
        live: set[int] = set(self._always)
        for token in words & self._trigger_words:
            live.update(self._triggers[token])
        for index in self._substring_gated:
            for anchor in self._scanners[index][1].anchors:  # type: ignore[union-attr]
                if anchor in lowered:
                    live.add(index)
                    break
        return sorted(live)

    def extract(self, text: str, only: Sequence[str] | None = None) -> TextFeatures:
        """Every feature's hits in ``text`` (or only the named features, with the features
        a named combination is made of: their hits come along)."""
        wanted = None if only is None else self._wanted(only)
        sentences = split_sentences(text)
        starts = [s.start for s in sentences]
        lowered = lower_case(text)
        found: dict[str, list[Hit]] = {}

        def sentence_of(offset: int) -> int:  # text before the first sentence counts to it
            return (bisect_right(starts, offset) or 1) - 1

        # 1. the words, and the hits of word lists
        token_list = _TOKEN.findall(lowered)
        tokens = frozenset(token_list)
        word_index = self._words
        for m in self._word_regex.finditer(lowered):
            position = m.start()
            before = lowered[position - 1] if position else " "
            if before.isalnum() or before == "_":
                continue  # inside a word: "us" in "bus"
            end = m.end()
            listed, patterned = word_index[m.group()]
            sentence = sentence_of(position)
            # a listed word is a whole token: "we" is not listed in "we'd"
            if listed and before != "'" and lowered[end : end + 1] != "'":
                for name in listed:
                    found.setdefault(name, []).append(
                        _new_hit((name, position, end, sentence, _NO_GROUPS))
                    )
            for name in patterned:
                if wanted is None or name in wanted:
                    found.setdefault(name, []).append(
                        _new_hit((name, position, end, sentence, _NO_GROUPS))
                    )

        # 2. which patterns can match at all: one pass of the prefilter, or else anchors
        candidates = self._candidates(text, lowered)
        # "year's" is one token but "year" a whole word to \b: anchors see both
        words = tokens.union(*(t.split("'") for t in tokens if "'" in t))
        live = self._anchored(lowered, words) if candidates is None else sorted(candidates)
        has_digit = _DIGIT.search(text) is not None

        # 3. the patterns that can match
        # where numbers or words start, by finder and case-sensitivity of the subject
        scan_starts: dict[tuple[re.Pattern[str], bool], list[int]] = {}
        for index in live:
            name, scanner = self._scanners[index]
            if (wanted is not None and name not in wanted) or (scanner.digit and not has_digit):
                continue
            cased = self._features[name].case_sensitive
            subject = text if cased else lowered
            # A pattern that opens with a digit has no literal prefix for re to look for,
            # and one that opens with a repeat would re-read a long run of letters from
            # every position in it: try them only where numbers (or words) start.
            finder = (
                _NUMBER_START
                if scanner.digit and scanner.bounded
                else _WORD_START
                if scanner.repeat
                else None
            )
            if finder is None:
                matches = _scan(scanner.pattern, subject, scanner.bounded)
            else:
                here = scan_starts.get((finder, cased))
                if here is None:
                    here = scan_starts[finder, cased] = [
                        m.start() for m in finder.finditer(subject)
                    ]
                matches = _scan_at(scanner.pattern, subject, here)
            for m in matches:
                found.setdefault(name, []).append(
                    _new_hit((name, m.start(), m.end(), sentence_of(m.start()), _groups(m, text)))
                )

        # 4. sentence-start and line-start patterns, tried at every (line's first) sentence
        ends = [s.end for s in sentences]
        lines = [i for i, s in enumerate(sentences) if s.first_on_line]
        line_starts = [starts[i] for i in lines]
        line_ends = [ends[i] for i in lines]
        for feature, opener in self._with_start:
            if wanted is not None and feature.name not in wanted:
                continue
            if not feature.case_sensitive and feature.start_anchors is not None:
                anchors, whole = feature.start_anchors
                pool: Container[str] = words if whole else lowered
                if not any(a in pool for a in anchors):
                    continue
            subject = text if feature.case_sensitive else lowered
            for i, hit in enumerate(map(opener.match, repeat(subject), starts, ends)):
                if hit:
                    found.setdefault(feature.name, []).append(
                        _new_hit((feature.name, hit.start(), hit.end(), i, _groups(hit, text)))
                    )
        for feature, opener in self._with_line:
            if wanted is not None and feature.name not in wanted:
                continue
            subject = text if feature.case_sensitive else lowered
            opened = map(opener.match, repeat(subject), line_starts, line_ends)
            for i, hit in zip(lines, opened, strict=True):
                if hit:
                    found.setdefault(feature.name, []).append(
                        _new_hit((feature.name, hit.start(), hit.end(), i, _groups(hit, text)))
                    )

        # 5. sentence-level combinations, then positional filters
        for feature in self._combined:
            if wanted is None or feature.name in wanted:
                combined = self._combine(feature, sentences, found)
                if combined:
                    found.setdefault(feature.name, []).extend(combined)
        sentence_starts = set(starts)
        hits: dict[str, tuple[Hit, ...]] = {}
        for name, items in found.items():
            if self._features[name].not_at_sentence_start:
                items = [h for h in items if h.start not in sentence_starts]
            if items:
                items.sort(key=_BY_SPAN)
                hits[name] = tuple(items)
        return TextFeatures(text, tuple(sentences), hits, len(token_list), tokens)

    def _combine(
        self, feature: _Compiled, sentences: Sequence[Sentence], hits: Mapping[str, Sequence[Hit]]
    ) -> list[Hit]:
        def sentences_with(name: str) -> set[int]:
            return {h.sentence for h in hits.get(name, ())}

        chosen = set.intersection(*(sentences_with(n) for n in feature.sentence_has))
        for name in feature.sentence_lacks:
            chosen -= sentences_with(name)
        return [Hit(feature.name, sentences[i].start, sentences[i].end, i) for i in sorted(chosen)]


def _whole_words(scanner: _Scanner, listed: Mapping[str, object]) -> frozenset[str] | None:
    """The words a scanner finds when it is only a choice of whole words, such as
    "\\b(?:maybe|perhaps)\\b" (None otherwise). Not when a listed word holds one of
    them on either side of an apostrophe ("let" in "let's", "re" in "you're"): one pass
    finds the listed word and steps over the other."""
    body = scanner.source
    if not scanner.bounded or not body.endswith("\\b") or _POSITION_OR_GROUP.search(body[:-2]):
        return None
    try:
        items = list(sre_parse(body))
    except re.error:
        return None
    words = _literal_set(items[:-1]) if items and items[-1] == (AT, AT_BOUNDARY) else None
    if not words or not all(_PLAIN_WORD.fullmatch(w) for w in words):
        return None
    around_apostrophes = {part for other in listed if "'" in other for part in other.split("'")}
    if words & around_apostrophes:
        return None
    return frozenset(words)


def _first_item(body: str) -> tuple[Any, Any] | None:
    """The first element of ``body`` as the regex parser sees it (None: none, or no regex)."""
    try:
        items = list(sre_parse(body))
    except re.error:
        return None
    return items[0] if items else None


def _opens_with_digit(body: str) -> bool:
    """Whether every match of ``body`` begins with a digit ("\\d+", not "\\d?")."""
    first = _first_item(body)
    if first is None:
        return False
    op, av = first
    if op in (MAX_REPEAT, MIN_REPEAT, POSSESSIVE_REPEAT) and av[0] >= 1 and len(av[2]) == 1:
        op, av = next(iter(av[2]))
    return bool(op is IN and av == [(CATEGORY, CATEGORY_DIGIT)])


def _opens_with_repeat(body: str) -> bool:
    """Whether ``body`` begins with something repeated more than once ([a-z]+, \\w{4,})."""
    first = _first_item(body)
    if first is None:
        return False
    op, av = first
    return op in (MAX_REPEAT, MIN_REPEAT, POSSESSIVE_REPEAT) and av[1] > 1


def _scan(pattern: re.Pattern[str], subject: str, bounded: bool) -> list[re.Match[str]]:
    if not bounded:
        return list(pattern.finditer(subject))
    out: list[re.Match[str]] = []
    pos = 0
    search = pattern.search
    while (m := search(subject, pos)) is not None:
        start = m.start()
        if start == 0 or not (subject[start - 1].isalnum() or subject[start - 1] == "_"):
            out.append(m)
            pos = max(m.end(), start + 1)
        else:
            pos = start + 1
    return out


def _scan_at(pattern: re.Pattern[str], subject: str, starts: list[int]) -> list[re.Match[str]]:
    """What :func:`_scan` finds when every match must begin at one of ``starts``."""
    out: list[re.Match[str]] = []
    pos = 0
    match = pattern.match
    for start in starts:
        if start >= pos and (m := match(subject, start)) is not None:
            out.append(m)
            pos = max(m.end(), start + 1)
    return out


def lower_case(text: str) -> str:
    """``text`` in lower case, character for character, so that offsets stay valid.

    Only the dotted capital I ("\u0130") lowers to two characters; it becomes "i",
    as Python's case-insensitive matching reads it."""
    lowered = text.lower()
    if len(lowered) != len(text):
        lowered = text.replace("\u0130", "i").lower()
    return lowered


def _trie(words: Sequence[str]) -> str:
    """An alternation of ``words`` that shares prefixes: ["you", "your"] -> "you(?:r)?"."""
    root: dict[str, dict[str, Any]] = {}
    for word in words:
        node = root
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def alternation(node: dict[str, dict[str, Any]]) -> str:
        branches = [re.escape(ch) + alternation(node[ch]) for ch in sorted(node) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        # a word that ends here may also go on: try the longer words first
        return f"(?:{body})?" if "" in node else body

    return alternation(root) or "(?!)"


def _groups(match: re.Match[str], text: str) -> Mapping[str, str]:
    """Captured groups, taken from the original text (not its lower-cased copy)."""
    if not match.re.groupindex:
        return _NO_GROUPS
    return {
        k: text[match.start(k) : match.end(k)] for k in match.re.groupindex if match.start(k) >= 0
    }


def _compile(name: str, spec: _FeatureSpec, source: str) -> _Compiled:
    def check_case(parts: list[str], what: str) -> None:
        if spec.case_sensitive:
            return
        for part in parts:
            bare = re.sub(r"\\[uUx][0-9A-Fa-f]+|\\.|\(\?P<\w+>|\(\?P=\w+\)", "", part)
            if re.search("[A-Z]", bare):
                raise DataFileError(
                    f"feature {name!r}: {what} {part!r} has capital letters; text is matched "
                    "in lower case, so write it in lower case or set case_sensitive: true",
                    source,
                )

    def regex(pattern: str, flags: int, what: str) -> re.Pattern[str]:
        try:
            return re.compile(pattern, flags)
        except re.error as exc:
            raise DataFileError(
                f"feature {name!r}: {what} {pattern!r} is not a valid pattern ({exc})", source
            ) from None

    def joined(parts: list[str], what: str) -> re.Pattern[str] | None:
        if not parts:
            return None
        check_case(parts, what)
        return regex("|".join(f"(?:{p})" for p in parts), 0, what)

    check_case(spec.patterns, "patterns")
    alternatives = [alt for p in spec.patterns for alt in _top_level_alternatives(p)]
    single = frozenset(w.lower() for w in spec.words if _TOKEN.fullmatch(w))
    phrases = sorted((w for w in spec.words if not _TOKEN.fullmatch(w)), key=len, reverse=True)
    if phrases:
        alternatives.append(r"\b(?:" + "|".join(re.escape(w.lower()) for w in phrases) + r")\b")
    scanners = []
    # Alternatives without an anchor are scanned every time; one regex per kind of
    # start (word boundary or not, digit or not) is cheaper than one per alternative.
    unanchored: dict[tuple[bool, bool, bool], list[str]] = {}
    for alt in alternatives:
        bounded = alt.startswith("\\b")
        body = alt[2:] if bounded else alt
        digit = _opens_with_digit(body)
        # a repeat such as [A-Z]{4,} with its \b checked in Python would re-read a long
        # run of letters from every position in it: try it where words start instead
        repeat = bounded and not digit and _opens_with_repeat(body)
        found = None if spec.case_sensitive else literal_anchors(body, bounded)
        if found is None:
            unanchored.setdefault((bounded, digit, repeat), []).append(body)
            continue
        scanners.append(
            _Scanner(
                source=body,
                compiled=regex(body, 0, "patterns"),
                bounded=bounded,
                anchors=_lookup_words(found),
                whole_words=found.whole_words,
                digit=digit,
                repeat=repeat,
            )
        )
    for (bounded, digit, repeat), bodies in unanchored.items():
        merged = "|".join(f"(?:{b})" for b in _unique_groups(bodies))
        scanners.append(
            _Scanner(
                source=merged,
                compiled=regex(merged, 0, "patterns"),
                bounded=bounded,
                anchors=None,
                whole_words=False,
                digit=digit,
                repeat=repeat,
            )
        )
    return _Compiled(
        name=name,
        description=spec.description,
        politeness=spec.politeness,
        case_sensitive=spec.case_sensitive,
        not_at_sentence_start=spec.not_at_sentence_start,
        words=single,
        anywhere=tuple(scanners),
        at_sentence_start=joined(spec.start, "start"),
        start_anchors=(
            _start_anchors(literal_anchors("|".join(f"(?:{p})" for p in spec.start), True))
            if spec.start and not spec.case_sensitive
            else None
        ),
        at_line_start=joined(spec.line_start, "line_start"),
        sentence_has=tuple(spec.sentence_has),
        sentence_lacks=tuple(spec.sentence_lacks),
    )


def _unique_groups(bodies: list[str]) -> list[str]:
    """Rename repeated named groups so that alternatives can share one regex."""
    seen: set[str] = set()
    out = []
    for body in bodies:
        for group in re.findall(r"\(\?P<(\w+)>", body):
            if group in seen:
                body = body.replace(f"(?P<{group}>", "(?:")
            seen.add(group)
        out.append(body)
    return out


def _lookup_words(found: Anchors) -> tuple[str, ...]:
    """For whole-word anchors, the one word of each to look up (its longest)."""
    if not found.whole_words:
        return found.strings
    return tuple(dict.fromkeys(max(s.split(), key=len) for s in found.strings))


def _start_anchors(found: Anchors | None) -> Anchors | None:
    return Anchors(_lookup_words(found), found.whole_words) if found else None


def _top_level_alternatives(pattern: str) -> list[str]:
    """Split ``a|b`` at the top level (not inside groups or character classes)."""
    parts: list[str] = []
    depth = 0
    in_class = False
    start = 0
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            parts.append(pattern[start:i])
            start = i + 1
        i += 1
    parts.append(pattern[start:])
    return parts


def load_features(path: Path, use_prefilter: bool = True) -> FeatureSet:
    data = load_yaml(path, error=DataFileError)
    if not isinstance(data, LineDict):
        raise DataFileError("expected a top-level 'features:' mapping", path)
    spec = validate_yaml(_FeaturesFile, data, path, DataFileError)
    return FeatureSet(spec.features, str(path), use_prefilter)


def data_dir() -> Path:
    return Path(str(resources.files("crossdeal.messages").joinpath("data")))


@kept("crossdeal.messages:data/features.yaml")
def default_features() -> FeatureSet:
    return load_features(data_dir() / "features.yaml")
