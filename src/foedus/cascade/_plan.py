"""A cascade plan: the obligation adjacency that the array kernels propagate over.

Built from a verdict table — one row per (attacker, target, responder) with the casus-foederis
engine's verdict, treaty and provision kind — the plan keeps, for every responder ``r`` and every
state ``b`` it may have to help, the set of attackers ``G`` for which the engine says ``r`` is
obligated (or ``unknown``) to help ``b``, and the honour rate of that commitment:

    edge (r, b, G, rate): r joins b's side when b is at war and some state of G attacks b.

Attacker sets repeat a lot (an alliance's members all exclude the same co-members, most
commitments hold against every attacker), so they are stored once as groups; the kernels test
"some aggressor of the other side is in G" with one matrix product for all groups.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import polars as pl

from foedus.cascade._rates import Rates


@dataclass(frozen=True)
class Plan:
    """Arrays for the kernels (edges sorted by responder) and the states they index."""

    codes: np.ndarray  # (k,) int64: COW code of each state index
    resp: np.ndarray  # (E,) int64: responder index
    ben: np.ndarray  # (E,) int64: index of the state the responder must help
    group: np.ndarray  # (E,) int64: attacker group
    rate: np.ndarray  # (E,) float32: honour rate of the commitment
    members: np.ndarray  # (n_groups, k) bool: which states are in each attacker group
    verdict: np.ndarray  # (E,) str: obligated / unknown

    @property
    def k(self) -> int:
        return int(self.codes.shape[0])

    @property
    def n_edges(self) -> int:
        return int(self.resp.shape[0])

    def index(self, codes) -> np.ndarray:
        """State indices of COW ``codes`` (codes outside the plan are an error)."""
        codes = np.asarray(list(codes), dtype=np.int64)
        pos = np.searchsorted(self.codes, codes)
        pos = np.clip(pos, 0, max(self.k - 1, 0))
        if self.k == 0 or not np.array_equal(self.codes[pos], codes):
            raise KeyError(
                f"states {sorted(set(codes.tolist()) - set(self.codes.tolist()))} are not in the plan"
            )
        return pos

    def edges_where(self, keep: np.ndarray) -> Plan:
        """The same plan with only the edges where ``keep`` is true."""
        return Plan(
            codes=self.codes,
            resp=self.resp[keep],
            ben=self.ben[keep],
            group=self.group[keep],
            rate=self.rate[keep],
            members=self.members,
            verdict=self.verdict[keep],
        )

    def certain(self) -> Plan:
        """The same plan with every commitment honoured (rate 1)."""
        return replace(self, rate=np.ones_like(self.rate))

    def init(self, sides: list[tuple[list[int], list[int]]]) -> tuple[np.ndarray, np.ndarray]:
        """Boolean (n_scenarios, k) masks of the initial attackers and targets."""
        init0 = np.zeros((len(sides), self.k), dtype=bool)
        init1 = np.zeros((len(sides), self.k), dtype=bool)
        for row, (attackers, targets) in enumerate(sides):
            init0[row, self.index(attackers)] = True
            init1[row, self.index(targets)] = True
        return init0, init1


def normalise_verdicts(frame: pl.DataFrame) -> pl.DataFrame:
    """The verdict columns the planner needs, typed; ``kind`` and ``treaty_id`` may be null."""
    missing = {"attacker", "target", "responder", "verdict"} - set(frame.columns)
    if missing:
        raise ValueError(f"verdict table lacks columns {sorted(missing)}")
    cols = [
        pl.col("attacker").cast(pl.Int64),
        pl.col("target").cast(pl.Int64),
        pl.col("responder").cast(pl.Int64),
        pl.col("verdict").cast(pl.Utf8),
        (
            pl.col("treaty_id").cast(pl.Utf8)
            if "treaty_id" in frame.columns
            else pl.lit(None, pl.Utf8).alias("treaty_id")
        ),
        (
            pl.col("kind").cast(pl.Utf8)
            if "kind" in frame.columns
            else pl.lit(None, pl.Utf8).alias("kind")
        ),
    ]
    return frame.select(cols)


def build_plan(verdicts: pl.DataFrame, rates: Rates, universe=()) -> Plan:
    """The plan for a verdict table under ``rates`` (commitments with rate 0 are left out).

    ``universe`` adds states that must be indexable (the scenario's attackers and target) even
    when no verdict names them.
    """
    v = normalise_verdicts(verdicts).filter(pl.col("verdict").is_in(["obligated", "unknown"]))
    # float32 is what the kernels compare against: a rate that rounds to 0 there is no commitment
    v = v.with_columns(rates.expression().cast(pl.Float32).alias("rate")).filter(pl.col("rate") > 0)
    # A responder bound by several commitments for the same attack acts on the most reliable one;
    # its verdict is `obligated` if any of them obliges it.
    per_attack = v.group_by("responder", "target", "attacker").agg(
        pl.col("rate").max(), (pl.col("verdict") == "obligated").any().alias("obligated")
    )
    edges = (
        per_attack.group_by("responder", "target", "rate", "obligated")
        .agg(pl.col("attacker").sort().alias("attackers"))
        .sort("responder", "target", "rate", "obligated")
    )
    groups = edges.select("attackers").unique(maintain_order=True).with_row_index("group")
    edges = edges.join(groups, on="attackers", how="left")
    codes = np.unique(
        np.concatenate(
            [
                np.asarray(list(universe), dtype=np.int64),
                edges["responder"].to_numpy().astype(np.int64),
                edges["target"].to_numpy().astype(np.int64),
                edges["attackers"].explode().drop_nulls().to_numpy().astype(np.int64)
                if edges.height
                else np.zeros(0, np.int64),
            ]
        )
    )
    resp = np.searchsorted(codes, edges["responder"].to_numpy()).astype(np.int64)
    ben = np.searchsorted(codes, edges["target"].to_numpy()).astype(np.int64)
    members = np.zeros((groups.height, codes.shape[0]), dtype=bool)
    for g, attackers in groups.iter_rows():
        members[g, np.searchsorted(codes, np.asarray(attackers, dtype=np.int64))] = True
    order = np.argsort(resp, kind="stable")
    return Plan(
        codes=codes,
        resp=resp[order],
        ben=ben[order],
        group=edges["group"].to_numpy().astype(np.int64)[order],
        rate=edges["rate"].to_numpy().astype(np.float32)[order],
        members=members,
        verdict=np.where(edges["obligated"].to_numpy(), "obligated", "unknown")[order],
    )


def restrict(plan: Plan, keep: np.ndarray) -> Plan:
    """The plan on the states ``keep`` (indices) only: edges among them, groups cut to them."""
    keep = np.unique(np.asarray(keep, dtype=np.int64))
    remap = np.full(plan.k, -1, dtype=np.int64)
    remap[keep] = np.arange(keep.shape[0])
    members = plan.members[:, keep]
    alive = members.any(axis=1)
    ok = (remap[plan.resp] >= 0) & (remap[plan.ben] >= 0) & alive[plan.group]
    used = np.unique(plan.group[ok])
    gremap = np.full(plan.members.shape[0], -1, dtype=np.int64)
    gremap[used] = np.arange(used.shape[0])
    return Plan(
        codes=plan.codes[keep],
        resp=remap[plan.resp[ok]],
        ben=remap[plan.ben[ok]],
        group=gremap[plan.group[ok]],
        rate=plan.rate[ok],
        members=members[used],
        verdict=plan.verdict[ok],
    )
