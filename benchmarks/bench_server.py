"""The team server under load, on the loopback: requests/s and latency per endpoint.

    python benchmarks/bench_server.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/test
        [--deals 100000] [--users 50] [--seconds 60] [--workers 4]

A demo pipeline of ``--deals`` deals goes into a fresh PostgreSQL schema (dropped at the
end), with ``--users`` users in its team. ``crossdeal serve --workers N`` runs over it on
127.0.0.1. Then ``--users`` simulated users run at once for ``--seconds``: each signs in
once (POST /api/v1/tokens, an Argon2id check), then, until the time is up, lists the
pipeline (GET /api/v1/deals, 50 deals), opens a deal (GET /api/v1/deals/ID, with its
briefing) and lints a draft (POST /api/v1/lint), one after another without pause. Every
loop is bounded by the clock; the server listens on the loopback only.

Named baseline, measured in the same run: the same three operations called in-process
on the same database (PipelineStore.deals / .deal with the server's cycle cache,
crossdeal.lint_message), one at a time, so the ratio shows what HTTP, the workers and
fifty users at once add.
Goals (issue): zero 5xx; p95 under 300 ms for the deal page and for lint.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import time
import uuid
from collections import defaultdict
from typing import Any

import sqlalchemy as sa

from crossdeal.auth.store import UserStore
from crossdeal.pipeline.db import Database
from crossdeal.pipeline.demo import generate
from crossdeal.pipeline.store import PipelineStore

PASSWORD = "bench password 1"
DRAFT = (
    "Hi Kenji, thanks for the call. We need your decision by Friday so we can lock the "
    "price. Please confirm ASAP and let me know if anything is unclear."
)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def in_process_baseline(store: PipelineStore, deal_ids: list[int], runs: int) -> dict[str, float]:
    import crossdeal

    timings: dict[str, list[float]] = defaultdict(list)
    rng = random.Random(1)
    for _ in range(runs):
        start = time.perf_counter()
        store.deals(limit=50)
        timings["list deals"].append(time.perf_counter() - start)
        start = time.perf_counter()
        store.deal(rng.choice(deal_ids))
        timings["open a deal"].append(time.perf_counter() - start)
        start = time.perf_counter()
        crossdeal.lint_message(DRAFT, to="Japan")
        timings["lint a draft"].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in timings.items()}


async def user(
    base: str,
    email: str,
    deal_ids: list[int],
    deadline: float,
    timings: dict[str, list[float]],
    statuses: dict[str, dict[int, int]],
    seed: int,
    one_address: bool,
) -> None:
    import httpx

    rng = random.Random(seed)
    # each user from an address of its own (127.0.0.2, .3, ...), as users of a team on
    # their own machines; --one-address sends everyone from 127.0.0.1, as behind one NAT,
    # where sign-ins beyond the address's in-flight cap are asked to wait a moment
    transport = httpx.AsyncHTTPTransport(
        local_address=None if one_address else f"127.0.0.{seed + 2}"
    )
    async with httpx.AsyncClient(base_url=base, timeout=60, transport=transport) as client:

        async def call(name: str, method: str, url: str, **kw: Any) -> Any:
            start = time.perf_counter()
            response = await client.request(method, url, **kw)
            timings[name].append(time.perf_counter() - start)
            statuses[name][response.status_code] += 1
            return response

        for _ in range(30):  # a browser would try again when told to wait a moment
            signed = await call(
                "sign in",
                "POST",
                "/api/v1/tokens",
                json={"email": email, "password": PASSWORD, "name": "bench"},
            )
            wait = float(signed.headers.get("retry-after", "0") or 0)
            if signed.status_code != 429 or not 0 < wait <= 5:
                break
            await asyncio.sleep(wait)
        if signed.status_code != 201:
            return
        client.headers["Authorization"] = f"Bearer {signed.json()['token']}"
        while time.perf_counter() < deadline:
            await call("list deals", "GET", "/api/v1/deals?limit=50")
            await call("open a deal", "GET", f"/api/v1/deals/{rng.choice(deal_ids)}")
            await call("lint a draft", "POST", "/api/v1/lint", json={"text": DRAFT, "to": "JP"})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", required=True, help="a PostgreSQL URL (a schema is made)")
    parser.add_argument("--deals", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--one-address", action="store_true", help="every user from 127.0.0.1, as behind one NAT"
    )
    args = parser.parse_args()
    if args.users > 250 and not args.one_address:
        parser.error("at most 250 users, one loopback address each (or --one-address)")

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(args.postgres)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in args.postgres else "?"
    url = f"{args.postgres}{sep}options=-csearch_path%3D{schema}"
    server = None
    try:
        db = Database(url)
        store = PipelineStore(db, team="demo")
        start = time.perf_counter()
        store.load_demo(generate(seed=7, deals=args.deals))
        print(f"loaded {args.deals:,} demo deals in {time.perf_counter() - start:.1f} s")
        with db.engine.connect() as conn:
            conn.execute(sa.text("ANALYZE"))
            deal_ids = [row[0] for row in conn.execute(sa.text("SELECT id FROM deals"))]
        users = UserStore(db)
        emails = [f"seller{n}@example.com" for n in range(args.users)]
        for email in emails:
            users.add_user(email, PASSWORD, "demo", "seller")
        from crossdeal.pipeline.store import CycleCache

        cached = PipelineStore(db, team="demo", cycle_cache=CycleCache())
        baseline = in_process_baseline(cached, deal_ids, runs=30)
        db.dispose()

        env = {**os.environ, "CROSSDEAL_DATABASE_URL": url}
        command = [
            sys.executable,
            "-m",
            "crossdeal.cli",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(args.port),
            "--workers",
            str(args.workers),
        ]
        server = subprocess.Popen(
            command,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        base = f"http://127.0.0.1:{args.port}"
        import httpx

        for _ in range(200):  # bounded wait for the workers: at most 60 s
            try:
                if httpx.get(f"{base}/api/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        else:
            raise SystemExit("the server did not come up")
        time.sleep(2)  # let every worker finish starting

        timings: dict[str, list[float]] = defaultdict(list)
        statuses: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))

        async def everyone() -> float:
            began = time.perf_counter()
            deadline = began + args.seconds
            await asyncio.gather(
                *(
                    user(base, email, deal_ids, deadline, timings, statuses, seed, args.one_address)
                    for seed, email in enumerate(emails)
                )
            )
            return time.perf_counter() - began

        elapsed = asyncio.run(everyone())
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    print(
        f"\n{args.users} users for {elapsed:.0f} s against {args.deals:,} deals on PostgreSQL, "
        f"{args.workers} workers, {os.cpu_count()} cores (client on the same machine)\n"
    )
    header = (
        f"{'endpoint':<14}{'requests':>9}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}"
        f"{'p99 ms':>9}{'5xx':>6}{'other':>7}{'in-process ms':>15}{'p50 ratio':>11}"
    )
    print(header)
    total = 0
    for name in ("sign in", "list deals", "open a deal", "lint a draft"):
        values = timings.get(name, [])
        codes = statuses.get(name, {})
        errors = sum(n for code, n in codes.items() if code >= 500)
        other = sum(n for code, n in codes.items() if code < 500 and code not in (200, 201))
        total += len(values)
        inproc = baseline.get(name)
        p50 = percentile(values, 0.50)
        print(
            f"{name:<14}{len(values):>9,}{len(values) / elapsed:>8.1f}{1000 * p50:>9.0f}"
            f"{1000 * percentile(values, 0.95):>9.0f}{1000 * percentile(values, 0.99):>9.0f}"
            f"{errors:>6}{other:>7}"
            + (f"{1000 * inproc:>15.1f}{p50 / inproc:>11.1f}" if inproc else f"{'—':>15}{'—':>11}")
        )
    print(f"\nall: {total:,} requests, {total / elapsed:.1f} req/s")


if __name__ == "__main__":
    main()
