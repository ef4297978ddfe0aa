"""The practical layer: holidays, periods, weekends, office hours, fiscal years and
forms of address per country, as data and from well-kept libraries (holidays, CLDR via
babel, the Umm al-Qura calendar via hijridate, the IANA time zones).

- ``knowledge``: the data files (countries, periods), validated on load (``schema``);
- ``days``: what a day is in a country (holiday, weekend, period), free days around it;
- ``address``: name order, titles and the greeting for a person;
- ``reports``: the versioned outputs (a calendar, the practical part of a briefing).
"""
