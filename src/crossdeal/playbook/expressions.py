"""The small condition language of playbook rules.

A condition reads like the sentence an expert would write::

    buyer.pdi >= 60 and gap.idv <= -25
    buyer.uai is high and not (seller.uai is high)
    40 <= buyer.lto < 60 or distance.kogut_singh > 1.5

Names:
    seller.<dim>, buyer.<dim>   a side's score on a dimension of the culture model
    gap.<dim>                   buyer minus seller (the seller -> buyer direction)
    distance.kogut_singh        Kogut-Singh index over the dimensions both sides have
    distance.euclidean          Euclidean distance in score points
Operators: ``and or not``, comparisons (chains allowed), ``+ - * /``, ``abs() min()
max()``, ``<side>.<dim> is [not] low|medium|high`` using the dimension's levels, and
``<side>.<dim> is [not] known``: whether the side has a score there at all (never
unknown itself), so that a rule can hold "unless we know otherwise".

A score that is missing makes its comparison *unknown*. Logic is three-valued
(Kleene): ``False and unknown`` is False, ``True or unknown`` is True; a rule fires
only when its condition is True, and a condition left unknown is reported, not
silently treated as False.

Parsing never calls ``eval``: a condition is parsed once into a small syntax tree
(:data:`Node`), which compiles to closures; specialising a condition compiles the same
tree again with some names fixed.
"""

from __future__ import annotations

import operator
import pickle
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

__all__ = [
    "And",
    "Arith",
    "Call",
    "Compare",
    "Condition",
    "Constant",
    "ExpressionError",
    "LevelTest",
    "Name",
    "Node",
    "Not",
    "Or",
    "Variable",
    "compile_condition",
]

Value = float | bool | None
# Scores under "buyer.pdi", levels under "buyer.pdi:level" ("low", "medium", "high").
Context = Mapping[str, float | str | None]
Evaluator = Callable[[Context], Value]

SIDES = ("seller", "buyer", "gap")
DISTANCES = ("kogut_singh", "euclidean")
LEVELS = ("low", "medium", "high")
KNOWN = "known"
FUNCTIONS = ("abs", "min", "max")
# bounds on what one condition may ask of the parser
MAX_DEPTH = 50
MAX_LENGTH = 10_000

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<number>\d+(?:\.\d+)?|\.\d+)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?)
  | (?P<op><=|>=|==|!=|<|>|\+|-|\*|/|\(|\)|,)
    """,
    re.VERBOSE,
)

_COMPARE: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}
_ARITH: dict[str, Callable[[float, float], float]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
}


class ExpressionError(ValueError):
    """A condition does not parse; ``position`` is the 0-based character offset."""

    def __init__(self, message: str, text: str, position: int) -> None:
        pointer = f"{text}\n{' ' * position}^"
        super().__init__(f"{message} at character {position + 1}:\n{pointer}")
        self.reason = message
        self.text = text
        self.position = position


@dataclass(frozen=True, slots=True)
class Variable:
    """A name used in a condition, e.g. ``buyer.pdi`` (side ``buyer``, dimension ``pdi``)."""

    side: str
    name: str

    @property
    def qualified(self) -> str:
        return f"{self.side}.{self.name}"


# --- the syntax tree -------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Constant:
    """A number, ``true`` or ``false``."""

    value: float | bool


@dataclass(frozen=True, slots=True)
class Name:
    """A name read from the context, e.g. ``buyer.pdi``."""

    name: str


@dataclass(frozen=True, slots=True)
class LevelTest:
    """``<side>.<dim> is [not] <level>``: reads the level under ``key`` (``buyer.pdi:level``);
    with the level ``known``, whether there is a score under ``key`` (``buyer.pdi``)."""

    key: str
    level: str
    negated: bool


@dataclass(frozen=True, slots=True)
class Not:
    inner: Node


@dataclass(frozen=True, slots=True)
class And:
    parts: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    parts: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Compare:
    """A comparison, possibly chained: ``operands[0] ops[0] operands[1] ops[1] ...``."""

    operands: tuple[Node, ...]
    ops: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Arith:
    left: Node
    op: str
    right: Node


@dataclass(frozen=True, slots=True)
class Call:
    """``abs(x)``, ``min(x, y, ...)`` or ``max(x, y, ...)``."""

    function: str
    args: tuple[Node, ...]


Node = Constant | Name | LevelTest | Not | And | Or | Compare | Arith | Call


@dataclass(frozen=True, slots=True)
class Condition:
    """A compiled condition: call ``evaluate(context)`` for True, False or None (unknown)."""

    text: str
    evaluate: Evaluator
    variables: tuple[Variable, ...]
    tree: Node
    specialized: bool = False

    def __reduce__(self) -> tuple[object, ...]:
        """Pickled as its tree: the evaluator is closures, compiled again on loading."""
        if self.specialized:  # its folded names are not kept: it would load unfolded
            raise pickle.PicklingError("a specialized condition cannot be pickled")
        return (_from_tree, (self.text, self.variables, self.tree))

    @property
    def dimensions(self) -> tuple[str, ...]:
        """Dimension keys the condition reads, in order of first use."""
        seen: dict[str, None] = {}
        for v in self.variables:
            if v.side in SIDES:
                seen.setdefault(v.name, None)
        return tuple(seen)

    def specialize(self, known: Mapping[str, float | str | None]) -> Condition:
        """The same condition with the names in ``known`` fixed to their values.

        What no longer depends on the rest of the context is worked out once: for the
        signals of deals between one pair of cultures, ``buyer.idv <= 50 and
        deal.face_time == 0`` becomes ``deal.face_time == 0`` (or False, for an
        individualist buyer). The result gives the same answer as this condition on
        any context that agrees with ``known``.
        """
        return Condition(self.text, _compile(self.tree, known), self.variables, self.tree, True)

    @property
    def constant(self) -> Value | str:
        """The condition's value when it reads nothing any more, else ``"varies"``."""
        if isinstance(self.evaluate, _Constant):
            return self.evaluate.value
        return "varies"


def compile_condition(text: str | bool, extra_sides: tuple[str, ...] = ()) -> Condition:
    """Parse ``text`` into a :class:`Condition`; raise :class:`ExpressionError` if it is malformed.

    ``is low|medium|high`` reads the level the caller put in the context, so one
    compiled condition serves any culture model with its own level thresholds.
    ``extra_sides`` admits further names (``text.hedge``, ``politeness.score``) for
    conditions on messages; the caller checks that they exist.
    """
    if isinstance(text, bool):
        return Condition(str(text).lower(), _Constant(text), (), Constant(text))
    parser = _Parser(str(text), extra_sides)
    tree = parser.parse()
    return Condition(str(text), _compile(tree, {}), tuple(parser.variables), tree)


def _from_tree(text: str, variables: tuple[Variable, ...], tree: Node) -> Condition:
    return Condition(text, _compile(tree, {}), variables, tree)


def _tokens(text: str) -> list[tuple[str, str, int]]:
    """(kind, text, offset) of each token."""
    tokens = []
    offset = 0
    while offset < len(text):
        match = _TOKEN.match(text, offset)
        if match is None:
            raise ExpressionError(f"unexpected character {text[offset]!r}", text, offset)
        kind = match.lastgroup or ""
        if kind != "space":
            tokens.append((kind, match.group(), offset))
        offset = match.end()
    if not tokens:
        raise ExpressionError("empty condition", text, 0)
    return tokens


class _Parser:
    def __init__(self, text: str, extra_sides: tuple[str, ...] = ()) -> None:
        self.text = text
        self.extra_sides = extra_sides
        self.pos = 0
        self.depth = 0
        self.variables: list[Variable] = []
        if len(text) > MAX_LENGTH:
            raise ExpressionError(f"the condition is longer than {MAX_LENGTH} characters", text, 0)
        self.tokens = _tokens(text)

    # -- token helpers ------------------------------------------------------------
    def peek(self) -> tuple[str, str, int] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def at(self, *values: str) -> bool:
        token = self.peek()
        return token is not None and token[1] in values

    def take(self) -> tuple[str, str, int]:
        token = self.peek()
        if token is None:
            raise ExpressionError("the condition ends too early", self.text, len(self.text))
        self.pos += 1
        return token

    def expect(self, value: str) -> None:
        token = self.peek()
        if token is None or token[1] != value:
            where = token[2] if token else len(self.text)
            found = repr(token[1]) if token else "the end"
            raise ExpressionError(f"expected {value!r}, found {found}", self.text, where)
        self.pos += 1

    # -- grammar ------------------------------------------------------------------
    def parse(self) -> Node:
        result = self.or_expr()
        token = self.peek()
        if token is not None:
            raise ExpressionError(f"unexpected {token[1]!r}", self.text, token[2])
        return result

    def or_expr(self) -> Node:
        parts = [self.and_expr()]
        while self.at("or"):
            self.take()
            parts.append(self.and_expr())
        return parts[0] if len(parts) == 1 else Or(tuple(parts))

    def and_expr(self) -> Node:
        parts = [self.not_expr()]
        while self.at("and"):
            self.take()
            parts.append(self.not_expr())
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def not_expr(self) -> Node:
        if self.at("not"):
            where = self.take()[2]
            self.enter(where)
            try:
                return Not(self.not_expr())
            finally:
                self.depth -= 1
        return self.comparison()

    def enter(self, where: int) -> None:
        """One level deeper; a condition nested past MAX_DEPTH is refused, not recursed."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExpressionError(
                f"the condition is nested more than {MAX_DEPTH} levels deep", self.text, where
            )

    def comparison(self) -> Node:
        start, first = self.peek(), self.pos
        left = self.sum()
        if self.at("is"):
            return self.level_test(start if self.pos == first + 1 else None)
        operands = [left]
        ops: list[str] = []
        while self.at(*_COMPARE):
            ops.append(self.take()[1])
            operands.append(self.sum())
        if not ops:
            return left
        return Compare(tuple(operands), tuple(ops))

    def level_test(self, start: tuple[str, str, int] | None) -> Node:
        is_token = self.take()
        if start is None or start[0] != "name" or "." not in start[1]:
            raise ExpressionError(
                "'is' needs a score on its left, like buyer.pdi", self.text, is_token[2]
            )
        side = start[1].split(".", 1)[0]
        if side not in ("seller", "buyer"):
            raise ExpressionError(
                "levels apply to seller.<dim> or buyer.<dim>", self.text, start[2]
            )
        negated = False
        if self.at("not"):
            self.take()
            negated = True
        token = self.take()
        if token[1] == KNOWN:
            return LevelTest(start[1], KNOWN, negated)
        if token[1] not in LEVELS:
            raise ExpressionError(
                f"expected one of {', '.join(LEVELS)} or {KNOWN}", self.text, token[2]
            )
        return LevelTest(f"{start[1]}:level", token[1], negated)

    def sum(self) -> Node:
        left = self.term()
        while self.at("+", "-"):
            left = Arith(left, self.take()[1], self.term())
        return left

    def term(self) -> Node:
        left = self.unary()
        while self.at("*", "/"):
            left = Arith(left, self.take()[1], self.unary())
        return left

    def unary(self) -> Node:
        if self.at("-"):
            where = self.take()[2]
            self.enter(where)
            try:
                operand = self.unary()
            finally:
                self.depth -= 1
            if isinstance(operand, Constant) and not isinstance(operand.value, bool):
                return Constant(-operand.value)  # "-50" is a number, not 0 - 50
            return Arith(Constant(0.0), "-", operand)
        return self.atom()

    def atom(self) -> Node:
        kind, value, where = self.take()
        if kind == "number":
            return Constant(float(value))
        if value == "(":
            self.enter(where)
            try:
                inner = self.or_expr()
            finally:
                self.depth -= 1
            self.expect(")")
            return inner
        if kind == "name":
            if value in ("true", "false"):
                return Constant(value == "true")
            if value in FUNCTIONS:
                return self.call(value, where)
            if "." in value:
                return self.variable(value, where)
            if value in ("and", "or", "not", "is", KNOWN, *LEVELS):
                raise ExpressionError(f"unexpected {value!r}", self.text, where)
            raise ExpressionError(
                f"unknown name {value!r}: "
                "use seller.<dim>, buyer.<dim>, gap.<dim> or distance.<kind>",
                self.text,
                where,
            )
        raise ExpressionError(f"unexpected {value!r}", self.text, where)

    def variable(self, name: str, where: int) -> Node:
        side, key = name.split(".", 1)
        if side in self.extra_sides:
            pass
        elif side == "distance":
            if key not in DISTANCES:
                raise ExpressionError(
                    f"unknown distance {key!r} (known: {', '.join(DISTANCES)})", self.text, where
                )
        elif side not in SIDES:
            known = ", ".join((*SIDES, "distance", *self.extra_sides))
            raise ExpressionError(f"unknown side {side!r} (use {known})", self.text, where)
        self.variables.append(Variable(side, key))
        return Name(name)

    def call(self, name: str, where: int) -> Node:
        self.expect("(")
        args = [self.sum()]
        while self.at(","):
            self.take()
            args.append(self.sum())
        self.expect(")")
        if name == "abs" and len(args) != 1:
            raise ExpressionError("abs() takes one value", self.text, where)
        if name != "abs" and len(args) < 2:
            raise ExpressionError(f"{name}() takes two or more values", self.text, where)
        return Call(name, tuple(args))


# --- compiling the tree to closures ------------------------------------------------------
def _compile(node: Node, known: Mapping[str, float | str | None]) -> Evaluator:
    """Closures for ``node``; names in ``known`` are constants, folded where they decide."""
    if isinstance(node, Constant):
        return _Constant(node.value)
    if isinstance(node, Name):
        if node.name in known:
            fixed = known[node.name]
            return _Constant(fixed if not isinstance(fixed, str) else None)
        return _Lookup(node.name)
    if isinstance(node, LevelTest):
        return _level_test(node, known)
    if isinstance(node, Not):
        inner = _compile(node.inner, known)

        def negate(ctx: Context) -> Value:
            value = inner(ctx)
            return None if value is None else not value

        return _fold(negate, inner)
    if isinstance(node, And):
        return _all_of(tuple(_compile(p, known) for p in node.parts))
    if isinstance(node, Or):
        return _any_of(tuple(_compile(p, known) for p in node.parts))
    if isinstance(node, Compare):
        return _chain(
            tuple(_compile(o, known) for o in node.operands),
            tuple(_COMPARE[op] for op in node.ops),
        )
    if isinstance(node, Arith):
        return _arith(_compile(node.left, known), _ARITH[node.op], _compile(node.right, known))
    return _call(node.function, tuple(_compile(a, known) for a in node.args))


def _level_test(node: LevelTest, known: Mapping[str, float | str | None]) -> Evaluator:
    key, wanted, negated = node.key, node.level, node.negated

    def test(ctx: Context) -> Value:
        level = ctx.get(key)
        if wanted == KNOWN:
            return (level is not None) != negated
        if level is None:
            return None
        return (level == wanted) != negated

    if key in known:
        return _Constant(test(known))
    return test


def _call(name: str, operands: tuple[Evaluator, ...]) -> Evaluator:
    if name == "abs":
        (arg,) = operands

        def absolute(ctx: Context) -> Value:
            value = arg(ctx)
            return None if value is None else abs(value)

        return _fold(absolute, arg)
    pick = min if name == "min" else max

    def extreme(ctx: Context) -> Value:
        values = [a(ctx) for a in operands]
        if any(v is None for v in values):
            return None
        return pick(values)  # type: ignore[type-var]

    return _fold(extreme, *operands)


class _Lookup:
    """Reads one name from the context (a class, so comparisons can see the name)."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __call__(self, ctx: Context) -> Value:
        return ctx.get(self.name)  # type: ignore[return-value]


class _Constant:
    """A number in a condition, or a part whose value is already known."""

    __slots__ = ("value",)

    def __init__(self, value: Value) -> None:
        self.value = value

    def __call__(self, ctx: Context) -> Value:
        return self.value


def _fold(evaluator: Evaluator, *operands: Evaluator) -> Evaluator:
    """A constant in place of ``evaluator`` when all it reads are constants."""
    if all(isinstance(o, _Constant) for o in operands):
        return _Constant(evaluator({}))
    return evaluator


def _arith(left: Evaluator, op: Callable[[float, float], float], right: Evaluator) -> Evaluator:
    def apply(ctx: Context) -> Value:
        a, b = left(ctx), right(ctx)
        if a is None or b is None:
            return None
        if op is operator.truediv and b == 0:
            return None
        return op(a, b)

    return _fold(apply, left, right)


def _chain(
    operands: tuple[Evaluator, ...], ops: tuple[Callable[[float, float], bool], ...]
) -> Evaluator:
    if any(isinstance(o, _Constant) and o.value is None for o in operands):
        return _Constant(None)  # an unknown score makes the whole comparison unknown
    if len(ops) == 1:
        (left, right), (op,) = operands, ops
        # The common shape `buyer.idv <= 50` gets one call instead of three: signal
        # conditions run once per open deal, on pipelines of a hundred thousand deals.
        if isinstance(left, _Lookup) and isinstance(right, _Constant):
            name, number = left.name, right.value

            def compare_to_constant(ctx: Context) -> Value:
                a = ctx.get(name)
                if a is None:
                    return None
                return op(a, number)  # type: ignore[arg-type]

            return compare_to_constant

        def compare(ctx: Context) -> Value:
            a, b = left(ctx), right(ctx)
            if a is None or b is None:
                return None
            return op(a, b)

        return _fold(compare, left, right)

    def chained(ctx: Context) -> Value:
        values = [o(ctx) for o in operands]
        if any(v is None for v in values):
            return None
        return all(op(values[i], values[i + 1]) for i, op in enumerate(ops))  # type: ignore[arg-type]

    return _fold(chained, *operands)


def _all_of(parts: tuple[Evaluator, ...]) -> Evaluator:
    if any(isinstance(p, _Constant) and p.value is False for p in parts):
        return _Constant(False)
    # a part known to be True decides nothing; a part known to be unknown still counts
    parts = tuple(p for p in parts if not (isinstance(p, _Constant) and p.value is True))
    if not parts:
        return _Constant(True)
    if len(parts) == 1 and not isinstance(parts[0], _Constant):
        return _truth(parts[0])

    def all_true(ctx: Context) -> Value:
        unknown = False
        for part in parts:
            value = part(ctx)
            if value is None:
                unknown = True
            elif not value:
                return False
        return None if unknown else True

    return _fold(all_true, *parts)


def _any_of(parts: tuple[Evaluator, ...]) -> Evaluator:
    if any(isinstance(p, _Constant) and p.value is True for p in parts):
        return _Constant(True)
    parts = tuple(p for p in parts if not (isinstance(p, _Constant) and p.value is False))
    if not parts:
        return _Constant(False)
    if len(parts) == 1 and not isinstance(parts[0], _Constant):
        return _truth(parts[0])

    def any_true(ctx: Context) -> Value:
        unknown = False
        for part in parts:
            value = part(ctx)
            if value is None:
                unknown = True
            elif value:
                return True
        return None if unknown else False

    return _fold(any_true, *parts)


# closures that already answer True, False or None
_TRUTH_VALUED = frozenset(
    ("compare_to_constant", "compare", "chained", "negate", "test", "all_true", "any_true", "truth")
)


def _truth(part: Evaluator) -> Evaluator:
    """``part`` as the one operand left of ``and``/``or``: its value as True, False or None."""
    if getattr(part, "__name__", "") in _TRUTH_VALUED:
        return part

    def truth(ctx: Context) -> Value:
        value = part(ctx)
        return None if value is None else bool(value)

    return truth
