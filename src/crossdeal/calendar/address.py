"""How to address a person from a country: name order, which name takes the title,
titles, formality, and a greeting built from the person's own name."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from crossdeal.calendar.knowledge import CountryFacts

__all__ = [
    "JOB_TITLES",
    "TITLES_AFTER",
    "TITLE_WORDS",
    "NameParts",
    "greeting",
    "is_title",
    "leading_title",
    "split_name",
]

# Titles a writer may put before a name; they are kept, never taken for a name.
TITLE_WORDS = frozenset(
    """mr mr. mrs mrs. ms ms. miss dr dr. prof prof. professor sir madam herr frau
    monsieur madame mme m. señor senor señora senora sr sr. sra sra. don doña dona
    signor signora dott dott. ing ing. eng eng. engr engr. lic lic. pak bapak bu ibu
    khun sheikh shaikh encik puan dato dato' datin pan pani chief alhaji atty atty.
    hon hon. shri smt smt.""".split()
)


# Job titles that stand where a title does (Director Kim, General Manager Zhang).
JOB_TITLES = frozenset(
    """director manager president chairman chairwoman ceo cfo cto coo vp general chief
    engineer doctor professor minister secretary ambassador""".split()
)


@functools.cache
def _titles_of(titles: tuple[str, ...]) -> frozenset[str]:
    """A country's one-word titles in lower case, words and abbreviations alike
    ("Dottoressa (Dott.ssa)" gives both). A title of several words gives none of them:
    the Tan of Malaysia's "Tan Sri" is also a family name."""
    out = set()
    for title in titles:
        for part in re.split(r"[()]", title):
            words = part.split()
            if len(words) == 1:
                out.add(words[0].lower().rstrip("."))
    return frozenset(out)


@functools.cache
def _long_titles_of(titles: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    """A country's titles of several words, in lower case, longest first (Tan Sri)."""
    found = {
        tuple(w.lower() for w in part.split())
        for title in titles
        for part in re.split(r"[()]", title)
        if len(part.split()) > 1
    }
    return tuple(sorted(found, key=len, reverse=True))


def leading_title(words: list[str], facts: CountryFacts | None = None) -> int:
    """How many of the first ``words`` are titles (Mr., Dr. Prof., Tan Sri Dato')."""
    lowered = [w.lower().rstrip(",") for w in words]
    taken = 0
    long_titles = _long_titles_of(facts.address.titles) if facts is not None else ()
    while taken < len(words):
        rest = lowered[taken:]
        long = next((t for t in long_titles if tuple(rest[: len(t)]) == t), None)
        if long is not None:
            taken += len(long)
        elif is_title(words[taken], facts):
            taken += 1
        else:
            break
    return taken


def is_title(word: str, facts: CountryFacts | None = None) -> bool:
    """A title word, or titles joined by a slash (Mr./Ms., Pak/Bu): the common ones, job
    titles, and those of the country ``facts`` describes."""
    own = _titles_of(facts.address.titles) if facts is not None else frozenset()
    parts = [p.rstrip(".") for p in word.lower().strip("[]").split("/") if p]
    return bool(parts) and all(
        p in TITLE_WORDS or p + "." in TITLE_WORDS or p in JOB_TITLES or p in own for p in parts
    )


@dataclass(frozen=True)
class NameParts:
    full: str
    title: str | None
    given: str | None
    family: str | None
    how: str  # how the parts were told apart, for the evidence
    patronymic: str | None = None
    # which name takes the title for this person: the country's rule, unless the name
    # itself says otherwise (a Chinese name in Malaysia: Mr. Tan, not Encik Wei Ming)
    takes_title: str | None = None


_COMMON = 20
_CAPS = re.compile(r"^[A-ZÀ-Þ][A-ZÀ-Þ'-]+$")
# Words that start a family name (Mohammed Al Mansoori, Ludwig van Beethoven, Maria da
# Silva): the rest of the name from there on is the family name.
_FAMILY_PARTICLES = frozenset(
    "al el abu van von de da di dos das du del della der den la le ter ten".split()
)
# "son of" / "daughter of" (Ahmad bin Ismail, Siti binti Hassan, Kumar a/l Raju): the
# person's own name is what comes before; there is no family name.
_PATRONYMIC_PARTICLES = frozenset("bin binti bt bte ibn a/l a/p s/o d/o".split())
_PATRONYMIC = re.compile(r"(?:ovich|evich|ovna|evna|ichna|inichna|ich)$", re.I)
# titles written after the name: Mehmet Bey, Ayşe Hanım, Sharma ji
TITLES_AFTER = frozenset({"bey", "hanım", "hanim", "ji", "sahib", "san", "sama", "sensei"})


def split_name(name: str, facts: CountryFacts) -> NameParts:
    """Tell the given name from the family name, as the reader's country writes them.

    A name in capitals is the family name (SATO Kenji); a known family name of the
    country is one; particles mark a family name (Al Mansoori) or a patronymic (bin
    Ismail); otherwise the country's name order decides.
    """
    words = name.replace(",", " ").split()
    taken = leading_title(words, facts)
    title = " ".join(words[:taken]) or None
    words = words[taken:]
    if len(words) > 1 and words[-1].lower() in TITLES_AFTER:
        title = (title + " " if title else "") + words.pop()
    if not words:
        return NameParts(name.strip(), title, None, None, "only a title")
    address = facts.address
    full = name.strip()
    lowered = [w.lower() for w in words]
    for i, w in enumerate(lowered):
        if i and w in _PATRONYMIC_PARTICLES:
            return NameParts(
                full, title, " ".join(words[:i]), None, "a patronymic", " ".join(words[i:])
            )
    if (
        address.addressed_by == "given-and-patronymic"
        and len(words) >= 2
        and _PATRONYMIC.search(words[1])
    ):
        family = " ".join(words[2:]) or None
        return NameParts(full, title, words[0], family, "a patronymic", words[1])
    known = {n.lower() for n in address.family_names}
    if len(words) == 1:
        word = words[0]
        # alone, only a very common family name is taken for one (Wei is also a given name)
        common = {n.lower() for n in address.family_names[:_COMMON]}
        if word.lower() in common or _CAPS.match(word):
            return NameParts(full, title, None, word.title(), "a known family name")
        return NameParts(full, title, word, None, "one name")
    caps = [i for i, w in enumerate(words) if _CAPS.match(w)]
    if len(caps) == 1:
        i = caps[0]
        rest = [w for j, w in enumerate(words) if j != i]
        return NameParts(full, title, " ".join(rest), words[i].title(), "the name in capitals")
    if known:
        rank = {n.lower(): i for i, n in enumerate(address.family_names)}
        first, last = rank.get(lowered[0]), rank.get(lowered[-1])
        if first is not None and last is not None:
            # both could be family names (Wei Zhang): the more common one is
            if last < first:
                first = None
            else:
                last = None
        if first is not None and (
            address.name_order != "given-first" or address.known_family_takes_title
        ):
            return _parts(
                full,
                title,
                words[1:],
                words[0],
                facts,
                "a known family name, written first",
                takes_title="family" if address.known_family_takes_title else None,
            )
        if last is not None:
            return _parts(
                full,
                title,
                words[:-1],
                words[-1],
                facts,
                "a known family name, written last",
                takes_title="family" if address.known_family_takes_title else None,
            )
    if address.name_order == "family-first":
        return _parts(full, title, words[1:], words[0], facts, "the country's order (family first)")
    for i, w in enumerate(lowered):
        if i and w in _FAMILY_PARTICLES:
            return _parts(
                full, title, words[:i], " ".join(words[i:]), facts, "a family-name particle"
            )
    if address.family_name_parts == 2 and len(words) >= 3:
        given = {n.lower() for n in address.given_names}
        if lowered[1] in given:  # Juan Carlos Pérez (García): two given names
            return _parts(full, title, words[:2], words[2], facts, "two given names")
        return _parts(full, title, words[:1], words[1], facts, "the first of two family names")
    return _parts(full, title, words[:-1], words[-1], facts, "the name order (given first)")


def _parts(
    full: str,
    title: str | None,
    given: list[str],
    family: str,
    facts: CountryFacts,
    how: str,
    takes_title: str | None = None,
) -> NameParts:
    # Vietnamese people are called by the last word of their given names (Van Minh -> Minh)
    if facts.address.addressed_by == "given" and facts.address.name_order == "family-first":
        given = given[-1:]
    return NameParts(full, title, " ".join(given) or None, family, how, takes_title=takes_title)


def greeting(facts: CountryFacts, person: NameParts | None) -> str:
    """The opening line for this country, filled with the person's name where known.
    A title the writer must choose (Mr./Ms.) is shown in brackets: [Mr./Ms.] Zhang."""
    address = facts.address
    title = person.title if person and person.title else address.default_title
    if not (person and person.title) and "/" in title:
        title = f"[{title}]"
    if person is not None and person.takes_title == "family" and person.family:
        if not person.title:
            title = "[Mr./Ms.]"
        return f"Dear {title} {person.family},"
    values = {
        "title": title,
        "family": (person.family if person else None) or "[family name]",
        "given": (person.given if person else None) or "[given name]",
        "full": person.full if person else "[name]",
    }
    if person is not None and address.addressed_by == "given" and not person.given:
        values["given"] = person.family or values["given"]
    elif person is not None and person.given and address.addressed_by == "given":
        # the first given name takes the title (Sr. João, not Sr. João Pedro Santos)
        values["given"] = person.given.split()[0]
    if person is not None and address.addressed_by != "given" and not person.family:
        values["family"] = "[family name]"
    text = address.salutation
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return " ".join(text.split())
