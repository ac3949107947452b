"""States: the COW and Gleditsch–Ward state systems, and resolving what users type into codes.

The core of foedus speaks COW codes. Names, ISO3 codes, COW abbreviations and GW codes are
resolved here, at the edge:

>>> resolve("North Korea"), resolve("DPRK"), resolve("PRK"), resolve(731)
(731, 731, 731, 731)
>>> resolve("Soviet Union")  # Russia continues the USSR under COW code 365
365

Membership periods come from the COW State System Membership list (v2016) and Gleditsch & Ward
(1999, as updated), as processed by peacesciencer. Both lists stop at their release
(2016-12-31 and 2017-12-31); a state still in the system then is presumed still in it today,
as peacesciencer does with ``mry=TRUE``.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from typing import Literal

import polars as pl
from rapidfuzz import fuzz, process

from foedus import data
from foedus.errors import InvalidArgument, UnknownState

System = Literal["cow", "gw"]
SYSTEMS: tuple[str, ...] = ("cow", "gw")

# Last day observed by each list: a spell ending then is open (still a member today).
_OBSERVED_UNTIL = {"cow": dt.date(2016, 12, 31), "gw": dt.date(2017, 12, 31)}

# One country, two COW codes by period: the resolver picks the one in the system on the date.
_SAME_COUNTRY = {255: (255, 260), 260: (260, 255), 678: (678, 679), 679: (679, 678)}

# Display names where COW's own is cryptic to a general reader.
_DISPLAY = {365: "Russia", 731: "North Korea", 732: "South Korea", 2: "United States"}


def _check_system(system: str) -> System:
    if system not in SYSTEMS:
        raise InvalidArgument(f"unknown state system '{system}': use 'cow' or 'gw'")
    return system  # type: ignore[return-value]


@functools.cache
def system_members(system: System = "cow") -> pl.DataFrame:
    """Membership spells: ``code``, ``abbrev``, ``name``, ``start``, ``end`` (null = still a member).

    One row per spell; a state that left and returned (e.g. the Baltic states) has several.
    """
    system = _check_system(system)
    if system == "cow":
        raw = data.load("cow_states")
        frame = raw.select(
            pl.col("ccode").cast(pl.Int64).alias("code"),
            pl.col("stateabb").alias("abbrev"),
            pl.col("statenme").alias("name"),
            pl.date(pl.col("styear").cast(pl.Int32), pl.col("stmonth").cast(pl.Int8), pl.col("stday").cast(pl.Int8)).alias("start"),
            pl.date(pl.col("endyear").cast(pl.Int32), pl.col("endmonth").cast(pl.Int8), pl.col("endday").cast(pl.Int8)).alias("end"),
        )
    else:
        raw = data.load("gw_states")
        frame = raw.select(
            pl.col("gwcode").cast(pl.Int64).alias("code"),
            pl.col("stateabb").alias("abbrev"),
            pl.col("statename").alias("name"),
            pl.col("startdate").cast(pl.Date).alias("start"),
            pl.col("enddate").cast(pl.Date).alias("end"),
        )
    until = _OBSERVED_UNTIL[system]
    return frame.with_columns(
        pl.when(pl.col("end") >= until).then(None).otherwise(pl.col("end")).alias("end")
    ).sort("code", "start")


@functools.cache
def _names(system: System) -> dict[int, tuple[str, str]]:
    frame = system_members(system).group_by("code").agg(pl.col("name").last(), pl.col("abbrev").last())
    return {row["code"]: (row["name"], row["abbrev"]) for row in frame.iter_rows(named=True)}


def codes(system: System = "cow") -> list[int]:
    """Every code the system has ever had, sorted."""
    return sorted(_names(_check_system(system)))


def name(code: int, system: System = "cow") -> str:
    """A readable name for ``code`` ("North Korea" for 731)."""
    if system == "cow" and code in _DISPLAY:
        return _DISPLAY[code]
    known = _names(_check_system(system))
    if code not in known:
        raise UnknownState(f"no {system.upper()} state has code {code}: `foedus states` lists the codes")
    return known[code][0]


def abbrev(code: int, system: System = "cow") -> str:
    """The system's three-letter abbreviation for ``code`` ("PRK" for 731)."""
    known = _names(_check_system(system))
    if code not in known:
        raise UnknownState(f"no {system.upper()} state has code {code}: `foedus states` lists the codes")
    return known[code][1]


def iso3(code: int) -> str | None:
    """The ISO 3166 alpha-3 code of a COW state, or None (historical states have none)."""
    from countrycode import countrycode

    return _iso_fixes().get(code) or countrycode(code, origin="cown", destination="iso3c")


@functools.cache
def _iso_fixes() -> dict[int, str]:
    # countrycode gives no ISO3 for these COW codes although the country has one today.
    return {260: "DEU", 365: "RUS", 345: "SRB", 679: "YEM", 816: "VNM"}


def in_system(code: int, day: dt.date, system: System = "cow") -> bool:
    """Whether ``code`` is a member of the state system on ``day``."""
    frame = system_members(system)
    hits = frame.filter(
        (pl.col("code") == code) & (pl.col("start") <= day) & (pl.col("end").is_null() | (pl.col("end") >= day))
    )
    return hits.height > 0


def members_on(day: dt.date, system: System = "cow") -> list[int]:
    """Codes of every state in the system on ``day``, sorted."""
    frame = system_members(system).filter(
        (pl.col("start") <= day) & (pl.col("end").is_null() | (pl.col("end") >= day))
    )
    return sorted(frame["code"].unique().to_list())


def _by_date(code: int, day: dt.date | None, system: System) -> int:
    if day is None or system != "cow" or code not in _SAME_COUNTRY:
        return code
    for candidate in _SAME_COUNTRY[code]:
        if in_system(candidate, day, system):
            return candidate
    return code


@functools.cache
def _lookup_table(system: System) -> dict[str, int]:
    table: dict[str, int] = {}
    for code, (full, abb) in _names(system).items():
        table.setdefault(full.casefold(), code)
        table.setdefault(abb.casefold(), code)
    if system == "cow":
        for code, display in _DISPLAY.items():
            table.setdefault(display.casefold(), code)
    return table


def _from_text(text: str, system: System) -> int | None:
    from countrycode import countrycode

    key = text.strip()
    folded = key.casefold()
    # ISO3 first: users type ISO codes; COW abbreviations that clash with one (AUS = Austria
    # in COW, Australia in ISO) would otherwise surprise them.
    if re.fullmatch(r"[A-Za-z]{3}", key):
        via_iso = countrycode(key.upper(), origin="iso3c", destination="cown" if system == "cow" else "gwn")
        if via_iso is not None:
            return int(via_iso)
    exact = _lookup_table(system).get(folded)
    if exact is not None:
        return exact
    via_name = countrycode(key, origin="country.name", destination="cown" if system == "cow" else "gwn")
    if via_name is not None:
        return int(via_name)
    return None


def suggestions(query: str, system: System = "cow", limit: int = 3) -> list[str]:
    """The closest state names to ``query`` (for error messages)."""
    names = {f"{full} ({abb}, {code})": full for code, (full, abb) in _names(system).items()}
    matches = process.extract(query, names, scorer=fuzz.WRatio, limit=limit)
    return [m[2] for m in matches]


def resolve(query: str | int, *, system: System = "cow", on: dt.date | None = None) -> int:
    """The state code for a COW/GW code, ISO3 code, COW abbreviation, name or alias.

    With ``on``, a country that changed codes resolves to the code in the system on that day
    (Germany: 255 or 260). Unknown input raises :class:`UnknownState` with the closest names.
    """
    system = _check_system(system)
    known = _names(system)
    if isinstance(query, bool):
        raise UnknownState(f"'{query}' is not a state")
    if isinstance(query, int) or (isinstance(query, str) and query.strip().isdigit()):
        code = int(query)
        if code in known:
            return code
        raise UnknownState(
            f"no {system.upper()} state has code {code}: `foedus states` lists the codes"
        )
    text = str(query).strip()
    code = _from_text(text, system) if text else None
    if code is None or code not in known:
        close = "; ".join(suggestions(text or "?", system))
        raise UnknownState(f"unknown state '{text}': did you mean {close}? (names, ISO3 and COW codes work)")
    return _by_date(code, on, system)


def cow_to_gw(ccode: int, year: int | None = None) -> int | None:
    """The Gleditsch–Ward code for a COW code (the systems differ for a few states)."""
    from countrycode import countrycode

    special = {255: 260 if year is not None and year < 1990 else 260, 260: 260, 340: 340, 345: 345, 679: 678}
    if ccode in special:
        return special[ccode]
    value = countrycode(ccode, origin="cown", destination="gwn")
    return int(value) if value is not None else None


def gw_to_cow(gwcode: int, year: int | None = None) -> int | None:
    """The COW code for a Gleditsch–Ward code (260 is Germany from 1990 in COW: 255)."""
    from countrycode import countrycode

    if gwcode == 260:
        return 260 if year is not None and year < 1991 else 255
    if gwcode == 678:
        return 678 if year is not None and year < 1990 else 679
    value = countrycode(gwcode, origin="gwn", destination="cown")
    return int(value) if value is not None else None
