"""ATOP 5.1 import: counts from the field guide, dates, phases, conditions, and the ties table
checked against peacesciencer's directed dyad-year ATOP flags (atop_alliance.rda)."""

from __future__ import annotations

import datetime as dt
import time

import polars as pl
import pytest

from foedus import data
from foedus.errors import UnknownTreaty
from foedus.treaties import PRIMARY_KINDS, atop
from foedus.treaties.model import Treaty
from foedus.treaties.ties import SCHEMA

D = dt.date
ATOP_2018 = D(2018, 12, 31)


@pytest.fixture(scope="module")
def alliances() -> dict[int, Treaty]:
    return atop.treaties()


def _primary(t: Treaty) -> set[str]:
    return {p.kind for p in t.provisions if p.kind in PRIMARY_KINDS}


# ----------------------------------------------------------------------------- counts


def test_import_has_789_alliances_849_phases_and_2510_member_rows(alliances):
    assert len(alliances) == 789
    assert atop.phases().height == 849
    assert sum(len(t.members) for t in alliances.values()) == 2510
    assert (
        len({m.ccode for t in alliances.values() for m in t.members}) == 208
    )  # 207 COW codes + 8152


def test_member_level_defense_commitments_are_1016_member_phase_rows_and_932_pairs(alliances):
    rows = pairs = 0
    for t in alliances.values():
        bound: set[int] = set()
        for p in t.provisions:
            if p.kind == "defense":
                rows += sum(1 for m in t.members if m.ccode in p.obliged and m.phase == p.phase)
                bound.update(p.obliged)
        pairs += len(bound)
    assert (rows, pairs) == (1016, 932)


def test_alliance_level_counts_match_the_field_guide(alliances):
    assert sum("defense" in _primary(t) for t in alliances.values()) == 280
    assert (
        sum(_primary(t) == {"non_aggression"} for t in alliances.values()) == 200
    )  # the NNA files drop these
    assert sum(t.ended is None for t in alliances.values()) == 372  # in force on 2018-12-31
    assert sum(len({p.phase for p in t.provisions}) > 1 for t in alliances.values()) == 47
    largest = sorted(alliances.values(), key=lambda t: len(t.member_codes()))[-3:]
    assert [(t.atop_ids[0], len(t.member_codes())) for t in largest] == [
        (2550, 43),
        (4953, 53),
        (3740, 59),
    ]


def test_every_record_validates_and_cites_atop(alliances):
    for t in alliances.values():
        Treaty.model_validate(t.model_dump())  # built without validation for speed: check it here
        assert t.origin == "atop"
        assert t.id == f"atop:{t.atop_ids[0]}"
        assert t.sources
        assert all("Leeds" in s.citation for s in t.sources)
        for p in t.provisions:
            assert p.sources
            assert all("ATOP 5.1" in s.citation for s in p.sources)
            for c in p.conditions:
                assert c.sources
                assert all("atop5_1m.csv, variable" in s.note for s in c.sources)
        for m in t.members:
            assert m.sources


def test_names_say_what_atop_codes_because_atop_has_no_names(alliances):
    assert alliances[3440].name == "ATOP 3440: defense and non-aggression pact of RUS and PRK, 1961"
    assert alliances[3180].name.startswith(
        "ATOP 3180: defense, non-aggression and consultation pact of 30 states, 1949"
    )
    assert any("numbers, not names" in n.text for n in alliances[3180].notes)


def test_lookup_by_id_forms_and_unknown_id():
    assert atop.treaty("atop:3440") is atop.treaty(3440) is atop.treaty("3440")
    with pytest.raises(UnknownTreaty, match="no alliance 9999"):
        atop.treaty(9999)
    with pytest.raises(UnknownTreaty, match="not an ATOP id"):
        atop.treaty("nato")


def test_import_builds_in_well_under_a_second():
    data.load("atop5_1m"), data.load("atop5_1a"), data.load("atop5_1aph")  # parquet cache warm
    atop._build.cache_clear()
    atop.ties.cache_clear()
    start = time.perf_counter()
    atop.treaties()
    atop.ties()
    assert time.perf_counter() - start < 2.0  # about 0.15 s on a laptop-class CPU


# ----------------------------------------------------------------------------- dates and phases


def test_ussr_dprk_1961_runs_1961_07_06_to_1996_09_10(alliances):
    t = alliances[3440]
    assert [(m.ccode, m.entry, m.exit) for m in t.members] == [
        (365, D(1961, 7, 6), D(1996, 9, 10)),
        (731, D(1961, 7, 6), D(1996, 9, 10)),
    ]
    assert (t.signed, t.ended) == (D(1961, 7, 6), D(1996, 9, 10))


def test_nato_3180_is_open_at_the_end_of_coverage_with_two_phases(alliances):
    t = alliances[3180]
    assert t.signed == D(1949, 4, 4)
    assert t.ended is None
    usa = [m for m in t.members if m.ccode == 2]
    assert [(m.entry, m.exit, m.phase, m.observed_until) for m in usa] == [
        (D(1949, 4, 4), D(1951, 6, 19), 1, None),
        (D(1951, 6, 19), None, 2, ATOP_2018),
    ]
    assert "presumed still in force" in usa[1].note
    defense = [p for p in t.provisions if p.kind == "defense"]
    assert [(p.phase, p.valid_from, p.valid_to) for p in defense] == [
        (1, D(1949, 4, 4), D(1951, 6, 19)),
        (2, D(1951, 6, 19), None),
    ]


def test_helsinki_3740_phases_and_yugoslavia_rejoining(alliances):
    t = alliances[3740]
    phases = atop.phases().filter(pl.col("atopid") == 3740).sort("phase")
    assert phases.select("phase", "start", "end").rows() == [
        (1, D(1975, 8, 1), D(1990, 11, 21)),
        (2, D(1990, 11, 21), None),
    ]
    yug = [(m.entry, m.exit, m.phase) for m in t.members if m.ccode == 345]
    # Phase 2: left in May 1992 (dayexit blank -> last day of the month), back on 2000-11-27.
    assert yug == [
        (D(1975, 8, 1), D(1990, 11, 21), 1),
        (D(1990, 11, 21), D(1992, 5, 31), 2),
        (D(2000, 11, 27), None, 2),
    ]
    left = next(m for m in t.members if m.ccode == 345 and m.exit == D(1992, 5, 31))
    assert "dayexit blank" in left.note
    # 35 signatories in 1975 less the Holy See, which is no COW state.
    assert len(t.member_codes(D(1985, 1, 1))) == 34
    assert 345 not in t.member_codes(D(1995, 1, 1))


def test_blank_entry_day_becomes_the_first_of_the_month_and_is_noted(alliances):
    m = alliances[1115].members[0]
    assert m.entry == D(1844, 6, 1)
    assert "dayent blank" in m.note


def test_czechoslovak_split_phases_run_at_the_same_time_without_tying_czechia_to_slovakia():
    t = atop.treaty(3625)
    phase2 = next(p for p in t.provisions if p.phase == 2 and p.kind == "defense")
    phase3 = next(p for p in t.provisions if p.phase == 3 and p.kind == "defense")
    assert (phase2.obliged, phase2.beneficiaries) == ([316, 365], [316, 365])
    assert (phase3.obliged, phase3.beneficiaries) == ([317, 365], [317, 365])
    assert phase2.valid_from == phase3.valid_from == D(1993, 1, 1)
    ties = atop.ties().filter(
        pl.col("atopid") == 3625, pl.col("kind") == "defense", pl.col("valid_from") == D(1993, 1, 1)
    )
    assert sorted(ties.select("obliged", "beneficiary").rows()) == [
        (316, 365),
        (317, 365),
        (365, 316),
        (365, 317),
    ]


def test_annam_8152_is_kept_with_a_note(alliances):
    annam = next(m for m in alliances[1320].members if m.ccode == 8152)
    assert "Annam" in annam.note
    assert atop.ties().filter(pl.col("obliged") == 220, pl.col("beneficiary") == 8152).height > 0


# ----------------------------------------------------------------------------- conditions


def test_adversary_condition_names_the_threat_states_when_atop_does(alliances):
    defense = next(
        p for p in alliances[2550].provisions if p.kind == "defense"
    )  # Declaration by United Nations
    adversary = next(c for c in defense.conditions if c.kind == "adversary")
    assert adversary.adversaries == [255, 740]
    assert adversary.decidable
    assert "defcoadv" in adversary.text
    assert "statthr1" in adversary.text
    conflict = next(c for c in defense.conditions if c.kind == "conflict_type")
    assert not conflict.decidable
    assert "defcocon" in conflict.text


def test_unnamed_conditions_are_undecidable_and_cite_their_flag(alliances):
    defense = next(p for p in alliances[2420].provisions if p.kind == "defense")
    location = next(c for c in defense.conditions if c.kind == "location")
    assert not location.decidable
    assert "defcoloc" in location.text
    assert not location.adversaries


def test_partner_specific_obligations_are_flagged_undecidable(alliances):
    locarno = next(p for p in alliances[2130].provisions if p.kind == "defense")
    assert any(
        c.kind == "other" and "obvary" in c.text and not c.decidable for c in locarno.conditions
    )
    assert atop.ties().filter(pl.col("atopid") == 2130)["partner_specific"].any()


def test_asymmetric_obligations_are_directed(alliances):
    # Anglo-Japanese alliance, phase 2 (1905): only Britain owes offense and neutrality.
    offense = [p for p in alliances[1415].provisions if p.kind == "offense"]
    assert [(p.phase, p.obliged) for p in offense] == [(1, [200, 740]), (2, [200])]


def test_institutional_provisions_where_coded(alliances):
    kinds = {p.kind for p in alliances[3180].provisions}
    assert {"bases", "no_other_alliance"} <= kinds


# ----------------------------------------------------------------------------- ties vs peacesciencer


SUFFIX = {
    "defense": "defense",
    "offense": "offense",
    "neutrality": "neutral",
    "non_aggression": "nonagg",
    "consultation": "consul",
}


@pytest.fixture(scope="module")
def yearly() -> pl.DataFrame:
    """Directed dyad-year flags from the ties table: (ccode1, ccode2, year, kind, partner_specific)."""
    ties = atop.ties()
    assert ties.schema == pl.Schema(SCHEMA)
    return (
        ties.with_columns(
            pl.int_ranges("year_from", pl.col("year_to").fill_null(2018) + 1).alias("year")
        )
        .explode("year")
        .drop_nulls("year")
        .group_by(
            pl.col("obliged").alias("ccode1"),
            pl.col("beneficiary").alias("ccode2"),
            pl.col("year").cast(pl.Int64),
            "kind",
        )
        .agg(pl.col("partner_specific").all())
        .with_columns(pl.col("kind").replace_strict(SUFFIX))
    )


@pytest.fixture(scope="module")
def peacesciencer() -> pl.DataFrame:
    rda = data.load("atop_alliance").with_columns(pl.col("ccode1", "ccode2", "year").cast(pl.Int64))
    return (
        rda.unpivot(index=["ccode1", "ccode2", "year"], variable_name="kind", value_name="flag")
        .filter(pl.col("flag") == 1)
        .with_columns(pl.col("kind").str.strip_prefix("atop_"))
        .drop("flag")
    )


@pytest.mark.parametrize("year", [1914, 1962, 2000, 2018])
def test_ties_reproduce_peacesciencer_atop_flags_for_every_directed_dyad(
    yearly, peacesciencer, year
):
    ours = yearly.filter(pl.col("year") == year)
    theirs = peacesciencer.filter(pl.col("year") == year)
    keys = ["ccode1", "ccode2", "year", "kind"]
    missing = theirs.join(ours, on=keys, how="anti")
    extra = ours.join(theirs, on=keys, how="anti")
    assert missing.height == 0
    # The only differences: obligations of members ATOP codes obvary=1 (they differ by partner,
    # which the member file cannot say; ATOP's dyadic file can). 1914: Germany -> Austria-Hungary offense (ATOP 1350) and Romania -> Italy defense (1355).
    assert extra.filter(~pl.col("partner_specific")).height == 0
    assert extra.height == {1914: 2}.get(year, 0)


def test_ties_reproduce_peacesciencer_atop_flags_1815_to_2018(yearly, peacesciencer):
    keys = ["ccode1", "ccode2", "year", "kind"]
    assert (
        peacesciencer.join(yearly, on=keys, how="anti").height == 0
    )  # nothing peacesciencer has is missing
    extra = yearly.join(peacesciencer, on=keys, how="anti")
    unexplained = extra.filter(
        ~pl.col("partner_specific"),
        ~pl.col("ccode1").is_in([8152]),
        ~pl.col("ccode2").is_in([8152]),
    )
    assert unexplained.height == 0  # peacesciencer drops Annam (8152), not a COW state
    assert extra.filter(pl.col("partner_specific")).height == 421


def test_phase_change_year_goes_to_the_later_phase(yearly):
    # ATOP 1415 phase 1 (Japan owes Britain offense) ends 1905-08-12; phase 2 (it does not) follows.
    japan_uk = yearly.filter(
        pl.col("ccode1") == 740, pl.col("ccode2") == 200, pl.col("kind") == "offense"
    )
    assert sorted(japan_uk["year"]) == [1902, 1903, 1904]


def test_open_ties_end_null_and_are_observed_to_2018():
    open_ = atop.ties().filter(pl.col("valid_to").is_null())
    assert open_.height > 0
    assert (open_["observed_until"] == ATOP_2018).all()
    assert open_["year_to"].is_null().all()
    assert atop.ties().filter(pl.col("valid_to").is_not_null())["observed_until"].is_null().all()
