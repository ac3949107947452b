"""The combined registry (curated + ATOP 5.1), its ties table, and the queries allies / history /
treaties, through the Python API and the CLI."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import pytest

from foedus.errors import InvalidArgument, InvalidDate, InvalidTreaty, UnknownState, UnknownTreaty
from foedus.treaties import (
    Registry,
    Treaty,
    allies,
    detail,
    history,
    kind_of,
    registry,
    summary,
    ties_frame,
    treaties,
    treaty,
)
from foedus.treaties.curated import load_curated
from foedus.treaties.ties import SCHEMA

D = dt.date


def _by(found, ccode):
    return [a for a in found if a.ccode == ccode]


# ----------------------------------------------------------------------------- registry


def test_registry_holds_curated_and_atop_with_linked_alliances_once():
    reg = registry()
    curated = load_curated()
    assert reg.has_atop
    assert len(reg.curated) == len(curated)
    assert len(reg.treaties) == len(curated) + 789 - len(reg.linked)
    ids = {t.id for t in reg.treaties}
    assert len(ids) == len(reg.treaties)
    assert reg.linked[3440] == "ussr_prk_1961"
    assert "atop:3440" not in ids
    assert reg.linked[3180] == "nato_1949"
    assert "atop:3180" not in ids


def test_linked_atop_id_returns_the_curated_treaty_and_keeps_atops_record():
    reg = registry()
    assert treaty("atop:3440").id == "ussr_prk_1961"
    assert treaty("atop:3440").atop_ids == [3440]
    raw = reg.get("atop:3440", follow_links=False)
    assert raw.origin == "atop"
    assert raw.id == "atop:3440"
    assert reg.atop(3180).origin == "atop"


def test_linked_alliances_are_not_counted_twice_in_the_ties():
    reg = registry()
    assert reg.ties.filter(pl.col("atopid").is_in(list(reg.linked))).height == 0
    assert reg.atop_ties.filter(pl.col("atopid") == 3440).height > 0  # ATOP-only tables keep them
    assert ties_frame("atop").height == reg.atop_ties.height
    assert ties_frame("curated")["origin"].unique().to_list() == ["curated"]


def test_lookup_by_alias_and_unknown_id_suggests_the_closest():
    assert treaty("NATO").id == "nato_1949"
    assert treaty("atop:3740").origin == "atop"
    with pytest.raises(UnknownTreaty, match="did you mean nato_1949"):
        treaty("natoo")
    for odd in ("atop:\u00b2", "\u00b2", "atop:abc"):  # "²".isdigit() is True; int("²") is not
        with pytest.raises(UnknownTreaty):
            treaty(odd)


def test_unknown_treaty_messages_are_one_line_even_for_odd_input():
    for odd in ("nat\no", "atop:12\n34", "  "):
        with pytest.raises(UnknownTreaty) as info:
            treaty(odd)
        assert "\n" not in str(info.value)
    with pytest.raises(UnknownTreaty, match="did you mean nato_1949"):
        treaty("nat\no")


def test_in_force_and_for_state():
    reg = registry()
    assert "nato_1949" in {t.id for t in reg.in_force(D(2024, 1, 1))}
    assert "ussr_prk_1961" not in {t.id for t in reg.in_force(D(2000, 1, 1))}
    assert {"nato_1949"} <= {t.id for t in reg.for_state(375, D(2024, 1, 1))}
    assert "nato_1949" not in {t.id for t in reg.for_state(375, D(2022, 1, 1))}


def test_two_curated_treaties_claiming_one_atop_alliance_is_an_error():
    nato = treaty("nato_1949")
    copy = nato.model_copy(update={"id": "nato_copy"})
    with pytest.raises(InvalidTreaty, match="both claim ATOP alliance 3180"):
        Registry([nato, copy])


def test_registry_without_atop_data_is_the_curated_treaties(monkeypatch, tmp_path):
    monkeypatch.setenv("FOEDUS_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("FOEDUS_CACHE_DIR", str(tmp_path / "cache"))
    reg = registry.__wrapped__()
    assert not reg.has_atop
    assert {t.origin for t in reg.treaties} == {"curated"}
    assert reg.ties.height == reg.curated_ties.height > 0
    with pytest.raises(UnknownTreaty, match="foedus data fetch"):
        reg.get("atop:3740")


# ----------------------------------------------------------------------------- ties frame


def test_ties_frame_schema_and_semantics():
    ties = ties_frame()
    assert ties.schema == pl.Schema(SCHEMA)
    assert ties_frame() is ties  # built once
    assert (ties["obliged"] != ties["beneficiary"]).all()
    ended = ties.filter(pl.col("valid_to").is_not_null())
    assert (ended["valid_from"] < ended["valid_to"]).all()
    assert set(ties["kind"].unique()) <= {
        "defense",
        "offense",
        "neutrality",
        "non_aggression",
        "consultation",
    }


def test_finland_owes_and_is_owed_nato_defense_from_2023_04_04():
    nato = ties_frame().filter(pl.col("treaty_id") == "nato_1949", pl.col("kind") == "defense")
    fin_usa = nato.filter(pl.col("obliged") == 375, pl.col("beneficiary") == 2)
    usa_fin = nato.filter(pl.col("obliged") == 2, pl.col("beneficiary") == 375)
    assert fin_usa["valid_from"].to_list() == usa_fin["valid_from"].to_list() == [D(2023, 4, 4)]
    assert fin_usa["valid_to"].to_list() == [None]
    assert fin_usa["year_from"].to_list() == [2023]


def test_curated_ties_count_years_with_at_least_one_day_in_force():
    t2000 = ties_frame().filter(pl.col("treaty_id") == "rus_prk_2000")
    assert set(t2000.select("year_from", "year_to").rows()) == {(2000, 2024)}


# ----------------------------------------------------------------------------- allies


def test_north_korea_2025_06_01_defense_allies_are_russia_2024_and_china_1961():
    found = allies("PRK", "2025-06-01")
    russia = [a for a in _by(found, 365) if a.treaty_id == "rus_prk_2024"]
    china = [a for a in _by(found, 710) if a.treaty_id == "prc_prk_1961"]
    assert russia
    assert "defense" in russia[0].provisions
    assert russia[0].since == D(2024, 12, 4)
    assert china
    assert "defense" in china[0].provisions
    assert china[0].since.year == 1961
    defense = allies("PRK", "2025-06-01", kind="defense")
    assert {(a.ccode, a.treaty_id) for a in defense} >= {
        (365, "rus_prk_2024"),
        (710, "prc_prk_1961"),
    }


def test_north_korea_2023_06_01_china_is_defense_ally_and_russia_2000_gives_consultation_only():
    defense = allies("PRK", "2023-06-01", kind="defense")
    assert 710 in {a.ccode for a in defense}
    assert 365 not in {a.ccode for a in defense}
    russia_2000 = [a for a in allies("PRK", "2023-06-01") if a.treaty_id == "rus_prk_2000"]
    assert len(russia_2000) == 1
    assert russia_2000[0].provisions == ["consultation"]
    assert russia_2000[0].until == D(2024, 12, 4)


def test_finland_2024_01_01_includes_the_united_states_through_nato_and_2022_01_01_does_not():
    usa_2024 = _by(allies("FIN", "2024-01-01"), 2)
    assert any(a.treaty_id == "nato_1949" and "defense" in a.provisions for a in usa_2024)
    assert next(a for a in usa_2024 if a.treaty_id == "nato_1949").since == D(2023, 4, 4)
    usa_2022 = _by(allies("FIN", "2022-01-01"), 2)
    assert not any(a.treaty_id == "nato_1949" for a in usa_2022)
    assert not any("defense" in a.provisions for a in usa_2022)
    assert usa_2022 == []
    # Only the pure non-aggression tie of ATOP 3740 (CSCE) remains, listed on request.
    usa_2022_all = _by(allies("FIN", "2022-01-01", include_nonaggression=True), 2)
    assert [(a.treaty_id, a.provisions, a.observed_until) for a in usa_2022_all] == [
        ("atop:3740", ["non_aggression"], D(2018, 12, 31))
    ]


def test_pure_non_aggression_pacts_are_listed_only_on_request():
    default = allies("PRK", "2025-06-01")
    assert all(a.provisions != ["non_aggression"] for a in default)
    every = allies("PRK", "2025-06-01", include_nonaggression=True)
    assert any(a.treaty_id == "atop:3755" for a in every)
    assert any(
        a.treaty_id == "atop:3755" for a in allies("PRK", "2025-06-01", kind="non_aggression")
    )


def test_atop_alliance_in_force_in_2018_is_presumed_in_force_later_with_the_caveat():
    cuba = [a for a in allies("PRK", "2025-06-01") if a.treaty_id == "atop:3975"]
    assert cuba
    assert cuba[0].observed_until == D(2018, 12, 31)
    assert cuba[0].until is None


def test_asymmetric_obligations_are_shown_per_direction():
    # Anglo-Japanese alliance 1905-1921 (ATOP 1415 phase 2): Britain owes offense and neutrality too.
    japan = next(a for a in allies(200, "1910-01-01") if a.treaty_id == "atop:1415")
    assert japan.ccode == 740
    assert japan.owes == ["defense", "offense", "neutrality", "consultation"]
    assert japan.owed == ["defense", "consultation"]
    assert not japan.symmetric
    assert japan.since == D(1902, 1, 30)  # unbroken across the 1905 phase change


def test_allies_defaults_to_today_and_sorts_defense_first():
    found = allies("PRK")
    assert found
    assert found[0].provisions[0] == "defense"


def test_bad_input_raises_named_errors():
    with pytest.raises(UnknownState, match="Narnia"):
        allies("Narnia", "2025-06-01")
    with pytest.raises(InvalidDate, match="2025-13-01"):
        allies("PRK", "2025-13-01")
    with pytest.raises(InvalidArgument, match="unknown provision kind"):
        allies("PRK", "2025-06-01", kind="love")
    with pytest.raises(InvalidArgument, match="same state"):
        history("RUS", "USSR")


# ----------------------------------------------------------------------------- history and treaties


def test_usa_australia_anzus_tie_runs_unbroken_from_1952_across_the_1986_split():
    # The ties covering 2025 start on 1986-08-11 (the US suspends its obligations to New
    # Zealand), but they touch the 1952 ones: one unbroken tie.
    anzus = [a for a in allies("USA", "2025-06-01") if a.treaty_id == "anzus_1951"]
    assert [(a.name, a.since, a.until) for a in anzus] == [("Australia", D(1952, 4, 29), None)]


def test_uzbekistan_russia_csto_tie_in_2010_runs_from_the_2006_return_to_the_2012_exit():
    csto = [a for a in allies("UZB", "2010-01-01", kind="defense") if a.treaty_id == "csto_1992"]
    russia = _by(csto, 365)
    assert [(a.since, a.until) for a in russia] == [(D(2006, 8, 17), D(2012, 6, 28))]
    assert not [a for a in allies("UZB", "2003-01-01") if a.treaty_id == "csto_1992"]


def test_history_uzbekistan_russia_csto_has_two_spells_around_the_1999_exit():
    tl = history("UZB", "RUS")
    csto = next(e for e in tl.entries if e.treaty_id == "csto_1992")
    assert [(s.start, s.end) for s in csto.spells] == [
        (D(1994, 4, 20), D(1999, 4, 20)),
        (D(2006, 8, 17), D(2012, 6, 28)),
    ]
    assert (csto.start, csto.end) == (D(1994, 4, 20), D(2012, 6, 28))


def test_history_russia_north_korea_1961_treaty_to_1996_then_2000_and_2024():
    tl = history("RUS", "PRK")
    by_id = {e.treaty_id: e for e in tl.entries}
    assert by_id["ussr_prk_1961"].start.year == 1961
    assert by_id["ussr_prk_1961"].end == D(1996, 9, 10)
    assert "defense" in by_id["ussr_prk_1961"].kinds
    assert by_id["rus_prk_2000"].kinds == ["consultation"]
    assert by_id["rus_prk_2024"].end is None
    assert "defense" in by_id["rus_prk_2024"].kinds
    assert [(g.start, g.end) for g in tl.gaps] == [(D(1996, 9, 10), D(2000, 2, 9))]
    assert tl.first.year == 1961


def test_history_splits_a_treaty_into_spells_when_obligations_change():
    tl = history("UKG", "JPN")
    spells = next(e for e in tl.entries if e.treaty_id == "atop:1415").spells
    everything = ["defense", "offense", "neutrality", "consultation"]
    assert [(s.start, s.end, s.a_to_b, s.b_to_a) for s in spells] == [
        (D(1902, 1, 30), D(1905, 8, 12), everything, everything),
        (D(1905, 8, 12), D(1921, 12, 13), everything, ["defense", "consultation"]),
    ]


def test_treaties_filters_by_state_date_and_kind():
    fin_2024 = {t.id for t in treaties(state="FIN", date="2024-01-01", kind="defense")}
    assert "nato_1949" in fin_2024
    assert "nato_1949" not in {
        t.id for t in treaties(state="FIN", date="2022-01-01", kind="defense")
    }
    assert all(t.origin == "curated" or t.id.startswith("atop:") for t in treaties())
    assert kind_of("nonagg") == kind_of("non-aggression") == "non_aggression"


def test_kind_of_takes_hyphens_and_spaces_for_every_kind():
    assert kind_of("military-aid") == kind_of("Military aid") == "military_aid"
    assert kind_of("no-other-alliance") == "no_other_alliance"
    assert kind_of(" Non Aggression ") == "non_aggression"
    assert kind_of("defence") == "defense"
    with pytest.raises(InvalidArgument, match="unknown provision kind 'lo ve'"):
        kind_of("lo\nve")


def test_summary_of_rus_prk_2024_gives_members_kinds_strongest_first_and_iso_dates():
    row = summary(treaty("rus_prk_2024"))
    assert row["members"] == [365, 731]
    assert row["kinds"] == ["defense", "consultation"]
    assert (row["signed"], row["ended"], row["origin"]) == ("2024-06-19", None, "curated")
    assert json.loads(json.dumps(row)) == row  # JSON types only


def test_detail_is_the_whole_treaty_and_reads_back_as_the_same_treaty():
    nato = treaty("nato_1949")
    found = detail(nato)
    assert found["id"] == "nato_1949"
    assert {p["article"] for p in found["provisions"]} >= {"5"}
    assert Treaty.model_validate(json.loads(json.dumps(found))) == nato


# ----------------------------------------------------------------------------- CLI


def run(capsys, *args: str) -> tuple[int, str, str]:
    from foedus.cli import main

    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_allies_json_has_the_contract_fields(capsys):
    code, out, _ = run(capsys, "allies", "PRK", "--date", "2025-06-01", "--json")
    assert code == 0
    found = json.loads(out)
    assert all(isinstance(a["ccode"], int) and a["name"] and a["treaty_id"] for a in found)
    assert all(
        isinstance(a["provisions"], list) and dt.date.fromisoformat(a["since"]) for a in found
    )
    pairs = {(a["ccode"], a["treaty_id"]) for a in found if "defense" in a["provisions"]}
    assert {(365, "rus_prk_2024"), (710, "prc_prk_1961")} <= pairs


def test_cli_allies_table_and_2023_consultation_only(capsys):
    code, out, _ = run(capsys, "allies", "PRK", "--date", "2023-06-01")
    assert code == 0
    assert "China" in out
    assert "rus_prk_2000" in out
    code, out, _ = run(
        capsys, "allies", "PRK", "--date", "2023-06-01", "--kind", "defense", "--json"
    )
    assert 365 not in {a["ccode"] for a in json.loads(out)}


def test_cli_finland_nato_2024_not_2022(capsys):
    _, out, _ = run(capsys, "allies", "FIN", "--date", "2024-01-01", "--json")
    assert any(a["ccode"] == 2 and a["treaty_id"] == "nato_1949" for a in json.loads(out))
    _, out, _ = run(capsys, "allies", "FIN", "--date", "2022-01-01", "--json")
    assert not any(a["ccode"] == 2 and a["treaty_id"] == "nato_1949" for a in json.loads(out))


def test_cli_history_russia_north_korea(capsys):
    code, out, _ = run(capsys, "history", "RUS", "PRK")
    assert code == 0
    for text in ("ussr_prk_1961", "1996-09-10", "rus_prk_2000", "rus_prk_2024", "Gaps"):
        assert text in out
    assert len(out.splitlines()) < 40  # one screen
    code, out, _ = run(capsys, "history", "RUS", "PRK", "--json")
    assert [e["treaty_id"] for e in json.loads(out)["entries"]][:2] == [
        "ussr_prk_1961",
        "rus_prk_2000",
    ]


def test_cli_treaty_and_treaties(capsys):
    code, out, _ = run(capsys, "treaty", "atop:3625")
    assert code == 0
    assert "phase 3" in out
    assert "Slovakia" in out
    assert "Sources" in out
    code, out, _ = run(capsys, "treaty", "nato_1949", "--json")
    assert code == 0
    assert json.loads(out)["id"] == "nato_1949"
    code, out, _ = run(
        capsys, "treaties", "--state", "FIN", "--date", "2024-01-01", "--kind", "defense", "--json"
    )
    assert code == 0
    assert "nato_1949" in {t["id"] for t in json.loads(out)}


def test_cli_treaties_and_treaty_json_are_summary_and_detail(capsys):
    code, out, _ = run(capsys, "treaties", "--state", "PRK", "--json")
    assert code == 0
    assert json.loads(out) == [summary(t) for t in treaties(state="PRK")]
    code, out, _ = run(capsys, "treaty", "rus_prk_2024", "--json")
    assert json.loads(out) == detail(treaty("rus_prk_2024"))


def test_annam_8152_is_reachable_as_text_from_the_api_and_the_cli(capsys):
    # ATOP's own code for Annam (alliance 1320 with France, 1874-1883) is what a user types.
    assert allies("8152", "1880-01-01") == allies(8152, "1880-01-01")
    assert [e.treaty_id for e in history("8152", "FRN").entries] == ["atop:1320"]
    code, out, err = run(capsys, "allies", "8152", "--date", "1880-01-01")
    assert code == 0, err
    assert "Annam (8152)" in out
    assert "France" in out


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("allies", "Narnia", "--date", "2025-06-01"), "Narnia"),
        (("allies", "PRK", "--date", "2025-13-01"), "2025-13-01"),
        (("history", "PRK", "Narnia"), "Narnia"),
        (("treaty", "natoo"), "natoo"),
        (("treaties", "--kind", "love"), "love"),
    ],
)
def test_cli_bad_input_is_one_line_and_exit_2(capsys, args, needle):
    code, out, err = run(capsys, *args)
    assert code == 2
    assert out == ""
    assert err.startswith("error:")
    assert needle in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err
