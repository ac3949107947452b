"""``add_peace_years``: years since the last dispute, for binary time-series cross-section models."""

from __future__ import annotations

import polars as pl

from foedus.errors import InvalidArgument
from foedus.panels._common import require_cow

#: Event column → spell column.
SPELLS = {"cowmidongoing": "cowmidspell", "gmlmidongoing": "gmlmidspell"}


def _spell(frame: pl.DataFrame, event: str, pad: bool) -> pl.Series:
    """Peace years for ``event`` in ``frame``'s row order (null where the event is null)."""
    unit = ["ccode1", "ccode2"]
    rows = (
        frame.select(*unit, "year", pl.col(event))
        .with_row_index("_row")
        .filter(pl.col(event).is_not_null())
    )
    rows = rows.sort(*unit, "year")
    if pad:
        # Years missing from a dyad's series (Germany 1945-1990) count as events, as in sbtscs(pad_ts=TRUE).
        rows = rows.with_columns(
            (pl.col("year") - pl.col("year").first().over(unit)).cast(pl.Int64).alias("_pos"),
            (pl.col("year") - pl.col("year").shift(1).over(unit) > 1).alias("_gap"),
        )
        last_gap = pl.when(pl.col("_gap")).then(pl.col("_pos") - 1).forward_fill().over(unit)
    else:
        rows = rows.with_columns(pl.int_range(pl.len(), dtype=pl.Int64).over(unit).alias("_pos"))
        last_gap = pl.lit(None, pl.Int64)
    last_event = pl.when(pl.col(event) == 1).then(pl.col("_pos")).shift(1).forward_fill().over(unit)
    last = pl.max_horizontal(last_event, last_gap).fill_null(-1)
    rows = rows.with_columns((pl.col("_pos") - last - 1).cast(pl.Int32).alias("_spell"))
    spell = (
        frame.with_row_index("_row")
        .select("_row")
        .join(rows.select("_row", "_spell"), on="_row", how="left", maintain_order="left")
    )
    return spell["_spell"]


def add_peace_years(frame: pl.DataFrame, *, pad: bool = False) -> pl.DataFrame:
    """Add peace years: ``cowmidspell`` and/or ``gmlmidspell``, the years since the dyad's last MID.

    For each of ``cowmidongoing`` (:func:`add_cow_mids`) and ``gmlmidongoing``
    (:func:`add_gml_mids`) present in the frame, the count of observations since the
    previous year with an ongoing dispute, within each (ccode1, ccode2) series ordered by year:
    0 in the first observed year, 0 in the year after a dispute, and the run length
    (counting the dispute year) in a dispute year — the ``btscs``/``sbtscs`` counter
    (Beck, Katz & Tucker 1998; Armstrong's DAMisc, Miller's stevemisc) that peacesciencer uses.
    Rows where the dispute variable is null (after the data end) are skipped and get null.
    ``pad=True`` counts years missing from a series (a state absent from the system) as
    dispute years, so the count restarts after a gap.

    Examples
    --------
    >>> f = pl.DataFrame({"ccode1": [2] * 5, "ccode2": [20] * 5, "year": [1, 2, 3, 4, 5], "cowmidongoing": [0, 0, 1, 0, 0]})
    >>> add_peace_years(f)["cowmidspell"].to_list()
    [0, 1, 2, 0, 1]
    """
    require_cow(frame, "add_peace_years", ("dyad_year",))
    present = [e for e in SPELLS if e in frame.columns]
    if not present:
        raise InvalidArgument(
            "add_peace_years() needs cowmidongoing or gmlmidongoing: run add_cow_mids() or add_gml_mids() first"
        )
    return frame.with_columns([_spell(frame, e, pad).alias(SPELLS[e]) for e in present])
