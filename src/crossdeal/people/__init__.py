"""People and the seller's own profile: stored locally, turned into estimates on demand.

The estimate itself (country prior + evidence) is domain logic in
:mod:`crossdeal.culture.individual`; this package only stores and loads.
"""

from crossdeal.people.store import PersonRecord, ProfileStore, SelfProfile, StoreError, home

__all__ = ["PersonRecord", "ProfileStore", "SelfProfile", "StoreError", "home"]
