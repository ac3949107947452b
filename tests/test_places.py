"""The gazetteer: who administers a place, who claims it, and which treaty regions it lies in."""

from __future__ import annotations

import pytest

from foedus import places, states
from foedus.errors import UnknownPlace


def _status(name: str, region: str) -> str:
    return places.resolve(name).in_region(region).status


@pytest.mark.parametrize(
    "name", ["Guam", "Hawaii", "Falkland Islands", "Puerto Rico", "French Guiana"]
)
def test_nato_article_6_area_excludes_territories_outside_europe_north_america_and_north_atlantic(
    name,
):
    assert _status(name, "nato_article_6_area") == "not_met"


@pytest.mark.parametrize(
    "name", ["Alaska", "Greenland", "Canary Islands", "Azores", "Bermuda", "Svalbard", "Gibraltar"]
)
def test_nato_article_6_area_includes_north_american_and_north_atlantic_territories_of_parties(
    name,
):
    assert _status(name, "nato_article_6_area") == "met"


def test_turkey_home_territory_lies_in_the_nato_article_6_area():
    assert places.resolve("Turkey").in_region("nato_article_6_area").status == "met"


def test_falklands_lie_in_the_rio_zone_and_hawaii_does_not():
    assert _status("Falklands", "rio_security_zone") == "met"
    assert _status("Hawaii", "rio_security_zone") == "not_met"


def test_senkaku_islands_are_administered_by_japan_and_claimed_by_china_and_taiwan():
    senkaku = places.resolve("Diaoyu Islands")
    assert senkaku.name == "Senkaku Islands"
    assert senkaku.administered_by == 740
    assert set(senkaku.claimants) == {710, 713}
    assert senkaku.status == "disputed"


def test_crimea_is_held_by_russia_through_an_unrecognised_annexation_and_claimed_by_ukraine():
    crimea = places.resolve("Crimea")
    assert (crimea.administered_by, crimea.claimants, crimea.status) == (365, (369,), "annexed")


def test_kursk_is_undisputed_russian_territory():
    kursk = places.resolve("Kursk Oblast")
    assert (kursk.administered_by, kursk.status) == (365, "undisputed")


def test_a_state_name_gives_its_own_territory_and_none_gives_the_target_territory():
    japan = places.resolve("Japan")
    assert japan.key == "state:740"
    assert japan.administered_by == 740
    assert places.resolve(None, target=740) == japan
    assert japan.in_region("pacific_area").status == "met"


def test_a_state_name_as_place_is_the_state_in_the_system_on_the_date():
    assert places.resolve("Germany", on="1970-01-01").administered_by == 260
    assert places.resolve("Yemen", on="1980-01-01").administered_by == 678
    assert places.resolve("Germany", on="2000-01-01").administered_by == 255


def test_every_state_administers_its_own_territory_which_no_annexation_holds():
    # The batch engine assesses a defence pledge's implicit place check once for all targets.
    from foedus import states

    for code in states.codes():
        home = places.home(code)
        assert home.administered_by == code
        assert home.status in ("undisputed", "disputed")


def test_whether_the_continental_united_states_lies_in_the_pacific_area_is_unclear():
    check = places.resolve("USA").in_region("pacific_area")
    assert check.status == "undecidable"
    assert "does not define" in check.reason


def test_a_region_place_has_no_administering_state():
    pacific = places.resolve("Pacific area")
    assert pacific.kind == "region"
    assert pacific.administered_by is None
    assert pacific.in_region("pacific_area").status == "met"


def test_an_unknown_place_is_an_error_with_suggestions():
    with pytest.raises(UnknownPlace, match=r"did you mean .*Guam"):
        places.resolve("Guan")


def test_a_region_the_gazetteer_does_not_record_is_undecidable_not_false():
    assert places.resolve("Guam").in_region("no_such_region").status == "undecidable"


def test_every_region_key_used_by_curated_treaties_is_defined_in_the_gazetteer():
    from foedus.treaties.curated import load_curated

    used = {
        r for t in load_curated() for p in t.provisions for c in p.conditions for r in c.regions
    }
    assert used, "curated treaties name regions"
    assert used <= set(places.regions())


def test_every_named_place_answers_for_every_treaty_region_key():
    treaty_regions = (
        "nato_article_6_area",
        "pacific_area",
        "anzus_pacific_area",
        "rio_security_zone",
    )
    for place in places.places().values():
        for key in treaty_regions:
            if key in place.regions or key in place.unclear:
                continue
            pytest.fail(f"{place.name} says nothing about {key}")


def test_no_alias_names_two_places():
    seen: dict[str, str] = {}
    for place in places.places().values():
        for label in (place.name, *place.aliases):
            key = states.fold_name(label)
            assert seen.setdefault(key, place.key) == place.key, (
                f"'{label}' names {seen[key]} and {place.key}"
            )
