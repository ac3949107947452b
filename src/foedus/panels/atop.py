"""``add_atop_alliance``: ATOP 5.1 alliance obligations for every directed dyad-year, 1815–2018.

The flags come from the ATOP part of foedus's ties table (:func:`foedus.treaties.ties_frame`
with ``source="atop"``), which is built from ATOP's member-level file (``atop5_1m``: one row
per member, alliance phase and membership spell, with day-precision entry and exit dates) by
the yearly rule of ATOP's own directed dyad-year file (``atop5_1ddyr``, which peacesciencer
ships as ``atop_alliance``):

1. A member owes its obligations to every other member of the same alliance-phase in every
   calendar year from the first to the last day they are both members, both years included.
2. When an alliance moves to a new phase during a year and the pair continues in the new
   phase, that year belongs to the new phase only (the Anglo-Japanese alliance, ATOP 1415,
   was revised on 12 Aug 1905: Japan's phase-1 offense and neutrality pledges are 0 in 1905).

Compared cell for cell with ``atop_alliance.rda`` over every COW directed dyad-year
1816–2018 (1,987,950 rows of ``dyad_years(years=(1816, 2018))``), 421 cells differ
(213 defense, 33 offense, 101 neutral, 74 nonagg, 0 consul), all with 0 in ATOP's dyadic file
and 1 here, all in the ten alliances with member-specific obligations (ATOP ``obvary = 1``:
1100, 1110, 1120, 1160, 1205, 1227, 1350, 1355, 2130, 3322, all before 1957). There a member
promises an obligation to some of its partners only; ATOP's dyadic file records to whom, its
member-level file does not, so foedus codes the pledge toward every partner (those ties carry
``partner_specific = True``). Every dyad-year with an obligation in ATOP's dyadic file has one
here; 111 of its all-zero rows gain one this way.
``source="dyadic"`` uses ATOP's dyadic file instead and reproduces peacesciencer exactly.
"""

from __future__ import annotations

import functools
from typing import Literal

import polars as pl

from foedus import data
from foedus.errors import InvalidArgument
from foedus.panels import _alliances
from foedus.panels._common import CODE, FLAG, YEAR

#: peacesciencer's column names.
ATOP_COLUMNS: tuple[str, ...] = tuple(_alliances.columns("atop"))

#: ATOP 5.1 covers alliances signed 1815-01-01 to 2018-12-31, observed to 2018-12-31.
ATOP_FIRST, ATOP_LAST = 1815, 2018


@functools.cache
def atop_flags() -> pl.DataFrame:
    """ATOP directed dyad-years with the five obligation flags (from the member-level file).

    One row per (ccode1, ccode2, year), 1815–2018, in which ``ccode1`` owes ``ccode2`` at
    least one obligation.
    """
    from foedus.treaties import ties_frame

    # Without ATOP's files the registry holds no ATOP ties: say which dataset to fetch instead
    # of returning a table of zeros.
    data.path("atop5_1m")
    return _alliances.yearly_flags(ties_frame("atop"), "atop", ATOP_LAST)


@functools.cache
def atop_dyadic_file() -> pl.DataFrame:
    """ATOP's own directed dyad-year file (``atop5_1ddyr``) as shipped by peacesciencer.

    Unlike :func:`atop_flags` it also holds 170 dyad-years in which two states share an
    alliance but ``ccode1`` owes ``ccode2`` nothing (all five flags 0).
    """
    raw = data.load("atop_alliance")
    return raw.select(
        pl.col("ccode1").cast(CODE),
        pl.col("ccode2").cast(CODE),
        pl.col("year").cast(YEAR),
        *[pl.col(c).cast(FLAG) for c in ATOP_COLUMNS],
    ).sort(_alliances.KEYS)


def add_atop_alliance(
    frame: pl.DataFrame, *, ndir: bool = True, source: Literal["members", "dyadic"] = "members"
) -> pl.DataFrame:
    """Add ATOP 5.1 obligations: ``atop_defense, atop_offense, atop_neutral, atop_nonagg, atop_consul``.

    Each is 1 when ``ccode1`` has promised that obligation to ``ccode2`` in an alliance in
    force in that year (ATOP's yearly rule, see :mod:`foedus.panels.atop`), 0 when not, and
    null outside ATOP's coverage, 1815–2018: ATOP says nothing about 2019 onwards, which is
    not the same as "no alliance". For the years since, use
    :func:`~foedus.panels.add_foedus_alliance`.

    Pledges are directed: in 1832 France (220) had promised to defend Belgium (211), not the
    reverse, so 220→211 has ``atop_defense = 1`` and 211→220 has 0. On a non-directed frame
    (``ccode1 < ccode2`` throughout) ``ndir=True`` gives each dyad the highest value in either
    direction (peacesciencer's default) and ``ndir=False`` only ``ccode1``'s own pledges.

    Parameters
    ----------
    frame : polars.DataFrame
        A COW dyad-year frame (``ccode1, ccode2, year``).
    ndir : bool, default True
        How to read a non-directed frame; ignored for directed frames.
    source : "members" or "dyadic", default "members"
        ``"members"``: built from ATOP's member-level file through foedus's ties table, the
        coding foedus uses everywhere else. ``"dyadic"``: ATOP's own dyad-year file as
        shipped by peacesciencer, which records to whom a member-specific obligation is owed
        in ten early alliances (421 cells differ, see :mod:`foedus.panels.atop`).

    Data: ATOP 5.1 member-level file (``atop5_1m``); ``atop_alliance`` for
    ``source="dyadic"``. Cite Leeds, Ritter, Mitchell & Long (2002), International
    Interactions 28(3): 237–260, and the ATOP 5.1 codebook
    (``foedus.data.dataset("atop5_1m").citation``).

    Examples
    --------
    >>> from foedus.panels import dyad_years
    >>> t = dyad_years(years=2018).pipe(add_atop_alliance)
    >>> int(t["atop_defense"].sum())
    3412
    >>> t.filter((pl.col("ccode1") == 2) & (pl.col("ccode2") == 732))["atop_defense"].to_list()
    [1]
    """
    if source == "members":
        flags = atop_flags()
    elif source == "dyadic":
        flags = atop_dyadic_file()
    else:
        raise InvalidArgument(f"source must be 'members' or 'dyadic', not {source!r}")
    return _alliances.merge(
        frame, flags, list(ATOP_COLUMNS), ATOP_FIRST, ATOP_LAST, ndir, "add_atop_alliance"
    )
