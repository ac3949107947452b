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
    reduce=None,
):
    """Yield :class:`ChunkResult` for rows 0 … n_scenarios·draws − 1 in order.

    ``exclusive=False`` lets a state sit on both sides (used to bound the reachable states).
    ``reduce``: a function applied to each chunk's result on the thread that computed it; its
    values are yielded instead (statistics then run in parallel with the next chunks).
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
    # Honour bits are needed only for the (responder, level) pairs some edge has.
    pairs, e_pair = np.unique(e_slot * max(levels.size, 1) + e_lvl, return_inverse=True)
    p_slot, p_lvl = np.divmod(pairs, max(levels.size, 1))
    group_members = [np.flatnonzero(row) for row in plan.members]
    members_f = plan.members.astype(np.float32)
    init0_t, init1_t = np.ascontiguousarray(init0.T), np.ascontiguousarray(init1.T)
    single = n_scen == 1
    resp_codes = plan.codes[resp_states]
    thr = thresholds(levels)

    def one(row0: int) -> ChunkResult:
        rows = min(step, total - row0)
        n_words = -(-rows // WORD)
        if single:  # every row is the one scenario: its sides as whole words
            full = np.full(n_words, ~np.uint64(0), dtype=np.uint64)
            if rows % WORD:
                full[-1] = np.uint64((1 << (rows % WORD)) - 1)
            zero = np.uint64(0)
            S0 = np.where(init0[0][:, None], full[None, :], zero)
            S1 = np.where(init1[0][:, None], full[None, :], zero)
            sure0 = init0[0] & ~init1[0]
        else:
            scen = (row0 + np.arange(rows)) // draws
            g0 = np.take(init0_t, scen, axis=1)  # (k, rows) bool: the initial sides
            g1 = np.take(init1_t, scen, axis=1)
            S0, S1 = _pack(g0), _pack(g1)
            sure0 = g0.all(axis=1) & ~g1.any(axis=1)
        MA = ~S1  # not an original target: every other belligerent is an aggressor
        H = None  # honour bits, packed (pairs, words): the responder's draw is below the level's rate
        if randomised and plan.n_edges:
            u = uniforms(seed, resp_codes, row0, rows)
            H = _pack(u[p_slot] < thr[p_lvl][:, None])
            del u
        rounds = np.zeros(rows, dtype=np.int16)
        entry = None
        if record_entry:
            entry = np.full((k, rows), -1, dtype=np.int16)
            entry[_unpack(S0 | S1, rows)] = 0
        # Groups holding an attacker of every row (who is never a target) are always triggered.
        always1 = (plan.members & sure0).any(axis=1)  # aggressors on side 0 → edges helping side 1
        always0 = np.zeros(plan.members.shape[0], dtype=bool)
        # The working set: words of 64 rows, some still changing. A row that gained no
        # belligerent in a round cannot gain one later, so words whose rows all stopped changing
        # are dropped ("compacted") as they finish; finished rows in a live word change no more.
        live = np.arange(n_words)
        parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []

        def rows_of(words: np.ndarray) -> np.ndarray:
            ids = (words[:, None] * WORD + np.arange(WORD)).ravel()
            return ids[ids < rows]  # only the chunk's last word is partial, and it comes last

        # Propagation is incremental: a commitment's trigger (its beneficiary at war on a side,
        # an aggressor of its group on the other) only grows, so every state triggered before
        # is already at war and a round needs only the triggers that are new — edges whose
        # beneficiary joined in the last round, or whose group gained an aggressor.
        d0, d1 = S0.copy(), S1.copy()  # what changed in the last round (round 1: everything)
        any_prev: list[np.ndarray | None] = [None, None]
        for rnd in range(1, max_rounds + 1):
            if not plan.n_edges:
                break
            inwar = S0 | S1
            cand = []
            for si, (side, dside, other, always) in enumerate(
                ((S0, d0, S1, always0), (S1, d1, S0, always1))
            ):
                e_mask = dside.any(axis=1)[e_ben]
                any_g = d_any = None
                if not always.all():
                    any_g = _groups_or(other & MA, group_members, members_f)
                    d_any = any_g if any_prev[si] is None else any_g & ~any_prev[si]
                    any_prev[si] = any_g
                    grown = d_any.any(axis=1) & ~always
                    e_mask |= grown[e_group] & side.any(axis=1)[e_ben]
                e_idx = np.flatnonzero(e_mask)
                if e_idx.size == 0:
                    cand.append(None)
                    continue
                b_e, g_e = e_ben[e_idx], e_group[e_idx]
                act = dside[b_e]
                if any_g is not None:
                    needs = np.flatnonzero(~always[g_e])
                    if needs.size:
                        g_n = g_e[needs]
                        act[needs] = (act[needs] & any_g[g_n]) | (side[b_e[needs]] & d_any[g_n])
                r_e, l_e = e_resp[e_idx], e_lvl[e_idx]
                key_starts = np.flatnonzero(
                    np.r_[True, (r_e[1:] != r_e[:-1]) | (l_e[1:] != l_e[:-1])]
                )
                per_key = np.bitwise_or.reduceat(act, key_starts, axis=0)
                if H is not None:
                    per_key &= H[e_pair[e_idx][key_starts]]
                r_k = r_e[key_starts]
                starts = np.flatnonzero(np.r_[True, r_k[1:] != r_k[:-1]])
                full_c = np.zeros_like(side)
                full_c[r_k[starts]] = np.bitwise_or.reduceat(per_key, starts, axis=0)
                cand.append(full_c)
            zero_w = np.zeros_like(S0)
            c0 = cand[0] if cand[0] is not None else zero_w
            c1 = cand[1] if cand[1] is not None else zero_w
            if exclusive:
                new1 = c1 & ~inwar
                new0 = c0 & ~inwar & ~new1
            else:
                new0 = c0 & ~S0
                new1 = c1 & ~S1
            changed = new0 | new1
            S0 |= new0
            S1 |= new1
            d0, d1 = new0, new1
            word_changed = np.bitwise_or.reduce(changed, axis=0)  # (live words,) uint64
            hit = np.flatnonzero(word_changed)
            if hit.size:
                row_bits = _unpack(word_changed[hit], hit.size * WORD)
                ids = (live[hit][:, None] * WORD + np.arange(WORD)).ravel()
                rounds[ids[row_bits]] = rnd
                if entry is not None:
                    st_i, pos = np.nonzero(_unpack(changed[:, hit], hit.size * WORD))
                    entry[st_i, ids[pos]] = rnd
            if hit.size == 0 or rnd == max_rounds:
                parts.append((rows_of(live), S0, S1))
                live = live[:0]
                break
            if hit.size < 0.5 * live.size:
                keep = word_changed != 0
                done = ~keep
                parts.append((rows_of(live[done]), S0[:, done], S1[:, done]))
                live = live[keep]
                S0, S1, MA = S0[:, keep], S1[:, keep], MA[:, keep]
                d0, d1 = d0[:, keep], d1[:, keep]
                any_prev = [a if a is None else a[:, keep] for a in any_prev]
                if H is not None:
                    H = H[:, keep]
        if live.size:
            parts.append((rows_of(live), S0, S1))
        return ChunkResult(row0, rows, k, parts, rounds, entry)

    work = one if reduce is None else (lambda row0: reduce(one(row0)))
    starts_rows = list(range(0, total, step))
    workers = min(threads or os.cpu_count() or 1, len(starts_rows))
    if workers <= 1:
        for row0 in starts_rows:
            yield work(row0)
        return
    # numpy releases the GIL in its array loops: chunks run on threads, results come in order.
    with ThreadPoolExecutor(max_workers=workers) as pool:
        pending = [pool.submit(work, r) for r in starts_rows[:workers]]
        nxt = workers
        while pending:
            done = pending.pop(0).result()
            if nxt < len(starts_rows):
                pending.append(pool.submit(work, starts_rows[nxt]))
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
