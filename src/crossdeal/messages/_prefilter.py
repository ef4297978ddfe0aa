"""Which of many patterns can match a text, decided in one pass over it.

Python's ``re`` runs one pattern at a time, so a text checked for a hundred patterns
is read a hundred times, mostly to find nothing. RE2's ``Set`` runs them all at once
in one automaton and says which matched. Each pattern is translated into RE2 syntax
so that it matches *at least* wherever the Python pattern matches: lookarounds,
anchors and word boundaries are dropped, classes are kept or widened, never narrowed.
The prefilter may therefore keep a pattern that then finds nothing, but never drops
one that would have matched; Python's ``re`` still finds every match and its span.

The automaton reads bytes, one per character: ASCII stays itself and every other
character becomes one stand-in byte (0x80), which every class that holds any
non-ASCII character (a "\\s", a "\\d", an emoji range, a negated class) accepts. A
small alphabet keeps the automaton small enough to stay in the processor's cache.

A pattern that cannot be translated (a back-reference, an inline case flag) is always
kept. Without the ``google-re2`` package, or when RE2 fails on a text, every pattern is
kept and the caller falls back to its own, slower gating.
"""

from __future__ import annotations

import re
import re._constants as C  # the regex compiler's own opcode names
import re._parser as sre
from collections.abc import Hashable, Sequence
from typing import Any, Generic, TypeVar

try:  # an accelerator: everything works without it, only slower
    import re2 as _re2
except ImportError:  # pragma: no cover - exercised when the wheel is not installed
    _re2 = None

__all__ = ["Prefilter", "available", "to_re2"]

Key = TypeVar("Key", bound=Hashable)

# RE2 counts repetitions up to 1000; beyond that a bound is dropped (a wider pattern).
_MAX_COUNT = 1000
# Room for the automaton of ~250 patterns over a 20,000-character message.
_MAX_MEM = 64 << 20
_REPEATS = (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT)
_OTHER = 0x80  # the byte every non-ASCII character is read as
_NON_ASCII = re.compile("[^\x00-\x7f]")
_OTHER_CHAR = chr(_OTHER)
# What Python's \d, \s and \w accept among ASCII characters, plus the stand-in byte.
_CATEGORIES = {
    C.CATEGORY_DIGIT: "0-9\\x{80}",
    C.CATEGORY_SPACE: "\\x{9}-\\x{d}\\x{1c}-\\x{20}\\x{80}",
    C.CATEGORY_WORD: "0-9A-Za-z_\\x{80}",
}
_ANY = r"(?s:.)"


def available() -> bool:
    """Whether RE2 is installed, so that a :class:`Prefilter` can narrow anything."""
    return _re2 is not None


class _Untranslatable(Exception):
    pass


def to_re2(pattern: str) -> str | None:
    """An RE2 pattern that matches wherever ``pattern`` (Python syntax) matches, and
    perhaps elsewhere; None when there is no such translation short of "anything"."""
    try:
        parsed = sre.parse(pattern)
    except re.error:
        return None
    if parsed.state.flags & ~(re.UNICODE | re.ASCII | re.MULTILINE | re.VERBOSE | re.DOTALL):
        return None  # IGNORECASE or LOCALE: RE2 folds case differently
    try:
        return _sequence(list(parsed), bool(parsed.state.flags & re.DOTALL))
    except _Untranslatable:
        return None


def _char(code: int) -> str:
    if code >= _OTHER:
        return "\\x{80}"
    return chr(code) if chr(code).isalnum() else f"\\x{{{code:x}}}"


def _sequence(items: list[tuple[Any, Any]], dotall: bool) -> str:
    return "".join(_item(op, av, dotall) for op, av in items)


def _item(op: Any, av: Any, dotall: bool) -> str:
    if op is C.LITERAL:
        return _char(av)
    if op is C.NOT_LITERAL:
        return f"[^{_char(av)}]" if av < _OTHER else _ANY
    if op is C.ANY:
        return _ANY if dotall else "."
    if op is C.IN:
        return _class(av)
    if op in (C.AT, C.ASSERT, C.ASSERT_NOT):
        return ""  # a position test: without it the pattern matches more
    if op is C.BRANCH:
        return "(?:" + "|".join(_sequence(list(b), dotall) for b in av[1]) + ")"
    if op is C.SUBPATTERN:
        _group, add_flags, del_flags, inner = av
        if (add_flags | del_flags) & (re.IGNORECASE | re.LOCALE):
            raise _Untranslatable
        inner_dotall = (dotall or bool(add_flags & re.DOTALL)) and not del_flags & re.DOTALL
        return "(?:" + _sequence(list(inner), inner_dotall) + ")"
    if op is C.ATOMIC_GROUP:
        return "(?:" + _sequence(list(av), dotall) + ")"  # atomic matches a subset
    if op in _REPEATS:
        low, high, inner = av
        if low > _MAX_COUNT:
            raise _Untranslatable
        body = "(?:" + _sequence(list(inner), dotall) + ")"
        if high is C.MAXREPEAT or high > _MAX_COUNT:
            return f"{body}{{{low},}}"
        return f"{body}{{{low},{high}}}"
    raise _Untranslatable  # back-references, conditionals


def _class(items: list[tuple[Any, Any]]) -> str:
    negated = bool(items) and items[0][0] is C.NEGATE
    parts: list[str] = []
    for op, av in items[1:] if negated else items:
        if op is C.LITERAL:
            if not (negated and av >= _OTHER):  # [^é] still accepts other non-ASCII
                parts.append(_char(av))
        elif op is C.RANGE:
            low, high = av
            if low < _OTHER:
                parts.append(f"{_char(low)}-{_char(min(high, _OTHER - 1))}")
            if high >= _OTHER and not negated:
                parts.append(_char(_OTHER))
        elif op is C.CATEGORY and av in _CATEGORIES and not negated:
            parts.append(_CATEGORIES[av])
        else:
            # \D, \S, \W, or a category inside [^...]: the only safe superset is any
            # character.
            return _ANY
    if not parts:
        return _ANY if negated else r"\b\B"  # [^é]: anything; an empty class: nothing
    return ("[^" if negated else "[") + "".join(parts) + "]"


def _bytes(text: str) -> bytes:
    """The text as the automaton reads it: one byte per character."""
    if not text.isascii():
        text = _NON_ASCII.sub(_OTHER_CHAR, text)
    return text.encode("latin-1")


def _new_set() -> Any:
    options = _re2.Options()
    options.encoding = _re2.Options.Encoding.LATIN1
    options.max_mem = _MAX_MEM
    options.log_errors = False
    return _re2.Set.SearchSet(options)


class Prefilter(Generic[Key]):
    """Patterns (Python syntax) under keys; :meth:`candidates` says which keys' patterns
    can match a text. Keys whose pattern has no translation are always candidates."""

    def __init__(self, patterns: Sequence[tuple[Key, str]]) -> None:
        self._always: frozenset[Key] = frozenset()
        self._keys: list[Key] = []
        self._translated: list[str] = []  # what the automaton holds, to build it again
        self._set: Any = None
        self._failed = _re2 is None
        if _re2 is None or not patterns:
            return
        matcher = _new_set()
        always: set[Key] = set()
        for key, pattern in patterns:
            translated = to_re2(pattern)
            if translated is None:
                always.add(key)
                continue
            try:
                matcher.Add(translated)
            except _re2.error:
                always.add(key)
                continue
            self._keys.append(key)
            self._translated.append(translated)
        self._always = frozenset(always)
        self._compile(matcher)

    def _compile(self, matcher: Any) -> None:
        # Matches every non-empty text: when it is missing, RE2 failed on the text.
        self._sentinel = len(self._keys)
        matcher.Add(_ANY)
        try:
            matcher.Compile()
        except _re2.error:
            self._failed = True
            self._always = frozenset()
            return
        self._set = matcher

    def __getstate__(self) -> dict[str, Any]:
        # the automaton cannot be pickled: it is built again from the translations (an
        # automaton of no translation still holds its sentinel: the always-keys count)
        return {**self.__dict__, "_set": None, "_built": self._set is not None}

    def __setstate__(self, state: dict[str, Any]) -> None:
        built = state.pop("_built", False)
        self.__dict__.update(state)
        if not built:
            return
        if _re2 is None:  # RE2 gone since: every pattern may match
            self._failed = True
            return
        matcher = _new_set()
        for translated in self._translated:
            matcher.Add(translated)
        self._compile(matcher)

    def candidates(self, text: str) -> frozenset[Key] | None:
        """The keys whose pattern may match ``text``; None when every key may."""
        if self._set is None:
            return None if self._failed else frozenset()  # no patterns: nothing matches
        if not text:
            return None  # some pattern may match the empty text; re decides at once
        found = self._set.Match(_bytes(text))
        if not found or self._sentinel not in found:
            return None
        keys = self._keys
        sentinel = self._sentinel
        return self._always.union([keys[i] for i in found if i != sentinel])
