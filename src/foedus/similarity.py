"""Alliance-portfolio similarity for every dyad-year: S, weighted S, tau-b, kappa and pi.

A state's *alliance portfolio* in a year is its row of alliance ties with every member of the
state system that year, itself included, each coded on an ordinal scale. Two states with
similar portfolios are taken to have similar security interests (Bueno de Mesquita 1975).
Measures compare the two rows ``x`` (state 1) and ``y`` (state 2) over the ``n`` states ``k``
of the system.

Ordinal coding
--------------
Signorino & Ritter (1999) code COW alliance types as 3 defence pact, 2 neutrality or
non-aggression pact, 1 entente, 0 none. foedus maps ATOP's obligations onto that scale
(``coding="sr"``, the default):

====  ==========================================================  ===================
code  ATOP obligations of state 1 toward state k in the year       COW analogue
====  ==========================================================  ===================
3     defense or offense                                           defence pact (I)
2     neutrality or non-aggression (and no defense/offense)        neutrality/non-agg. (II)
1     consultation only                                            entente (III)
0     none                                                         no alliance
====  ==========================================================  ===================

``coding="fpsim"`` is the ATOP ranking used by Miller's fpsim package (which attributes it
to Chiba et al.): 3 defense/offense, 2 neutrality or consultation, 1 non-aggression only,
0 none.
Every state is coded 3 with itself (it is maximally committed to its own defence), as in
Signorino & Ritter. Portfolios are directed by default: row ``x`` holds state 1's own
obligations toward each ``k`` (``directed=False`` codes a tie in either direction).

Measures (``d(a, b)`` is the distance between two codes, scaled by the range ``R = 3``)
------------------------------------------------------------------------------------
* ``s`` — Signorino & Ritter's S with absolute distances:
  ``1 − 2 Σ_k |x_k − y_k| / (n R)``, in [−1, 1].
* ``s_sq`` — S with squared distances: ``1 − 2 Σ_k ((x_k − y_k)/R)² / n``.
* ``s_w``, ``s_wsq`` — the same weighted by each state k's share of capabilities (CINC,
  NMC v7.0): ``1 − 2 Σ_k w_k d_k / Σ_k w_k``; states without a CINC score are left out, and
  the measure is null in years without CINC scores (after 2022).
* ``tau_b`` — Kendall's tau-b between x and y (Bueno de Mesquita 1975), in [−1, 1]; null
  when either portfolio is constant (tau-b is undefined then).
* ``kappa`` — Cohen's weighted kappa as adjusted by Häge (2011):
  ``1 − D_o / D_e``, with ``D_o = Σ_ab d(a,b) p_ab`` the observed mean squared distance and
  ``D_e = Σ_ab d(a,b) p_a· p_·b`` the distance expected by chance from each state's own
  distribution of codes; ``d(a,b) = ((a − b)/R)²``.
* ``pi`` — Scott's pi (Häge 2011): as kappa, but chance agreement from the pooled
  distribution of both portfolios, ``D_e = Σ_ab d(a,b) p̄_a p̄_b``.

Identical portfolios score 1 on every measure (kappa and pi are set to 1 when both
portfolios are the same single code, where ``D_e = 0``). All measures are symmetric.

References
----------
Bueno de Mesquita, B. 1975. "Measuring Systemic Polarity." Journal of Conflict Resolution
19(2): 187–216. Signorino, C. S. and J. M. Ritter. 1999. "Tau-b or Not Tau-b: Measuring the
Similarity of Foreign Policy Positions." International Studies Quarterly 43(1): 115–144.
Häge, F. M. 2011. "Choice or Circumstance? Adjusting Measures of Foreign Policy Similarity
for Chance Agreement." Political Analysis 19(3): 287–305.

>>> t = similarity(1962, "kappa")
>>> t.columns
['ccode1', 'ccode2', 'year', 'kappa']
>>> t.filter((pl.col("ccode1") == 2) & (pl.col("ccode2") == 200))["kappa"].round(3).to_list()  # doctest: +SKIP
[0.401]
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import polars as pl

from foedus.errors import InvalidArgument

#: Every measure :func:`similarity` computes, in output order.
MEASURES: tuple[str, ...] = ("s", "s_sq", "s_w", "s_wsq", "tau_b", "kappa", "pi")
CODINGS: tuple[str, ...] = ("sr", "fpsim")
SOURCES: tuple[str, ...] = ("foedus", "atop")

#: Highest code minus lowest (the range R of the ordinal scale).
RANGE = 3
LEVELS = np.arange(RANGE + 1)

Coding = Literal["sr", "fpsim"]
Source = Literal["foedus", "atop"]


# --------------------------------------------------------------------------- kernels


def _distance(power: int) -> np.ndarray:
    """``d(a, b) = (|a − b| / R) ** power`` for the codes 0..R."""
    return (np.abs(LEVELS[:, None] - LEVELS[None, :]) / RANGE) ** power


def _as_codes(values: Sequence[int] | np.ndarray) -> np.ndarray:
    codes = np.asarray(values)
    if codes.ndim != 1:
        raise InvalidArgument("a portfolio is a one-dimensional sequence of codes 0..3")
    if codes.size and (
        codes.min() < 0 or codes.max() > RANGE or not np.all(codes == np.round(codes))
    ):
        raise InvalidArgument(f"portfolio codes must be integers 0..{RANGE}")
    return codes.astype(np.int64)


@dataclass(frozen=True)
class _Tables:
    """Contingency tables of every pair of portfolios in one year."""

    counts: np.ndarray  # (L, L, N, N): counts[a, b, i, j] = #k with P[i,k] = a and P[j,k] = b
    n: int  # number of items (states)
    wcounts: np.ndarray | None  # the same, weighted by w_k (items with a weight only)
    wtotal: float  # Σ w_k over the items with a weight


def _counts(onehot: np.ndarray, weights: np.ndarray | None) -> tuple[np.ndarray, float]:
    """counts[a, b, i, j] = Σ_k w_k [P_ik = a][P_jk = b] (w = 1 without weights), and Σ_k w_k.

    Only the codes 1..3 need matrix products: most ties are 0 (no alliance), and the cells
    with a 0 follow from the row totals, which halves the work.
    """
    levels, n_rows, _ = onehot.shape
    # Unweighted counts are small integers, exact in float32 (twice as fast); weights need float64.
    if weights is None:
        left, total = onehot, float(onehot.shape[2])
    else:
        onehot = onehot.astype(np.float64)
        left, total = onehot * weights, float(weights.sum())
    rows = left.sum(axis=2)  # (L, N): Σ_k w_k [P_ik = a]
    counts = np.empty((levels, levels, n_rows, n_rows), dtype=left.dtype)
    for a in range(1, levels):
        for b in range(a, levels):
            counts[a, b] = left[a] @ onehot[b].T
            if b != a:
                counts[b, a] = left[b] @ onehot[a].T
    for a in range(1, levels):
        counts[a, 0] = rows[a][:, None] - counts[a, 1:].sum(axis=0)
        counts[0, a] = rows[a][None, :] - counts[1:, a].sum(axis=0)
    counts[0, 0] = total - counts[1:].sum(axis=(0, 1)) - counts[0, 1:].sum(axis=0)
    return counts.astype(np.float64, copy=False), total


def _tables(portfolios: np.ndarray, weights: np.ndarray | None) -> _Tables:
    """Contingency tables for all pairs of rows of ``portfolios`` (N × n codes)."""
    onehot = np.stack([(portfolios == a) for a in LEVELS]).astype(np.float32)  # (L, N, n)
    counts, n = _counts(onehot, None)
    wcounts, wtotal = None, 0.0
    if weights is not None:
        known = ~np.isnan(weights)
        if known.any() and weights[known].sum() > 0:
            wcounts, wtotal = _counts(onehot[:, :, known], weights[known])
    return _Tables(counts, int(n), wcounts, wtotal)


def _s(table: np.ndarray, total: float, power: int) -> np.ndarray:
    dist = np.tensordot(_distance(power), table, axes=([0, 1], [0, 1]))
    return 1.0 - 2.0 * dist / total


def _chance(table: _Tables, power: int, pooled: bool) -> np.ndarray:
    """1 − D_o / D_e for every pair (kappa when not pooled, pi when pooled)."""
    d = _distance(power)
    observed = np.tensordot(d, table.counts, axes=([0, 1], [0, 1])) / table.n
    share = table.counts.sum(axis=1)[:, :, 0] / table.n  # (L, N): share of each code in row i
    cross = share.T @ d @ share  # (N, N): Σ_ab d(a,b) p_i(a) p_j(b)
    if pooled:
        own = np.diag(cross)
        expected = (own[:, None] + own[None, :] + 2.0 * cross) / 4.0
    else:
        expected = cross
    with np.errstate(divide="ignore", invalid="ignore"):
        value = 1.0 - observed / expected
    # D_e = 0 only when both rows are the same single code: perfect agreement.
    return np.where(expected > 0, value, np.where(observed == 0, 1.0, np.nan))


def _concordance_matrix() -> np.ndarray:
    """T[(a,b),(a',b')] = sign(a'-a)·sign(b'-b)/2: Σ T n n' over cell pairs is P − Q."""
    lv = LEVELS
    sx = np.sign(lv[None, :] - lv[:, None])  # sx[a, a'] = sign(a' − a)
    t = np.einsum("ac,bd->abcd", sx, sx) / 2.0  # ordered pairs count each item pair twice
    return t.reshape(len(lv) ** 2, len(lv) ** 2)


_CONCORDANCE = _concordance_matrix()


def _tau_b(table: _Tables) -> np.ndarray:
    counts = table.counts
    levels, _, n_rows, _ = counts.shape
    cells = counts.reshape(levels * levels, n_rows * n_rows)
    # Concordant minus discordant pairs of items, from the contingency table of each pair.
    difference = (cells * (_CONCORDANCE @ cells)).sum(axis=0).reshape(n_rows, n_rows)
    n = table.n
    pairs = n * (n - 1) / 2.0
    share = counts.sum(axis=1)[:, :, 0]  # (L, N): count of each code in row i
    ties = (share * (share - 1) / 2.0).sum(axis=0)  # (N,)
    denom = np.sqrt(np.outer(pairs - ties, pairs - ties))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(denom > 0, difference / denom, np.nan)


def pairwise(
    portfolios: np.ndarray, weights: np.ndarray | None = None, measures: Iterable[str] = MEASURES
) -> dict[str, np.ndarray]:
    """Every measure for every pair of rows of ``portfolios`` (N × n integer codes 0..3).

    Returns ``{measure: N × N array}``; ``weights`` (length n, NaN = unknown) are needed for
    ``s_w`` and ``s_wsq`` (all NaN without them). Vectorised over pairs: the work is a few
    N × n × N matrix products per year, however many dyads there are.

    >>> p = np.array([[3, 3, 0], [3, 3, 0], [0, 1, 3]])
    >>> out = pairwise(p, measures=["s", "kappa"])
    >>> float(out["s"][0, 1]), float(out["kappa"][0, 1])
    (1.0, 1.0)
    """
    wanted = list(measures)
    codes = np.asarray(portfolios)
    if codes.ndim != 2:
        raise InvalidArgument("portfolios must be a two-dimensional array (states × states)")
    table = _tables(codes, None if weights is None else np.asarray(weights, dtype=np.float64))
    out: dict[str, np.ndarray] = {}
    nan = np.full(codes.shape[0:1] * 2, np.nan)
    for m in wanted:
        if m == "s":
            out[m] = _s(table.counts, table.n, 1)
        elif m == "s_sq":
            out[m] = _s(table.counts, table.n, 2)
        elif m == "s_w":
            out[m] = _s(table.wcounts, table.wtotal, 1) if table.wcounts is not None else nan
        elif m == "s_wsq":
            out[m] = _s(table.wcounts, table.wtotal, 2) if table.wcounts is not None else nan
        elif m == "tau_b":
            out[m] = _tau_b(table)
        elif m == "kappa":
            out[m] = _chance(table, 2, pooled=False)
        elif m == "pi":
            out[m] = _chance(table, 2, pooled=True)
        else:
            raise InvalidArgument(
                f"unknown similarity measure '{m}': use one of {', '.join(MEASURES)}"
            )
    return out


def compare(
    x: Sequence[int],
    y: Sequence[int],
    measure: str = "kappa",
    weights: Sequence[float] | None = None,
) -> float | None:
    """One measure for two portfolios ``x`` and ``y`` (codes 0..3 over the same states).

    >>> compare([3, 0, 0, 1], [3, 0, 0, 1], "tau_b")
    1.0
    >>> compare([3, 3, 0, 0], [0, 0, 3, 3], "s")
    -1.0
    """
    a, b = _as_codes(x), _as_codes(y)
    if a.shape != b.shape or a.size == 0:
        raise InvalidArgument("the two portfolios must be non-empty and of the same length")
    w = None if weights is None else np.asarray(weights, dtype=np.float64)
    if w is not None and w.shape != a.shape:
        raise InvalidArgument("weights must have one value per state in the portfolios")
    value = pairwise(np.stack([a, b]), w, [measure])[measure][0, 1]
    return None if np.isnan(value) else float(value)


# --------------------------------------------------------------------------- portfolios


def _levels(flags: pl.DataFrame, prefix: str, coding: str) -> pl.Expr:
    c = {
        k: pl.col(f"{prefix}_{k}") == 1
        for k in ("defense", "offense", "neutral", "nonagg", "consul")
    }
    if coding == "sr":
        return (
            pl.when(c["defense"] | c["offense"]).then(3)
            .when(c["neutral"] | c["nonagg"]).then(2)
            .when(c["consul"]).then(1)
            .otherwise(0)
        )  # fmt: skip
    return (
        pl.when(c["defense"] | c["offense"]).then(3)
        .when(c["neutral"] | c["consul"]).then(2)
        .when(c["nonagg"]).then(1)
        .otherwise(0)
    )  # fmt: skip


def _measures(measure: str | Sequence[str] | None) -> list[str]:
    """The measures asked for (default: all), each checked."""
    wanted = [measure] if isinstance(measure, str) else list(measure or MEASURES)
    unknown = [m for m in wanted if m not in MEASURES]
    if unknown or not wanted:
        raise InvalidArgument(
            f"unknown similarity measure {unknown or wanted}: use one of {', '.join(MEASURES)}"
        )
    return wanted


def _check_source(source: str) -> None:
    if source not in SOURCES:
        raise InvalidArgument(
            f"unknown portfolio source '{source}': use 'foedus' (ATOP + curated registry) or 'atop'"
        )


def coverage(source: Source = "foedus") -> tuple[int, int]:
    """First and last year :func:`similarity` can compute for ``source``."""
    from foedus.panels import coverage as system_coverage
    from foedus.panels.atop import ATOP_LAST
    from foedus.panels.foedus_alliance import foedus_coverage

    first, last_system = system_coverage("cow")
    last_source = ATOP_LAST if source == "atop" else foedus_coverage()[1]
    return first, min(last_system, last_source)


def portfolio_levels(
    source: Source = "foedus", coding: Coding = "sr", directed: bool = True
) -> pl.DataFrame:
    """``ccode1, ccode2, year, level``: the ordinal code of every directed tie (non-zero only)."""
    from foedus.dates import today

    _check_source(source)
    if coding not in CODINGS:
        raise InvalidArgument(
            f"unknown coding '{coding}': use 'sr' (Signorino & Ritter) or 'fpsim'"
        )
    # The registry's flags run to this year, so its levels are cached per year.
    this_year = today().year if source == "foedus" else 0
    return _portfolio_levels(source, coding, bool(directed), this_year).clone()


@functools.cache
def _portfolio_levels(source: str, coding: str, directed: bool, this_year: int) -> pl.DataFrame:
    """:func:`portfolio_levels`, built once; ``this_year`` only keys the cache (see its caller)."""
    from foedus.panels.atop import atop_flags
    from foedus.panels.foedus_alliance import foedus_flags

    flags = atop_flags() if source == "atop" else foedus_flags()
    levels = flags.select(
        "ccode1", "ccode2", "year", _levels(flags, source, coding).cast(pl.Int8).alias("level")
    )
    if not directed:
        flipped = levels.select(
            pl.col("ccode2").alias("ccode1"), pl.col("ccode1").alias("ccode2"), "year", "level"
        )
        levels = (
            pl.concat([levels, flipped])
            .group_by("ccode1", "ccode2", "year")
            .agg(pl.col("level").max())
        )
    return levels.filter(pl.col("level") > 0)


def _year_span(years: object, source: Source) -> tuple[int, int]:
    from foedus.panels._common import year_range

    first, last = coverage(source)
    span = year_range(years, first, last)
    return span if span is not None else (first, last)


def similarity(
    years: object = None,
    measure: str | Sequence[str] | None = None,
    *,
    source: Source = "foedus",
    coding: Coding = "sr",
    directed: bool = True,
) -> pl.DataFrame:
    """Alliance-portfolio similarity for every directed dyad-year of the COW system.

    Parameters
    ----------
    years : int, (start, end), range or "START-END", optional
        Years to compute (default: all the source covers: 1816 to last year for
        ``source="foedus"``, 1816–2018 for ``"atop"``).
    measure : str or list of str, optional
        Any of ``s, s_sq, s_w, s_wsq, tau_b, kappa, pi`` (default: all).
    source : "foedus" or "atop"
        Portfolios from foedus's registry (ATOP + curated treaties, to today) or ATOP alone.
    coding : "sr" or "fpsim"
        The ordinal scale (see the module docstring).
    directed : bool, default True
        Code state 1's own obligations (True) or a tie in either direction (False).

    Returns one row per ordered pair (ccode1 ≠ ccode2) of system members per year:
    ``ccode1, ccode2, year`` and the measures (Float64; null where undefined).
    """
    wanted = _measures(measure)
    _check_source(source)
    first, last = _year_span(years, source)
    from foedus.panels import coverage as system_coverage
    from foedus.panels import dyad_years, state_years
    from foedus.panels._common import sort_key
    from foedus.panels.nmc import nmc_table

    mry = max(last, system_coverage("cow", mry=False)[1])
    members = state_years("cow", (first, last), mry=mry).select("ccode", "year")
    levels = portfolio_levels(source, coding, directed).filter(
        pl.col("year").is_between(first, last)
    )
    need_weights = any(m in ("s_w", "s_wsq") for m in wanted)
    cinc = nmc_table().select("ccode", "year", "cinc") if need_weights else None
    by_year_members = members.partition_by("year", as_dict=True, include_key=False)
    by_year_levels = levels.partition_by("year", as_dict=True, include_key=False)
    by_year_cinc = (
        cinc.filter(pl.col("year").is_between(first, last)).partition_by(
            "year", as_dict=True, include_key=False
        )
        if cinc is not None
        else {}
    )
    parts: list[pl.DataFrame] = []
    lookup = np.full(1 << 14, -1, dtype=np.int64)
    for (year,), group in sorted(by_year_members.items()):
        codes = np.sort(group["ccode"].to_numpy())
        n = codes.size
        if n < 2:
            continue
        lookup[codes] = np.arange(n)
        matrix = np.zeros((n, n), dtype=np.int8)
        np.fill_diagonal(matrix, RANGE)
        ties = by_year_levels.get((year,))
        if ties is not None and ties.height:
            i = lookup[ties["ccode1"].to_numpy()]
            j = lookup[ties["ccode2"].to_numpy()]
            keep = (i >= 0) & (j >= 0)
            matrix[i[keep], j[keep]] = ties["level"].to_numpy()[keep]
        weights = None
        if need_weights:
            weights = np.full(n, np.nan)
            cy = by_year_cinc.get((year,))
            if cy is not None and cy.height:
                k = lookup[cy["ccode"].to_numpy()]
                ok = k >= 0
                weights[k[ok]] = cy["cinc"].to_numpy()[ok]
        values = pairwise(matrix, weights, wanted)
        lookup[codes] = -1
        a, b = np.nonzero(~np.eye(n, dtype=bool))
        cols = {
            "ccode1": codes[a].astype(np.int32),
            "ccode2": codes[b].astype(np.int32),
            "year": np.full(a.size, year, dtype=np.int32),
        }
        cols |= {m: values[m][a, b] for m in wanted}
        parts.append(pl.DataFrame(cols))
    schema = {"ccode1": pl.Int32, "ccode2": pl.Int32, "year": pl.Int32} | {
        m: pl.Float64 for m in wanted
    }
    if not parts:
        return pl.DataFrame(schema=schema)
    out = pl.concat(parts).with_columns([pl.col(m).fill_nan(None) for m in wanted]).cast(schema)
    # Two members of the same year that never share a day (Suriname and South Vietnam, 1975)
    # are in each other's portfolios but form no dyad-year.
    keys = ["ccode1", "ccode2", "year"]
    dyads = dyad_years("cow", True, (first, last), mry=mry)
    return out.join(dyads, on=keys, how="semi").sort(sort_key(keys))


def add_similarity(
    frame: pl.DataFrame,
    measure: str | Sequence[str] | None = None,
    *,
    source: Source = "foedus",
    coding: Coding = "sr",
    directed: bool = True,
) -> pl.DataFrame:
    """Add alliance-portfolio similarity columns to a COW dyad-year frame (a panel verb).

    Computes :func:`similarity` for the frame's years (within the source's coverage; other
    years get null) and joins it on ``ccode1, ccode2, year``. The measures are symmetric, so
    directed and non-directed frames alike get each dyad's value.
    """
    from foedus.panels._common import drop_existing, left_join, require_cow

    require_cow(frame, "add_similarity", ("dyad_year",))
    wanted = _measures(measure)
    _check_source(source)
    first, last = coverage(source)
    lo, hi = frame.select(pl.col("year").min().alias("lo"), pl.col("year").max().alias("hi")).row(0)
    out = drop_existing(frame, wanted)
    if lo is None or hi < first or lo > last:
        return out.with_columns([pl.lit(None, pl.Float64).alias(m) for m in wanted])
    table = similarity(
        (max(lo, first), min(hi, last)), wanted, source=source, coding=coding, directed=directed
    )
    return left_join(out, table, ["ccode1", "ccode2", "year"])
