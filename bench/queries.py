"""Benchmark: ``foedus.treaties.allies()`` and ``history()``, vectorised vs the old per-group loop.

    FOEDUS_DATA_DIR=../shared/data python bench/queries.py [--repeat 20] [--check-all]

Baseline (same run): the implementations these replaced, kept below as ``loop_allies`` and
``loop_history``. They filtered the ties frame once per (treaty, ally) group (allies) and once per
elementary interval (history), about 0.3 ms each. Before timing, the bench checks that both give
exactly the same answers (every field, same order) on the states and dates below (``--check-all``:
every COW state on each date, and every pair of states that ever shared a tie).

Goal: the web API's p99 under 50 ms (bench/web_load.py), so one domain call in a few ms.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time

import polars as pl

from foedus.dates import today
from foedus.errors import FoedusError
from foedus.treaties import queries as q
from foedus.treaties.queries import Ally, Gap, TieSpell, Timeline, TimelineEntry

STATES = ["USA", "RUS", "PRK", "FIN", "UKG", "FRN", "CHN", "JPN", "GMY", "TUR", "ITA", "AUH"]
DATES = ["1914-07-28", "1939-09-01", "1962-10-22", "2000-01-01", "2023-06-01", "2025-06-01"]
CALLS = [("USA", "2025-06-01"), ("PRK", "2025-06-01"), ("FRN", "1914-08-01"), ("FIN", "2024-01-01")]
PAIRS = [("UKG", "FRN"), ("USA", "UKG"), ("RUS", "PRK"), ("GMY", "ITA")]


# ------------------------------------------------------------------ the old loops (baseline)


def loop_allies(state, date=None, kind=None, *, include_nonaggression=False) -> list[Ally]:
    """``allies`` as it was: one filter of the state's ties per (treaty, ally) group."""
    day = q._day(date)
    code = q.state_code(state, day)
    wanted = None if kind is None else q.kind_of(kind)
    reg = q.registry()
    mine = reg.ties.filter(
        (pl.col("obliged") == code) | (pl.col("beneficiary") == code)
    ).with_columns(
        pl.when(pl.col("obliged") == code)
        .then(pl.col("beneficiary"))
        .otherwise(pl.col("obliged"))
        .alias("other")
    )
    now = mine.filter(q._covering(day))
    out: list[Ally] = []
    for (treaty_id, other), rows in now.group_by(["treaty_id", "other"], maintain_order=True):
        owes = q._sorted_kinds(rows.filter(pl.col("obliged") == code)["kind"])
        owed = q._sorted_kinds(rows.filter(pl.col("beneficiary") == code)["kind"])
        both = q._sorted_kinds([*owes, *owed])
        if wanted is not None and wanted not in both:
            continue
        if wanted is None and not include_nonaggression and both == ["non_aggression"]:
            continue
        history_rows = mine.filter((pl.col("treaty_id") == treaty_id) & (pl.col("other") == other))
        block = next(
            b
            for b in q._blocks(
                list(zip(history_rows["valid_from"], history_rows["valid_to"], strict=True))
            )
            if b[0] <= day and (b[1] is None or day < b[1])
        )
        observed = rows.filter(pl.col("valid_to").is_null())["observed_until"].drop_nulls()
        t = reg.get(treaty_id)
        out.append(
            Ally(
                ccode=int(other),
                name=q.state_name(int(other)),
                treaty_id=treaty_id,
                treaty_name=q._title(t),
                origin=t.origin,
                provisions=both,
                owes=owes,
                owed=owed,
                since=block[0],
                until=block[1],
                observed_until=observed.min() if block[1] is None and observed.len() else None,
                conditional=bool(rows["has_conditions"].any()),
                decidable=bool(rows["decidable"].all()),
                partner_specific=bool(rows["partner_specific"].any()),
            )
        )
    return sorted(out, key=lambda a: (q._KIND_ORDER[a.provisions[0]], a.name, a.since, a.treaty_id))


def _loop_spells(rows: pl.DataFrame, a: int, b: int) -> list[TieSpell]:
    points = sorted({*rows["valid_from"], *rows["valid_to"].drop_nulls()})
    open_ = rows["valid_to"].null_count() > 0
    bounds = [(points[i], points[i + 1]) for i in range(len(points) - 1)]
    if open_:
        bounds.append((points[-1], None))
    out: list[TieSpell] = []
    for start, end in bounds:
        live = rows.filter(
            (pl.col("valid_from") <= start)
            & (pl.col("valid_to").is_null() | (pl.col("valid_to") > start))
        )
        if live.height == 0:
            continue
        a_to_b = q._sorted_kinds(live.filter(pl.col("obliged") == a)["kind"])
        b_to_a = q._sorted_kinds(live.filter(pl.col("obliged") == b)["kind"])
        conditional = bool(live["has_conditions"].any())
        observed = live["observed_until"].drop_nulls()
        observed_until = observed.min() if end is None and observed.len() else None
        previous = out[-1] if out else None
        if (
            previous is not None
            and previous.end == start
            and (previous.a_to_b, previous.b_to_a, previous.conditional)
            == (a_to_b, b_to_a, conditional)
        ):
            out[-1] = previous.model_copy(update={"end": end, "observed_until": observed_until})
        else:
            out.append(
                TieSpell(
                    start=start,
                    end=end,
                    a_to_b=a_to_b,
                    b_to_a=b_to_a,
                    conditional=conditional,
                    observed_until=observed_until,
                )
            )
    return out


def loop_history(a, b) -> Timeline:
    """``history`` as it was: one filter of the pair's ties per treaty and elementary interval."""
    code_a, code_b = q.state_code(a), q.state_code(b)
    reg = q.registry()
    rows = reg.ties.filter(
        ((pl.col("obliged") == code_a) & (pl.col("beneficiary") == code_b))
        | ((pl.col("obliged") == code_b) & (pl.col("beneficiary") == code_a))
    )
    entries: list[TimelineEntry] = []
    for (treaty_id,), part in rows.group_by(["treaty_id"], maintain_order=True):
        spells = _loop_spells(part, code_a, code_b)
        if not spells:
            continue
        t = reg.get(treaty_id)
        entries.append(
            TimelineEntry(
                treaty_id=treaty_id,
                treaty_name=q._title(t),
                origin=t.origin,
                start=spells[0].start,
                end=spells[-1].end,
                kinds=q._sorted_kinds(k for s in spells for k in (*s.a_to_b, *s.b_to_a)),
                spells=spells,
                observed_until=spells[-1].observed_until,
            )
        )
    entries.sort(key=lambda e: (e.start, e.treaty_id))
    now = today()
    blocks = q._blocks([(s.start, s.end) for e in entries for s in e.spells])
    gaps = [
        Gap(start=blocks[i][1], end=blocks[i + 1][0])
        for i in range(len(blocks) - 1)
        if blocks[i][1]
    ]
    if blocks and blocks[-1][1] is not None and blocks[-1][1] <= now:
        gaps.append(Gap(start=blocks[-1][1], end=None))
    return Timeline(
        a=code_a,
        b=code_b,
        a_name=q.state_name(code_a),
        b_name=q.state_name(code_b),
        entries=entries,
        gaps=gaps,
        as_of=now,
    )


# ------------------------------------------------------------------ checks and timings


def _same(new, old, *args, **kwargs) -> bool:
    try:
        expected = old(*args, **kwargs)
    except FoedusError as error:
        try:
            new(*args, **kwargs)
        except FoedusError as other:
            return (type(error), str(error)) == (type(other), str(other))
        return False
    return new(*args, **kwargs) == expected


def check(check_all: bool) -> tuple[int, list[str]]:
    """Compare new and old on many questions; return the count and the ones that differ."""
    from foedus import states

    codes = states.codes() if check_all else STATES
    asked, differ = 0, []
    for state in codes:
        for date in DATES:
            for kwargs in ({}, {"include_nonaggression": True}, {"kind": "defense"}):
                asked += 1
                if not _same(q.allies, loop_allies, state, date, **kwargs):
                    differ.append(f"allies({state!r}, {date!r}, {kwargs})")
    ties = q.registry().ties
    pairs = (
        ties.select(a=pl.min_horizontal("obliged", "beneficiary"), b=pl.max_horizontal("obliged", "beneficiary"))
        .unique()
        .sort("a", "b")
        .rows()
    )  # fmt: skip
    for a, b in pairs if check_all else [*PAIRS, *pairs[::50]]:
        asked += 1
        if not _same(q.history, loop_history, a, b):
            differ.append(f"history({a!r}, {b!r})")
    return asked, differ


def _time(function, args, repeat: int) -> float:
    function(*args)  # warm-up
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        function(*args)
        runs.append(time.perf_counter() - t)
    return statistics.median(runs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="timed calls (the median is shown)")
    parser.add_argument("--check-all", action="store_true", help="check every state and pair")
    args = parser.parse_args()

    t = time.perf_counter()
    q.registry().ties  # noqa: B018 - build the registry once, as a long-running process does
    print(f"registry load (once per process): {time.perf_counter() - t:.2f} s")
    t = time.perf_counter()
    asked, differ = check(args.check_all)
    print(f"same answers, new vs old: {asked - len(differ)}/{asked} questions "
          f"({time.perf_counter() - t:.1f} s)")  # fmt: skip
    for line in differ[:20]:
        print("  DIFFERS:", line)

    print(f"{'call':<34} {'groups':>6} {'old loop':>10} {'vectorised':>11} {'ratio':>6}")
    for name, new, old, calls in (
        ("allies", q.allies, loop_allies, CALLS),
        ("history", q.history, loop_history, PAIRS),
    ):
        for call in calls:
            result = new(*call)
            size = len(result) if isinstance(result, list) else len(result.entries)
            before, after = _time(old, call, args.repeat), _time(new, call, args.repeat)
            label = f"{name}{call}"
            print(f"{label:<34} {size:>6} {1000 * before:>8.2f}ms {1000 * after:>9.2f}ms "
                  f"{before / after:>5.1f}x")  # fmt: skip
    print(
        f"machine: {platform.platform()}, {platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {sys.version.split()[0]}, polars {pl.__version__}"
    )
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
