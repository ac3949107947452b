"""foedus.states: the COW and GW systems, resolving names and codes, and the COW↔GW crosswalk."""

from __future__ import annotations

import datetime as dt
import json
import time

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from foedus import data, states
from foedus.cli import main
from foedus.errors import InvalidArgument, InvalidDate, UnknownState

COW_CODES = states.codes("cow")
GW_CODES = states.codes("gw")


def _cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_:
        main(args)
    out, err = capsys.readouterr()
    return int(exit_.value.code or 0), out, err


# ---------------------------------------------------------------------------------------------
# Resolving
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    ["North Korea", "DPRK", "PRK", "Democratic People's Republic of Korea", 731, "731", "  north KOREA ",
     "Korea, Dem. People's Rep.", np.int64(731), 731.0],
)  # fmt: skip
def test_dprk_aliases_resolve_to_731(query: object) -> None:
    assert states.resolve(query) == 731  # type: ignore[arg-type]
    assert states.resolve(query, system="gw") == 731  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "query",
    ["USSR", "Soviet Union", "Union of Soviet Socialist Republics", "Russia", "RUS", "SUN", 365],
)
def test_ussr_resolves_to_russia_365(query: object) -> None:
    assert states.resolve(query) == 365  # type: ignore[arg-type]
    assert states.resolve(query, system="gw") == 365  # type: ignore[arg-type]


def test_soviet_union_in_1950_and_russia_in_2025_are_the_same_member_365() -> None:
    assert (
        states.resolve("Soviet Union", on="1950-01-01")
        == states.resolve("Russia", on="2025-01-01")
        == 365
    )
    assert states.in_system(365, "1950-01-01")
    assert states.in_system(365, "2025-01-01")


def test_germany_is_260_in_1970_and_255_in_2000() -> None:
    assert states.resolve("Germany", on=dt.date(1970, 1, 1)) == 260
    assert states.resolve("Germany", on=dt.date(2000, 1, 1)) == 255
    assert states.resolve("DEU", on="1970-01-01") == 260
    assert states.resolve("Germany", on="1900-01-01") == 255
    assert states.resolve("Germany") == 255  # without a date: COW's own name for 255


def test_germany_in_gw_is_255_before_1945_and_260_after_1949() -> None:
    assert states.resolve("Germany", system="gw", on="1900-01-01") == 255
    assert states.resolve("Germany", system="gw", on="1970-01-01") == 260
    assert states.resolve("Germany", system="gw", on="2000-01-01") == 260
    assert states.resolve("Germany", system="gw") == 260


def test_east_germany_is_265_in_both_systems() -> None:
    assert states.resolve("East Germany") == states.resolve("GDR", system="gw") == 265
    assert (
        states.resolve("DDR", on="2000-01-01") == 265
    )  # a named state is not moved to another lineage


def test_yemen_is_678_before_1990_unification_and_679_after_in_cow() -> None:
    assert states.resolve("Yemen", on="1980-01-01") == 678
    assert states.resolve("Yemen", on="2000-01-01") == 679
    assert states.resolve("North Yemen") == 678
    assert states.resolve("South Yemen", on="1980-01-01") == 680


def test_yemen_is_678_throughout_in_gw() -> None:
    assert states.resolve("Yemen", system="gw", on="1980-01-01") == 678
    assert states.resolve("Yemen", system="gw", on="2000-01-01") == 678
    assert states.resolve("YEM", system="gw") == 678


def test_vietnam_is_816_and_south_vietnam_817_in_both_systems() -> None:
    for system in ("cow", "gw"):
        assert states.resolve("Vietnam", system=system, on="1970-01-01") == 816  # type: ignore[arg-type]
        assert states.resolve("North Vietnam", system=system) == 816  # type: ignore[arg-type]
        assert states.resolve("South Vietnam", system=system, on="1970-01-01") == 817  # type: ignore[arg-type]
        assert states.resolve("VNM", system=system, on="2000-01-01") == 816  # type: ignore[arg-type]


def test_vietnam_before_french_rule_is_gw_815() -> None:
    assert states.resolve("Vietnam", system="gw", on="1850-01-01") == 815
    assert states.resolve("Vietnam", on="1850-01-01") == 816  # COW has no 815; the name stays 816


def test_serbia_is_345_in_cow_and_340_or_345_by_date_in_gw() -> None:
    assert states.resolve("Serbia") == states.resolve("SRB") == states.resolve("Yugoslavia") == 345
    assert states.resolve("Serbia", system="gw", on="1900-01-01") == 340
    assert states.resolve("Serbia", system="gw", on="1990-01-01") == 345
    assert states.resolve("Serbia", system="gw", on="2010-01-01") == 340


def test_korea_without_a_date_is_the_kingdom_730() -> None:
    assert states.resolve("Korea") == 730
    assert states.resolve("Korea", on="1900-01-01") == 730


def test_korea_after_1948_is_ambiguous_and_names_both_koreas() -> None:
    with pytest.raises(
        UnknownState,
        match=r"ambiguous on 2025-06-01: use North Korea \(PRK, 731\) or South Korea \(ROK, 732\)",
    ):
        states.resolve("Korea", on="2025-06-01")
    assert states.resolve("KOR", on="2025-06-01") == 732  # the ISO3 code is not ambiguous


def test_narnia_suggests_close_names() -> None:
    with pytest.raises(UnknownState) as caught:
        states.resolve("Narnia")
    message = str(caught.value)
    assert message.startswith("unknown state 'Narnia': did you mean ")
    assert message.count("(") == 3  # three suggestions, each "Name (ABB, code)"
    assert "\n" not in message


def test_a_typo_close_to_another_states_name_is_not_resolved_silently() -> None:
    # countrycode's South Korea pattern matches "Nort Korea"; foedus suggests instead.
    with pytest.raises(UnknownState, match=r"did you mean North Korea \(PRK, 731\)"):
        states.resolve("Nort Korea")


def test_empty_query_says_what_to_type() -> None:
    with pytest.raises(UnknownState, match="no state given"):
        states.resolve("  ")


def test_unknown_codes_are_errors() -> None:
    with pytest.raises(UnknownState, match="no COW state has code 999"):
        states.resolve(999)
    with pytest.raises(UnknownState, match="no GW state has code 679"):
        states.resolve(679, system="gw")  # COW's unified Yemen; GW keeps 678
    with pytest.raises(UnknownState):
        states.resolve(True)  # type: ignore[arg-type]


@pytest.mark.parametrize("query", ["²", "٣", "1e3", "-5", "7.5", "\x00"])
def test_odd_digits_and_numbers_are_unknown_states_not_crashes(query: str) -> None:
    # "²".isdigit() is true but int("²") fails: found by fuzzing the web app.
    with pytest.raises(UnknownState):
        states.resolve(query)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(query=st.one_of(st.text(max_size=40), st.integers(), st.floats(allow_nan=True)))
def test_any_input_resolves_to_a_member_code_or_raises_unknown_state(query: object) -> None:
    for system in states.SYSTEMS:
        message = ""
        try:
            code = states.resolve(query, system=system)  # type: ignore[arg-type]
        except UnknownState as err:
            message = str(err)
        else:
            assert code in states.codes(system)  # type: ignore[arg-type]
        assert "\n" not in message


def test_iso3_wins_over_a_clashing_cow_abbreviation() -> None:
    assert states.resolve("AUS") == 900  # Australia (ISO), not Austria (COW's AUS)
    assert states.resolve("Austria") == 305


def test_historic_iso3_aliases_are_real_iso_3166_3_codes() -> None:
    import pycountry

    historic = {c.alpha_3 for c in pycountry.historic_countries}
    assert set(states._HISTORIC_ISO3) <= historic
    assert states.resolve("CSK") == 315
    assert states.resolve("YUG") == 345


def test_gw_microstates_numbered_differently_resolve_by_system() -> None:
    assert (states.resolve("Kiribati"), states.resolve("Kiribati", system="gw")) == (946, 970)
    assert (states.resolve("Nauru"), states.resolve("Nauru", system="gw")) == (970, 971)
    assert (states.resolve("Tonga"), states.resolve("Tonga", system="gw")) == (955, 972)
    assert (states.resolve("Tuvalu"), states.resolve("Tuvalu", system="gw")) == (947, 973)


def test_unknown_system_is_an_error() -> None:
    with pytest.raises(InvalidArgument, match="use 'cow' or 'gw'"):
        states.resolve("France", system="polity")  # type: ignore[arg-type]


def test_bad_date_is_an_error() -> None:
    with pytest.raises(InvalidDate):
        states.resolve("Germany", on="2025-13-01")


def test_resolve_is_under_a_millisecond_per_call_after_warm_up() -> None:
    queries = [
        "North Korea",
        "DPRK",
        "PRK",
        731,
        "Germany",
        "USSR",
        "united states",
        "Côte d'Ivoire",
    ]
    states.resolve("France")  # warm-up: builds the tables
    states._resolve.cache_clear()  # measure the lookups, not the result cache
    days = [dt.date(1900 + i, 1, 1) for i in range(120)]
    start = time.perf_counter()
    n = 0
    for day in days:
        for query in queries:
            states.resolve(query, on=day)
            n += 1
    per_call = (time.perf_counter() - start) / n
    assert per_call < 1e-3, f"{per_call * 1e6:.0f} µs per call"


# ---------------------------------------------------------------------------------------------
# Properties over every state
# ---------------------------------------------------------------------------------------------


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(code=st.sampled_from(COW_CODES), as_text=st.booleans())
def test_any_cow_code_resolves_to_itself(code: int, as_text: bool) -> None:
    assert states.resolve(str(code) if as_text else code) == code


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(code=st.sampled_from(GW_CODES), as_text=st.booleans())
def test_any_gw_code_resolves_to_itself(code: int, as_text: bool) -> None:
    assert states.resolve(str(code) if as_text else code, system="gw") == code


def test_every_cow_state_name_resolves_to_its_code() -> None:
    # No exceptions: names come before every other spelling in the lookup table.
    wrong = {
        code: states.resolve(states.name(code))
        for code in COW_CODES
        if states.resolve(states.name(code)) != code
    }
    assert wrong == {}


def test_every_gw_state_name_resolves_to_its_code() -> None:
    wrong = {
        code: states.resolve(states.name(code, "gw"), system="gw")
        for code in GW_CODES
        if states.resolve(states.name(code, "gw"), system="gw") != code
    }
    assert wrong == {}


# A COW/GW abbreviation that is also another country's ISO 3166 alpha-3 code resolves to the
# ISO country: users type ISO codes far more often than COW abbreviations, and ISO is what
# other software emits. These are every such clash in the two lists.
ABBREVIATIONS_THAT_ARE_ANOTHER_COUNTRYS_ISO3 = {
    ("cow", 225): ("SWZ", 572),  # Switzerland in COW; Eswatini in ISO
    ("cow", 305): ("AUS", 900),  # Austria; Australia
    ("cow", 315): ("CZE", 316),  # Czechoslovakia; Czechia
    ("cow", 341): ("MNG", 712),  # Montenegro; Mongolia
    ("cow", 349): ("SLV", 92),  # Slovenia; El Salvador
    ("cow", 730): ("KOR", 732),  # Korea (to 1905); South Korea
    ("gw", 225): ("SWZ", 572),
    ("gw", 305): ("AUS", 900),
    ("gw", 315): ("CZE", 316),
    ("gw", 341): ("MNG", 712),
    ("gw", 349): ("SLV", 92),
    ("gw", 730): ("KOR", 732),
    ("gw", 815): ("VNM", 816),  # GW's pre-1893 Vietnam; ISO's VNM is today's Vietnam
}


@pytest.mark.parametrize("system", ["cow", "gw"])
def test_every_abbreviation_resolves_to_its_code_except_iso3_clashes(system: states.System) -> None:
    codes = COW_CODES if system == "cow" else GW_CODES
    clashes = {}
    for code in codes:
        abb = states.abbrev(code, system)
        if abb is not None and states.resolve(abb, system=system) != code:
            clashes[(system, code)] = (abb, states.resolve(abb, system=system))
    expected = {
        k: v for k, v in ABBREVIATIONS_THAT_ARE_ANOTHER_COUNTRYS_ISO3.items() if k[0] == system
    }
    assert clashes == expected


def _days_in_spells(system: states.System) -> st.SearchStrategy[tuple[int, dt.date]]:
    codes = COW_CODES if system == "cow" else GW_CODES

    @st.composite
    def pick(draw: st.DrawFn) -> tuple[int, dt.date]:
        code = draw(st.sampled_from(codes))
        start, end = draw(st.sampled_from(states.spells(code, system)))
        last = end or dt.date(2025, 12, 31)
        return code, draw(st.dates(min_value=start, max_value=last))

    return pick()


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(pick=_days_in_spells("cow"))
def test_a_cow_states_name_on_a_day_it_is_a_member_resolves_to_it(
    pick: tuple[int, dt.date],
) -> None:
    code, day = pick
    assert states.resolve(states.name(code), on=day) == code


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(pick=_days_in_spells("gw"))
def test_a_gw_states_name_on_a_day_it_is_a_member_resolves_to_it(pick: tuple[int, dt.date]) -> None:
    code, day = pick
    assert states.resolve(states.name(code, "gw"), system="gw", on=day) == code


# ---------------------------------------------------------------------------------------------
# Membership
# ---------------------------------------------------------------------------------------------


def test_system_members_has_spells_with_open_ends() -> None:
    cow = states.system_members("cow")
    assert cow.columns == ["ccode", "abbrev", "name", "start", "end", "microstate"]
    assert cow.filter(pl.col("ccode") == 255).select("start", "end").rows() == [
        (dt.date(1816, 1, 1), dt.date(1945, 5, 8)),
        (dt.date(1990, 10, 3), None),
    ]
    gw = states.system_members("gw")
    assert gw.columns[0] == "gwcode"
    assert gw.filter(pl.col("gwcode") == 260)["end"].to_list() == [None]


def test_cow_membership_matches_the_cow_state_year_file_for_every_year() -> None:
    # Independent check on the spells: COW's own system2016.csv lists every state-year.
    years = data.load("cow_system_2016").select(
        pl.col("ccode").cast(pl.Int64), pl.col("year").cast(pl.Int64)
    )
    expected = {(c, y) for c, y in years.iter_rows()}
    derived = {
        (code, year)
        for code in COW_CODES
        for start, end in states.spells(code)
        for year in range(start.year, (end or dt.date(2016, 12, 31)).year + 1)
    }
    assert derived == expected


def test_gw_microstates_are_flagged_and_start_in_the_year_gw_ddy_gives() -> None:
    micro = states.system_members("gw").filter("microstate")
    assert set(micro["gwcode"]) == {
        54,
        55,
        56,
        57,
        58,
        60,
        221,
        223,
        232,
        331,
        396,
        397,
        403,
        591,
        935,
        970,
        971,
        972,
        973,
        983,
        986,
        987,
        990,
    }
    first_year = dict(
        data.load("gw_ddy")
        .group_by(pl.col("gwcode1").cast(pl.Int64))
        .agg(pl.col("year").min())
        .iter_rows()
    )
    assert {code: first_year[code] for code in micro["gwcode"]} == {
        code: start.year for code, start in micro.select("gwcode", "start").iter_rows()
    }
    assert not states.system_members("cow")["microstate"].any()


def test_members_on_a_day() -> None:
    on_2025 = states.members_on("2025-06-01")
    assert {2, 365, 731, 710, 255} <= set(on_2025)
    assert 260 not in on_2025
    assert 265 not in on_2025
    assert 260 in states.members_on("1970-01-01")
    assert 255 not in states.members_on("1970-01-01")
    assert 971 in states.members_on("2000-01-01", "gw")
    assert 971 not in states.members_on("2000-01-01", "gw", microstates=False)


def test_in_system_follows_spells_to_the_day() -> None:
    assert states.in_system(260, "1990-10-02")
    assert not states.in_system(260, "1990-10-03")
    assert states.in_system(255, "1990-10-03")
    assert not states.in_system(255, "1990-10-02")
    assert not states.in_system(366, "1950-01-01")
    assert states.in_system(366, "1992-01-01")


def test_iso3_of_states_today() -> None:
    assert [states.iso3(c) for c in (731, 365, 255, 260, 345, 679, 678, 265, 817, 245)] == [
        "PRK", "RUS", "DEU", "DEU", "SRB", "YEM", "YEM", None, None, None,
    ]  # fmt: skip
    assert [states.iso3(c, "gw") for c in (260, 340, 678, 970, 711)] == [
        "DEU",
        "SRB",
        "YEM",
        "KIR",
        None,
    ]


def test_state_describes_codes_in_both_systems_and_spells() -> None:
    s = states.state("Kiribati")
    assert (s.code, s.ccode, s.gwcode, s.iso3, s.abbrev) == (946, 946, 970, "KIR", "KIR")
    assert s.gw_spells[0][0].year == 1979
    assert s.cow_spells[0][0] == dt.date(1999, 9, 14)
    g = states.state("Germany", on="1980-01-01")
    assert (g.code, g.gwcode) == (260, 260)
    assert states.state(260, system="gw", on="1995-01-01").ccode == 255
    assert states.state("Tibet", system="gw").ccode is None


# ---------------------------------------------------------------------------------------------
# COW <-> GW
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ccode", "year", "gwcode"),
    [
        (255, 1900, 255), (255, 1995, 260), (260, 1980, 260), (265, 1980, 265),
        (345, 1900, 340), (345, 1918, 345), (345, 1950, 345), (345, 2006, 340), (345, 2010, 340),
        (678, 1980, 678), (679, 1995, 678), (680, 1980, 680),
        (816, 1970, 816), (817, 1970, 817), (365, 1950, 365), (2, 2000, 2), (731, 2025, 731),
        (946, 2005, 970), (947, 2005, 973), (955, 2005, 972), (970, 2005, 971), (221, 2000, 221),
    ],
)  # fmt: skip
def test_cow_to_gw_follows_the_known_differences(ccode: int, year: int, gwcode: int) -> None:
    assert states.cow_to_gw(ccode, year) == gwcode


@pytest.mark.parametrize(
    ("gwcode", "year", "ccode"),
    [
        (260, 1980, 260), (260, 1990, 260), (260, 1991, 255), (255, 1900, 255), (265, 1980, 265),
        (678, 1980, 678), (678, 1990, 679), (678, 2000, 679), (680, 1980, 680),
        (340, 1900, 345), (340, 2010, 345), (345, 1990, 345), (815, 1850, None), (816, 1970, 816),
        (970, 2000, 946), (971, 2000, 970), (972, 2000, 955), (973, 2000, 947),
        (711, 1930, None), (99, 1825, None), (89, 1830, None), (563, 1900, None), (396, 2010, None),
    ],
)  # fmt: skip
def test_gw_to_cow_follows_the_known_differences(gwcode: int, year: int, ccode: int | None) -> None:
    assert states.gw_to_cow(gwcode, year) == ccode


def test_conversion_by_day_switches_on_unification_day() -> None:
    assert states.cow_to_gw(255, on="1945-01-01") == 255
    assert states.cow_to_gw(255, on="1990-10-03") == 260
    assert states.gw_to_cow(260, on="1990-10-02") == 260
    assert states.gw_to_cow(260, on="1990-10-03") == 255
    assert states.gw_to_cow(678, on="1990-05-21") == 678
    assert states.gw_to_cow(678, on="1990-05-22") == 679
    assert states.cow_to_gw(345, on="2006-06-04") == 345
    assert states.cow_to_gw(345, on="2006-06-05") == 340
    assert states.cow_to_gw(255) == 260
    assert states.gw_to_cow(260) == 255


def test_conversion_switch_days_are_the_membership_lists_own_days() -> None:
    assert states.spells(255)[-1][0] == states._GERMAN_UNIFICATION == dt.date(1990, 10, 3)
    assert states.spells(260)[-1][1] == states._GERMAN_UNIFICATION - dt.timedelta(days=1)
    assert states.spells(679)[0][0] == states._YEMENI_UNIFICATION == dt.date(1990, 5, 22)
    yugoslavia = states.spells(345, "gw")
    assert (yugoslavia[0][0], yugoslavia[-1][1]) == states._GW_YUGOSLAVIA


def test_conversion_of_an_unknown_code_is_an_error() -> None:
    with pytest.raises(UnknownState):
        states.cow_to_gw(999, 2000)


def _state_years(system: states.System) -> pl.DataFrame:
    column = states.CODE_COLUMN[system]
    rows = [
        (code, year)
        for code in states.codes(system)
        for start, end in states.spells(code, system)
        for year in range(start.year, (end or dt.date(2025, 12, 31)).year + 1)
    ]
    return (
        pl.DataFrame(rows, schema={column: pl.Int64, "year": pl.Int64}, orient="row")
        .unique()
        .sort(column, "year")
    )


def test_cow_to_gw_frame_matches_cow_to_gw_for_every_cow_state_year() -> None:
    panel = _state_years("cow")
    converted = states.cow_to_gw_frame(panel)
    scalar = [states.cow_to_gw(c, y) for c, y in panel.select("ccode", "year").iter_rows()]
    assert converted["gwcode"].to_list() == scalar
    assert converted["gwcode"].null_count() == 0  # every COW state has a GW counterpart


def test_gw_to_cow_frame_matches_gw_to_cow_for_every_gw_state_year() -> None:
    panel = _state_years("gw")
    converted = states.gw_to_cow_frame(panel)
    scalar = [states.gw_to_cow(g, y) for g, y in panel.select("gwcode", "year").iter_rows()]
    assert converted["ccode"].to_list() == scalar
    assert set(converted.filter(pl.col("ccode").is_null())["gwcode"]) == {
        89,
        99,
        396,
        397,
        563,
        564,
        711,
        815,
    }


def test_round_trip_cow_gw_cow_returns_the_code_except_in_the_unification_years() -> None:
    panel = _state_years("cow")
    back = states.gw_to_cow_frame(states.cow_to_gw_frame(panel), ccode_col="back")
    changed = set(
        back.filter(pl.col("back") != pl.col("ccode")).select("ccode", "year").iter_rows()
    )
    # 1990: COW 255 (Germany from 3 October) maps to GW 260, which for the year as a whole is
    # West Germany (COW 260); COW 678 (the Yemen Arab Republic until 21 May) maps to GW 678,
    # which for 1990 as a whole is unified Yemen (COW 679).
    assert changed == {(255, 1990), (678, 1990)}


def test_frame_conversion_keeps_rows_order_and_takes_float_codes_and_lazy_frames() -> None:
    frame = pl.DataFrame(
        {"cc": [345.0, None, 2.0, 999.0], "yr": [2010.0, 2000.0, 1816.0, 2000.0], "x": [1, 2, 3, 4]}
    )
    out = states.cow_to_gw_frame(frame, ccode_col="cc", year_col="yr")
    assert out.columns == ["cc", "yr", "x", "gwcode"]
    assert out["gwcode"].to_list() == [340, None, 2, None]
    assert out["x"].to_list() == [1, 2, 3, 4]
    lazy = states.gw_to_cow_frame(pl.LazyFrame({"gwcode": [260], "year": [2000]}))
    assert isinstance(lazy, pl.LazyFrame)
    assert lazy.collect()["ccode"].to_list() == [255]


def test_frame_conversion_names_a_missing_or_clashing_column() -> None:
    with pytest.raises(InvalidArgument, match="no column 'year'"):
        states.cow_to_gw_frame(pl.DataFrame({"ccode": [2]}))
    with pytest.raises(InvalidArgument, match="already has a column 'gwcode'"):
        states.cow_to_gw_frame(pl.DataFrame({"ccode": [2], "year": [2000], "gwcode": [2]}))


def test_crosswalk_links_both_lists_by_year() -> None:
    walk = states.cow_gw_crosswalk()
    assert walk.columns == ["year", "ccode", "gwcode", "in_cow", "in_gw"]
    assert walk.filter((pl.col("year") == 2006) & (pl.col("ccode") == 345))[
        "gwcode"
    ].sort().to_list() == [340, 345]
    assert walk.filter((pl.col("year") == 1995) & (pl.col("ccode") == 255))["gwcode"].to_list() == [
        260
    ]
    tibet = walk.filter(pl.col("gwcode") == 711)
    assert tibet["ccode"].null_count() == tibet.height > 0
    assert tibet["in_gw"].all()
    assert walk.filter(~pl.col("in_cow") & ~pl.col("in_gw")).height == 0
    assert walk.filter(pl.col("in_cow") & pl.col("gwcode").is_null()).height == 0


# ---------------------------------------------------------------------------------------------
# The `foedus states` and `foedus state` commands
# ---------------------------------------------------------------------------------------------


def test_cli_state_json_gives_codes_names_and_spells(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = _cli(["state", "DPRK", "--json"], capsys)
    info = json.loads(out)
    assert code == 0
    assert (info["code"], info["abbrev"], info["name"], info["iso3"], info["gwcode"]) == (
        731,
        "PRK",
        "North Korea",
        "PRK",
        731,
    )
    assert info["cow_spells"] == [{"start": "1948-09-09", "end": None}]


def test_cli_state_by_date_and_system(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = _cli(["state", "Germany", "--date", "1970-01-01"], capsys)
    assert code == 0
    assert "German Federal Republic" in out
    assert "COW 260" in out
    code, out, _err = _cli(
        ["state", "Serbia", "--system", "gw", "--date", "1990-01-01", "--json"], capsys
    )
    assert code == 0
    assert json.loads(out)["code"] == 345


def test_cli_state_narnia_exits_2_with_suggestions_on_one_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = _cli(["state", "Narnia"], capsys)
    assert code == 2
    assert out == ""
    assert err.startswith("error: unknown state 'Narnia': did you mean")
    assert len(err.strip().splitlines()) == 1


def test_cli_states_on_a_date_lists_members_only(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = _cli(["states", "--date", "2025-06-01", "--json"], capsys)
    rows = json.loads(out)
    codes = {r["ccode"] for r in rows}
    assert code == 0
    assert {2, 365, 731, 255} <= codes
    assert 260 not in codes
    assert len(codes) == len(rows) == len(states.members_on("2025-06-01"))


def test_cli_states_gw_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = _cli(["states", "--system", "gw", "--date", "1900-01-01"], capsys)
    assert code == 0
    assert "Germany (Prussia)" in out
    assert "GW states on 1900-01-01" in out


def test_cli_states_bad_date_and_system_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = _cli(["states", "--date", "2025-13-01"], capsys)
    assert code == 2
    assert "not a valid date" in err
    code, _out, err = _cli(["states", "--system", "polity"], capsys)
    assert code == 2
    assert "use 'cow' or 'gw'" in err


def test_table_on_2025_06_01_has_north_korea_with_one_open_spell_not_east_germany() -> None:
    rows = {r["ccode"]: r for r in states.table("2025-06-01")}
    assert rows[731] == {
        "ccode": 731,
        "abbrev": "PRK",
        "name": "North Korea",
        "iso3": "PRK",
        "microstate": False,
        "spells": [{"start": "1948-09-09", "end": None}],
    }
    assert 265 not in rows
    assert list(rows) == states.members_on("2025-06-01")


def test_table_without_a_date_lists_every_state_ever_with_all_its_spells() -> None:
    rows = {r["ccode"]: r for r in states.table()}
    assert list(rows) == states.codes()
    assert rows[255]["spells"] == [
        {"start": "1816-01-01", "end": "1945-05-08"},
        {"start": "1990-10-03", "end": None},
    ]
    assert rows[265]["spells"][0]["end"] == "1990-10-02"


def test_table_on_a_date_keeps_only_the_spell_covering_it() -> None:
    (germany,) = [r for r in states.table("2000-01-01") if r["ccode"] == 255]
    assert germany["spells"] == [{"start": "1990-10-03", "end": None}]


def test_table_of_gw_is_keyed_by_gwcode_and_flags_microstates() -> None:
    rows = states.table("2010-01-01", system="gw")
    assert all("gwcode" in r and "ccode" not in r for r in rows)
    micro = {r["gwcode"] for r in rows if r["microstate"]}
    assert micro
    assert micro == {
        c for c in states.members_on("2010-01-01", "gw") if states.is_microstate(c, "gw")
    }


def test_cli_states_json_is_states_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = _cli(["states", "--system", "gw", "--date", "1900-01-01", "--json"], capsys)
    assert code == 0
    assert json.loads(out) == states.table("1900-01-01", system="gw")
    code, out, _err = _cli(["states", "--json"], capsys)
    assert json.loads(out) == states.table()
