"""Shared fixtures. Hypothesis runs derandomized, so a failure replays exactly."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import settings

import crossdeal
from crossdeal.culture import CultureModel

settings.register_profile("crossdeal", derandomize=True, deadline=None, max_examples=200)
settings.load_profile("crossdeal")

DATA = Path(__file__).parent / "data"
WWMETRICS = DATA / "kogut_singh"


def pytest_report_header() -> str:
    return "hypothesis: derandomized (profile 'crossdeal'); failures replay with the same examples"


@pytest.fixture(autouse=True)
def crossdeal_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Every test gets its own crossdeal home, so no test reads or writes the user's."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("CROSSDEAL_HOME", str(home))
    return home


@pytest.fixture(scope="session")
def model() -> CultureModel:
    return crossdeal.default_model()


@pytest.fixture(scope="session")
def wwmetrics_model() -> CultureModel:
    return crossdeal.load_culture_model(WWMETRICS / "wwmetrics_Hofstede_input.yaml")
