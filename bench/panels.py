"""Benchmark: the directed dyad-year table with ATOP, NMC, contiguity and wars, foedus vs pandas vs R.

    FOEDUS_DATA_DIR=../shared/data python bench/panels.py [--years 1816-2018] [--add atop,nmc,contiguity,wars] [--repeat 7]

Builds ``dyad_years(years) | add_<verb> | …`` in this process:

* **cold** — the first build in a fresh process: state lists, ATOP ties and every lookup table
  are built from the (parquet-cached) data files;
* **warm** — the same call again (median of ``--repeat``): the per-process caches hold the base
  frame and the lookup tables, so this is the cost of the joins themselves;
* **pandas** (default verbs only) — a straightforward ``pandas.merge`` of the same inputs (the
  base frame and the four lookup tables, converted to pandas beforehand and not timed), with
  the same 0/null fill; the script checks that it gives the same table.

Peak memory is the resident set size sampled every 2 ms during each step (and its growth over
the step's start). peacesciencer's figures come from shared/research/r-baseline.md (warm medians
of its own steps; fresh-process figures), with the ratio against them; ``--add
atop,contiguity,nmc,capdist --years 1816-2025`` is the equivalent of its table d.
Goals: ≥ 20× faster than peacesciencer; the full table in under 2 s on the project machine (2 cores).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import threading
import time

# peacesciencer 1.2.9 on the project's kind of machine (shared/research/r-baseline.md): seconds,
# median of 3 warm runs, tables 1816–2025 (2,252,760 rows).
R_CREATE = 2.17  # create_dyadyears()
R_STEP = {"atop": 0.54, "contiguity": 1.00, "nmc": 0.29, "capdist": 2.84}  # each add_*() alone
R_COLD_B = 4.60  # create_dyadyears() in a fresh Rscript, data lazy-loaded
R_PEAK_B_MIB = 1130  # fresh process running create_dyadyears()
# Table d = create_dyadyears + ATOP + COW alliance + contiguity + NMC + capital distance, from scratch.
R_D = {
    "warm median": 8.20,
    "cold (fresh Rscript)": 20.0,
    "whole process": 22.6,
    "peak RSS MiB": 3047,
}
R_ROWS = 2_252_760
DEFAULT_VERBS = "atop,nmc,contiguity,wars"


def _rss_mib() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


class Peak:
    """Peak resident memory while the ``with`` block runs (sampled by a thread)."""

    def __enter__(self) -> Peak:
        self.start = self.peak = _rss_mib()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(0.002):
            self.peak = max(self.peak, _rss_mib())

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _rss_mib())

    @property
    def growth(self) -> float:
        return self.peak - self.start


def build(years: tuple[int, int], verbs: list[str]):
    from foedus.panels import apply_verbs, dyad_years

    return apply_verbs(dyad_years(years=years), verbs)


def pandas_inputs(years: tuple[int, int]) -> dict:
    """The inputs foedus joins for the default verbs, as pandas frames (prepared, not timed)."""
    from foedus.panels import dyad_years
    from foedus.panels.atop import atop_flags
    from foedus.panels.contiguity import contiguity_years
    from foedus.panels.nmc import NMC_COLUMNS, nmc_table
    from foedus.panels.wars import inter_war_dyad_years

    return {
        "base": dyad_years(years=years).to_pandas(),
        "atop": atop_flags().to_pandas(),
        "nmc": nmc_table().to_pandas(),
        "nmc_columns": list(NMC_COLUMNS),
        "cont": contiguity_years("first").to_pandas(),
        "wars": inter_war_dyad_years().to_pandas(),
    }


def pandas_build(inp: dict):
    """The straightforward way: pd.merge one table after another, then fill within coverage."""
    keys = ["ccode1", "ccode2", "year"]
    df = inp["base"].merge(inp["atop"], on=keys, how="left")
    atop = [c for c in inp["atop"].columns if c.startswith("atop_")]
    inside = df["year"].between(1815, 2018)
    df.loc[inside, atop] = df.loc[inside, atop].fillna(0)
    for side in ("1", "2"):
        renamed = {"ccode": f"ccode{side}", **{c: f"{c}{side}" for c in inp["nmc_columns"]}}
        df = df.merge(inp["nmc"].rename(columns=renamed), on=[f"ccode{side}", "year"], how="left")
    df = df.merge(inp["cont"], on=keys, how="left")
    df.loc[df["year"].between(1816, 2016) & df["conttype"].isna(), "conttype"] = 0
    df = df.merge(inp["wars"], on=keys, how="left")
    inside = df["year"].between(1816, 2007)
    for c in ("cowinteronset", "cowinterongoing"):
        df.loc[inside & df[c].isna(), c] = 0
    return df


def check_equal(ours, theirs) -> None:
    import numpy as np

    assert ours.height == len(theirs), (ours.height, len(theirs))
    for col in ours.columns:
        a = ours[col].cast(float).to_numpy()
        b = theirs[col].astype(float).to_numpy()
        assert np.array_equal(a, b, equal_nan=True), col


def _runs(values: list[float]) -> str:
    return ", ".join(f"{x:.3f}" for x in values)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--years", default="1816-2018", help="years of the table (default 1816-2018)"
    )
    parser.add_argument(
        "--add", default=DEFAULT_VERBS, help=f"verbs to add (default {DEFAULT_VERBS})"
    )
    parser.add_argument("--repeat", type=int, default=7, help="warm runs (the median is reported)")
    args = parser.parse_args()

    t0 = time.perf_counter()
    import polars as pl

    from foedus.panels.verbs import parse_verbs

    import_s = time.perf_counter() - t0
    from foedus.panels import coverage
    from foedus.panels._common import year_range

    years = year_range(args.years, *coverage()) or coverage()
    start, end = years
    verbs = parse_verbs(args.add)
    with Peak() as cold_mem:
        t = time.perf_counter()
        table = build(years, verbs)
        cold = time.perf_counter() - t
    warm_runs, warm_peak = [], 0.0
    for _ in range(args.repeat):
        with Peak() as m:
            t = time.perf_counter()
            build(years, verbs)
            warm_runs.append(time.perf_counter() - t)
        warm_peak = max(warm_peak, m.growth)
    warm = statistics.median(warm_runs)

    print(
        f"foedus panels benchmark — {platform.node()}, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, polars {pl.__version__}"
    )
    print(
        f"table: dyad_years({start}-{end}) | {' | '.join(verbs)} → {table.height:,} rows × {table.width} columns"
    )
    print(f"  import foedus.panels                {import_s:7.3f} s")
    print(
        f"  foedus cold (first build)           {cold:7.3f} s   peak RSS {cold_mem.peak:5.0f} MiB (+{cold_mem.growth:.0f} MiB)"
    )
    print(
        f"  foedus warm (median)                {warm:7.3f} s   peak growth {warm_peak:4.0f} MiB   runs: {_runs(warm_runs)}"
    )

    if verbs == parse_verbs(DEFAULT_VERBS):
        inp = pandas_inputs(years)
        pandas_runs, pandas_peak = [], 0.0
        for _ in range(args.repeat):
            with Peak() as m:
                t = time.perf_counter()
                theirs = pandas_build(inp)
                pandas_runs.append(time.perf_counter() - t)
            pandas_peak = max(pandas_peak, m.growth)
        check_equal(table, theirs)
        pandas_s = statistics.median(pandas_runs)
        print(
            f"  pandas merge, same inputs (median)  {pandas_s:7.3f} s   peak growth {pandas_peak:4.0f} MiB   runs: {_runs(pandas_runs)}"
        )
        print(
            f"  → same table as foedus: yes; pandas / foedus warm: {pandas_s / warm:.1f}× (fastest runs {min(pandas_runs) / min(warm_runs):.1f}×)"
        )

    known = [v for v in verbs if v in R_STEP]
    r_sum = R_CREATE + sum(R_STEP[v] for v in known)
    missing = [v for v in verbs if v not in R_STEP]
    print("peacesciencer 1.2.9 (r-baseline.md; its tables are 1816–2025, 2,252,760 rows):")
    steps = " + ".join(
        [f"create_dyadyears {R_CREATE:.2f}", *[f"{v} {R_STEP[v]:.2f}" for v in known]]
    )
    note = f"; {', '.join(missing)} not timed there" if missing else ""
    print(f"  warm medians: {steps} = {r_sum:.2f} s{note}")
    print(f"  create_dyadyears() in a fresh Rscript: {R_COLD_B:.2f} s, peak RSS {R_PEAK_B_MIB} MiB")
    rows = table.height / R_ROWS
    print(
        f"  peacesciencer warm / foedus warm: {r_sum / warm:5.1f}×  (fastest foedus run {r_sum / min(warm_runs):.1f}×; R scaled to these rows {r_sum * rows / warm:.1f}×)"
    )
    print(
        f"  peacesciencer warm / foedus cold: {r_sum / cold:5.1f}×  (R fresh create_dyadyears alone / foedus cold {R_COLD_B / cold:.1f}×)"
    )
    if set(verbs) == {"atop", "contiguity", "nmc", "capdist"}:
        print(
            "  table d (same verbs plus COW alliances, which foedus does not ship): "
            + ", ".join(f"{k} {v}" for k, v in R_D.items())
        )
        print(
            f"  table d warm / foedus warm {R_D['warm median'] / warm:.1f}×; table d cold / foedus cold {R_D['cold (fresh Rscript)'] / cold:.1f}×"
        )
    load = os.getloadavg()[0]
    print(
        f"load average at the end: {load:.2f} (a shared 2-core machine: timings vary by ±30 % or more)"
    )
    goal = "met" if cold < 2.0 and r_sum / warm >= 20 else "NOT met"
    print(f"goals (cold < 2 s; ≥ 20× peacesciencer's warm figures): {goal}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
