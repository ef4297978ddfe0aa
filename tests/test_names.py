"""A culture's name inside a sentence."""

from __future__ import annotations

import pytest

from crossdeal.culture.names import in_prose


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Netherlands", "the Netherlands"),
        ("United States", "the United States"),
        ("United Arab Emirates", "the United Arab Emirates"),
        ("Czech Republic", "the Czech Republic"),
        ("Philippines", "the Philippines"),
        ("Arab countries (region)", "the Arab countries (region)"),
        ("Germany", "Germany"),
        ("Great Britain", "Great Britain"),
        ("Saudi Arabia", "Saudi Arabia"),
        ("the Gambia", "the Gambia"),
    ],
)
def test_names_take_the_where_english_does(name: str, expected: str) -> None:
    assert in_prose(name) == expected
