"""CLI commands: ``foedus respond``, ``foedus places`` and the ``foedus validate`` group.

Parsing and rendering only: verdicts come from :func:`foedus.obligations.respond`, the history
check from :func:`foedus.validation.validate_wars`; ``--json`` prints ``Response.to_dict()`` — the
same JSON the web app returns.

``foedus validate`` is a command group shared with other modules. Another CLI module adds a
command to it by defining ``register_validate(validate_app: typer.Typer) -> None`` (as
``foedus.cli.network`` does for ``validate cascade``): this module's ``register`` calls it for
every module of :mod:`foedus.cli` that has one (``foedus.cli`` imports them all first).
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from foedus.cli._output import echo_json

validate_app = typer.Typer(
    name="validate",
    help="Check foedus's answers against history (COW wars, ...).",
    no_args_is_help=True,
)

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables")]

_STYLE = {"obligated": "bold red", "unknown": "yellow", "consult": "cyan", "not_obligated": "dim"}
_SYMBOL = {"met": "✓", "not_met": "✗", "undecidable": "?", "recorded": "·"}
_DUTY = {
    "defend": "defend",
    "consult": "consult",
    "stay_neutral": "stay neutral",
    "no_aggression": "no aggression",
    "none": "—",
}


def _console() -> Console:
    return Console(highlight=False, soft_wrap=False)


def _why(r) -> str:
    """The one check that best explains a verdict, for the table."""
    cited = r.cited
    wanted = {"obligated": "met", "consult": "met", "unknown": "undecidable"}.get(r.verdict)
    if r.verdict == "not_obligated":
        if r.obligation == "stay_neutral":
            return "must not help the attacker (neutrality pledge)"
        if r.obligation == "no_aggression":
            return "must not attack the target (non-aggression pledge)"
        wanted = "not_met"
    if wanted == "met":
        kinds = [c.kind.replace("_", " ") for c in cited.checks if c.status == "met"]
        return "every condition met" + (f" ({', '.join(dict.fromkeys(kinds))})" if kinds else "")
    for check in cited.checks:
        if check.status == wanted:
            return check.reason
    return ""


def _short(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _article(r) -> str:
    return r.article if r.article not in ("not recorded",) else "—"


def _scenario_line(scenario) -> str:
    from foedus import states

    attackers = ", ".join(states.name(a) for a in scenario.attackers)
    place = scenario.place_info.name
    provoked = {None: "provocation not stated", True: "provoked", False: "unprovoked"}[
        scenario.provoked
    ]
    return (
        f"{attackers} → {states.name(scenario.target)} on {scenario.date.isoformat()}: "
        f"{scenario.kind.replace('_', ' ')} on {place}, {provoked}"
    )


def _table(responses, *, title: str | None = None, show_round: bool = False) -> Table:
    table = Table(
        title=title, title_justify="left", box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False
    )
    table.add_column("state", max_width=20, overflow="fold")
    if show_round:
        table.add_column("round", justify="right", no_wrap=True)
    table.add_column("verdict", no_wrap=True)
    table.add_column("duty", max_width=13, overflow="fold")
    table.add_column("treaty", no_wrap=True)
    table.add_column("art.", no_wrap=True)
    table.add_column("why", ratio=1, min_width=24, overflow="fold")
    current = None
    for r in responses:
        if r.verdict != current:
            if current is not None:
                table.add_section()
            current = r.verdict
        cells = [r.name]
        if show_round:
            cells.append(str(r.round))
        cells += [
            Text(r.verdict, style=_STYLE[r.verdict]),
            _DUTY[r.obligation],
            r.treaty_id,
            _article(r),
            _short(_why(r)),
        ]
        table.add_row(*cells)
    return table


def _explain(console: Console, response, state: str) -> None:
    from foedus.errors import InvalidArgument

    found = response.get(state)
    if found is None:
        raise InvalidArgument(
            f"{state} has no treaty tie to the target in force on {response.scenario.date.isoformat()}: "
            "run without --explain to see the states that do"
        )
    console.print(Text(f"{found.name}: {found.verdict}", style=_STYLE[found.verdict]), end="")
    bounds = (
        f" (at least {found.at_least}, at most {found.at_most})"
        if found.verdict == "unknown"
        else ""
    )
    console.print(f"{bounds} — cites {found.treaty_name}, art. {found.article}")
    for tie in found.trace:
        console.print()
        console.print(
            Text(
                f"{tie.treaty_name} [{tie.treaty_id}] — art. {tie.article} ({tie.provision_kind.replace('_', ' ')}): {tie.verdict}",
                style="bold",
            )
        )
        console.print(
            Text(("  “" + tie.clause + "”") if tie.quote else "  " + tie.clause, style="italic")
        )
        for check in tie.checks:
            origin = "foedus rule" if check.implicit else check.kind.replace("_", " ")
            console.print(
                Text(f"  {_SYMBOL[check.status]} {check.status:<11} [{origin}] {check.reason}")
            )
        for note in tie.notes:
            console.print(Text(f"  note: {note}", style="dim"))
        for source in tie.sources[:3]:
            url = f" <{source['url']}>" if source.get("url") else ""
            console.print(Text(f"  source: {source['citation']}{url}", style="dim"))


def respond_cmd(
    attacker: Annotated[
        list[str],
        typer.Option(
            "--attacker", help="Attacking state (name, ISO3 or COW code); repeat for several"
        ),
    ],
    target: Annotated[str, typer.Option("--target", help="Attacked state")],
    date: Annotated[
        str, typer.Option("--date", help="Day of the attack, YYYY-MM-DD (1816 to today)")
    ],
    place: Annotated[
        str | None,
        typer.Option(
            "--place",
            help="Where: a place ('Guam', 'Crimea', 'Pacific area') or a state; default the target's own territory",
        ),
    ] = None,
    kind: Annotated[
        str,
        typer.Option(
            "--kind",
            help="armed-attack | state-of-war (default: an attack that puts the target in a state of war) | threat",
        ),
    ] = "state-of-war",
    provoked: Annotated[
        bool | None,
        typer.Option(
            "--provoked/--unprovoked",
            help="Whether the target provoked the attack (default: not stated)",
        ),
    ] = None,
    cascade: Annotated[
        bool,
        typer.Option(
            "--cascade",
            help="Let obligated states join and follow the obligations their entry triggers",
        ),
    ] = False,
    explain: Annotated[
        str | None,
        typer.Option("--explain", metavar="STATE", help="Print the full trace for one state"),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Who is bound to act if ATTACKER attacks TARGET on DATE: verdicts per state, with treaty and article."""
    from foedus.obligations import Scenario, respond

    scenario = Scenario.build(attacker, target, date, place=place, kind=kind, provoked=provoked)
    response = respond(scenario, cascade=cascade)
    if as_json:
        data = response.to_dict()
        if explain is not None:  # the same JSON, narrowed to one state's response
            found = response.get(explain)
            data["responses"] = [found.to_dict()] if found else []
        echo_json(data)
        return
    console = _console()
    if explain is not None:
        console.print(_scenario_line(scenario))
        _explain(console, response, explain)
        return
    console.print(Text(_scenario_line(scenario), style="bold"))
    if not response.responses:
        console.print("No state has a treaty tie to the target in force on this date.")
    elif response.rounds is None:
        console.print(_table(response.responses))
    else:
        from foedus import states

        for rnd in response.rounds:
            targets = ", ".join(t["target"]["name"] for t in rnd.triggers)
            if rnd.number == 1:
                head = f"round 1: {targets} attacked"
            else:
                head = f"round {rnd.number}: fighting the attackers in {scenario.place_info.name} after joining in round {rnd.number - 1}: {targets}"
            console.print(Text(head, style="bold"))
            console.print(
                "  joins: " + (", ".join(sorted(states.name(c) for c in rnd.joined)) or "no one")
            )
        console.print()
        console.print(
            _table(
                response.responses,
                title="Strongest verdict per state over all rounds",
                show_round=True,
            )
        )
        console.print(Text(f"Cascade rule: {response.rule}", style="dim"))
    for pledge in response.attacker_pledges:
        console.print(
            Text(f"note: the attacker {pledge.name} itself owes the target {pledge.provision_kind.replace('_', '-')} "
                 f"under {pledge.treaty_name} (art. {pledge.article})", style="dim")
        )  # fmt: skip
    console.print(
        Text(
            "`--explain STATE` prints every condition checked for one state; `--json` prints it all.",
            style="dim",
        )
    )


def places_cmd(as_json: JsonFlag = False) -> None:
    """List the gazetteer: places a scenario can name, who administers them, and their regions."""
    from foedus import places, states

    rows = []
    for p in places.places().values():
        rows.append({
            "key": p.key, "name": p.name, "kind": p.kind, "status": p.status,
            "administered_by": p.administered_by, "claimants": list(p.claimants),
            "in": sorted(k for k, v in p.regions.items() if v), "unclear": sorted(p.unclear), "aliases": list(p.aliases),
        })  # fmt: skip
    if as_json:
        echo_json(
            {
                "places": rows,
                "regions": {
                    k: {"name": r.name, "definition": r.definition}
                    for k, r in places.regions().items()
                },
            }
        )
        return
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    for column in ("place", "administered by", "claimed by", "status", "in", "unclear"):
        table.add_column(column, overflow="fold")
    for r in rows:
        admin = states.name(r["administered_by"]) if r["administered_by"] else "—"
        table.add_row(r["name"], admin, ", ".join(states.name(c) for c in r["claimants"]) or "—", r["status"],
                      ", ".join(r["in"]), ", ".join(r["unclear"]))  # fmt: skip
    console = _console()
    console.print(table)
    console.print(
        Text("A state's name as --place means its own (metropolitan) territory.", style="dim")
    )


def validate_wars_cmd(
    until: Annotated[
        int | None, typer.Option("--until", help="Only wars that began in or before this year")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Compare who was obligated at the onset of each COW inter-state war with who joined; print the share honored."""
    from foedus.validation import validate_wars

    result = validate_wars(until=until)
    if as_json:
        echo_json(result.to_dict())
        return
    console = _console()
    s = result.summary
    pub = s["published"]

    def line(label: str, share: dict) -> None:
        pct = "—" if share["share_honored"] is None else f"{100 * share['share_honored']:.1f}%"
        console.print(
            f"{label}: {pct} honored ({share['honored']} of {share['opportunities']}; "
            f"{share['fought_against']} fought against the ally, {share['stayed_out']} stayed out)"
        )

    line("All wars, obligated at onset", s["all_wars"])
    line("1816–1944, obligated at onset", s["1816_1944"])
    line("1816–1944, obligated or unknown", s["1816_1944_with_unknown"])
    neu = s["neutrality"]
    if neu["opportunities"]:
        console.print(
            f"Neutrality pledges kept (ally did not join the attacker): {100 * neu['share_honored']:.1f}% "
            f"({neu['honored']} of {neu['opportunities']})"
        )
    console.print(
        f"Published: {100 * pub['share']:.1f}% for ATOP {pub['period']} — {pub['citation']}."
    )
    console.print(
        f"{s['wars']} wars replayed, {s['wars_with_obligations']} with an obligated state, {s['skipped']} skipped."
    )
    table = Table(
        title="States behind the figure",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
    )
    for column in ("war", "onset", "state", "verdict", "defends", "treaty", "outcome", "joined"):
        table.add_column(column, overflow="fold", no_wrap=column in ("onset", "joined"))
    for r in result.opportunities.iter_rows(named=True):
        table.add_row(r["war_name"], str(r["onset"]), r["name"], r["verdict"], r["target_name"], r["treaty_id"],
                      r["outcome"], str(r["joined"] or "—"))  # fmt: skip
    console.print(table)
    console.print(Text(s["method"], style="dim"))


def register(app: typer.Typer) -> None:
    """Add this module's commands to the `foedus` app."""
    app.command("respond")(respond_cmd)
    app.command("places")(places_cmd)
    import sys
    import types

    validate_app.command("wars")(validate_wars_cmd)
    package = sys.modules["foedus.cli"]
    for module in list(vars(package).values()):
        hook = (
            getattr(module, "register_validate", None)
            if isinstance(module, types.ModuleType)
            else None
        )
        if hook is not None and module.__name__ != __name__:
            hook(validate_app)
    app.add_typer(validate_app, name="validate")
