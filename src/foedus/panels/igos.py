"""``add_igos``: Correlates of War intergovernmental organisations (v3), 1816–2014."""

from __future__ import annotations

import functools

import polars as pl

from foedus import data
from foedus.panels._common import cast_keys, drop_existing, left_join, require_cow

IGO_STATE_COLUMNS: tuple[str, ...] = (
    "sum_igo_full",
    "sum_igo_associate",
    "sum_igo_observer",
    "sum_igo_anytype",
)


@functools.cache
def igo_state_years() -> pl.DataFrame:
    return cast_keys(data.load("cow_igo_sy"), "ccode").select("ccode", "year", *IGO_STATE_COLUMNS)


@functools.cache
def igo_dyad_years() -> pl.DataFrame:
    """Shared memberships per directed dyad-year (the non-directed table, both ways round)."""
    ndy = cast_keys(data.load("cow_igo_ndy"), "ccode1", "ccode2").select(
        "ccode1", "ccode2", "year", "dyadigos"
    )
    flipped = ndy.select(
        pl.col("ccode2").alias("ccode1"), pl.col("ccode1").alias("ccode2"), "year", "dyadigos"
    )
    # The table lists each pair once (ccode1 < ccode2), so the two halves never share a key.
    return pl.concat([ndy.filter(pl.col("ccode1") != pl.col("ccode2")), flipped])


def add_igos(frame: pl.DataFrame) -> pl.DataFrame:
    """Add IGO memberships: ``dyadigos`` (dyad-years) or the four ``sum_igo_*`` counts (state-years).

    ``dyadigos`` counts the IGOs both states belong to as full members; the state-year counts
    are full, associate, observer and any-type memberships. Null where COW IGO v3 has no
    record (its last year is 2014; some years have no data for some states).

    Data: ``cow_igo_ndy`` and ``cow_igo_sy`` (COW IGO v3, summarised by peacesciencer). Cite
    Pevehouse, Nordstrom, McManus & Jamison (2020), Journal of Peace Research 57(3): 492–503
    (``foedus.data.dataset("cow_igo_ndy").citation``).
    """
    panel = require_cow(frame, "add_igos")
    if panel.kind == "dyad_year":
        return left_join(
            drop_existing(frame, ["dyadigos"]),
            igo_dyad_years(),
            ["ccode1", "ccode2", "year"],
            static=True,
        )
    return left_join(drop_existing(frame, IGO_STATE_COLUMNS), igo_state_years(), ["ccode", "year"])
