"""``add_cow_wars``: Correlates of War inter-state (v4.0) and intra-state (v4.1) wars, 1816–2007."""

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
    fill_covered,
    left_join,
    own_columns,
    require_cow,
)

#: Last year of the COW war data (inter-state v4.0, intra-state v4.1).
WARS_LAST = 2007

INTER_COLUMNS: tuple[str, ...] = (
    "cowinterongoing", "cowinteronset", "sidea1", "sidea2", "initiator1", "initiator2",
    "outcome1", "outcome2", "batdeath1", "batdeath2", "resume",
)  # fmt: skip
INTRA_COLUMNS: tuple[str, ...] = (
    "warnum", "warname", "wartype", "cowintraonset", "cowintraongoing", "intnl", "outcome",
    "sideadeaths", "sidebdeaths", "intrawarnums",
)  # fmt: skip
INTRA_TYPES = ("all", "central control", "local issues")


def _deaths(a: str, b: str) -> pl.Expr:
    """Battle deaths of both sides; one side when the other is unknown; null when both are."""
    return (
        pl.when(pl.col(a).is_null())
        .then(pl.col(b))
        .when(pl.col(b).is_null())
        .then(pl.col(a))
        .otherwise(pl.col(a) + pl.col(b))
    )


def _one_per_key(
    rows: pl.DataFrame, keys: list[str], onset: str, deaths_of: tuple[str, str]
) -> pl.DataFrame:
    """peacesciencer's whittling of war-years to one row per key.

    Where a key has several wars, an onset beats an ongoing war; then the deadliest war wins
    (unknown deaths last); then the first in the source file.
    """
    rows = rows.with_row_index("_order")
    many = (pl.len().over(keys) > 1) & (pl.col(onset).std().over(keys) > 0)
    rows = rows.filter(~(many & (pl.col(onset) == 0)).fill_null(True))
    rows = rows.with_columns(_deaths(*deaths_of).alias("_deaths"))
    return (
        rows.sort(
            [*keys, "_deaths", "_order"],
            descending=[False] * len(keys) + [True, False],
            nulls_last=True,
        )
        .unique(keys, keep="first", maintain_order=True)
        .drop("_order", "_deaths")
    )


@functools.cache
def inter_war_dyad_years() -> pl.DataFrame:
    """One inter-state war row per directed dyad-year (``ccode1, ccode2, year`` + :data:`INTER_COLUMNS`)."""
    raw = data.load("cow_war_inter")
    # COW's -8 (not applicable) and -9 (unknown) battle deaths become null.
    rows = raw.select(
        pl.col("ccode1").cast(CODE),
        pl.col("ccode2").cast(CODE),
        pl.col("year").cast(YEAR),
        *[pl.col(c).cast(pl.Int64) for c in INTER_COLUMNS],
    ).with_columns(
        [
            pl.when(pl.col(c) < 0).then(None).otherwise(pl.col(c)).alias(c)
            for c in ("batdeath1", "batdeath2")
        ]
    )
    best = _one_per_key(
        rows, ["ccode1", "ccode2", "year"], "cowinteronset", ("batdeath1", "batdeath2")
    )
    return best.with_columns(
        pl.col("cowinterongoing", "cowinteronset").cast(FLAG),
        pl.col(INTER_COLUMNS[2:]).cast(pl.Int32),
    )


@functools.cache
def intra_war_state_years(intratype: str = "all") -> pl.DataFrame:
    """One intra-state war row per state-year of the government side (``primary_state = 1``)."""
    raw = data.load("cow_war_intra").filter(pl.col("primary_state") == 1)
    if intratype != "all":
        raw = raw.filter(pl.col("wartype") == intratype)
    rows = raw.select(
        pl.col("ccodea").cast(CODE).alias("ccode"),
        pl.col("year").cast(YEAR),
        pl.col("warnum").cast(pl.Int32),
        "warname",
        "wartype",
        pl.col("cowintraonset").cast(FLAG),
        pl.col("cowintraongoing").cast(FLAG),
        pl.col("intnl").cast(pl.Int32),
        pl.col("outcome").cast(pl.Int32),
        *[
            pl.when(pl.col(c) < 0).then(None).otherwise(pl.col(c)).cast(pl.Int64).alias(c)
            for c in ("sideadeaths", "sidebdeaths")
        ],
    )
    warnums = rows.group_by("ccode", "year").agg(
        pl.col("warnum").cast(pl.String).str.join("; ").alias("intrawarnums")
    )
    best = _one_per_key(rows, ["ccode", "year"], "cowintraonset", ("sideadeaths", "sidebdeaths"))
    return best.join(warnums, on=["ccode", "year"], how="left").select(
        "ccode", "year", *INTRA_COLUMNS
    )


def add_cow_wars(
    frame: pl.DataFrame,
    type: Literal["inter", "intra"] | None = None,
    *,
    intratype: Literal["all", "central control", "local issues"] = "all",
) -> pl.DataFrame:
    """Add Correlates of War wars: inter-state wars to dyad-years, intra-state wars to state-years.

    ``type="inter"`` (the default for dyad-years) adds ``cowinteronset`` and
    ``cowinterongoing`` (1/0; null after 2007, the end of the data) and, where the two states
    fought each other, ``sidea1, sidea2, initiator1, initiator2, outcome1, outcome2,
    batdeath1, batdeath2, resume``. ``type="intra"`` (the default for state-years) adds
    ``cowintraonset``, ``cowintraongoing`` and the war's ``warnum, warname, wartype, intnl,
    outcome, sideadeaths, sidebdeaths`` plus ``intrawarnums`` (every war that year) for the
    government side of civil wars (``primary_state``); ``intratype`` keeps only wars over
    "central control" or "local issues".

    Where a dyad-year (state-year) has several wars, peacesciencer's rule picks one: an onset
    over an ongoing war, then the deadliest, then the first listed. Battle deaths COW codes
    as -8/-9 (not applicable / unknown) are null; peacesciencer writes -9 back into
    ``sideadeaths``/``sidebdeaths``, foedus keeps null.

    Data: COW Inter-State War v4.0 and Intra-State War v4.1 as reshaped by peacesciencer
    (``cow_war_inter``, ``cow_war_intra``). Cite Sarkees & Wayman (2010), Resort to War, and
    Dixon & Sarkees (2016) for intra-state wars (``foedus.data.dataset("cow_war_inter").citation``).

    Examples
    --------
    >>> from foedus.panels import dyad_years
    >>> t = dyad_years(years=1950).pipe(add_cow_wars)
    >>> t.filter((pl.col("ccode1") == 2) & (pl.col("ccode2") == 731))["cowinteronset"].to_list()
    [1]
    """
    panel = require_cow(frame, "add_cow_wars")
    type = type or ("inter" if panel.kind == "dyad_year" else "intra")
    if type not in ("inter", "intra"):
        raise InvalidArgument(f"type must be 'inter' or 'intra', not {type!r}")
    if intratype not in INTRA_TYPES:
        raise InvalidArgument(
            f"intratype must be one of {', '.join(INTRA_TYPES)}, not {intratype!r}"
        )
    if type == "inter":
        if panel.kind != "dyad_year":
            raise InvalidArgument(
                "add_cow_wars(type='inter') needs dyad-year data: inter-state wars are dyadic"
            )
        out = left_join(
            own_columns(frame, INTER_COLUMNS, "cowinteronset", "add_cow_wars"),
            inter_war_dyad_years(),
            ["ccode1", "ccode2", "year"],
            static=True,
        )
        return out.with_columns(
            fill_covered(["cowinteronset", "cowinterongoing"], FIRST_YEAR, WARS_LAST)
        )
    if panel.kind != "state_year":
        raise InvalidArgument(
            "add_cow_wars(type='intra') needs state-year data: civil wars are coded per state"
        )
    out = left_join(
        own_columns(frame, INTRA_COLUMNS, "cowintraonset", "add_cow_wars"),
        intra_war_state_years(intratype),
        ["ccode", "year"],
    )
    return out.with_columns(
        fill_covered(["cowintraonset", "cowintraongoing"], FIRST_YEAR, WARS_LAST)
    )
