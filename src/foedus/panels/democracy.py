"""``add_democracy``: V-Dem polyarchy, Polity2 and Unified Democracy Scores, 1816–2020."""

from __future__ import annotations

import functools

import polars as pl

from foedus import data
from foedus.panels._common import cast_keys, join_state_attributes, require_cow

DEMOCRACY_COLUMNS: tuple[str, ...] = ("v2x_polyarchy", "polity2", "xm_qudsest")


@functools.cache
def democracy_table() -> pl.DataFrame:
    """``ccode, year, v2x_polyarchy, polity2, xm_qudsest`` (peacesciencer's ``ccode_democracy``)."""
    return cast_keys(data.load("ccode_democracy"), "ccode").select(
        "ccode", "year", *DEMOCRACY_COLUMNS
    )


def add_democracy(frame: pl.DataFrame) -> pl.DataFrame:
    """Add democracy scores: ``v2x_polyarchy`` (V-Dem 10), ``polity2`` (Polity IV), ``xm_qudsest`` (UDS).

    State-years get the three columns; dyad-years get them for each side (``v2x_polyarchy1``,
    …, ``xm_qudsest2``). Null where a source has no score (Polity to 2017, V-Dem and UDS
    to 2019/2020 in this release).

    Data: ``ccode_democracy`` (peacesciencer, before it moved to isard). Cite Coppedge et al.
    (2020) for V-Dem, Marshall, Gurr & Jaggers (2017) for Polity IV and Marquez (2016) for
    the UDS extension (``foedus.data.dataset("ccode_democracy").citation``).
    """
    require_cow(frame, "add_democracy")
    return join_state_attributes(frame, democracy_table(), list(DEMOCRACY_COLUMNS))
