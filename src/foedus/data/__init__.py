"""Datasets: registry, download into the user cache, checksum verification, readers, parquet cache.

Where the files come from, in order:

1. ``FOEDUS_DATA_DIR`` when set: a local folder laid out like the registry's ``path`` column
   (``atop/atop5_1m.csv``, ``peacesciencer/cow_nmc.rda``, ...). Tests and CI point it at
   ``../shared/data``.
2. The user cache (``platformdirs.user_cache_dir("foedus")``), filled by :func:`fetch`.

Every file is checked against its pinned SHA-256 before it is read; a mismatch raises
:class:`~foedus.errors.ChecksumMismatch`, a missing file :class:`~foedus.errors.DataMissing`
(both say what to do). Each file is parsed once and cached as parquet next to the downloads
(written to a temporary file, then renamed, so nothing is ever half-written).

``FOEDUS_CACHE_DIR`` moves the cache; ``FOEDUS_DATA_MIRROR`` makes :func:`fetch` download from
a mirror laid out like ``FOEDUS_DATA_DIR`` instead of the pinned URLs.

>>> import foedus.data as data
>>> data.load("cow_states").height  # doctest: +SKIP
243
"""

from foedus.data._registry import Dataset, dataset, datasets
from foedus.data._store import (
    FetchResult,
    atomic_target,
    cache_dir,
    cite,
    data_dir,
    fetch,
    is_available,
    load,
    path,
    status,
)

__all__ = [
    "Dataset",
    "FetchResult",
    "atomic_target",
    "cache_dir",
    "cite",
    "data_dir",
    "dataset",
    "datasets",
    "fetch",
    "is_available",
    "load",
    "path",
    "status",
]
