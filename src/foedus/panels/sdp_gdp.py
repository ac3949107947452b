"""``add_sdp_gdp``: simulated GDP, population and surplus domestic product (Anders et al. 2020)."""

from __future__ import annotations

import functools

import polars as pl

from foedus import data
from foedus.panels._common import cast_keys, join_state_attributes, require_cow

SDP_COLUMNS: tuple[str, ...] = ("wbgdp2011est", "wbpopest", "sdpest", "wbgdppc2011est")


@functools.cache
def sdp_table() -> pl.DataFrame:
    """``ccode, year`` and :data:`SDP_COLUMNS` (natural logs, rounded to 3 decimals)."""
    return cast_keys(data.load("cow_sdp_gdp"), "ccode").select("ccode", "year", *SDP_COLUMNS)


def add_sdp_gdp(frame: pl.DataFrame) -> pl.DataFrame:
    """Add ``wbgdp2011est, wbpopest, sdpest, wbgdppc2011est`` (logged estimates, 1816–2016).

    GDP (2011 USD), population, surplus domestic product and GDP per capita, simulated by
    Anders, Fariss & Markowitz (2020); all on the natural-log scale. Dyad-years get each
    column for both sides (suffix 1 and 2). Null where the estimates have no value.

    Data: ``cow_sdp_gdp``. Cite Anders, Fariss & Markowitz (2020), International Studies
    Quarterly 64(2): 392–405 (``foedus.data.dataset("cow_sdp_gdp").citation``).
    """
    require_cow(frame, "add_sdp_gdp")
    return join_state_attributes(frame, sdp_table(), list(SDP_COLUMNS))
