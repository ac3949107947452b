"""CLI commands: ``foedus network``, ``polarity``, ``cascade``, ``sweep`` (and ``validate cascade``).

Parsing and rendering only: the answers come from :mod:`foedus.network` and
:mod:`foedus.cascade`; ``--json`` prints the same frames the Python API returns.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.console import Console
from rich.table import Table

from foedus.cli._output import echo_json
from foedus.errors import InvalidArgument

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables")]
KindsOpt = Annotated[
    str | None,
    typer.Option(
        "--kinds", help="Only ties of these obligations, e.g. defense,offense (default: all five)"
    ),
]


def _weights(kinds: str | None) -> dict[str, float] | None:
    """The default weights restricted to ``kinds`` (comma-separated), or None for all."""
    from foedus.network import weights_for

    return weights_for(kinds)


SeedOpt = Annotated[int, typer.Option("--seed", help="Random seed (same seed, same answer)")]


def _console() -> Console:
    return Console(highlight=False, soft_wrap=False)


def _table(*columns: str, title: str | None = None, fold: bool = False) -> Table:
    """A borderless table with a rule under its header (every table these commands print)."""
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, title=title)
    for column in columns:
        table.add_column(column, **({"overflow": "fold"} if fold else {}))
    return table


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{100 * x:.1f}%"


# ----------------------------------------------------------------------------- network


def network_cmd(
    year: Annotated[
        int | None, typer.Option("--year", help="Graph on 1 January of this year")
    ] = None,
    date: Annotated[
        str | None, typer.Option("--date", help="Graph on this day (YYYY-MM-DD)")
    ] = None,
    seed: SeedOpt = 0,
    top: Annotated[int, typer.Option("--top", help="How many central states to list")] = 10,
    kinds: KindsOpt = None,
    as_json: JsonFlag = False,
) -> None:
    """The alliance network on a date: ties, density, blocs (Louvain) and the most central states."""
    import polars as pl

    from foedus import network

    if (year is None) == (date is None):
        raise InvalidArgument("give exactly one of --year or --date, e.g. --year 1914")
    weights = _weights(kinds)
    on = year if year is not None else date
    if as_json:
        echo_json(network.snapshot(on, seed=seed, weights=weights))
        return
    row = network.summary(on, seed=seed, weights=weights)
    day = row["date"]
    blocs = network.blocs(day, seed=seed, weights=weights)
    cent = network.centrality(day, weights=weights).sort("eigenvector", descending=True)
    console = _console()
    console.print(f"[bold]Alliance network on {day.isoformat()}[/bold]")
    console.print(
        f"{row['n_states']} states, {row['n_ties']} tied pairs, density {row['density']:.3f}"
    )
    console.print(
        f"modularity {row['modularity']:.3f}, {row['n_poles']} poles (bloc CINC share ≥ 10%, CINC {row['cinc_year']})"
    )
    table = _table(
        "bloc", "leader", "CINC share", "pole", "members",
        title="Blocs (two or more members, and poles)", fold=True,
    )  # fmt: skip
    per_bloc = (
        blocs.filter((pl.col("bloc_size") > 1) | pl.col("pole"))
        .group_by("bloc", maintain_order=True)
        .agg(
            pl.col("abbrev"),
            pl.col("bloc_leader").first(),
            pl.col("bloc_cinc_share").first(),
            pl.col("pole").first(),
        )
    )
    for b in per_bloc.iter_rows(named=True):
        table.add_row(
            str(b["bloc"]),
            b["bloc_leader"],
            _pct(b["bloc_cinc_share"]),
            "yes" if b["pole"] else "",
            " ".join(b["abbrev"]),
        )
    console.print(table)
    ctable = _table(
        "state", "allies", "strength", "eigenvector", "betweenness", title="Most central states"
    )
    for c in cent.head(top).iter_rows(named=True):
        ctable.add_row(
            f"{c['name']} ({c['abbrev']})",
            str(c["degree"]),
            f"{c['strength']:.0f}",
            f"{c['eigenvector']:.3f}",
            f"{c['betweenness']:.3f}",
        )
    console.print(ctable)
    shown = ", ".join(
        f"{k.replace('_', '-')} {v:g}" for k, v in (weights or network.OBLIGATION_WEIGHTS).items()
    )
    console.print(f"Tie weights: {shown} (strongest tie of a pair).")


# ----------------------------------------------------------------------------- polarity


def polarity_cmd(
    start: Annotated[int, typer.Option("--from", help="First year")] = 1816,
    end: Annotated[int | None, typer.Option("--to", help="Last year (default: this year)")] = None,
    plot: Annotated[Path | None, typer.Option("--plot", help="Save a PNG chart here")] = None,
    threshold: Annotated[
        float, typer.Option("--threshold", help="Capability share that makes a bloc a pole")
    ] = 0.10,
    seed: SeedOpt = 0,
    kinds: KindsOpt = None,
    as_json: JsonFlag = False,
) -> None:
    """Poles of the alliance system per year: blocs whose CINC share reaches the threshold."""
    from foedus import network

    frame = network.polarity(start, end, seed=seed, threshold=threshold, weights=_weights(kinds))
    if plot is not None:
        network.plot_polarity(frame, plot, threshold=threshold)
    if as_json:
        echo_json(frame.to_dicts())
        return
    console = _console()
    table = _table("year", "poles", "effective", "largest bloc", "pole leaders (share)")
    for r in frame.iter_rows(named=True):
        leaders = ", ".join(
            f"{p} {_pct(s)}" for p, s in zip(r["poles"], r["pole_shares"], strict=True)
        )
        carried = " *" if r["cinc_carried_forward"] else ""
        table.add_row(
            str(r["year"]) + carried,
            str(r["n_poles"]),
            "—" if r["effective_poles"] is None else f"{r['effective_poles']:.2f}",
            _pct(r["largest_bloc_share"]),
            leaders,
        )
    console.print(table)
    console.print(
        f"Poles: Louvain blocs of the alliance graph on 1 January (seed {seed}) whose share of the "
        f"system's CINC is ≥ {threshold:.0%} (Wayman 1984's cluster polarity); effective = 1/Σ share²."
    )
    if frame["cinc_carried_forward"].any():
        console.print("* CINC after its last year (NMC 6.0 ends in 2022) is carried forward.")
    if plot is not None:
        console.print(f"Chart saved to {plot}")


# ----------------------------------------------------------------------------- cascade


def cascade_cmd(
    attacker: Annotated[
        list[str], typer.Option("--attacker", help="Attacking state (repeat for several)")
    ],
    target: Annotated[str, typer.Option("--target", help="Attacked state")],
    date: Annotated[str, typer.Option("--date", help="Day of the attack (YYYY-MM-DD)")],
    draws: Annotated[
        int, typer.Option("--draws", help="Monte Carlo draws (0: deterministic only)")
    ] = 100_000,
    device: Annotated[str, typer.Option("--device", help="cpu | cuda | auto")] = "auto",
    seed: SeedOpt = 0,
    rate: Annotated[
        float | None,
        typer.Option(
            "--rate", help="Honour rate of obligated states (default 0.745, Leeds et al. 2000)"
        ),
    ] = None,
    unknown_rate: Annotated[
        float | None,
        typer.Option("--unknown-rate", help="Rate for `unknown` verdicts (default 0.5)"),
    ] = None,
    place: Annotated[
        str | None,
        typer.Option("--place", help="Where the attack happens (default: the target's territory)"),
    ] = None,
    kind: Annotated[
        str | None, typer.Option("--kind", help="armed-attack | state-of-war | threat")
    ] = None,
    top: Annotated[int, typer.Option("--top", help="How many coalitions to list")] = 5,
    max_states: Annotated[
        int, typer.Option("--max-states", help="How many responders to list")
    ] = 25,
    as_json: JsonFlag = False,
) -> None:
    """Chain-ganging: the deterministic rounds of joiners and Monte Carlo join probabilities."""
    from foedus import cascade

    rounds = cascade.rounds(attacker, target, date, place=place, kind=kind)
    mc = None
    if draws > 0:
        base = cascade.Rates()
        rates = cascade.Rates(
            default=base.default if rate is None else rate,
            unknown=base.unknown if unknown_rate is None else unknown_rate,
        )
        mc = cascade.simulate(
            attacker,
            target,
            date,
            draws=draws,
            seed=seed,
            rates=rates,
            device=device,
            top=top,
            place=place,
            kind=kind,
        )
    if as_json:
        echo_json({"rounds": rounds.to_dicts(), "monte_carlo": mc.to_dict() if mc else None})
        return
    console = _console()
    table = _table(
        "round", "state", "side", "triggered by", "treaty", "article",
        title="Deterministic cascade (every obligated state honours its word)", fold=True,
    )  # fmt: skip
    seen: set[tuple[int, int]] = set()
    from foedus import states

    for r in rounds.iter_rows(named=True):
        first = (r["round"], r["ccode"]) not in seen
        seen.add((r["round"], r["ccode"]))
        trigger = (
            "—"
            if r["trigger_attacker"] is None
            else f"{states.abbrev(r['trigger_attacker'])} → {states.abbrev(r['trigger_target'])}"
        )
        table.add_row(
            str(r["round"]) if first else "",
            f"{r['name']} ({r['abbrev']})" if first else "",
            r["side"] + " side" if first else "",
            trigger,
            r["treaty_id"] or "—",
            r["article"] or "—",
        )
    console.print(table)
    if mc is None:
        return
    mtable = _table(
        "state", "P(join)", "attacker side", "target side", "det. round",
        title=f"Monte Carlo: {mc.draws:,} draws, seed {mc.seed}, {mc.backend} on {mc.device}, {mc.seconds:.2f} s",
    )  # fmt: skip
    responders = mc.states.filter(mc.states["role"] == "responder")
    shown = responders.head(max_states)
    for s in shown.iter_rows(named=True):
        mtable.add_row(
            f"{s['name']} ({s['abbrev']})",
            _pct(s["p_join"]),
            _pct(s["p_attacker_side"]),
            _pct(s["p_target_side"]),
            "—" if s["round"] is None else str(s["round"]),
        )
    console.print(mtable)
    if responders.height > shown.height:
        console.print(
            f"… and {responders.height - shown.height} more states with smaller probabilities (--max-states, --json lists all)."
        )
    if responders.filter(responders["round"].is_null() & (responders["p_join"] > 0)).height:
        console.print(
            "det. round —: the state joins only through `unknown` verdicts (undecidable conditions), at --unknown-rate."
        )
    console.print(
        f"Expected war size: {mc.expected_size():.2f} states (the scenario's own included)."
    )
    wtable = _table(
        "share", "attacker side", "target side", title="Most likely coalitions", fold=True
    )
    for c in mc.coalitions.iter_rows(named=True):
        wtable.add_row(_pct(c["share"]), " ".join(c["attacker_side"]), " ".join(c["target_side"]))
    console.print(wtable)
    console.print(
        f"Honour rate {mc.rates.default} ({'Leeds, Long & Mitchell 2000' if mc.rates.default == cascade.LLM2000_RATE else 'set by --rate'}); `unknown` verdicts {mc.rates.unknown}."
    )


# ----------------------------------------------------------------------------- sweep


def sweep_cmd(
    out: Annotated[Path, typer.Option("-o", "--out", help="Folder for the parquet partitions")],
    date: Annotated[
        str | None, typer.Option("--date", help="One day: every directed dyad on it")
    ] = None,
    start: Annotated[
        int | None, typer.Option("--from", help="First year (1 January of each year)")
    ] = None,
    end: Annotated[int | None, typer.Option("--to", help="Last year")] = None,
    draws: Annotated[
        int, typer.Option("--draws", help="Monte Carlo draws per dyad (0: deterministic only)")
    ] = 0,
    seed: SeedOpt = 0,
    use_ray: Annotated[
        bool, typer.Option("--ray", help="Run partitions in parallel on Ray")
    ] = False,
    address: Annotated[
        str | None, typer.Option("--address", help="Ray cluster address (default: a local Ray)")
    ] = None,
    attacker: Annotated[
        list[str] | None,
        typer.Option("--attacker", help="Only these attackers (repeat); default every state"),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Cascade of every directed dyad as a scenario, written to parquet by partition (resumable)."""
    from foedus.cascade import sweep

    report = sweep.run(
        out,
        date=date,
        start=start,
        end=end,
        draws=draws,
        seed=seed,
        use_ray=use_ray,
        address=address,
        attackers=attacker or None,
    )
    if as_json:
        echo_json(report)
        return
    console = _console()
    console.print(
        f"{report['partitions']} partitions ({report['written']} written, {report['skipped']} already there) "
        f"in {report['seconds']:.1f} s → {report['out']}"
    )
    console.print(f"{report['rows']:,} dyads; engine: {report['engine']}")


# ----------------------------------------------------------------------------- validate


def validate_cascade_cmd(
    draws: Annotated[int, typer.Option("--draws", help="Monte Carlo draws per war")] = 2000,
    seed: SeedOpt = 0,
    as_json: JsonFlag = False,
) -> None:
    """Replay each COW inter-state war's onset: does the cascade predict the states that joined?"""
    from foedus.cascade import validate

    result = validate.cascade(draws=draws, seed=seed)
    if as_json:
        echo_json(
            {
                "summary": result.summary.to_dicts(),
                "states": result.states.to_dicts(),
                "wars": result.wars.to_dicts(),
            }
        )
        return
    console = _console()
    table = _table(
        "model", "predicted", "joined", "hits", "precision", "recall", "Brier",
        title="Cascade vs. who joined COW inter-state wars",
    )  # fmt: skip
    for r in result.summary.iter_rows(named=True):
        table.add_row(
            r["model"], str(r["predicted"]), str(r["joined"]), str(r["hits"]), _pct(r["precision"]), _pct(r["recall"]),
            "—" if r["brier"] is None else f"{r['brier']:.4f}",
        )  # fmt: skip
    console.print(table)
    console.print(
        f"{result.wars.height} wars replayed at onset ({result.states.height} candidate states: every state "
        "tied by a treaty to a war's initial belligerents). `--json` lists them."
    )


def register_validate(validate_app: typer.Typer) -> None:
    """Add ``cascade`` to the ``foedus validate`` sub-app (called by the obligations CLI)."""
    validate_app.command("cascade")(validate_cascade_cmd)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the `foedus` app."""
    app.command("network")(network_cmd)
    app.command("polarity")(polarity_cmd)
    app.command("cascade")(cascade_cmd)
    app.command("sweep")(sweep_cmd)
