"""CLI commands: ``foedus serve`` runs the web app on loopback."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Annotated

import typer

from foedus.errors import FoedusError, InvalidArgument

LOG_LEVELS = ("critical", "error", "warning", "info", "debug")


def serve(
    host: Annotated[
        str, typer.Option(help="Address to listen on; keep 127.0.0.1 unless you mean to share it")
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option(help="TCP port (0 picks a free one)", min=0, max=65535)
    ] = 8000,
    workers: Annotated[
        int, typer.Option(help="Server processes (each loads the data once)", min=1, max=32)
    ] = 1,
    log_level: Annotated[
        str, typer.Option(help="critical, error, warning, info or debug")
    ] = "info",
) -> None:
    """Start the web app: map, treaty pages, pair timelines, scenario builder, JSON API at /api, docs at /docs."""
    import socket

    import uvicorn

    if log_level.lower() not in LOG_LEVELS:
        raise InvalidArgument(
            f"unknown log level '{log_level}': use one of {', '.join(LOG_LEVELS)}"
        )
    try:
        socket.getaddrinfo(host, port)
    except (socket.gaierror, UnicodeError):
        raise InvalidArgument(
            f"cannot listen on host '{host}': use an address such as 127.0.0.1"
        ) from None
    if port:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            try:
                probe.bind((host, port))
            except OSError as err:
                raise InvalidArgument(
                    f"cannot listen on {host}:{port} ({err.strerror}): choose another --port"
                ) from None
    _warm()
    typer.echo(
        f"foedus web app on http://{host}:{port or '<free port>'}/ (Ctrl+C stops it)", err=True
    )
    uvicorn.run(
        "foedus.web:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level.lower(),
        server_header=False,
    )


def _warm() -> None:
    """Load the registry and state lists before the first request (a few seconds with ATOP).

    Missing data is not fatal here: the pages that need it answer with the error's message.
    """
    from foedus.web import answers

    try:
        answers.world_map(None)
        answers.search("korea")
    except FoedusError as err:
        typer.echo(f"warning: {err}", err=True)


@contextlib.contextmanager
def serving(*, workers: int = 1, timeout: float = 60.0) -> Iterator[str]:
    """``foedus serve`` in a subprocess on a free loopback port (for the browser tests and the
    load test): yields its base URL once it answers, and stops it on exit.

    Its output goes to a temporary file, not a pipe (a pipe nobody reads blocks a server that
    logs much), and is shown when it fails to start or exits early.
    """
    import socket
    import subprocess
    import sys
    import tempfile
    import time
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "foedus", "serve", "--host", "127.0.0.1", "--port", str(port),
               "--log-level", "warning", "--workers", str(workers)]  # fmt: skip
    with tempfile.TemporaryFile() as log:

        def output() -> str:
            log.seek(0)
            return log.read().decode(errors="replace")[-3000:]

        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    with urllib.request.urlopen(f"{base}/static/favicon.svg", timeout=2):
                        break
                except OSError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        raise FoedusError(f"foedus serve did not start: {output()}") from None
                    time.sleep(0.2)
            yield base
            if process.poll() is not None:
                typer.echo(f"foedus serve exited early:\n{output()}", err=True)
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def register(app: typer.Typer) -> None:
    """Add this module's commands to the `foedus` app."""
    app.command("serve")(serve)
