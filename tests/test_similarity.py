"""foedus.similarity: the measures' defining properties, worked examples, and the real portfolios.

Hand-worked examples follow the definitions in Signorino & Ritter (1999) and Häge (2011);
the vectorised kernels are also checked against a plain double loop over every dyad of a year.
"""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from foedus.errors import InvalidArgument
from foedus.similarity import (
    MEASURES,
    add_similarity,
    compare,
    pairwise,
    portfolio_levels,
    similarity,
)

CODES = st.integers(min_value=0, max_value=3)


@st.composite
def portfolio_pairs(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = draw(st.integers(min_value=2, max_value=30))
    x = draw(arrays(np.int64, n, elements=CODES))
    y = draw(arrays(np.int64, n, elements=CODES))
    w = draw(arrays(np.float64, n, elements=st.floats(min_value=0.001, max_value=1.0)))
    return x, y, w


def _all(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> dict[str, np.ndarray]:
    return pairwise(np.stack([x, y]), w, MEASURES)


@settings(max_examples=150, deadline=None)
@given(portfolio_pairs())
def test_identical_portfolios_score_1_on_every_measure(
    pair: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> None:
    x, _, w = pair
    out = _all(x, x, w)
    for m in ("s", "s_sq", "s_w", "s_wsq", "kappa", "pi"):
        assert out[m][0, 1] == pytest.approx(1.0), m
    if len(set(x.tolist())) > 1:
        assert out["tau_b"][0, 1] == pytest.approx(1.0)
    else:  # tau-b is undefined for a constant portfolio
        assert math.isnan(out["tau_b"][0, 1])


@settings(max_examples=150, deadline=None)
@given(portfolio_pairs())
def test_every_measure_is_symmetric(pair: tuple[np.ndarray, np.ndarray, np.ndarray]) -> None:
    x, y, w = pair
    out = _all(x, y, w)
    for m in MEASURES:
        a, b = out[m][0, 1], out[m][1, 0]
        assert (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b), m


@settings(max_examples=150, deadline=None)
@given(portfolio_pairs())
def test_every_measure_lies_between_minus_1_and_1(
    pair: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> None:
    x, y, w = pair
    out = _all(x, y, w)
    for m in MEASURES:
        v = out[m][0, 1]
        assert math.isnan(v) or -1 - 1e-9 <= v <= 1 + 1e-9, (m, v)


@settings(max_examples=100, deadline=None)
@given(portfolio_pairs())
def test_opposite_extremes_give_s_minus_1_and_unit_weights_give_unweighted_s(
    pair: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> None:
    x, y, _ = pair
    ones = np.ones(len(x))
    out = _all(x, y, ones)
    assert out["s_w"][0, 1] == pytest.approx(out["s"][0, 1])
    assert out["s_wsq"][0, 1] == pytest.approx(out["s_sq"][0, 1])
    far = np.where(x >= 2, 0, 3)
    if np.all(np.abs(x - far) == 3):
        assert _all(x, far, ones)["s"][0, 1] == pytest.approx(-1.0)


def test_hand_worked_example_from_the_definitions() -> None:
    # x = (3, 0, 0, 1), y = (3, 0, 1, 0), n = 4, range R = 3.
    x, y = [3, 0, 0, 1], [3, 0, 1, 0]
    # S (Signorino & Ritter): 1 - 2 * (0 + 0 + 1 + 1) / (4 * 3) = 2/3; squared: 1 - 2 * (2/9) / 4 = 8/9.
    assert compare(x, y, "s") == pytest.approx(2 / 3)
    assert compare(x, y, "s_sq") == pytest.approx(8 / 9)
    # Weighted by (.5, .25, .125, .125): 1 - 2 * (.125/3 + .125/3) / 1 = 5/6.
    assert compare(x, y, "s_w", weights=[0.5, 0.25, 0.125, 0.125]) == pytest.approx(5 / 6)
    # Kendall's tau-b: 3 concordant, 1 discordant pair; one tie in x, one in y: 2 / sqrt(5 * 5).
    assert compare(x, y, "tau_b") == pytest.approx(0.4)
    # Häge's kappa with squared distances: D_o = (1/9 + 1/9) / 4 = 1/18;
    # both marginals (1/2, 1/4, 0, 1/4): D_e = 2 (1/2·1/4·1/9 + 1/2·1/4·1 + 1/4·1/4·4/9) = 1/3.
    assert compare(x, y, "kappa") == pytest.approx(1 - (1 / 18) / (1 / 3))
    # Equal marginals: Scott's pi equals kappa.
    assert compare(x, y, "pi") == pytest.approx(5 / 6)


def test_kappa_and_pi_differ_when_the_marginals_differ() -> None:
    # x = (3, 3, 0, 0), y = (3, 0, 0, 0): D_o = 1/4; p_x = (1/2, 0, 0, 1/2), p_y = (3/4, 0, 0, 1/4).
    # kappa: D_e = 1/2·1/4 + 1/2·3/4 = 1/2 -> 1/2.  pi: pooled (5/8, 3/8): D_e = 2·5/8·3/8 = 15/32 -> 7/15.
    x, y = [3, 3, 0, 0], [3, 0, 0, 0]
    assert compare(x, y, "kappa") == pytest.approx(0.5)
    assert compare(x, y, "pi") == pytest.approx(7 / 15)


def test_bad_portfolios_and_measures_are_invalid_arguments() -> None:
    with pytest.raises(InvalidArgument):
        compare([0, 4], [0, 1])
    with pytest.raises(InvalidArgument):
        compare([0, 1], [0, 1, 2])
    with pytest.raises(InvalidArgument, match="unknown similarity measure"):
        similarity(1962, "nope")
    with pytest.raises(InvalidArgument, match="outside"):
        similarity(1700)
    with pytest.raises(InvalidArgument, match="outside"):
        similarity(2020, source="atop")


def _brute_force(matrix: np.ndarray, weights: np.ndarray) -> dict[str, np.ndarray]:
    """Every measure by its textbook formula, one dyad at a time."""
    n = matrix.shape[0]
    d2 = ((np.arange(4)[:, None] - np.arange(4)[None, :]) / 3) ** 2
    out = {m: np.full((n, n), np.nan) for m in ("s", "s_sq", "s_w", "tau_b", "kappa", "pi")}
    known = ~np.isnan(weights)
    for i in range(n):
        for j in range(n):
            x, y = matrix[i], matrix[j]
            out["s"][i, j] = 1 - 2 * np.abs(x - y).sum() / (n * 3)
            out["s_sq"][i, j] = 1 - 2 * (((x - y) / 3) ** 2).sum() / n
            wk = weights[known]
            out["s_w"][i, j] = 1 - 2 * (wk * np.abs(x[known] - y[known]) / 3).sum() / wk.sum()
            dx, dy = np.sign(x[:, None] - x[None, :]), np.sign(y[:, None] - y[None, :])
            pairs = n * (n - 1) / 2
            tx = pairs - sum(c * (c - 1) / 2 for c in np.bincount(x, minlength=4))
            ty = pairs - sum(c * (c - 1) / 2 for c in np.bincount(y, minlength=4))
            if tx > 0 and ty > 0:
                out["tau_b"][i, j] = (dx * dy).sum() / 2 / math.sqrt(tx * ty)
            obs = np.zeros((4, 4))
            np.add.at(obs, (x, y), 1 / n)
            px, py = obs.sum(1), obs.sum(0)
            do = (d2 * obs).sum()
            pb = (px + py) / 2
            out["kappa"][i, j] = 1 - do / (px @ d2 @ py) if px @ d2 @ py > 0 else 1.0
            out["pi"][i, j] = 1 - do / (pb @ d2 @ pb) if pb @ d2 @ pb > 0 else 1.0
    return out


def test_every_dyad_of_1914_equals_the_textbook_formulas_one_dyad_at_a_time() -> None:
    from foedus.panels import state_years
    from foedus.panels.nmc import nmc_table

    codes = np.sort(state_years(years=1914)["ccode"].to_numpy())
    index = {c: k for k, c in enumerate(codes)}
    matrix = np.zeros((len(codes), len(codes)), dtype=np.int64)
    np.fill_diagonal(matrix, 3)
    for c1, c2, level in (
        portfolio_levels()
        .filter(pl.col("year") == 1914)
        .select("ccode1", "ccode2", "level")
        .iter_rows()
    ):
        if c1 in index and c2 in index:
            matrix[index[c1], index[c2]] = level
    cinc = dict(nmc_table().filter(pl.col("year") == 1914).select("ccode", "cinc").iter_rows())
    weights = np.array([cinc.get(c, np.nan) for c in codes], dtype=np.float64)
    expected = _brute_force(matrix, weights)
    got = similarity(1914).sort("ccode1", "ccode2")
    assert got.height == len(codes) * (len(codes) - 1)
    for m, table in expected.items():
        want = np.array(
            [table[index[a], index[b]] for a, b in got.select("ccode1", "ccode2").iter_rows()]
        )
        have = got[m].to_numpy()
        np.testing.assert_allclose(
            np.nan_to_num(have, nan=9), np.nan_to_num(want, nan=9), atol=1e-9, err_msg=m
        )


def test_similarity_covers_every_dyad_year_and_is_symmetric_in_the_table() -> None:
    from foedus.panels import dyad_years

    t = similarity((1960, 1962), ["s", "kappa"])
    assert t.height == dyad_years(years=(1960, 1962)).height
    back = t.select(
        pl.col("ccode2").alias("ccode1"),
        pl.col("ccode1").alias("ccode2"),
        "year",
        pl.col("kappa").alias("k2"),
    )
    j = t.join(back, on=["ccode1", "ccode2", "year"])
    assert j.filter((pl.col("kappa") - pl.col("k2")).abs() > 1e-12).height == 0


def test_weighted_s_is_null_after_the_last_cinc_year_and_atop_stops_in_2018() -> None:
    t = similarity((2022, 2023), ["s_w", "s"])
    assert t.filter(pl.col("year") == 2022)["s_w"].null_count() == 0
    assert (
        t.filter(pl.col("year") == 2023)["s_w"].null_count()
        == t.filter(pl.col("year") == 2023).height
    )
    assert t["s"].null_count() == 0


def test_nato_allies_are_more_similar_than_cold_war_rivals_in_1962() -> None:
    t = similarity(1962, ["kappa", "s"])

    def value(a: int, b: int, m: str) -> float:
        return t.filter((pl.col("ccode1") == a) & (pl.col("ccode2") == b))[m].item()

    assert value(2, 200, "kappa") > 0.3 > value(2, 365, "kappa")
    assert value(2, 200, "s") > value(2, 365, "s")


def test_the_two_codings_and_directedness_change_the_portfolios_not_the_rules() -> None:
    sr = portfolio_levels(coding="sr").filter(pl.col("year") == 2000)
    fpsim = portfolio_levels(coding="fpsim").filter(pl.col("year") == 2000)
    assert set(sr["level"].unique()) <= {1, 2, 3}
    assert set(fpsim["level"].unique()) <= {1, 2, 3}
    assert sr.height == fpsim.height
    undirected = portfolio_levels(directed=False).filter(pl.col("year") == 2000)
    assert undirected.height >= sr.height
    with pytest.raises(InvalidArgument):
        portfolio_levels(coding="other")  # type: ignore[arg-type]


def test_add_similarity_joins_onto_a_dyad_year_frame_and_leaves_uncovered_years_null() -> None:
    from foedus.panels import dyad_years

    t = dyad_years(years=(2018, 2019)).pipe(add_similarity, "kappa", source="atop")
    assert t.filter(pl.col("year") == 2018)["kappa"].null_count() == 0
    assert (
        t.filter(pl.col("year") == 2019)["kappa"].null_count()
        == t.filter(pl.col("year") == 2019).height
    )


def test_add_similarity_refuses_an_unknown_measure_or_source_even_outside_coverage() -> None:
    from foedus.panels import dyad_years

    frame = dyad_years(years=2019)  # after ATOP: no similarity is computed
    with pytest.raises(InvalidArgument, match="unknown similarity measure"):
        add_similarity(frame, "nope", source="atop")
    with pytest.raises(InvalidArgument, match="unknown portfolio source"):
        add_similarity(frame, "kappa", source="bogus")  # type: ignore[arg-type]
    with pytest.raises(InvalidArgument, match="unknown portfolio source"):
        similarity(2000, "kappa", source="bogus")  # type: ignore[arg-type]
