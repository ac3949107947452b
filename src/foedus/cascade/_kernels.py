"""Cascade kernels on the CPU: numpy over bit-packed (states × rows) matrices, and a plain loop.

Rows are (scenario, draw) pairs; row ``i`` belongs to scenario ``i // draws``. Every state has one
bit per row on each side (0: the attackers' side, 1: the target's side), 64 rows to a word, so a
round of the cascade is a few gathers, ANDs and an OR-reduction over edges on whole words.

The rule, the same in every kernel and in the plain loop (:func:`reference`):

* round 0: the attackers are on side 0, the targets on side 1;
* every belligerent except the original targets counts as an aggressor against every state of
  the other side (the targets defend themselves; the attackers and every state that joins a
  war are taken to attack the other side);
* in round n, a state not yet at war joins side s if, for an edge (r, b, G, rate) with b on side
  s and some aggressor of the other side in G, it *honours*: its draw ``u[row, r] < rate``. A
  state triggered for both sides in the same round joins the target's side;
* rounds repeat until no state joins.

The plans foedus builds from the engine (see :mod:`foedus.cascade`) hold edges for the target's
side only, all triggered by the original attackers, so there the rule is exactly the engine's
"co-belligerents in the theatre"; the general form is exercised by the tests.

One uniform draw per (row, state) — keyed by the seed, the row and the state's COW code, so it does
not depend on chunking, on the plan or on the rates — makes the model coherent: a state joins as
soon as its most reliable triggered commitment exceeds its reluctance ``u``; raising any rate
never removes a joiner from any draw.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from foedus.cascade._plan import Plan

#: Chunks are whole words of rows.
WORD = 64


#: Draws are 16-bit integers: a state honours a commitment of rate p when its draw is below
#: round(p · 65536), so rates act at a resolution of 1/65536 (0 and 1 exactly).
RESOLUTION = 1 << 16


def thresholds(rates: np.ndarray) -> np.ndarray:
    """The integer thresholds of rates (a draw below its threshold honours)."""
    return np.round(np.asarray(rates, dtype=np.float64) * RESOLUTION).astype(np.int32)


def uniforms(seed: int, codes: np.ndarray, row0: int, rows: int) -> np.ndarray:
    """uint16 (len(codes), rows): the draws of rows row0 … row0+rows−1, one stream per state.

    State ``c``'s stream is PCG64 seeded with (seed, c), read as 16-bit words; row i is its i-th
    word (reached with ``advance``: four per 64-bit step, so ``row0`` must be a multiple of 4).
    A row's draw depends on neither the chunking nor the other states.
    """
    if row0 % 4:
        raise ValueError("row0 must be a multiple of 4")
    out = np.empty((codes.shape[0], rows), dtype=np.uint16)
    for i, code in enumerate(codes.tolist()):
        bits = np.random.PCG64(
            np.random.SeedSequence([int(seed) & 0xFFFFFFFF, int(code) & 0xFFFFFFFF])
        )
        if row0:
            bits.advance(row0 // 4)
        out[i] = bits.random_raw(-(-rows // 4)).view(np.uint16)[:rows]
    return out


def needs_draws(plan: Plan) -> bool:
    """Whether any rate lies strictly between 0 and 1 (otherwise the cascade is deterministic)."""
    return bool(np.any((plan.rate > 0) & (plan.rate < 1)))


def _pack(bits: np.ndarray) -> np.ndarray:
    """bool (..., rows) → uint64 (..., ceil(rows / 64)), zero-padded."""
    packed = np.packbits(bits, axis=-1, bitorder="little")
    if packed.shape[-1] % 8:
        pad = [(0, 0)] * (packed.ndim - 1) + [(0, 8 - packed.shape[-1] % 8)]
        packed = np.pad(packed, pad)
    return np.ascontiguousarray(packed).view(np.uint64)


def _unpack(words: np.ndarray, rows: int) -> np.ndarray:
    return np.unpackbits(
        np.ascontiguousarray(words).view(np.uint8), axis=-1, count=rows, bitorder="little"
    ).view(bool)


class ChunkResult:
    """One chunk's final sides, rounds per row, and optionally each state's entry round.

    The sides are kept as the kernel leaves them: ``parts``, a list of (row indices, packed side 0,
    packed side 1) blocks in the order rows finished. Statistics read the blocks directly;
    :meth:`bools` assembles (k, rows) arrays in row order when a caller needs them.
    """

    __slots__ = ("entry", "k", "parts", "rounds", "row0", "rows")

    def __init__(self, row0, rows, k, parts, rounds, entry) -> None:
        self.row0, self.rows, self.k, self.parts, self.rounds, self.entry = (
            row0,
            rows,
            k,
            parts,
            rounds,
            entry,
        )

    def blocks(self):
        """(row indices within the chunk, bool side 0 (k, n), bool side 1 (k, n)) per block."""
        for idx, p0, p1 in self.parts:
            yield idx, _unpack(p0, idx.size), _unpack(p1, idx.size)

    def bools(self) -> tuple[np.ndarray, np.ndarray]:
        """The sides as bool (k, rows), in row order."""
        t0 = np.zeros((self.rows, self.k), dtype=bool)
        t1 = np.zeros((self.rows, self.k), dtype=bool)
        for idx, b0, b1 in self.blocks():
            t0[idx] = b0.T
            t1[idx] = b1.T
        return np.ascontiguousarray(t0.T), np.ascontiguousarray(t1.T)


def chunk_rows(plan: Plan, total: int, budget_words: int = 1 << 20) -> int:
    """Rows per chunk: edge gathers of (E × words) stay under ``budget_words`` uint64 (8 MiB)."""
    per_row_words = max(plan.n_edges, plan.k, 1) / WORD
    rows = max(WORD, int(budget_words / per_row_words) // WORD * WORD)
    return min(rows, 1 << 17, -(-total // WORD) * WORD)


def run_numpy(
    plan: Plan,
    init0: np.ndarray,
    init1: np.ndarray,
    *,
    draws: int = 1,
    seed: int = 0,
    rows_per_chunk: int | None = None,
    record_entry: bool = False,
    exclusive: bool = True,
    max_rounds: int = 255,
    threads: int | None = None,
):
    """Yield :class:`ChunkResult` for rows 0 … n_scenarios·draws − 1 in order.

    ``exclusive=False`` lets a state sit on both sides (used to bound the reachable states).
    """
    if np.any(plan.rate <= 0):  # a commitment never honoured is no edge
        plan = plan.edges_where(plan.rate > 0)
    n_scen, k = init0.shape
    total = n_scen * draws
    randomised = needs_draws(plan)
    step = rows_per_chunk or chunk_rows(plan, total)
    if step % WORD:
        raise ValueError("rows_per_chunk must be a multiple of 64")
    resp_states = np.unique(plan.resp)
    levels, lvl = np.unique(plan.rate, return_inverse=True)
    # Edges ordered by (responder, rate level): a responder's honour bits depend only on the
    # level, so edges are OR-ed per (responder, level) first and ANDed with those bits once.
    order = np.lexsort((plan.ben, lvl, plan.resp))
    e_resp, e_ben, e_group, e_lvl = plan.resp[order], plan.ben[order], plan.group[order], lvl[order]
    e_slot = np.searchsorted(resp_states, e_resp)
    group_members = [np.flatnonzero(row) for row in plan.members]
    members_f = plan.members.astype(np.float32)
    init0_t, init1_t = np.ascontiguousarray(init0.T), np.ascontiguousarray(init1.T)

    def one(row0: int) -> ChunkResult:
        rows = min(step, total - row0)
        scen = (row0 + np.arange(rows)) // draws
        g0 = np.take(init0_t, scen, axis=1)  # (k, rows) bool: the initial sides
        g1 = np.take(init1_t, scen, axis=1)
        hb = None  # honour bits, bool (n_resp, L, rows): the draw is below the level's rate
        if randomised and plan.n_edges:
            u = uniforms(seed, plan.codes[resp_states], row0, rows)
            hb = u[:, None, :] < thresholds(levels)[None, :, None]
            del u
        rounds = np.zeros(rows, dtype=np.int16)
        entry = None
        if record_entry:
            entry = np.full((k, rows), -1, dtype=np.int16)
            entry[g0 | g1] = 0
        # Groups holding an attacker of every row (who is never a target) are always triggered.
        sure0 = g0.all(axis=1) & ~g1.any(axis=1)
        always1 = (plan.members & sure0).any(axis=1)  # aggressors on side 0 → edges helping side 1
        always0 = np.zeros(plan.members.shape[0], dtype=bool)
        # The working set: rows still changing, bit-packed. A row that gained no belligerent in a
        # round cannot gain one later, so finished rows are dropped ("compacted") as they finish.
        live = np.arange(rows)
        parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        S0, S1 = _pack(g0), _pack(g1)
        g1_init = g1.copy()
        MA = ~_pack(g1)
        H = _pack(hb) if hb is not None else None
        for rnd in range(1, max_rounds + 1):
            if not plan.n_edges:
                break
            inwar = S0 | S1
            cand = []
            for side, other, always in ((S0, S1, always0), (S1, S0, always1)):
                e_idx = np.flatnonzero(side.any(axis=1)[e_ben])
                if e_idx.size == 0:
                    cand.append(None)
                    continue
                act = side[e_ben[e_idx]]
                g_e = e_group[e_idx]
                needs = ~always[g_e]
                if needs.any():
                    any_g = _groups_or(other & MA, group_members, members_f)
                    act[needs] &= any_g[g_e[needs]]
                r_e, l_e = e_resp[e_idx], e_lvl[e_idx]
                key_starts = np.flatnonzero(
                    np.r_[True, (r_e[1:] != r_e[:-1]) | (l_e[1:] != l_e[:-1])]
                )
                per_key = np.bitwise_or.reduceat(act, key_starts, axis=0)
                if H is not None:
                    per_key &= H[e_slot[e_idx][key_starts], l_e[key_starts]]
                r_k = r_e[key_starts]
                starts = np.flatnonzero(np.r_[True, r_k[1:] != r_k[:-1]])
                full = np.zeros_like(side)
                full[r_k[starts]] = np.bitwise_or.reduceat(per_key, starts, axis=0)
                cand.append(full)
            zero = np.zeros_like(S0)
            c0 = cand[0] if cand[0] is not None else zero
            c1 = cand[1] if cand[1] is not None else zero
            if exclusive:
                new1 = c1 & ~inwar
                new0 = c0 & ~inwar & ~new1
            else:
                new0 = c0 & ~S0
                new1 = c1 & ~S1
            changed = new0 | new1
            S0 |= new0
            S1 |= new1
            row_changed = _unpack(np.bitwise_or.reduce(changed, axis=0), live.size)
            rounds[live[row_changed]] = rnd
            if entry is not None:
                st_i, pos = np.nonzero(_unpack(changed, live.size))
                entry[st_i, live[pos]] = rnd
            n_changed = int(row_changed.sum())
            last = n_changed == 0 or rnd == max_rounds
            if last or n_changed < 0.5 * live.size:
                if last:
                    parts.append((live, S0, S1))
                    live = live[:0]
                    break
                b0, b1 = _unpack(S0, live.size), _unpack(S1, live.size)
                keep = row_changed
                done = ~keep
                parts.append(
                    (
                        live[done],
                        _pack(np.compress(done, b0, axis=1)),
                        _pack(np.compress(done, b1, axis=1)),
                    )
                )
                live = live[keep]
                S0 = _pack(np.compress(keep, b0, axis=1))
                S1 = _pack(np.compress(keep, b1, axis=1))
                MA = ~_pack(np.take(g1_init, live, axis=1))
                if hb is not None:
                    H = _pack(np.take(hb, live, axis=2))
        if live.size:
            parts.append((live, S0, S1))
        return ChunkResult(row0, rows, k, parts, rounds, entry)

    starts_rows = list(range(0, total, step))
    workers = min(threads or os.cpu_count() or 1, len(starts_rows))
    if workers <= 1:
        for row0 in starts_rows:
            yield one(row0)
        return
    # numpy releases the GIL in its array loops: chunks run on threads, results come in order.
    with ThreadPoolExecutor(max_workers=workers) as pool:
        pending = [pool.submit(one, r) for r in starts_rows[:workers]]
        nxt = workers
        while pending:
            done = pending.pop(0).result()
            if nxt < len(starts_rows):
                pending.append(pool.submit(one, starts_rows[nxt]))
                nxt += 1
            yield done


def _groups_or(
    agg: np.ndarray, group_members: list[np.ndarray], members_f: np.ndarray
) -> np.ndarray:
    """(n_groups, W) words: for each attacker group, whether some aggressor in it is at war."""
    if len(group_members) <= 64:
        out = np.zeros((len(group_members), agg.shape[1]), dtype=agg.dtype)
        for g, idx in enumerate(group_members):
            if idx.size:
                out[g] = np.bitwise_or.reduce(agg[idx], axis=0)
        return out
    bits = _unpack(agg, agg.shape[1] * WORD).astype(np.float32)
    return _pack((members_f @ bits) > 0.5)


def reference(
    plan: Plan,
    attackers: list[int],
    targets: list[int],
    *,
    draws: int = 1,
    seed: int = 0,
) -> list[tuple[dict[int, int], dict[int, int]]]:
    """The same cascade as a plain Python loop over draws and edges (for tests and the benchmark).

    Returns, per draw, ``(side0, side1)``: dicts from state index to entry round.
    """
    if np.any(plan.rate <= 0):
        plan = plan.edges_where(plan.rate > 0)
    randomised = needs_draws(plan)
    resp_states = np.unique(plan.resp)
    slot_of = {int(r): i for i, r in enumerate(resp_states)}
    members = [set(np.flatnonzero(row).tolist()) for row in plan.members]
    edges = list(
        zip(
            plan.resp.tolist(),
            plan.ben.tolist(),
            plan.group.tolist(),
            plan.rate.tolist(),
            strict=True,
        )
    )
    a_idx = plan.index(attackers).tolist()
    t_idx = plan.index(targets).tolist()
    out = []
    all_u = uniforms(seed, plan.codes[resp_states], 0, draws) if randomised else None
    for d in range(draws):
        side0 = dict.fromkeys(a_idx, 0)
        side1 = dict.fromkeys(t_idx, 0)
        rnd = 0
        while True:
            rnd += 1
            new0, new1 = set(), set()
            for r, b, g, rate in edges:
                if r in side0 or r in side1:
                    continue
                honours = rate >= 1.0 or (
                    randomised and int(all_u[slot_of[r], d]) < int(thresholds([rate])[0])
                )
                if not honours:
                    continue
                if b in side1 and any(a in members[g] for a in side0):
                    new1.add(r)
                if b in side0 and any(a in members[g] and a not in t_idx for a in side1):
                    new0.add(r)
            new0 -= new1
            if not new0 and not new1:
                break
            side0.update(dict.fromkeys(new0, rnd))
            side1.update(dict.fromkeys(new1, rnd))
        out.append((side0, side1))
    return out
