"""A dask cluster changes where the forecast's bulk work runs, never its result: scored on
a local cluster of two worker processes, the deals, the quarter intervals and the gap are
exactly the in-process ones (seeded)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta

import numpy as np
import pytest
from typer.testing import CliRunner

from crossdeal.cli import app
from crossdeal.errors import InputError
from crossdeal.forecast import simulate
from crossdeal.forecast.engines import DaskEngine, InProcess, engine_named, score
from crossdeal.forecast.gap import OpenDeal, revenue_gap
from crossdeal.forecast.model import CultureForecast
from tests.test_forecast import TODAY, _records


@pytest.fixture(scope="module")
def cluster() -> Iterator[DaskEngine]:
    with DaskEngine(workers=2) as engine:
        yield engine


def test_scoring_on_the_cluster_is_scoring_here(cluster: DaskEngine) -> None:
    history = _records(900, seed=12, as_of=TODAY)
    model = CultureForecast().fit(history, TODAY)
    open_deals = [d for d in history if d.outcome == "open"]
    days = [TODAY + timedelta(days=90), TODAY + timedelta(days=180)]
    here = score(model, open_deals, TODAY, days, InProcess(), chunk=60)
    there = score(model, open_deals, TODAY, days, cluster, chunk=60)
    assert len(open_deals) > 120  # several chunks
    assert there == here
    assert here == model.predict(open_deals, TODAY, explain=False, checkpoints=days)


def test_the_simulation_on_the_cluster_is_the_simulation_here(
    cluster: DaskEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(simulate, "DEALS_PER_CHUNK", 250)
    rng = np.random.default_rng(5)
    chances = rng.dirichlet(np.ones(5), size=1100)[:, :4]  # four quarters and "no win"
    amounts = rng.integers(10, 400, size=1100) * 1000.0
    here = simulate.simulated_totals(chances, amounts, draws=800, seed=9)
    there = simulate.simulated_totals(chances, amounts, draws=800, seed=9, engine=cluster)
    assert np.array_equal(here, there)
    # and the totals are what the chances say, on average
    assert here.mean(axis=0) == pytest.approx(chances.T @ amounts, rel=0.05)


def test_the_gap_on_the_cluster_is_the_gap_here(
    cluster: DaskEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(simulate, "DEALS_PER_CHUNK", 100)
    deals = [
        OpenDeal("JPN" if i % 3 else "USA", 1000.0 * (i % 40 + 1), 0.3, 0.5) for i in range(500)
    ]
    here = revenue_gap(2_000_000, "2027Q2", deals, [], ["JPN", "USA"], 200, 0, seed=4)
    there = revenue_gap(
        2_000_000, "2027Q2", deals, [], ["JPN", "USA"], 200, 0, seed=4, engine=cluster
    )
    assert there == here


def test_an_unknown_engine_or_an_absent_scheduler_is_named() -> None:
    with pytest.raises(InputError, match="use local or dask"):
        engine_named("spark")
    # a port nothing listens on, on this machine only
    with (
        pytest.raises(InputError, match="no dask scheduler answers"),
        DaskEngine(address="tcp://127.0.0.1:9"),
    ):
        pass


def test_the_forecast_command_on_the_cluster(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("CROSSDEAL_HOME", str(tmp_path))
    monkeypatch.delenv("CROSSDEAL_DASK_SCHEDULER", raising=False)
    runner = CliRunner()
    assert runner.invoke(app, ["demo"]).exit_code == 0
    reports = []
    for engine in ("local", "dask"):
        result = runner.invoke(
            app, ["--team", "demo", "forecast", "--engine", engine, "--format", "json"]
        )
        assert result.exit_code == 0, result.output
        reports.append(json.loads(result.output))
    local, dask = reports
    assert dask["deals"] == local["deals"] and dask["by_quarter"] == local["by_quarter"]
