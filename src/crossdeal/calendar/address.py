"""How to address a person from a country: name order, which name takes the title,
titles, formality, and a greeting built from the person's own name."""

from __future__ import annotations

import re
from dataclasses import dataclass

from crossdeal.calendar.knowledge import CountryFacts

__all__ = ["TITLE_WORDS", "NameParts", "greeting", "is_title", "split_name"]

# Titles a writer may put before a name; they are kept, never taken for a name.
TITLE_WORDS = frozenset(
    """mr mr. mrs mrs. ms ms. miss dr dr. prof prof. professor sir madam herr frau
    monsieur madame mme m. señor senor señora senora sr sr. sra sra. don doña dona
    signor signora dott dott. ing ing. eng eng. engr engr. lic lic. pak bapak bu ibu
    khun sheikh shaikh encik puan dato dato' datin pan pani chief alhaji atty atty.
    hon hon. shri smt smt.""".split()
)


def is_title(word: str) -> bool:
    """A title word, or titles joined by a slash (Mr./Ms., Pak/Bu)."""
    parts = [p for p in word.lower().split("/") if p]
    return bool(parts) and all(p in TITLE_WORDS or p.rstrip(".") in TITLE_WORDS for p in parts)


@dataclass(frozen=True)
class NameParts:
    full: str
    title: str | None
    given: str | None
    family: str | None
    how: str  # how the parts were told apart, for the evidence


_COMMON = 20
_CAPS = re.compile(r"^[A-ZÀ-Þ][A-ZÀ-Þ'-]+$")


def split_name(name: str, facts: CountryFacts) -> NameParts:
    """Tell the given name from the family name, as the reader's country writes them.

    A name in capitals is the family name (SATO Kenji); a known family name of the
    country is one; otherwise the country's name order decides.
    """
    words = name.replace(",", " ").split()
    title = None
    while words and is_title(words[0]):
        title = (title + " " if title else "") + words.pop(0)
    if not words:
        return NameParts(name.strip(), title, None, None, "only a title")
    address = facts.address
    known = {n.lower() for n in address.family_names}
    if len(words) == 1:
        word = words[0]
        # alone, only a very common family name is taken for one (Wei is also a given name)
        common = {n.lower() for n in address.family_names[:_COMMON]}
        if word.lower() in common or _CAPS.match(word):
            return NameParts(name.strip(), title, None, word.title(), "a known family name")
        return NameParts(name.strip(), title, word, None, "one name")
    caps = [i for i, w in enumerate(words) if _CAPS.match(w)]
    if len(caps) == 1:
        i = caps[0]
        rest = [w for j, w in enumerate(words) if j != i]
        return NameParts(
            name.strip(), title, " ".join(rest), words[i].title(), "the name in capitals"
        )
    if known:
        rank = {n.lower(): i for i, n in enumerate(address.family_names)}
        first, last = rank.get(words[0].lower()), rank.get(words[-1].lower())
        if first is not None and last is not None:
            # both could be family names (Wei Zhang): the more common one is
            if last < first:
                first = None
            else:
                last = None
        if first is not None and address.name_order != "given-first":
            return _parts(
                name,
                title,
                given=words[1:],
                family=words[0],
                facts=facts,
                how="a known family name, written first",
            )
        if last is not None:
            return _parts(
                name,
                title,
                given=words[:-1],
                family=words[-1],
                facts=facts,
                how="a known family name, written last",
            )
    if address.name_order == "family-first":
        return _parts(name, title, words[1:], words[0], facts, "the country's order (family first)")
    if address.family_name_parts == 2 and len(words) >= 3:
        return _parts(name, title, words[:-2], words[-2], facts, "the first of two family names")
    return _parts(name, title, words[:-1], words[-1], facts, "the name order (given first)")


def _parts(
    name: str, title: str | None, given: list[str], family: str, facts: CountryFacts, how: str
) -> NameParts:
    # Vietnamese people are called by the last word of their given names (Van Minh -> Minh)
    if facts.address.addressed_by == "given" and facts.address.name_order == "family-first":
        given = given[-1:]
    return NameParts(name.strip(), title, " ".join(given) or None, family, how)


def greeting(facts: CountryFacts, person: NameParts | None) -> str:
    """The opening line for this country, filled with the person's name where known."""
    address = facts.address
    title = person.title if person and person.title else address.default_title
    values = {
        "title": title,
        "family": (person.family if person else None) or "[family name]",
        "given": (person.given if person else None) or "[given name]",
        "full": person.full if person else "[name]",
    }
    if person is not None and address.addressed_by == "given" and not person.given:
        values["given"] = person.family or values["given"]
    if person is not None and address.addressed_by != "given" and not person.family:
        values["family"] = "[family name]"
    text = address.salutation
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return " ".join(text.split())
