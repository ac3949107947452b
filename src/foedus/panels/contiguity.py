"""``add_contiguity``: Correlates of War Direct Contiguity (v3.2), 1816–2016.

The master records give, per directed dyad, spells of a contiguity type with month
precision: 1 land; 2, 3, 4, 5 separated by at most 12, 24, 150, 400 miles of water. A dyad
whose type changes during a year has two records that year; ``slice="first"`` keeps the
type in force in the earliest month of the year, ``slice="last"`` the latest (peacesciencer's
rule; where two records cover the same month, the first record in the file wins for "first"
and the last for "last").
"""

from __future__ import annotations

import functools
from typing import Literal

import polars as pl

from foedus import data
from foedus.errors import InvalidArgument
from foedus.panels._common import (
    CODE,
    FIRST_YEAR,
    FLAG,
    YEAR,
    drop_existing,
    fill_covered,
    left_join,
    require_cow,
)

#: Last year of Direct Contiguity v3.2.
CONTIGUITY_LAST = 2016
_DYAD_KEYS = ["ccode1", "ccode2", "year"]


@functools.cache
def contiguity_years(slice: str = "first") -> pl.DataFrame:
    """``ccode1, ccode2, year, conttype``: one type per directed dyad-year with a record."""
    raw = data.load("cow_contdir").with_row_index("record")
    spells = raw.select(
        "record",
        pl.col("ccode1").cast(CODE),
        pl.col("ccode2").cast(CODE),
        pl.col("conttype").cast(FLAG),
        pl.col("stdate").alias("start"),
        pl.col("enddate").alias("end"),
    )
    years = spells.with_columns(
        pl.int_ranges(pl.col("start").dt.year(), pl.col("end").dt.year() + 1, dtype=YEAR).alias(
            "year"
        )
    ).explode("year")
    if slice == "first":
        # The earliest month of the year the record covers: its start, or January.
        month = pl.max_horizontal("start", pl.date(pl.col("year"), 1, 1))
        order, descending = [month, pl.col("record")], [False, False]
    else:
        month = pl.min_horizontal("end", pl.date(pl.col("year"), 12, 1))
        order, descending = [month, pl.col("record")], [True, True]
    return (
        years.sort(
            [pl.col("ccode1"), pl.col("ccode2"), pl.col("year"), *order],
            descending=[False, False, False, *descending],
        )
        .unique(["ccode1", "ccode2", "year"], keep="first", maintain_order=True)
        .select("ccode1", "ccode2", "year", "conttype")
    )


@functools.cache
def _borders(slice: str) -> pl.DataFrame:
    """``ccode, year, land, sea``: each state's land and water borders in the years with a record."""
    return (
        contiguity_years(slice)
        .group_by(pl.col("ccode1").alias("ccode"), "year")
        .agg(
            (pl.col("conttype") == 1).sum().cast(pl.Int32).alias("land"),
            (pl.col("conttype") > 1).sum().cast(pl.Int32).alias("sea"),
        )
    )


def add_contiguity(
    frame: pl.DataFrame, *, slice: Literal["first", "last"] = "first", mry: bool = False
) -> pl.DataFrame:
    """Add COW direct contiguity: ``conttype`` (dyad-years) or ``land``, ``sea`` (state-years).

    ``conttype``: 1 land; 2–5 separated by at most 12, 24, 150 or 400 miles of water; 0 not
    contiguous in the COW data (peacesciencer's coding: 0, not 6, because CoW's "no record" is
    not an ordinal step beyond 400 miles). State-years get ``land`` and ``sea``, the number of
    land and water borders. All are null after 2016, the last year of v3.2, unless
    ``mry=True``, which carries each dyad's (state's) 2016 value forward — a presumption
    that borders have not changed since, off by default.

    Parameters
    ----------
    frame : polars.DataFrame
        A COW dyad-year or state-year frame.
    slice : "first" or "last", default "first"
        Which record decides a year in which the type changed (see the module docstring).
    mry : bool, default False
        Give every year after 2016 the dyad's (state's) 2016 value.

    Data: COW Direct Contiguity v3.2 master records as shipped by peacesciencer
    (``cow_contdir``). Cite Stinnett, Tir, Schafer, Diehl & Gochman (2002), Conflict
    Management and Peace Science 19(2): 59–67 (``foedus.data.dataset("cow_contdir").citation``).

    Examples
    --------
    >>> from foedus.panels import dyad_years
    >>> t = dyad_years(years=2000).pipe(add_contiguity)
    >>> t.filter((pl.col("ccode1") == 2) & (pl.col("ccode2").is_in([20, 70, 200])))["conttype"].to_list()
    [1, 1, 0]
    """
    if slice not in ("first", "last"):
        raise InvalidArgument(f"slice must be 'first' or 'last', not {slice!r}")
    if not isinstance(mry, bool):
        raise InvalidArgument(f"mry must be True or False for add_contiguity, not {mry!r}")
    panel = require_cow(frame, "add_contiguity")
    if panel.kind == "dyad_year":
        cols, unit = ["conttype"], ["ccode1", "ccode2"]
        out = left_join(
            drop_existing(frame, cols), contiguity_years(slice), _DYAD_KEYS, static=True
        )
    else:
        cols, unit = ["land", "sea"], ["ccode"]
        out = left_join(drop_existing(frame, cols), _borders(slice), ["ccode", "year"], static=True)
    out = out.with_columns(fill_covered(cols, FIRST_YEAR, CONTIGUITY_LAST))
    if mry:
        # Each unit's 2016 value, looked up (not forward-filled within the frame, which would
        # leave a frame without 2016 rows all null).
        last = left_join(out.select(unit), _values_in_last_year(slice, panel.kind), unit)
        after = pl.col("year") > CONTIGUITY_LAST
        out = out.with_columns(
            [pl.when(after).then(last[c]).otherwise(pl.col(c)).alias(c) for c in cols]
        )
    return out.with_columns(pl.col(cols).cast(FLAG if panel.kind == "dyad_year" else pl.Int32))


@functools.cache
def _values_in_last_year(slice: str, kind: str) -> pl.DataFrame:
    """Every COW directed dyad (state) of 2016 with its 2016 value (0 without a record), less the year."""
    from foedus.panels.systems import dyad_years, state_years

    if kind == "dyad_year":
        base = dyad_years("cow", True, CONTIGUITY_LAST, mry=False)
        out = left_join(base, contiguity_years(slice), _DYAD_KEYS, static=True)
    else:
        base = state_years("cow", CONTIGUITY_LAST, mry=False).select("ccode", "year")
        out = left_join(base, _borders(slice), ["ccode", "year"], static=True)
    return out.with_columns(pl.exclude(base.columns).fill_null(0)).drop("year")
