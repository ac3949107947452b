"""Tests of foedus.network: the alliance graph, blocs, centrality, polarity, and their CLI."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import pytest

from foedus import network, states
from foedus.errors import InvalidArgument

GMY, AUH, FRN, RUS, UKG, USA = 255, 300, 220, 365, 200, 2


def _cli(args: list[str]) -> int:
    from foedus.cli import main

    try:
        main(args)
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def _edge(frame: pl.DataFrame, a: int, b: int) -> dict | None:
    a, b = min(a, b), max(a, b)
    hit = frame.filter((pl.col("a") == a) & (pl.col("b") == b))
    return hit.row(0, named=True) if hit.height else None


def test_1914_graph_ties_germany_to_austria_hungary_and_france_to_russia_by_defense_pacts():
    g = network.graph(1914)
    for a, b in ((GMY, AUH), (FRN, RUS)):
        edge = _edge(g, a, b)
        assert edge is not None
        assert "defense" in edge["kinds"]
        assert edge["weight"] == network.OBLIGATION_WEIGHTS["defense"]
    assert _edge(g, GMY, FRN) is None


def test_graph_nodes_are_the_states_in_the_system_that_day():
    day = dt.date(1914, 1, 1)
    assert network.nodes(day)["ccode"].to_list() == states.members_on(day)
    g = network.graph(day)
    members = set(states.members_on(day))
    assert set(g["a"].to_list()) | set(g["b"].to_list()) <= members
    assert (g["a"] < g["b"]).all()


def test_custom_weights_change_the_edge_weight_and_unknown_kinds_are_refused():
    g = network.graph(
        1914,
        weights={
            "defense": 10,
            "offense": 10,
            "neutrality": 1,
            "consultation": 1,
            "non_aggression": 1,
        },
    )
    assert _edge(g, GMY, AUH)["weight"] == 10
    with pytest.raises(InvalidArgument, match="unknown obligation"):
        network.graph(1914, weights={"alliance": 1})


def test_blocs_are_reproducible_with_the_same_seed_and_split_the_1914_camps():
    a = network.blocs(1914, seed=7)
    b = network.blocs(1914, seed=7)
    assert a.equals(b)
    bloc = dict(a.select("ccode", "bloc").iter_rows())
    assert bloc[GMY] == bloc[AUH]
    assert bloc[FRN] == bloc[RUS]
    assert bloc[GMY] != bloc[FRN]
    assert set(a["ccode"].to_list()) == set(states.members_on(dt.date(1914, 1, 1)))
    shares = a.unique("bloc").sort("bloc")["bloc_cinc_share"].to_list()
    assert shares == sorted(shares, reverse=True)
    assert sum(shares) == pytest.approx(1.0)


def test_centrality_columns_are_in_range_and_the_usa_is_the_most_connected_in_2018():
    c = network.centrality(2018)
    for col in ("degree_centrality", "eigenvector", "betweenness"):
        assert c[col].min() >= 0
        assert c[col].max() <= 1 + 1e-9
    top = c.sort("degree", descending=True)["ccode"][0]
    assert top == USA


def test_polarity_has_one_row_per_year_from_1816_to_this_year():
    frame = network.polarity(1816)
    years = frame["year"].to_list()
    assert years == list(range(1816, dt.date.today().year + 1))
    assert (frame["n_poles"] >= 1).all()
    assert (frame["n_poles"] <= 10).all()
    last_nmc = int(frame.filter(~pl.col("cinc_carried_forward"))["year"].max())
    assert frame.filter(pl.col("year") > last_nmc)["cinc_year"].unique().to_list() == [last_nmc]


def test_polarity_counts_the_blocs_over_the_threshold():
    row = network.network_series(1914, 1914).row(0, named=True)
    blocs = network.blocs(1914).unique("bloc")
    assert (
        row["n_poles"] == blocs.filter(pl.col("bloc_cinc_share") >= network.POLE_THRESHOLD).height
    )
    assert row["n_poles"] >= 2
    assert 0 < row["density"] < 1


def test_year_range_outside_the_coverage_is_an_error():
    with pytest.raises(InvalidArgument, match="1816"):
        network.polarity(1700, 1800)
    with pytest.raises(InvalidArgument, match="threshold"):
        network.polarity(1900, 1901, threshold=0)


def test_cli_network_json_lists_blocs_and_ties(capsys):
    assert _cli(["network", "--year", "1914", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["date"] == "1914-01-01"
    assert out["n_states"] == len(out["blocs"])
    assert out["n_ties"] == len(out["ties"])


def test_cli_polarity_plot_writes_a_png_atomically(tmp_path, capsys):
    target = tmp_path / "polarity.png"
    assert _cli(["polarity", "--from", "1900", "--to", "1920", "--plot", str(target)]) == 0
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [p.name for p in tmp_path.iterdir()] == ["polarity.png"]
    assert "1914" in capsys.readouterr().out


def test_cli_network_needs_a_year_or_a_date(capsys):
    assert _cli(["network"]) == 2
    assert "--year" in capsys.readouterr().err


def test_summary_on_1_january_is_the_series_row_and_counts_any_other_day():
    assert network.summary(1914) == network.network_series(1914, 1914).row(0, named=True)
    row = network.summary("1914-06-28")
    n, ties = network.nodes("1914-06-28").height, network.graph("1914-06-28").height
    assert (row["date"], row["n_states"], row["n_ties"]) == (dt.date(1914, 6, 28), n, ties)
    assert row["density"] == pytest.approx(2 * ties / (n * (n - 1)))
    row["poles"].append("XXX")  # a copy: the cached row is untouched
    assert "XXX" not in network.summary("1914-06-28")["poles"]


def test_cli_network_names_only_the_tie_weights_it_used(capsys):
    assert _cli(["network", "--date", "1914-06-28", "--kinds", "defense,offense"]) == 0
    out = capsys.readouterr().out
    assert "Tie weights: defense 3, offense 3 (strongest tie of a pair)." in out
    assert "neutrality 2" not in out
    assert "modularity" in out  # on any day, not only on 1 January
