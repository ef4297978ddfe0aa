"""Briefing throughput and CLI latency, each against a baseline measured in the same run.

    python benchmarks/bench_brief.py [--repeat 5]

Library: one briefing for every ordered pair of shipped cultures that have their own
scores on the four original dimensions, in one process on one core, after a warm-up
pass: through the engine on resolved cultures (``Playbook.brief``), and as a user calls
it, by name through the public API (``crossdeal.brief("United States", "India")``).
Baseline: the same pairs through ``compare`` (gaps, distances, common ground, no rules),
so the ratio shows what the playbook adds on top of the distance report.

CLI: wall time end to end (median of runs, output piped), against ``python -c pass``
(bare interpreter start) measured alongside, of ``crossdeal brief --seller US --buyer
IN`` (goal <= 0.30 s), ``crossdeal lint --to JP draft.txt`` (goal <= 0.35 s),
``crossdeal --team demo deals`` on the sample pipeline (goal <= 0.50 s) and ``crossdeal
calendar JP`` (goal: no slower than the briefing). Every tree timed is compiled to
bytecode first, as an installed package is. ``--compare-with SRC``
also times the briefing of another source tree (e.g. a ``git worktree`` of an earlier
commit) through the same interpreter, interleaved run by run, so that "not slower than
before" is measured in one run.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import crossdeal
from crossdeal.culture.reports import compare_cultures
from crossdeal.playbook import Playbook

FOUR = ("pdi", "idv", "mas", "uai")


def _pairs(model: crossdeal.CultureModel) -> list[tuple[crossdeal.Culture, crossdeal.Culture]]:
    cultures = [
        c
        for c in model.cultures
        if all(c.scores.get(k) is not None and k not in c.borrowed for k in FOUR)
    ]
    return list(itertools.permutations(cultures, 2))


def _rate(fn, pairs, repeat: int) -> float:  # type: ignore[no-untyped-def]
    for s, b in pairs[:500]:  # warm-up
        fn(s, b)
    best = 0.0
    for _ in range(repeat):
        start = time.perf_counter()
        for s, b in pairs:
            fn(s, b)
        best = max(best, len(pairs) / (time.perf_counter() - start))
    return best


def _wall(cmd: list[str], runs: int, env: dict[str, str] | None = None) -> float:
    subprocess.run(cmd, capture_output=True, check=True, env=env)  # warm the caches
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=True, env=env)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


DRAFT = """Hi Kenji,

Just following up on our proposal from last week. Can we get a yes by Friday? We need
to close this before the quarter ends, and I'm sure your team will love it.

Thanks,
Bob
"""


def _compile_tree(package: Path) -> None:
    """Bytecode for every module of a source tree, as pip writes it for an installed
    package (a tree run in place with PYTHONDONTWRITEBYTECODE would compile at each start)."""
    import compileall

    compileall.compile_dir(str(package), quiet=1)


def _home() -> contextlib.AbstractContextManager[str]:
    import tempfile

    return tempfile.TemporaryDirectory(prefix="bench-home-")


def _interleaved(
    commands: dict[str, tuple[list[str], dict[str, str] | None]], runs: int
) -> dict[str, float]:
    """Median wall time of each command, run in turn so that drift hits them alike."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    for cmd, env in commands.values():
        subprocess.run(cmd, capture_output=True, check=True, env=env)
    for _ in range(runs):
        for name, (cmd, env) in commands.items():
            start = time.perf_counter()
            subprocess.run(cmd, capture_output=True, check=True, env=env)
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(t) for name, t in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--cli-runs", type=int, default=15)
    parser.add_argument("--cli-only", action="store_true", help="skip the library rates")
    parser.add_argument(
        "--compare-with", metavar="SRC", help="a source tree whose briefing to time alongside"
    )
    args = parser.parse_args()
    if args.cli_only:
        _cli(args)
        return
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core

    from crossdeal._model_cache import cached_briefing_model

    model = cached_briefing_model()  # the model the public API uses
    playbook = Playbook.default()
    pairs = _pairs(model)
    names = [(s.name, b.name) for s, b in pairs]
    by_name = dict(zip(names, pairs, strict=True))
    briefs = _rate(lambda s, b: playbook.brief(s, b, model), pairs, args.repeat)
    api = _rate(lambda s, b: crossdeal.brief(s, b), names, args.repeat)
    compares = _rate(lambda s, b: compare_cultures(s, b, model), pairs, args.repeat)
    assert len(by_name) == len(pairs)
    print(f"pairs: {len(pairs)} ordered pairs of cultures with PDI, IDV, MAS, UAI")
    print(f"library  engine  : {briefs:8.0f} briefings/s (Playbook.brief on resolved cultures)")
    print(f"library  public  : {api:8.0f} briefings/s (crossdeal.brief by name; goal >= 5,000)")
    print(f"baseline compare : {compares:8.0f} comparisons/s")
    print(f"ratio engine/compare throughput: {briefs / compares:.2f}")
    print(f"ratio public/engine throughput: {api / briefs:.2f}")

    _cli(args)


def _cli(args: argparse.Namespace) -> None:
    exe = shutil.which("crossdeal") or ""
    if not exe:
        print("cli: `crossdeal` is not on PATH; install the package to time the CLI")
        return
    homes = contextlib.ExitStack()  # the bench's own homes, removed at the end
    work = Path(homes.enter_context(_home()))
    draft = work / "draft.txt"
    draft.write_text(DRAFT, encoding="utf-8")
    sample = {**os.environ, "CROSSDEAL_HOME": str(work)}
    subprocess.run([exe, "demo"], capture_output=True, check=True, env=sample)
    commands: dict[str, tuple[list[str], dict[str, str] | None]] = {
        "bare": ([sys.executable, "-c", "pass"], None),
        "brief": ([exe, "brief", "--seller", "US", "--buyer", "IN"], sample),
        "lint": ([exe, "lint", "--to", "JP", str(draft)], sample),
        "deals": ([exe, "--team", "demo", "deals"], sample),
        "calendar": ([exe, "calendar", "JP"], sample),
    }
    _compile_tree(Path(crossdeal.__file__).parent)
    jobs = {
        "brief": ["brief", "--seller", "US", "--buyer", "IN"],
        "lint": ["lint", "--to", "JP", str(draft)],
        "deals": ["--team", "demo", "deals"],
    }
    if args.compare_with:
        _compile_tree(Path(args.compare_with) / "src" / "crossdeal")
        # each tree with a home (and a sample pipeline) of its own: their compiled caches
        # are keyed by their code and would otherwise replace each other at every run
        trees = {"this tree": None, args.compare_with: os.path.join(args.compare_with, "src")}
        for tree, source in trees.items():
            env = {**os.environ, "CROSSDEAL_HOME": homes.enter_context(_home())}
            if source:
                env["PYTHONPATH"] = source
            module = [sys.executable, "-m", "crossdeal.cli"]
            subprocess.run([*module, "demo"], capture_output=True, check=True, env=env)
            for job, job_args in jobs.items():
                commands[f"{job}, {tree} (python -m)"] = ([*module, *job_args], env)
    with homes:
        got = _interleaved(commands, args.cli_runs)
    bare = got.pop("bare")
    goals = {"brief": 0.30, "lint": 0.35, "deals": 0.50}
    for name, value in got.items():
        goal = f" (goal <= {goals[name] * 1000:.0f} ms)" if name in goals else ""
        print(f"cli      {name:34}: {value * 1000:6.0f} ms wall (median of {args.cli_runs}){goal}")
    print(f"baseline python -c pass: {bare * 1000:6.0f} ms wall")
    print(f"ratio calendar/brief: {got['calendar'] / got['brief']:.2f} (goal <= 1)")
    if args.compare_with:
        for job in jobs:
            mine, theirs = (
                got[f"{job}, this tree (python -m)"],
                got[f"{job}, {args.compare_with} (python -m)"],
            )
            print(f"ratio {job}, this tree/{args.compare_with}: {mine / theirs:.2f}")


if __name__ == "__main__":
    main()
