"""What every panel verb shares: recognising a panel, key types, coverage, year ranges.

A panel is a plain :class:`polars.DataFrame`. Its kind is read from its key columns, the way
peacesciencer reads its ``ps_data_type`` attribute (polars frames carry no attributes):

=====================  ==========================  ==========
key columns            kind                        system
=====================  ==========================  ==========
``ccode1, ccode2``     dyad-year                   COW
``gwcode1, gwcode2``   dyad-year                   GW
``ccode``              state-year                  COW
``gwcode``             state-year                  GW
=====================  ==========================  ==========

A GW panel that has been through :func:`~foedus.panels.add_ccode_to_gw` has both kinds of
codes, so COW-keyed verbs accept it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import polars as pl

from foedus.errors import InvalidArgument

#: Integer type of every state code and year column foedus builds (joins need equal types).
CODE = pl.Int32
YEAR = pl.Int32
#: Type of 0/1 indicator columns.
FLAG = pl.Int8

#: First year of both state systems.
FIRST_YEAR = 1816

Kind = Literal["dyad_year", "state_year"]


@dataclass(frozen=True)
class Panel:
    """What a frame is: dyad-year or state-year, and which codes it carries."""

    kind: Kind
    cow: bool  # has ccode / ccode1, ccode2
    gw: bool  # has gwcode / gwcode1, gwcode2


def panel_of(frame: pl.DataFrame, verb: str) -> Panel:
    """Recognise ``frame``'s kind from its columns; anything else is an InvalidArgument."""
    if not isinstance(frame, pl.DataFrame):
        raise InvalidArgument(
            f"{verb}() takes a polars DataFrame made by foedus.panels.dyad_years() or state_years(); "
            f"got {type(frame).__name__} (convert pandas with polars.from_pandas first)"
        )
    cols = set(frame.columns)
    if "year" not in cols:
        raise InvalidArgument(
            f"{verb}() needs a 'year' column: start the pipe with dyad_years() or state_years()"
        )
    dyad_cow, dyad_gw = {"ccode1", "ccode2"} <= cols, {"gwcode1", "gwcode2"} <= cols
    if dyad_cow or dyad_gw:
        return Panel("dyad_year", dyad_cow, dyad_gw)
    if "ccode" in cols or "gwcode" in cols:
        return Panel("state_year", "ccode" in cols, "gwcode" in cols)
    raise InvalidArgument(
        f"{verb}() needs state codes (ccode1/ccode2, gwcode1/gwcode2, ccode or gwcode): "
        "start the pipe with dyad_years() or state_years()"
    )


def require_cow(
    frame: pl.DataFrame, verb: str, kinds: tuple[Kind, ...] = ("dyad_year", "state_year")
) -> Panel:
    """The panel of ``frame``, which must carry COW codes and be of one of ``kinds``."""
    panel = panel_of(frame, verb)
    if panel.kind not in kinds:
        only = " or ".join(k.replace("_", "-") for k in kinds)
        raise InvalidArgument(
            f"{verb}() works on {only} data only; this frame is {panel.kind.replace('_', '-')} data"
        )
    if not panel.cow:
        codes = "ccode1/ccode2" if panel.kind == "dyad_year" else "ccode"
        raise InvalidArgument(
            f"{verb}() merges on Correlates of War codes ({codes}), which this Gleditsch–Ward frame lacks: "
            "run foedus.panels.add_ccode_to_gw() first"
        )
    return panel


def directed(frame: pl.DataFrame) -> bool:
    """Whether a dyad-year frame is directed: some row has ``ccode1 > ccode2`` (peacesciencer's test)."""
    a, b = ("ccode1", "ccode2") if "ccode1" in frame.columns else ("gwcode1", "gwcode2")
    return frame.height > 0 and bool(frame.select((pl.col(a) > pl.col(b)).any()).item())


def cast_keys(frame: pl.DataFrame, *codes: str, year: str | None = "year") -> pl.DataFrame:
    """Cast code and year columns to foedus's key types (source files store them as doubles)."""
    exprs = [pl.col(c).cast(CODE) for c in codes]
    if year is not None:
        exprs.append(pl.col(year).cast(YEAR))
    return frame.with_columns(exprs)


def fill_covered(
    columns: Iterable[str], first: int, last: int, value: int | float = 0
) -> list[pl.Expr]:
    """Expressions that turn null into ``value`` inside a source's years and leave null outside.

    Outside ``first..last`` the source has no information, so "no record" means "not covered",
    never 0 (DESIGN lesson 12).
    """
    inside = pl.col("year").is_between(first, last)
    return [
        pl.when(pl.col(c).is_null() & inside).then(pl.lit(value)).otherwise(pl.col(c)).alias(c)
        for c in columns
    ]


def dyadic(
    state_table: pl.DataFrame, columns: list[str], code: str = "ccode"
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``state_table`` keyed twice, for ``code1`` (columns suffixed 1) and ``code2`` (suffixed 2)."""
    one = state_table.select(
        pl.col(code).alias(f"{code}1"), "year", *[pl.col(c).alias(f"{c}1") for c in columns]
    )
    two = state_table.select(
        pl.col(code).alias(f"{code}2"), "year", *[pl.col(c).alias(f"{c}2") for c in columns]
    )
    return one, two


# State codes (COW and GW alike) are below 1024 and years below 4096, so (code1, code2, year)
# packs into one 64-bit integer and (code, year) into one 32-bit integer: a join on one integer
# key is 2-3 times faster than on three columns.
_CODE_BITS, _YEAR_BITS = 10, 12


def _packed_key(on: list[str]) -> pl.Expr | None:
    if len(on) not in (2, 3) or on[-1] != "year":
        return None
    key = pl.lit(0, pl.Int64)
    for code in on[:-1]:
        key = (key * (1 << _CODE_BITS)) + pl.col(code).cast(pl.Int64)
    return (key * (1 << _YEAR_BITS)) + pl.col("year").cast(pl.Int64)


def sort_key(on: list[str]) -> pl.Expr:
    """One integer that sorts like ``on`` (state codes, then year); much faster to sort by."""
    key = _packed_key(on)
    assert key is not None
    return key


def _in_range(on: list[str]) -> pl.Expr:
    codes = [pl.col(c).is_between(0, (1 << _CODE_BITS) - 1) for c in on[:-1]]
    return pl.all_horizontal(*codes, pl.col("year").is_between(0, (1 << _YEAR_BITS) - 1))


# Keys of long-lived lookup tables (functools-cached), by id: (table, on, keys, in-range mask).
_STATIC_KEYS: dict[int, tuple[pl.DataFrame, tuple[str, ...], np.ndarray, pl.Series | None]] = {}


def _static_keys(other: pl.DataFrame, on: list[str]) -> tuple[np.ndarray, pl.Series | None]:
    """Packed keys of a cached lookup table (its in-range rows), computed and checked once."""
    entry = _STATIC_KEYS.get(id(other))
    if entry is not None and entry[0] is other and entry[1] == tuple(on):
        return entry[2], entry[3]
    inside = other.select(_in_range(on).fill_null(False)).to_series()
    rows = other if inside.all() else other.filter(inside)
    keys = rows.select(_packed_key(on)).to_series().to_numpy()
    if np.unique(keys).size != keys.size:
        raise ValueError(f"lookup table is not unique on {on}")  # a bug in foedus, not user input
    _STATIC_KEYS[id(other)] = (other, tuple(on), keys, None if inside.all() else inside)
    return keys, _STATIC_KEYS[id(other)][3]


def _scatter_join(
    frame: pl.DataFrame, other: pl.DataFrame, on: list[str], frame_keys: np.ndarray
) -> pl.DataFrame:
    """Left join for a frame sorted by its (unique) packed key: place ``other``'s rows by binary search.

    Lookup tables are much smaller than panels, so finding each table row in the panel and
    scattering its values costs less than hashing every panel row.
    """
    keys, inside = _static_keys(other, on)
    rows = other if inside is None else other.filter(inside)
    pos = np.searchsorted(frame_keys, keys)
    found = pos < frame_keys.size
    found[found] = frame_keys[pos[found]] == keys[found]
    matched = rows.filter(pl.Series(found)).drop(on)
    where = pl.Series(pos[found], dtype=pl.Int64)
    columns = [
        pl.repeat(None, frame.height, dtype=matched[c].dtype, eager=True)
        .alias(c)
        .scatter(where, matched[c])
        for c in matched.columns
    ]
    return frame.with_columns(columns)


def left_join(
    frame: pl.DataFrame, other: pl.DataFrame, on: list[str], *, static: bool = False
) -> pl.DataFrame:
    """``frame`` with ``other``'s columns, rows and row order unchanged.

    ``other`` must be unique on ``on`` (checked: a duplicate key would silently add rows).
    Integer state-code keys are packed into one integer first (same result, faster); when
    ``other`` is a long-lived lookup table (``static``) and ``frame`` is sorted by its keys, as
    every panel foedus builds is, rows are placed by binary search instead of hashing.
    """
    key = _packed_key(on)
    if (
        key is not None
        and frame.height
        and frame.select((_in_range(on) | pl.any_horizontal(pl.col(on).is_null())).all()).item()
    ):
        frame_keys = frame.select(key).to_series()
        if static and frame_keys.null_count() == 0:
            values = frame_keys.to_numpy()
            if values.size < 2 or bool(np.all(values[1:] > values[:-1])):
                return _scatter_join(frame, other, on, values)
        # Rows of ``other`` outside the packable range cannot match any row of ``frame``.
        right = other.filter(_in_range(on)).with_columns(key.alias("__key")).drop(on)
        left = frame.with_columns(frame_keys.alias("__key"))
        joined = left.join(right, on="__key", how="left", validate="m:1", maintain_order="left")
        return joined.drop("__key")
    return frame.join(other, on=on, how="left", validate="m:1", maintain_order="left")


def join_state_attributes(
    frame: pl.DataFrame, table: pl.DataFrame, columns: list[str], code: str = "ccode"
) -> pl.DataFrame:
    """Left-join state-year ``columns`` of ``table`` onto a state-year or dyad-year frame.

    Dyad-year frames get ``<column>1`` for ``<code>1`` and ``<column>2`` for ``<code>2``.
    ``table`` must be unique on (code, year). Columns of those names already in ``frame``
    (from an earlier run of the same verb) are replaced.
    """
    if f"{code}1" in frame.columns:
        one, two = dyadic(table, columns, code)
        out = drop_existing(frame, [*one.columns[2:], *two.columns[2:]])
        out = left_join(out, one, [f"{code}1", "year"])
        return left_join(out, two, [f"{code}2", "year"])
    out = drop_existing(frame, columns)
    return left_join(out, table.select(code, "year", *columns), [code, "year"])


def drop_existing(frame: pl.DataFrame, columns: Iterable[str]) -> pl.DataFrame:
    """``frame`` without ``columns`` it already has, so adding a verb twice replaces, not duplicates."""
    present = [c for c in columns if c in frame.columns]
    return frame.drop(present) if present else frame


def own_columns(
    frame: pl.DataFrame, columns: Iterable[str], marker: str, verb: str
) -> pl.DataFrame:
    """``frame`` without ``columns``, which a previous run of ``verb`` (marked by ``marker``) added.

    Where the names are taken by another verb's columns (``sidea1`` from MIDs and from wars),
    raise instead of overwriting them.
    """
    present = [c for c in columns if c in frame.columns]
    if present and marker not in frame.columns:
        raise InvalidArgument(
            f"{verb}() would overwrite columns another verb added ({', '.join(present)}): "
            "drop those columns first, or add MIDs with keep=[] (only their onset/ongoing columns)"
        )
    return frame.drop(present) if present else frame


def last_year(mry: bool | int, observed: int) -> int:
    """The last year of a panel: the list's own last year, or (mry) an extension of it.

    ``mry=True`` means the most recently completed year (today's year − 1), like peacesciencer;
    an int names the last year explicitly (reproducible tables, tests).
    """
    if mry is False:
        return observed
    if mry is True:
        return max(observed, dt.date.today().year - 1)
    if isinstance(mry, int):
        if mry < observed:
            raise InvalidArgument(
                f"mry={mry} is before the end of the state list ({observed}): use mry=False to stop there"
            )
        return mry
    raise InvalidArgument(f"mry must be True, False or a year, not {mry!r}")


def year_range(years: object, first: int, last: int) -> tuple[int, int] | None:
    """Normalise a ``years=`` argument to an inclusive (start, end), checked against coverage.

    Accepts None (everything), an int, a (start, end) pair, a ``range`` (its Python stop is
    exclusive) or text like ``"1816-2018"`` / ``"1962"``.
    """
    if years is None:
        return None
    start: int
    end: int
    if isinstance(years, bool):
        raise InvalidArgument(f"years must be a year or a range of years, not {years!r}")
    if isinstance(years, int):
        start = end = years
    elif isinstance(years, range):
        if len(years) == 0 or years.step != 1:
            raise InvalidArgument(f"years={years!r} must be a non-empty range with step 1")
        start, end = years.start, years.stop - 1
    elif isinstance(years, str):
        text = years.strip().replace("–", "-").replace(":", "-")
        parts = [p.strip() for p in text.split("-")]
        try:
            if len(parts) == 1:
                start = end = int(parts[0])
            elif len(parts) == 2:
                start = int(parts[0]) if parts[0] else first
                end = int(parts[1]) if parts[1] else last
            else:
                raise ValueError
        except ValueError:
            raise InvalidArgument(
                f"years '{years}' is not a year or a range like 1816-2018"
            ) from None
    elif (
        isinstance(years, tuple | list)
        and len(years) == 2
        and all(isinstance(y, int) for y in years)
    ):
        start, end = int(years[0]), int(years[1])
    else:
        raise InvalidArgument(
            f"years must be a year, a (start, end) pair, a range or 'START-END', not {years!r}"
        )
    if start > end:
        raise InvalidArgument(f"years {start}-{end}: the start is after the end")
    if start < first or end > last:
        what = f"year {start} is" if start == end else f"years {start}-{end} are"
        raise InvalidArgument(f"{what} outside the coverage {first}-{last}: choose years in it")
    return start, end
