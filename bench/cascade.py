"""Benchmark: Monte Carlo cascades on CPU (numpy) and GPU (torch), and a sweep of every dyad.

    FOEDUS_DATA_DIR=../shared/data python bench/cascade.py [--date 2025-01-01] [--draws 1000000]
        [--loop-draws 300] [--sweep-sample 6] [--full-sweep]

1. 10⁶ Monte Carlo draws of USA → North Korea on the date: the numpy kernel on the CPU (goal < 1 s)
   and the torch kernel on a CUDA GPU when there is one (prints "no CUDA device" otherwise); the
   engine's verdicts are gathered first and timed apart.
2. The same plan by a plain Python loop over draws and edges on ``--loop-draws`` draws, in the same
   run: the kernel's speed-up per draw.
3. A sweep of every directed dyad on the date (goal < 10 s), written to parquet by the batch
   engine (``foedus.obligations.batch.cascade_all``), and the one-dyad-at-a-time engine
   (``respond(scenario, cascade=True)``) on the dyads of ``--sweep-sample`` attackers, in the same
   run: its time extrapolated to every dyad, the ratio, and whether the rows agree
   (``--full-sweep`` runs the per-dyad engine on every attacker: minutes).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import tempfile
import time


def _machine() -> str:
    cpu = platform.processor() or "?"
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    import numpy as np

    return f"{platform.node()} · {cpu} · {os.cpu_count()} cores · Python {platform.python_version()} · numpy {np.__version__}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--date", default="2025-01-01")
    parser.add_argument("--draws", type=int, default=1_000_000)
    parser.add_argument("--loop-draws", type=int, default=300)
    parser.add_argument(
        "--sweep-sample", type=int, default=6, help="attackers whose dyads are swept in full"
    )
    parser.add_argument("--full-sweep", action="store_true")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    import polars as pl

    from foedus import cascade, states
    from foedus.cascade import _engine, _montecarlo, sweep
    from foedus.cascade._torch import cuda_available, device_name
    from foedus.dates import parse_date
    from foedus.obligations import compile_registry

    day = parse_date(args.date)
    print(f"machine: {_machine()}")
    compile_registry()

    # 1. Monte Carlo, 10⁶ draws
    t0 = time.perf_counter()
    sc = _engine.scenario("USA", "PRK", day)
    table = _engine.closure(sc)
    verdict_s = time.perf_counter() - t0
    plan = cascade._scenario_plan(sc, cascade.Rates(), table)
    init0, init1 = plan.init([(list(sc.attackers), [sc.target])])
    print(f"scenario USA → PRK on {day}: engine verdicts for {table['target'].n_unique()} targets in {verdict_s:.2f} s; "
          f"plan {plan.k} states, {plan.n_edges} edges")  # fmt: skip
    _montecarlo.summarise(
        plan, init0, init1, draws=20_000, seed=args.seed, backend="numpy", device="cpu"
    )  # warm-up
    t0 = time.perf_counter()
    summary = _montecarlo.summarise(
        plan, init0, init1, draws=args.draws, seed=args.seed, backend="numpy", device="cpu"
    )
    cpu_s = time.perf_counter() - t0
    n = summary.rows
    p_rus = summary.count1[list(plan.codes).index(365)] / n
    print(
        f"CPU numpy: {args.draws:,} draws in {cpu_s:.3f} s ({args.draws / cpu_s:,.0f} draws/s; goal < 1 s) · P(Russia joins) = {p_rus:.4f}"
    )
    if cuda_available():
        _montecarlo.summarise(
            plan, init0, init1, draws=20_000, seed=args.seed, backend="torch", device="cuda"
        )
        import torch

        torch.cuda.synchronize()
        t0 = time.perf_counter()
        gsum = _montecarlo.summarise(
            plan, init0, init1, draws=args.draws, seed=args.seed, backend="torch", device="cuda"
        )
        torch.cuda.synchronize()
        gpu_s = time.perf_counter() - t0
        g_rus = gsum.count1[list(plan.codes).index(365)] / gsum.rows
        print(
            f"GPU torch ({device_name('cuda')}): {args.draws:,} draws in {gpu_s:.3f} s · {cpu_s / gpu_s:.1f}× the CPU · P(Russia joins) = {g_rus:.4f}"
        )
    else:
        print(
            "GPU: no CUDA device (torch "
            + ("installed" if _montecarlo._has_torch() else "not installed")
            + ")"
        )

    # 2. plain Python loop on a subset of draws, same plan
    _, loop_s = _montecarlo.python_loop(
        plan, list(sc.attackers), [sc.target], args.loop_draws, args.seed
    )
    per_loop = loop_s / args.loop_draws
    per_kernel = cpu_s / args.draws
    print(
        f"plain Python loop: {args.loop_draws:,} draws in {loop_s:.2f} s → kernel is {per_loop / per_kernel:,.0f}× faster per draw"
    )

    # 3. sweep of every directed dyad: the batch engine (cascade_all) writing every partition,
    # against the one-dyad-at-a-time engine (respond(cascade=True) per dyad) on a subset.
    members = states.members_on(day)
    pairs = len(members) * (len(members) - 1)
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        report = sweep.run(tmp, date=day)
        sweep_s = time.perf_counter() - t0
        table = sweep.read(tmp)
    t0 = time.perf_counter()
    found = sweep.cascades(day)
    cascade_s = time.perf_counter() - t0
    print(
        f"full sweep, all {pairs:,} directed dyads ({report['partitions']} parquet partitions, single process): "
        f"{sweep_s:.2f} s (goal < 10 s; the cascades alone {cascade_s:.2f} s) · "
        f"{table.filter(pl.col('n_joiners') > 0).height:,} dyads with a joiner, "
        f"{table.filter(pl.col('rounds') >= 2).height:,} with later rounds"
    )
    chosen = (
        members
        if args.full_sweep
        else random.Random(args.seed).sample(members, min(args.sweep_sample, len(members)))
    )
    r1 = sweep.first_round(day)
    abbrevs = {c: states.abbrev(c) for c in members}
    t0 = time.perf_counter()
    slow = [
        sweep.evaluate_per_dyad(
            day, a, [t for t in members if t != a], sweep._round1_for(r1, a), abbrevs
        )
        for a in chosen
    ]
    slow_s = time.perf_counter() - t0
    fast = [
        sweep.evaluate(day, a, [t for t in members if t != a], found.get(a, {}), abbrevs)
        for a in chosen
    ]
    same = all(x.equals(y) for x, y in zip(slow, fast, strict=True))
    rows = sum(x.height for x in slow)
    label = "all" if args.full_sweep else f"{len(chosen)} sampled"
    per_dyad_full = slow_s / max(rows, 1) * pairs
    print(
        f"per-dyad engine, {label} attackers ({rows:,} dyads): {slow_s:.2f} s → every dyad ≈ {per_dyad_full:,.0f} s; "
        f"the batch sweep is {per_dyad_full / sweep_s:,.0f}× faster · same rows as the batch sweep: {same}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
