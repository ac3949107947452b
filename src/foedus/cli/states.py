"""CLI commands: ``foedus states`` (list a state system) and ``foedus state`` (resolve one)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from foedus.cli._output import echo_json

SystemOption = Annotated[str, typer.Option("--system", "-s", help="State system: cow or gw.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _spells_text(spells: list[dict]) -> str:
    return ", ".join(f"{s['start']} – {s['end'] or 'today'}" for s in spells) or "—"


def states_command(
    date: Annotated[
        str | None,
        typer.Option("--date", "-d", help="Only states in the system on this day (YYYY-MM-DD)."),
    ] = None,
    system: SystemOption = "cow",
    as_json: JsonOption = False,
) -> None:
    """List the states of a system (every state it has had, or those in it on --date)."""
    from foedus import states
    from foedus.dates import parse_date

    day = parse_date(date) if date is not None else None
    rows = states.table(day, system)  # type: ignore[arg-type]  # checks the system name
    if as_json:
        echo_json(rows)
        return
    column = states.CODE_COLUMN[system]
    title = f"{system.upper()} states" + (f" on {date}" if date else f" ({len(rows)} ever)")
    table = Table(title=title, pad_edge=False)
    for col in (column, "abbrev", "name", "iso3", "membership"):
        table.add_column(col, overflow="fold")
    for r in rows:
        name = r["name"] + (" [dim](micro-state)[/]" if r["microstate"] else "")
        table.add_row(
            str(r[column]), r["abbrev"] or "—", name, r["iso3"] or "—", _spells_text(r["spells"])
        )
    Console().print(table)


def state_command(
    query: Annotated[
        str,
        typer.Argument(
            help="A name, alias, ISO3 code, abbreviation or code: 'North Korea', PRK, 731."
        ),
    ],
    date: Annotated[
        str | None,
        typer.Option(
            "--date", "-d", help="Resolve names by date (Germany: 260 in 1970, 255 in 2000)."
        ),
    ] = None,
    system: SystemOption = "cow",
    as_json: JsonOption = False,
) -> None:
    """Resolve one state: code, abbreviation, name, ISO3, code in the other system, membership."""
    from foedus import states
    from foedus.dates import parse_date

    day = parse_date(date, check_range=False) if date is not None else None
    info = states.state(query, system=system, on=day)  # type: ignore[arg-type]
    if as_json:
        echo_json(info.to_dict())
        return
    console = Console(highlight=False)
    console.print(
        f"[bold]{info.name}[/]  {info.system.upper()} {info.code}"
        + (f" ({info.abbrev})" if info.abbrev else "")
    )
    console.print(
        f"ISO3: {info.iso3 or '—'}   COW: {info.ccode if info.ccode is not None else '—'}   "
        f"GW: {info.gwcode if info.gwcode is not None else '—'}"
        + ("   (GW micro-state)" if info.microstate else "")
    )
    spells = info.to_dict()
    for listed in states.SYSTEMS:
        if states.has_periods(listed):
            text = _spells_text(spells[f"{listed}_spells"])
        else:  # without the state list the periods are unknown, not empty
            text = f"unknown: `foedus data fetch {states.PERIODS_DATASET[listed]}` gives them"
        console.print(f"{listed.upper() + ' membership:':<16}{text}", markup=False)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the `foedus` app."""
    app.command("states")(states_command)
    app.command("state")(state_command)
