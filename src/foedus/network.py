"""Alliance networks: the graph of treaty ties on any date, its blocs, poles and central states.

The graph on a day has one node per state in the COW system that day
(:func:`foedus.states.members_on`) and one edge per pair of states bound to each other by at least
one treaty in force that day. An edge is typed by the obligations that tie the pair and weighted by
the strongest of them (:data:`OBLIGATION_WEIGHTS`):

============== ====== ===========================================================
obligation     weight why
============== ====== ===========================================================
defense        3      a promise to fight if the ally is attacked
offense        3      a promise to fight alongside the ally
neutrality     2      a promise to stay out of a war against the ally
consultation   1      a promise to talk
non_aggression 1      a promise not to attack each other
============== ====== ===========================================================

The weights follow the ATOP codebook's ordering of the obligations by how much they commit a state
(Leeds 2022, section 2); they are a documented choice, not an estimate, and can be replaced by
passing ``weights=`` to every function here.

Blocs are communities of that weighted graph found by Louvain modularity maximisation
(networkx's ``louvain_communities``; Blondel et al. 2008), seeded, so the same seed gives the same
blocs. A state without ties is a bloc of its own.

Polarity counts *poles*: blocs whose share of the system's capabilities — the sum of their
members' CINC scores (COW National Material Capabilities v6.0; Singer, Bremer & Stuckey 1972) over
the sum of every system member's score — reaches a threshold (10 % by default). This is the
"cluster polarity" idea of Wayman (1984, *Journal of Peace Research* 21(1)): poles are
alliance-based concentrations of power rather than single great powers (Waltz 1979). Alongside the
count, ``effective_poles`` gives the capability-weighted effective number of blocs, 1 / Σ sᵢ²
(Laakso & Taagepera 1979), which does not jump at the threshold. NMC ends in 2022; later years use
the last observed scores and say so in ``cinc_year``/``cinc_carried_forward``.

Yearly series take each year's graph on 1 January.

>>> from foedus import network
>>> network.polarity(1913, 1914).select("year", "n_poles").rows()  # doctest: +SKIP
[(1913, 3), (1914, 3)]
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping

import networkx as nx
import polars as pl

from foedus import data, states
from foedus.dates import EARLIEST, parse_date, today
from foedus.errors import InvalidArgument

#: Weight of a tie by the obligation that creates it (the strongest obligation of a pair wins).
OBLIGATION_WEIGHTS: Mapping[str, int] = {
    "defense": 3,
    "offense": 3,
    "neutrality": 2,
    "consultation": 1,
    "non_aggression": 1,
}

#: A bloc is a pole when its capability share is at least this (Wayman 1984 uses a like cut).
POLE_THRESHOLD = 0.10


# --------------------------------------------------------------------------- ties


def _normalise_ties(frame: pl.DataFrame, day: dt.date) -> pl.DataFrame:
    """A ties frame (:data:`foedus.treaties.ties.SCHEMA`) as (treaty_id, a, b, kind), a < b, on ``day``.

    Ties are directed (who owes what to whom); the graph is not, so each pair is stored once.
    """
    in_force = (pl.col("valid_from") <= day) & (
        pl.col("valid_to").is_null() | (pl.col("valid_to") > day)
    )
    return (
        frame.filter(in_force)
        .select(
            pl.col("treaty_id").cast(pl.Utf8),
            pl.min_horizontal("obliged", "beneficiary").cast(pl.Int64).alias("a"),
            pl.max_horizontal("obliged", "beneficiary").cast(pl.Int64).alias("b"),
            pl.col("kind").cast(pl.Utf8),
        )
        .filter(pl.col("a") != pl.col("b"))
        .unique()
    )


@functools.lru_cache(maxsize=512)
def ties(day: dt.date) -> pl.DataFrame:
    """Treaty ties in force on ``day``: one row per (treaty_id, a, b, kind), ``a < b``.

    From the treaty registry (:func:`foedus.treaties.ties_frame`: curated treaties plus the ATOP
    alliances no curated treaty links); only the primary obligations count (:data:`OBLIGATION_WEIGHTS`).
    """
    from foedus.treaties import ties_frame

    frame = _normalise_ties(ties_frame("registry"), day)
    return frame.filter(pl.col("kind").is_in(list(OBLIGATION_WEIGHTS))).sort(
        "a", "b", "treaty_id", "kind"
    )


# --------------------------------------------------------------------------- graph


def _weights(weights: Mapping[str, float] | None) -> dict[str, float]:
    chosen = dict(OBLIGATION_WEIGHTS if weights is None else weights)
    unknown = set(chosen) - set(OBLIGATION_WEIGHTS)
    if unknown:
        raise InvalidArgument(
            f"unknown obligation kind(s) {sorted(unknown)} in weights: use {', '.join(OBLIGATION_WEIGHTS)}"
        )
    return chosen


def nodes(date: str | int | dt.date) -> pl.DataFrame:
    """States in the COW system on ``date``: ``ccode``, ``abbrev``, ``name``."""
    day = parse_date(date)
    codes = states.members_on(day)
    return pl.DataFrame(
        {
            "ccode": codes,
            "abbrev": [states.abbrev(c) for c in codes],
            "name": [states.name(c) for c in codes],
        },
        schema={"ccode": pl.Int64, "abbrev": pl.Utf8, "name": pl.Utf8},
    )


def graph(date: str | int | dt.date, *, weights: Mapping[str, float] | None = None) -> pl.DataFrame:
    """The alliance graph's edges on ``date``, one row per tied pair of system members.

    Columns: ``a``, ``b`` (COW codes, a < b), ``abbrev_a``, ``abbrev_b``, ``weight`` (the strongest
    obligation's weight), ``kinds`` (sorted obligation kinds), ``treaties`` (treaty ids),
    ``n_treaties``. Ties to states outside the system that day are left out.

    >>> graph("1914-01-01").filter((pl.col("a") == 220) & (pl.col("b") == 365))["kinds"][0]  # doctest: +SKIP
    ['consultation', 'defense']
    """
    day = parse_date(date)
    w = _weights(weights)
    members = states.members_on(day)
    frame = ties(day).filter(pl.col("a").is_in(members) & pl.col("b").is_in(members))
    frame = frame.filter(pl.col("kind").is_in(list(w))).with_columns(
        pl.col("kind").replace_strict(w, return_dtype=pl.Float64).alias("w")
    )
    edges = (
        frame.group_by("a", "b")
        .agg(
            pl.col("w").max().alias("weight"),
            pl.col("kind").unique().sort().alias("kinds"),
            pl.col("treaty_id").unique().sort().alias("treaties"),
        )
        .with_columns(pl.col("treaties").list.len().cast(pl.Int64).alias("n_treaties"))
        .sort("a", "b")
    )
    abbr = {c: states.abbrev(c) for c in members}
    return edges.select(
        "a",
        "b",
        pl.col("a").replace_strict(abbr, return_dtype=pl.Utf8).alias("abbrev_a"),
        pl.col("b").replace_strict(abbr, return_dtype=pl.Utf8).alias("abbrev_b"),
        "weight",
        "kinds",
        "treaties",
        "n_treaties",
    )


def to_networkx(
    date: str | int | dt.date, *, weights: Mapping[str, float] | None = None
) -> nx.Graph:
    """The alliance graph on ``date`` as a :class:`networkx.Graph` (nodes are COW codes)."""
    day = parse_date(date)
    g = nx.Graph(date=day.isoformat())
    for row in nodes(day).iter_rows(named=True):
        g.add_node(row["ccode"], abbrev=row["abbrev"], name=row["name"])
    for a, b, w, kinds, treaties in (
        graph(day, weights=weights).select("a", "b", "weight", "kinds", "treaties").iter_rows()
    ):
        g.add_edge(a, b, weight=w, kinds=list(kinds), treaties=list(treaties))
    return g


# --------------------------------------------------------------------------- capabilities


@functools.cache
def _cinc() -> pl.DataFrame:
    return data.load("cow_nmc").select(
        pl.col("ccode").cast(pl.Int64),
        pl.col("year").cast(pl.Int64),
        pl.col("cinc").cast(pl.Float64),
    )


def capabilities(year: int) -> tuple[dict[int, float], int]:
    """CINC scores by COW code for ``year`` and the NMC year they come from.

    After NMC's last year the last observed scores are used (the second value says which year).
    """
    frame = _cinc()
    last = int(frame["year"].max())
    first = int(frame["year"].min())
    used = min(max(year, first), last)
    rows = frame.filter(pl.col("year") == used).drop_nulls("cinc")
    return dict(zip(rows["ccode"].to_list(), rows["cinc"].to_list(), strict=True)), used


# --------------------------------------------------------------------------- blocs


def _communities(g: nx.Graph, seed: int) -> list[set[int]]:
    if g.number_of_nodes() == 0:
        return []
    found = nx.community.louvain_communities(g, weight="weight", seed=seed)
    return [set(c) for c in found]


def _bloc_table(
    g: nx.Graph, day: dt.date, seed: int, threshold: float
) -> tuple[pl.DataFrame, float]:
    comms = _communities(g, seed)
    cinc, cinc_year = capabilities(day.year)
    total = sum(cinc.get(n, 0.0) for n in g.nodes) or 1.0
    scored = []
    for members in comms:
        share = sum(cinc.get(n, 0.0) for n in members) / total
        scored.append((share, min(members), sorted(members)))
    # Bloc 1 is the strongest; ties broken by the lowest member code, so the numbering is stable.
    scored.sort(key=lambda t: (-t[0], t[1]))
    rows = []
    for number, (share, _, members) in enumerate(scored, start=1):
        leader = max(members, key=lambda n: (cinc.get(n, 0.0), -n))
        for n in members:
            rows.append(
                {
                    "ccode": n,
                    "abbrev": g.nodes[n]["abbrev"],
                    "name": g.nodes[n]["name"],
                    "bloc": number,
                    "bloc_size": len(members),
                    "bloc_leader": g.nodes[leader]["abbrev"],
                    "cinc": cinc.get(n),
                    "bloc_cinc_share": share,
                    "pole": share >= threshold,
                    "cinc_year": cinc_year,
                }
            )
    schema = {
        "ccode": pl.Int64,
        "abbrev": pl.Utf8,
        "name": pl.Utf8,
        "bloc": pl.Int64,
        "bloc_size": pl.Int64,
        "bloc_leader": pl.Utf8,
        "cinc": pl.Float64,
        "bloc_cinc_share": pl.Float64,
        "pole": pl.Boolean,
        "cinc_year": pl.Int64,
    }
    table = pl.DataFrame(rows, schema=schema).sort("bloc", "ccode")
    modularity = nx.community.modularity(g, comms, weight="weight") if g.number_of_edges() else 0.0
    return table, modularity


def blocs(
    date: str | int | dt.date,
    seed: int = 0,
    *,
    threshold: float = POLE_THRESHOLD,
    weights: Mapping[str, float] | None = None,
) -> pl.DataFrame:
    """Every system member's bloc on ``date`` (Louvain, reproducible with ``seed``).

    Columns: ``ccode``, ``abbrev``, ``name``, ``bloc`` (1 = the bloc with the largest capability
    share), ``bloc_size``, ``bloc_leader`` (abbrev of its most capable member), ``cinc``,
    ``bloc_cinc_share``, ``pole`` (share ≥ ``threshold``), ``cinc_year``.
    """
    _check_threshold(threshold)
    day = parse_date(date)
    table, _ = _bloc_table(to_networkx(day, weights=weights), day, seed, threshold)
    return table


def _check_threshold(threshold: float) -> None:
    if not 0 < threshold <= 1:
        raise InvalidArgument(f"pole threshold {threshold} must be a share in (0, 1], e.g. 0.1")


# --------------------------------------------------------------------------- centrality


def centrality(
    date: str | int | dt.date, *, weights: Mapping[str, float] | None = None
) -> pl.DataFrame:
    """Each system member's centrality in the alliance graph on ``date``.

    Columns: ``ccode``, ``abbrev``, ``name``, ``degree`` (number of allies), ``strength`` (sum of
    tie weights), ``degree_centrality`` (degree / (n − 1)), ``eigenvector`` (weighted), and
    ``betweenness`` (unweighted shortest paths, normalised: weights are strengths, not distances).
    """
    g = to_networkx(parse_date(date), weights=weights)
    if g.number_of_edges():
        try:
            eig = nx.eigenvector_centrality_numpy(g, weight="weight")
        except (nx.NetworkXException, ArithmeticError):
            eig = nx.eigenvector_centrality(g, weight="weight", max_iter=5000, tol=1e-8)
        btw = nx.betweenness_centrality(g, normalized=True)
        dc = nx.degree_centrality(g)
    else:
        eig = btw = dc = dict.fromkeys(g.nodes, 0.0)
    rows = [
        {
            "ccode": n,
            "abbrev": g.nodes[n]["abbrev"],
            "name": g.nodes[n]["name"],
            "degree": g.degree(n),
            "strength": float(g.degree(n, weight="weight")),
            "degree_centrality": float(dc[n]),
            # numpy's eigenvector may come out with a negative sign on a disconnected graph
            "eigenvector": abs(float(eig[n])),
            "betweenness": float(btw[n]),
        }
        for n in g.nodes
    ]
    schema = {
        "ccode": pl.Int64,
        "abbrev": pl.Utf8,
        "name": pl.Utf8,
        "degree": pl.Int64,
        "strength": pl.Float64,
        "degree_centrality": pl.Float64,
        "eigenvector": pl.Float64,
        "betweenness": pl.Float64,
    }
    return pl.DataFrame(rows, schema=schema).sort("ccode")


# --------------------------------------------------------------------------- one day, as JSON


def weights_for(kinds: str | None) -> dict[str, float] | None:
    """The default weights restricted to ``kinds`` (comma-separated, e.g. ``"defense,offense"``),
    or None (every kind) when ``kinds`` is None: the CLI's ``--kinds`` and the web API's ``kinds``.
    """
    if kinds is None:
        return None
    chosen = [k.strip().replace("-", "_") for k in kinds.split(",") if k.strip()]
    unknown = [k for k in chosen if k not in OBLIGATION_WEIGHTS]
    if unknown or not chosen:
        raise InvalidArgument(
            f"unknown obligation kind(s) {unknown or kinds!r}: use {', '.join(OBLIGATION_WEIGHTS)}"
        )
    return {k: OBLIGATION_WEIGHTS[k] for k in chosen}


def snapshot(
    date: str | int | dt.date, *, seed: int = 0, weights: Mapping[str, float] | None = None
) -> dict:
    """The network on ``date`` as one JSON-able dict: what ``foedus network --json`` prints and
    ``GET /api/network`` returns.

    Keys: ``date`` (ISO), ``n_states``, ``n_ties``, ``density``, ``n_poles`` (from
    :func:`summary`), ``ties`` (:func:`graph` rows), ``blocs`` (:func:`blocs` rows),
    ``centrality`` (:func:`centrality` rows, most central first by eigenvector), ``weights``.
    """
    row = summary(date, seed=seed, weights=weights)
    day = row["date"]
    return {
        "date": day.isoformat(),
        "n_states": row["n_states"],
        "n_ties": row["n_ties"],
        "density": row["density"],
        "n_poles": row["n_poles"],
        "ties": graph(day, weights=weights).to_dicts(),
        "blocs": blocs(day, seed=seed, weights=weights).to_dicts(),
        "centrality": centrality(day, weights=weights)
        .sort("eigenvector", descending=True)
        .to_dicts(),
        "weights": dict(weights) if weights else dict(OBLIGATION_WEIGHTS),
    }


# --------------------------------------------------------------------------- series


def _check_years(start: int, end: int) -> tuple[int, int]:
    first, last = EARLIEST.year, today().year
    if not (first <= start <= end <= last):
        raise InvalidArgument(
            f"year range {start}–{end} must lie within {first}–{last} with start ≤ end"
        )
    return start, end


def _weights_key(weights: Mapping[str, float] | None) -> tuple[tuple[str, float], ...] | None:
    """Checked ``weights`` in a hashable form (for the cache of :func:`_day_row`)."""
    return tuple(sorted(_weights(weights).items())) if weights is not None else None


@functools.lru_cache(maxsize=4096)
def _day_row(
    day: dt.date, seed: int, threshold: float, weights: tuple[tuple[str, float], ...] | None
) -> dict:
    year = day.year
    w = dict(weights) if weights is not None else None
    g = to_networkx(day, weights=w)
    table, modularity = _bloc_table(g, day, seed, threshold)
    per_bloc = table.unique("bloc").sort("bloc")
    shares = per_bloc["bloc_cinc_share"].to_list()
    poles = per_bloc.filter(pl.col("pole"))
    sq = sum(s * s for s in shares)
    n = g.number_of_nodes()
    cinc_year = int(table["cinc_year"][0]) if table.height else year
    return {
        "year": year,
        "date": day,
        "n_states": n,
        "n_ties": g.number_of_edges(),
        "density": nx.density(g) if n > 1 else 0.0,
        "mean_degree": (2 * g.number_of_edges() / n) if n else 0.0,
        "n_blocs": per_bloc.height,
        "n_allied_blocs": per_bloc.filter(pl.col("bloc_size") > 1).height,
        "modularity": modularity,
        "n_poles": poles.height,
        "poles": poles["bloc_leader"].to_list(),
        "pole_shares": poles["bloc_cinc_share"].to_list(),
        "effective_poles": (1.0 / sq) if sq > 0 else None,
        "largest_bloc_share": shares[0] if shares else None,
        "cinc_year": cinc_year,
        "cinc_carried_forward": cinc_year != year,
    }


_SERIES_SCHEMA = {
    "year": pl.Int64,
    "date": pl.Date,
    "n_states": pl.Int64,
    "n_ties": pl.Int64,
    "density": pl.Float64,
    "mean_degree": pl.Float64,
    "n_blocs": pl.Int64,
    "n_allied_blocs": pl.Int64,
    "modularity": pl.Float64,
    "n_poles": pl.Int64,
    "poles": pl.List(pl.Utf8),
    "pole_shares": pl.List(pl.Float64),
    "effective_poles": pl.Float64,
    "largest_bloc_share": pl.Float64,
    "cinc_year": pl.Int64,
    "cinc_carried_forward": pl.Boolean,
}


def network_series(
    start: int = 1816,
    end: int | None = None,
    *,
    seed: int = 0,
    threshold: float = POLE_THRESHOLD,
    weights: Mapping[str, float] | None = None,
) -> pl.DataFrame:
    """One row per year (graph on 1 January): size, ties, density, blocs, modularity, poles.

    Columns: ``year``, ``date``, ``n_states``, ``n_ties``, ``density``, ``mean_degree``,
    ``n_blocs`` (singletons included), ``n_allied_blocs`` (two or more members), ``modularity``,
    ``n_poles``, ``poles`` (leaders' abbrevs), ``pole_shares``, ``effective_poles``,
    ``largest_bloc_share``, ``cinc_year``, ``cinc_carried_forward``.
    """
    end = today().year if end is None else end
    start, end = _check_years(int(start), int(end))
    _check_threshold(threshold)
    key = _weights_key(weights)
    rows = [_day_row(dt.date(y, 1, 1), seed, threshold, key) for y in range(start, end + 1)]
    return pl.DataFrame(rows, schema=_SERIES_SCHEMA)


def summary(
    date: str | int | dt.date,
    *,
    seed: int = 0,
    threshold: float = POLE_THRESHOLD,
    weights: Mapping[str, float] | None = None,
) -> dict:
    """The graph on ``date`` in numbers: a :func:`network_series` row for any day (same keys).

    >>> summary("1914-06-28")["n_poles"]  # doctest: +SKIP
    3
    """
    _check_threshold(threshold)
    row = _day_row(parse_date(date), seed, threshold, _weights_key(weights))
    return {k: list(v) if isinstance(v, list) else v for k, v in row.items()}  # the cache's stays


def polarity(
    start: int = 1816,
    end: int | None = None,
    *,
    seed: int = 0,
    threshold: float = POLE_THRESHOLD,
    weights: Mapping[str, float] | None = None,
) -> pl.DataFrame:
    """The number of poles each year from ``start`` to ``end`` (default: this year).

    Columns: ``year``, ``n_poles``, ``poles``, ``pole_shares``, ``effective_poles``,
    ``largest_bloc_share``, ``n_allied_blocs``, ``cinc_year``, ``cinc_carried_forward``.
    See the module docstring for the measure.
    """
    series = network_series(start, end, seed=seed, threshold=threshold, weights=weights)
    return series.select(
        "year",
        "n_poles",
        "poles",
        "pole_shares",
        "effective_poles",
        "largest_bloc_share",
        "n_allied_blocs",
        "cinc_year",
        "cinc_carried_forward",
    )


def plot_polarity(frame: pl.DataFrame, target, *, threshold: float = POLE_THRESHOLD) -> None:
    """Draw a polarity series (from :func:`polarity`) to a PNG at ``target``, written atomically.

    ``threshold``: the one the series was computed with (it labels the chart).
    """
    from pathlib import Path

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fig, ax = plt.subplots(figsize=(11, 4.2), dpi=120)
    years = frame["year"].to_list()
    ax.step(
        years,
        frame["n_poles"].to_list(),
        where="post",
        color="#1f4e79",
        lw=1.6,
        label=f"poles (bloc CINC share ≥ {threshold:.0%})",
    )
    ax.plot(
        years,
        frame["effective_poles"].to_list(),
        color="#c0504d",
        lw=1.0,
        alpha=0.85,
        label="effective number of blocs (1/Σs²)",
    )
    ax.set_xlabel("year (alliance graph on 1 January)")
    ax.set_ylabel("poles")
    ax.set_title(
        f"Alliance-bloc polarity, {years[0]}–{years[-1]}" if years else "Alliance-bloc polarity"
    )
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", frameon=False)
    fig.tight_layout()
    from foedus.data import atomic_target

    try:
        with atomic_target(target) as tmp:
            fig.savefig(tmp, format="png")
    finally:
        plt.close(fig)
