"""Curated corrections to ATOP 5.1's presumption that an alliance in force on 2018-12-31 is still in force.

ATOP observes alliances only to 2018-12-31. Three curated treaties link an ATOP alliance whose status
changed afterwards, so that the registry no longer presumes the old status:

* ``eu_1992`` (ATOP 4175, the EU's consultation and Art. 42(7) TEU defence coding): the United Kingdom
  left the EU when the Withdrawal Agreement entered into force (31 Jan 2020 at midnight CET; exit is
  exclusive in foedus, so 2020-02-01);
* ``rus_ukr_1997`` (ATOP 4875): the Russia–Ukraine Friendship Treaty expired on 2019-04-01;
* ``rus_irn_2001`` (ATOP 4968): replaced by the 2025 Russia–Iran treaty, in force 2025-10-02.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from foedus.obligations import Scenario, respond
from foedus.treaties import allies, registry
from foedus.treaties.model import Treaty

UKG, FRN, RUS, UKR, IRN = 200, 220, 365, 369, 630
#: EU members with no NATO tie to France: their duty to France can come only from the EU treaty.
EU_NOT_NATO = (205, 305, 338, 352)  # Ireland, Austria, Malta, Cyprus
DAY = dt.date(2025, 1, 1)


def _eu() -> Treaty:
    return registry().get("eu_1992")


def _eu_ties(response) -> dict[int, list]:
    return {
        r.ccode: [t for t in r.trace if t.treaty_id == "eu_1992"]
        for r in response.responses
        if any(t.treaty_id == "eu_1992" for t in r.trace)
    }


# ----------------------------------------------------------------------------- registry links


@pytest.mark.parametrize(
    ("atop_id", "curated_id"),
    [("atop:4175", "eu_1992"), ("atop:4875", "rus_ukr_1997"), ("atop:4968", "rus_irn_2001")],
)
def test_atop_alliance_with_a_post_2018_change_resolves_to_its_curated_treaty(atop_id, curated_id):
    reg = registry()
    found = reg.get(atop_id)
    assert found.id == curated_id
    assert found.origin == "curated"
    assert reg.get(atop_id, follow_links=False).origin == "atop"
    # The linked ATOP alliance is hidden: no ties under its ATOP id in the registry's ties.
    assert reg.ties.filter(pl.col("treaty_id") == atop_id).height == 0


def test_eu_members_are_exactly_atop_4175_member_spells_except_the_uk_exit():
    atop = registry().atop(4175)
    spells = {(m.ccode, m.entry, m.phase): m.exit for m in _eu().members}
    atop_spells = {(m.ccode, m.entry, m.phase): m.exit for m in atop.members}
    assert spells.keys() == atop_spells.keys()
    assert len(spells) == 43
    changed = {key for key in spells if spells[key] != atop_spells[key]}
    assert changed == {(UKG, dt.date(2007, 11, 13), 2)}
    assert spells[(UKG, dt.date(2007, 11, 13), 2)] == dt.date(2020, 2, 1)
    assert atop_spells[(UKG, dt.date(2007, 11, 13), 2)] is None  # ATOP: still in force in 2018


def test_uk_is_an_eu_member_on_31_january_2020_and_not_on_1_february_2020():
    eu = _eu()
    assert UKG in eu.member_codes(dt.date(2020, 1, 31))
    assert UKG not in eu.member_codes(dt.date(2020, 2, 1))
    assert len(eu.member_codes(dt.date(2020, 2, 1))) == 27


@pytest.mark.parametrize("day", ["1996-01-01", "2008-06-01", "2015-01-01", "2018-12-31"])
def test_eu_ties_equal_atop_4175_ties_while_atop_observes(day):
    d = dt.date.fromisoformat(day)
    on = (pl.col("valid_from") <= d) & (pl.col("valid_to").is_null() | (pl.col("valid_to") > d))
    cols = ["obliged", "beneficiary", "kind"]
    mine = registry().ties.filter((pl.col("treaty_id") == "eu_1992") & on).select(cols)
    theirs = registry().atop_ties.filter((pl.col("atopid") == 4175) & on).select(cols)
    assert mine.height > 0
    assert sorted(mine.iter_rows()) == sorted(theirs.iter_rows())


def test_eu_codes_consultation_only_before_the_lisbon_signature_as_atop_does():
    before = _eu().provisions_on(dt.date(2000, 1, 1))
    assert {p.kind for p in before} == {"consultation"}
    from_signature = {p.kind: p.article for p in _eu().provisions_on(dt.date(2008, 6, 1))}
    assert from_signature["defense"].startswith("42(7) (Lisbon Treaty signed")
    assert {p.article for p in _eu().provisions_on(DAY) if p.kind == "defense"} == {"42(7)"}


# ----------------------------------------------------------------------------- allies


def test_uk_is_not_allied_with_france_through_the_eu_in_2025_but_is_through_nato():
    ties = {a.treaty_id for a in allies("GBR", "2025-01-01") if a.ccode == FRN}
    assert "eu_1992" not in ties
    assert "atop:4175" not in ties
    assert "nato_1949" in ties


def test_uk_is_allied_with_france_through_the_eu_in_2019():
    eu = [a for a in allies("GBR", "2019-06-01") if a.ccode == FRN and a.treaty_id == "eu_1992"]
    assert len(eu) == 1
    assert set(eu[0].owes) == set(eu[0].owed) == {"defense", "consultation"}
    assert eu[0].until == dt.date(2020, 2, 1)


def test_russia_ukraine_friendship_treaty_ends_on_1_april_2019():
    def tied(day: str) -> bool:
        return any(
            a.ccode == RUS and a.treaty_id == "rus_ukr_1997"
            for a in allies("UKR", day, include_nonaggression=True)
        )

    assert tied("2019-03-31")
    assert not tied("2019-04-01")


def test_russia_iran_2001_treaty_gives_way_to_the_2025_treaty_on_2_october_2025():
    def treaties(day: str) -> set[str]:
        return {
            a.treaty_id for a in allies("IRN", day, include_nonaggression=True) if a.ccode == RUS
        }

    assert treaties("2025-10-01") == {"rus_irn_2001"}
    assert treaties("2025-10-02") == {"rus_irn_2025"}


# ----------------------------------------------------------------------------- casus foederis


def test_russia_attacking_the_uk_in_2025_engages_no_eu_tie():
    r = respond(Scenario(attackers=[RUS], target=UKG, date=DAY))
    assert _eu_ties(r) == {}
    assert r.get("France").verdict == "obligated"
    assert r.get("France").treaty_id == "nato_1949"


def test_russia_attacking_the_uk_in_2019_engages_art_42_7_for_the_eu_members():
    r = respond(Scenario(attackers=[RUS], target=UKG, date=dt.date(2019, 6, 1)))
    eu = _eu_ties(r)
    assert len(eu) == 27
    assert r.get("Ireland").verdict == "obligated"
    assert r.get("Ireland").article == "42(7)"


def test_art_42_7_obliges_every_other_eu_member_when_france_is_attacked_on_its_territory():
    # Russia attacks France (default place: France's own territory; default kind: state of war).
    # Art. 42(7): armed aggression -> conflict type met; "on its territory" -> the engine's
    # own-territory rule (no location condition) is met; the neutral members' clause is a recorded
    # procedure. So every other EU member is obligated under Art. 42(7); the EU members outside NATO
    # (Ireland, Austria, Malta, Cyprus) have no other defence tie to France, so their verdict cites it.
    r = respond(Scenario(attackers=[RUS], target=FRN, date=DAY))
    eu = _eu_ties(r)
    assert set(eu) == set(_eu().member_codes(DAY)) - {FRN}
    for ties in eu.values():
        art = [t for t in ties if t.article == "42(7)"]
        assert len(art) == 1
        assert art[0].verdict == "obligated"
        assert art[0].obligation == "defend"
        assert {c.kind: c.status for c in art[0].checks} == {
            "conflict_type": "met",
            "procedure": "recorded",
            "place": "met",
        }
    for code in EU_NOT_NATO:
        response = next(x for x in r.responses if x.ccode == code)
        assert (response.verdict, response.treaty_id, response.article) == (
            "obligated",
            "eu_1992",
            "42(7)",
        )


def test_a_threat_to_france_gives_only_consultation_under_the_eu_treaty():
    r = respond(Scenario(attackers=[RUS], target=FRN, date=DAY, kind="threat"))
    austria = r.get("Austria")
    assert austria.verdict == "consult"
    assert austria.treaty_id == "eu_1992"
    art = next(t for t in austria.trace if t.article == "42(7)")
    assert art.verdict == "not_obligated"


def test_an_attack_on_french_forces_abroad_leaves_art_42_7_undecided():
    # Guam is administered by the United States: not France's territory, so whether "armed
    # aggression on its territory" covers it is open -> unknown, never a guess.
    r = respond(Scenario(attackers=[RUS], target=FRN, date=DAY, place="Guam"))
    art = next(t for t in r.get("Austria").trace if t.article == "42(7)")
    assert art.verdict == "unknown"
    assert {c.kind: c.status for c in art.checks}["place"] == "undecidable"
