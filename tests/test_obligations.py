"""The casus-foederis engine on the real registry (curated treaties + ATOP 5.1)."""

from __future__ import annotations

import datetime as dt
import json
import random

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from foedus import states
from foedus.cli import main
from foedus.errors import InvalidScenario, UnknownPlace, UnknownState
from foedus.obligations import (
    Scenario,
    compile_registry,
    respond,
    respond_all,
    respond_dyad_years,
    with_treaties,
)
from foedus.treaties import registry
from foedus.treaties.model import Condition, Membership, Provision, Treaty


def _respond(attackers, target, date, **kw):
    return respond(Scenario.build(attackers, target, date, **kw))


def _cli(capsys, *args: str) -> tuple[int, str, str]:
    try:
        main(list(args))
        code = 0
    except SystemExit as exit_:
        code = exit_.code or 0
    out = capsys.readouterr()
    return code, out.out, out.err


def _tie(response, treaty_id: str, article: str):
    return next(t for t in response.trace if t.treaty_id == treaty_id and t.article == article)


# ------------------------------------------------------------------------------ Done-when facts


def test_cli_json_us_attack_on_north_korea_2025_obligates_russia_art_4_and_china_art_ii(capsys):
    code, out, _ = _cli(
        capsys, "respond", "--attacker", "USA", "--target", "PRK", "--date", "2025-01-01", "--json"
    )
    assert code == 0
    data = json.loads(out)
    by_code = {r["ccode"]: r for r in data["responses"]}
    assert (by_code[365]["verdict"], by_code[365]["treaty_id"], by_code[365]["article"]) == (
        "obligated",
        "rus_prk_2024",
        "4",
    )
    assert (by_code[710]["verdict"], by_code[710]["treaty_id"], by_code[710]["article"]) == (
        "obligated",
        "prc_prk_1961",
        "II",
    )
    assert all(
        isinstance(r["ccode"], int) and r["name"] and isinstance(r["trace"], list)
        for r in data["responses"]
    )
    assert data["scenario"]["target"]["ccode"] == 731


def test_us_attack_on_north_korea_2023_obligates_china_and_russia_at_most_consults():
    r = _respond(["USA"], "PRK", "2023-01-01")
    assert r.get("China").verdict == "obligated"
    russia = r.get("Russia")
    assert russia.verdict in ("consult", "not_obligated")
    assert russia.treaty_id == "rus_prk_2000"


# ------------------------------------------------------------------------------ treaty rules


def test_us_japan_article_v_does_not_cover_an_attack_on_guam():
    r = _respond(["CHN"], "USA", "2025-01-01", place="Guam")
    japan = r.get("Japan")
    assert japan.verdict != "obligated"
    art5 = _tie(japan, "usa_jpn_1960", "V")
    assert art5.verdict == "not_obligated"
    assert any(c.kind == "location" and c.status == "not_met" for c in art5.checks)


def test_us_japan_article_v_covers_the_japanese_administered_senkaku_islands():
    r = _respond(["CHN"], "JPN", "2025-01-01", place="Senkaku Islands")
    us = r.get("USA")
    assert (us.verdict, us.treaty_id, us.article) == ("obligated", "usa_jpn_1960", "V")


def test_us_japan_article_v_covers_an_attack_on_us_forces_in_okinawa():
    r = _respond(["CHN"], "USA", "2025-01-01", place="Okinawa")
    assert (r.get("Japan").verdict, r.get("Japan").article) == ("obligated", "V")


@pytest.mark.parametrize("place", ["Hawaii", "Guam", "Falkland Islands"])
def test_nato_article_5_does_not_cover_places_outside_the_article_6_area(place):
    target = "UKG" if place == "Falkland Islands" else "USA"
    r = _respond(["CHN" if target == "USA" else "ARG"], target, "2025-01-01", place=place)
    for state in ("Canada", "Norway", "Turkey"):
        art5 = _tie(r.get(state), "nato_1949", "5")
        assert art5.verdict == "not_obligated"
        assert any(c.kind == "location" and c.status == "not_met" for c in art5.checks)


def test_nato_article_5_obligates_allies_when_estonia_is_attacked():
    r = _respond(["RUS"], "EST", "2025-01-01")
    for state in ("USA", "Germany", "Finland", "Sweden"):
        assert (r.get(state).verdict, r.get(state).treaty_id, r.get(state).article) == (
            "obligated",
            "nato_1949",
            "5",
        )


def test_finland_is_not_bound_by_nato_article_5_before_2023_04_04():
    before = _respond(["RUS"], "EST", "2023-04-03").get("Finland")
    after = _respond(["RUS"], "EST", "2023-04-04").get("Finland")
    assert before is None or before.treaty_id != "nato_1949"
    assert (after.verdict, after.treaty_id) == ("obligated", "nato_1949")


def test_us_rok_article_iii_is_met_with_constitutional_processes_recorded_not_blocking():
    r = _respond(["PRK"], "ROK", "2025-01-01")
    us = r.get("USA")
    assert (us.verdict, us.treaty_id, us.article) == ("obligated", "usa_rok_1953", "III")
    statuses = {c.kind: c.status for c in us.cited.checks}
    assert statuses["procedure"] == "recorded"


def test_rok_duty_to_the_us_under_article_iii_is_unknown_for_the_continental_united_states():
    r = _respond(["PRK"], "USA", "2025-01-01")
    rok = _tie(r.get("ROK"), "usa_rok_1953", "III")
    assert rok.verdict == "unknown"
    assert any("Pacific area" in c.reason and c.status == "undecidable" for c in rok.checks)


def test_russia_dprk_2024_threat_gives_consultation_under_article_3_not_assistance():
    russia = _respond(["USA"], "PRK", "2025-01-01", kind="threat").get("Russia")
    assert (russia.verdict, russia.treaty_id, russia.article) == ("consult", "rus_prk_2024", "3")
    assert _tie(russia, "rus_prk_2024", "4").verdict == "not_obligated"


def test_an_armed_attack_without_a_state_of_war_leaves_article_4_undecidable():
    russia = _respond(["USA"], "PRK", "2025-01-01", kind="armed-attack").get("Russia")
    assert (russia.verdict, russia.at_least, russia.at_most) == ("unknown", "consult", "obligated")


def test_an_attack_by_a_nato_member_on_another_leaves_article_5_undecidable():
    us = _respond(["TUR"], "GRC", "2025-01-01").get("USA")
    art5 = _tie(us, "nato_1949", "5")
    assert art5.verdict == "unknown"
    assert any(c.kind == "intra_alliance" and c.status == "undecidable" for c in art5.checks)


def test_an_attack_on_annexed_crimea_leaves_russia_dprk_article_4_undecidable_but_kursk_triggers_it():
    crimea = _respond(["UKR"], "RUS", "2025-01-01", place="Crimea").get("PRK")
    kursk = _respond(["UKR"], "RUS", "2025-01-01", place="Kursk").get("PRK")
    assert crimea.verdict == "unknown"
    assert (kursk.verdict, kursk.article) == ("obligated", "4")


def test_atop_named_adversary_decides_the_dual_alliance_pledge():
    # ATOP 1335 (Germany–Austria-Hungary, 1879): defence against Russia (statthr), neutrality otherwise.
    against_russia = _respond(["RUS"], "AUH", "1900-06-01").get("Germany")
    against_italy = _respond(["ITA"], "AUH", "1900-06-01").get("Germany")
    assert (against_russia.verdict, against_russia.treaty_id) == ("obligated", "atop:1335")
    assert against_italy.verdict != "obligated"
    defence = next(
        t
        for t in against_italy.trace
        if t.treaty_id == "atop:1335" and t.provision_kind == "defense"
    )
    assert any(c.kind == "adversary" and c.status == "not_met" for c in defence.checks)


def test_atop_condition_flagged_but_not_spelled_out_gives_unknown_with_the_reason():
    # ATOP 1385 (Franco-Russian alliance): defcoadv=1 with no named threat in the data.
    russia = _respond(["GMY"], "FRN", "1914-08-03").get("Russia")
    assert russia.verdict == "unknown"
    assert any(
        c.status == "undecidable" and "not named in the data" in c.reason
        for c in russia.cited.checks
    )


def test_a_neutrality_pledge_binds_the_ally_to_stay_out():
    # ATOP 2470 (German–Soviet pact, 1939): neutrality and non-aggression.
    ussr = _respond(["UKG"], "GMY", "1939-09-03").get("Russia")
    assert (ussr.verdict, ussr.obligation, ussr.treaty_id) == (
        "not_obligated",
        "stay_neutral",
        "atop:2470",
    )


def test_a_non_aggression_pact_gives_not_obligated():
    ussr = _respond(["SWD"], "FIN", "1940-06-01").get("Russia")
    assert (ussr.verdict, ussr.obligation) == ("not_obligated", "no_aggression")


def test_a_state_with_a_defence_pledge_and_an_undecidable_one_is_unknown_only_if_the_undecidable_is_stronger():
    r = _respond(["CHN"], "USA", "2025-01-01", place="Guam")
    canada = r.get(
        "Canada"
    )  # NATO Art. 4 consultation applies; Art. 5 not met: nothing stronger is open
    assert canada.verdict == "consult"
    assert [t.article for t in canada.trace][:1] == ["4"]


def test_attackers_are_never_responders_and_their_own_pledges_to_the_target_are_reported():
    r = _respond(["USA"], "PRK", "2025-01-01")
    assert r.get("USA") is None
    assert any(p.ccode == 2 for p in r.attacker_pledges)


def test_a_scenario_place_named_as_a_state_is_the_state_on_the_scenario_date():
    s = Scenario.build(["USA"], "Yemen", "1980-01-01", place="Yemen")
    assert s.place_info.administered_by == s.target == 678
    assert s.to_dict()["place"]["key"] == "state:678"


def test_annam_is_named_as_a_responder_not_by_its_atop_code_8152():
    r = _respond(["GMY"], "FRN", "1880-01-01")
    annam = r.get(8152)
    assert (annam.name, annam.verdict, annam.treaty_id) == ("Annam", "consult", "atop:1320")
    assert r.get("8152") == annam  # as `foedus respond --explain 8152` asks


# ------------------------------------------------------------------------------ cascade


def test_cascade_lets_obligated_states_join_and_stops_when_no_one_else_is_obligated():
    r = respond(Scenario.build(["USA"], "PRK", "2025-01-01"), cascade=True)
    assert r.rounds is not None
    assert r.rule
    first = r.rounds[0]
    assert {365, 710} <= set(first.joined)
    second = r.rounds[1]
    assert {t["target"]["ccode"] for t in second.triggers} == set(first.joined)
    # Russia's allies are asked about fighting in North Korea: forces abroad, not Russian territory.
    belarus = next(x for x in second.responses if x.ccode == 370 and x.target == 365)
    assert belarus.verdict == "unknown"
    assert 370 not in second.joined
    assert r.rounds[-1].joined == ()


def test_cascade_round_two_uses_nato_article_6_forces_clause_for_allies_fighting_in_europe():
    r = respond(Scenario.build(["RUS"], "EST", "2025-01-01"), cascade=True)
    assert 2 in r.rounds[0].joined
    japan_for_us = next(x for x in r.rounds[1].responses if x.ccode == 740 and x.target == 2)
    assert _tie(japan_for_us, "usa_jpn_1960", "V").verdict == "not_obligated"
    assert "rounds" in r.to_dict()
    assert r.to_dict()["rounds"][0]["round"] == 1


def test_cascade_trigger_cites_the_treaty_a_joiner_was_obligated_under():
    # Mozambique attacks Canada: the Americas join in round 2 under Rio Art. 3(1), though some are
    # also asked (and not obligated) under other ATOP alliances in that round.
    r = respond(Scenario((541,), 20, "2025-01-01"), cascade=True)
    for before, rnd in zip(r.rounds, r.rounds[1:], strict=False):
        for trigger in rnd.triggers:
            code = trigger["target"]["ccode"]
            obliging = {
                f"under {x.treaty_id} Art. {x.article} "
                for x in before.responses
                if x.ccode == code and x.verdict == "obligated"
            }
            assert any(cite in trigger["because"] for cite in obliging), trigger["because"]


# ------------------------------------------------------------------------------ batch path


def test_respond_all_matches_respond_on_random_pairs_on_three_dates():
    rng = random.Random(20251)
    checked = 0
    for day in ("1914-08-01", "1962-10-20", "2025-01-01"):
        frame = respond_all(day)
        universe = states.members_on(dt.date.fromisoformat(day))
        tied = frame.select("attacker", "target").unique().sort("attacker", "target").rows()
        pairs = rng.sample(tied, 40) + [tuple(rng.sample(universe, 2)) for _ in range(27)]
        for a, b in pairs:
            single = respond(Scenario(attackers=(a,), target=b, date=day))
            expected = {
                x.ccode: (x.verdict, x.obligation, x.treaty_id, x.article) for x in single.responses
            }
            got = {
                row[0]: tuple(row[1:])
                for row in frame.filter(attacker=a, target=b)
                .select("responder", "verdict", "obligation", "treaty_id", "article")
                .cast(pl.Utf8)
                .with_columns(pl.col("responder").cast(pl.Int64))
                .rows()
            }
            assert got == expected, (day, a, b)
            checked += 1
    assert checked == 201


def test_theatre_obligated_matches_respond_in_the_theatre_on_random_triples_on_two_dates():
    from foedus.obligations.batch import theatre_obligated

    rng = random.Random(7)
    checked = fired = 0
    for day in ("1990-01-01", "2025-01-01"):
        first = respond_all(day).filter(pl.col("verdict") == "obligated")
        joined = first.select("attacker", "target", "responder").rows()
        # (attacker, theatre = original target, target = a state that joined in round 1) ...
        triples = [(a, t, j) for a, t, j in rng.sample(joined, 60)]
        # ... and attackers that are parties to NATO (intra-alliance) or outside every treaty.
        triples += [(255, 366, 2), (640, 350, 2), (2, 366, 200), (365, 366, 255)]
        table = theatre_obligated(triples, day)
        for a, t, j in triples:
            single = respond(
                Scenario(attackers=(a,), target=j, date=day, place=f"state:{t}", check_system=False)
            )
            expected = sorted(x.ccode for x in single.responses if x.verdict == "obligated")
            got = table.filter(attacker=a, theatre=t, target=j)["responder"].to_list()
            assert got == expected, (day, a, t, j)
            checked += 1
            fired += bool(got)
    assert checked == 128
    assert fired >= 10  # the sample reaches clauses that hold in the theatre (NATO Art. 5/6, ...)


def test_respond_all_has_one_row_per_attacker_target_responder_and_no_self_rows():
    frame = respond_all("1990-06-01")
    assert frame.height == frame.select("attacker", "target", "responder").unique().height
    assert (
        frame.filter(
            (pl.col("attacker") == pl.col("target")) | (pl.col("responder") == pl.col("attacker"))
        ).height
        == 0
    )


def test_respond_dyad_years_equals_respond_all_on_31_december():
    years = respond_dyad_years([1950, 1951], verdicts=None)
    one = respond_all("1951-12-31")
    assert years.filter(year=1951).drop("year", "date").equals(one)
    assert set(years["year"].unique()) == {1950, 1951}


# ------------------------------------------------------------------------------ properties

_DATES = [
    dt.date(1900, 6, 1),
    dt.date(1939, 9, 1),
    dt.date(1962, 10, 20),
    dt.date(2000, 1, 1),
    dt.date(2025, 1, 1),
]


@st.composite
def _scenarios(draw):
    day = draw(st.sampled_from(_DATES))
    universe = states.members_on(day)
    target = draw(st.sampled_from(universe))
    attackers = draw(
        st.lists(
            st.sampled_from([c for c in universe if c != target]),
            min_size=1,
            max_size=2,
            unique=True,
        )
    )
    kind = draw(st.sampled_from(["threat", "armed_attack", "state_of_war"]))
    provoked = draw(st.sampled_from([None, True, False]))
    return Scenario(
        attackers=tuple(attackers), target=target, date=day, kind=kind, provoked=provoked
    )


@st.composite
def _unrelated_treaties(draw, target: int, day: dt.date):
    pool = [c for c in states.members_on(day) if c != target]
    members = draw(st.lists(st.sampled_from(pool), min_size=2, max_size=5, unique=True))
    kinds = draw(
        st.lists(
            st.sampled_from(["defense", "consultation", "neutrality", "non_aggression"]),
            min_size=1,
            max_size=3,
        )
    )
    conditions = draw(st.sampled_from([[], [Condition(kind="location", regions=["pacific_area"], text="Pacific")],
                                       [Condition(kind="adversary", adversaries=[members[0]], text="named")]]))  # fmt: skip
    return Treaty(
        id="test_unrelated",
        name="An unrelated test treaty",
        members=[Membership(ccode=c, entry=dt.date(1816, 1, 1)) for c in members],
        provisions=[
            Provision(kind=k, article=str(i + 1), text="test", conditions=conditions)
            for i, k in enumerate(kinds)
        ],
    )


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_property_adding_an_unrelated_treaty_never_changes_a_verdict(data):
    scenario = data.draw(_scenarios())
    extra = data.draw(_unrelated_treaties(scenario.target, scenario.date))
    base = registry()
    variant = with_treaties(base, [extra])
    before = respond(scenario, registry=base).verdicts()
    after = respond(scenario, registry=variant).verdicts()
    assert before == after


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario=_scenarios())
def test_property_a_state_outside_every_treaty_in_force_is_never_obligated(scenario):
    ties = compile_registry().ties
    day = scenario.date
    bound = set(
        ties.filter(
            (pl.col("beneficiary") == scenario.target)
            & (pl.col("valid_from") <= day)
            & (pl.col("valid_to").is_null() | (pl.col("valid_to") > day))
        )["obliged"].to_list()
    )
    for r in respond(scenario).responses:
        assert r.ccode in bound
    obligated = {r.ccode for r in respond(scenario).responses if r.verdict == "obligated"}
    assert obligated <= bound


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario=_scenarios())
def test_property_every_obligated_verdict_cites_a_treaty_article(scenario):
    reg = registry()
    for r in respond(scenario).responses:
        if r.verdict != "obligated":
            continue
        assert r.treaty_id
        assert r.article
        assert r.cited.treaty_id == r.treaty_id
        assert r.cited.article == r.article
        assert r.cited.verdict == "obligated"
        treaty = reg.get(r.treaty_id)
        assert r.article in {p.article for p in treaty.provisions}
        if treaty.origin == "curated":
            assert r.article not in ("not recorded", "not located", "unpublished")


# ------------------------------------------------------------------------------ errors


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (
            ["--attacker", "Narnia", "--target", "PRK", "--date", "2025-01-01"],
            "unknown state 'Narnia'",
        ),
        (["--attacker", "PRK", "--target", "North Korea", "--date", "2025-01-01"], "same state"),
        (
            ["--attacker", "USA", "--target", "PRK", "--date", "1815-12-31"],
            "outside foedus's coverage",
        ),
        (
            ["--attacker", "USA", "--target", "PRK", "--date", "2999-01-01"],
            "outside foedus's coverage",
        ),
        (
            ["--attacker", "USA", "--target", "PRK", "--date", "2025-01-01", "--place", "Atlantis"],
            "unknown place",
        ),
    ],
)
def test_cli_bad_input_gives_one_line_error_and_exit_code_2(capsys, args, needle):
    code, out, err = _cli(capsys, "respond", *args)
    assert code == 2
    assert needle in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err + out


def test_scenario_errors_are_foedus_errors():
    with pytest.raises(UnknownState):
        Scenario.build(["Narnia"], "PRK", "2025-01-01")
    with pytest.raises(InvalidScenario):
        Scenario.build(["PRK"], "PRK", "2025-01-01")
    with pytest.raises(UnknownPlace):
        Scenario.build(["USA"], "PRK", "2025-01-01", place="Atlantis")


def test_cli_human_output_groups_verdicts_and_explain_prints_every_condition(capsys):
    code, out, _ = _cli(
        capsys, "respond", "--attacker", "USA", "--target", "PRK", "--date", "2025-01-01"
    )
    assert code == 0
    assert out.index("obligated") < out.index("not_obligated")
    assert "rus_prk_2024" in out
    assert "prc_prk_1961" in out
    code, out, _ = _cli(
        capsys,
        "respond",
        "--attacker",
        "USA",
        "--target",
        "PRK",
        "--date",
        "2025-01-01",
        "--explain",
        "Russia",
    )
    assert code == 0
    assert "state of war" in out
    assert "recorded" in out
    assert "art. 3" in out


def test_json_is_the_same_dict_the_python_api_returns(capsys):
    scenario = Scenario.build(["CHN"], "JPN", "2025-01-01", place="Senkaku Islands")
    code, out, _ = _cli(capsys, "respond", "--attacker", "CHN", "--target", "JPN", "--date", "2025-01-01",
                        "--place", "Senkaku Islands", "--json")  # fmt: skip
    assert code == 0
    assert json.loads(out) == json.loads(json.dumps(respond(scenario).to_dict(), default=str))


def test_json_explain_is_the_response_json_narrowed_to_one_state(capsys):
    scenario = Scenario.build(["USA"], "PRK", "2025-01-01")
    code, out, _ = _cli(capsys, "respond", "--attacker", "USA", "--target", "PRK", "--date", "2025-01-01",
                        "--explain", "Russia", "--json")  # fmt: skip
    assert code == 0
    response = respond(scenario)
    expected = response.to_dict() | {"responses": [response.get("Russia").to_dict()]}
    assert json.loads(out) == json.loads(json.dumps(expected))


# ------------------------------------------------------------------------------ history check


def test_validate_wars_counts_britain_honouring_its_1939_pledge_to_poland():
    from foedus.validation import validate_wars

    result = validate_wars(until=1944)
    ww2 = result.opportunities.filter(
        (pl.col("war_name") == "World War II") & (pl.col("responder") == 200)
    )
    assert ww2.select("verdict", "treaty_id", "outcome").row(0) == (
        "obligated",
        "atop:2440",
        "honored",
    )
    share = result.summary["1816_1944"]
    assert (
        share["opportunities"] == share["honored"] + share["fought_against"] + share["stayed_out"]
    )
    assert 0 <= share["share_honored"] <= 1


def test_validate_wars_cli_prints_the_share_and_json(capsys):
    code, out, _ = _cli(capsys, "validate", "wars", "--until", "1944", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["summary"]["published"]["share"] == 0.745
    assert data["opportunities"]
