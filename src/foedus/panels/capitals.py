"""``add_capital_distance``: great-circle distance between capitals (km)."""

from __future__ import annotations

import functools

import numpy as np
import polars as pl

from foedus import data
from foedus.panels._common import CODE, YEAR, drop_existing, left_join, panel_of

#: Sphere radius used by geosphere's distVincentySphere (the WGS84 equatorial radius), in metres.
EARTH_RADIUS_M = 6_378_137.0


@functools.cache
def capital_years(system: str = "cow") -> pl.DataFrame:
    """``code, year, lat, lng``: the capital on 1 January (the first capital of each year).

    peacesciencer's capitals tables run to 2024-12-31, so later years have no capital.
    """
    name, code = ("cow_capitals", "ccode") if system == "cow" else ("gw_capitals", "gwcode")
    raw = data.load(name).select(pl.col(code).cast(CODE), "stdate", "enddate", "lat", "lng")
    years = raw.with_columns(
        pl.int_ranges(
            pl.col("stdate").dt.year(), pl.col("enddate").dt.year() + 1, dtype=YEAR
        ).alias("year")
    ).explode("year")
    return (
        years.sort(code, "year", "stdate")
        .unique([code, "year"], keep="first", maintain_order=True)
        .select(code, "year", "lat", "lng")
    )


def vincenty_sphere_km(lat1: pl.Expr, lng1: pl.Expr, lat2: pl.Expr, lng2: pl.Expr) -> pl.Expr:
    """Great-circle distance in km by Vincenty's formula on a sphere (geosphere's distVincentySphere)."""
    p1, p2 = lat1.radians(), lat2.radians()
    dl = (lng2 - lng1).radians()
    num = (
        (p2.cos() * dl.sin()) ** 2 + (p1.cos() * p2.sin() - p1.sin() * p2.cos() * dl.cos()) ** 2
    ).sqrt()
    den = p1.sin() * p2.sin() + p1.cos() * p2.cos() * dl.cos()
    return pl.arctan2(num, den) * (EARTH_RADIUS_M / 1000.0)


# Capital-years are indexed densely by (code, year − _YEAR0): codes < 1024, years 1700–2211.
_YEAR0, _YEARS = 1700, 512


@functools.cache
def _capital_index(system: str) -> tuple[np.ndarray, np.ndarray]:
    """(capital id of every state-year, −1 if none; distance in km between every two capitals).

    A few hundred distinct capitals serve some 2 million dyad-years, so the distances are
    computed once per pair of capitals and looked up.
    """
    code = "ccode" if system == "cow" else "gwcode"
    caps = capital_years(system)
    places = caps.select("lat", "lng").unique(maintain_order=True).with_row_index("capital")
    indexed = caps.join(places, on=["lat", "lng"], how="left")
    lookup = np.full(1024 * _YEARS, -1, dtype=np.int64)
    slot = indexed[code].to_numpy().astype(np.int64) * _YEARS + indexed["year"].to_numpy() - _YEAR0
    lookup[slot] = indexed["capital"].to_numpy()
    lat, lng = places["lat"], places["lng"]
    pairs = pl.DataFrame({"lat1": lat, "lng1": lng}).join(
        pl.DataFrame({"lat2": lat, "lng2": lng}), how="cross"
    )
    km = pairs.select(
        vincenty_sphere_km(pl.col("lat1"), pl.col("lng1"), pl.col("lat2"), pl.col("lng2"))
    ).to_series()
    return lookup, km.to_numpy().reshape(places.height, places.height)


def _capitals_of(frame: pl.DataFrame, column: str, lookup: np.ndarray) -> np.ndarray:
    codes = frame[column].fill_null(-1).to_numpy().astype(np.int64)
    years = frame["year"].fill_null(-1).to_numpy().astype(np.int64) - _YEAR0
    ok = (codes >= 0) & (codes < 1024) & (years >= 0) & (years < _YEARS)
    return np.where(ok, lookup[np.where(ok, codes * _YEARS + years, 0)], -1)


def _dyad_distances(frame: pl.DataFrame, code: str) -> pl.DataFrame:
    lookup, km = _capital_index("cow" if code == "ccode" else "gw")
    one, two = _capitals_of(frame, f"{code}1", lookup), _capitals_of(frame, f"{code}2", lookup)
    known = (one >= 0) & (two >= 0)
    dist = np.where(known, km[np.maximum(one, 0), np.maximum(two, 0)], np.nan)
    return frame.with_columns(pl.Series("capdist", dist).fill_nan(None))


def add_capital_distance(frame: pl.DataFrame) -> pl.DataFrame:
    """Add capital-to-capital distance in km: ``capdist`` (dyad-years) or ``mincapdist`` (state-years).

    The great-circle distance between the two capitals on 1 January of the year (Vincenty's
    formula on a sphere of radius 6,378,137 m, as geosphere's ``distVincentySphere``), so a
    capital moved during the year counts from the next year (Brazil: Rio de Janeiro in 1960,
    Brasília from 1961). State-years get ``mincapdist``, the distance to the nearest capital of
    another state in the system that year. Null where a capital is unknown, including every
    year after 2024, the end of the capitals table.

    Works on COW (``ccode``) and GW (``gwcode``) frames.

    Data: peacesciencer's ``cow_capitals`` / ``gw_capitals`` (capitals and moves with
    coordinates, compiled by Steven V. Miller). Cite Miller (2022), Conflict Management and
    Peace Science 39(6): 755–779 (``foedus.data.dataset("cow_capitals").citation``).

    Examples
    --------
    >>> from foedus.panels import dyad_years
    >>> t = dyad_years(years=2000).pipe(add_capital_distance)
    >>> round(t.filter((pl.col("ccode1") == 2) & (pl.col("ccode2") == 20))["capdist"].item())
    735
    """
    panel = panel_of(frame, "add_capital_distance")
    code = "ccode" if panel.cow else "gwcode"
    if panel.kind == "dyad_year":
        return _dyad_distances(drop_existing(frame, ["capdist"]), code)
    from foedus.panels.systems import dyad_years

    span = frame.select(pl.col("year").min().alias("lo"), pl.col("year").max().alias("hi")).row(0)
    if span[0] is None:
        return frame.with_columns(pl.lit(None, pl.Float64).alias("mincapdist"))
    system = "cow" if code == "ccode" else "gw"
    dyads = dyad_years(system, True, mry=max(int(span[1]), 2017)).filter(
        pl.col("year").is_between(*span)
    )
    nearest = (
        _dyad_distances(dyads.select(f"{code}1", f"{code}2", "year"), code)
        .group_by(pl.col(f"{code}1").alias(code), "year")
        .agg(pl.col("capdist").min().alias("mincapdist"))
    )
    return left_join(drop_existing(frame, ["mincapdist"]), nearest, [code, "year"])
