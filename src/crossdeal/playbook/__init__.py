"""The playbook: advice rules as data, and the engine that turns a pair into a briefing.

Plain Python on plain data: nothing here prints, touches a network or a database.
"""

from crossdeal.playbook.briefing import (
    BRIEFING_SCHEMA,
    Briefing,
    ChannelAdvice,
    CycleEstimate,
    Evidence,
    NotEvaluated,
    Risk,
)
from crossdeal.playbook.engine import Finding, Playbook
from crossdeal.playbook.expressions import Condition, ExpressionError, compile_condition
from crossdeal.playbook.rules import SEVERITIES, Rule, Severity, Theme, load_rules, themes

__all__ = [
    "BRIEFING_SCHEMA",
    "SEVERITIES",
    "Briefing",
    "ChannelAdvice",
    "Condition",
    "CycleEstimate",
    "Evidence",
    "ExpressionError",
    "Finding",
    "NotEvaluated",
    "Playbook",
    "Risk",
    "Rule",
    "Severity",
    "Theme",
    "compile_condition",
    "load_rules",
    "themes",
]
