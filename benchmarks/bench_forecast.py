"""How fast is the forecast? Fit on about 10,000 closed deals, score 100,000 open ones;
and, with --cli, `crossdeal forecast` on a 100,000-deal demo with its kept model.

    python benchmarks/bench_forecast.py [--closed 10000] [--open 100000] [--cli]

Baseline measured in the same run, on the same deals: the naive-Bayes frequency table of
the backtest (Odoo's method), fitted on the closed deals and scoring the open ones. The
deals are the demo generator's (seeded); the open deals are its open deals, repeated with
new numbers until there are enough. Prints seconds and the ratios.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from crossdeal.culture.layers import briefing_model  # noqa: E402
from crossdeal.forecast.backtest import _NaiveBayes  # noqa: E402
from crossdeal.forecast.features import deal_features  # noqa: E402
from crossdeal.forecast.model import CultureForecast, DealRecord  # noqa: E402
from crossdeal.forecast.prior import default_cycle_prior  # noqa: E402
from crossdeal.pipeline.demo import generate  # noqa: E402

TODAY = date(2026, 12, 1)


def records(closed_wanted: int) -> list[DealRecord]:
    model = briefing_model()
    # about seven in ten demo deals have closed by its "today"
    pipeline = generate(seed=3, deals=int(closed_wanted / 0.7), today=TODAY, model=model)
    owners = dict(pipeline.sellers)
    cultures = {name: culture for name, culture, _ in pipeline.accounts}
    prior = default_cycle_prior()
    out = []
    for i, d in enumerate(pipeline.deals):
        seller, buyer = model.get(owners[d.owner]), model.get(cultures[d.account])
        deciders = {c.name for c in d.contacts if c.role == "decision-maker"}
        face = [a.occurred_on for a in d.activities if a.channel in ("video", "in-person")]
        met = [a.occurred_on for a in d.activities if set(a.with_) & deciders]
        timeline = [(min(face), "face_time", 1.0)] if face else []
        if met:
            timeline.append((min(met), "deciders_met", 1.0))
        features = deal_features(
            seller, buyer, model, len(d.contacts), len(face), len(met), float(d.amount)
        )
        out.append(
            DealRecord(
                id=i,
                created_on=d.created_on,
                outcome=d.outcome,  # type: ignore[arg-type]
                closed_on=d.closed_on,
                amount=float(d.amount),
                features=features,
                cycle_factor=prior.factor(features["distance"]) or 1.0,
                timeline=tuple(sorted(timeline)),
                market=cultures[d.account],
                owner=d.owner,
                stages=tuple(d.stage_history),
            )
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--closed", type=int, default=10_000)
    parser.add_argument("--open", type=int, default=100_000)
    parser.add_argument("--cli", action="store_true", help="also time `crossdeal forecast`")
    parser.add_argument(
        "--dask", action="store_true", help="also score on a local dask cluster of two workers"
    )
    args = parser.parse_args()
    history = records(args.closed)
    closed = [r for r in history if r.outcome != "open"]
    open_seen = [r for r in history if r.outcome == "open"]
    open_deals = [
        replace(open_seen[i % len(open_seen)], id=1_000_000 + i) for i in range(args.open)
    ]
    print(
        f"{len(closed):,} closed deals, {len(history) - len(closed):,} open in the history; "
        f"scoring {len(open_deals):,} open deals"
    )

    start = time.perf_counter()
    bayes = _NaiveBayes(closed)
    scores = [bayes.p_win(d, TODAY) for d in open_deals]
    bayes_seconds = time.perf_counter() - start
    assert len(scores) == len(open_deals)

    start = time.perf_counter()
    model = CultureForecast().fit(history, TODAY)
    fit_seconds = time.perf_counter() - start
    start = time.perf_counter()
    model.predict(open_deals, TODAY, explain=False)
    score_seconds = time.perf_counter() - start
    start = time.perf_counter()
    model.predict(open_deals, TODAY, explain=True)
    explain_seconds = time.perf_counter() - start

    total = fit_seconds + score_seconds
    print(f"naive Bayes (baseline): fit + score {bayes_seconds:.2f} s")
    print(
        f"crossdeal: fit {fit_seconds:.2f} s ({model.n_rows_:,} deal-weeks), "
        f"score {score_seconds:.2f} s, together {total:.2f} s "
        f"= {total / bayes_seconds:.1f}x the baseline"
    )
    print(
        f"crossdeal with the three largest factors of every deal: score {explain_seconds:.2f} s, "
        f"fit + score {fit_seconds + explain_seconds:.2f} s "
        f"= {(fit_seconds + explain_seconds) / bayes_seconds:.1f}x the baseline"
    )
    if args.dask:
        on_a_cluster(model, open_seen)
    if args.cli:
        command_line()


def on_a_cluster(model: CultureForecast, open_seen: list[DealRecord]) -> None:
    """Scoring and the quarter simulation on a local cluster of two worker processes
    against the same in this process, at growing sizes: where does the cluster pay off?"""
    import numpy as np

    from crossdeal.forecast.engines import DaskEngine, InProcess, score
    from crossdeal.forecast.simulate import simulated_totals

    quarters = [TODAY + timedelta(days=91 * q) for q in range(1, 9)]
    start = time.perf_counter()
    with DaskEngine(workers=2) as cluster:
        print(
            f"dask: a local cluster of two worker processes starts in "
            f"{time.perf_counter() - start:.1f} s"
        )
        for size in (10_000, 100_000, 300_000):
            deals = [replace(open_seen[i % len(open_seen)], id=i) for i in range(size)]
            timings = {}
            for name, engine in (("in process", InProcess()), ("dask", cluster)):
                start = time.perf_counter()
                scored = score(model, deals, TODAY, quarters, engine)
                cumulative = np.array([f.p_win_by for f in scored])
                chances = np.diff(cumulative, axis=1, prepend=0.0).clip(min=0.0)
                simulated_totals(chances, np.array([d.amount for d in deals]), 2000, 0, engine)
                timings[name] = time.perf_counter() - start
            print(
                f"{size:,} open deals, scored and simulated (2,000 draws): in process "
                f"{timings['in process']:.2f} s, dask {timings['dask']:.2f} s "
                f"= {timings['in process'] / timings['dask']:.2f}x"
            )


def command_line() -> None:
    """`crossdeal forecast` on a 100,000-deal demo: the first run fits and keeps the
    model, the next ones use it (median of three). Baseline in the same run: `crossdeal
    deals --at-risk` on the same pipeline, the listing the forecast sits beside."""
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "CROSSDEAL_HOME": home, "COLUMNS": "100"}
        env.pop("CROSSDEAL_DATABASE_URL", None)

        def run(*args: str) -> float:
            start = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "crossdeal.cli", *args],
                env=env,
                check=True,
                stdout=subprocess.DEVNULL,
            )
            return time.perf_counter() - start

        run("demo", "--deals", "100000")
        first = run("--team", "demo", "forecast")
        kept = statistics.median(run("--team", "demo", "forecast") for _ in range(3))
        listing = statistics.median(run("--team", "demo", "deals", "--at-risk") for _ in range(3))
        print(
            f"crossdeal forecast, 100,000-deal demo: first run (fits, keeps) {first:.2f} s; "
            f"with the kept model {kept:.2f} s (median of 3); baseline `crossdeal deals "
            f"--at-risk` {listing:.2f} s; ratio {kept / listing:.1f}"
        )


if __name__ == "__main__":
    main()
