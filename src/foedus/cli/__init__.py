"""The ``foedus`` command. Each domain registers its commands from its own module here.

The CLI only parses arguments and renders results; the work is done by the same public
functions the Python API and the web app call. Every :class:`~foedus.errors.FoedusError`
becomes a one-line message on stderr and exit code 2 — never a traceback.
"""

from __future__ import annotations

import sys

import typer
from rich.console import Console

from foedus.errors import FoedusError

app = typer.Typer(
    name="foedus",
    help="Military alliance treaties as data: who is bound to fight for whom, since when, and why.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

# Messages carry user text (queries, file names): print it as it is, no emoji codes or markup.
err_console = Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)

from foedus.cli import data as _data  # noqa: E402
from foedus.cli import network as _network  # noqa: E402
from foedus.cli import obligations as _obligations  # noqa: E402
from foedus.cli import panels as _panels  # noqa: E402
from foedus.cli import states as _states  # noqa: E402
from foedus.cli import treaties as _treaties  # noqa: E402
from foedus.cli import web as _web  # noqa: E402


@app.command("version")
def version() -> None:
    """Print foedus's version."""
    from foedus import __version__

    typer.echo(__version__)


for _module in (_data, _states, _treaties, _obligations, _panels, _network, _web):
    _module.register(app)


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the app, mapping foedus errors to one line and exit code 2.

    Usage errors (unknown option, missing argument) are click's own, also exit code 2.
    """
    try:
        app(args=argv, prog_name="foedus")
    except FoedusError as err:
        err_console.print("error: " + " ".join(str(err).split()), markup=False)
        sys.exit(2)
