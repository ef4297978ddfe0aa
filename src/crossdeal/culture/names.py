"""A culture's name as it reads inside a sentence: "readers in the Netherlands"."""

from __future__ import annotations

import re

__all__ = ["in_prose"]

# English puts "the" before plural names and names of unions (states, republics,
# kingdoms, emirates, islands) and before a region named as a group of countries
_TAKES_THE = re.compile(
    r"^(?:United |Netherlands\b|Philippines\b|Bahamas\b|Maldives\b|Gambia\b|Arab countries\b)"
    r"|(?:Republic|Kingdom|Emirates|Islands)(?: \(.*\))?$"
)


def in_prose(name: str) -> str:
    """``name`` with "the" where English needs it inside a sentence (the United States,
    the Czech Republic); other names, and names that already start with it, unchanged."""
    if name.startswith("the ") or not _TAKES_THE.search(name):
        return name
    return "the " + name
