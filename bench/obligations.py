"""Benchmark: every directed (attacker, target) pair on one date, batch vs one scenario at a time.

    FOEDUS_DATA_DIR=../shared/data python bench/obligations.py [--date 2025-01-01] [--sample 300] [--repeat 5]

Times :func:`foedus.obligations.respond_all` on all directed pairs of states in the COW system on
the date (about 38,000 scenarios today; the registry is loaded and compiled once beforehand, as in
a long-running process), then :func:`foedus.obligations.respond` on a random sample of the same
pairs, extrapolates the one-at-a-time path to all pairs, and prints the ratio and the machine.
Goal: all pairs in under 1 s.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--date", default="2025-01-01")
    parser.add_argument("--sample", type=int, default=300, help="pairs timed one at a time")
    parser.add_argument("--repeat", type=int, default=5, help="batch runs (the median is reported)")
    args = parser.parse_args()

    import polars as pl

    from foedus import states
    from foedus.dates import parse_date
    from foedus.obligations import Scenario, compile_registry, respond, respond_all

    day = parse_date(args.date)
    t0 = time.perf_counter()
    compile_registry()
    load = time.perf_counter() - t0
    universe = states.members_on(day)
    pairs = [(a, b) for a in universe for b in universe if a != b]

    respond_all(day)  # warm-up
    runs = []
    for _ in range(args.repeat):
        t = time.perf_counter()
        frame = respond_all(day)
        runs.append(time.perf_counter() - t)
    batch = statistics.median(runs)

    sample = random.Random(0).sample(pairs, min(args.sample, len(pairs)))
    for a, b in sample[:10]:  # warm-up
        respond(Scenario(attackers=(a,), target=b, date=day))
    t = time.perf_counter()
    for a, b in sample:
        respond(Scenario(attackers=(a,), target=b, date=day))
    single = (time.perf_counter() - t) / len(sample)
    extrapolated = single * len(pairs)

    print(
        f"date {day.isoformat()}: {len(universe)} states, {len(pairs):,} directed (attacker, target) scenarios"
    )
    print(f"registry load + compile (once per process): {load:.2f} s")
    print(f"batch respond_all: median {batch:.3f} s over {args.repeat} runs (min {min(runs):.3f} s, max {max(runs):.3f} s); "
          f"{frame.height:,} rows (attacker, target, responder)")  # fmt: skip
    print(f"one at a time (respond): {1000 * single:.2f} ms per scenario on {len(sample)} sampled pairs "
          f"-> {extrapolated:.1f} s extrapolated to all pairs")  # fmt: skip
    print(f"ratio: batch is {extrapolated / batch:.0f}x faster than one scenario at a time")
    print(f"goal (< 1 s for all pairs): {'met' if batch < 1 else 'NOT met'}")
    print(
        f"machine: {platform.platform()}, {platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {sys.version.split()[0]}, polars {pl.__version__}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
