"""Finding, fetching, verifying and reading the registry's files."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import logging
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

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
        local = data_dir()
        if local is not None and file.is_relative_to(local):
            fix = (
                f"replace it with the original from {ds.url}, or unset FOEDUS_DATA_DIR and run "
                f"`foedus data fetch {ds.name}`"
            )
        else:
            fix = f"run `foedus data fetch {ds.name}` to download it again"
        raise ChecksumMismatch(
            f"{file} is corrupt or another version of dataset '{ds.name}' (sha256 {actual[:12]}…, "
            f"expected {ds.sha256[:12]}…): {fix}"
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
        raw = file.read_bytes()
        if b"\r" in raw and b"\n" not in raw:  # old Mac line endings (COW's inter-state war file)
            raw = raw.replace(b"\r", b"\n")
        return pl.read_csv(
            io.BytesIO(raw), infer_schema_length=None, encoding="utf8-lossy", null_values=["", "NA"]
        )
    if ds.format == "rda":
        import pyreadr

        frames = pyreadr.read_r(str(file))
        return pl.from_pandas(frames[ds.r_object or next(iter(frames))])
    if ds.format == "dta":
        import pandas as pd

        return pl.from_pandas(pd.read_stata(file, convert_categoricals=False))
    raise DataMissing(f"dataset '{ds.name}' has format .{ds.format}, which foedus cannot read")


@contextlib.contextmanager
def atomic_target(target: Path) -> Iterator[str]:
    """A temporary path beside ``target`` to write to; renamed onto ``target`` when the block
    ends without an error, deleted when it raises, so ``target`` is never half-written.

    The file gets the permissions of any new file (``mkstemp`` would leave it private).
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    try:
        yield tmp
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _umask() -> int:
    mask = os.umask(0o077)  # the umask can only be read by setting it: set it straight back
    os.umask(mask)
    return mask


def write_atomic(frame: pl.DataFrame, target: Path) -> None:
    """Write ``frame`` as parquet to a temporary file beside ``target``, then rename it into place."""
    with atomic_target(target) as tmp:
        frame.write_parquet(tmp)


# Bump when _read() changes what it returns, so parquet copies written by older code are rebuilt.
_READER_VERSION = 2


def _parquet_path(ds: Dataset) -> Path:
    return cache_dir() / "parquet" / f"{ds.name}-{ds.sha256[:16]}-r{_READER_VERSION}.parquet"


@functools.lru_cache(maxsize=64)
def _load_cached(name: str, sha256: str, source: str, parquet: str) -> pl.DataFrame:
    ds = dataset(name)
    target = Path(parquet)
    if target.is_file():
        with contextlib.suppress(Exception):  # a damaged copy is rebuilt and replaced below
            return pl.read_parquet(target)
    frame = _read(ds, Path(source))
    # A read-only or full cache only costs speed.
    with contextlib.suppress(OSError):
        write_atomic(frame, target)
    return frame


def load(name: str) -> pl.DataFrame:
    """Dataset ``name`` as a polars DataFrame: verified, parsed once, then read from parquet.

    Raises :class:`DataMissing` (with the command to fetch it) or :class:`ChecksumMismatch`.
    """
    file = path(name)
    ds = dataset(name)
    return _load_cached(name, ds.sha256, str(file), str(_parquet_path(ds)))


def cite(name: str) -> str:
    """How to cite dataset ``name``, with its licence note and where the file comes from.

    >>> print(cite("cow_states"))  # doctest: +ELLIPSIS
    Correlates of War Project. 2017. "State System Membership List, v2016." ...
    """
    ds = dataset(name)
    lines = [ds.citation, f"Licence: {ds.licence}", f"Official source: {ds.homepage}"]
    if ds.snapshot:
        lines.append(f"File: {ds.snapshot} (sha256 {ds.sha256})")
    return "\n".join(lines)


@dataclass(frozen=True)
class FetchResult:
    """What :func:`fetch` did for one dataset."""

    name: str
    path: Path
    downloaded: bool  # False: a verified copy was already there (cache or FOEDUS_DATA_DIR)


def _url(ds: Dataset, mirror: str | None) -> str:
    return f"{mirror.rstrip('/')}/{quote(ds.path)}" if mirror else ds.url


@contextlib.contextmanager
def _quiet_pooch() -> Iterator[None]:
    # pooch logs each download at INFO; the progress bar says the same thing.
    import pooch

    logger = pooch.get_logger()
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


def _one_line(err: BaseException) -> str:
    return " ".join(str(err).split()) or err.__class__.__name__


def fetch(
    names: list[str] | None = None,
    *,
    base_url: str | None = None,
    progress: bool = True,
) -> list[FetchResult]:
    """Download datasets into the cache (all when ``names`` is None), verifying each checksum.

    ``base_url`` (or ``FOEDUS_DATA_MIRROR``) replaces the pinned URLs by a mirror laid out like
    the registry's ``path`` column, e.g. a loopback server in the tests. A dataset already
    present and verified, in ``FOEDUS_DATA_DIR`` or in the cache, is not downloaded again.
    pooch streams each download into a temporary file beside the target and renames it into
    place only after the SHA-256 matched, so a failed or tampered download leaves nothing.
    """
    import pooch
    import requests
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TransferSpeedColumn

    mirror = base_url or os.environ.get("FOEDUS_DATA_MIRROR") or None
    chosen = list(datasets().values()) if names is None else [dataset(n) for n in names]
    results: list[FetchResult] = []
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
    )
    with _quiet_pooch(), Progress(*columns, disable=not progress, transient=True) as bar:
        for ds in chosen:
            present = _present(ds)
            if present is not None:
                results.append(FetchResult(ds.name, present, downloaded=False))
                continue
            target = cache_dir() / "raw" / ds.path
            url = _url(ds, mirror)
            task = bar.add_task(ds.filename, total=None)
            downloader = pooch.HTTPDownloader(
                progressbar=_RichBar(bar, task), timeout=60, chunk_size=1 << 16
            )
            try:
                pooch.retrieve(
                    url,
                    known_hash=f"sha256:{ds.sha256}",
                    fname=target.name,
                    path=target.parent,
                    downloader=downloader,
                )
            except requests.RequestException as err:  # before ValueError: some are both
                raise DataMissing(
                    f"could not download '{ds.name}' from {url} ({_one_line(err)}): check the network "
                    f"or the mirror, or set FOEDUS_DATA_DIR to a folder that holds {ds.path}"
                ) from None
            except ValueError:  # pooch's hash check; it has already deleted the temporary file
                raise ChecksumMismatch(
                    f"the file served for '{ds.name}' at {url} does not match its pinned sha256 "
                    f"{ds.sha256[:12]}…, so nothing was saved: the server holds another version or "
                    f"a damaged copy; try again later or use another mirror (FOEDUS_DATA_MIRROR)"
                ) from None
            except OSError as err:
                raise DataMissing(
                    f"could not save '{ds.name}' to {target.parent} ({_one_line(err)}): make the cache "
                    f"writable or set FOEDUS_CACHE_DIR to a folder that is"
                ) from None
            finally:
                bar.update(task, visible=False)
            results.append(FetchResult(ds.name, target, downloaded=True))
    return results


def _present(ds: Dataset) -> Path | None:
    """A verified local copy of ``ds``, if any. A corrupt copy in the cache is deleted (it is
    ours to replace); one in FOEDUS_DATA_DIR raises, as it would on load."""
    for candidate in _candidates(ds):
        if not candidate.is_file():
            continue
        try:
            _verify(ds, candidate)
        except ChecksumMismatch:
            local = data_dir()
            if local is not None and candidate.is_relative_to(local):
                raise
            candidate.unlink()
            continue
        return candidate
    return None


class _RichBar:
    """The small tqdm-like surface pooch's downloader needs, drawn with rich."""

    def __init__(self, progress, task) -> None:
        self._progress, self._task, self.total = progress, task, None

    def update(self, n: int) -> None:
        self._progress.update(self._task, advance=n, total=self.total or None)

    def reset(self) -> None:
        self._progress.reset(self._task, total=self.total or None)

    def close(self) -> None:
        self._progress.update(self._task, visible=False)


def status() -> pl.DataFrame:
    """One row per dataset: ``name``, ``status`` ("ok", "missing" or "checksum mismatch"),
    ``version``, ``path`` (the copy foedus would read, or null), ``file`` (the registry path),
    ``citation`` and ``licence``."""
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
                "licence": ds.licence,
            }
        )
    return pl.DataFrame(
        rows,
        schema={
            k: pl.String
            for k in ("name", "status", "version", "path", "file", "citation", "licence")
        },
    )
