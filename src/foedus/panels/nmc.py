"""``add_nmc``: Correlates of War National Material Capabilities (v7.0), 1816–2022."""

from __future__ import annotations

import functools

import polars as pl

from foedus import data
from foedus.panels._common import cast_keys, join_state_attributes, require_cow

#: The NMC columns peacesciencer adds (dyad-years get them twice, suffixed 1 and 2).
NMC_COLUMNS: tuple[str, ...] = ("milex", "milper", "irst", "pec", "tpop", "upop", "cinc")


@functools.cache
def nmc_table() -> pl.DataFrame:
    """NMC v7.0 state-years: ``ccode, year`` and :data:`NMC_COLUMNS` (as peacesciencer ships them)."""
    return cast_keys(data.load("cow_nmc"), "ccode").select("ccode", "year", *NMC_COLUMNS)


def add_nmc(frame: pl.DataFrame) -> pl.DataFrame:
    """Add national material capabilities: ``milex, milper, irst, pec, tpop, upop, cinc``.

    State-years get the seven columns; dyad-years get them for each side (``milex1`` …
    ``cinc1`` for ``ccode1``, ``milex2`` … ``cinc2`` for ``ccode2``). Values are NMC's own:
    null where NMC has no estimate and after 2022, the last year of v7.0. ``milex`` is in
    thousands of pounds sterling before 1914 and thousands of current US dollars after;
    ``cinc`` is the state's share of the system's capabilities (0–1).

    Data: COW National Material Capabilities v7.0 as shipped by peacesciencer (``cow_nmc``).
    Cite Singer, Bremer & Stuckey (1972) and Singer (1987)
    (``foedus.data.dataset("cow_nmc").citation``).

    Examples
    --------
    >>> from foedus.panels import state_years
    >>> t = state_years(years=2016).pipe(add_nmc)
    >>> t.filter(pl.col("ccode") == 710)["cinc"].round(3).to_list()
    [0.231]
    """
    require_cow(frame, "add_nmc")
    return join_state_attributes(frame, nmc_table(), list(NMC_COLUMNS))
