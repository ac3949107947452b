"""``filter_prd``: keep politically relevant dyads only."""

from __future__ import annotations

import polars as pl

from foedus.errors import InvalidArgument
from foedus.panels._common import require_cow


def filter_prd(frame: pl.DataFrame) -> pl.DataFrame:
    """Keep politically relevant dyad-years: contiguous (any ``conttype`` 1–5) or with a major power.

    Needs ``conttype`` (:func:`add_contiguity`) and ``cowmaj1``/``cowmaj2``
    (:func:`add_cow_majors`); Weede (1976), Lemke & Reed (2001). Where contiguity is unknown
    (null, after 2016) a dyad with a major power is still kept; peacesciencer drops it.

    Examples
    --------
    >>> from foedus.panels import dyad_years, add_contiguity, add_cow_majors
    >>> t = dyad_years(years=2000).pipe(add_contiguity).pipe(add_cow_majors).pipe(filter_prd)
    >>> t.height < dyad_years(years=2000).height
    True
    """
    require_cow(frame, "filter_prd", ("dyad_year",))
    missing = [c for c in ("conttype", "cowmaj1", "cowmaj2") if c not in frame.columns]
    if missing:
        raise InvalidArgument(
            f"filter_prd() needs {', '.join(missing)}: run add_contiguity() and add_cow_majors() first"
        )
    relevant = (pl.col("conttype") >= 1) | (pl.col("cowmaj1") == 1) | (pl.col("cowmaj2") == 1)
    return frame.filter(relevant.fill_null(False))
