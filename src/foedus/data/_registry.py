"""The dataset registry: one record per file, read from ``datasets.toml`` (package data)."""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from importlib import resources

from rapidfuzz import process

from foedus.errors import DataMissing


@dataclass(frozen=True)
class Dataset:
    """One data file foedus can read: where it lives, how to check it, how to cite it."""

    name: str
    path: str  # relative path inside FOEDUS_DATA_DIR / the cache
    url: str  # pinned download URL
    sha256: str
    homepage: str
    citation: str
    licence: str
    version: str = ""
    what: str = ""
    snapshot: str = ""
    years: str = ""
    r_object: str | None = None

    @property
    def filename(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    @property
    def format(self) -> str:
        return self.path.rsplit(".", 1)[-1].lower()


@functools.cache
def datasets() -> dict[str, Dataset]:
    """Every dataset foedus knows, by name."""
    raw = tomllib.loads(resources.files("foedus.data").joinpath("datasets.toml").read_text("utf-8"))
    return {name: Dataset(name=name, **fields) for name, fields in raw.items()}


def dataset(name: str) -> Dataset:
    """The registry record for ``name``; an unknown name suggests the closest ones."""
    known = datasets()
    if name in known:
        return known[name]
    name = " ".join(str(name).split())[:60]  # the message stays on one line
    close = [m[0] for m in process.extract(name, list(known), limit=3)]
    raise DataMissing(
        f"no dataset named '{name}': did you mean {', '.join(close)}? (`foedus data status` lists all)"
    )
