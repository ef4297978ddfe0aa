"""How far a condition is past its threshold, in units of the data's uncertainty.

A rule either fires or not; this says how clearly. For a comparison ``a >= b`` the
margin is ``(a - b) / u``, where ``u`` is the uncertainty of ``a - b`` (each score's
own uncertainty, combined in quadrature for a gap or a sum). ``and`` takes the smallest
margin of its parts, ``or`` the largest, ``not`` the opposite: the margin of a whole
condition is the margin of the comparison that decides it. A margin below 1 means one
unit of uncertainty in the data could change the outcome: the advice is borderline.

Unknown values are left out (they did not decide the outcome); a comparison between
constants is decided with certainty (margin +-inf). Scores that only take whole steps
(practice levels: 0, 25, ..., 100) are measured from the midpoint between the steps
either side of a threshold: ``gap >= 50`` on levels holds from 37.5.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

from crossdeal.playbook.expressions import (
    KNOWN,
    And,
    Arith,
    Call,
    Compare,
    Constant,
    LevelTest,
    Name,
    Node,
    Not,
    Or,
)

__all__ = ["MarginFn", "compile_margin", "condition_margin"]

Values = Mapping[str, float | str | None]
Uncertainty = Callable[[str], float]  # a context name -> its uncertainty
Thresholds = Callable[[str], tuple[float, float] | None]  # "buyer.pdi" -> (low_below, high_from)
Step = Callable[[str], float]  # a context name -> the step of its lattice (0: continuous)

_CERTAIN = math.inf


def condition_margin(
    node: Node,
    values: Values,
    uncertainty: Uncertainty,
    thresholds: Thresholds,
    step: Step = lambda name: 0.0,
) -> float | None:
    """The margin of a boolean condition (positive: true), or None if nothing known decides it."""
    if isinstance(node, Constant):
        return _CERTAIN if node.value else -_CERTAIN
    if isinstance(node, Not):
        inner = condition_margin(node.inner, values, uncertainty, thresholds, step)
        return None if inner is None else -inner
    if isinstance(node, And | Or):
        parts = [condition_margin(p, values, uncertainty, thresholds, step) for p in node.parts]
        known = [m for m in parts if m is not None]
        if not known:
            return None
        return min(known) if isinstance(node, And) else max(known)
    if isinstance(node, Compare):
        margins = []
        for left, op, right in zip(node.operands, node.ops, node.operands[1:], strict=False):
            m = _compare(left, op, right, values, uncertainty, step)
            if m is not None:
                margins.append(m)
        return min(margins) if margins else None
    if isinstance(node, LevelTest):
        return _level(node, values, uncertainty, thresholds)
    return None


_FLIP = {">": "<", ">=": "<=", "<": ">", "<=": ">="}


def _compare(
    left: Node,
    op: str,
    right: Node,
    values: Values,
    uncertainty: Uncertainty,
    step: Step,
) -> float | None:
    a, ua = _value(left, values, uncertainty)
    b, ub = _value(right, values, uncertainty)
    if a is None or b is None:
        return None
    u = math.hypot(ua, ub)
    if op in ("==", "!="):
        equal = a == b
        return _CERTAIN if equal == (op == "==") else -_CERTAIN
    # a score on a lattice (practice levels: steps of 25) compared with a constant is
    # decided at the midpoint between the two lattice points either side of it
    lattice = _lattice(right, step) if isinstance(left, Constant) else _lattice(left, step)
    if lattice and isinstance(left, Constant) != isinstance(right, Constant):
        if isinstance(left, Constant):
            a, b, op = b, a, _FLIP[op]
        b = _midpoint(b, op, lattice)
    diff = a - b if op in (">", ">=") else b - a
    if u == 0:
        return _CERTAIN if diff > 0 or (diff == 0 and op in (">=", "<=")) else -_CERTAIN
    return diff / u


def _lattice(node: Node, step: Step) -> float:
    """The lattice step of a plain name (0: continuous)."""
    return step(node.name) if isinstance(node, Name) else 0.0


def _midpoint(threshold: float, op: str, lattice: float) -> float:
    """The effective threshold of ``x op threshold`` for x on multiples of ``lattice``."""
    ratio = threshold / lattice
    if op == ">=":  # smallest admitted point is ceil(ratio)
        return (math.ceil(ratio) - 0.5) * lattice
    if op == ">":
        return (math.floor(ratio) + 0.5) * lattice
    if op == "<=":
        return (math.floor(ratio) + 0.5) * lattice
    return (math.ceil(ratio) - 0.5) * lattice  # "<"


def _level(
    node: LevelTest, values: Values, uncertainty: Uncertainty, thresholds: Thresholds
) -> float | None:
    if node.level == KNOWN:  # whether a score exists is never in doubt
        present = values.get(node.key) is not None
        return _CERTAIN if present != node.negated else -_CERTAIN
    name = node.key.removesuffix(":level")
    value = values.get(name)
    bounds = thresholds(name)
    if not isinstance(value, int | float) or bounds is None:
        return None
    low_below, high_from = bounds
    u = uncertainty(name) or 1e-9
    if node.level == "high":
        m = (value - high_from) / u
    elif node.level == "low":
        m = (low_below - value) / u
    else:
        m = min((value - low_below) / u, (high_from - value) / u)
    return -m if node.negated else m


def _value(node: Node, values: Values, uncertainty: Uncertainty) -> tuple[float | None, float]:
    """A numeric sub-expression's value and its uncertainty."""
    if isinstance(node, Constant):
        return (None if isinstance(node.value, bool) else float(node.value)), 0.0
    if isinstance(node, Name):
        value = values.get(node.name)
        if not isinstance(value, int | float) or isinstance(value, bool):
            return None, 0.0
        return float(value), uncertainty(node.name)
    if isinstance(node, Arith):
        a, ua = _value(node.left, values, uncertainty)
        b, ub = _value(node.right, values, uncertainty)
        if a is None or b is None:
            return None, 0.0
        if node.op == "+":
            return a + b, math.hypot(ua, ub)
        if node.op == "-":
            return a - b, math.hypot(ua, ub)
        if node.op == "*":
            return a * b, math.hypot(ua * abs(b), ub * abs(a))
        if b == 0:
            return None, 0.0
        return a / b, math.hypot(ua / abs(b), ub * abs(a) / (b * b))
    if isinstance(node, Call):
        args = [_value(arg, values, uncertainty) for arg in node.args]
        if any(v is None for v, _ in args):
            return None, 0.0
        if node.function == "abs":
            return abs(args[0][0]), args[0][1]  # type: ignore[arg-type]
        pick = min if node.function == "min" else max
        value, u = pick(args, key=lambda vu: vu[0])  # type: ignore[arg-type,return-value]
        return value, u
    return None, 0.0


MarginFn = Callable[[Values, Uncertainty, Thresholds, Step], "float | None"]


def compile_margin(node: Node) -> MarginFn:
    """The same as :func:`condition_margin` on ``node``, compiled once into closures.

    The common shape - a score compared with a constant - becomes one small function;
    anything else falls back to walking the tree.
    """
    if isinstance(node, And | Or):
        parts = tuple(compile_margin(p) for p in node.parts)
        pick = min if isinstance(node, And) else max

        def combine(v: Values, u: Uncertainty, t: Thresholds, s: Step) -> float | None:
            known = [m for part in parts if (m := part(v, u, t, s)) is not None]
            return pick(known) if known else None

        return combine
    if isinstance(node, Not):
        inner = compile_margin(node.inner)

        def negate(v: Values, u: Uncertainty, t: Thresholds, s: Step) -> float | None:
            m = inner(v, u, t, s)
            return None if m is None else -m

        return negate
    if (
        isinstance(node, Compare)
        and len(node.ops) == 1
        and node.ops[0] in _FLIP
        and isinstance(node.operands[1], Constant)
        and isinstance(node.operands[0], Name)
        and not isinstance(node.operands[1].value, bool)
    ):
        return _compiled_comparison(
            node.operands[0].name, node.ops[0], float(node.operands[1].value)
        )

    def walk(v: Values, u: Uncertainty, t: Thresholds, s: Step) -> float | None:
        return condition_margin(node, v, u, t, s)

    return walk


def _compiled_comparison(name: str, op: str, constant: float) -> MarginFn:
    upward = op in (">", ">=")
    thresholds: dict[float, float] = {}

    def compare(v: Values, u: Uncertainty, t: Thresholds, s: Step) -> float | None:
        a = v.get(name)
        if not isinstance(a, int | float) or isinstance(a, bool):
            return None
        lattice = s(name)
        if lattice:
            b = thresholds.get(lattice)
            if b is None:
                b = thresholds[lattice] = _midpoint(constant, op, lattice)
        else:
            b = constant
        diff = a - b if upward else b - a
        unc = u(name)
        if unc == 0:
            return _CERTAIN if diff > 0 or (diff == 0 and op in (">=", "<=")) else -_CERTAIN
        return diff / unc

    return compare
