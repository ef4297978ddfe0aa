"""Where bulk scoring and the Monte Carlo run: in this process, or on a dask cluster.

Both are pure functions of a fitted model and the deals, cut into chunks: each chunk is
scored (or simulated, with a seed of its own drawn from the caller's) on its own, and
the results are put together in chunk order. So an engine changes where the work runs,
never its result: the in-process engine and a cluster give the same numbers, exactly.

``DaskEngine`` connects to the scheduler named by ``CROSSDEAL_DASK_SCHEDULER`` (or the
``address`` given), else starts a local cluster of worker processes for the duration of
the ``with`` block. dask is imported only here, only when a dask engine is made.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from datetime import date
from types import TracebackType
from typing import Any, Protocol, TypeVar

from crossdeal.errors import InputError
from crossdeal.forecast.model import CultureForecast, DealForecast, DealRecord

__all__ = ["DaskEngine", "Engine", "InProcess", "engine_named", "score"]

T = TypeVar("T")
R = TypeVar("R")
SCORE_CHUNK = 20_000  # deals scored per task


class Engine(Protocol):
    """What scoring and simulation need of an engine: run a function over chunks."""

    def map(self, function: Callable[[T], R], items: Sequence[T]) -> list[R]: ...


class InProcess:
    """Every chunk in this process, one after the other."""

    name = "local"

    def map(self, function: Callable[[T], R], items: Sequence[T]) -> list[R]:
        return [function(item) for item in items]

    def __enter__(self) -> InProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


class DaskEngine:
    """The chunks as tasks of a dask.distributed cluster."""

    name = "dask"

    def __init__(self, address: str | None = None, workers: int = 2) -> None:
        self.address = address or os.environ.get("CROSSDEAL_DASK_SCHEDULER") or None
        self.workers = workers
        self._client: Any = None
        self._cluster: Any = None

    def __enter__(self) -> DaskEngine:
        try:
            import distributed
        except ImportError:
            raise InputError(
                "--engine dask needs dask.distributed: pip install 'crossdeal[scale]'"
            ) from None
        dask: Any = distributed  # untyped: its calls are checked by the tests
        if self.address:
            try:
                self._client = dask.Client(self.address, timeout="10s")
            except OSError as error:
                raise InputError(f"no dask scheduler answers at {self.address}: {error}") from None
        else:
            self._cluster = dask.LocalCluster(
                n_workers=self.workers,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address="127.0.0.1:0",  # loopback only, any free port
            )
            self._client = dask.Client(self._cluster)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._client is not None:
            self._client.close()
        if self._cluster is not None:
            self._cluster.close()

    def map(self, function: Callable[[T], R], items: Sequence[T]) -> list[R]:
        if self._client is None:
            raise RuntimeError("use the dask engine in a `with` block")
        futures = self._client.map(function, list(items), pure=False)
        return list(self._client.gather(futures))


def engine_named(name: str) -> InProcess | DaskEngine:
    """``local`` or ``dask``, as the command line names them."""
    if name == "local":
        return InProcess()
    if name == "dask":
        return DaskEngine()
    raise InputError(f"--engine {name!r}: use local or dask")


def _score_chunk(
    task: tuple[CultureForecast, Sequence[DealRecord], date, tuple[date, ...]],
) -> list[DealForecast]:
    model, deals, as_of, checkpoints = task
    return model.predict(deals, as_of, explain=False, checkpoints=checkpoints)


def score(
    model: CultureForecast,
    deals: Sequence[DealRecord],
    as_of: date,
    checkpoints: Sequence[date] = (),
    engine: Engine | None = None,
    chunk: int = SCORE_CHUNK,
) -> list[DealForecast]:
    """Every deal's forecast (without the factors), chunk by chunk on ``engine``."""
    tasks = [
        (model, deals[start : start + chunk], as_of, tuple(checkpoints))
        for start in range(0, len(deals), chunk)
    ]
    results = (engine or InProcess()).map(_score_chunk, tasks)
    return [forecast for part in results for forecast in part]
