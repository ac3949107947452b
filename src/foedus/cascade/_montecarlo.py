"""Monte Carlo over a plan: per-chunk statistics on the chosen backend, merged on the host."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from foedus.cascade._kernels import reference, run_numpy
from foedus.cascade._plan import Plan, restrict
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
    if device.startswith("cuda"):
        if backend == "numpy":
            raise InvalidArgument("the numpy backend runs on the CPU only: use --device cpu")
        if not cuda_available():
            raise InvalidArgument(
                f"--device {device}: no CUDA device is available here (torch "
                f"{'is' if _has_torch() else 'is not'} installed): use --device cpu or auto"
            )
        return "torch", device
    raise InvalidArgument(f"unknown device '{device}': use cpu, cuda or auto")


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


_N_LABELS = 5


def _small_labels(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(5, k) float32 labels per side, integers below 2¹¹: their sums over a coalition are exact
    in float32 (k ≤ 4096), so a BLAS product gives five exact sums that hash the coalition."""
    out = np.empty((2, _N_LABELS, codes.shape[0]), dtype=np.float32)
    for i, code in enumerate(codes.tolist()):
        out[:, :, i] = np.random.Generator(np.random.PCG64(int(code) + 104729)).integers(
            0, 1 << 11, size=(2, _N_LABELS)
        )
    return out[0], out[1]


def _coalition_keys(
    b0: np.ndarray, b1: np.ndarray, lab0: np.ndarray, lab1: np.ndarray, active: np.ndarray
) -> np.ndarray:
    sums = lab0[:, active] @ b0[active].astype(np.float32) + lab1[:, active] @ b1[active].astype(
        np.float32
    )
    sums = sums.astype(np.uint64)
    key = np.zeros(sums.shape[1], dtype=np.uint64)
    with np.errstate(over="ignore"):
        for row in sums:
            key = key * np.uint64(0x9E3779B97F4A7C15) + row
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


def _numpy_summary(chunk, lab0: np.ndarray, lab1: np.ndarray):
    """Statistics of one chunk, block by block (row order does not matter to them)."""
    k = chunk.k
    c0 = np.zeros(k, dtype=np.int64)
    c1 = np.zeros(k, dtype=np.int64)
    sizes = np.zeros(k + 1, dtype=np.int64)
    keys_all, block_keys, reps0, reps1 = [], [], [], []
    for _, b0, b1 in chunk.blocks():
        c0 += b0.sum(axis=1)
        c1 += b1.sum(axis=1)
        active = np.flatnonzero(b0.any(axis=1) | b1.any(axis=1))
        sizes += np.bincount(b0[active].sum(axis=0) + b1[active].sum(axis=0), minlength=k + 1)[
            : k + 1
        ]
        keys = _coalition_keys(b0, b1, lab0, lab1, active)
        uniq, first = np.unique(keys, return_index=True)
        keys_all.append(keys)
        block_keys.append(uniq)
        reps0.append(b0[:, first].T)
        reps1.append(b1[:, first].T)
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
    lab0, lab1 = _small_labels(plan.codes)
    for chunk in run_numpy(
        plan, init0, init1, draws=draws, seed=seed, rows_per_chunk=rows_per_chunk
    ):
        summary.add(chunk.rows, *_numpy_summary(chunk, lab0, lab1))
    return summary


def reachable(plan: Plan, attackers: list[int], targets: list[int]) -> np.ndarray:
    """Indices of every state that can enter the war in some draw (each side taken apart).

    With every commitment honoured and states allowed on both sides, the cascade reaches a
    superset of what any draw reaches; the Monte Carlo then runs on those states only.
    """
    init0, init1 = plan.init([(attackers, targets)])
    certain = Plan(**{**plan.__dict__, "rate": np.ones_like(plan.rate)})
    chunk = next(run_numpy(certain, init0, init1, draws=1, exclusive=False))
    b0, b1 = chunk.bools()
    return np.flatnonzero(b0[:, 0] | b1[:, 0])


def scenario_plan(plan: Plan, attackers: list[int], targets: list[int]) -> Plan:
    """The plan cut to the states the scenario can reach."""
    return restrict(plan, reachable(plan, attackers, targets))


def deterministic_rounds(
    plan: Plan, attackers: list[int], targets: list[int]
) -> dict[int, tuple[int, int]]:
    """ccode → (side, round) when every commitment in ``plan`` is honoured (rates > 0 count as 1)."""
    init0, init1 = plan.init([(attackers, targets)])
    certain = Plan(**{**plan.__dict__, "rate": np.ones_like(plan.rate)})
    chunk = next(run_numpy(certain, init0, init1, draws=1, record_entry=True))
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
