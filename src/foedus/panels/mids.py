"""``add_cow_mids`` and ``add_gml_mids``: militarized interstate disputes per dyad-year."""

from __future__ import annotations

import functools

import polars as pl

from foedus import data
from foedus.errors import InvalidArgument
from foedus.panels._common import (
    CODE,
    FIRST_YEAR,
    FLAG,
    YEAR,
    fill_covered,
    left_join,
    own_columns,
    require_cow,
)

COW_MID_LAST = 2014  # MID 5.0
GML_MID_LAST = 2010  # GML MID 2.2.1
KEYS = ["ccode1", "ccode2", "year"]


@functools.cache
def _mid_table(name: str) -> pl.DataFrame:
    raw = data.load(name)
    values = [c for c in raw.columns if c not in KEYS]
    flags = [c for c in values if c.endswith(("onset", "ongoing"))]
    return raw.select(
        pl.col("ccode1").cast(CODE),
        pl.col("ccode2").cast(CODE),
        pl.col("year").cast(YEAR),
        *[pl.col(c).cast(FLAG) if c in flags else pl.col(c).cast(pl.Int32) for c in values],
    )


def _add(
    frame: pl.DataFrame, name: str, prefix: str, last: int, keep: list[str] | None, verb: str
) -> pl.DataFrame:
    require_cow(frame, verb, ("dyad_year",))
    table = _mid_table(name)
    flags = [f"{prefix}onset", f"{prefix}ongoing"]
    static = keep is None
    if keep is not None:
        unknown = sorted(set(keep) - set(table.columns))
        if unknown:
            raise InvalidArgument(
                f"{verb}(keep=...) names unknown columns {unknown}: choose from {', '.join(table.columns[3:])}"
            )
        table = table.select(*KEYS, *flags, *[c for c in keep if c not in flags])
    added = [c for c in table.columns if c not in KEYS]
    out = left_join(own_columns(frame, added, flags[0], verb), table, KEYS, static=static)
    return out.with_columns(fill_covered(flags, FIRST_YEAR, last))


def add_cow_mids(frame: pl.DataFrame, *, keep: list[str] | None = None) -> pl.DataFrame:
    """Add COW militarized interstate disputes (MID 5.0), one dispute per directed dyad-year.

    ``cowmidonset`` / ``cowmidongoing`` are 1/0 and null after 2014, the end of MID 5.0; the
    other columns (``dispnum, sidea1, sidea2, fatality1, …, hostlev, mindur, maxdur, recip,
    stmon``) describe the dispute kept for that dyad-year, or ``keep`` only those. Where a
    dyad-year had several disputes, peacesciencer's whittled table keeps one: onsets first,
    then the highest fatality, hostility, duration, reciprocated, earliest start month.
    :func:`add_gml_mids` and :func:`add_cow_wars` use some of the same column names
    (``dispnum``, ``sidea1``, …); to have two of them in one table, add the second with
    ``keep=[]`` (only its onset/ongoing columns) — foedus refuses to overwrite them silently.

    Data: ``cow_mid_ddydisps`` (MID 5.0, whittled to dyad-years by peacesciencer). Cite Palmer
    et al. (2022), Conflict Management and Peace Science 39(4): 470–482
    (``foedus.data.dataset("cow_mid_ddydisps").citation``).
    """
    return _add(frame, "cow_mid_ddydisps", "cowmid", COW_MID_LAST, keep, "add_cow_mids")


def add_gml_mids(frame: pl.DataFrame, *, keep: list[str] | None = None) -> pl.DataFrame:
    """Add Gibler–Miller–Little MIDs (v2.2.1), one dispute per directed dyad-year.

    As :func:`add_cow_mids`, with ``gmlmidonset`` / ``gmlmidongoing`` (null after 2010).

    Data: ``gml_mid_ddydisps``. Cite Gibler, Miller & Little (2016), International Studies
    Quarterly 60(4): 719–730 (``foedus.data.dataset("gml_mid_ddydisps").citation``).
    """
    return _add(frame, "gml_mid_ddydisps", "gmlmid", GML_MID_LAST, keep, "add_gml_mids")
