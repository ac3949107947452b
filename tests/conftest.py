"""Test setup: real data from ../shared/data unless FOEDUS_DATA_DIR says otherwise."""

from __future__ import annotations

import os
from pathlib import Path

_REPO = Path(__file__).resolve().parent.parent
os.environ.setdefault("FOEDUS_DATA_DIR", str((_REPO.parent / "shared" / "data").resolve()))
