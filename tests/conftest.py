"""Test setup: real data from ../shared/data unless FOEDUS_DATA_DIR says otherwise."""

from __future__ import annotations

import os
from pathlib import Path

_REPO = Path(__file__).resolve().parent.parent
os.environ.setdefault("FOEDUS_DATA_DIR", str((_REPO.parent / "shared" / "data").resolve()))


def run_foedus(args: list[str], env: dict[str, str]):
    """Run the real ``foedus`` command in a subprocess (exit codes and stderr as a user sees them)."""
    import subprocess
    import sys

    return subprocess.run(
        [sys.executable, "-m", "foedus", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
