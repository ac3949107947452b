"""``add_strategic_rivalries``: Thompson, Sakuwa & Suhas strategic rivalries, 1816–2020."""

from __future__ import annotations

import functools

import polars as pl

from foedus import data
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

RIVALRY_LAST = 2020
TYPES: tuple[str, ...] = ("positional", "spatial", "ideological", "interventionary")


@functools.cache
def rivalry_years() -> pl.DataFrame:
    """``tssr_id, ccode1, ccode2, year`` and the four type flags, both directions, from 1816."""
    raw = data.load("tss_rivalries")
    spells = raw.select(
        pl.col("tssr_id").cast(pl.Int32),
        pl.col("ccode1").cast(CODE),
        pl.col("ccode2").cast(CODE),
        pl.int_ranges(pl.col("start").cast(YEAR), pl.col("end").cast(YEAR) + 1, dtype=YEAR).alias(
            "year"
        ),
        *[pl.col(t).fill_null(0).cast(FLAG) for t in TYPES],
    )
    flipped = spells.rename({"ccode1": "ccode2", "ccode2": "ccode1"}).select(spells.columns)
    years = pl.concat([spells, flipped]).explode("year").filter(pl.col("year") >= FIRST_YEAR)
    # Austria-Hungary's rivalry with Serbia (tssr_id 76) runs past 1918: those years are Austria's (305).
    austria = [
        pl.when((pl.col(c) == 300) & (pl.col("year") >= 1919))
        .then(305)
        .otherwise(pl.col(c))
        .cast(CODE)
        .alias(c)
        for c in ("ccode1", "ccode2")
    ]
    return (
        years.with_columns(austria)
        .select("tssr_id", "ccode1", "ccode2", "year", *TYPES)
        .sort("tssr_id", "ccode1", "year")
    )


@functools.cache
def _rivalry_dyad_years() -> pl.DataFrame:
    return rivalry_years().with_columns(pl.lit(1, FLAG).alias("ongoingrivalry"))


@functools.cache
def _rivalry_counts() -> pl.DataFrame:
    """``ccode, year`` and the number of ongoing rivalries of each type, ``n_<type>``."""
    return (
        rivalry_years()
        .group_by(pl.col("ccode1").alias("ccode"), "year")
        .agg(*[pl.col(t).sum().cast(pl.Int32).alias(f"n_{t}") for t in TYPES])
    )


def add_strategic_rivalries(frame: pl.DataFrame) -> pl.DataFrame:
    """Add strategic rivalries (Thompson, Sakuwa & Suhas 2022), ongoing in each year to 2020.

    Dyad-years get ``tssr_id`` (the rivalry, null if none), ``ongoingrivalry`` and the
    rivalry's type flags ``positional, spatial, ideological, interventionary`` (0 when no
    rivalry). State-years get the number of ongoing rivalries of each type,
    ``n_positional, n_spatial, n_ideological, n_interventionary``. All are null after 2020,
    the end of the data. The Austria-Hungary–Serbia rivalry's years after 1918 go to
    Austria (305), as in peacesciencer.

    Data: ``tss_rivalries``. Cite Thompson, Sakuwa & Suhas (2022), Analyzing Strategic
    Rivalries in World Politics (``foedus.data.dataset("tss_rivalries").citation``).

    Examples
    --------
    >>> from foedus.panels import dyad_years
    >>> t = dyad_years(years=1962).pipe(add_strategic_rivalries)
    >>> t.filter((pl.col("ccode1") == 2) & (pl.col("ccode2") == 365))["ongoingrivalry"].to_list()
    [1]
    """
    panel = require_cow(frame, "add_strategic_rivalries")
    if panel.kind == "dyad_year":
        cols = ["tssr_id", *TYPES, "ongoingrivalry"]
        table = _rivalry_dyad_years()
        out = left_join(
            drop_existing(frame, cols), table, ["ccode1", "ccode2", "year"], static=True
        )
        return out.with_columns(fill_covered([*TYPES, "ongoingrivalry"], FIRST_YEAR, RIVALRY_LAST))
    cols = [f"n_{t}" for t in TYPES]
    out = left_join(drop_existing(frame, cols), _rivalry_counts(), ["ccode", "year"], static=True)
    return out.with_columns(fill_covered(cols, FIRST_YEAR, RIVALRY_LAST))
