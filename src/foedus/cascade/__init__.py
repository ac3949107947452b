"""War cascades (chain-ganging): who is dragged into a war, round by round, and how likely.

Built on the casus-foederis engine's verdicts (:mod:`foedus.obligations`): the cascade never
decides an obligation itself. For a scenario, the engine is asked about the target and then, in
turn, about every state that could join its side — as a new target of the same attackers in the
theatre — and the verdicts it returns (``obligated`` and ``unknown``) form the obligation
adjacency the kernels propagate over (:func:`verdicts`, :func:`plan`).

**Rule.** The engine's own (:data:`foedus.obligations.CASCADE_RULE`, "co-belligerents in the
theatre"): the states obligated to help the target join its side; in the next round each joiner
is a new target of the original attackers, at the scenario's place (the theatre where it
fights), with the scenario's kind of attack and provocation left open; rounds stop when no one
joins; the attacker's side never grows. The kernels themselves are more general (a plan may
hold edges for either side; a state triggered for both sides in one round joins the target's),
which the tests exercise on small hand-made verdict tables.

**Deterministic**: every ``obligated`` commitment is honoured, ``unknown`` ones are not
(:func:`rounds`). **Monte Carlo** (:func:`simulate`): a state honours a triggered commitment with
its rate (:class:`Rates`; 0.745 by default, Leeds, Long & Mitchell 2000). Each state has one
uniform draw per simulated war and joins as soon as the rate of its most reliable triggered
commitment exceeds it — so with every ``obligated`` rate 1 and the ``unknown`` rate 0 the Monte
Carlo reproduces the deterministic joiners exactly, and raising any rate never lowers any join
probability.

**Kernels**: the cascade is propagated over a (draws × states) boolean matrix — numpy on the CPU
(bit-packed, 64 draws a word), torch on a CUDA GPU (``device="cuda"``; ``"auto"`` picks it when
present) — in chunks of draws so memory stays bounded (numpy's draws are 16-bit integers per
state and row, so rates act there at a resolution of 1/65536; torch draws float32 uniforms). Sweeps over every directed dyad run in one process or
on Ray, partitioned and resumable (:mod:`foedus.cascade.sweep`).

>>> from foedus import cascade
>>> cascade.rounds("USA", "PRK", "2025-01-01").filter(pl.col("round") == 1)["abbrev"].to_list()  # doctest: +SKIP
['CHN', 'CUB', 'RUS']
>>> mc = cascade.simulate("USA", "PRK", "2025-01-01", draws=100_000, seed=0)  # doctest: +SKIP
>>> round(mc.p_join("Russia"), 2)  # doctest: +SKIP
0.75
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import polars as pl

from foedus import states
from foedus.cascade import _engine
from foedus.cascade._montecarlo import (
    check_draws,
    deterministic_rounds,
    frames,
    plan_for,
    resolve_backend,
    summarise,
)
from foedus.cascade._plan import Plan, normalise_verdicts
from foedus.cascade._rates import LLM2000_RATE, RATE_PROVENANCE, UNKNOWN_RATE, Rates

__all__ = [
    "LLM2000_RATE",
    "RATE_PROVENANCE",
    "UNKNOWN_RATE",
    "MonteCarlo",
    "Plan",
    "Rates",
    "plan",
    "rounds",
    "simulate",
    "verdicts",
]


# --------------------------------------------------------------------------- scenario


def _scenario(attacker, target, date, place=None, kind=None, provoked=None):
    """The engine's Scenario (names resolved and checked: one-line errors for bad input)."""
    return _engine.scenario(attacker, target, date, place=place, kind=kind, provoked=provoked)


def verdicts(
    attacker, target, date, *, place=None, kind=None, provoked=None, include_unknown: bool = True
) -> pl.DataFrame:
    """The engine's verdicts a scenario's cascade runs on: for the target and every state that could
    join its side (as a new target in the theatre), each responder called ``obligated`` or
    ``unknown``. Columns: ``attacker``, ``target``, ``responder``, ``verdict``, ``treaty_id``,
    ``kind`` (provision kind), ``article``.
    """
    return _engine.closure(
        _scenario(attacker, target, date, place, kind, provoked), include_unknown=include_unknown
    )


# --------------------------------------------------------------------------- plans


def plan(attacker, target, date, rates: Rates | None = None, *, place=None, kind=None, provoked=None,
         verdicts: pl.DataFrame | None = None) -> Plan:  # fmt: skip
    """The obligation adjacency of one scenario under ``rates``, cut to the states it can reach."""
    sc = _scenario(attacker, target, date, place, kind, provoked)
    return _scenario_plan(sc, rates or Rates(), verdicts)


def _scenario_plan(sc, rates: Rates, table: pl.DataFrame | None) -> Plan:
    if table is None:
        table = _engine.closure(sc, include_unknown=rates.unknown > 0)
    return plan_for(table, rates, list(sc.attackers), [sc.target])


# --------------------------------------------------------------------------- deterministic


def rounds(attacker, target, date, *, place=None, kind=None, provoked=None,
           verdicts: pl.DataFrame | None = None) -> pl.DataFrame:  # fmt: skip
    """The deterministic cascade: who joins in which round, on which side, and what triggered it.

    One row per belligerent and trigger. Columns: ``round`` (0 for the scenario's own states),
    ``ccode``, ``abbrev``, ``name``, ``side`` (``attacker`` / ``target``), ``verdict``,
    ``trigger_attacker``, ``trigger_target`` (the aggressor and the ally whose defence obliges
    it), ``treaty_id``, ``article``. Straight from the engine's ``respond(scenario,
    cascade=True)``; with ``verdicts=`` (a hand-made table) the kernel derives the same from it.
    """
    sc = _scenario(attacker, target, date, place, kind, provoked)
    if verdicts is None:
        return _engine.engine_rounds(sc)
    table = normalise_verdicts(verdicts)
    if "article" in verdicts.columns:
        table = table.with_columns(verdicts["article"].cast(pl.Utf8).alias("article"))
    else:
        table = table.with_columns(pl.lit(None, pl.Utf8).alias("article"))
    p = _scenario_plan(sc, Rates.certain(), table)
    entered = deterministic_rounds(p, list(sc.attackers), [sc.target])
    return _rounds_frame(entered, table, sc)


def _rounds_frame(entered: dict[int, tuple[int, int]], table: pl.DataFrame, sc) -> pl.DataFrame:
    rows = []
    for code, (side, rnd) in sorted(
        entered.items(), key=lambda kv: (kv[1][1], kv[1][0] == 1, kv[0])
    ):
        base = {
            "round": rnd,
            "ccode": code,
            "abbrev": states.abbrev(code),
            "name": states.name(code),
            "side": "attacker" if side == 0 else "target",
        }
        if rnd == 0:
            rows.append(
                {
                    **base,
                    "verdict": None,
                    "trigger_attacker": None,
                    "trigger_target": None,
                    "treaty_id": None,
                    "article": None,
                }
            )
            continue
        own = [c for c, (s, r) in entered.items() if s == side and r < rnd]
        enemies = [
            c
            for c, (s, r) in entered.items()
            if s != side and r < rnd and not (r == 0 and c == sc.target)
        ]
        hits = (
            table.filter(
                (pl.col("responder") == code)
                & (pl.col("verdict") == "obligated")
                & pl.col("target").is_in(own)
                & pl.col("attacker").is_in(enemies)
            )
            .unique(["attacker", "target", "treaty_id"])
            .sort("target", "attacker", "treaty_id")
        )
        for hit in hits.iter_rows(named=True):
            rows.append(
                {
                    **base,
                    "verdict": hit["verdict"],
                    "trigger_attacker": hit["attacker"],
                    "trigger_target": hit["target"],
                    "treaty_id": hit["treaty_id"],
                    "article": hit.get("article"),
                }
            )
    return pl.DataFrame(rows, schema=_engine.ROUNDS_SCHEMA)


# --------------------------------------------------------------------------- Monte Carlo


@dataclass
class MonteCarlo:
    """A Monte Carlo run: join probabilities, war-size distribution, most likely coalitions."""

    scenario: dict
    draws: int
    seed: int
    backend: str
    device: str
    seconds: float
    rates: Rates
    states: pl.DataFrame  # ccode, abbrev, name, role, p_join, p_attacker_side, p_target_side, round
    war_size: pl.DataFrame  # size, draws, share
    coalitions: pl.DataFrame  # rank, draws, share, size, attacker_side, target_side, *_ccodes
    meta: dict = field(default_factory=dict)

    def p_join(self, state) -> float:
        """The probability that ``state`` (code or name) ends up at war (1 for the scenario's own)."""
        code = states.resolve(state)
        hit = self.states.filter(pl.col("ccode") == code)
        return float(hit["p_join"][0]) if hit.height else 0.0

    def expected_size(self) -> float:
        return float((self.war_size["size"] * self.war_size["share"]).sum())

    def to_dict(self) -> dict:
        return {
            "scenario": self.scenario,
            "draws": self.draws,
            "seed": self.seed,
            "backend": self.backend,
            "device": self.device,
            "seconds": self.seconds,
            "rates": self.rates.to_dict(),
            "expected_war_size": self.expected_size(),
            "states": self.states.to_dicts(),
            "war_size": self.war_size.to_dicts(),
            "coalitions": self.coalitions.drop(
                "attacker_side_ccodes", "target_side_ccodes"
            ).to_dicts(),
        }


def simulate(
    attacker,
    target,
    date,
    *,
    draws: int = 100_000,
    seed: int = 0,
    rates: Rates | None = None,
    device: str = "auto",
    backend: str | None = None,
    top: int = 10,
    place: str | None = None,
    kind: str | None = None,
    provoked: bool | None = None,
    verdicts: pl.DataFrame | None = None,
    rows_per_chunk: int | None = None,
) -> MonteCarlo:
    """Monte Carlo of the cascade: ``draws`` wars, each commitment honoured with its rate.

    Reproducible: the same seed, rates and backend give the same numbers (numpy's results do not
    depend on the chunk size). ``device``: ``cpu`` (numpy), ``cuda`` (torch), ``auto``.
    """
    draws = check_draws(draws)
    rates = rates or Rates()
    kernel, dev = resolve_backend(device, backend)
    sc = _scenario(attacker, target, date, place, kind, provoked)
    began = time.perf_counter()
    table = (
        normalise_verdicts(verdicts)
        if verdicts is not None
        else _engine.closure(sc, include_unknown=True)
    )
    start = time.perf_counter()
    p = _scenario_plan(sc, rates, table)
    init0, init1 = p.init([(list(sc.attackers), [sc.target])])
    summary = summarise(
        p,
        init0,
        init1,
        draws=draws,
        seed=seed,
        backend=kernel,
        device=dev,
        rows_per_chunk=rows_per_chunk,
    )
    seconds = time.perf_counter() - start
    st, war_size, coalitions = frames(p, summary, states.abbrev, top=top)
    certain = _scenario_plan(sc, Rates.certain(), table)
    det = deterministic_rounds(certain, list(sc.attackers), [sc.target])
    roles = {a: "attacker" for a in sc.attackers} | {sc.target: "target"}
    st = st.with_columns(
        pl.col("ccode").map_elements(states.abbrev, return_dtype=pl.Utf8).alias("abbrev"),
        pl.col("ccode").map_elements(states.name, return_dtype=pl.Utf8).alias("name"),
        pl.col("ccode")
        .replace_strict(roles, default="responder", return_dtype=pl.Utf8)
        .alias("role"),
        pl.col("ccode")
        .replace_strict({c: r for c, (_, r) in det.items()}, default=None, return_dtype=pl.Int64)
        .alias("round"),
    ).select(
        "ccode", "abbrev", "name", "role", "p_join", "p_attacker_side", "p_target_side", "round"
    )
    st = st.sort(pl.col("role") == "responder", -pl.col("p_join"), "ccode")
    device_label = dev
    if kernel == "torch":
        from foedus.cascade._torch import device_name

        device_label = f"{dev} ({device_name(dev)})"
    return MonteCarlo(
        scenario=sc.to_dict(),
        draws=draws,
        seed=seed,
        backend=kernel,
        device=device_label,
        seconds=seconds,
        rates=rates,
        states=st,
        war_size=war_size,
        coalitions=coalitions,
        meta={"states_in_plan": p.k, "edges_in_plan": p.n_edges, "verdict_seconds": start - began},
    )
