"""Tests of foedus.cascade: kernels, Monte Carlo, sweeps, validation, CLI."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from foedus import cascade
from foedus.cascade import _kernels, _montecarlo
from foedus.cascade._plan import build_plan
from foedus.cascade._torch import cuda_available

USA, PRK, CHN, RUS, UKG, JPN, BLR, ROK, FRN = 2, 731, 710, 365, 200, 740, 370, 732, 220
DAY = "2025-01-01"


def _toy_verdicts() -> pl.DataFrame:
    """A small world: China and Russia defend North Korea against anyone; Britain and France the
    USA; Japan may defend the USA (unknown); Belarus defends Russia; South Korea the USA except
    against China (an adversary condition)."""
    world = [USA, PRK, CHN, RUS, UKG, JPN, BLR, ROK, FRN]
    rows = []
    for a in world:
        for t in world:
            if a == t:
                continue
            if t == PRK:
                rows += [
                    (a, t, CHN, "obligated", "chn_prk_1961", "defense"),
                    (a, t, RUS, "obligated", "rus_prk_2024", "defense"),
                ]
            if t == USA:
                rows += [
                    (a, t, UKG, "obligated", "nato", "defense"),
                    (a, t, FRN, "obligated", "nato", "defense"),
                ]
                rows.append((a, t, JPN, "unknown", "us_jpn", "defense"))
                if a != CHN:
                    rows.append((a, t, ROK, "obligated", "us_rok", "defense"))
            if t == RUS:
                rows.append((a, t, BLR, "obligated", "csto", "defense"))
            if t == UKG:
                rows.append((a, t, FRN, "obligated", "nato", "defense"))
    return pl.DataFrame(
        rows,
        schema=["attacker", "target", "responder", "verdict", "treaty_id", "kind"],
        orient="row",
    )


@pytest.fixture(scope="module")
def toy() -> pl.DataFrame:
    return _toy_verdicts()


def test_toy_rounds_russia_and_china_join_in_round_1_then_allies_of_the_usa(toy):
    r = cascade.rounds(USA, PRK, DAY, verdicts=toy)
    by_round = {
        k: sorted(v)
        for k, v in r.unique(["round", "ccode"]).group_by("round").agg(pl.col("ccode")).iter_rows()
    }
    assert by_round[0] == sorted([USA, PRK])
    assert by_round[1] == sorted([CHN, RUS])
    assert set(by_round[2]) == {UKG, FRN, ROK, BLR}
    trig = r.filter(pl.col("ccode") == RUS)
    assert trig["trigger_attacker"].to_list() == [USA]
    assert trig["trigger_target"].to_list() == [PRK]
    assert trig["treaty_id"].to_list() == ["rus_prk_2024"]


def test_monte_carlo_with_certain_rates_equals_the_deterministic_joiners_exactly(toy):
    det = cascade.rounds(USA, PRK, DAY, verdicts=toy)
    joiners = set(det.filter(pl.col("round") > 0)["ccode"].to_list())
    mc = cascade.simulate(
        USA, PRK, DAY, verdicts=toy, draws=5000, rates=cascade.Rates.certain(), device="cpu"
    )
    p = dict(mc.states.select("ccode", "p_join").iter_rows())
    for code, value in p.items():
        if code in (USA, PRK) or code in joiners:
            assert value == 1.0, code
        else:
            assert value == 0.0, code
    assert JPN not in joiners  # unknown verdicts never act in the deterministic cascade


def test_seed_reproduces_and_chunk_size_does_not_matter(toy):
    a = cascade.simulate(USA, PRK, DAY, verdicts=toy, draws=40_000, seed=7, device="cpu")
    b = cascade.simulate(
        USA, PRK, DAY, verdicts=toy, draws=40_000, seed=7, device="cpu", rows_per_chunk=4096
    )
    c = cascade.simulate(USA, PRK, DAY, verdicts=toy, draws=40_000, seed=8, device="cpu")
    assert a.states.equals(b.states)
    assert a.war_size.equals(b.war_size)
    assert a.coalitions.equals(b.coalitions)
    assert not a.states.equals(c.states)


def test_numpy_kernel_matches_the_plain_loop_draw_by_draw(toy):
    plan = build_plan(toy, cascade.Rates(), universe=[USA, PRK])
    i0, i1 = plan.init([([USA], [PRK])])
    draws = 3000
    (chunk,) = list(_kernels.run_numpy(plan, i0, i1, draws=draws, seed=3, record_entry=True))
    b0, b1 = chunk.bools()
    for d, (s0, s1) in enumerate(_kernels.reference(plan, [USA], [PRK], draws=draws, seed=3)):
        assert set(np.flatnonzero(b0[:, d]).tolist()) == set(s0)
        assert set(np.flatnonzero(b1[:, d]).tolist()) == set(s1)
        for i, rnd in {**s0, **s1}.items():
            assert chunk.entry[i, d] == rnd


def test_default_rates_give_the_analytic_probabilities(toy):
    mc = cascade.simulate(USA, PRK, DAY, verdicts=toy, draws=200_000, seed=1, device="cpu")
    p = dict(mc.states.select("ccode", "p_join").iter_rows())
    assert p[CHN] == pytest.approx(0.745, abs=0.005)
    assert p[RUS] == pytest.approx(0.745, abs=0.005)
    # Belarus: Russia must join (0.745), then Belarus honours (0.745)
    assert p[BLR] == pytest.approx(0.745**2, abs=0.005)
    # Japan's verdict is unknown: it acts with the unknown rate once China or Russia attacks the USA
    assert p[JPN] == pytest.approx(0.5 * (1 - 0.255**2), abs=0.005)
    assert mc.war_size["share"].sum() == pytest.approx(1.0)
    assert mc.coalitions["share"].is_sorted(descending=True)


def test_rates_override_by_state_treaty_and_kind(toy):
    rates = cascade.Rates(
        by_state={RUS: 1.0}, by_treaty={"chn_prk_1961": 0.0}, by_kind={"defense": 0.9}
    )
    mc = cascade.simulate(
        USA, PRK, DAY, verdicts=toy, draws=50_000, seed=2, rates=rates, device="cpu"
    )
    p = dict(mc.states.select("ccode", "p_join").iter_rows())
    assert p[RUS] == 1.0
    assert p.get(CHN, 0.0) == 0.0
    assert p[BLR] == pytest.approx(0.9, abs=0.01)


def test_torch_backend_on_cpu_agrees_with_numpy_in_statistics(toy):
    pytest.importorskip("torch", reason="torch is not installed (pip install foedus[gpu])")
    a = cascade.simulate(USA, PRK, DAY, verdicts=toy, draws=100_000, seed=5, device="cpu")
    b = cascade.simulate(
        USA, PRK, DAY, verdicts=toy, draws=100_000, seed=5, device="cpu", backend="torch"
    )
    pa = dict(a.states.select("ccode", "p_join").iter_rows())
    pb = dict(b.states.select("ccode", "p_join").iter_rows())
    assert pa.keys() == pb.keys()
    for code in pa:
        assert pa[code] == pytest.approx(pb[code], abs=0.01)
    assert a.expected_size() == pytest.approx(b.expected_size(), abs=0.03)
    again = cascade.simulate(
        USA, PRK, DAY, verdicts=toy, draws=100_000, seed=5, device="cpu", backend="torch"
    )
    assert again.states.equals(b.states)


@pytest.mark.gpu
@pytest.mark.skipif(
    not cuda_available(),
    reason="no CUDA device here: the GPU backend is checked on a machine with one",
)
def test_cuda_and_cpu_agree_on_the_same_seeds_statistics(toy):
    a = cascade.simulate(USA, PRK, DAY, verdicts=toy, draws=1_000_000, seed=11, device="cpu")
    b = cascade.simulate(USA, PRK, DAY, verdicts=toy, draws=1_000_000, seed=11, device="cuda")
    pa = dict(a.states.select("ccode", "p_join").iter_rows())
    pb = dict(b.states.select("ccode", "p_join").iter_rows())
    for code in pa:
        assert pa[code] == pytest.approx(pb[code], abs=0.005)
    assert a.expected_size() == pytest.approx(b.expected_size(), abs=0.01)


def test_cuda_device_without_cuda_is_a_clear_error(toy):
    if cuda_available():
        pytest.skip("a CUDA device is present")
    from foedus.errors import InvalidArgument

    with pytest.raises(InvalidArgument, match="no CUDA device"):
        cascade.simulate(USA, PRK, DAY, verdicts=toy, draws=10, device="cuda")


def test_a_malformed_cuda_device_is_a_one_line_error_even_where_cuda_is(monkeypatch):
    from foedus.cascade import _torch
    from foedus.errors import InvalidArgument

    monkeypatch.setattr(_torch, "cuda_available", lambda: True)
    assert _montecarlo.resolve_backend("cuda:1") == ("torch", "cuda:1")
    with pytest.raises(InvalidArgument, match="unknown device 'cuda:x'"):
        _montecarlo.resolve_backend("cuda:x")


def test_sweep_into_a_file_is_a_one_line_error(tmp_path):
    from foedus.cascade import sweep
    from foedus.errors import InvalidArgument

    (tmp_path / "out").write_text("")
    with pytest.raises(InvalidArgument, match="is a file"):
        sweep.run(tmp_path / "out", date=DAY, attackers=["USA"])


def test_auto_device_falls_back_to_numpy_without_cuda():
    if cuda_available():
        pytest.skip("a CUDA device is present")
    assert _montecarlo.resolve_backend("auto") == ("numpy", "cpu")


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    low=st.floats(0.0, 1.0),
    high=st.floats(0.0, 1.0),
    unknown=st.floats(0.0, 1.0),
    seed=st.integers(0, 2**16),
)
def test_join_probabilities_never_fall_when_the_honour_rate_rises(toy, low, high, unknown, seed):
    low, high = min(low, high), max(low, high)
    a = cascade.simulate(
        USA,
        PRK,
        DAY,
        verdicts=toy,
        draws=2000,
        seed=seed,
        rates=cascade.Rates(default=low, unknown=unknown),
        device="cpu",
    )
    b = cascade.simulate(
        USA,
        PRK,
        DAY,
        verdicts=toy,
        draws=2000,
        seed=seed,
        rates=cascade.Rates(default=high, unknown=unknown),
        device="cpu",
    )
    pa = dict(a.states.select("ccode", "p_join").iter_rows())
    pb = dict(b.states.select("ccode", "p_join").iter_rows())
    for code, value in pa.items():
        assert pb.get(code, 0.0) >= value, code


def test_invalid_rates_and_draws_are_one_line_errors(toy):
    from foedus.errors import InvalidArgument, InvalidScenario

    with pytest.raises(InvalidArgument, match="not a probability"):
        cascade.Rates(default=1.5)
    with pytest.raises(InvalidArgument, match="at least 1 draw"):
        cascade.simulate(USA, PRK, DAY, verdicts=toy, draws=0)
    with pytest.raises(InvalidScenario):
        cascade.simulate(USA, USA, DAY, verdicts=toy, draws=10)


# ----------------------------------------------------------------------------- the real engine


def test_usa_attacking_north_korea_brings_russia_and_china_in_round_1():
    r = cascade.rounds("USA", "PRK", DAY)
    first = r.filter(pl.col("round") == 1)
    assert {RUS, CHN} <= set(first["ccode"].to_list())
    rus = first.filter(pl.col("ccode") == RUS).row(0, named=True)
    assert (rus["treaty_id"], rus["article"], rus["trigger_target"]) == ("rus_prk_2024", "4", PRK)
    assert set(first.filter(pl.col("ccode") == CHN)["trigger_target"].to_list()) == {PRK}
    assert r.filter(pl.col("round") == 0)["ccode"].to_list() == [USA, PRK]


def test_before_the_2024_treaty_russia_does_not_join_in_round_1():
    first = cascade.rounds("USA", "PRK", "2023-01-01").filter(pl.col("round") == 1)
    assert CHN in first["ccode"].to_list()
    assert RUS not in first["ccode"].to_list()


def test_monte_carlo_on_the_engine_equals_its_deterministic_cascade_when_rates_are_certain():
    det = cascade.rounds("USA", "PRK", DAY)
    mc = cascade.simulate(
        "USA", "PRK", DAY, draws=2000, rates=cascade.Rates.certain(), device="cpu"
    )
    joined = {c for c, p in mc.states.select("ccode", "p_join").iter_rows() if p == 1.0}
    others = [p for c, p in mc.states.select("ccode", "p_join").iter_rows() if c not in joined]
    assert joined == set(det["ccode"].to_list())
    assert all(p == 0.0 for p in others)
    rounds = dict(mc.states.drop_nulls("round").select("ccode", "round").iter_rows())
    assert rounds == dict(det.unique("ccode").select("ccode", "round").iter_rows())


def test_engine_monte_carlo_is_reproducible_and_russia_joins_at_the_default_rate():
    a = cascade.simulate("USA", "PRK", DAY, draws=20_000, seed=3, device="cpu")
    b = cascade.simulate("USA", "PRK", DAY, draws=20_000, seed=3, device="cpu")
    assert a.states.equals(b.states)
    assert a.coalitions.equals(b.coalitions)
    assert a.p_join("Russia") == pytest.approx(cascade.LLM2000_RATE, abs=0.015)


def _cli(args: list[str]) -> int:
    from foedus.cli import main

    try:
        main(args)
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def test_cli_cascade_shows_russia_and_china_in_round_1(capsys):
    assert (
        _cli(
            [
                "cascade",
                "--attacker",
                "USA",
                "--target",
                "PRK",
                "--date",
                DAY,
                "--draws",
                "2000",
                "--json",
            ]
        )
        == 0
    )
    out = json.loads(capsys.readouterr().out)
    first = {r["ccode"] for r in out["rounds"] if r["round"] == 1}
    assert {RUS, CHN} <= first
    p = {s["ccode"]: s["p_join"] for s in out["monte_carlo"]["states"]}
    assert 0.6 < p[RUS] < 0.9
    assert out["monte_carlo"]["rates"]["default"] == 0.745


def test_cli_cascade_table_names_the_treaties(capsys):
    assert (
        _cli(["cascade", "--attacker", "USA", "--target", "PRK", "--date", DAY, "--draws", "1000"])
        == 0
    )
    out = capsys.readouterr().out
    assert "Russia" in out
    assert "China" in out
    assert "rus_prk_2024" in out
    assert "Monte Carlo" in out


def test_cli_unknown_state_is_a_one_line_error(capsys):
    assert (
        _cli(
            ["cascade", "--attacker", "Atlantis", "--target", "PRK", "--date", DAY, "--draws", "10"]
        )
        == 2
    )
    assert capsys.readouterr().err.strip().count("\n") == 0


# ----------------------------------------------------------------------------- sweeps


def test_sweep_rows_match_the_engine_cascade_and_resume_skips_written_partitions(tmp_path):
    from foedus.cascade import sweep

    first = sweep.run(tmp_path, date=DAY, attackers=["USA"])
    assert first["written"] == 1
    table = sweep.read(tmp_path)
    assert table.height == len(__import__("foedus").states.members_on(dt.date(2025, 1, 1))) - 1
    prk = table.filter(pl.col("target") == PRK).row(0, named=True)
    assert {RUS, CHN} <= set(prk["round1"])
    assert {RUS, CHN} <= set(prk["joiners"])
    again = sweep.run(tmp_path, date=DAY, attackers=["USA"])
    assert (again["written"], again["skipped"]) == (0, 1)
    assert not list(tmp_path.rglob("*.tmp"))


def test_sweep_refuses_to_resume_a_folder_written_with_other_draws(tmp_path):
    from foedus.cascade import sweep
    from foedus.errors import InvalidArgument

    sweep.run(tmp_path, date=DAY, attackers=["USA"])
    # Skipping the written partition would hand back rows without the Monte Carlo columns.
    with pytest.raises(InvalidArgument, match="other settings"):
        sweep.run(tmp_path, date=DAY, attackers=["USA"], draws=50)
    # The same settings resume; the draws-free rows do not depend on the seed.
    again = sweep.run(tmp_path, date=DAY, attackers=["USA"], seed=7)
    assert (again["written"], again["skipped"]) == (0, 1)
    assert not list(tmp_path.rglob("*.tmp"))


def test_batch_sweep_equals_the_per_dyad_engine_cascade_on_150_random_dyads_on_two_dates():
    import random

    from foedus import states
    from foedus.cascade import sweep
    from foedus.obligations import Scenario, respond

    rng = random.Random(2025)
    checked = multi = 0
    for day in (dt.date(1990, 1, 1), dt.date(2025, 1, 1)):
        table = sweep.sweep_date(day)
        members = states.members_on(day)
        assert table.height == len(members) * (len(members) - 1)
        deep = table.filter(pl.col("rounds") >= 2).select("attacker", "target").rows()
        one = table.filter(pl.col("rounds") == 1).select("attacker", "target").rows()
        none = table.filter(pl.col("rounds") == 0).select("attacker", "target").rows()
        sample = rng.sample(deep, 30) + rng.sample(one, 30) + rng.sample(none, 15)
        for a, t in sample:
            response = respond(Scenario(attackers=(a,), target=t, date=day), cascade=True)
            joiners = [c for rnd in response.rounds for c in rnd.joined]
            row = table.filter(attacker=a, target=t).row(0, named=True)
            assert row["joiners"] == joiners, (day, a, t)
            assert row["round1"] == list(response.rounds[0].joined), (day, a, t)
            assert row["rounds"] == sum(1 for rnd in response.rounds if rnd.joined), (day, a, t)
            assert row["n_joiners"] == len(joiners)
            assert row["war_size"] == 2 + len(joiners)
            checked += 1
            multi += row["rounds"] >= 2
    assert (checked, multi) == (150, 60)


def test_ray_sweep_gives_the_same_table_as_the_single_process_sweep(tmp_path):
    pytest.importorskip("ray", reason="Ray is not installed (pip install foedus[ray])")
    from foedus.cascade import sweep

    chosen = ["PRK", "Cuba"]
    sweep.run(tmp_path / "single", date=DAY, attackers=chosen)
    sweep.run(tmp_path / "ray", date=DAY, attackers=chosen, use_ray=True)
    single, ray_table = sweep.read(tmp_path / "single"), sweep.read(tmp_path / "ray")
    assert single.height > 0
    assert single.equals(ray_table)


def test_ray_missing_is_a_clear_error(monkeypatch):
    import builtins

    from foedus.cascade import sweep
    from foedus.errors import InvalidArgument

    real = builtins.__import__

    def no_ray(name, *args, **kwargs):
        if name == "ray":
            raise ImportError("no ray")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_ray)
    with pytest.raises(InvalidArgument, match=r"pip install foedus\[ray\]"):
        sweep.import_ray()


# ----------------------------------------------------------------------------- validation


def test_validation_world_war_two_britain_is_predicted_and_joined_poland():
    from foedus.cascade import validate

    v = validate.cascade(wars=[139], draws=500)
    ukg = v.states.filter(pl.col("ccode") == UKG).row(0, named=True)
    assert ukg["joined"]
    assert ukg["cascade"]
    assert ukg["cascade_side"] == ukg["joined_side"] == 1
    assert 0.5 < ukg["p_join"] < 1.0
    models = v.summary["model"].to_list()
    assert any(m.startswith("baseline") for m in models)
    assert len(models) == 3
    for row in v.summary.iter_rows(named=True):
        assert row["brier"] is None or 0.0 <= row["brier"] <= 1.0
        assert row["hits"] <= row["predicted"]
