"""``add_minimum_distance``: minimum distance between state borders (km), CShapes 2.0, 1886–2019."""

from __future__ import annotations

import functools

import polars as pl

from foedus import data
from foedus.panels._common import drop_existing, left_join, panel_of


@functools.cache
def mindist_dyad_years(system: str = "cow") -> pl.DataFrame:
    """``code1, code2, year, mindist`` for every directed dyad-year CShapes covers."""
    name, code = ("cow_mindist", "ccode") if system == "cow" else ("gw_mindist", "gwcode")
    raw = data.load(name)
    ndy = raw.select(
        pl.col(f"{code}1").cast(pl.Int32),
        pl.col(f"{code}2").cast(pl.Int32),
        pl.col("year").cast(pl.Int32),
        pl.col("mindist").cast(pl.Float64),
    )
    flipped = ndy.select(
        pl.col(f"{code}2").alias(f"{code}1"),
        pl.col(f"{code}1").alias(f"{code}2"),
        "year",
        "mindist",
    )
    # The table lists each pair once (code1 < code2), so the two halves never share a key.
    return pl.concat([ndy.filter(pl.col(f"{code}1") != pl.col(f"{code}2")), flipped])


@functools.cache
def _nearest(system: str) -> pl.DataFrame:
    """``code, year, minmindist``: each state's distance to its nearest neighbour (both sides)."""
    code = "ccode" if system == "cow" else "gwcode"
    return (
        mindist_dyad_years(system)
        .group_by(pl.col(f"{code}1").alias(code), "year")
        .agg(pl.col("mindist").min().alias("minmindist"))
    )


def add_minimum_distance(frame: pl.DataFrame) -> pl.DataFrame:
    """Add the minimum distance between two states' territories in km: ``mindist`` (dyad-years)
    or ``minmindist`` (state-years: the distance to the nearest other state).

    Distances are measured on 1 January of each year from CShapes 2.0 maps, 1886–2019; null
    outside those years and for states CShapes does not map. Works on COW and GW frames.

    ``minmindist`` is the minimum over every other state. peacesciencer takes it over the
    partners listed after the state in its non-directed table only (partners with a higher
    code), which overstates it for states whose nearest neighbour has a lower code; foedus
    takes both sides.

    Data: ``cow_mindist`` / ``gw_mindist`` (computed by peacesciencer from CShapes 2.0). Cite
    Schvitz et al. (2022), Journal of Conflict Resolution 66(1): 144–161
    (``foedus.data.dataset("cow_mindist").citation``).

    Examples
    --------
    >>> from foedus.panels import dyad_years
    >>> t = dyad_years(years=2000).pipe(add_minimum_distance)
    >>> t.filter((pl.col("ccode1") == 2) & (pl.col("ccode2") == 20))["mindist"].to_list()
    [0.0]
    """
    panel = panel_of(frame, "add_minimum_distance")
    code, system = ("ccode", "cow") if panel.cow else ("gwcode", "gw")
    if panel.kind == "dyad_year":
        return left_join(
            drop_existing(frame, ["mindist"]),
            mindist_dyad_years(system),
            [f"{code}1", f"{code}2", "year"],
            static=True,
        )
    return left_join(
        drop_existing(frame, ["minmindist"]), _nearest(system), [code, "year"], static=True
    )
