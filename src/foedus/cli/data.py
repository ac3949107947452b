"""CLI commands: ``foedus data fetch | status | cite``."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.padding import Padding
from rich.text import Text

from foedus.cli._output import echo_json
from foedus.errors import InvalidArgument

data_app = typer.Typer(
    help="The datasets foedus reads: download, check, cite.",
    no_args_is_help=True,
)


@data_app.command("fetch")
def fetch_command(
    names: Annotated[
        list[str] | None, typer.Argument(help="Datasets to download (see `foedus data status`).")
    ] = None,
    all_: Annotated[
        bool, typer.Option("--all", help="Download every dataset in the registry.")
    ] = False,
    mirror: Annotated[
        str | None,
        typer.Option(
            "--mirror",
            help="Base URL of a mirror laid out like FOEDUS_DATA_DIR (or set FOEDUS_DATA_MIRROR).",
        ),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No progress bar, no summary.")
    ] = False,
) -> None:
    """Download datasets into the user cache, verifying each SHA-256."""
    from foedus import data

    if not names and not all_:
        raise InvalidArgument(
            "name the datasets to fetch (e.g. `foedus data fetch cow_states`) or pass --all"
        )
    if names and all_:
        raise InvalidArgument("give dataset names or --all, not both")
    results = data.fetch(None if all_ else list(names or []), base_url=mirror, progress=not quiet)
    if quiet:
        return
    console = Console(highlight=False)
    for result in results:
        verb = "downloaded" if result.downloaded else "present   "
        console.print(f"{verb}  {result.name:<28} {result.path}", markup=False)


@data_app.command("status")
def status_command(
    as_json: Annotated[
        bool, typer.Option("--json", help="Print JSON (a list of objects).")
    ] = False,
) -> None:
    """Show each dataset: present, missing or corrupt; version; where; how to cite it."""
    from foedus import data

    frame = data.status()
    if as_json:
        echo_json(frame.to_dicts())
        return
    console = Console(highlight=False)
    colour = {"ok": "green", "missing": "yellow", "checksum mismatch": "red"}
    for row in frame.iter_rows(named=True):
        console.print(
            Text.assemble(
                (f"{row['name']:<28}", "bold"),
                (f"{row['status']:<19}", colour[row["status"]]),
                (row["version"] or "", ""),
            )
        )
        where = row["path"] or f"(not present; would be {row['file']})"
        console.print(Padding(Text(where, style="dim", overflow="fold"), (0, 0, 0, 4)))
        console.print(Padding(Text(row["citation"], style="italic"), (0, 0, 0, 4)))
    missing = frame.filter(frame["status"] != "ok").height
    if missing:
        Console(stderr=True, highlight=False).print(
            f"{missing} dataset(s) not usable: `foedus data fetch NAME` downloads one, `--all` every one",
            markup=False,
        )


@data_app.command("cite")
def cite_command(
    name: Annotated[str, typer.Argument(help="Dataset name (see `foedus data status`).")],
) -> None:
    """Print how to cite a dataset, its licence note and its source."""
    from foedus import data

    typer.echo(data.cite(name))


def register(app: typer.Typer) -> None:
    """Add this module's commands to the `foedus` app."""
    app.add_typer(data_app, name="data")
