"""Validation: replay the onset of each COW inter-state war and score the cascade's predictions.

For each war of the COW Inter-State War data (v4.0; Sarkees & Wayman 2010):

* **onset** is the first day any participant entered; the states that entered that day are the
  initial belligerents — the initiator's side attacks, the other side is attacked;
* **joiners** are the participants that entered later, on their COW side;
* **candidates** are the states in the system at onset that are not initial belligerents and
  either are tied by a treaty in force (any primary obligation, either direction) to an initial
  belligerent, or get a positive probability from the cascade, or joined.

Models scored on the candidates:

* ``cascade``: the deterministic cascade (every obligated state honours its word) — a state is
  predicted to join on the side the cascade puts it on;
* ``cascade (Monte Carlo)``: the join probabilities (Brier score), predicted joiners where p ≥ 0.5;
* ``baseline``: "allies with a defense pact join" — a state that owes a defense pledge to an
  initial belligerent joins its side (the attacked side when it owes one to both).

A hit is a candidate predicted to join that joined *on the predicted side*. Precision = hits /
predicted, recall = hits / joined (summed over wars), Brier = mean of (p − joined)² over candidates.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

import polars as pl

from foedus import states
from foedus.cascade._montecarlo import deterministic_rounds, plan_for, summarise
from foedus.cascade._rates import Rates


@dataclass
class Validation:
    """Frames: ``summary`` (one row per model), ``states`` (one row per war and candidate), ``wars``."""

    summary: pl.DataFrame
    states: pl.DataFrame
    wars: pl.DataFrame


@functools.cache
def wars_table() -> pl.DataFrame:
    """COW inter-state war participants with their first entry day, as :mod:`foedus.validation`
    reads them (:func:`foedus.validation.cow_wars`: one reader of the war file)."""
    from foedus.validation import cow_wars

    return (
        cow_wars()
        .select(
            pl.col("war").cast(pl.Int64),
            "war_name",
            pl.col("ccode").cast(pl.Int64),
            pl.col("side").cast(pl.Int64),
            (pl.col("initiator") == 1).alias("initiator"),
            "start",
        )
        .sort("war", "start", "ccode")
    )


def _onsets(wars: list[int] | None) -> list[dict]:
    table = wars_table()
    if wars is not None:
        table = table.filter(pl.col("war").is_in(wars))
    out = []
    for (war,), part in table.group_by("war", maintain_order=True):
        onset = part["start"].min()
        first = part.filter(pl.col("start") == onset)
        init_side = first.filter(pl.col("initiator"))["side"]
        attack_side = int(init_side[0]) if init_side.len() else int(first["side"][0])
        attackers = first.filter(pl.col("side") == attack_side)["ccode"].unique().sort().to_list()
        targets = first.filter(pl.col("side") != attack_side)["ccode"].unique().sort().to_list()
        if not attackers or not targets:
            continue
        later = part.filter(pl.col("start") > onset).unique("ccode", keep="first")
        joined = {
            int(c): (0 if s == attack_side else 1)
            for c, s in later.select("ccode", "side").iter_rows()
        }
        out.append(
            {
                "war": int(war),
                "war_name": part["war_name"][0],
                "onset": onset,
                "attackers": attackers,
                "targets": targets,
                "joined": joined,
            }
        )
    return out


def _ties_on(day: dt.date) -> pl.DataFrame:
    from foedus.treaties import ties_frame

    t = ties_frame("registry")
    return t.filter(
        (pl.col("valid_from") <= day) & (pl.col("valid_to").is_null() | (pl.col("valid_to") > day))
    )


def _baseline(day: dt.date, attackers: list[int], targets: list[int]) -> dict[int, int]:
    ties = _ties_on(day).filter(pl.col("kind") == "defense")
    out: dict[int, int] = {}
    for side, group in ((0, attackers), (1, targets)):
        for r in ties.filter(pl.col("beneficiary").is_in(group))["obliged"].unique().to_list():
            if r in attackers or r in targets:
                continue
            out[int(r)] = 1 if side == 1 or out.get(int(r)) == 1 else 0
    return out


def _tied(day: dt.date, belligerents: list[int]) -> set[int]:
    ties = _ties_on(day)
    a = ties.filter(pl.col("beneficiary").is_in(belligerents))["obliged"].to_list()
    b = ties.filter(pl.col("obliged").is_in(belligerents))["beneficiary"].to_list()
    return {int(c) for c in (*a, *b)} - set(belligerents)


def _metrics(model: str, rows: pl.DataFrame, pred: str, side: str, prob: str | None) -> dict:
    predicted = rows.filter(pl.col(pred))
    hits = predicted.filter(pl.col("joined") & (pl.col(side) == pl.col("joined_side"))).height
    joined = rows.filter(pl.col("joined")).height
    brier = None
    if prob is not None and rows.height:
        brier = float(((rows[prob] - rows["joined"].cast(pl.Float64)) ** 2).mean())
    return {
        "model": model,
        "predicted": predicted.height,
        "joined": joined,
        "hits": hits,
        "precision": hits / predicted.height if predicted.height else None,
        "recall": hits / joined if joined else None,
        "brier": brier,
    }


def cascade(
    *,
    wars: list[int] | None = None,
    draws: int = 2000,
    seed: int = 0,
    rates: Rates | None = None,
) -> Validation:
    """Score the cascade against who joined COW inter-state wars (all wars, or ``wars`` by number)."""
    from foedus.cascade import _engine

    rates = rates or Rates()
    state_rows: list[dict] = []
    war_rows: list[dict] = []
    for w in _onsets(wars):
        day: dt.date = w["onset"]
        members = set(states.members_on(day))
        attackers = [a for a in w["attackers"] if a in members]
        targets = [t for t in w["targets"] if t in members]
        if not attackers or not targets:
            continue
        initial = set(attackers) | set(targets)
        table = _engine.closure_of(
            tuple(attackers),
            tuple(targets),
            day,
            include_unknown=rates.unknown > 0,
            check_system=False,
        )
        certain = plan_for(table, Rates.certain(), attackers, targets)
        det = deterministic_rounds(certain, attackers, targets)
        p = plan_for(table, rates, attackers, targets)
        i0, i1 = p.init([(attackers, targets)])
        summary = summarise(p, i0, i1, draws=draws, seed=seed, backend="numpy", device="cpu")
        n = max(summary.rows, 1)
        prob = {
            int(c): (summary.count0[i] / n, summary.count1[i] / n) for i, c in enumerate(p.codes)
        }
        base = _baseline(day, attackers, targets)
        candidates = (
            _tied(day, sorted(initial))
            | {c for c, (a, b) in prob.items() if a + b > 0}
            | set(w["joined"])
            | set(base)
        ) - initial
        candidates &= members | set(w["joined"])
        for c in sorted(candidates):
            p0, p1 = prob.get(c, (0.0, 0.0))
            det_side = det[c][0] if c in det and det[c][1] > 0 else None
            state_rows.append(
                {
                    "war": w["war"],
                    "war_name": w["war_name"],
                    "onset": day,
                    "ccode": c,
                    "abbrev": _abbrev(c),
                    "joined": c in w["joined"],
                    "joined_side": w["joined"].get(c),
                    "cascade": det_side is not None,
                    "cascade_side": det_side,
                    "p_join": p0 + p1,
                    "mc": (p0 + p1) >= 0.5,
                    "mc_side": (0 if p0 > p1 else 1) if p0 + p1 > 0 else None,
                    "baseline": c in base,
                    "baseline_side": base.get(c),
                }
            )
        war_rows.append(
            {
                "war": w["war"],
                "war_name": w["war_name"],
                "onset": day,
                "attackers": [_abbrev(a) for a in attackers],
                "targets": [_abbrev(t) for t in targets],
                "joined": [_abbrev(c) for c in sorted(w["joined"])],
                "cascade_joiners": [_abbrev(c) for c, (_, r) in sorted(det.items()) if r > 0],
            }
        )
    schema = {
        "war": pl.Int64,
        "war_name": pl.Utf8,
        "onset": pl.Date,
        "ccode": pl.Int64,
        "abbrev": pl.Utf8,
        "joined": pl.Boolean,
        "joined_side": pl.Int64,
        "cascade": pl.Boolean,
        "cascade_side": pl.Int64,
        "p_join": pl.Float64,
        "mc": pl.Boolean,
        "mc_side": pl.Int64,
        "baseline": pl.Boolean,
        "baseline_side": pl.Int64,
    }
    frame = pl.DataFrame(state_rows, schema=schema)
    summary = pl.DataFrame(
        [
            _metrics("cascade (deterministic)", frame, "cascade", "cascade_side", None)
            | {"brier": _brier(frame, "cascade")},
            _metrics("cascade (Monte Carlo, p ≥ 0.5)", frame, "mc", "mc_side", "p_join"),
            _metrics("baseline: defense-pact allies join", frame, "baseline", "baseline_side", None)
            | {"brier": _brier(frame, "baseline")},
        ],
        schema={
            "model": pl.Utf8,
            "predicted": pl.Int64,
            "joined": pl.Int64,
            "hits": pl.Int64,
            "precision": pl.Float64,
            "recall": pl.Float64,
            "brier": pl.Float64,
        },
    )
    wars_frame = pl.DataFrame(
        war_rows,
        schema={
            "war": pl.Int64,
            "war_name": pl.Utf8,
            "onset": pl.Date,
            "attackers": pl.List(pl.Utf8),
            "targets": pl.List(pl.Utf8),
            "joined": pl.List(pl.Utf8),
            "cascade_joiners": pl.List(pl.Utf8),
        },
    )
    return Validation(summary=summary, states=frame, wars=wars_frame)


def _abbrev(code: int) -> str:
    return states.abbrev(code) if code in states.codes() else str(code)


def _brier(frame: pl.DataFrame, col: str) -> float | None:
    if not frame.height:
        return None
    return float(((frame[col].cast(pl.Float64) - frame["joined"].cast(pl.Float64)) ** 2).mean())
