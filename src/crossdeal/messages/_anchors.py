"""Literal anchors of a regular expression: strings one of which every match contains.

Used to skip scanning a text for a pattern when none of its anchors occurs in it: a
set lookup or a substring test is far cheaper than running Python's regex engine.
The analysis is conservative: when in doubt it returns None ("always scan").
"""

from __future__ import annotations

import re
import re._constants as C  # the regex compiler's own opcode names
import re._parser as sre
from typing import Any, NamedTuple

_MAX_SET = 48  # beyond this many alternatives an anchor set is not worth checking
_REPEATS = (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT)
_WORD = re.compile(r"[a-z0-9']+")


class Anchors(NamedTuple):
    """``strings``: one of them occurs in every match. ``whole_words``: each of them is
    made of whole words of the text wherever it occurs in a match, so looking up one
    of its words in the set of the text's words is enough."""

    strings: tuple[str, ...]
    whole_words: bool


def anchors(pattern: str, starts_at_word: bool = False) -> Anchors | None:
    """Anchors of ``pattern``; ``starts_at_word``: every match begins at a word start."""
    try:
        parsed = sre.parse(pattern)
    except re.error:
        return None
    found = _required(list(parsed), starts_at_word)
    if found is None:
        return None
    strings, whole = found
    if not strings or "" in strings or min(len(s) for s in strings) < 2:
        return None
    if whole:
        return Anchors(tuple(sorted(strings, key=lambda s: (len(s), s))), True)
    # as substrings, "mar" already covers "march": keep anchors that contain no other
    minimal = {s for s in strings if not any(t != s and t in s for t in strings)}
    return Anchors(tuple(sorted(minimal, key=lambda s: (len(s), s))), False)


def _literal_set(items: list[tuple[Any, Any]]) -> set[str] | None:
    """The finite set of strings this sequence matches exactly, if it is one."""
    out = {""}
    for op, av in items:
        if op is C.LITERAL:
            out = {s + chr(av) for s in out}
        elif op is C.AT:
            continue
        elif op is C.SUBPATTERN:
            inner = _literal_set(list(av[3]))
            if inner is None:
                return None
            out = {a + b for a in out for b in inner}
        elif op is C.BRANCH:
            union: set[str] = set()
            for branch in av[1]:
                part = _literal_set(list(branch))
                if part is None:
                    return None
                union |= part
            out = {a + b for a in out for b in union}
        elif op in _REPEATS and av[0] == 0 and av[1] == 1:
            inner = _literal_set(list(av[2]))
            if inner is None:
                return None
            out = {a + b for a in out for b in inner | {""}}
        else:
            return None
        if len(out) > _MAX_SET:
            return None
    return out


Found = tuple[set[str], bool]


# Words so common in business email that anchoring on them saves nothing.
_COMMON = frozenset(
    "a an and are as at be by can could do for from have i if in is it me my no not of on "
    "or our please so that the this to us we will with would you your".split()
)


def _key(found: Found) -> tuple[bool, bool, int, int]:
    strings, whole = found
    rare = not any(max(s.split(), key=len) in _COMMON for s in strings)
    return (rare, whole, min(len(s) for s in strings), -len(strings))


def _better(a: Found | None, b: Found | None) -> Found | None:
    """Prefer anchors without very common words, then whole words (a set lookup),
    then longer, then fewer."""
    if b is None or not b[0] or "" in b[0] or min(len(s) for s in b[0]) < 2:
        return a
    if a is None or not a[0] or "" in a[0] or min(len(s) for s in a[0]) < 2:
        return b
    return b if _key(b) > _key(a) else a


def _is_space_or_boundary(op: Any, av: Any) -> bool:
    """Ops after which the next character begins a word (whitespace, \\b, a space)."""
    if op is C.AT and av is C.AT_BOUNDARY:
        return True
    if op is C.LITERAL and chr(av) in " \t\n":
        return True
    if op in _REPEATS and av[0] >= 1:
        return all(_is_space_or_boundary(o, a) for o, a in av[2])
    return op is C.IN and av == [(C.CATEGORY, C.CATEGORY_SPACE)]


def _required(items: list[tuple[Any, Any]], at_word: bool) -> Found | None:
    """The best anchor set for a sequence: one of its strings is in every match."""
    best: Found | None = None
    run: set[str] = {""}
    run_at_word = at_word
    for op, av in items:
        exact: set[str] | None = None
        if op is C.LITERAL:
            exact = {chr(av)}
        elif op is C.AT:
            if av is C.AT_BOUNDARY:
                if run != {""}:  # a word boundary ends the run at a word end
                    whole = run_at_word and all(_WORD.fullmatch(x.replace(" ", "")) for x in run)
                    best = _better(best, (run, whole))
                    run = {""}
                run_at_word = True
            continue
        elif op in (C.SUBPATTERN, C.BRANCH) or (op in _REPEATS and av[:2] == (0, 1)):
            exact = _literal_set([(op, av)])
        if exact is not None and "" not in exact and not (run == {""} and exact <= {" "}):
            run = {a + b for a in run for b in exact}
            if len(run) > _MAX_SET:
                best = _better(best, (run, False))
                run = {""}
                run_at_word = False
            continue
        # the literal run ends here; its words are whole if it began at a word start
        # and ends at a space or word boundary
        ends_at_word = _is_space_or_boundary(op, av) or (op is C.LITERAL and not chr(av).isalnum())
        whole = (
            run_at_word and ends_at_word and all(_WORD.fullmatch(x.replace(" ", "")) for x in run)
        )
        best = _better(best, (run, whole))
        run = {""}
        if op is C.SUBPATTERN:
            best = _better(best, _required(list(av[3]), False))
        elif op is C.BRANCH:
            parts = [_required(list(branch), False) for branch in av[1]]
            if all(p is not None and p[0] for p in parts):
                union = set().union(*(p[0] for p in parts if p))
                if len(union) <= _MAX_SET:
                    best = _better(best, (union, False))
        elif op in _REPEATS and av[0] >= 1:
            best = _better(best, _required(list(av[2]), False))
        run_at_word = _is_space_or_boundary(op, av)
    return _better(best, (run, False))
