"""foedus.panels against peacesciencer's own processed data, whole tables at a time.

Each test states the fact it checks. Reference figures (row counts, ATOP counts) come from
shared/research/r-baseline.md (peacesciencer 1.2.9 run on 2026-11-22, so its tables end in 2025);
reference tables are peacesciencer's .rda files in shared/data/peacesciencer. Where a check needs an
independent implementation (contiguity, wars, peace years) the test builds it the plain way —
month by month, with pandas, with a Python loop — and compares every row.
"""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from foedus import data
from foedus.errors import DataMissing, InvalidArgument
from foedus.panels import (
    add_atop_alliance,
    add_capital_distance,
    add_ccode_to_gw,
    add_contiguity,
    add_cow_majors,
    add_cow_mids,
    add_cow_wars,
    add_democracy,
    add_foedus_alliance,
    add_gml_mids,
    add_gwcode_to_cow,
    add_igos,
    add_minimum_distance,
    add_nmc,
    add_peace_years,
    add_sdp_gdp,
    add_strategic_rivalries,
    apply_verbs,
    dyad_years,
    filter_prd,
    foedus_vs_atop,
    state_years,
)
from foedus.panels.atop import ATOP_COLUMNS
from foedus.panels.contiguity import contiguity_years
from foedus.panels.foedus_alliance import FOEDUS_COLUMNS

KEYS = ["ccode1", "ccode2", "year"]
LAST = 2025  # peacesciencer's tables in r-baseline.md were built in 2026 (mry = 2025)


def _ints(frame: pl.DataFrame, *cols: str) -> pl.DataFrame:
    return frame.with_columns(pl.col(c).cast(pl.Int32) for c in cols)


@pytest.fixture(scope="module")
def ddy() -> pl.DataFrame:
    """Every COW directed dyad-year 1816–2025, as peacesciencer's create_dyadyears() in 2026."""
    return dyad_years(mry=LAST)


@pytest.fixture(scope="module")
def ddy_2018(ddy: pl.DataFrame) -> pl.DataFrame:
    return ddy.filter(pl.col("year") <= 2018)


@pytest.fixture(scope="module")
def atop_panel(ddy: pl.DataFrame) -> pl.DataFrame:
    return ddy.pipe(add_atop_alliance)


# ------------------------------------------------------------------------------ the panels


def test_directed_cow_dyad_years_1816_2025_are_2252760_like_peacesciencer(
    ddy: pl.DataFrame,
) -> None:
    assert ddy.height == 2_252_760
    assert ddy.select(pl.struct(KEYS).n_unique()).item() == ddy.height
    assert ddy.filter(pl.col("year") == 2025).height == 37_830
    assert ddy.select(pl.struct("ccode1", "ccode2").n_unique()).item() == 41_208


def test_cow_dyad_years_equal_cow_ddy_row_for_row_and_2025_repeats_2024(ddy: pl.DataFrame) -> None:
    ref = _ints(data.load("cow_ddy"), "ccode1", "ccode2", "year").sort(KEYS)
    assert_frame_equal(ddy.filter(pl.col("year") <= 2024), ref)
    last_two = ddy.filter(pl.col("year") >= 2024).partition_by(
        "year", as_dict=True, include_key=False
    )
    assert_frame_equal(last_two[(2024,)], last_two[(2025,)])


def test_dyads_that_never_share_a_day_are_left_out_like_false_cow_dyads(ddy: pl.DataFrame) -> None:
    false = _ints(data.load("false_cow_dyads"), "ccode1", "ccode2", "year").select(KEYS)
    assert false.height == 60
    assert ddy.join(false, on=KEYS, how="semi").height == 0
    # Suriname entered on 25 Nov 1975, South Vietnam left on 30 Apr 1975.
    assert ddy.filter((pl.col("ccode1") == 115) & (pl.col("ccode2") == 817)).height == 0


def test_without_mry_the_tables_stop_in_2016_with_peacesciencers_counts() -> None:
    assert dyad_years(mry=False).height == 1_912_290
    assert state_years(mry=False).height == 15_951


def test_cow_state_years_1816_2025_are_17706() -> None:
    sy = state_years(mry=LAST)
    assert sy.height == 17_706
    assert sy.columns == ["ccode", "cw_name", "year"]
    assert sy.select(pl.struct("ccode", "year").n_unique()).item() == sy.height


def test_non_directed_dyad_years_are_the_lower_code_first_half(ddy: pl.DataFrame) -> None:
    nd = dyad_years(directed=False, mry=LAST)
    assert nd.height * 2 == ddy.height
    assert nd.select((pl.col("ccode1") < pl.col("ccode2")).all()).item()


def test_gw_dyad_years_equal_gw_ddy_and_carry_2024_forward() -> None:
    gw = dyad_years("gw", mry=LAST)
    ref = data.load("gw_ddy").with_columns(
        pl.col("gwcode1", "gwcode2", "year").cast(pl.Int32),
        pl.col("microstate1", "microstate2").cast(pl.Int8),
    )
    assert_frame_equal(gw.filter(pl.col("year") <= 2024), ref.sort("gwcode1", "gwcode2", "year"))
    assert (
        gw.filter(pl.col("year") == 2025).height
        == ref.filter(pl.col("year") == 2024).height
        == 38_612
    )


def test_years_outside_coverage_or_an_unknown_system_are_invalid_arguments() -> None:
    with pytest.raises(InvalidArgument, match="outside"):
        dyad_years(years=(1800, 1900))
    with pytest.raises(InvalidArgument, match="unknown state system"):
        dyad_years("xyz")
    with pytest.raises(InvalidArgument, match="outside"):
        state_years(years=3000)
    with pytest.raises(InvalidArgument):
        dyad_years(years="sometime")


def test_years_accepts_an_int_a_pair_a_range_and_text() -> None:
    one = dyad_years(years=1900)
    assert one["year"].unique().to_list() == [1900]
    assert dyad_years(years=(1900, 1901)).height == dyad_years(years=range(1900, 1902)).height
    assert dyad_years(years="1900-1901").height == dyad_years(years=(1900, 1901)).height


def test_returned_frames_are_copies_that_do_not_touch_the_cache() -> None:
    first = dyad_years(years=1816)
    first.insert_column(0, pl.Series("junk", [0] * first.height))
    assert "junk" not in dyad_years(years=1816).columns


# ------------------------------------------------------------------------------ ATOP


def _atop_reference(panel: pl.DataFrame) -> pl.DataFrame:
    """peacesciencer's merge: left join atop_alliance.rda, 0 inside 1815–2018, NA outside."""
    ref = _ints(data.load("atop_alliance"), *KEYS).with_columns(
        pl.col(list(ATOP_COLUMNS)).cast(pl.Int8)
    )
    joined = panel.select(KEYS).join(ref, on=KEYS, how="left", maintain_order="left")
    inside = pl.col("year").is_between(1815, 2018)
    return joined.with_columns(
        pl.when(inside).then(pl.col(c).fill_null(0)).otherwise(None).alias(c) for c in ATOP_COLUMNS
    )


def test_atop_flags_from_the_member_file_match_atop_alliance_rda_except_421_partner_specific_cells(
    atop_panel: pl.DataFrame, ddy: pl.DataFrame
) -> None:
    from foedus.treaties import ties_frame

    ref = _atop_reference(ddy)
    diffs = []
    for col in ATOP_COLUMNS:
        both = atop_panel.select(*KEYS, pl.col(col).alias("ours")).with_columns(
            ref[col].alias("ref")
        )
        bad = both.filter(pl.col("ours").ne_missing(pl.col("ref")))
        diffs.append(bad.with_columns(pl.lit(col).alias("column")))
    diffs = pl.concat(diffs)
    counts = dict(diffs.group_by("column").len().iter_rows())
    assert counts == {
        "atop_defense": 213,
        "atop_offense": 33,
        "atop_neutral": 101,
        "atop_nonagg": 74,
    }
    # Every difference: ATOP's dyadic file says 0, foedus 1 ...
    assert diffs.select(((pl.col("ref") == 0) & (pl.col("ours") == 1)).all()).item()
    # ... because ccode1's pledge is partner-specific (obvary) and the member file cannot say to whom.
    kind = {
        "atop_defense": "defense",
        "atop_offense": "offense",
        "atop_neutral": "neutrality",
        "atop_nonagg": "non_aggression",
    }
    ties = ties_frame("atop").filter(pl.col("partner_specific"))
    ties = ties.select(
        pl.col("obliged").cast(pl.Int32).alias("ccode1"),
        pl.col("beneficiary").cast(pl.Int32).alias("ccode2"),
        "kind",
        "atopid",
        pl.int_ranges("year_from", pl.col("year_to").fill_null(2018) + 1, dtype=pl.Int32).alias(
            "year"
        ),
    ).explode("year")
    explained = diffs.with_columns(pl.col("column").replace_strict(kind).alias("kind")).join(
        ties, on=[*KEYS, "kind"], how="inner"
    )
    assert explained.select(pl.struct(*KEYS, "kind").n_unique()).item() == diffs.height
    assert sorted(explained["atopid"].unique()) == [
        1100,
        1110,
        1120,
        1160,
        1205,
        1227,
        1350,
        1355,
        2130,
        3322,
    ]


def test_every_dyad_year_with_an_atop_obligation_keeps_one_and_111_gain_a_partner_specific_one(
    atop_panel: pl.DataFrame, ddy: pl.DataFrame
) -> None:
    ref = _atop_reference(ddy)
    ours_any = atop_panel.select(
        pl.any_horizontal(pl.col(list(ATOP_COLUMNS)) == 1).fill_null(False)
    ).to_series()
    ref_any = ref.select(
        pl.any_horizontal(pl.col(list(ATOP_COLUMNS)) == 1).fill_null(False)
    ).to_series()
    assert int(ref_any.sum()) == 267_243
    assert int((ref_any & ~ours_any).sum()) == 0
    # The 111 extra dyad-years are the all-zero rows of ATOP's dyadic file in which the member
    # file's (partner-specific) pledges of ccode1 are coded toward ccode2 too; they are among
    # the 421 cells of the previous test.
    assert int((ours_any & ~ref_any).sum()) == 111


def test_atop_dyadic_source_reproduces_r_baseline_counts(ddy: pl.DataFrame) -> None:
    t = ddy.pipe(add_atop_alliance, source="dyadic")
    ones = t.select((pl.col(c) == 1).sum().alias(c) for c in ATOP_COLUMNS).row(0, named=True)
    assert ones == {
        "atop_defense": 135_392,
        "atop_offense": 5_124,
        "atop_neutral": 4_431,
        "atop_nonagg": 257_466,
        "atop_consul": 130_070,
    }
    assert t.filter((pl.col("year") == 2018) & (pl.col("atop_defense") == 1)).height == 3_412
    assert t["atop_defense"].null_count() == 264_810
    # r-baseline's "alliance 267,402": dyad-years with a row in ATOP's dyadic file (159 hold no obligation).
    ref = _ints(data.load("atop_alliance"), *KEYS)
    assert ddy.join(ref, on=KEYS, how="semi").height == 267_402


def test_atop_columns_are_null_after_2018_and_never_null_before(atop_panel: pl.DataFrame) -> None:
    late = atop_panel.filter(pl.col("year") > 2018)
    early = atop_panel.filter(pl.col("year") <= 2018)
    for col in ATOP_COLUMNS:
        assert late[col].null_count() == late.height
        assert early[col].null_count() == 0


def test_atop_spot_checks_from_r_baseline(atop_panel: pl.DataFrame) -> None:
    def years(c1: int, c2: int, col: str) -> list[int]:
        sel = atop_panel.filter(
            (pl.col("ccode1") == c1) & (pl.col("ccode2") == c2) & (pl.col(col) == 1)
        )
        return sel["year"].to_list()

    assert years(2, 732, "atop_defense") == list(range(1953, 2019))
    assert years(710, 731, "atop_defense") == list(range(1961, 2019))
    assert years(365, 731, "atop_defense") == list(range(1961, 1997))
    assert years(2, 740, "atop_defense") == list(range(1952, 2019))
    assert years(2, 375, "atop_defense") == []


def test_france_pledged_to_defend_belgium_in_1832_but_not_the_reverse(
    atop_panel: pl.DataFrame,
) -> None:
    row = atop_panel.filter(pl.col("year") == 1832)
    fr_be = row.filter((pl.col("ccode1") == 220) & (pl.col("ccode2") == 211))["atop_defense"].item()
    be_fr = row.filter((pl.col("ccode1") == 211) & (pl.col("ccode2") == 220))["atop_defense"].item()
    assert (fr_be, be_fr) == (1, 0)
    nd = dyad_years(directed=False, years=1832).pipe(add_atop_alliance)
    pair = nd.filter((pl.col("ccode1") == 211) & (pl.col("ccode2") == 220))
    assert pair["atop_defense"].item() == 1  # ndir=True: either direction
    assert (
        dyad_years(directed=False, years=1832)
        .pipe(add_atop_alliance, ndir=False)
        .filter((pl.col("ccode1") == 211) & (pl.col("ccode2") == 220))["atop_defense"]
        .item()
        == 0
    )


# ------------------------------------------------------------------------------ foedus registry


def test_russia_dprk_defense_is_1_in_2024_from_the_treaty_in_force_2024_12_04(
    ddy: pl.DataFrame,
) -> None:
    t = ddy.filter(pl.col("year").is_between(2018, 2025)).pipe(add_foedus_alliance)
    pair = t.filter(pl.col("ccode1").is_in([365, 731]) & pl.col("ccode2").is_in([365, 731])).sort(
        KEYS
    )
    by_year = {(r["ccode1"], r["year"]): r["foedus_defense"] for r in pair.iter_rows(named=True)}
    for c1 in (365, 731):
        assert [by_year[(c1, y)] for y in range(2018, 2026)] == [0, 0, 0, 0, 0, 0, 1, 1]


def test_foedus_columns_run_to_2025_without_nulls_and_equal_atop_where_no_curated_treaty_reaches(
    ddy: pl.DataFrame, atop_panel: pl.DataFrame
) -> None:
    from foedus.treaties import registry, ties_frame

    t = ddy.pipe(add_foedus_alliance)
    for col in FOEDUS_COLUMNS:
        assert t[col].null_count() == 0
    # Finland joined NATO on 2023-04-04.
    fin = t.filter(
        (pl.col("ccode1") == 375) & (pl.col("ccode2") == 2) & pl.col("year").is_between(2022, 2023)
    )
    assert fin["foedus_defense"].to_list() == [0, 1]
    # Every foedus/ATOP difference 1815–2018 lies in a dyad that a curated treaty (or the ATOP
    # alliance it replaces) reaches: the registry recodes only what it curates.
    diff = foedus_vs_atop()
    linked = list(registry().linked)
    reached = pl.concat(
        [
            ties_frame("curated").select("obliged", "beneficiary"),
            ties_frame("atop")
            .filter(pl.col("atopid").is_in(linked))
            .select("obliged", "beneficiary"),
        ]
    ).select(
        pl.col("obliged").cast(pl.Int32).alias("ccode1"),
        pl.col("beneficiary").cast(pl.Int32).alias("ccode2"),
    )
    assert diff.height > 0
    assert diff.join(reached.unique(), on=["ccode1", "ccode2"], how="anti").height == 0
    # And in the panel, outside those dyads foedus_* equals atop_* cell for cell.
    both = (
        t.filter(pl.col("year") <= 2018)
        .join(atop_panel, on=KEYS)
        .join(reached.unique(), on=["ccode1", "ccode2"], how="anti")
    )
    for k in ("defense", "offense", "neutral", "nonagg", "consul"):
        assert both.filter(pl.col(f"foedus_{k}") != pl.col(f"atop_{k}")).height == 0


# ------------------------------------------------------------------------------ NMC, majors


def test_state_years_with_nmc_and_majors_match_r_baseline_table_a() -> None:
    t = state_years(mry=LAST).pipe(add_nmc).pipe(add_cow_majors)
    assert t.shape == (17_706, 11)
    assert t.columns == [
        "ccode",
        "cw_name",
        "year",
        "milex",
        "milper",
        "irst",
        "pec",
        "tpop",
        "upop",
        "cinc",
        "cowmaj",
    ]
    assert t.filter(pl.col("cinc").is_not_null())["year"].max() == 2022
    assert t.filter((pl.col("year") == 2025) & (pl.col("cowmaj") == 1)).height == 7
    # NMC values are cow_nmc.rda's, cell for cell (pandas merge as the reference).
    nmc = data.load("cow_nmc").to_pandas()
    ref = (
        t.select("ccode", "year")
        .to_pandas()
        .astype("float64")
        .merge(nmc, on=["ccode", "year"], how="left")
    )
    for col in ("milex", "milper", "irst", "pec", "tpop", "upop", "cinc"):
        np.testing.assert_array_equal(t[col].to_numpy(), ref[col].to_numpy())


def test_dyadic_nmc_equals_a_plain_two_key_join_for_every_dyad_year(ddy_2018: pl.DataFrame) -> None:
    t = ddy_2018.pipe(add_nmc)
    nmc = _ints(data.load("cow_nmc"), "ccode", "year")
    plain = ddy_2018.join(
        nmc.rename({"ccode": "ccode1", "cinc": "c1"}).select("ccode1", "year", "c1"),
        on=["ccode1", "year"],
        how="left",
        maintain_order="left",
    )
    plain = plain.join(
        nmc.rename({"ccode": "ccode2", "cinc": "c2"}).select("ccode2", "year", "c2"),
        on=["ccode2", "year"],
        how="left",
        maintain_order="left",
    )
    assert t["cinc1"].equals(plain["c1"].rename("cinc1"))
    assert t["cinc2"].equals(plain["c2"].rename("cinc2"))


def test_major_powers_are_null_after_2016_without_mry_and_match_the_spells(
    ddy_2018: pl.DataFrame,
) -> None:
    sy = state_years(mry=LAST).pipe(add_cow_majors, mry=False)
    assert (
        sy.filter(pl.col("year") > 2016)["cowmaj"].null_count()
        == sy.filter(pl.col("year") > 2016).height
    )
    majors = data.load("cow_majors")
    expected = {
        (int(r["ccode"]), y)
        for r in majors.iter_rows(named=True)
        for y in range(int(r["styear"]), int(r["endyear"]) + 1)
    }
    got = {(c, y) for c, y in sy.filter(pl.col("cowmaj") == 1).select("ccode", "year").iter_rows()}
    members = set(sy.select("ccode", "year").iter_rows())
    assert got == expected & members
    d = ddy_2018.filter(pl.col("year") == 1900).pipe(add_cow_majors)
    assert d.filter((pl.col("ccode1") == 2) & (pl.col("ccode2") == 200)).select(
        "cowmaj1", "cowmaj2"
    ).row(0) == (1, 1)


# ------------------------------------------------------------------------------ contiguity


def _contiguity_by_months() -> pl.DataFrame:
    """peacesciencer's rule done literally: every month of every record, first month of each year."""
    raw = data.load("cow_contdir").to_pandas()
    start = raw["stdate"].dt.year * 12 + raw["stdate"].dt.month - 1
    end = raw["enddate"].dt.year * 12 + raw["enddate"].dt.month - 1
    n = (end - start + 1).to_numpy()
    rec = np.repeat(np.arange(len(raw)), n)
    month = np.repeat(start.to_numpy(), n) + (np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n))
    months = pd.DataFrame({"rec": rec, "month": month})
    months["ccode1"] = raw["ccode1"].to_numpy()[rec].astype("int32")
    months["ccode2"] = raw["ccode2"].to_numpy()[rec].astype("int32")
    months["conttype"] = raw["conttype"].to_numpy()[rec].astype("int8")
    months["year"] = (months["month"] // 12).astype("int32")
    months = months.sort_values(["ccode1", "ccode2", "month", "rec"], kind="stable")
    first = months.groupby(["ccode1", "ccode2", "year"], sort=True).head(1)
    return pl.from_pandas(first[["ccode1", "ccode2", "year", "conttype"]].reset_index(drop=True))


def test_contiguity_by_year_equals_the_month_by_month_rule_for_every_record() -> None:
    ours = contiguity_years("first").sort(KEYS)
    assert_frame_equal(ours, _contiguity_by_months().sort(KEYS), check_dtypes=False)


def test_contiguity_is_0_without_a_record_and_null_after_2016(ddy: pl.DataFrame) -> None:
    t = ddy.pipe(add_contiguity)
    assert t.filter(pl.col("year") > 2016)["conttype"].null_count() == 340_470
    assert t.filter(pl.col("year") <= 2016)["conttype"].null_count() == 0
    us_ca = t.filter((pl.col("ccode1") == 2) & (pl.col("ccode2") == 20) & (pl.col("year") == 2000))
    assert us_ca["conttype"].item() == 1
    filled = ddy.filter(pl.col("year").is_between(2015, 2025)).pipe(add_contiguity, mry=True)
    assert filled["conttype"].null_count() == 0
    assert filled.filter((pl.col("ccode1") == 2) & (pl.col("ccode2") == 20))[
        "conttype"
    ].unique().to_list() == [1]


def test_contiguity_mry_gives_2020_the_2016_value_even_without_2016_rows_in_the_frame() -> None:
    alone = dyad_years(years=2020).pipe(add_contiguity, mry=True)
    with_2016 = (
        dyad_years(years=(2016, 2020)).pipe(add_contiguity, mry=True).filter(pl.col("year") == 2020)
    )
    assert alone["conttype"].null_count() == 0
    assert_frame_equal(alone, with_2016)
    states = state_years(years=2020).pipe(add_contiguity, mry=True)
    assert states["land"].null_count() == 0
    assert states.filter(pl.col("ccode") == 2)["land"].item() == 2  # Canada and Mexico


def test_state_year_land_and_sea_borders_count_the_dyadic_records() -> None:
    sy = state_years(years=2000).pipe(add_contiguity)
    us = sy.filter(pl.col("ccode") == 2).select("land", "sea").row(0)
    cont = contiguity_years("first").filter((pl.col("ccode1") == 2) & (pl.col("year") == 2000))
    assert us == ((cont["conttype"] == 1).sum(), (cont["conttype"] > 1).sum())


# ------------------------------------------------------------------------------ wars, MIDs, peace years


def _wars_the_pandas_way() -> pl.DataFrame:
    w = data.load("cow_war_inter").to_pandas()
    keys = ["ccode1", "ccode2", "year"]
    g = w.groupby(keys)["cowinteronset"]
    n, sd = g.transform("size"), g.transform("std")
    w = w[~((n > 1) & (sd > 0) & (w["cowinteronset"] == 0))].copy()
    for c in ("batdeath1", "batdeath2"):
        w.loc[w[c] < 0, c] = np.nan
    w["deaths"] = w["batdeath1"].fillna(0) + w["batdeath2"].fillna(0)
    w.loc[w["batdeath1"].isna() & w["batdeath2"].isna(), "deaths"] = np.nan
    w = (
        w.sort_values("deaths", ascending=False, na_position="last", kind="stable")
        .groupby(keys)
        .head(1)
    )
    return pl.from_pandas(w.drop(columns=["warnum", "deaths"]).reset_index(drop=True))


def test_inter_state_wars_keep_one_war_per_dyad_year_like_peacesciencer(
    ddy_2018: pl.DataFrame,
) -> None:
    from foedus.panels.wars import inter_war_dyad_years

    ref = _wars_the_pandas_way().cast({c: pl.Int32 for c in KEYS}).sort(KEYS)
    ours = inter_war_dyad_years().sort(KEYS)
    assert ours.height == ref.height
    for col in ref.columns:
        a, b = ours[col].cast(pl.Float64), ref[col].cast(pl.Float64)
        assert a.equals(b), col
    t = ddy_2018.pipe(add_cow_wars)
    assert t.filter(pl.col("year") <= 2007)["cowinteronset"].null_count() == 0
    assert (
        t.filter(pl.col("year") > 2007)["cowinteronset"].null_count()
        == t.filter(pl.col("year") > 2007).height
    )
    assert (
        t.filter(pl.col("cowinterongoing") == 1).height
        == ref.join(ddy_2018, on=KEYS, how="semi").height
    )


def test_intra_state_wars_on_state_years_pick_onsets_then_deaths() -> None:
    sy = state_years(years=(1816, 2016)).pipe(add_cow_wars, type="intra")
    # The data end in 2008 (wars ongoing at the end of 2007); onsets are 0-filled to 2007 as in peacesciencer.
    assert (
        sy.filter(pl.col("year") > 2008)["cowintraonset"].null_count()
        == sy.filter(pl.col("year") > 2008).height
    )
    assert sy.filter(pl.col("year") <= 2007)["cowintraonset"].null_count() == 0
    assert sy.select(pl.struct("ccode", "year").n_unique()).item() == sy.height
    ongoing = sy.filter(pl.col("cowintraongoing") == 1)
    assert ongoing["intrawarnums"].null_count() == 0
    with pytest.raises(InvalidArgument):
        state_years(years=2000).pipe(add_cow_wars, type="inter")


def _sbtscs(events: list[int]) -> list[int]:
    """stevemisc::sbtscs's counter, literally."""
    out, run = [0] * len(events), 0
    for j in range(1, len(events)):
        if events[j] == 0 and events[j - 1] == 0:
            run += 1
            out[j] = run
        elif events[j] != 0 and events[j - 1] == 0:
            out[j] = run + 1
            run = 0
        elif events[j] == 0 and events[j - 1] != 0:
            out[j] = run = 0
    return out


def test_peace_years_equal_the_sbtscs_counter_for_every_politically_relevant_dyad() -> None:
    t = (
        dyad_years(years=(1816, 2014))
        .pipe(add_contiguity)
        .pipe(add_cow_majors)
        .pipe(filter_prd)
        .pipe(add_cow_mids, keep=[])
        .pipe(add_gml_mids, keep=[])
        .pipe(add_peace_years)
    )
    for event, spell in (("cowmidongoing", "cowmidspell"), ("gmlmidongoing", "gmlmidspell")):
        sub = t.filter(pl.col(event).is_not_null()).sort(KEYS)
        expected: list[int] = []
        for _, group in sub.group_by(["ccode1", "ccode2"], maintain_order=True):
            expected.extend(_sbtscs(group[event].to_list()))
        assert sub[spell].to_list() == expected
    assert (
        t.filter(pl.col("year") > 2010)["gmlmidspell"].null_count()
        == t.filter(pl.col("year") > 2010).height
    )


def test_peace_years_with_pad_restart_after_a_gap() -> None:
    f = pl.DataFrame(
        {
            "ccode1": [2] * 5,
            "ccode2": [255] * 5,
            "year": [1940, 1941, 1991, 1992, 1993],
            "cowmidongoing": [0, 0, 0, 0, 1],
        }
    )
    assert add_peace_years(f)["cowmidspell"].to_list() == [0, 1, 2, 3, 4]
    assert add_peace_years(f, pad=True)["cowmidspell"].to_list() == [0, 1, 0, 1, 2]


def test_mids_are_0_inside_and_null_outside_coverage_and_refuse_to_overwrite_each_other(
    ddy: pl.DataFrame,
) -> None:
    t = ddy.filter(pl.col("year").is_between(2008, 2016)).pipe(add_cow_mids)
    assert (
        t.filter(pl.col("year") > 2014)["cowmidonset"].null_count()
        == t.filter(pl.col("year") > 2014).height
    )
    assert t.filter(pl.col("year") <= 2014)["cowmidonset"].null_count() == 0
    ref = _ints(data.load("cow_mid_ddydisps"), *KEYS)
    assert (
        t.filter(pl.col("cowmidongoing") == 1).height
        == ref.join(t, on=KEYS, how="semi").filter(pl.col("cowmidongoing") == 1).height
    )
    # Every MID column equals cow_mid_ddydisps.rda's row for that dyad-year (a plain join) ...
    plain = t.select(KEYS).join(ref, on=KEYS, how="left", maintain_order="left")
    flags = ("cowmidonset", "cowmidongoing")
    for col in [c for c in ref.columns if c not in KEYS and c not in flags]:
        assert t[col].cast(pl.Float64).equals(plain[col].cast(pl.Float64)), col
    # ... and the flags are the table's, 0 where it has no row up to 2014.
    for col in flags:
        expected = plain.select(
            pl.when(pl.col("year") <= 2014).then(pl.col(col).fill_null(0)).otherwise(pl.col(col))
        ).to_series()
        assert t[col].cast(pl.Float64).equals(expected.cast(pl.Float64)), col
    with pytest.raises(InvalidArgument, match="overwrite"):
        t.pipe(add_gml_mids)
    assert "gmlmidonset" in t.pipe(add_gml_mids, keep=[]).columns
    with pytest.raises(InvalidArgument, match="unknown columns"):
        t.pipe(add_cow_mids, keep=["nope"])


# ------------------------------------------------------------------------------ distances, others


def test_capital_distance_is_the_great_circle_between_january_capitals() -> None:
    t = dyad_years(years=2000).pipe(add_capital_distance)
    caps = (
        data.load("cow_capitals")
        .filter(pl.col("stdate").dt.year() <= 2000)
        .filter(pl.col("enddate").dt.year() >= 2000)
    )
    ll = {
        int(r["ccode"]): (r["lat"], r["lng"])
        for r in list(caps.sort("stdate").iter_rows(named=True))[::-1]
    }

    def haversine(a: tuple[float, float], b: tuple[float, float]) -> float:
        p1, p2 = math.radians(a[0]), math.radians(b[0])
        dl, dp = math.radians(b[1] - a[1]), p2 - p1
        h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
        return 2 * 6378.137 * math.asin(math.sqrt(h))

    sample = t.filter(pl.col("ccode1").is_in([2, 200, 365, 710, 731]))
    for c1, c2, dist in sample.select("ccode1", "ccode2", "capdist").iter_rows():
        assert dist == pytest.approx(haversine(ll[c1], ll[c2]), rel=1e-9, abs=1e-6)
    assert t.filter((pl.col("ccode1") == 2) & (pl.col("ccode2") == 20))[
        "capdist"
    ].item() == pytest.approx(735, abs=1)
    # Whole table: the same as joining each side's January capital and applying the formula per row.
    from foedus.panels.capitals import capital_years, vincenty_sphere_km

    caps = capital_years("cow")
    per_row = (
        dyad_years(years=(1816, 2025))
        .join(
            caps.rename({"ccode": "ccode1", "lat": "a1", "lng": "o1"}),
            on=["ccode1", "year"],
            how="left",
            maintain_order="left",
        )
        .join(
            caps.rename({"ccode": "ccode2", "lat": "a2", "lng": "o2"}),
            on=["ccode2", "year"],
            how="left",
            maintain_order="left",
        )
        .select(
            vincenty_sphere_km(pl.col("a1"), pl.col("o1"), pl.col("a2"), pl.col("o2")).alias(
                "capdist"
            )
        )
    )
    full = dyad_years(years=(1816, 2025)).pipe(add_capital_distance)
    assert full["capdist"].equals(per_row["capdist"])
    assert (
        full.filter(pl.col("year") == 2025)["capdist"].null_count() == 37_830
    )  # capitals end in 2024
    # Brazil moved its capital on 21 April 1960: the January capital decides the year.
    br = (
        dyad_years(years=(1960, 1961))
        .filter((pl.col("ccode1") == 140) & (pl.col("ccode2") == 2))
        .pipe(add_capital_distance)
    )
    assert br["capdist"][0] != br["capdist"][1]
    sy = state_years(years=2024).pipe(add_capital_distance)
    assert sy["mincapdist"].null_count() == 0
    assert (
        state_years(years=2025).pipe(add_capital_distance)["mincapdist"].null_count()
        == state_years(years=2025).height
    )


def test_minimum_distance_is_symmetric_and_state_minimum_uses_both_sides() -> None:
    t = dyad_years(years=2010).pipe(add_minimum_distance)
    flip = t.select(
        pl.col("ccode2").alias("ccode1"),
        pl.col("ccode1").alias("ccode2"),
        "year",
        pl.col("mindist").alias("back"),
    )
    j = t.join(flip, on=KEYS)
    assert j.filter(pl.col("mindist").ne_missing(pl.col("back"))).height == 0
    sy = state_years(years=2010).pipe(add_minimum_distance)
    expected = t.group_by("ccode1").agg(pl.col("mindist").min()).rename({"ccode1": "ccode"})
    both = sy.join(expected, on="ccode")
    assert both.filter(pl.col("minmindist").ne_missing(pl.col("mindist"))).height == 0


def test_democracy_sdp_igos_and_rivalries_join_their_tables_unchanged() -> None:
    sy = (
        state_years(years=2000)
        .pipe(add_democracy)
        .pipe(add_sdp_gdp)
        .pipe(add_igos)
        .pipe(add_strategic_rivalries)
    )
    us = sy.filter(pl.col("ccode") == 2).row(0, named=True)
    demo = (
        data.load("ccode_democracy")
        .filter((pl.col("ccode") == 2) & (pl.col("year") == 2000))
        .row(0, named=True)
    )
    assert us["polity2"] == demo["polity2"]
    assert us["v2x_polyarchy"] == demo["v2x_polyarchy"]
    assert us["n_positional"] >= 1
    d = dyad_years(years=1962).pipe(add_igos).pipe(add_strategic_rivalries).pipe(add_democracy)
    usr = d.filter((pl.col("ccode1") == 2) & (pl.col("ccode2") == 365)).row(0, named=True)
    rus = d.filter((pl.col("ccode1") == 365) & (pl.col("ccode2") == 2)).row(0, named=True)
    assert usr["dyadigos"] == rus["dyadigos"] > 0
    assert usr["ongoingrivalry"] == 1
    assert usr["ideological"] == 1
    assert usr["polity21"] == rus["polity22"]
    late = dyad_years(years=2021).pipe(add_strategic_rivalries)
    assert late["ongoingrivalry"].null_count() == late.height


def test_politically_relevant_dyads_are_contiguous_or_include_a_major_power(
    ddy_2018: pl.DataFrame,
) -> None:
    t = ddy_2018.filter(pl.col("year") == 2000).pipe(add_contiguity).pipe(add_cow_majors)
    prd = t.pipe(filter_prd)
    manual = t.filter(
        (pl.col("conttype") >= 1) | (pl.col("cowmaj1") == 1) | (pl.col("cowmaj2") == 1)
    )
    assert_frame_equal(prd, manual)
    with pytest.raises(InvalidArgument, match="add_contiguity"):
        ddy_2018.pipe(filter_prd)


def test_gw_frames_get_cow_codes_and_then_take_cow_verbs() -> None:
    gw = dyad_years("gw", years=2000).pipe(add_ccode_to_gw).pipe(add_atop_alliance)
    assert gw.filter((pl.col("gwcode1") == 260) & (pl.col("gwcode2") == 2))["ccode1"].item() == 255
    assert gw.filter(pl.col("ccode1").is_not_null())["atop_defense"].null_count() == 0
    cow = dyad_years(years=1980).pipe(add_gwcode_to_cow)
    assert cow.filter(pl.col("ccode1") == 260)["gwcode1"].unique().to_list() == [260]
    with pytest.raises(InvalidArgument, match="add_ccode_to_gw"):
        dyad_years("gw", years=2000).pipe(add_nmc)


# ------------------------------------------------------------------------------ the verb contract


def test_verbs_never_change_their_input_never_print_and_keep_rows_and_order(
    capsys: pytest.CaptureFixture[str],
) -> None:
    base = dyad_years(years=(1990, 1991)).sample(fraction=1.0, shuffle=True, seed=1)
    before = base.clone()
    verbs = [
        "atop",
        "foedus",
        "nmc",
        "majors",
        "contiguity",
        "capdist",
        "mindist",
        "wars",
        "mids",
        "democracy",
        "sdp",
        "igos",
        "rivalries",
        "similarity",
    ]
    ordered = base.sort(KEYS)
    for name in verbs:
        out = apply_verbs(base, [name])
        assert out is not base
        assert_frame_equal(out.select(KEYS), base.select(KEYS))
        # A sorted panel takes the binary-search join, a shuffled one the hash join: same values.
        assert_frame_equal(out.sort(KEYS), apply_verbs(ordered, [name]))
    assert_frame_equal(base, before)
    assert capsys.readouterr() == ("", "")


def test_no_verb_writes_0_outside_its_sources_years() -> None:
    t = apply_verbs(dyad_years(years=(2005, 2025)), ["atop", "contiguity", "wars", "rivalries"])
    t = t.pipe(add_cow_mids, keep=[]).pipe(add_gml_mids, keep=[])
    after = {
        "atop_defense": 2018,
        "conttype": 2016,
        "cowinteronset": 2007,
        "cowmidonset": 2014,
        "gmlmidonset": 2010,
        "ongoingrivalry": 2020,
    }
    for col, last in after.items():
        assert t.filter((pl.col("year") > last) & pl.col(col).is_not_null()).height == 0, col


def test_applying_a_verb_twice_replaces_its_columns() -> None:
    once = dyad_years(years=2000).pipe(add_nmc)
    assert_frame_equal(once.pipe(add_nmc), once)


def test_unknown_verb_names_are_invalid_arguments_that_suggest_the_right_one() -> None:
    with pytest.raises(InvalidArgument, match=r"unknown table verb 'atopp'.*atop"):
        apply_verbs(dyad_years(years=2000), "nmc,atopp")


def test_a_verb_whose_data_are_absent_raises_data_missing_naming_the_dataset(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from foedus.panels.nmc import nmc_table

    monkeypatch.setenv("FOEDUS_DATA_DIR", str(tmp_path / "empty"))
    monkeypatch.setenv("FOEDUS_CACHE_DIR", str(tmp_path / "cache"))
    with pytest.raises(DataMissing, match="cow_nmc"):
        nmc_table.__wrapped__()


def test_atop_verbs_without_the_atop_files_raise_data_missing_not_zeros(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from foedus.panels.atop import atop_flags
    from foedus.panels.foedus_alliance import _flags

    monkeypatch.setenv("FOEDUS_DATA_DIR", str(tmp_path / "empty"))
    monkeypatch.setenv("FOEDUS_CACHE_DIR", str(tmp_path / "cache"))
    with pytest.raises(DataMissing, match="atop5_1m"):
        atop_flags.__wrapped__()
    with pytest.raises(DataMissing, match="atop5_1m"):
        _flags.__wrapped__(2025)


def test_verbs_refuse_frames_that_are_not_panels() -> None:
    with pytest.raises(InvalidArgument, match="dyad_years"):
        add_nmc(pl.DataFrame({"a": [1]}))
    with pytest.raises(InvalidArgument, match="polars DataFrame"):
        add_nmc(pd.DataFrame({"ccode": [2], "year": [2000]}))  # type: ignore[arg-type]
    with pytest.raises(InvalidArgument, match="dyad-year"):
        state_years(years=2000).pipe(add_atop_alliance)


# ------------------------------------------------------------------------------ the CLI


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run ``foedus ARGS`` in this process: (exit code, stdout, stderr)."""
    from foedus.cli import main

    with pytest.raises(SystemExit) as stop:
        main(list(args))
    out = capsys.readouterr()
    return int(stop.value.code or 0), out.out, out.err


def test_cli_writes_the_dyad_year_table_as_parquet_csv_feather_and_dta(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "t.parquet"
    code, _, err = _cli(
        capsys,
        "panel",
        "dyad-years",
        "--directed",
        "--add",
        "atop,nmc,contiguity,wars",
        "--years",
        "2000-2001",
        "-o",
        str(out),
    )
    assert code == 0, err
    t = pl.read_parquet(out)
    expected = (
        dyad_years(years=(2000, 2001))
        .pipe(add_atop_alliance)
        .pipe(add_nmc)
        .pipe(add_contiguity)
        .pipe(add_cow_wars)
    )
    assert_frame_equal(t, expected)
    from foedus.cli.panels import write_table

    for suffix in (".csv", ".feather", ".dta"):
        path = tmp_path / f"t{suffix}"
        write_table(expected, path)
        back = (
            pd.read_stata(path)
            if suffix == ".dta"
            else (pl.read_csv(path, null_values="NA") if suffix == ".csv" else pl.read_ipc(path))
        )
        assert len(back) == expected.height
    assert not list(tmp_path.glob(".*.tmp"))


def test_cli_bad_input_is_one_line_and_exit_code_2(capsys: pytest.CaptureFixture[str]) -> None:
    for args in (
        ("panel", "dyad-years", "--add", "atop,nope"),
        ("panel", "dyad-years", "--system", "xyz"),
        ("panel", "state-years", "--years", "1700-1750"),
        ("similarity", "--year", "1962", "--measure", "nope"),
        ("similarity", "--year", "1700"),
        ("panel", "dyad-years", "--years", "2000", "-o", "out.xlsx"),
    ):
        code, _, err = _cli(capsys, *args)
        assert code == 2, args
        assert err.startswith("error: "), err
        assert err.count("\n") == 1, err


def test_cli_output_has_the_umask_permissions_and_a_folder_target_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import os

    umask = os.umask(0o022)
    try:
        out = tmp_path / "states.csv"
        code, _, err = _cli(capsys, "panel", "state-years", "--years", "2000", "-o", str(out))
        assert code == 0, err
        assert out.stat().st_mode & 0o777 == 0o644  # not mkstemp's private 0o600
    finally:
        os.umask(umask)
    folder = tmp_path / "taken.csv"
    folder.mkdir()
    code, _, err = _cli(capsys, "panel", "state-years", "--years", "2000", "-o", str(folder))
    assert code == 2
    assert err.startswith("error: cannot write"), err
    assert err.count("\n") == 1, err
    assert not list(tmp_path.glob(".*.tmp"))


def test_python_m_foedus_exits_2_on_an_unknown_verb() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "foedus", "panel", "dyad-years", "--add", "atop,nope"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("error: unknown table verb 'nope'")


def test_cli_similarity_prints_json_for_one_state(capsys: pytest.CaptureFixture[str]) -> None:
    import json

    code, out, err = _cli(
        capsys, "similarity", "--year", "1962", "--measure", "kappa", "--state", "USA", "--json"
    )
    assert code == 0, err
    rows = json.loads(out)
    assert {r["ccode1"] for r in rows} == {2}
    assert all(set(r) == {"ccode1", "ccode2", "year", "kappa"} for r in rows)
