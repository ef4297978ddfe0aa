"""Forecasts that know cross-cultural deals close slower.

Plain Python on plain data: nothing here prints, touches a network or a database.
"""

from crossdeal.forecast.prior import CyclePrior, default_cycle_prior

__all__ = ["CyclePrior", "default_cycle_prior"]
