"""crossdeal: close B2B deals across national cultures.

    >>> import crossdeal
    >>> b = crossdeal.brief(seller="US", buyer="IN")
    >>> b.risks[0].theme
    'unqualified-yes'

The public API is exactly what ``__all__`` lists; everything else is internal. Names
load on first use, so a command pays only for the parts it needs.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

__version__ = "0.1.0"

_WHERE = {
    "brief": "crossdeal._api",
    "business_calendar": "crossdeal._api",
    "CalendarReport": "crossdeal.calendar.reports",
    "PairCalendar": "crossdeal.calendar.reports",
    "CalendarFileError": "crossdeal.errors",
    "compare": "crossdeal._api",
    "countries": "crossdeal._api",
    "profile": "crossdeal._api",
    "lint_message": "crossdeal._api",
    "read_reply": "crossdeal._api",
    "me": "crossdeal._api",
    "person": "crossdeal._api",
    "add_person": "crossdeal._api",
    "assess": "crossdeal._api",
    "Culture": "crossdeal.culture.model",
    "CultureModel": "crossdeal.culture.model",
    "Dimension": "crossdeal.culture.model",
    "default_model": "crossdeal.culture.model",
    "load_culture_model": "crossdeal.culture.model",
    "Comparison": "crossdeal.culture.reports",
    "CultureList": "crossdeal.culture.reports",
    "CultureProfile": "crossdeal.culture.reports",
    "PersonEstimate": "crossdeal.culture.individual",
    "CyclePrior": "crossdeal.forecast.prior",
    "Briefing": "crossdeal.playbook.briefing",
    "Risk": "crossdeal.playbook.briefing",
    "Playbook": "crossdeal.playbook.engine",
    "LintReport": "crossdeal.messages.reports",
    "MessageFinding": "crossdeal.messages.reports",
    "ReplyReport": "crossdeal.messages.reports",
    "AmbiguousCultureError": "crossdeal.errors",
    "CrossdealError": "crossdeal.errors",
    "CultureLookupError": "crossdeal.errors",
    "CultureModelError": "crossdeal.errors",
    "DataFileError": "crossdeal.errors",
    "InputError": "crossdeal.errors",
    "RuleFileError": "crossdeal.errors",
    "UnknownCultureError": "crossdeal.errors",
}

__all__ = [
    "AmbiguousCultureError",
    "Briefing",
    "CalendarFileError",
    "CalendarReport",
    "Comparison",
    "CrossdealError",
    "Culture",
    "CultureList",
    "CultureLookupError",
    "CultureModel",
    "CultureModelError",
    "CultureProfile",
    "CyclePrior",
    "DataFileError",
    "Dimension",
    "InputError",
    "LintReport",
    "MessageFinding",
    "PairCalendar",
    "PersonEstimate",
    "Playbook",
    "ReplyReport",
    "Risk",
    "RuleFileError",
    "UnknownCultureError",
    "__version__",
    "add_person",
    "assess",
    "brief",
    "business_calendar",
    "compare",
    "countries",
    "default_model",
    "lint_message",
    "load_culture_model",
    "me",
    "person",
    "profile",
    "read_reply",
]


def __getattr__(name: str) -> object:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'crossdeal' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return __all__


if TYPE_CHECKING:  # for type checkers and editors: the same names, imported eagerly
    from crossdeal._api import (
        add_person,
        assess,
        brief,
        business_calendar,
        compare,
        countries,
        lint_message,
        me,
        person,
        profile,
        read_reply,
    )
    from crossdeal.calendar.reports import CalendarReport, PairCalendar
    from crossdeal.culture.individual import PersonEstimate
    from crossdeal.culture.model import (
        Culture,
        CultureModel,
        Dimension,
        default_model,
        load_culture_model,
    )
    from crossdeal.culture.reports import Comparison, CultureList, CultureProfile
    from crossdeal.errors import (
        AmbiguousCultureError,
        CalendarFileError,
        CrossdealError,
        CultureLookupError,
        CultureModelError,
        DataFileError,
        InputError,
        RuleFileError,
        UnknownCultureError,
    )
    from crossdeal.forecast.prior import CyclePrior
    from crossdeal.messages.reports import LintReport, MessageFinding, ReplyReport
    from crossdeal.playbook.briefing import Briefing, Risk
    from crossdeal.playbook.engine import Playbook
