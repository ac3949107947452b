"""The cascade kernel in torch: dense boolean (rows × states) tensors, for a CUDA GPU.

Same rule as :mod:`foedus.cascade._kernels` (see there). The uniforms come from torch's own
generator on the device, seeded per chunk, so results are reproducible for a seed and device
but are not the numpy kernel's draws: the two agree on statistics, not draw by draw.

torch is optional (``pip install foedus[gpu]``) and imported only here, lazily.
"""

from __future__ import annotations

import numpy as np

from foedus.cascade._kernels import needs_draws
from foedus.cascade._plan import Plan
from foedus.errors import InvalidArgument


def import_torch():
    try:
        import torch
    except ImportError:
        raise InvalidArgument(
            "the torch backend needs PyTorch: `pip install foedus[gpu]` (or use --device cpu)"
        ) from None
    return torch


def cuda_available() -> bool:
    """Whether torch is installed and sees a CUDA device (False without torch, never raises)."""
    try:
        import torch
    except ImportError:
        return False
    try:
        return bool(torch.cuda.is_available())
    except Exception:  # a broken driver install is "no CUDA", not a crash
        return False


def device_name(device: str) -> str:
    torch = import_torch()
    if device.startswith("cuda"):
        return torch.cuda.get_device_name(torch.device(device))
    return "cpu (torch)"


def run_torch(
    plan: Plan,
    init0: np.ndarray,
    init1: np.ndarray,
    *,
    draws: int = 1,
    seed: int = 0,
    device: str = "cuda",
    rows_per_chunk: int | None = None,
    max_rounds: int = 255,
    reduce,
):
    """Yield ``reduce(side0, side1, rounds)`` chunk by chunk: the bool (rows, k) sides and the
    rounds per row stay on the device, so statistics are computed there and only what ``reduce``
    returns (small arrays) is copied back.
    """
    torch = import_torch()
    if np.any(plan.rate <= 0):  # a commitment never honoured is no edge
        plan = plan.edges_where(plan.rate > 0)
    dev = torch.device(device)
    n_scen, k = init0.shape
    total = n_scen * draws
    edges = max(plan.n_edges, 1)
    step = rows_per_chunk or max(
        1024, min(total, int(2**28 // (edges + 2 * k + plan.members.shape[0])))
    )
    i0_all = torch.as_tensor(init0, device=dev)
    i1_all = torch.as_tensor(init1, device=dev)
    resp = torch.as_tensor(plan.resp, device=dev)
    ben = torch.as_tensor(plan.ben, device=dev)
    group = torch.as_tensor(plan.group, device=dev)
    rate = torch.as_tensor(plan.rate, device=dev)
    members = (
        torch.as_tensor(plan.members, device=dev).to(torch.float32).T.contiguous()
    )  # (k, n_groups)
    resp_states, slot = np.unique(plan.resp, return_inverse=True)
    slot_t = torch.as_tensor(slot, device=dev)
    randomised = needs_draws(plan)
    gen = torch.Generator(device=dev)
    for chunk, row0 in enumerate(range(0, total, step)):
        rows = min(step, total - row0)
        scen = torch.div(torch.arange(row0, row0 + rows, device=dev), draws, rounding_mode="floor")
        s0 = i0_all[scen].clone()
        s1 = i1_all[scen].clone()
        may_attack = ~s1
        hon = None
        if randomised and plan.n_edges:
            gen.manual_seed((int(seed) * 1_000_003 + chunk) & 0x7FFFFFFFFFFFFFFF)
            u = torch.rand((rows, resp_states.shape[0]), generator=gen, device=dev)
            hon = u[:, slot_t] < rate  # (rows, E)
        rounds = torch.zeros(rows, dtype=torch.int16, device=dev)
        for rnd in range(1, max_rounds + 1):
            if not plan.n_edges:
                break
            inwar = s0 | s1
            cand = []
            for side, other in ((s0, s1), (s1, s0)):
                any_g = ((other & may_attack).to(torch.float32) @ members) > 0.5  # (rows, n_groups)
                act = side[:, ben] & any_g[:, group]
                if hon is not None:
                    act &= hon
                hits = torch.zeros((rows, k), dtype=torch.int32, device=dev)
                hits.index_add_(1, resp, act.to(torch.int32))
                cand.append(hits > 0)
            new1 = cand[1] & ~inwar
            new0 = cand[0] & ~inwar & ~new1
            changed = new0 | new1
            row_changed = changed.any(dim=1)
            if not bool(row_changed.any()):
                break
            s0 |= new0
            s1 |= new1
            rounds[row_changed] = rnd
        yield reduce(s0, s1, rounds)
