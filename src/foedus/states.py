"""States: the COW and Gleditsch–Ward state systems, and resolving what users type into codes.

The core of foedus speaks COW codes. Names, ISO3 codes, COW/GW abbreviations and GW codes are
resolved here, at the edge:

>>> resolve("North Korea"), resolve("DPRK"), resolve("PRK"), resolve(731)
(731, 731, 731, 731)
>>> resolve("Soviet Union")  # Russia continues the USSR under COW code 365
365
>>> resolve("Germany", on="1970-01-01"), resolve("Germany", on="2000-01-01")
(260, 255)
>>> cow_to_gw(255, 1995), gw_to_cow(260, 1995)
(260, 255)

Membership periods come from the COW State System Membership list (v2016) and Gleditsch & Ward
(1999, as updated to 2017), both as processed by peacesciencer. Both lists stop at their release
(2016-12-31 and 2017-12-31); a state still in the system then is presumed still in it today,
as peacesciencer does with ``mry=TRUE``. peacesciencer's ``gw_states`` leaves out the GW
micro-states (Monaco, Nauru, ...); they are added from its ``gw_capitals`` table, which gives
their first year only, so their spells start on 1 January of that year (year precision).

Where the two lists differ (see :func:`cow_to_gw`): Germany (COW 255 again after 1990, GW 260
throughout), Serbia/Yugoslavia (COW 345 throughout, GW 340/345), Yemen (COW 678 then 679, GW 678
throughout), four Pacific micro-states numbered differently (Kiribati, Nauru, Tonga, Tuvalu), and
entities only one list has (GW: United Provinces of Central America, Great Colombia, Transvaal,
Orange Free State, Tibet, Annam, Abkhazia, South Ossetia).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, TypeVar

import polars as pl

from foedus import data
from foedus.dates import parse_date, today
from foedus.errors import DataMissing, InvalidArgument, UnknownState

System = Literal["cow", "gw"]
SYSTEMS: tuple[System, ...] = ("cow", "gw")

#: The column that holds each system's codes in foedus frames.
CODE_COLUMN = {"cow": "ccode", "gw": "gwcode"}

#: The dataset that holds each system's membership periods.
PERIODS_DATASET = {"cow": "cow_states", "gw": "gw_states"}

# Last day observed by each list: a spell ending then (or later) is open, i.e. still a member.
_OBSERVED_UNTIL = {"cow": dt.date(2016, 12, 31), "gw": dt.date(2017, 12, 31)}

# Years covered by the precomputed year-level crosswalk rules; outside them the first/last
# rule holds (the mappings only change at German and Yemeni unification and around Yugoslavia).
_FIRST_YEAR, _LAST_YEAR = 1816, 2100

Spell = tuple[dt.date, dt.date | None]  # first and last day of membership; None = still a member

# The membership frame before the public column names (see _members).
_MEMBER_SCHEMA = {
    "code": pl.Int64,
    "abbrev": pl.String,
    "name": pl.String,
    "start": pl.Date,
    "end": pl.Date,
    "microstate": pl.Boolean,
}

# --------------------------------------------------------------------------------------------
# Hand-kept facts (everything else comes from the data and from countrycode/pycountry)
# --------------------------------------------------------------------------------------------

# Names and abbreviations people use that neither list spells out, or that countrycode gets
# wrong for our purposes (it maps "North Vietnam" to GW 817 and "Vatican" to the Papal States).
# Keys are compared after _norm().
_ALIASES: dict[str, dict[str, int]] = {
    "cow": {
        "dprk": 731,
        "democratic peoples republic of korea": 731,
        "rok": 732,
        "republic of korea": 732,
        "ussr": 365,
        "soviet union": 365,
        "union of soviet socialist republics": 365,
        "russian federation": 365,
        "russian empire": 365,
        "prussia": 255,
        "german empire": 255,
        "german reich": 255,
        "west germany": 260,
        "frg": 260,
        "brd": 260,
        "federal republic of germany": 260,
        "east germany": 265,
        "ddr": 265,
        "north yemen": 678,
        "south yemen": 680,
        "peoples democratic republic of yemen": 680,
        "north vietnam": 816,
        "democratic republic of vietnam": 816,
        "south vietnam": 817,
        "serbia": 345,
        "serbia and montenegro": 345,
        "kingdom of serbs croats and slovenes": 345,
        "ottoman empire": 640,
        "turkiye": 640,
        "persia": 630,
        "siam": 800,
        "burma": 775,
        "ceylon": 780,
        "zaire": 490,
        "upper volta": 439,
        "dahomey": 434,
        "rhodesia": 552,
        "kampuchea": 811,
        "austria hungary": 300,
        "austrian empire": 300,
        "habsburg empire": 300,
        "sardinia": 325,
        "piedmont sardinia": 325,
        "kingdom of sardinia": 325,
        "holland": 210,
        "britain": 200,
        "great britain": 200,
        "uk": 200,
        "us": 2,
        "united states": 2,
        "america": 2,
        "prc": 710,
        "peoples republic of china": 710,
        "roc": 713,
        "republic of china": 713,
        "czechia": 316,
        "czech republic": 316,
        "ivory coast": 437,
        "cote divoire": 437,
        "eswatini": 572,
        "swaziland": 572,
        "north macedonia": 343,
        "fyrom": 343,
        "east timor": 860,
        "timor leste": 860,
        "cabo verde": 402,
        "uae": 696,
    },
    "gw": {
        # GW names that COW lacks or numbers differently; the rest come through the crosswalk.
        "prussia": 255,
        "german empire": 255,
        "german reich": 255,
        "west germany": 260,
        "germany": 260,
        "serbia": 340,
        "serbia and montenegro": 345,
        "kingdom of serbs croats and slovenes": 345,
        "yemen": 678,
        "annam": 815,
        "gran colombia": 99,
        "central american federation": 89,
    },
}

# ISO 3166-3 codes of countries that no longer exist (pycountry.historic_countries), for the
# COW state each named; the test checks each is a real historic ISO code.
_HISTORIC_ISO3 = {
    "BUR": 775, "BYS": 370, "CSK": 315, "DDR": 265, "DHY": 434, "HVO": 439, "RHO": 552,
    "SCG": 345, "SUN": 365, "TMP": 860, "VDR": 816, "YMD": 680, "YUG": 345, "ZAR": 490,
}  # fmt: skip

# ISO3 of the country a COW state is today, where countrycode has none or another view.
_ISO3_FIXES: dict[int, str | None] = {260: "DEU", 345: "SRB", 678: "YEM", 327: None}

# Codes that countrycode ties to a COW state foedus does not consider the same (the Vatican
# is not the Papal States).
_ISO3_NOT_COW = {"VAT"}

# One country, several codes over time. A *name* (not a number) that resolves to one of them is
# moved, given a date, to the one in the system on that day: "Germany" on 1970-01-01 is the
# German Federal Republic (260), on 2000-01-01 Germany (255).
_LINEAGES: dict[str, tuple[tuple[int, ...], ...]] = {
    "cow": ((255, 260), (678, 679)),
    "gw": ((255, 260), (340, 345), (815, 816)),
}

# A name that meant one state and, after a split, two: ambiguous from that day on.
_SPLIT_NAMES: dict[str, tuple[dt.date, tuple[int, ...]]] = {
    "korea": (dt.date(1948, 8, 15), (731, 732)),
}

# COW <-> GW: codes that map to another number at all times (the four Pacific micro-states
# numbered differently, Yemen in GW, Serbia in COW), and codes with date windows (_WINDOWS).
_COW_TO_GW_FIXED = {679: 678, 946: 970, 947: 973, 955: 972, 970: 971}
_GW_TO_COW_FIXED = {340: 345, 970: 946, 971: 970, 972: 955, 973: 947}

# The days the windows switch on are the lists' own (the test checks them against the pinned
# files); kept here so that codes convert with nothing downloaded.
_GERMAN_UNIFICATION = dt.date(1990, 10, 3)  # COW 255 returns
_YEMENI_UNIFICATION = dt.date(1990, 5, 22)  # COW 679 starts
_GW_YUGOSLAVIA = (dt.date(1918, 12, 1), dt.date(2006, 6, 4))  # GW 345's first and last days

Window = tuple[dt.date | None, dt.date | None, int]  # first day, last day (None = open), target
_DAY = dt.timedelta(days=1)

#: By source system, the codes whose counterpart changes over time.
_WINDOWS: dict[str, dict[int, tuple[Window, ...]]] = {
    "cow": {
        # COW 255 is the German Reich (GW 255) before 1945 and unified Germany (GW 260) after 1990.
        255: ((None, _GERMAN_UNIFICATION - _DAY, 255), (_GERMAN_UNIFICATION, None, 260)),
        # COW 345 is Serbia, Yugoslavia and Serbia again; GW splits them into 340 and 345.
        345: (
            (None, _GW_YUGOSLAVIA[0] - _DAY, 340),
            (_GW_YUGOSLAVIA[0], _GW_YUGOSLAVIA[1], 345),
            (_GW_YUGOSLAVIA[1] + _DAY, None, 340),
        ),
    },
    "gw": {
        # GW 260 is West Germany and, after unification, Germany (COW 260, then 255).
        260: ((None, _GERMAN_UNIFICATION - _DAY, 260), (_GERMAN_UNIFICATION, None, 255)),
        # GW 678 is the Yemen Arab Republic and, after unification, Yemen (COW 678, then 679).
        678: ((None, _YEMENI_UNIFICATION - _DAY, 678), (_YEMENI_UNIFICATION, None, 679)),
    },
}


def _check_system(system: str) -> System:
    if system not in SYSTEMS:
        raise InvalidArgument(f"unknown state system '{system}': use 'cow' or 'gw'")
    return system  # type: ignore[return-value]


def _as_day(on: str | dt.date | None) -> dt.date | None:
    if on is None:
        return None
    return parse_date(on, check_range=False)


# --------------------------------------------------------------------------------------------
# Membership
# --------------------------------------------------------------------------------------------


def _without_data(system: System) -> pl.DataFrame:
    """Codes, abbreviations and names from countrycode's table, with unknown spells.

    The main job runs on the embedded registry with nothing downloaded: names must still
    resolve, while questions about membership periods need the state lists (DataMissing).
    """
    cl = _codelist()
    column, abbrevs, names = (
        ("cown", "cowc", "cow.name") if system == "cow" else ("gwn", "gwc", "country.name.en")
    )
    rows = {}
    for code, abb, nm in zip(cl[column], cl[abbrevs], cl[names], strict=True):
        if code is not None and nm:
            rows.setdefault(int(code), (abb, nm))
    return pl.DataFrame(
        {
            "code": list(rows),
            "abbrev": [v[0] for v in rows.values()],
            "name": [v[1] for v in rows.values()],
            "start": [None] * len(rows),
            "end": [None] * len(rows),
            "microstate": [False] * len(rows),
        },
        schema=_MEMBER_SCHEMA,
    ).sort("code")


def has_periods(system: System = "cow") -> bool:
    """Whether membership periods are known (the state list is in FOEDUS_DATA_DIR or the cache)."""
    return data.is_available(PERIODS_DATASET[_check_system(system)])


def _require_periods(system: System) -> None:
    if not has_periods(system):
        name = PERIODS_DATASET[system]
        raise DataMissing(
            f"membership periods of the {system.upper()} state system need dataset '{name}': "
            f"run `foedus data fetch {name}` or set FOEDUS_DATA_DIR"
        )


@functools.cache
def _members(system: System) -> pl.DataFrame:
    """Spells with a generic ``code`` column (the public frame renames it)."""
    if not has_periods(system):
        return _without_data(system)
    if system == "cow":
        raw = data.load("cow_states")
        frame = raw.select(
            pl.col("ccode").cast(pl.Int64).alias("code"),
            pl.col("stateabb").alias("abbrev"),
            pl.col("statenme").alias("name"),
            pl.date(
                pl.col("styear").cast(pl.Int32),
                pl.col("stmonth").cast(pl.Int8),
                pl.col("stday").cast(pl.Int8),
            ).alias("start"),
            pl.date(
                pl.col("endyear").cast(pl.Int32),
                pl.col("endmonth").cast(pl.Int8),
                pl.col("endday").cast(pl.Int8),
            ).alias("end"),
            pl.lit(False).alias("microstate"),
        )
    else:
        raw = data.load("gw_states")
        frame = raw.select(
            pl.col("gwcode").cast(pl.Int64).alias("code"),
            pl.col("stateabb").alias("abbrev"),
            pl.col("statename").alias("name"),
            pl.col("startdate").cast(pl.Date).alias("start"),
            pl.col("enddate").cast(pl.Date).alias("end"),
            pl.lit(False).alias("microstate"),
        )
        frame = pl.concat([frame, _gw_microstates(set(frame["code"].to_list()))])
    until = _OBSERVED_UNTIL[system]
    return frame.with_columns(
        pl.when(pl.col("end") >= until).then(None).otherwise(pl.col("end")).alias("end")
    ).sort("code", "start")


def _gw_microstates(main_codes: set[int]) -> pl.DataFrame:
    # gw_capitals lists the micro-states too (first year only; end 2024-12-31 = still in). Its
    # row for 679 ("Yemen" from 1990) is a COW code that GW does not use: GW keeps 678.
    capitals = data.load("gw_capitals").with_columns(pl.col("gwcode").cast(pl.Int64))
    micro = (
        capitals.filter(~pl.col("gwcode").is_in(sorted(main_codes)) & (pl.col("gwcode") != 679))
        .group_by("gwcode")
        .agg(pl.col("statenme").last(), pl.col("stdate").min(), pl.col("enddate").max())
    )
    # GW's own micro-state abbreviations are not in the data: COW's for the same state.
    cow_abbrev = dict(_members("cow").select("code", "abbrev").unique("code").iter_rows())
    rows = [
        (code, cow_abbrev.get(_GW_TO_COW_FIXED.get(code, code)), statename, start, end, True)
        for code, statename, start, end in micro.sort("gwcode").iter_rows()
    ]
    return pl.DataFrame(rows, schema=_MEMBER_SCHEMA, orient="row")


def system_members(system: System = "cow") -> pl.DataFrame:
    """Membership spells of a state system, one row per spell.

    Columns: ``ccode`` (COW) or ``gwcode`` (GW), ``abbrev``, ``name``, ``start``, ``end`` (null
    = still a member), ``microstate`` (GW's separate micro-state list; always false for COW).
    A state that left and returned (e.g. the Baltic states) has several rows.

    >>> system_members("cow").filter(pl.col("ccode") == 255).select("start", "end").rows()
    [(datetime.date(1816, 1, 1), datetime.date(1945, 5, 8)), (datetime.date(1990, 10, 3), None)]
    """
    system = _check_system(system)
    _require_periods(system)
    return _members(system).rename({"code": CODE_COLUMN[system]})


@dataclass(frozen=True)
class _Tables:
    spells: dict[int, tuple[Spell, ...]]
    names: dict[int, str]
    abbrevs: dict[int, str | None]
    microstates: frozenset[int]


@functools.cache
def _tables(system: System) -> _Tables:
    frame = _members(system)
    spells: dict[int, list[Spell]] = {}
    names: dict[int, str] = {}
    abbrevs: dict[int, str | None] = {}
    micro = set()
    for code, abb, nm, start, end, is_micro in frame.iter_rows():
        known = spells.setdefault(code, [])
        if start is not None:  # unknown without the state lists (see _without_data)
            known.append((start, end))
        names[code], abbrevs[code] = nm, abb  # the latest spell's name wins (frame is sorted)
        if is_micro:
            micro.add(code)
    return _Tables({c: tuple(s) for c, s in spells.items()}, names, abbrevs, frozenset(micro))


def _known(code: int, system: str) -> _Tables:
    """The tables of ``system``, once ``code`` is known to be one of its codes."""
    tables = _tables(_check_system(system))
    if code not in tables.spells:
        raise UnknownState(
            f"no {system.upper()} state has code {code}: `foedus states --system {system}` lists the codes"
        )
    return tables


def codes(system: System = "cow") -> list[int]:
    """Every code the system has ever had, sorted."""
    return sorted(_tables(_check_system(system)).spells)


def name(code: int, system: System = "cow") -> str:
    """The system's name for ``code`` ("North Korea" for COW 731)."""
    return _known(code, system).names[code]


def abbrev(code: int, system: System = "cow") -> str | None:
    """The system's three-letter abbreviation for ``code`` ("PRK" for 731).

    None only for the GW micro-states that COW does not list (Abkhazia, South Ossetia).
    """
    return _known(code, system).abbrevs[code]


def spells(code: int, system: System = "cow") -> tuple[Spell, ...]:
    """Membership spells of ``code``: ``(start, end)`` pairs, ``end`` None while still a member."""
    tables = _known(code, system)
    _require_periods(system)  # without the lists the spells are unknown, not empty
    return tables.spells[code]


def is_microstate(code: int, system: System = "cow") -> bool:
    """Whether ``code`` is on GW's separate micro-state list (always False for COW)."""
    return code in _known(code, system).microstates


def _covers(spell: Spell, day: dt.date) -> bool:
    start, end = spell
    return start <= day and (end is None or day <= end)


def in_system(code: int, day: dt.date | str, system: System = "cow") -> bool:
    """Whether ``code`` is a member of the state system on ``day``."""
    system = _check_system(system)
    _require_periods(system)
    day = parse_date(day, check_range=False)
    return any(_covers(s, day) for s in _tables(system).spells.get(code, ()))


def members_on(
    day: dt.date | str, system: System = "cow", *, microstates: bool = True
) -> list[int]:
    """Codes of every state in the system on ``day``, sorted.

    >>> 731 in members_on("2025-06-01"), 260 in members_on("2000-01-01")
    (True, False)
    """
    system = _check_system(system)
    _require_periods(system)
    day = parse_date(day, check_range=False)
    tables = _tables(system)
    return sorted(
        code
        for code, ss in tables.spells.items()
        if (microstates or code not in tables.microstates) and any(_covers(s, day) for s in ss)
    )


def _spells_json(spells: Iterable[Spell]) -> list[dict]:
    return [{"start": s.isoformat(), "end": e.isoformat() if e else None} for s, e in spells]


def table(date: dt.date | str | None = None, system: System = "cow") -> list[dict]:
    """The states of a system as JSON types, one dict per state, sorted by code: every state it
    has had, or (with ``date``) those in it on that day, each with only the spell(s) covering it.

    This is what ``foedus states --json`` prints and the web API's ``/api/states`` returns. Keys:
    ``ccode`` (``gwcode`` for GW), ``abbrev``, ``name``, ``iso3``, ``microstate``, ``spells``
    (``{"start": ISO day, "end": ISO day or None while a member}``).

    >>> [r["name"] for r in table("2025-06-01") if r["ccode"] == 731]
    ['North Korea']
    """
    system = _check_system(system)
    _require_periods(system)
    day = _as_day(date)
    tables = _tables(system)
    rows = []
    for code in sorted(tables.spells):
        spells = tables.spells[code]
        if day is not None:
            spells = tuple(s for s in spells if _covers(s, day))
            if not spells:
                continue
        rows.append(
            {
                CODE_COLUMN[system]: code,
                "abbrev": tables.abbrevs[code],
                "name": tables.names[code],
                "iso3": iso3(code, system),
                "microstate": code in tables.microstates,
                "spells": _spells_json(spells),
            }
        )
    return rows


# --------------------------------------------------------------------------------------------
# Resolving names, ISO3 codes, abbreviations and numbers
# --------------------------------------------------------------------------------------------

_PUNCT = re.compile(r"[.,()\"'’`/]")
_DASH = re.compile(r"[-–—_]")
_SPACE = re.compile(r"\s+")


def _norm(text: str) -> str:
    """Fold case, accents, punctuation and spacing: the form lookup keys are compared in."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = text.replace("&", " and ")
    text = _PUNCT.sub("", text)
    text = _DASH.sub(" ", text)
    text = _SPACE.sub(" ", text).strip()
    text = re.sub(r"^the ", "", text)
    return re.sub(r"\bsaint\b", "st", text)


def fold_name(text: str) -> str:
    """The form names are compared in (case, accents, punctuation, "the", "saint" folded).

    >>> fold_name("The Côte-d'Ivoire")
    'cote divoire'
    """
    return _norm(text)


@functools.cache
def _codelist() -> dict[str, list]:
    from countrycode.countrycode import prepare_codelist

    return prepare_codelist()


@functools.cache
def _iso3_to_cow() -> dict[str, int]:
    """Current ISO 3166-1 alpha-3 code → COW code (countrycode's table, minus _ISO3_NOT_COW)."""
    cl = _codelist()
    table = {
        iso: int(cown)
        for iso, cown in zip(cl["iso3c"], cl["cown"], strict=True)
        if iso and cown is not None and iso not in _ISO3_NOT_COW
    }
    table["SRB"] = 345  # COW continues Serbia under Yugoslavia's code; countrycode leaves it out
    return table


@functools.cache
def _cow_to_iso3() -> dict[int, str | None]:
    table: dict[int, str | None] = {}
    for iso, code in sorted(_iso3_to_cow().items()):
        table.setdefault(code, iso)
    table.update(_ISO3_FIXES)
    return table


@functools.cache
def _regexes() -> tuple[tuple[re.Pattern[str], int], ...]:
    """countrycode's English-name regular expressions, for names no table spells out."""
    cl = _codelist()
    out = []
    for pattern, cown in zip(cl["country.name.en.regex"], cl["cown"], strict=True):
        if pattern and cown is not None and int(cown) != 327:  # not "Vatican" → Papal States
            try:
                out.append((re.compile(pattern, re.IGNORECASE), int(cown)))
            except re.error:  # pragma: no cover - an R-only regex construct
                continue
    return tuple(out)


def _setdefault_all(table: dict[str, int], pairs: Iterable[tuple[str | None, int | None]]) -> None:
    for key, code in pairs:
        if key and code is not None:
            table.setdefault(_norm(key), code)


@functools.cache
def _cow_keys() -> dict[str, int]:
    """Every spelling foedus resolves for COW, in priority order (first entry for a key wins)."""
    import pycountry

    tables = _tables("cow")
    table: dict[str, int] = {}
    _setdefault_all(table, _ALIASES["cow"].items())
    # ISO3 codes before COW abbreviations: users type ISO codes, and a COW abbreviation that is
    # another country's ISO code (AUS: Austria in COW, Australia in ISO) would surprise them.
    _setdefault_all(table, _iso3_to_cow().items())
    _setdefault_all(table, ((nm, code) for code, nm in tables.names.items()))
    _setdefault_all(table, ((abb, code) for code, abb in tables.abbrevs.items()))
    _setdefault_all(table, _HISTORIC_ISO3.items())
    iso = _iso3_to_cow()
    for country in pycountry.countries:
        code = iso.get(country.alpha_3)
        for attr in ("name", "official_name", "common_name"):
            _setdefault_all(table, [(getattr(country, attr, None), code)])
    cl = _codelist()
    for column in (
        "country.name.en",
        "cow.name",
        "iso.name.en",
        "un.name.en",
        "p4.name",
        "vdem.name",
    ):
        if column in cl:
            _setdefault_all(
                table,
                (
                    (nm, int(c))
                    for nm, c in zip(cl[column], cl["cown"], strict=True)
                    if c is not None and int(c) != 327
                ),
            )
    return {key: code for key, code in table.items() if code in tables.spells}


@functools.cache
def _gw_keys() -> dict[str, int]:
    tables = _tables("gw")
    table: dict[str, int] = {}
    _setdefault_all(table, _ALIASES["gw"].items())
    _setdefault_all(table, ((iso, _gw_today(code)) for iso, code in _iso3_to_cow().items()))
    _setdefault_all(table, ((nm, code) for code, nm in tables.names.items()))
    _setdefault_all(table, ((abb, code) for code, abb in tables.abbrevs.items()))
    # Every other COW spelling, carried over to the GW state it is today.
    _setdefault_all(table, ((key, _gw_today(code)) for key, code in _cow_keys().items()))
    return {key: code for key, code in table.items() if code in tables.spells}


def _gw_today(ccode: int) -> int | None:
    return _target(ccode, today(), "cow") if ccode in _tables("cow").spells else None


def _keys(system: System) -> dict[str, int]:
    return _cow_keys() if system == "cow" else _gw_keys()


@functools.lru_cache(maxsize=4096)
def _lookup(key: str, system: System) -> int | None:
    code = _keys(system).get(key)
    if code is not None or not key:
        return code
    # A spelling no table has ("Korea, Dem. People's Rep."): countrycode's regular expressions
    # decide when exactly one state matches. They are written for variants, not typos: "Nort
    # Korea" matches South Korea's. So a query within a few edits of a known spelling of
    # another state gets suggestions instead of a wrong state.
    found = {cown for regex, cown in _regexes() if regex.search(key)}
    if len(found) != 1:
        return None
    cow = found.pop()
    code = cow if system == "cow" else _gw_today(cow)
    near = _near_miss(key, system)
    return None if near is not None and near != code else code


def _near_miss(key: str, system: System) -> int | None:
    """The state whose known spelling ``key`` is a small edit away from, if any."""
    from rapidfuzz import fuzz, process

    keys = _keys(system)
    best = process.extractOne(key, list(keys), scorer=fuzz.ratio, score_cutoff=85)
    return keys[best[0]] if best else None


def _on_date(query: str, key: str, code: int, day: dt.date, system: System) -> int:
    split = _SPLIT_NAMES.get(key)
    if split is not None and day >= split[0]:
        options = " or ".join(f"{name(c, system)} ({abbrev(c, system)}, {c})" for c in split[1])
        raise UnknownState(f"'{_shown(query)}' is ambiguous on {day.isoformat()}: use {options}")
    for lineage in _LINEAGES[system] if has_periods(system) else ():
        if code in lineage:
            present = [c for c in lineage if in_system(c, day, system)]
            if present and code not in present:
                return present[0]
    return code


def _as_code(query: object) -> int | None:
    if isinstance(query, bool):
        return None
    if isinstance(query, int):
        return query
    if isinstance(query, float) and query.is_integer():
        return int(query)
    if hasattr(query, "__index__"):  # numpy integers
        return int(query)  # type: ignore[call-overload]
    if isinstance(query, str) and query.strip().isascii() and query.strip().isdigit():
        return int(query.strip())  # ASCII only: "²".isdigit() is true but int("²") fails
    return None


def resolve(query: str | int, *, system: System = "cow", on: dt.date | str | None = None) -> int:
    """The state code for a code, ISO3 code, abbreviation, name or alias.

    A number is taken as a code of ``system`` and returned as it is. A name can mean different
    codes over time; with ``on``, it resolves to the one in the system on that day (Germany:
    260 in 1970, 255 in 2000; Yemen: 678 in 1980, 679 in 2000), and "Korea" after 1948 is
    ambiguous. Unknown input raises :class:`UnknownState` with the closest names.

    >>> resolve("Democratic People's Republic of Korea"), resolve("USSR"), resolve("Serbia")
    (731, 365, 345)
    >>> resolve("Serbia", system="gw"), resolve("Yemen", system="gw", on="2000-01-01")
    (340, 678)

    Takes under a millisecond once the tables are built (the first call reads the state lists).
    """
    system = _check_system(system)
    day = _as_day(on)
    return (
        _resolve(query, system, day)
        if _hashable(query)
        else _resolve.__wrapped__(query, system, day)
    )


def _hashable(value: object) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


@functools.lru_cache(maxsize=8192, typed=True)
def _resolve(query: object, system: System, day: dt.date | None) -> int:
    code = _as_code(query)
    if code is not None:
        _known(code, system)
        return code
    if not isinstance(query, str):
        raise UnknownState(
            f"{_shown(repr(query))} is not a state: give a name, an ISO3 code or a {system.upper()} code"
        )
    key = _norm(query)
    if not key:
        raise UnknownState(
            f"no state given: type a name, an ISO3 code or a {system.upper()} code, e.g. 'North Korea', PRK or 731"
        )
    code = _lookup(key, system)
    if code is None:
        shown = _shown(query)
        raise UnknownState(
            f"unknown state '{shown}': did you mean {_or_list(suggestions(shown, system))}? "
            f"Names, ISO3 codes and {system.upper()} codes work; `foedus states` lists them"
        )
    return _on_date(query, key, code, day, system) if day is not None else code


def _shown(query: str) -> str:
    """The user's text as it goes into a one-line message: whitespace collapsed, shortened."""
    text = " ".join(query.split())
    return text if len(text) <= 60 else text[:57] + "..."


def _or_list(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " or " + items[-1]


@functools.cache
def _suggestion_choices(system: System) -> dict[str, int]:
    tables = _tables(system)
    choices = {nm: code for code, nm in tables.names.items()}
    for key, code in _ALIASES[system].items():
        choices.setdefault(key, code)
    return choices


def suggestions(query: str, system: System = "cow", limit: int = 3) -> list[str]:
    """The closest states to ``query``, as "Name (ABB, code)" (for error messages)."""
    from rapidfuzz import fuzz, process

    system = _check_system(system)
    choices = _suggestion_choices(system)
    out: list[str] = []
    seen: set[int] = set()
    for key, _score, _index in process.extract(
        query, list(choices), scorer=fuzz.WRatio, limit=limit * 4
    ):
        code = choices[key]
        if code in seen:
            continue
        seen.add(code)
        abb = abbrev(code, system)
        out.append(f"{name(code, system)} ({abb + ', ' if abb else ''}{code})")
        if len(out) == limit:
            break
    return out


def iso3(code: int, system: System = "cow") -> str | None:
    """The ISO 3166-1 alpha-3 code of the country ``code`` is today, or None.

    None for states with no country today (Bavaria, the GDR, the Republic of Vietnam, ...).
    COW 345 (Yugoslavia, continued by Serbia) gives SRB; GW 260 gives DEU.
    """
    tables = _known(code, system)
    if system == "gw":
        # The COW state it was on its last day in GW (today while a member or when unknown).
        gw_spells = tables.spells[code]
        cow = gw_to_cow(code, on=(gw_spells[-1][1] if gw_spells else None) or today())
        if cow is None:
            return None
        code = cow
    return _cow_to_iso3().get(code)


# --------------------------------------------------------------------------------------------
# COW <-> GW
# --------------------------------------------------------------------------------------------


def _target(code: int, day: dt.date, source: System) -> int | None:
    windows = _WINDOWS[source].get(code)
    if windows is not None:
        for first, last, target in windows:
            if (first is None or first <= day) and (last is None or day <= last):
                return target
    fixed = _COW_TO_GW_FIXED if source == "cow" else _GW_TO_COW_FIXED
    if code in fixed:
        return fixed[code]
    other: System = "gw" if source == "cow" else "cow"
    return code if code in _tables(other).spells else None


Span = tuple[dt.date, dt.date]  # first and last day, both included


def _intersect(a: list[Span], b: list[Span]) -> list[Span]:
    pairs = ((max(s1, s2), min(e1, e2)) for s1, e1 in a for s2, e2 in b)
    return [(start, end) for start, end in pairs if start <= end]


def _length(spans: list[Span]) -> int:
    return sum((end - start).days + 1 for start, end in spans)


def _year_target(code: int, year: int, source: System) -> int | None:
    """The counterpart for a whole year: where the mapping changes within the year, the one
    that holds on most of the days on which both states are members (then: on which the source
    is a member; then: of the year). So GW 260 in 1990 is COW 260 (West Germany until October),
    GW 678 in 1990 is COW 679 (Yemen from May), COW 345 in 2006 is GW 340 (Serbia from June)."""
    windows = _WINDOWS[source].get(code)
    if windows is None:
        return _target(code, dt.date(year, 1, 1), source)
    for system in SYSTEMS:  # the rule weighs days of membership in both lists
        _require_periods(system)
    other: System = "gw" if source == "cow" else "cow"
    whole_year = [(dt.date(year, 1, 1), dt.date(year, 12, 31))]

    def member_days(system: System, c: int) -> list[Span]:
        spells = _tables(system).spells.get(c, ())
        return _intersect(whole_year, [(start, end or dt.date.max) for start, end in spells])

    source_days = member_days(source, code)
    scored = []
    for first, last, target in windows:
        window = _intersect(whole_year, [(first or dt.date.min, last or dt.date.max)])
        if window:
            in_source = _intersect(window, source_days)
            both = _intersect(in_source, member_days(other, target))
            scored.append(((_length(both), _length(in_source), _length(window)), target))
    return max(scored, key=lambda st: st[0])[1]  # the first of equals, as the windows run


def _convert(code: int, year: int | None, on: dt.date | str | None, source: System) -> int | None:
    _known(int(code), source)
    day = _as_day(on)
    if day is not None:
        return _target(int(code), day, source)
    if year is not None:
        return _year_target(int(code), int(year), source)
    return _target(int(code), today(), source)


def cow_to_gw(
    ccode: int, year: int | None = None, *, on: dt.date | str | None = None
) -> int | None:
    """The Gleditsch–Ward code of the same state as COW ``ccode``; None if GW has none.

    Give ``on`` (a day) or ``year``; with neither, today's counterpart. Where the lists differ:

    - COW 255 is GW 255 (German Reich) up to 1990-10-02 and GW 260 (unified Germany) from
      1990-10-03; COW 260 (West Germany) is GW 260.
    - COW 345 is GW 340 (Serbia) before 1918-12-01 and from 2006-06-05, GW 345 (Yugoslavia) in
      between.
    - COW 679 (Yemen from 1990) is GW 678.
    - Kiribati, Tuvalu, Tonga and Nauru: COW 946, 947, 955, 970 are GW 970, 973, 972, 971.

    >>> cow_to_gw(255, 1900), cow_to_gw(255, 2000), cow_to_gw(345, 1990), cow_to_gw(345, 2010)
    (255, 260, 345, 340)
    """
    return _convert(ccode, year, on, "cow")


def gw_to_cow(
    gwcode: int, year: int | None = None, *, on: dt.date | str | None = None
) -> int | None:
    """The COW code of the same state as GW ``gwcode``; None where COW has no such state.

    The reverse of :func:`cow_to_gw`: GW 260 is COW 260 up to 1990-10-02 and COW 255 from
    1990-10-03 (for the year 1990 as a whole, 260); GW 678 is COW 678 up to 1990-05-21 and COW
    679 from 1990-05-22 (for 1990 as a whole, 679); GW 340 and 345 are COW 345. GW-only
    entities (89, 99, 396, 397, 563, 564, 711, 815) give None.

    >>> gw_to_cow(260, 1980), gw_to_cow(260, 1991), gw_to_cow(678, 1980), gw_to_cow(340, 2010)
    (260, 255, 678, 345)
    """
    return _convert(gwcode, year, on, "gw")


def _year_runs(code: int, source: System) -> list[tuple[int, int, int | None]]:
    runs: list[tuple[int, int, int | None]] = []
    for year in range(_FIRST_YEAR, _LAST_YEAR + 1):
        target = _year_target(code, year, source)
        if runs and runs[-1][2] == target:
            runs[-1] = (runs[-1][0], year, target)
        else:
            runs.append((year, year, target))
    return runs


@functools.cache
def _mapping_parts(
    source: System,
) -> tuple[dict[int, int | None], dict[int, list[tuple[int, int, int | None]]]]:
    constant = {code: _target(code, today(), source) for code in _tables(source).spells}
    by_year = {code: _year_runs(code, source) for code in _WINDOWS[source]}
    return constant, by_year


def _mapping_expr(code: pl.Expr, year: pl.Expr, source: System) -> pl.Expr:
    constant, by_year = _mapping_parts(source)
    keys = list(constant)
    expr = code.replace_strict(
        keys, [constant[k] for k in keys], default=None, return_dtype=pl.Int64
    )
    branches = [
        ((code == special) & ((year <= last) if i < len(runs) - 1 else pl.lit(True)), target)
        for special, runs in by_year.items()
        for i, (_first, last, target) in enumerate(runs)
    ]
    if not branches:
        return expr
    (cond, target), *rest = branches
    chain = pl.when(cond).then(pl.lit(target, dtype=pl.Int64))
    for cond, target in rest:
        chain = chain.when(cond).then(pl.lit(target, dtype=pl.Int64))
    return chain.otherwise(expr)


F = TypeVar("F", pl.DataFrame, pl.LazyFrame)


def _convert_frame(frame: F, source: System, code_col: str, year_col: str, new_col: str) -> F:
    schema = frame.collect_schema() if isinstance(frame, pl.LazyFrame) else frame.schema
    for needed in (code_col, year_col):
        if needed not in schema:
            raise InvalidArgument(
                f"the frame has no column '{needed}': name the right one with the matching *_col argument"
            )
    if new_col in schema:
        raise InvalidArgument(
            f"the frame already has a column '{new_col}': drop it or choose another name"
        )
    year = pl.col(year_col)
    if schema[year_col] in (pl.Date, pl.Datetime):  # pl.Datetime matches every time unit and zone
        year = year.dt.year()
    code = pl.col(code_col).cast(pl.Int64, strict=False)
    return frame.with_columns(
        _mapping_expr(code, year.cast(pl.Int64, strict=False), source).alias(new_col)
    )


def cow_to_gw_frame(
    frame: F, *, ccode_col: str = "ccode", year_col: str = "year", gw_col: str = "gwcode"
) -> F:
    """``frame`` with a ``gwcode`` column: the GW code of each row's COW state in that year.

    Vectorised form of :func:`cow_to_gw` with a year (a polars expression, no Python loop; works
    on a LazyFrame too). The frame keeps its rows and order; codes without a GW counterpart give
    null. Whether the GW list counts the state as a member in that year is not checked: join
    on GW membership for that.

    >>> f = pl.DataFrame({"ccode": [255, 255, 345, 679], "year": [1900, 2000, 2010, 2000]})
    >>> cow_to_gw_frame(f)["gwcode"].to_list()
    [255, 260, 340, 678]
    """
    return _convert_frame(frame, "cow", ccode_col, year_col, gw_col)


def gw_to_cow_frame(
    frame: F, *, gwcode_col: str = "gwcode", year_col: str = "year", ccode_col: str = "ccode"
) -> F:
    """``frame`` with a ``ccode`` column: the COW code of each row's GW state in that year.

    The reverse of :func:`cow_to_gw_frame` (see :func:`gw_to_cow` for the rules).

    >>> f = pl.DataFrame({"gwcode": [260, 260, 678, 340], "year": [1980, 1991, 1995, 2010]})
    >>> gw_to_cow_frame(f)["ccode"].to_list()
    [260, 255, 679, 345]
    """
    return _convert_frame(frame, "gw", gwcode_col, year_col, ccode_col)


def _member_years(system: System) -> pl.DataFrame:
    last_year = today().year
    rows = [
        (code, year)
        for code, ss in _tables(system).spells.items()
        for start, end in ss
        for year in range(start.year, (end.year if end else last_year) + 1)
    ]
    return pl.DataFrame(
        rows, schema={CODE_COLUMN[system]: pl.Int64, "year": pl.Int64}, orient="row"
    ).unique()


@functools.cache
def cow_gw_crosswalk() -> pl.DataFrame:
    """Every state-year of either list with its code in both: ``year``, ``ccode``, ``gwcode``,
    ``in_cow``, ``in_gw`` (whether each list counts that code as a member in that year).

    One row per linked pair; a code is null where the other list has no such state (GW's Tibet,
    ...). A year can link one code to two (2006: GW 340 and 345 are both COW 345), so join on
    the system you start from. Years run from 1816 to this year.
    """
    for system in SYSTEMS:
        _require_periods(system)
    cow_years = _member_years("cow")
    gw_years = _member_years("gw")
    from_cow = cow_to_gw_frame(cow_years)
    from_gw = gw_to_cow_frame(gw_years).select("ccode", "year", "gwcode")
    pairs = pl.concat([from_cow.select("ccode", "year", "gwcode"), from_gw]).unique()
    cow_flag = cow_years.with_columns(pl.lit(True).alias("in_cow"))
    gw_flag = gw_years.with_columns(pl.lit(True).alias("in_gw"))
    return (
        pairs.join(cow_flag, on=["ccode", "year"], how="left", nulls_equal=False)
        .join(gw_flag, on=["gwcode", "year"], how="left", nulls_equal=False)
        .with_columns(pl.col("in_cow").fill_null(False), pl.col("in_gw").fill_null(False))
        .select("year", "ccode", "gwcode", "in_cow", "in_gw")
        .sort("year", "ccode", "gwcode", nulls_last=True)
    )


# --------------------------------------------------------------------------------------------
# One state, described
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class State:
    """A resolved state: its code in the requested system and what the lists say about it."""

    system: str
    code: int
    abbrev: str | None
    name: str
    ccode: int | None
    gwcode: int | None
    iso3: str | None
    microstate: bool
    cow_spells: tuple[Spell, ...]
    gw_spells: tuple[Spell, ...]

    def to_dict(self) -> dict:
        """This state as JSON types: what ``foedus state X --json`` prints (spells as
        ``{"start": ISO day, "end": ISO day or None}``, as in :func:`table`)."""
        return {
            "system": self.system,
            "code": self.code,
            "abbrev": self.abbrev,
            "name": self.name,
            "ccode": self.ccode,
            "gwcode": self.gwcode,
            "iso3": self.iso3,
            "microstate": self.microstate,
            "cow_spells": _spells_json(self.cow_spells),
            "gw_spells": _spells_json(self.gw_spells),
        }


def state(query: str | int, *, system: System = "cow", on: dt.date | str | None = None) -> State:
    """Resolve ``query`` and describe the state: names, codes in both systems, spells.

    The other system's code is the counterpart on ``on`` (default: today).

    >>> s = state("North Korea")
    >>> (s.code, s.abbrev, s.iso3, s.gwcode, s.cow_spells[0][0].isoformat())
    (731, 'PRK', 'PRK', 731, '1948-09-09')
    """
    system = _check_system(system)
    day = _as_day(on)
    code = resolve(query, system=system, on=day)
    when = day or today()
    if system == "cow":
        ccode, gwcode = code, cow_to_gw(code, on=when)
    else:
        ccode, gwcode = gw_to_cow(code, on=when), code
    return State(
        system=system,
        code=code,
        abbrev=abbrev(code, system),
        name=name(code, system),
        ccode=ccode,
        gwcode=gwcode,
        iso3=iso3(code, system),
        microstate=is_microstate(code, system),
        cow_spells=_tables("cow").spells.get(ccode, ()) if ccode is not None else (),
        gw_spells=_tables("gw").spells.get(gwcode, ()) if gwcode is not None else (),
    )
