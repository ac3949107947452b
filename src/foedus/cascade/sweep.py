"""Sweeps: every directed dyad of the state system as a scenario, on one date or every year.

For each directed dyad (attacker, target) the deterministic cascade is the engine's own rule
(``foedus.obligations.respond(scenario, cascade=True)``), computed for every dyad of a date at
once by the engine's batch form (:func:`foedus.obligations.batch.cascade_all`: round 1 from
``respond_all(date)``, the theatre rounds from ``theatre_obligated``) — the same joiners, dyad by
dyad (a test compares them with ``respond`` on random dyads; :func:`engine_cascade` is that
one-dyad path). With ``draws > 0`` each dyad that has a joiner also gets a Monte Carlo run
(:func:`foedus.cascade.simulate`, numpy kernel).

Results go to parquet, one file per (date, attacker) partition::

    OUT/date=2025-01-01/attacker=0002.parquet

Each file is written to a temporary name and renamed into place, so a partition is either
complete or absent; a sweep run again skips the partitions already there (resumable).
``OUT/sweep.json`` records the settings the rows depend on (``draws``, and with draws the seed
and rates), so a folder is only ever resumed with the settings that wrote it.
Partitions run in one process or as Ray tasks (``use_ray=True``; a local Ray by default,
``address=`` for a cluster). A partition's result depends only on its date, attacker, draws and
seed, so both ways give the same table.

Columns: ``date``, ``attacker``, ``target``, ``attacker_abbrev``, ``target_abbrev``,
``n_joiners``, ``joiners`` (COW codes, in order of entry), ``round1`` (the first round's
joiners), ``rounds`` (rounds in which someone joined), ``war_size`` (belligerents in all), and
with ``draws > 0``: ``mc_draws``, ``mc_expected_joiners``, ``mc_p_spread`` (probability that at
least one state joins).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from pathlib import Path

import numpy as np
import polars as pl

from foedus import states
from foedus.cascade._rates import Rates
from foedus.dates import EARLIEST, parse_date, today
from foedus.errors import InvalidArgument

SCHEMA = {
    "date": pl.Date,
    "attacker": pl.Int64,
    "target": pl.Int64,
    "attacker_abbrev": pl.Utf8,
    "target_abbrev": pl.Utf8,
    "n_joiners": pl.Int64,
    "joiners": pl.List(pl.Int64),
    "round1": pl.List(pl.Int64),
    "rounds": pl.Int64,
    "war_size": pl.Int64,
    "mc_draws": pl.Int64,
    "mc_expected_joiners": pl.Float64,
    "mc_p_spread": pl.Float64,
}


def first_round(day: dt.date) -> dict[tuple[int, int], list[int]]:
    """(attacker, target) → the states obligated in round 1, from the engine's batch table."""
    from foedus.obligations import respond_all

    table = respond_all(day).filter(pl.col("verdict") == "obligated")
    grouped = table.group_by("attacker", "target").agg(pl.col("responder").unique().sort())
    return {(a, t): r for a, t, r in grouped.iter_rows()}


def _partition_seed(seed: int, day: dt.date, attacker: int) -> int:
    return int(
        np.random.SeedSequence(
            [int(seed) & 0xFFFFFFFF, day.toordinal(), int(attacker)]
        ).generate_state(1)[0]
    )


#: One dyad's deterministic cascade: round-1 joiners, every joiner in order of entry, rounds.
Found = tuple[list[int], list[int], int]


def cascades(day: dt.date, attackers=None) -> dict[int, dict[int, Found]]:
    """attacker → target → (round1, joiners, rounds) for every dyad with a joiner (batch engine)."""
    from foedus.obligations.batch import cascade_all

    table = cascade_all(day, attackers=attackers)
    out: dict[int, dict[int, Found]] = {}
    for a, t, r1, joiners, n in table.iter_rows():
        out.setdefault(a, {})[t] = (r1, joiners, n)
    return out


def engine_cascade(day: dt.date, attacker: int, target: int) -> tuple[list[int], int]:
    """One dyad's joiners (in order of entry) and rounds, from ``respond(scenario, cascade=True)``."""
    from foedus.obligations import Scenario, respond

    response = respond(Scenario(attackers=(attacker,), target=target, date=day), cascade=True)
    joiners: list[int] = []
    n_rounds = 0
    for rnd in response.rounds:
        if rnd.joined:
            joiners.extend(rnd.joined)
            n_rounds += 1
    return joiners, n_rounds


def evaluate(
    day: dt.date,
    attacker: int,
    targets: list[int],
    found: dict[int, Found],
    abbrevs: dict[int, str],
    *,
    draws: int = 0,
    seed: int = 0,
    rates: Rates | None = None,
) -> pl.DataFrame:
    """The sweep rows of the dyads (``attacker``, t) for t in ``targets``, from their cascades."""
    rows = []
    rng_seed = _partition_seed(seed, day, attacker)
    for t in targets:
        first, joiners, n_rounds = found.get(t, ([], [], 0))
        row = {
            "date": day,
            "attacker": attacker,
            "target": t,
            "attacker_abbrev": abbrevs[attacker],
            "target_abbrev": abbrevs[t],
            "n_joiners": len(joiners),
            "joiners": list(joiners),
            "round1": list(first),
            "rounds": n_rounds,
            "war_size": 2 + len(joiners),
            "mc_draws": None,
            "mc_expected_joiners": None,
            "mc_p_spread": None,
        }
        if draws > 0:
            row |= _monte_carlo(attacker, t, day, draws, rng_seed, rates)
        rows.append(row)
    return pl.DataFrame(rows, schema=SCHEMA)


def evaluate_per_dyad(
    day: dt.date,
    attacker: int,
    targets: list[int],
    round1: dict[int, list[int]],
    abbrevs: dict[int, str],
) -> pl.DataFrame:
    """:func:`evaluate` the slow way: :func:`engine_cascade` for every dyad with a round-1 joiner
    (the benchmark's and the tests' reference)."""
    found = {}
    for t in targets:
        if round1.get(t):
            joiners, n = engine_cascade(day, attacker, t)
            found[t] = (list(round1[t]), joiners, n)
    return evaluate(day, attacker, targets, found, abbrevs)


def _monte_carlo(
    attacker: int, target: int, day: dt.date, draws: int, seed: int, rates: Rates | None
) -> dict:
    from foedus import cascade

    mc = cascade.simulate(attacker, target, day, draws=draws, seed=seed, rates=rates, device="cpu")
    sizes = mc.war_size
    joiners = (sizes["size"] - 2) * sizes["share"]
    spread = sizes.filter(pl.col("size") > 2)["share"].sum()
    return {
        "mc_draws": draws,
        "mc_expected_joiners": float(joiners.sum()),
        "mc_p_spread": float(spread),
    }


def sweep_date(
    date, *, draws: int = 0, seed: int = 0, rates: Rates | None = None, attackers=None
) -> pl.DataFrame:
    """Every directed dyad on ``date`` (or those of ``attackers``) in this process, as one frame."""
    day = parse_date(date)
    members = states.members_on(day)
    chosen = members if attackers is None else [states.resolve(a, on=day) for a in attackers]
    found = cascades(day, attackers=chosen)
    abbrevs = {c: states.abbrev(c) for c in members}
    parts = [
        evaluate(
            day,
            a,
            [t for t in members if t != a],
            found.get(a, {}),
            abbrevs,
            draws=draws,
            seed=seed,
            rates=rates,
        )
        for a in chosen
    ]
    return pl.concat(parts).sort("attacker", "target") if parts else pl.DataFrame(schema=SCHEMA)


def _round1_for(r1: dict[tuple[int, int], list[int]], attacker: int) -> dict[int, list[int]]:
    return {t: v for (a, t), v in r1.items() if a == attacker}


def _partition_path(out: Path, day: dt.date, attacker: int) -> Path:
    return out / f"date={day.isoformat()}" / f"attacker={attacker:04d}.parquet"


def _run_partition(day, attacker, targets, found, abbrevs, draws, seed, target, rates=None) -> int:
    from foedus.data._store import write_atomic

    frame = evaluate(day, attacker, targets, found, abbrevs, draws=draws, seed=seed, rates=rates)
    write_atomic(frame, Path(target))
    return frame.height


def _settings(draws: int, seed: int, rates: Rates | None) -> dict:
    """What a partition's rows depend on besides its date and attacker (JSON types)."""
    settings: dict = {"draws": int(draws)}
    if draws > 0:
        settings |= {"seed": int(seed), "rates": (rates or Rates()).to_dict()}
    return json.loads(json.dumps(settings))  # as read back: int keys of by_state become strings


def _claim(out: Path, settings: dict) -> None:
    """Record ``settings`` in ``out/sweep.json``, or refuse a folder written with other settings
    (skipping its partitions would mix two sweeps in one table)."""
    if out.exists() and not out.is_dir():
        raise InvalidArgument(f"{out} is a file: give a folder for the sweep's partitions")
    path = out / "sweep.json"
    if path.is_file():
        try:
            before = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            before = None
        if before != settings:
            raise InvalidArgument(
                f"{out} holds a sweep written with other settings ({path.name}: "
                f"{json.dumps(before)}): resume it with those, or write to another --out folder"
            )
        return
    from foedus.data import atomic_target

    with atomic_target(path) as tmp:
        Path(tmp).write_text(json.dumps(settings, indent=2), encoding="utf-8")


def _dates(date, start, end) -> list[dt.date]:
    if date is not None:
        if start is not None or end is not None:
            raise InvalidArgument("give either --date or --from/--to, not both")
        return [parse_date(date)]
    if start is None:
        raise InvalidArgument("give --date YYYY-MM-DD or --from YEAR [--to YEAR]")
    first, last = EARLIEST.year, today().year
    end = last if end is None else int(end)
    if not first <= int(start) <= end <= last:
        raise InvalidArgument(f"years {start}–{end} must lie within {first}–{last}, first ≤ last")
    return [dt.date(y, 1, 1) for y in range(int(start), end + 1)]


def run(
    out,
    *,
    date=None,
    start: int | None = None,
    end: int | None = None,
    draws: int = 0,
    seed: int = 0,
    rates: Rates | None = None,
    use_ray: bool = False,
    address: str | None = None,
    attackers=None,
) -> dict:
    """Write the sweep's partitions under ``out`` (skipping those already there); a report dict.

    ``attackers`` limits the sweep to some attackers (each still against every other state).
    """
    out = Path(out)
    began = time.perf_counter()
    days = _dates(date, start, end)
    _claim(out, _settings(draws, seed, rates))
    skipped = 0
    jobs: list[tuple] = []
    for day in days:
        members = states.members_on(day)
        chosen = members if attackers is None else [states.resolve(a, on=day) for a in attackers]
        todo = [a for a in chosen if not _partition_path(out, day, a).is_file()]
        skipped += len(chosen) - len(todo)
        if not todo:
            continue
        found = cascades(day, attackers=todo)
        abbrevs = {c: states.abbrev(c) for c in members}
        for a in todo:
            targets = [t for t in members if t != a]
            jobs.append(
                (
                    day,
                    a,
                    targets,
                    found.get(a, {}),
                    abbrevs,
                    draws,
                    seed,
                    str(_partition_path(out, day, a)),
                    rates,
                )
            )
    counts = _run_ray(jobs, address) if use_ray else [_run_partition(*job) for job in jobs]
    rows, written = int(sum(counts)), len(counts)
    return {
        "out": str(out),
        "dates": [d.isoformat() for d in days],
        "partitions": written + skipped,
        "written": written,
        "skipped": skipped,
        "rows": rows,
        "draws": draws,
        "seed": seed,
        "engine": "ray" if use_ray else "single process",
        "seconds": time.perf_counter() - began,
    }


def import_ray():
    try:
        import ray
    except ImportError:
        raise InvalidArgument(
            "the Ray sweep needs Ray: `pip install foedus[ray]` (or run without --ray)"
        ) from None
    return ray


def _run_ray(jobs: list[tuple], address: str | None) -> list[int]:
    ray = import_ray()
    started_here = False
    if not ray.is_initialized():
        # Workers read the same data: pass the FOEDUS_* settings (data folder, cache) along.
        env = {k: v for k, v in os.environ.items() if k.startswith("FOEDUS_")}
        kwargs = {"runtime_env": {"env_vars": env}, "log_to_driver": False}
        if address:
            ray.init(address=address, **kwargs)
        else:
            ray.init(include_dashboard=False, num_cpus=os.cpu_count() or 1, **kwargs)
        started_here = True
    try:
        task = ray.remote(_run_partition)
        return list(ray.get([task.remote(*job) for job in jobs]))
    finally:
        if started_here:
            ray.shutdown()


def read(out) -> pl.DataFrame:
    """Every partition under ``out`` as one frame, sorted by date, attacker, target."""
    files = sorted(Path(out).glob("date=*/attacker=*.parquet"))
    if not files:
        return pl.DataFrame(schema=SCHEMA)
    return pl.concat([pl.read_parquet(f) for f in files]).sort("date", "attacker", "target")
