"""``add_foedus_alliance``: alliance obligations from foedus's registry, 1815 to today.

ATOP ends in 2018. foedus's registry (:func:`foedus.treaties.registry`) is ATOP 5.1 plus the
curated treaties, each one file with article-level sources and day-precision dates, kept
current. A curated treaty that is the same treaty as an ATOP alliance (it lists the ATOP id
in ``atop_ids``: NATO is ATOP 3180) replaces that alliance in every year, so each alliance
is counted once. The flags are read from the registry's ties table
(:func:`foedus.treaties.ties_frame`).

How a year is coded
-------------------
A directed dyad-year has ``foedus_<k>`` = 1 when ``ccode1`` owes ``ccode2`` obligation ``k``
on **at least one day of that year**, the rule of ATOP's yearly files. So a treaty that
enters into force on 4 December counts for that whole year: the Russia–DPRK Treaty on
Comprehensive Strategic Partnership entered into force on 2024-12-04, and 365→731 and
731→365 have ``foedus_defense = 1`` in 2024. A membership or provision ends on the day
before its exit date (exit dates are exclusive), so the 2000 Russia–DPRK treaty, which
ceased to have effect on 2024-12-04, still counts in 2024. ATOP alliances keep ATOP's own
yearly coding (see :mod:`foedus.panels.atop`).

After 2018: an ATOP alliance that ATOP records as still in force on 31 Dec 2018, and that no
curated treaty covers, is presumed to remain in force with the same members and obligations
(the same presumption peacesciencer's ``mry`` makes for state-system membership). Curated
treaties record their own entries, exits and amendments (North Macedonia's, Finland's and
Sweden's accession to NATO in 2020, 2023 and 2024; the 2024 Russia–DPRK treaty).

Where the two codings differ before 2019 (curated dates are entry into force where ATOP uses
signature; curated treaties code obligations article by article), ``foedus_*`` and
``atop_*`` differ; :func:`foedus_vs_atop` lists every such cell.
"""

from __future__ import annotations

import functools

import polars as pl

from foedus.dates import today
from foedus.panels import _alliances
from foedus.panels.atop import ATOP_FIRST, ATOP_LAST, atop_flags

#: Column names, in the style of peacesciencer's ``atop_*``.
FOEDUS_COLUMNS: tuple[str, ...] = tuple(_alliances.columns("foedus"))


@functools.cache
def _flags(open_until: int) -> pl.DataFrame:
    from foedus import data
    from foedus.treaties import ties_frame

    data.path("atop5_1m")  # the registry without ATOP would silently drop every ATOP alliance
    return _alliances.yearly_flags(ties_frame("registry"), "foedus", open_until)


def foedus_flags() -> pl.DataFrame:
    """Registry directed dyad-years with the five obligation flags, 1815 to this year."""
    return _flags(today().year)


def foedus_coverage() -> tuple[int, int]:
    """First and last year the registry covers (the last is this year)."""
    return ATOP_FIRST, today().year


def add_foedus_alliance(frame: pl.DataFrame, *, ndir: bool = True) -> pl.DataFrame:
    """Add registry obligations: ``foedus_defense, foedus_offense, foedus_neutral, foedus_nonagg, foedus_consul``.

    Like :func:`~foedus.panels.add_atop_alliance`, but from foedus's registry (ATOP 5.1 merged
    with the curated treaties), so the columns run from 1815 to this year; null only outside
    that. A treaty in force on any day of a year counts for the year: ``foedus_defense`` is 1
    for 365→731 in 2024 because the Russia–DPRK treaty entered into force on 2024-12-04. See
    :mod:`foedus.panels.foedus_alliance` for the rules, including the presumption that ATOP
    alliances in force at the end of 2018 continue unless a curated treaty says otherwise.

    Parameters
    ----------
    frame : polars.DataFrame
        A COW dyad-year frame (``ccode1, ccode2, year``).
    ndir : bool, default True
        On a non-directed frame, the highest value in either direction (as in
        :func:`~foedus.panels.add_atop_alliance`).

    Data: ATOP 5.1 (``atop5_1m``) and the curated treaty files shipped with foedus (each cites
    its sources). Cite the ATOP 5.1 codebook (``foedus.data.dataset("atop5_1m").citation``)
    and foedus.

    Examples
    --------
    >>> from foedus.panels import dyad_years
    >>> t = dyad_years(years=2024).pipe(add_foedus_alliance)
    >>> t.filter((pl.col("ccode1") == 365) & (pl.col("ccode2") == 731))["foedus_defense"].to_list()
    [1]
    """
    first, last = foedus_coverage()
    return _alliances.merge(
        frame, foedus_flags(), list(FOEDUS_COLUMNS), first, last, ndir, "add_foedus_alliance"
    )


def foedus_vs_atop() -> pl.DataFrame:
    """Every directed dyad-year 1815–2018 where a registry flag differs from ATOP's.

    Columns: ``ccode1, ccode2, year``, the five ``atop_*`` and five ``foedus_*`` flags
    (0 where the table has no tie), one row per dyad-year with at least one difference.
    """
    atop = atop_flags()
    reg = foedus_flags().filter(pl.col("year") <= ATOP_LAST)
    both = atop.join(reg, on=_alliances.KEYS, how="full", coalesce=True)
    cols = [*_alliances.columns("atop"), *FOEDUS_COLUMNS]
    both = both.with_columns(pl.col(cols).fill_null(0))
    differs = pl.any_horizontal(
        [pl.col(f"atop_{k}") != pl.col(f"foedus_{k}") for k in _alliances.OBLIGATIONS]
    )
    return both.filter(differs).sort(_alliances.KEYS)
