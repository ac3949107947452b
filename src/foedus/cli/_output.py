"""What every command prints with ``--json``: one formatting for the whole CLI."""

from __future__ import annotations

import json
from typing import Any

import typer


def echo_json(value: Any) -> None:
    """Print ``value`` as indented UTF-8 JSON (dates and other non-JSON values as strings)."""
    typer.echo(json.dumps(value, ensure_ascii=False, indent=2, default=str))
