"""State-years and dyad-years: the panels every other verb adds columns to.

Both come from state-system membership with day precision:

* **COW**: the Correlates of War State System Membership list (v2016), through
  :func:`foedus.states.system_members`. A dyad exists in a year when its two states are
  members on at least one common day of that year. Suriname (entered 25 Nov 1975) and the
  Republic of Vietnam (eliminated 30 Apr 1975) are both members in 1975 but never on the same
  day, so 115–817 has no 1975 row. This reproduces peacesciencer's ``cow_ddy`` exactly,
  including its ``false_cow_dyads`` removals, without a hand-made exception list.
* **GW**: the Gleditsch–Ward list as processed by peacesciencer (``gw_ddy``), which also holds
  the microstates (``microstate1``/``microstate2``) that ``gw_states`` lacks.

``mry`` ("most recent year"): the COW list ends on 31 Dec 2016 and the GW list on
31 Dec 2017. As in peacesciencer (``mry=TRUE``, its default), a state still a member then is
presumed a member through the most recently completed calendar year (today's year − 1), so
a table built in 2026 runs to 2025. ``mry=False`` stops at the list's end; ``mry=2024`` names
the last year (use it for tables that must not change with the clock).
"""

from __future__ import annotations

import functools

import polars as pl

from foedus import data
from foedus.errors import InvalidArgument
from foedus.panels._common import CODE, FIRST_YEAR, FLAG, YEAR, last_year, sort_key, year_range

SYSTEMS = ("cow", "gw")

# Last year observed by the membership lists foedus reads (COW v2016; GW as of 2017).
_OBSERVED = {"cow": 2016, "gw": 2017}


def _check(system: str) -> str:
    if system not in SYSTEMS:
        raise InvalidArgument(
            f"unknown state system '{system}': use 'cow' (Correlates of War) or 'gw' (Gleditsch–Ward)"
        )
    return system


@functools.cache
def _cow_spells(last: int) -> pl.DataFrame:
    """COW membership spells as day numbers; open spells end on 31 Dec of ``last``."""
    from foedus.states import CODE_COLUMN, system_members

    members = system_members("cow")
    end_of_panel = pl.date(last, 12, 31)
    return members.select(
        pl.col(CODE_COLUMN["cow"]).cast(CODE).alias("ccode"),
        pl.col("name").alias("cw_name"),
        pl.col("start"),
        pl.col("end").fill_null(end_of_panel).clip(upper_bound=end_of_panel),
    ).filter(pl.col("start") <= pl.col("end"))


@functools.cache
def _cow_state_years(last: int) -> pl.DataFrame:
    spells = _cow_spells(last)
    return (
        spells.with_columns(
            pl.int_ranges(pl.col("start").dt.year(), pl.col("end").dt.year() + 1, dtype=YEAR).alias(
                "year"
            )
        )
        .explode("year")
        .select("ccode", "cw_name", "year", "start", "end")
        .sort("ccode", "year")
    )


@functools.cache
def _cow_dyad_years(last: int, directed: bool) -> pl.DataFrame:
    sy = _cow_state_years(last).with_columns(
        pl.col("start").cast(pl.Int32).alias("s"), pl.col("end").cast(pl.Int32).alias("e")
    )
    one = sy.select(
        pl.col("ccode").alias("ccode1"), "year", pl.col("s").alias("s1"), pl.col("e").alias("e1")
    )
    two = sy.select(
        pl.col("ccode").alias("ccode2"), "year", pl.col("s").alias("s2"), pl.col("e").alias("e2")
    )
    first_day = pl.date(pl.col("year"), 1, 1).cast(pl.Int32)
    last_day = pl.date(pl.col("year"), 12, 31).cast(pl.Int32)
    pair = (
        pl.col("ccode1") < pl.col("ccode2")
        if not directed
        else pl.col("ccode1") != pl.col("ccode2")
    )
    # Both members on one common day of the year: the latest start is on or before the earliest end.
    common = pl.max_horizontal("s1", "s2", first_day) <= pl.min_horizontal("e1", "e2", last_day)
    return (
        one.lazy()
        .join(two.lazy(), on="year")
        .filter(pair & common)
        .select("ccode1", "ccode2", "year")
        .sort(sort_key(["ccode1", "ccode2", "year"]))
        .collect()
    )


@functools.cache
def _gw_dyad_years(last: int, directed: bool) -> pl.DataFrame:
    raw = data.load("gw_ddy")
    frame = raw.select(
        pl.col("gwcode1").cast(CODE),
        pl.col("gwcode2").cast(CODE),
        pl.col("year").cast(YEAR),
        pl.col("microstate1").cast(FLAG),
        pl.col("microstate2").cast(FLAG),
    )
    stored_last = int(frame["year"].max())
    frame = frame.filter(pl.col("year") <= last)
    if last > stored_last:
        # gw_ddy was built by peacesciencer with its own mry extension; carry its last year forward.
        tail = frame.filter(pl.col("year") == stored_last)
        extra = [
            tail.with_columns(pl.lit(y, dtype=YEAR).alias("year"))
            for y in range(stored_last + 1, last + 1)
        ]
        frame = pl.concat([frame, *extra])
    if not directed:
        frame = frame.filter(pl.col("gwcode1") < pl.col("gwcode2"))
    return frame.sort(sort_key(["gwcode1", "gwcode2", "year"]))


@functools.cache
def _gw_state_years(last: int) -> pl.DataFrame:
    dyads = _gw_dyad_years(last, True)
    names = data.load("gw_states").select(
        pl.col("gwcode").cast(CODE), pl.col("statename").alias("gw_name")
    )
    names = names.unique("gwcode", keep="last")
    capitals = data.load("gw_capitals").select(
        pl.col("gwcode").cast(CODE), pl.col("statenme").alias("cap_name")
    )
    capitals = capitals.unique("gwcode", keep="last")
    years = dyads.select(
        pl.col("gwcode1").alias("gwcode"), "year", pl.col("microstate1").alias("microstate")
    ).unique()
    return (
        years.join(names, on="gwcode", how="left")
        .join(capitals, on="gwcode", how="left")
        .select("gwcode", pl.coalesce("gw_name", "cap_name").alias("gw_name"), "microstate", "year")
        .sort("gwcode", "year")
    )


def _select_years(frame: pl.DataFrame, years: object, last: int) -> pl.DataFrame:
    span = year_range(years, FIRST_YEAR, last)
    if span is None:
        return frame.clone()
    return frame.filter(pl.col("year").is_between(*span))


def state_years(
    system: str = "cow", years: object = None, *, mry: bool | int = True
) -> pl.DataFrame:
    """Every state-year of a state system.

    Parameters
    ----------
    system : "cow" or "gw"
        Correlates of War (columns ``ccode, cw_name, year``) or Gleditsch–Ward
        (``gwcode, gw_name, microstate, year``).
    years : int, (start, end), range or "START-END", optional
        Keep only these years (inclusive); outside the panel's coverage is an error.
    mry : bool or int, default True
        Extend membership past the list's end (COW 2016, GW 2017) to the most recently
        completed year, or to the year given. See the module docstring.

    Data: COW State System Membership v2016 (``cow_states``); Gleditsch & Ward (1999) as
    processed by peacesciencer (``gw_ddy``, ``gw_states``). Cite
    ``foedus.data.dataset("cow_states").citation`` or ``dataset("gw_states").citation``.

    Examples
    --------
    >>> sy = state_years(mry=2025)
    >>> sy.height, sy["year"].max()
    (17706, 2025)
    >>> state_years(years=1816).height
    23
    """
    system = _check(system)
    last = last_year(mry, _OBSERVED[system])
    if system == "cow":
        frame = _cow_state_years(last).select("ccode", "cw_name", "year")
    else:
        frame = _gw_state_years(last)
    return _select_years(frame, years, last)


def dyad_years(
    system: str = "cow", directed: bool = True, years: object = None, *, mry: bool | int = True
) -> pl.DataFrame:
    """Every dyad-year of a state system: ``ccode1, ccode2, year`` (GW: ``gwcode1, gwcode2, year, microstate1, microstate2``).

    A dyad-year exists when both states are system members on at least one common day of
    the year. ``directed=True`` keeps both (a, b) and (b, a); ``directed=False`` keeps
    ``code1 < code2`` only. Rows are sorted by code1, code2, year. The frame is built once per
    process and cached; each call returns a copy.

    Parameters
    ----------
    system : "cow" or "gw"
    directed : bool, default True
    years : int, (start, end), range or "START-END", optional
        Keep only these years (inclusive); outside the panel's coverage is an error.
    mry : bool or int, default True
        See :func:`state_years` and the module docstring: the default runs to today's
        year − 1.

    Data: as :func:`state_years`; the COW frame equals peacesciencer's ``cow_ddy`` row for row.

    Examples
    --------
    >>> dyad_years(mry=2025).height   # peacesciencer's create_dyadyears() run in 2026
    2252760
    >>> dyad_years(directed=False, years=(1816, 1816)).height
    253
    """
    system = _check(system)
    last = last_year(mry, _OBSERVED[system])
    frame = (
        _cow_dyad_years(last, bool(directed))
        if system == "cow"
        else _gw_dyad_years(last, bool(directed))
    )
    return _select_years(frame, years, last)


def coverage(system: str = "cow", *, mry: bool | int = True) -> tuple[int, int]:
    """First and last year of the panels of ``system`` under ``mry``."""
    return FIRST_YEAR, last_year(mry, _OBSERVED[_check(system)])
