"""Yearly alliance flags from the directed ties table (:func:`foedus.treaties.ties_frame`).

A tie is one obligation one state owes another under one treaty, with a validity interval and
its yearly coding (``year_from``, ``year_to``; null = still in force). A directed dyad-year has
flag ``<prefix>_<k>`` = 1 when any tie of kind ``k`` runs from ``ccode1`` to ``ccode2`` in
that year. Both :func:`~foedus.panels.add_atop_alliance` and
:func:`~foedus.panels.add_foedus_alliance` (and :mod:`foedus.similarity`) read these tables,
so the same alliance is coded the same way everywhere.
"""

from __future__ import annotations

import polars as pl

from foedus.errors import InvalidArgument
from foedus.panels._common import (
    CODE,
    FLAG,
    YEAR,
    directed,
    drop_existing,
    fill_covered,
    left_join,
    require_cow,
)

#: The ties table's obligation kinds and the column suffix peacesciencer gives each.
SUFFIX: dict[str, str] = {
    "defense": "defense",
    "offense": "offense",
    "neutrality": "neutral",
    "non_aggression": "nonagg",
    "consultation": "consul",
}
OBLIGATIONS: tuple[str, ...] = tuple(SUFFIX.values())
KEYS = ["ccode1", "ccode2", "year"]


def columns(prefix: str) -> list[str]:
    """``[<prefix>_defense, <prefix>_offense, <prefix>_neutral, <prefix>_nonagg, <prefix>_consul]``."""
    return [f"{prefix}_{k}" for k in OBLIGATIONS]


def yearly_flags(ties: pl.DataFrame, prefix: str, open_until: int) -> pl.DataFrame:
    """Directed dyad-year flags from ``ties``: one row per (ccode1, ccode2, year) with any tie.

    ``open_until`` is the last year given to ties still in force (``year_to`` null).
    """
    cols = columns(prefix)
    if ties.height == 0:
        schema = {"ccode1": CODE, "ccode2": CODE, "year": YEAR} | {c: FLAG for c in cols}
        return pl.DataFrame(schema=schema)
    long = (
        ties.select(
            pl.col("obliged").cast(CODE).alias("ccode1"),
            pl.col("beneficiary").cast(CODE).alias("ccode2"),
            pl.col("kind").replace_strict(SUFFIX, return_dtype=pl.String).alias("kind"),
            pl.int_ranges(
                "year_from",
                pl.min_horizontal(pl.col("year_to").fill_null(open_until), pl.lit(open_until)) + 1,
                dtype=YEAR,
            ).alias("year"),
        )
        .explode("year")
        .drop_nulls("year")
        .unique()
    )
    wide = long.with_columns(pl.lit(1, FLAG).alias("flag")).pivot(
        on="kind", index=KEYS, values="flag"
    )
    wide = wide.rename({k: f"{prefix}_{k}" for k in OBLIGATIONS if k in wide.columns})
    missing = [pl.lit(0, FLAG).alias(c) for c in cols if c not in wide.columns]
    return (
        wide.with_columns(missing)
        .select(*KEYS, *[pl.col(c).fill_null(0).cast(FLAG) for c in cols])
        .sort(KEYS)
    )


def undirected(flags: pl.DataFrame) -> pl.DataFrame:
    """Flags of non-directed dyads (low code first): the highest value in either direction."""
    low = pl.min_horizontal("ccode1", "ccode2").alias("ccode1")
    high = pl.max_horizontal("ccode1", "ccode2").alias("ccode2")
    value_cols = [c for c in flags.columns if c not in KEYS]
    return flags.group_by(low, high, "year").agg(pl.col(value_cols).max())


# Non-directed flags of the long-lived (functools-cached) flag tables, by id: (flags, undirected).
_UNDIRECTED: dict[int, tuple[pl.DataFrame, pl.DataFrame]] = {}


def _undirected_of(flags: pl.DataFrame) -> pl.DataFrame:
    """:func:`undirected` of a cached flag table, computed once per table."""
    entry = _UNDIRECTED.get(id(flags))
    if entry is None or entry[0] is not flags:
        entry = _UNDIRECTED[id(flags)] = (flags, undirected(flags))
    return entry[1]


def merge(
    frame: pl.DataFrame,
    flags: pl.DataFrame,
    cols: list[str],
    first: int,
    last: int,
    ndir: bool,
    verb: str,
) -> pl.DataFrame:
    """Left-join directed dyad-year ``flags`` onto a dyad-year ``frame``.

    ``flags`` is a long-lived (cached) table with columns ``KEYS + cols``. 0 where the source
    covers the year but has no tie; null outside ``first..last``.
    """
    require_cow(frame, verb, ("dyad_year",))
    if not isinstance(ndir, bool):
        raise InvalidArgument(f"ndir must be True or False, not {ndir!r}")
    if ndir and not directed(frame):
        flags = _undirected_of(flags)
    out = left_join(drop_existing(frame, cols), flags, KEYS, static=True)
    return out.with_columns(fill_covered(cols, first, last)).with_columns(pl.col(cols).cast(FLAG))
