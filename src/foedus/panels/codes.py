"""COW ↔ Gleditsch–Ward code conversion for panels: ``add_ccode_to_gw``, ``add_gwcode_to_cow``."""

from __future__ import annotations

import polars as pl

from foedus.errors import InvalidArgument
from foedus.panels._common import CODE, drop_existing, panel_of


def _convert(frame: pl.DataFrame, source: str, verb: str) -> pl.DataFrame:
    from foedus.states import cow_to_gw_frame, gw_to_cow_frame

    panel = panel_of(frame, verb)
    src, dst = ("gwcode", "ccode") if source == "gw" else ("ccode", "gwcode")
    has_source = panel.gw if source == "gw" else panel.cow
    if not has_source:
        raise InvalidArgument(f"{verb}() needs {src} columns: this frame has none")
    convert = gw_to_cow_frame if source == "gw" else cow_to_gw_frame
    suffixes = ("1", "2") if panel.kind == "dyad_year" else ("",)
    out = drop_existing(frame, [f"{dst}{s}" for s in suffixes])
    for s in suffixes:
        names = {"year_col": "year", ("gwcode_col" if source == "gw" else "ccode_col"): f"{src}{s}"}
        names["ccode_col" if source == "gw" else "gw_col"] = f"{dst}{s}"
        out = convert(out, **names).with_columns(pl.col(f"{dst}{s}").cast(CODE))
    return out


def add_ccode_to_gw(frame: pl.DataFrame) -> pl.DataFrame:
    """Add COW codes to a Gleditsch–Ward frame: ``ccode`` (state-years) or ``ccode1``, ``ccode2``.

    Each GW state-year gets the COW code of the same state in that year
    (:func:`foedus.states.gw_to_cow_frame`): GW 260 is COW 260 through 1990 and COW 255 from
    1991; GW 678 is COW 679 from 1990; GW 340 and 345 are COW 345; the Pacific microstates GW
    numbers differently map to their COW codes. GW-only entities (Tibet, Transvaal, ...) get
    null. After this, COW-keyed verbs (:func:`add_atop_alliance`, :func:`add_nmc`, …) work on
    the GW frame.

    Data: the COW and GW state lists (``cow_states``, ``gw_states``, ``gw_capitals``) through
    :mod:`foedus.states`. Cite COW (2017) and Gleditsch & Ward (1999)
    (``foedus.data.dataset("gw_states").citation``).
    """
    return _convert(frame, "gw", "add_ccode_to_gw")


def add_gwcode_to_cow(frame: pl.DataFrame) -> pl.DataFrame:
    """Add Gleditsch–Ward codes to a COW frame: ``gwcode`` (state-years) or ``gwcode1``, ``gwcode2``.

    The reverse of :func:`add_ccode_to_gw` (:func:`foedus.states.cow_to_gw_frame`): COW 255
    after German unification is GW 260, COW 345 is GW 340 (Serbia) before 1919 and after 2006,
    COW 679 is GW 678. COW states GW does not list get null.

    Data and citation: as :func:`add_ccode_to_gw`.
    """
    return _convert(frame, "cow", "add_gwcode_to_cow")
