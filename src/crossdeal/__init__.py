"""crossdeal: close B2B deals across national cultures.

    >>> import crossdeal
    >>> b = crossdeal.brief(seller="US", buyer="IN")
    >>> b.risks[0].theme
    'unqualified-yes'

The public API is exactly what ``__all__`` lists; everything else is internal.
"""

from crossdeal._api import brief, compare, countries, lint_message, profile, read_reply
from crossdeal.culture import Culture, CultureModel, Dimension, default_model, load_culture_model
from crossdeal.culture.reports import Comparison, CultureList, CultureProfile
from crossdeal.errors import (
    AmbiguousCultureError,
    CrossdealError,
    CultureLookupError,
    CultureModelError,
    DataFileError,
    InputError,
    RuleFileError,
    UnknownCultureError,
)
from crossdeal.forecast import CyclePrior
from crossdeal.messages.reports import LintReport, MessageFinding, ReplyReport
from crossdeal.playbook import Briefing, Playbook, Risk

__version__ = "0.1.0"

__all__ = [
    "AmbiguousCultureError",
    "Briefing",
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
    "Playbook",
    "ReplyReport",
    "Risk",
    "RuleFileError",
    "UnknownCultureError",
    "__version__",
    "brief",
    "compare",
    "countries",
    "default_model",
    "lint_message",
    "load_culture_model",
    "profile",
    "read_reply",
]
