"""CLI commands: ``foedus panel dyad-years|state-years`` and ``foedus similarity``.

They parse arguments, call :mod:`foedus.panels` / :mod:`foedus.similarity`, and write or print
the table; bad input raises :class:`~foedus.errors.InvalidArgument`, which ``foedus`` turns
into one line on stderr and exit code 2.

    foedus panel dyad-years --directed --add atop,nmc,contiguity,wars --years 1816-2024 -o out.parquet
    foedus panel state-years --add nmc,majors -o states.csv
    foedus similarity --year 1962 --measure kappa --json
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from foedus.errors import InvalidArgument

#: The file suffixes write_table() knows; it picks the writer by suffix.
FORMATS = (".parquet", ".csv", ".feather", ".arrow", ".ipc", ".dta", ".json")

AddOption = Annotated[
    str,
    typer.Option(
        "--add",
        "-a",
        help="Comma-separated verbs to add, in order: atop, foedus, nmc, majors, contiguity, capdist, mindist, "
        "wars, mids, gml, democracy, sdp, igos, rivalries, peace, similarity, prd, ccode, gwcode.",
    ),
]
YearsOption = Annotated[
    str | None, typer.Option("--years", "-y", help="Years to keep: 1962 or 1816-2018.")
]
SystemOption = Annotated[str, typer.Option("--system", "-s", help="State system: cow or gw.")]
OutputOption = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        help="Write the table here: .parquet, .csv, .feather/.arrow, .dta or .json.",
    ),
]
MryOption = Annotated[
    str,
    typer.Option(
        "--mry", help="Extend the state lists to: 'yes' (last year, the default), 'no', or a year."
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the rows as JSON.")]


def _mry(value: str) -> bool | int:
    text = value.strip().lower()
    if text in ("yes", "true", "1"):
        return True
    if text in ("no", "false", "0"):
        return False
    if text.isdigit() and len(text) == 4:
        return int(text)
    raise InvalidArgument(f"--mry must be yes, no or a year, not '{value}'")


def write_table(frame, path: Path) -> None:
    """Write ``frame`` (polars) to ``path`` by its suffix: temporary file first, then rename.

    The file gets the usual permissions (``0o666`` less the umask), not the private ``0o600``
    of the temporary file; a path that cannot be written is an :class:`InvalidArgument`.
    """
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise InvalidArgument(
            f"cannot write '{path.name}': use a file ending in {', '.join(FORMATS)}"
        )
    target = path.expanduser().resolve()
    if not target.parent.is_dir():
        raise InvalidArgument(f"cannot write {target}: the folder {target.parent} does not exist")
    if target.is_dir():
        raise InvalidArgument(f"cannot write {target}: it is a folder; name a file in it")
    from foedus.data import atomic_target

    try:
        with atomic_target(target) as tmp:
            if suffix == ".parquet":
                frame.write_parquet(tmp)
            elif suffix == ".csv":
                frame.write_csv(tmp, null_value="NA")
            elif suffix in (".feather", ".arrow", ".ipc"):
                frame.write_ipc(tmp)
            elif suffix == ".json":
                frame.write_json(tmp)
            else:  # .dta through pandas: Stata has no nullable integers, so those become doubles
                frame.to_pandas().to_stata(tmp, write_index=False, version=118)
    except OSError as err:
        raise InvalidArgument(f"cannot write {target}: {err.strerror or err}") from None


def _build(kind: str, system: str, directed: bool, years: str | None, add: str, mry: str):
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from foedus import panels
    from foedus.panels.verbs import parse_verbs

    steps = parse_verbs(add) if add else []  # every verb is checked before any work
    extend = _mry(mry)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, transient=True, disable=not steps) as bar:
        task = bar.add_task(f"{kind} ({system})", total=len(steps) + 1)
        if kind == "dyad-years":
            frame = panels.dyad_years(system, directed, years, mry=extend)
        else:
            frame = panels.state_years(system, years, mry=extend)
        bar.update(task, advance=1)

        def step(name: str) -> None:
            bar.update(task, advance=1, description=f"added {name}")

        return panels.apply_verbs(frame, steps, on_step=step)


def _emit(frame, output: Path | None, as_json: bool) -> None:
    from rich.console import Console

    if output is not None:
        write_table(frame, output)
        typer.echo(f"wrote {frame.height:,} rows × {frame.width} columns to {output}")
    elif as_json:
        typer.echo(json.dumps(frame.to_dicts(), ensure_ascii=False, default=str))
    else:
        Console().print(frame)
        typer.echo(
            f"{frame.height:,} rows × {frame.width} columns; write them all with -o FILE (.parquet, .csv, …)"
        )


def dyad_years_command(
    directed: Annotated[
        bool,
        typer.Option("--directed/--non-directed", help="Both (a, b) and (b, a), or a < b only."),
    ] = True,
    system: SystemOption = "cow",
    add: AddOption = "",
    years: YearsOption = None,
    mry: MryOption = "yes",
    output: OutputOption = None,
    as_json: JsonOption = False,
) -> None:
    """Build a dyad-year table and add columns to it (peacesciencer's create_dyadyears() + add_*)."""
    _emit(_build("dyad-years", system, directed, years, add, mry), output, as_json)


def state_years_command(
    system: SystemOption = "cow",
    add: AddOption = "",
    years: YearsOption = None,
    mry: MryOption = "yes",
    output: OutputOption = None,
    as_json: JsonOption = False,
) -> None:
    """Build a state-year table and add columns to it (peacesciencer's create_stateyears() + add_*)."""
    _emit(_build("state-years", system, True, years, add, mry), output, as_json)


def similarity_command(
    year: Annotated[
        str, typer.Option("--year", "-y", help="A year (1962) or a range (1946-1989).")
    ],
    measure: Annotated[
        str | None,
        typer.Option(
            "--measure",
            "-m",
            help="Comma-separated: s, s_sq, s_w, s_wsq, tau_b, kappa, pi (default: all).",
        ),
    ] = None,
    state: Annotated[
        str | None,
        typer.Option("--state", help="Only this state's dyads (name, ISO3 or COW code)."),
    ] = None,
    source: Annotated[
        str, typer.Option("--source", help="foedus (ATOP + curated registry) or atop (to 2018).")
    ] = "foedus",
    coding: Annotated[
        str, typer.Option("--coding", help="Ordinal coding: sr (Signorino & Ritter) or fpsim.")
    ] = "sr",
    output: OutputOption = None,
    as_json: JsonOption = False,
) -> None:
    """Alliance-portfolio similarity for every dyad in a year (S, weighted S, tau-b, kappa, pi)."""
    import polars as pl

    from foedus.similarity import similarity

    measures = [m.strip() for m in measure.split(",") if m.strip()] if measure else None
    table = similarity(year, measures, source=source, coding=coding)  # type: ignore[arg-type]
    if state is not None:
        from foedus.states import resolve

        table = table.filter(pl.col("ccode1") == resolve(state))
    _emit(table, output, as_json)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the `foedus` app."""
    panel = typer.Typer(
        help="Research tables: state-years and dyad-years with peacesciencer's columns.",
        no_args_is_help=True,
    )
    panel.command("dyad-years")(dyad_years_command)
    panel.command("state-years")(state_years_command)
    app.add_typer(panel, name="panel")
    app.command("similarity")(similarity_command)
