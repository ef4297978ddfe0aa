"""The public surface is exactly what crossdeal.__all__ lists; a change here is deliberate."""

from __future__ import annotations

import crossdeal

EXPECTED = [
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


def test_exported_members_are_pinned() -> None:
    assert sorted(crossdeal.__all__) == sorted(EXPECTED)
    for name in crossdeal.__all__:
        assert hasattr(crossdeal, name), name


def test_every_error_is_a_crossdeal_error() -> None:
    for name in crossdeal.__all__:
        obj = getattr(crossdeal, name)
        if isinstance(obj, type) and issubclass(obj, Exception):
            assert issubclass(obj, crossdeal.CrossdealError), name


def test_library_functions_return_the_typed_objects_the_cli_prints() -> None:
    assert isinstance(crossdeal.brief(seller="US", buyer="IN"), crossdeal.Briefing)
    assert isinstance(crossdeal.compare("US", "IN"), crossdeal.Comparison)
    assert isinstance(crossdeal.profile("India"), crossdeal.CultureProfile)
    assert isinstance(crossdeal.countries(), crossdeal.CultureList)
    assert isinstance(crossdeal.lint_message("Can you ship by May?", to="JP"), crossdeal.LintReport)
    assert isinstance(crossdeal.read_reply("Sure.", sender="IN"), crossdeal.ReplyReport)
