"""The curated treaty registry: the real TOML files, their facts, and the loader's error messages.

Dates and codes checked here come from shared/research/treaties.md (and, for atop_ids, from the
ATOP 5.1 files in shared/data/atop).
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import re
import shutil
from importlib import resources
from pathlib import Path

import pytest

from foedus.errors import InvalidTreaty
from foedus.treaties.curated import load_curated
from foedus.treaties.model import Provision, Treaty

D = dt.date
CURATED_DIR = Path(str(resources.files("foedus.treaties").joinpath("curated")))

REQUIRED = {
    "rus_prk_2024",
    "ussr_prk_1961",
    "rus_prk_2000",
    "prc_prk_1961",
    "usa_rok_1953",
    "usa_jpn_1960",
    "nato_1949",
    "anzus_1951",
    "rio_1947",
    "csto_1992",
    "sau_pak_2025",
    "rus_blr_2024",
    "rus_irn_2025",
    "aes_2023",
    "rus_blr_1997",
}


@pytest.fixture(scope="module")
def registry() -> dict[str, Treaty]:
    return {t.id: t for t in load_curated()}


def provisions(treaty: Treaty, kind: str, article: str | None = None) -> list[Provision]:
    return [
        p for p in treaty.provisions if p.kind == kind and (article is None or p.article == article)
    ]


def directed_pairs(treaty: Treaty, kind: str, day: dt.date) -> set[tuple[int, int]]:
    """(obliged, beneficiary) pairs of ``kind`` provisions valid on ``day``, members on ``day``."""
    members = treaty.member_codes(day)
    pairs = set()
    for p in treaty.provisions_on(day):
        if p.kind != kind:
            continue
        obliged = [c for c in (p.obliged or members) if c in members]
        protected = [c for c in (p.beneficiaries or members) if c in members]
        pairs |= {(a, b) for a in obliged for b in protected if a != b}
    return pairs


def entry_of(treaty: Treaty, ccode: int) -> list[tuple[dt.date, dt.date | None]]:
    return [(m.entry, m.exit) for m in treaty.members if m.ccode == ccode]


# ------------------------------------------------------------------ the registry as a whole


def test_registry_holds_every_required_treaty(registry):
    assert set(registry) >= REQUIRED


def test_every_curated_file_validates_and_is_named_after_its_id():
    files = sorted(p.stem for p in CURATED_DIR.glob("*.toml"))
    treaties = load_curated()
    assert [t.id for t in treaties] == files
    assert all(t.origin == "curated" for t in treaties)


def test_treaty_ids_are_unique():
    ids = [t.id for t in load_curated()]
    assert len(ids) == len(set(ids))


def test_every_provision_has_at_least_one_source(registry):
    missing = [(t.id, p.article) for t in registry.values() for p in t.provisions if not p.sources]
    assert missing == []


def test_every_provision_names_its_article_and_has_text(registry):
    for t in registry.values():
        for p in t.provisions:
            assert p.article.strip(), t.id
            assert len(p.text) > 20, (t.id, p.article)


def test_every_condition_has_a_source(registry):
    missing = [
        (t.id, p.article, c.kind)
        for t in registry.values()
        for p in t.provisions
        for c in p.conditions
        if not c.sources
    ]
    assert missing == []


def test_every_treaty_has_sources_and_every_membership_is_sourced(registry):
    for t in registry.values():
        assert t.sources, t.id
        assert all(m.sources for m in t.members), t.id


def test_quoted_provisions_cite_a_verbatim_source(registry):
    for t in registry.values():
        for p in t.provisions:
            if p.quote:
                assert any(s.quote for s in p.sources), (t.id, p.article)


def test_notes_that_say_unverified_carry_an_unverified_source(registry):
    for t in registry.values():
        for n in t.notes:
            if "UNVERIFIED" in n.text:
                assert any(not s.verified for s in n.sources), (t.id, n.text[:60])


def test_every_treaty_has_at_least_one_primary_obligation(registry):
    primary = {"defense", "offense", "neutrality", "non_aggression", "consultation"}
    for t in registry.values():
        assert {p.kind for p in t.provisions} & primary, t.id


def test_no_member_joins_before_signature(registry):
    for t in registry.values():
        if t.signed is not None:
            assert all(m.entry >= t.signed for m in t.members), t.id


def test_conflict_type_conditions_name_at_least_one_kind(registry):
    for t in registry.values():
        for p in t.provisions:
            for c in p.conditions:
                if c.kind == "conflict_type":
                    assert c.conflict_types, (t.id, p.article)


def test_region_keys_are_documented_in_regions_md(registry):
    documented = set(
        re.findall(r"^\| `([a-z0-9_]+)` \|", (CURATED_DIR / "REGIONS.md").read_text(), re.M)
    )
    used = {
        r for t in registry.values() for p in t.provisions for c in p.conditions for r in c.regions
    }
    assert used
    assert used <= documented


def test_region_keys_are_snake_case(registry):
    used = {
        r for t in registry.values() for p in t.provisions for c in p.conditions for r in c.regions
    }
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", r) for r in used)


def test_supersedes_names_curated_treaties(registry):
    for t in registry.values():
        assert set(t.supersedes) <= set(registry), t.id


# ------------------------------------------------------------------ ATOP links

ATOP_IDS = {
    "nato_1949": [3180],
    "usa_rok_1953": [3240],
    "usa_jpn_1960": [3375],
    "prc_prk_1961": [3445],
    "ussr_prk_1961": [3440],
    "rus_prk_2000": [4940],
    "anzus_1951": [3215],
    "rio_1947": [3075],
    "csto_1992": [4220],
    "rus_blr_1997": [4865],
    "rus_prk_2024": [],
    "rus_irn_2025": [],
    "aes_2023": [],
}


@pytest.mark.parametrize(("treaty_id", "atop_ids"), sorted(ATOP_IDS.items()))
def test_curated_treaty_links_its_atop_alliance(registry, treaty_id, atop_ids):
    assert registry[treaty_id].atop_ids == atop_ids


def _atop_alliances() -> dict[int, tuple[dt.date, set[int]]]:
    folder = Path(os.environ["FOEDUS_DATA_DIR"]) / "atop"
    if not (folder / "atop5_1m.csv").exists():
        pytest.skip("ATOP 5.1 files not in FOEDUS_DATA_DIR")
    alliances: dict[int, tuple[dt.date, set[int]]] = {}
    with open(folder / "atop5_1a.csv", newline="") as fh:
        for row in csv.DictReader(fh):
            begin = D(int(row["begyr"]), int(row["begmo"]), int(float(row["begday"] or 1)))
            alliances[int(row["atopid"])] = (begin, set())
    with open(folder / "atop5_1m.csv", newline="") as fh:
        for row in csv.DictReader(fh):
            alliances[int(row["atopid"])][1].add(int(row["member"]))
    return alliances


def test_atop_links_share_members_with_the_curated_treaty(registry):
    atop = _atop_alliances()
    for t in registry.values():
        for atop_id in t.atop_ids:
            begin, members = atop[atop_id]
            assert len(set(t.member_codes()) & members) >= 2, (t.id, atop_id)
            assert begin == t.signed, (t.id, atop_id)


# ------------------------------------------------------------------ Russia–DPRK 2024


def test_rus_prk_2024_signed_2024_06_19_in_force_2024_12_04(registry):
    t = registry["rus_prk_2024"]
    assert (t.signed, t.in_force, t.ended) == (D(2024, 6, 19), D(2024, 12, 4), None)
    assert t.member_codes(D(2024, 12, 4)) == [365, 731]
    assert t.member_codes(D(2024, 12, 3)) == []


def test_rus_prk_2024_article_4_is_defense_conditional_on_state_of_war(registry):
    (art4,) = provisions(registry["rus_prk_2024"], "defense")
    assert art4.article == "4"
    assert art4.quote
    (conflict,) = [c for c in art4.conditions if c.kind == "conflict_type"]
    assert conflict.conflict_types == ["state_of_war"]
    assert "armed attack" in conflict.text
    assert "declaration of war" in conflict.text
    assert any(c.kind == "procedure" and "Article 51" in c.text for c in art4.conditions)
    assert not any(c.kind == "location" for c in art4.conditions)


def test_rus_prk_2024_article_4_tail_of_kcna_quote_is_marked_check(registry):
    (art4,) = provisions(registry["rus_prk_2024"], "defense")
    kcna = [s for s in art4.sources if "KCNA" in s.citation]
    assert kcna
    assert all(not s.verified for s in kcna)


def test_rus_prk_2024_article_3_is_consultation_on_threat_at_request(registry):
    (art3,) = provisions(registry["rus_prk_2024"], "consultation")
    assert art3.article == "3"
    kinds = {c.kind: c for c in art3.conditions}
    assert "threat" in kinds["conflict_type"].conflict_types
    assert "request" in kinds


def test_rus_prk_2024_records_articles_5_and_8(registry):
    t = registry["rus_prk_2024"]
    assert provisions(t, "no_other_alliance", "5")
    assert [p.article for p in t.provisions] == ["3", "4", "5", "8"]


def test_rus_prk_2024_has_kursk_interpretation_note(registry):
    assert any("Kursk" in n.text and "Art. 4" in n.text for n in registry["rus_prk_2024"].notes)


def test_rus_prk_2024_supersedes_the_2000_treaty_which_ends_2024_12_04(registry):
    assert registry["rus_prk_2024"].supersedes == ["rus_prk_2000"]
    old = registry["rus_prk_2000"]
    assert old.ended == D(2024, 12, 4)
    assert old.member_codes(D(2024, 12, 3)) == [365, 731]
    assert old.member_codes(D(2024, 12, 4)) == []


# ------------------------------------------------------------------ Russia–DPRK 2000, USSR–DPRK 1961


def test_rus_prk_2000_is_consultation_only(registry):
    t = registry["rus_prk_2000"]
    assert t.signed == D(2000, 2, 9)
    assert [p.kind for p in t.provisions] == ["consultation"]
    assert t.in_force is None  # about 30 Oct 2000, UNVERIFIED
    assert any("about 30 Oct 2000" in n.text for n in t.notes)


def test_ussr_prk_1961_defends_on_state_of_war_until_1996_09_10(registry):
    t = registry["ussr_prk_1961"]
    assert (t.signed, t.ended) == (D(1961, 7, 6), D(1996, 9, 10))
    (art1,) = provisions(t, "defense")
    assert art1.article == "1"
    assert art1.conditions[0].conflict_types == ["state_of_war"]
    assert t.member_codes(D(1996, 9, 9)) == [365, 731]
    assert t.member_codes(D(1996, 9, 10)) == []


def test_ussr_prk_1961_entry_into_force_is_flagged_unverified(registry):
    notes = registry["ussr_prk_1961"].notes
    assert any("10 Sept 1961" in n.text and "UNVERIFIED" in n.text for n in notes)


# ------------------------------------------------------------------ PRC–DPRK 1961


def test_prc_prk_1961_in_force_since_1961_09_10_and_still_today(registry):
    t = registry["prc_prk_1961"]
    assert (t.signed, t.in_force, t.ended) == (D(1961, 7, 11), D(1961, 9, 10), None)
    assert t.member_codes(D(2025, 1, 1)) == [710, 731]


def test_prc_prk_1961_article_ii_is_defense_conditional_on_state_of_war(registry):
    (art2,) = provisions(registry["prc_prk_1961"], "defense")
    assert art2.article == "II"
    assert art2.conditions[0].conflict_types == ["state_of_war"]


def test_prc_prk_1961_renewals_are_notes_with_2021_unverified(registry):
    notes = registry["prc_prk_1961"].notes
    for year in ("1981", "2001"):
        assert any(f"Renewal {year}" in n.text for n in notes)
    (renewal_2021,) = [n for n in notes if n.text.startswith("Renewal 2021")]
    assert "UNVERIFIED" in renewal_2021.text
    assert all(not s.verified for s in renewal_2021.sources)


# ------------------------------------------------------------------ US–ROK, US–Japan


def test_usa_rok_1953_in_force_1954_11_17(registry):
    t = registry["usa_rok_1953"]
    assert (t.signed, t.in_force) == (D(1953, 10, 1), D(1954, 11, 17))


def test_usa_rok_article_iii_us_duty_covers_rok_administered_territory_in_pacific_area(registry):
    (us_duty,) = [p for p in provisions(registry["usa_rok_1953"], "defense") if p.obliged == [2]]
    assert us_duty.beneficiaries == [732]
    locations = [c for c in us_duty.conditions if c.kind == "location"]
    assert any(c.regions == ["pacific_area"] for c in locations)
    assert any(c.administered_by == [732] for c in locations)
    assert any(
        c.kind == "procedure" and "constitutional processes" in c.text for c in us_duty.conditions
    )


def test_usa_rok_article_ii_is_consultation_on_threat(registry):
    (art2,) = provisions(registry["usa_rok_1953"], "consultation")
    assert art2.article == "II"
    assert "threat" in art2.conditions[0].conflict_types


def test_usa_jpn_1960_article_v_covers_territories_administered_by_japan(registry):
    t = registry["usa_jpn_1960"]
    assert (t.signed, t.in_force) == (D(1960, 1, 19), D(1960, 6, 23))
    (art5,) = provisions(t, "defense")
    assert art5.article == "V"
    assert art5.obliged is None
    assert art5.beneficiaries is None
    (location,) = [c for c in art5.conditions if c.kind == "location"]
    assert location.administered_by == [740]
    assert location.regions == []


# ------------------------------------------------------------------ NATO

NATO_FOUNDERS = [2, 20, 200, 210, 211, 212, 220, 235, 325, 385, 390, 395]


def test_nato_founders_are_bound_from_1949_08_24(registry):
    t = registry["nato_1949"]
    assert (t.signed, t.in_force) == (D(1949, 4, 4), D(1949, 8, 24))
    assert t.member_codes(D(1949, 8, 24)) == NATO_FOUNDERS
    assert t.member_codes(D(1949, 8, 23)) == []


def test_greece_and_turkey_join_nato_on_1952_02_18(registry):
    t = registry["nato_1949"]
    assert entry_of(t, 350) == [(D(1952, 2, 18), None)]
    assert entry_of(t, 640) == [(D(1952, 2, 18), None)]


def test_west_germany_260_joins_nato_1955_05_06_and_unified_germany_255_continues_from_1990_10_03(
    registry,
):
    t = registry["nato_1949"]
    assert entry_of(t, 260) == [(D(1955, 5, 6), D(1990, 10, 3))]
    assert entry_of(t, 255) == [(D(1990, 10, 3), None)]
    assert 260 in t.member_codes(D(1990, 10, 2))
    assert 255 not in t.member_codes(D(1990, 10, 2))
    assert 255 in t.member_codes(D(1990, 10, 3))
    assert 260 not in t.member_codes(D(1990, 10, 3))


def test_spain_joins_nato_on_1982_05_30(registry):
    assert entry_of(registry["nato_1949"], 230) == [(D(1982, 5, 30), None)]


@pytest.mark.parametrize(
    ("ccode", "day"),
    [
        (316, D(1999, 3, 12)),
        (310, D(1999, 3, 12)),
        (290, D(1999, 3, 12)),
        (355, D(2004, 3, 29)),
        (366, D(2004, 3, 29)),
        (367, D(2004, 3, 29)),
        (368, D(2004, 3, 29)),
        (360, D(2004, 3, 29)),
        (317, D(2004, 3, 29)),
        (349, D(2004, 3, 29)),
        (339, D(2009, 4, 1)),
        (344, D(2009, 4, 1)),
        (341, D(2017, 6, 5)),
        (343, D(2020, 3, 27)),
    ],
)
def test_nato_enlargement_dates_match_the_notes(registry, ccode, day):
    assert entry_of(registry["nato_1949"], ccode) == [(day, None)]


def test_finland_joins_nato_on_2023_04_04(registry):
    t = registry["nato_1949"]
    assert entry_of(t, 375) == [(D(2023, 4, 4), None)]
    assert 375 not in t.member_codes(D(2023, 4, 3))
    assert 375 in t.member_codes(D(2023, 4, 4))


def test_sweden_joins_nato_on_2024_03_07(registry):
    t = registry["nato_1949"]
    assert entry_of(t, 380) == [(D(2024, 3, 7), None)]
    assert len(t.member_codes(D(2024, 3, 6))) == 31
    assert len(t.member_codes(D(2024, 3, 7))) == 32


def test_nato_article_5_is_armed_attack_in_the_article_6_area(registry):
    (art5,) = provisions(registry["nato_1949"], "defense")
    assert art5.article == "5"
    kinds = {c.kind: c for c in art5.conditions}
    assert "armed_attack" in kinds["conflict_type"].conflict_types
    assert "threat" not in kinds["conflict_type"].conflict_types
    assert kinds["location"].regions == ["nato_article_6_area"]


# ------------------------------------------------------------------ ANZUS, Rio, CSTO


def test_anzus_in_force_1952_04_29_with_new_zealand_still_a_member(registry):
    t = registry["anzus_1951"]
    assert (t.signed, t.in_force) == (D(1951, 9, 1), D(1952, 4, 29))
    assert t.member_codes(D(2025, 1, 1)) == [2, 900, 920]


def test_anzus_us_new_zealand_obligations_suspended_from_1986_08_11(registry):
    t = registry["anzus_1951"]
    before = directed_pairs(t, "defense", D(1986, 8, 10))
    after = directed_pairs(t, "defense", D(1986, 8, 11))
    assert {(2, 920), (920, 2)} <= before
    assert after == {(900, 2), (900, 920), (2, 900), (920, 900)}
    assert directed_pairs(t, "consultation", D(1986, 8, 11)) == after


def test_anzus_defense_applies_in_the_anzus_pacific_area(registry):
    for p in provisions(registry["anzus_1951"], "defense"):
        assert any(c.regions == ["anzus_pacific_area"] for c in p.conditions)


def test_rio_treaty_in_force_1948_12_03_and_mexico_leaves_in_september_2004(registry):
    t = registry["rio_1947"]
    assert (t.signed, t.in_force) == (D(1947, 9, 2), D(1948, 12, 3))
    ((_entry, exit_),) = entry_of(t, 70)
    assert exit_ is not None
    assert (exit_.year, exit_.month) == (2004, 9)
    assert {2, 140, 160} <= set(t.member_codes(D(2018, 12, 31)))


def test_rio_withdrawals_the_notes_flag_unverified_carry_unverified_sources(registry):
    t = registry["rio_1947"]
    for ccode in (40, 93, 101, 130, 145):
        (spell,) = [m for m in t.members if m.ccode == ccode]
        assert spell.exit is not None
        assert any(not s.verified for s in spell.sources), ccode


def test_rio_article_3_applies_in_the_rio_security_zone(registry):
    (art3,) = provisions(registry["rio_1947"], "defense")
    assert art3.article == "3(1)"
    assert any(c.regions == ["rio_security_zone"] for c in art3.conditions)


def test_csto_members_in_2025_are_russia_belarus_armenia_and_three_central_asian_states(registry):
    t = registry["csto_1992"]
    assert (t.signed, t.in_force) == (D(1992, 5, 15), D(1994, 4, 20))
    assert t.member_codes(D(2025, 1, 1)) == [365, 370, 371, 702, 703, 705]
    assert 704 in t.member_codes(D(2008, 1, 1))


# ------------------------------------------------------------------ Russia–Iran, Russia–Belarus, AES, Saudi–Pakistan


def test_russia_iran_2025_has_no_defense_provision(registry):
    t = registry["rus_irn_2025"]
    assert provisions(t, "defense") == []
    (art3,) = provisions(t, "neutrality")
    assert art3.article == "3"
    (no_defense,) = [n for n in t.notes if n.text.startswith("No mutual-defense clause")]
    assert no_defense.sources
    assert no_defense.sources[0].url


def test_russia_iran_2025_in_force_2025_10_02(registry):
    t = registry["rus_irn_2025"]
    assert (t.signed, t.in_force) == (D(2025, 1, 17), D(2025, 10, 2))


def test_rus_blr_2024_in_force_2025_03_13_with_article_4_defense(registry):
    t = registry["rus_blr_2024"]
    assert (t.signed, t.in_force) == (D(2024, 12, 6), D(2025, 3, 13))
    assert [p.article for p in provisions(t, "defense")] == ["4(1)"]
    (aid,) = provisions(t, "military_aid")
    assert {c.kind for c in aid.conditions} >= {"request", "procedure"}
    assert "threat" in next(c for c in aid.conditions if c.kind == "conflict_type").conflict_types


def test_rus_blr_1997_defense_is_undecidable_because_its_article_was_not_located(registry):
    t = registry["rus_blr_1997"]
    assert t.signed == D(1997, 4, 2)
    (defense,) = provisions(t, "defense")
    assert any(not c.decidable for c in defense.conditions)


def test_alliance_of_sahel_states_binds_mali_niger_burkina_faso_from_2023_09_16(registry):
    t = registry["aes_2023"]
    assert (t.signed, t.in_force) == (D(2023, 9, 16), D(2023, 9, 16))
    assert t.member_codes(D(2023, 9, 16)) == [432, 436, 439]
    assert [p.article for p in provisions(t, "defense")] == ["6", "5"]
    assert provisions(t, "non_aggression", "8")


def test_saudi_pakistan_2025_defense_is_undecidable_and_entry_into_force_unknown(registry):
    t = registry["sau_pak_2025"]
    assert t.signed == D(2025, 9, 17)
    assert t.in_force is None
    (defense,) = provisions(t, "defense")
    assert any(c.kind == "other" and not c.decidable for c in defense.conditions)
    assert all(not s.verified for m in t.members for s in m.sources)


# ------------------------------------------------------------------ the loader


def _copy(tmp_path: Path, treaty_id: str) -> Path:
    target = tmp_path / f"{treaty_id}.toml"
    shutil.copy(CURATED_DIR / f"{treaty_id}.toml", target)
    return target


def test_loading_a_folder_of_real_files_gives_the_same_treaties(tmp_path):
    _copy(tmp_path, "rus_prk_2024")
    (treaty,) = load_curated(tmp_path)
    assert treaty == next(t for t in load_curated() if t.id == "rus_prk_2024")


def test_malformed_treaty_file_names_file_and_field(tmp_path):
    path = _copy(tmp_path, "rus_prk_2024")
    path.write_text(path.read_text().replace("entry = 2024-12-04", 'entry = "2024-13-01"', 1))
    with pytest.raises(InvalidTreaty) as info:
        load_curated(tmp_path)
    message = str(info.value)
    assert message.startswith("rus_prk_2024.toml: members.0.entry: invalid date '2024-13-01'")
    assert "fix the field in that file" in message
    assert "\n" not in message


def test_bare_invalid_toml_date_names_file_and_field(tmp_path):
    path = _copy(tmp_path, "rus_prk_2024")
    text = path.read_text().replace(
        "ccode = 731\nentry = 2024-12-04", "ccode = 731\nentry = 2024-13-01", 1
    )
    path.write_text(text)
    with pytest.raises(
        InvalidTreaty, match=r"^rus_prk_2024\.toml: members\.1\.entry: invalid date '2024-13-01'"
    ):
        load_curated(tmp_path)


def test_toml_syntax_error_names_file_and_line(tmp_path):
    path = _copy(tmp_path, "usa_jpn_1960")
    path.write_text(path.read_text().replace("[[sources]]", "[[sources]", 1))
    with pytest.raises(InvalidTreaty) as info:
        load_curated(tmp_path)
    message = str(info.value)
    assert message.startswith("usa_jpn_1960.toml: invalid TOML:")
    assert "line" in message
    assert "\n" not in message


def test_unknown_provision_kind_names_the_field(tmp_path):
    path = _copy(tmp_path, "usa_jpn_1960")
    path.write_text(path.read_text().replace('kind = "defense"', 'kind = "defence"', 1))
    with pytest.raises(
        InvalidTreaty, match=r"^usa_jpn_1960\.toml: provisions\.1\.kind: .*'defence'"
    ):
        load_curated(tmp_path)


def test_misspelt_field_is_rejected(tmp_path):
    path = _copy(tmp_path, "usa_jpn_1960")
    path.write_text(path.read_text().replace("in_force = ", "inforce = ", 1))
    with pytest.raises(InvalidTreaty, match=r"^usa_jpn_1960\.toml: inforce: unknown field"):
        load_curated(tmp_path)


def test_duplicate_ids_are_rejected(tmp_path):
    _copy(tmp_path, "anzus_1951")
    shutil.copy(tmp_path / "anzus_1951.toml", tmp_path / "anzus_copy.toml")
    with pytest.raises(
        InvalidTreaty,
        match=r"^anzus_copy\.toml: id: 'anzus_1951' is already defined in anzus_1951\.toml",
    ):
        load_curated(tmp_path)


def test_id_must_match_file_name(tmp_path):
    path = _copy(tmp_path, "anzus_1951")
    path.rename(tmp_path / "anzus.toml")
    with pytest.raises(
        InvalidTreaty, match=r"^anzus\.toml: id: 'anzus_1951' does not match the file name"
    ):
        load_curated(tmp_path)


def test_curated_files_must_say_origin_curated(tmp_path):
    path = _copy(tmp_path, "anzus_1951")
    path.write_text(path.read_text().replace('origin = "curated"', 'origin = "atop"', 1))
    with pytest.raises(InvalidTreaty, match=r"^anzus_1951\.toml: origin: 'atop'"):
        load_curated(tmp_path)


def test_non_member_in_obliged_is_rejected_with_the_file_name(tmp_path):
    path = _copy(tmp_path, "usa_rok_1953")
    path.write_text(path.read_text().replace("obliged = [2]\n", "obliged = [740]\n", 1))
    with pytest.raises(InvalidTreaty, match=r"^usa_rok_1953\.toml: .*\[740\] are not members"):
        load_curated(tmp_path)


def test_other_files_in_the_folder_are_ignored(tmp_path):
    _copy(tmp_path, "aes_2023")
    (tmp_path / "README.md").write_text("not a treaty")
    assert [t.id for t in load_curated(tmp_path)] == ["aes_2023"]


def test_default_load_is_cached_but_returns_a_fresh_list():
    first = load_curated()
    first.clear()
    second = load_curated()
    assert second
    assert second[0] is load_curated()[0]


def test_a_member_still_in_after_the_treaty_ended_is_rejected(tmp_path):
    # ties end with the treaty, member_codes() and in_force_on() follow the spells: both must agree.
    path = _copy(tmp_path, "ussr_prk_1961")
    path.write_text(path.read_text().replace("exit = 1996-09-10\n", "", 1))
    with pytest.raises(InvalidTreaty) as info:
        load_curated(tmp_path)
    message = str(info.value)
    assert message.startswith("ussr_prk_1961.toml: ")
    assert "members [365]" in message
    assert "1996-09-10" in message
    assert "\n" not in message


def test_a_provision_valid_to_before_valid_from_is_rejected(tmp_path):
    path = _copy(tmp_path, "anzus_1951")
    text = path.read_text().replace(
        "valid_to = 1986-08-11", "valid_from = 1990-01-01\nvalid_to = 1986-08-11", 1
    )
    path.write_text(text)
    with pytest.raises(
        InvalidTreaty,
        match=r"^anzus_1951\.toml: provisions\.\d+: valid_to 1986-08-11 is before valid_from 1990-01-01",
    ):
        load_curated(tmp_path)


def test_a_condition_with_min_attackers_above_max_attackers_is_rejected(tmp_path):
    path = _copy(tmp_path, "usa_jpn_1960")
    text = path.read_text().replace(
        "[[provisions.conditions]]\n",
        "[[provisions.conditions]]\nmin_attackers = 3\nmax_attackers = 1\n",
        1,
    )
    path.write_text(text)
    with pytest.raises(
        InvalidTreaty,
        match=r"^usa_jpn_1960\.toml: provisions\.\d+\.conditions\.0: min_attackers 3 is more than max_attackers 1",
    ):
        load_curated(tmp_path)
