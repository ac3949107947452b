"""The main job runs on the embedded registry with nothing downloaded (README's first command)."""

from __future__ import annotations

import json
import os

import pytest

from conftest import run_foedus


@pytest.fixture(scope="module")
def bare_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "FOEDUS_DATA_DIR"}
    env["FOEDUS_CACHE_DIR"] = str(tmp_path_factory.mktemp("empty-cache"))
    env["COLUMNS"] = "120"
    return env


def test_allies_of_north_korea_work_without_any_downloaded_data(bare_env: dict[str, str]) -> None:
    done = run_foedus(["allies", "PRK", "--date", "2025-06-01", "--json"], bare_env)
    assert done.returncode == 0, done.stderr
    found = {(a["ccode"], a["treaty_id"]) for a in json.loads(done.stdout)}
    assert {(365, "rus_prk_2024"), (710, "prc_prk_1961")} <= found
    assert all(not tid.startswith("atop:") for _, tid in found)


def test_membership_periods_without_data_name_the_dataset_to_fetch(
    bare_env: dict[str, str],
) -> None:
    done = run_foedus(["states", "--date", "2020-01-01"], bare_env)
    assert done.returncode == 2
    assert "foedus data fetch cow_states" in done.stderr
    assert "Traceback" not in done.stderr


def test_usa_attacking_north_korea_obligates_russia_and_china_without_any_downloaded_data(
    bare_env: dict[str, str],
) -> None:
    done = run_foedus(
        ["respond", "--attacker", "USA", "--target", "PRK", "--date", "2025-01-01", "--json"],
        bare_env,
    )
    assert done.returncode == 0, done.stderr
    verdicts = {
        r["ccode"]: (r["verdict"], r["treaty_id"]) for r in json.loads(done.stdout)["responses"]
    }
    assert verdicts[365] == ("obligated", "rus_prk_2024")
    assert verdicts[710] == ("obligated", "prc_prk_1961")


def test_state_resolves_and_converts_codes_without_any_downloaded_data(
    bare_env: dict[str, str],
) -> None:
    done = run_foedus(["state", "North Korea", "--system", "gw", "--json"], bare_env)
    assert done.returncode == 0, done.stderr
    info = json.loads(done.stdout)
    assert (info["code"], info["ccode"], info["gwcode"], info["iso3"]) == (731, 731, 731, "PRK")
    done = run_foedus(["state", "Germany"], bare_env)
    assert done.returncode == 0, done.stderr
    assert "COW 255" in done.stdout
    assert "GW: 260" in done.stdout
    assert "foedus data fetch cow_states" in done.stdout  # membership unknown, not "none"
