"""``add_cow_majors``: Correlates of War major powers (v2016)."""

from __future__ import annotations

import functools

import polars as pl

from foedus import data
from foedus.panels._common import (
    CODE,
    FIRST_YEAR,
    FLAG,
    YEAR,
    fill_covered,
    join_state_attributes,
    last_year,
    require_cow,
)

# The major-power list ends with the state list, on 31 Dec 2016.
_OBSERVED = 2016


@functools.cache
def major_years(last: int) -> pl.DataFrame:
    """``ccode, year`` of every COW major-power year; spells open at the list's end run to ``last``."""
    raw = data.load("cow_majors")
    spells = raw.select(
        pl.col("ccode").cast(CODE),
        pl.col("styear").cast(YEAR).alias("first"),
        pl.when(pl.col("endyear") >= _OBSERVED)
        .then(pl.lit(last))
        .otherwise(pl.col("endyear"))
        .cast(YEAR)
        .alias("last"),
    )
    return (
        spells.with_columns(pl.int_ranges("first", pl.col("last") + 1, dtype=YEAR).alias("year"))
        .explode("year")
        .select("ccode", "year")
        .unique()
        .sort("ccode", "year")
    )


def add_cow_majors(frame: pl.DataFrame, *, mry: bool | int = True) -> pl.DataFrame:
    """Add COW major-power status: ``cowmaj`` (state-years) or ``cowmaj1``, ``cowmaj2`` (dyad-years).

    1 when the state is a major power in that year, 0 when not; null after the list's
    coverage. The list ends in 2016; with ``mry=True`` (the default, as in peacesciencer) the
    seven major powers of 2016 are presumed to remain so through today's year − 1, matching
    the rows :func:`~foedus.panels.dyad_years` adds under the same presumption. With
    ``mry=False`` the columns are null after 2016 (peacesciencer issue #17 was the opposite
    bug: every state coded 0, not a major power, after 2016).

    Data: COW major powers v2016 (``cow_majors``). Cite COW Project (2017), "State System
    Membership List, v2016" (``foedus.data.dataset("cow_majors").citation``).

    Examples
    --------
    >>> from foedus.panels import state_years
    >>> int(state_years(years=2016).pipe(add_cow_majors)["cowmaj"].sum())
    7
    """
    panel = require_cow(frame, "add_cow_majors")
    last = last_year(mry, _OBSERVED)
    majors = major_years(last).with_columns(pl.lit(1, FLAG).alias("cowmaj"))
    cols = ["cowmaj1", "cowmaj2"] if panel.kind == "dyad_year" else ["cowmaj"]
    out = join_state_attributes(frame, majors, ["cowmaj"])
    return out.with_columns(fill_covered(cols, FIRST_YEAR, last)).with_columns(
        pl.col(cols).cast(FLAG)
    )
