"""Monte Carlo over a plan: per-chunk statistics on the chosen backend, merged on the host."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from foedus.cascade._kernels import WORD, _unpack, reference, run_numpy
from foedus.cascade._plan import Plan, build_plan, restrict
from foedus.cascade._rates import Rates
from foedus.errors import InvalidArgument

Device = str  # "cpu", "cuda", "cuda:N", "auto"


def resolve_backend(device: Device = "auto", backend: str | None = None) -> tuple[str, str]:
    """(backend, device): numpy on the CPU, torch on CUDA; ``auto`` takes CUDA when present."""
    from foedus.cascade._torch import cuda_available

    device = (device or "auto").lower()
    if backend not in (None, "numpy", "torch"):
        raise InvalidArgument(f"unknown backend '{backend}': use numpy or torch")
    if device == "auto":
        if backend == "numpy":
            return "numpy", "cpu"
        if cuda_available():
            return "torch", "cuda"
        if backend == "torch":
            return "torch", "cpu"
        return "numpy", "cpu"
    if device == "cpu":
        return (backend or "numpy"), "cpu"
    if re.fullmatch(r"cuda(:\d+)?", device):
        if backend == "numpy":
            raise InvalidArgument("the numpy backend runs on the CPU only: use --device cpu")
        if not cuda_available():
            raise InvalidArgument(
                f"--device {device}: no CUDA device is available here (torch "
                f"{'is' if _has_torch() else 'is not'} installed): use --device cpu or auto"
            )
        return "torch", device
    raise InvalidArgument(f"unknown device '{device}': use cpu, cuda, cuda:N or auto")


def _has_torch() -> bool:
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


def _labels(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Fixed random 64-bit labels per (state, side) for the torch path (key = wrapped sum)."""
    out0 = np.empty(codes.shape[0], dtype=np.int64)
    out1 = np.empty(codes.shape[0], dtype=np.int64)
    for i, code in enumerate(codes.tolist()):
        a, b = np.random.Generator(np.random.PCG64(int(code) + 7919)).integers(
            -(2**63), 2**63 - 1, size=2, dtype=np.int64
        )
        out0[i], out1[i] = a, b
    return out0, out1


def _row_bits(packed: np.ndarray, n: int) -> np.ndarray:
    """A packed side (k states × words of 64 rows) → (n, ceil(k / 8)) uint8: each row's states as a
    little-endian bitset (state i is bit i % 8 of byte i // 8)."""
    bits = _unpack(packed, n).view(np.uint8)  # (k, n), 0/1
    out = np.zeros((-(-bits.shape[0] // 8), n), dtype=np.uint8)
    for i in range(min(8, bits.shape[0])):
        part = bits[i::8]  # states i, i + 8, …: bit i of bytes 0, 1, …
        out[: part.shape[0]] |= part << np.uint8(i)
    return np.ascontiguousarray(out.T)


_MIX1, _MIX2, _GOLD = (
    np.uint64(0xBF58476D1CE4E5B9),
    np.uint64(0x94D049BB133111EB),
    np.uint64(0x9E3779B97F4A7C15),
)


def _coalition_keys(words: np.ndarray) -> np.ndarray:
    """(n, w) uint64 row bitsets → one int64 per row: the bitset itself when it fits one word,
    else a splitmix64 chain over its words (a collision among ~10⁶ coalitions: p < 10⁻⁷)."""
    if words.shape[1] == 1:
        return words[:, 0].view(np.int64)
    key = np.zeros(words.shape[0], dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(words.shape[1]):
            key = (key ^ words[:, j]) * _GOLD
            key ^= key >> np.uint64(30)
            key *= _MIX1
            key ^= key >> np.uint64(27)
            key *= _MIX2
            key ^= key >> np.uint64(31)
    return key.view(np.int64)


@dataclass
class _Summary:
    """Statistics of some rows: per-state side counts, war-size histogram, coalition counts."""

    k: int
    rows: int = 0
    count0: np.ndarray = field(default=None)  # type: ignore[assignment]
    count1: np.ndarray = field(default=None)  # type: ignore[assignment]
    sizes: np.ndarray = field(default=None)  # type: ignore[assignment]
    _keys: list = field(default_factory=list)
    _counts: list = field(default_factory=list)
    _reps0: list = field(default_factory=list)
    _reps1: list = field(default_factory=list)

    def __post_init__(self) -> None:
        self.count0 = np.zeros(self.k, dtype=np.int64)
        self.count1 = np.zeros(self.k, dtype=np.int64)
        self.sizes = np.zeros(self.k + 1, dtype=np.int64)

    def add(self, rows, c0, c1, sizes, keys, counts, reps0, reps1) -> None:
        self.rows += int(rows)
        self.count0 += c0
        self.count1 += c1
        self.sizes += sizes
        self._keys.append(np.asarray(keys))
        self._counts.append(np.asarray(counts))
        self._reps0.append(np.asarray(reps0))
        self._reps1.append(np.asarray(reps1))

    def top(self, n: int) -> list[tuple[int, np.ndarray, np.ndarray]]:
        """The ``n`` most frequent coalitions: (count, side-0 bools, side-1 bools), ties by members."""
        if not self._keys:
            return []
        keys = np.concatenate(self._keys)
        _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
        totals = np.bincount(inverse, weights=np.concatenate(self._counts)).astype(np.int64)
        r0, r1 = np.concatenate(self._reps0)[first], np.concatenate(self._reps1)[first]
        order = np.argsort(-totals, kind="stable")
        cut = totals[order[min(n, order.size) - 1]] if order.size else 0
        chosen = [i for i in order if totals[i] >= cut]  # keep every tie at the cut, then sort them
        ranked = sorted(
            chosen,
            key=lambda i: (
                -totals[i],
                np.flatnonzero(r0[i]).tolist(),
                np.flatnonzero(r1[i]).tolist(),
            ),
        )
        return [(int(totals[i]), r0[i], r1[i]) for i in ranked[:n]]


def _popcount_rows(packed: np.ndarray, n: int) -> np.ndarray:
    """Per state (row of ``packed``), how many of the first ``n`` rows have its bit set."""
    if n % WORD:
        packed = packed.copy()
        packed[:, -1] &= np.uint64((1 << (n % WORD)) - 1)
    return np.bitwise_count(packed).sum(axis=1, dtype=np.int64)


def _numpy_summary(chunk):
    """Statistics of one chunk, block by block (row order does not matter to them), read from the
    kernel's bit-packed sides: counts by popcount, coalitions as per-row bitsets."""
    k = chunk.k
    kb = -(-k // 8)
    c0 = np.zeros(k, dtype=np.int64)
    c1 = np.zeros(k, dtype=np.int64)
    sizes = np.zeros(k + 1, dtype=np.int64)
    keys_all, block_keys, reps0, reps1 = [], [], [], []
    for idx, p0, p1 in chunk.parts:
        n = idx.size
        if n == 0:
            continue
        c0 += _popcount_rows(p0, n)
        c1 += _popcount_rows(p1, n)
        rows = np.zeros((n, -(-2 * kb // 8) * 8), dtype=np.uint8)
        rows[:, :kb] = _row_bits(p0, n)
        rows[:, kb : 2 * kb] = _row_bits(p1, n)
        words = rows.view(np.uint64)
        sizes += np.bincount(np.bitwise_count(words).sum(axis=1), minlength=k + 1)[: k + 1]
        keys = _coalition_keys(words)
        uniq, first = np.unique(keys, return_index=True)
        keys_all.append(keys)
        block_keys.append(uniq)
        rep = rows[first]
        reps0.append(np.unpackbits(rep[:, :kb], axis=1, count=k, bitorder="little").view(bool))
        reps1.append(
            np.unpackbits(rep[:, kb : 2 * kb], axis=1, count=k, bitorder="little").view(bool)
        )
    if not keys_all:
        empty = np.zeros((0, k), dtype=bool)
        return c0, c1, sizes, np.zeros(0, np.int64), np.zeros(0, np.int64), empty, empty
    uniq, counts = np.unique(np.concatenate(keys_all), return_counts=True)
    # a coalition's representative: its first block's; np.unique sorts keys like `uniq`
    _, first_rep = np.unique(np.concatenate(block_keys), return_index=True)
    return (
        c0,
        c1,
        sizes,
        uniq,
        counts,
        np.concatenate(reps0)[first_rep],
        np.concatenate(reps1)[first_rep],
    )


def _torch_reducer(plan: Plan):
    import torch

    l0, l1 = _labels(plan.codes)

    def reduce(s0, s1, rounds):
        dev = s0.device
        k = s0.shape[1]
        c0 = s0.sum(dim=0)
        c1 = s1.sum(dim=0)
        sizes = torch.bincount((s0.sum(dim=1) + s1.sum(dim=1)), minlength=k + 1)[: k + 1]
        keys = (s0.to(torch.int64) * torch.as_tensor(l0, device=dev)).sum(dim=1) + (
            s1.to(torch.int64) * torch.as_tensor(l1, device=dev)
        ).sum(dim=1)
        uniq, inverse, counts = torch.unique(keys, return_inverse=True, return_counts=True)
        idx = torch.arange(keys.shape[0], device=dev)
        first = torch.full((uniq.shape[0],), keys.shape[0], dtype=torch.int64, device=dev)
        first.scatter_reduce_(0, inverse, idx, reduce="amin")
        return (
            s0.shape[0],
            c0.cpu().numpy().astype(np.int64),
            c1.cpu().numpy().astype(np.int64),
            sizes.cpu().numpy().astype(np.int64),
            uniq.cpu().numpy(),
            counts.cpu().numpy().astype(np.int64),
            s0[first].cpu().numpy(),
            s1[first].cpu().numpy(),
        )

    return reduce


def summarise(
    plan: Plan,
    init0: np.ndarray,
    init1: np.ndarray,
    *,
    draws: int,
    seed: int,
    backend: str,
    device: str,
    rows_per_chunk: int | None = None,
) -> _Summary:
    """Run the kernel on one scenario (one row of ``init0``/``init1``) and gather statistics."""
    summary = _Summary(plan.k)
    if backend == "torch":
        from foedus.cascade._torch import run_torch

        for out in run_torch(
            plan,
            init0,
            init1,
            draws=draws,
            seed=seed,
            device=device,
            rows_per_chunk=rows_per_chunk,
            reduce=_torch_reducer(plan),
        ):
            summary.add(*out)
        return summary
    # Each chunk is summarised on the worker thread that ran it (numpy releases the GIL).
    for out in run_numpy(
        plan,
        init0,
        init1,
        draws=draws,
        seed=seed,
        rows_per_chunk=rows_per_chunk,
        reduce=lambda chunk: (chunk.rows, *_numpy_summary(chunk)),
    ):
        summary.add(*out)
    return summary


def reachable(plan: Plan, attackers: list[int], targets: list[int]) -> np.ndarray:
    """Indices of every state that can enter the war in some draw (each side taken apart).

    With every commitment honoured and states allowed on both sides, the cascade reaches a
    superset of what any draw reaches; the Monte Carlo then runs on those states only.
    """
    init0, init1 = plan.init([(attackers, targets)])
    chunk = next(run_numpy(plan.certain(), init0, init1, draws=1, exclusive=False))
    b0, b1 = chunk.bools()
    return np.flatnonzero(b0[:, 0] | b1[:, 0])


def scenario_plan(plan: Plan, attackers: list[int], targets: list[int]) -> Plan:
    """The plan cut to the states the scenario can reach."""
    return restrict(plan, reachable(plan, attackers, targets))


def plan_for(table: pl.DataFrame, rates: Rates, attackers: list[int], targets: list[int]) -> Plan:
    """The plan of a verdict table under ``rates``, cut to the states a war of ``attackers`` on
    ``targets`` can reach (they are indexed even when no verdict names them)."""
    full = build_plan(table, rates, universe=[*attackers, *targets])
    return scenario_plan(full, attackers, targets)


def deterministic_rounds(
    plan: Plan, attackers: list[int], targets: list[int]
) -> dict[int, tuple[int, int]]:
    """ccode → (side, round) when every commitment in ``plan`` is honoured (rates > 0 count as 1)."""
    init0, init1 = plan.init([(attackers, targets)])
    chunk = next(run_numpy(plan.certain(), init0, init1, draws=1, record_entry=True))
    b0, b1 = chunk.bools()
    out = {}
    for i in np.flatnonzero(b0[:, 0] | b1[:, 0]).tolist():
        out[int(plan.codes[i])] = (0 if b0[i, 0] else 1, int(chunk.entry[i, 0]))
    return out


def python_loop(
    plan: Plan, attackers: list[int], targets: list[int], draws: int, seed: int
) -> tuple[np.ndarray, float]:
    """Join frequencies from the plain loop (bench and tests), and its seconds."""
    start = time.perf_counter()
    result = reference(plan, attackers, targets, draws=draws, seed=seed)
    freq = np.zeros(plan.k)
    for side0, side1 in result:
        for i in (*side0, *side1):
            freq[i] += 1
    return freq / max(draws, 1), time.perf_counter() - start


def frames(
    plan: Plan, summary: _Summary, names, top: int = 10
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(states, war_size, coalitions) frames from a summary."""
    n = max(summary.rows, 1)
    codes = plan.codes.tolist()
    states = pl.DataFrame(
        {
            "ccode": codes,
            "p_attacker_side": (summary.count0 / n).tolist(),
            "p_target_side": (summary.count1 / n).tolist(),
        },
        schema={"ccode": pl.Int64, "p_attacker_side": pl.Float64, "p_target_side": pl.Float64},
    ).with_columns((pl.col("p_attacker_side") + pl.col("p_target_side")).alias("p_join"))
    sizes = summary.sizes
    war_size = (
        pl.DataFrame(
            {"size": list(range(sizes.shape[0])), "draws": sizes.tolist()},
            schema={"size": pl.Int64, "draws": pl.Int64},
        )
        .filter(pl.col("draws") > 0)
        .with_columns((pl.col("draws") / n).alias("share"))
    )
    rows = []
    for rank, (count, r0, r1) in enumerate(summary.top(top), start=1):
        a = [codes[i] for i in np.flatnonzero(r0)]
        t = [codes[i] for i in np.flatnonzero(r1)]
        rows.append(
            {
                "rank": rank,
                "draws": int(count),
                "share": count / n,
                "size": len(a) + len(t),
                "attacker_side": [names(c) for c in a],
                "target_side": [names(c) for c in t],
                "attacker_side_ccodes": a,
                "target_side_ccodes": t,
            }
        )
    coalitions = pl.DataFrame(
        rows,
        schema={
            "rank": pl.Int64,
            "draws": pl.Int64,
            "share": pl.Float64,
            "size": pl.Int64,
            "attacker_side": pl.List(pl.Utf8),
            "target_side": pl.List(pl.Utf8),
            "attacker_side_ccodes": pl.List(pl.Int64),
            "target_side_ccodes": pl.List(pl.Int64),
        },
    )
    return states, war_size, coalitions


def check_draws(draws: int) -> int:
    if int(draws) < 1:
        raise InvalidArgument(f"draws = {draws}: ask for at least 1 draw, e.g. --draws 100000")
    return int(draws)
