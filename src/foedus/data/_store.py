"""Finding, fetching, verifying and reading the registry's files."""

from __future__ import annotations

import functools
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import platformdirs
import polars as pl

from foedus.data._registry import Dataset, dataset, datasets
from foedus.errors import ChecksumMismatch, DataMissing


def data_dir() -> Path | None:
    """The local data folder named by ``FOEDUS_DATA_DIR``, if any."""
    value = os.environ.get("FOEDUS_DATA_DIR")
    return Path(value).expanduser() if value else None


def cache_dir() -> Path:
    """Where downloads and parquet copies live (``FOEDUS_CACHE_DIR`` overrides the platform default)."""
    value = os.environ.get("FOEDUS_CACHE_DIR")
    return Path(value).expanduser() if value else Path(platformdirs.user_cache_dir("foedus"))


def _candidates(ds: Dataset) -> list[Path]:
    local = data_dir()
    found = [local / ds.path] if local is not None else []
    return [*found, cache_dir() / "raw" / ds.path]


def is_available(name: str) -> bool:
    """Whether ``name`` is present locally (not checking its checksum)."""
    return any(p.is_file() for p in _candidates(dataset(name)))


@functools.lru_cache(maxsize=256)
def _sha256(file: str, size: int, mtime_ns: int) -> str:
    # Keyed on size and mtime so a file replaced on disk is hashed again.
    digest = hashlib.sha256()
    with open(file, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _verify(ds: Dataset, file: Path) -> None:
    stat = file.stat()
    actual = _sha256(str(file), stat.st_size, stat.st_mtime_ns)
    if actual != ds.sha256:
        raise ChecksumMismatch(
            f"{file} does not match the pinned checksum of dataset '{ds.name}' (sha256 {actual[:12]}… ≠ "
            f"{ds.sha256[:12]}…): the file is corrupt or another version; delete it and run "
            f"`foedus data fetch {ds.name}`"
        )


def path(name: str) -> Path:
    """The verified local path of dataset ``name``.

    Raises :class:`DataMissing` (with the command to fetch it) or :class:`ChecksumMismatch`.
    """
    ds = dataset(name)
    for candidate in _candidates(ds):
        if candidate.is_file():
            _verify(ds, candidate)
            return candidate
    where = f"FOEDUS_DATA_DIR={data_dir()} or " if data_dir() else ""
    raise DataMissing(
        f"dataset '{name}' ({ds.filename}) is not in {where}the cache {cache_dir() / 'raw'}: "
        f"run `foedus data fetch {name}` or set FOEDUS_DATA_DIR to a folder that holds {ds.path}"
    )


def _read(ds: Dataset, file: Path) -> pl.DataFrame:
    if ds.format == "csv":
        return pl.read_csv(file, infer_schema_length=None, encoding="utf8-lossy", null_values=["", "NA"])
    if ds.format == "rda":
        import pyreadr

        frames = pyreadr.read_r(str(file))
        return pl.from_pandas(frames[ds.r_object or next(iter(frames))])
    if ds.format == "dta":
        import pandas as pd

        return pl.from_pandas(pd.read_stata(file, convert_categoricals=False))
    raise DataMissing(f"dataset '{ds.name}' has format .{ds.format}, which foedus cannot read")


def write_atomic(frame: pl.DataFrame, target: Path) -> None:
    """Write ``frame`` as parquet to a temporary file beside ``target``, then rename it into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    try:
        frame.write_parquet(tmp)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


@functools.lru_cache(maxsize=64)
def _load_cached(name: str, sha256: str, source: str) -> pl.DataFrame:
    ds = dataset(name)
    parquet = cache_dir() / "parquet" / f"{name}-{sha256[:16]}.parquet"
    if parquet.is_file():
        try:
            return pl.read_parquet(parquet)
        except Exception:  # a damaged cache copy is rebuilt from the verified original
            parquet.unlink(missing_ok=True)
    frame = _read(ds, Path(source))
    try:
        write_atomic(frame, parquet)
    except OSError:  # a read-only cache only costs speed
        pass
    return frame


def load(name: str) -> pl.DataFrame:
    """Dataset ``name`` as a polars DataFrame (verified, parsed once, then read from parquet)."""
    file = path(name)
    return _load_cached(name, dataset(name).sha256, str(file))


@dataclass(frozen=True)
class FetchResult:
    name: str
    path: Path
    downloaded: bool


def fetch(
    names: list[str] | None = None,
    *,
    base_url: str | None = None,
    progress: bool = True,
) -> list[FetchResult]:
    """Download datasets into the cache (all when ``names`` is None), verifying each checksum.

    ``base_url`` (or ``FOEDUS_DATA_MIRROR``) replaces the pinned URLs by a mirror laid out like
    the registry's ``path`` column, e.g. a loopback server in the tests. Files already present
    and verified are not downloaded again.
    """
    import pooch
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TransferSpeedColumn

    mirror = base_url or os.environ.get("FOEDUS_DATA_MIRROR")
    chosen = [dataset(n) for n in names] if names else list(datasets().values())
    results: list[FetchResult] = []
    columns = (TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TransferSpeedColumn())
    with Progress(*columns, disable=not progress, transient=True) as bar:
        for ds in chosen:
            target = cache_dir() / "raw" / ds.path
            if target.is_file():
                try:
                    _verify(ds, target)
                    results.append(FetchResult(ds.name, target, downloaded=False))
                    continue
                except ChecksumMismatch:
                    target.unlink()
            url = f"{mirror.rstrip('/')}/{ds.path}" if mirror else ds.url
            task = bar.add_task(ds.filename, total=None)
            downloader = pooch.HTTPDownloader(progressbar=_RichBar(bar, task), timeout=60)
            try:
                pooch.retrieve(
                    url,
                    known_hash=f"sha256:{ds.sha256}",
                    fname=target.name,
                    path=target.parent,
                    downloader=downloader,
                    progressbar=True,
                )
            except ValueError as err:  # pooch's hash mismatch; it has already removed the download
                raise ChecksumMismatch(
                    f"the download of '{ds.name}' from {url} does not match its pinned checksum: "
                    f"the server sent another file; nothing was saved ({err.__class__.__name__})"
                ) from None
            except Exception as err:
                raise DataMissing(
                    f"could not download '{ds.name}' from {url}: {err}; check the network, or set "
                    f"FOEDUS_DATA_DIR to a folder that holds {ds.path}"
                ) from None
            results.append(FetchResult(ds.name, target, downloaded=True))
    return results


class _RichBar:
    """The small tqdm-like surface pooch's downloader needs, drawn with rich."""

    def __init__(self, progress, task) -> None:
        self._progress, self._task, self.total = progress, task, None

    def update(self, n: int) -> None:
        self._progress.update(self._task, advance=n, total=self.total)

    def reset(self) -> None:
        self._progress.reset(self._task, total=self.total)

    def close(self) -> None:
        self._progress.update(self._task, visible=False)


def status() -> pl.DataFrame:
    """One row per dataset: whether it is present, where, whether its checksum holds, citation."""
    rows = []
    for ds in datasets().values():
        where, state = None, "missing"
        for candidate in _candidates(ds):
            if candidate.is_file():
                where = str(candidate)
                try:
                    _verify(ds, candidate)
                    state = "ok"
                except ChecksumMismatch:
                    state = "checksum mismatch"
                break
        rows.append(
            {
                "name": ds.name,
                "status": state,
                "version": ds.version,
                "path": where,
                "file": ds.path,
                "citation": ds.citation,
            }
        )
    return pl.DataFrame(rows)
