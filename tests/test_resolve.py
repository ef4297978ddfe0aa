"""What people type resolves to one culture, or to a clear error with close matches."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crossdeal.culture import CultureModel, normalize, resolve
from crossdeal.errors import AmbiguousCultureError, UnknownCultureError


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("India", "IND"),
        ("IN", "IND"),
        ("IND", "IND"),
        ("in", "IND"),
        ("  india ", "IND"),
        ("U.S.A.", "USA"),
        ("USA", "USA"),
        ("United States", "USA"),
        ("US", "USA"),
        ("United States of America", "USA"),
        ("us", "USA"),
        ("UK", "GBR"),
        ("Great Britain", "GBR"),
        ("United Kingdom", "GBR"),
        ("GB", "GBR"),
        ("South Korea", "KOR"),
        ("Korea, Republic of", "KOR"),
        ("KR", "KOR"),
        ("Korea South", "KOR"),
        ("Deutschland", "GER"),
        ("Germany", "GER"),
        ("DE", "GER"),
        ("DEU", "GER"),
        ("GER", "GER"),
        ("España", "SPA"),
        ("espana", "SPA"),
        ("Österreich", "AUT"),
        ("Brasil", "BRA"),
        ("Russian Federation", "RUS"),
        ("Viet Nam", "VIE"),
        ("Iran, Islamic Republic of", "IRA"),
        ("Taiwan, Province of China", "TAI"),
        ("Czechia", "CZE"),
        ("Türkiye", "TUR"),
        ("Holland", "NET"),
        ("The Netherlands", "NET"),
        ("Schweiz", "SWI"),
        ("Belgium French", "BEF"),
        ("Belgium (French)", "BEF"),
        ("Wallonia", "BEF"),
        ("Switzerland German", "SWG"),
        ("Quebec", "CAF"),
        ("Canada French", "CAF"),
        ("Arab countries", "ARA"),
        ("West Africa", "AFW"),
        ("Africa East", "AFE"),
        ("Belgium", "BEL"),
        ("Switzerland", "SWI"),
        ("Canada", "CAN"),
        ("El Salvador", "SAL"),
        ("Slovenia", "SLV"),
        ("SI", "SLV"),
        ("SV", "SAL"),
        ("MKD", "MAC"),
        ("North Macedonia", "MAC"),
    ],
)
def test_typed_names_resolve_to_one_culture(model: CultureModel, typed: str, code: str) -> None:
    assert resolve(model, typed).code == code


def test_a_code_that_means_two_cultures_is_not_guessed(model: CultureModel) -> None:
    # SLV is Hofstede's code for Slovenia and the ISO code of El Salvador.
    with pytest.raises(AmbiguousCultureError) as caught:
        resolve(model, "SLV")
    message = str(caught.value)
    assert "Slovenia" in message and "El Salvador" in message


@pytest.mark.parametrize(
    ("code", "row", "iso_country"),
    [
        ("BEN", "Belgium (Dutch-speaking)", "Benin"),
        ("CAF", "Canada (French-speaking)", "Central African Republic"),
        ("MAC", "North Macedonia", "Macao"),
        ("mng", "Montenegro", "Mongolia"),
    ],
)
def test_a_hofstede_code_that_is_another_countrys_iso_code_is_refused(
    model: CultureModel, code: str, row: str, iso_country: str
) -> None:
    with pytest.raises(AmbiguousCultureError) as caught:
        resolve(model, code)
    assert row in str(caught.value) and iso_country in str(caught.value)
    # the full names still work, each to its own meaning
    assert resolve(model, row).name == row
    with pytest.raises(UnknownCultureError, match=f"{iso_country} has no scores"):
        resolve(model, iso_country)


def test_every_code_clash_is_declared() -> None:
    """The data says which Hofstede codes are also another country's ISO code."""
    import pycountry

    from crossdeal.culture.model import default_model

    for culture in default_model().cultures:
        country = pycountry.countries.get(alpha_3=culture.code)
        clashes = country is not None and country.alpha_3 != (culture.iso3 or "")
        assert (culture.code_clash is not None) == clashes, culture.code
        if clashes:
            assert culture.code_clash == getattr(country, "common_name", country.name)


def test_a_real_country_is_not_pointed_to_the_row_that_shares_its_iso_code(
    model: CultureModel,
) -> None:
    with pytest.raises(UnknownCultureError) as caught:
        resolve(model, "Macao")
    assert not any("North Macedonia" in s for s in caught.value.suggestions)


@pytest.mark.parametrize(
    ("typed", "suggested"),
    [
        ("Indai", "India (IND)"),
        ("Germny", "Germany (GER)"),
        ("Untied States", "United States (USA)"),
        ("Japna", "Japan (JPN)"),
    ],
)
def test_typos_get_close_matches(model: CultureModel, typed: str, suggested: str) -> None:
    with pytest.raises(UnknownCultureError) as caught:
        resolve(model, typed)
    assert suggested in caught.value.suggestions
    assert repr(typed) in str(caught.value)


def test_a_country_without_a_row_points_to_its_region(model: CultureModel) -> None:
    with pytest.raises(UnknownCultureError) as caught:
        resolve(model, "Kenya")
    assert str(caught.value).startswith("Kenya has no scores")
    assert any("East Africa" in s for s in caught.value.suggestions)


def test_a_real_country_without_data_says_so(model: CultureModel) -> None:
    with pytest.raises(UnknownCultureError, match="Mongolia has no scores"):
        resolve(model, "Mongolia")


@pytest.mark.parametrize("typed", ["", "   ", "Atlantis", "xx", "12345"])
def test_nonsense_is_an_unknown_culture(model: CultureModel, typed: str) -> None:
    with pytest.raises(UnknownCultureError):
        resolve(model, typed)


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("U.S.A.", "usa"),
        ("Korea, Republic of", "korea republic of"),
        ("Österreich", "osterreich"),
        ("Trinidad & Tobago", "trinidad and tobago"),
        ("Belgium (French)", "belgium french"),
    ],
)
def test_normalize(raw: str, normal: str) -> None:
    assert normalize(raw) == normal


@given(st.sampled_from(["India", "Japan", "Brazil", "Germany", "United States"]), st.data())
def test_case_and_spacing_never_matter(model: CultureModel, name: str, data: st.DataObject) -> None:
    flips = data.draw(st.lists(st.booleans(), min_size=len(name), max_size=len(name)))
    typed = "".join(c.upper() if f else c.lower() for c, f in zip(name, flips, strict=True))
    assert resolve(model, f"  {typed} ").code == resolve(model, name).code


@given(st.text(max_size=30))
def test_any_text_resolves_or_raises_a_lookup_error(model: CultureModel, text: str) -> None:
    with contextlib.suppress(UnknownCultureError, AmbiguousCultureError):
        resolve(model, text)
