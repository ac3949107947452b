"""foedus.data: the registry against the real files, fetching over loopback HTTP, checksums,
the parquet cache, and the `foedus data` commands."""

from __future__ import annotations

import hashlib
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest

import foedus.data as data
from foedus.cli import main
from foedus.data import _store
from foedus.errors import ChecksumMismatch, DataMissing

SHARED = Path(os.environ["FOEDUS_DATA_DIR"])  # tests/conftest.py points it at ../shared/data
README = SHARED / "README.md"


def _sha256(file: Path) -> str:
    return hashlib.sha256(file.read_bytes()).hexdigest()


def _flip_a_byte(file: Path, offset: int = 100) -> None:
    raw = bytearray(file.read_bytes())
    raw[offset] ^= 0xFF
    file.write_bytes(bytes(raw))


def _files_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


class LoopbackMirror:
    """A static HTTP server on 127.0.0.1 serving ``root``; ``tamper`` paths get one byte flipped."""

    def __init__(self, root: Path, tamper: frozenset[str] = frozenset()) -> None:
        self.requests: list[str] = []
        requests = self.requests

        class Handler(http.server.SimpleHTTPRequestHandler):
            def __init__(self, *args, **kwargs) -> None:
                super().__init__(*args, directory=str(root), **kwargs)

            def log_message(self, *args) -> None:  # keep pytest output clean
                pass

            def do_GET(self) -> None:
                relative = urllib.parse.unquote(self.path.lstrip("/"))
                requests.append(relative)
                if relative not in tamper:
                    super().do_GET()
                    return
                body = bytearray((root / relative).read_bytes())
                body[len(body) // 2] ^= 0xFF
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(bytes(body))

        self._httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


@pytest.fixture
def mirror() -> Iterator[LoopbackMirror]:
    server = LoopbackMirror(SHARED)
    yield server
    server.close()


@pytest.fixture
def tampering_mirror() -> Iterator[LoopbackMirror]:
    server = LoopbackMirror(SHARED, tamper=frozenset({"peacesciencer/cow_states.rda"}))
    yield server
    server.close()


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty cache and no FOEDUS_DATA_DIR: only what the test fetches is there."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("FOEDUS_CACHE_DIR", str(folder))
    monkeypatch.delenv("FOEDUS_DATA_DIR", raising=False)
    monkeypatch.delenv("FOEDUS_DATA_MIRROR", raising=False)
    _store._load_cached.cache_clear()
    yield folder
    _store._load_cached.cache_clear()


@pytest.fixture
def corrupt_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """FOEDUS_DATA_DIR holding a copy of cow_states.rda with one byte flipped."""
    folder = tmp_path / "data"
    target = folder / "peacesciencer" / "cow_states.rda"
    target.parent.mkdir(parents=True)
    shutil.copy(SHARED / "peacesciencer" / "cow_states.rda", target)
    _flip_a_byte(target)
    monkeypatch.setenv("FOEDUS_DATA_DIR", str(folder))
    monkeypatch.setenv("FOEDUS_CACHE_DIR", str(tmp_path / "cache"))
    return folder


# ---------------------------------------------------------------------------------------------
# The registry against the real data
# ---------------------------------------------------------------------------------------------


def _readme_sections() -> dict[str, str]:
    text = README.read_text("utf-8")
    return {part.split("`", 1)[0]: part for part in re.split(r"^### `", text, flags=re.M)[1:]}


def test_every_registry_checksum_matches_the_file_in_the_shared_data() -> None:
    wrong = {
        ds.name: ds.path
        for ds in data.datasets().values()
        if _sha256(SHARED / ds.path) != ds.sha256
    }
    assert wrong == {}


def test_every_registry_checksum_matches_the_shared_readme() -> None:
    sections = _readme_sections()
    for ds in data.datasets().values():
        found = re.search(r"\*\*sha256:\*\* `([0-9a-f]{64})`", sections[ds.path])
        assert found is not None, ds.name
        assert found.group(1) == ds.sha256, ds.name


def test_every_data_file_in_the_shared_folder_is_in_the_registry() -> None:
    registered = {ds.path for ds in data.datasets().values()}
    on_disk = {
        p.relative_to(SHARED).as_posix()
        for p in SHARED.rglob("*")
        if p.suffix in {".csv", ".rda", ".dta"}
    }
    assert on_disk == registered


def test_registry_leaves_out_the_cow_alliance_data_as_its_maintainer_asked() -> None:
    assert not [
        ds for ds in data.datasets().values() if "alliance" in ds.path and "cow" in ds.path.lower()
    ]


def test_every_registry_entry_has_url_citation_licence_and_homepage() -> None:
    for ds in data.datasets().values():
        assert ds.url.startswith("https://"), ds.name
        assert ds.citation, ds.name
        assert ds.licence, ds.name
        assert ds.homepage, ds.name
        assert re.fullmatch(r"[0-9a-f]{64}", ds.sha256), ds.name


def test_every_dataset_loads_into_the_rows_and_columns_the_readme_gives() -> None:
    # The whole registry, read for real (the big .rda files take a few seconds once).
    sections = _readme_sections()
    for ds in data.datasets().values():
        frame = data.load(ds.name)
        shape = re.search(r"Rows x columns:\*\*\s*([\d,]+)\s*x\s*([\d,]+)", sections[ds.path])
        assert shape is not None, ds.name
        expected = (int(shape.group(1).replace(",", "")), int(shape.group(2).replace(",", "")))
        assert isinstance(frame, pl.DataFrame), ds.name
        assert frame.shape == expected, ds.name


def test_cow_inter_state_war_file_with_old_mac_line_endings_reads_as_rows() -> None:
    wars = data.load("cow_inter_state_war")
    assert wars.shape == (337, 25)
    assert wars.filter(pl.col("WarName") == "Franco-Spanish War")["ccode"].to_list() == [230, 220]


def test_unknown_dataset_name_suggests_close_names() -> None:
    with pytest.raises(DataMissing, match="did you mean cow_states"):
        data.dataset("cow_state")


def test_cite_gives_citation_licence_and_source() -> None:
    text = data.cite("atop5_1m")
    assert text.startswith("Leeds, Brett Ashley")
    assert "Licence: " in text
    assert "atopdata.org" in text
    assert data.dataset("atop5_1m").sha256 in text


# ---------------------------------------------------------------------------------------------
# Fetching over loopback HTTP
# ---------------------------------------------------------------------------------------------


def test_fetch_downloads_into_the_cache_and_verifies(cache: Path, mirror: LoopbackMirror) -> None:
    results = data.fetch(["cow_states", "atop5_1a"], base_url=mirror.url, progress=True)
    assert [(r.name, r.downloaded) for r in results] == [("cow_states", True), ("atop5_1a", True)]
    for result in results:
        ds = data.dataset(result.name)
        assert result.path == cache / "raw" / ds.path
        assert _sha256(result.path) == ds.sha256
    assert sorted(mirror.requests) == ["atop/atop5_1a.csv", "peacesciencer/cow_states.rda"]
    assert _files_under(cache / "raw") == sorted(
        r.path for r in results
    )  # no stray temporary files
    assert data.load("cow_states").height == 243


def test_fetch_of_no_names_fetches_nothing(cache: Path, mirror: LoopbackMirror) -> None:
    assert data.fetch([], base_url=mirror.url, progress=False) == []
    assert mirror.requests == []


def test_fetch_all_gets_every_dataset_from_a_mirror(
    cache: Path, mirror: LoopbackMirror, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _err = _run_cli(["data", "fetch", "--all", "--mirror", mirror.url], capsys)
    assert code == 0
    assert out.count("downloaded") == len(data.datasets())
    for ds in data.datasets().values():
        assert _sha256(cache / "raw" / ds.path) == ds.sha256, ds.name
    assert len(_files_under(cache / "raw")) == len(data.datasets())


def test_fetch_again_does_not_download_again(cache: Path, mirror: LoopbackMirror) -> None:
    data.fetch(["cow_states"], base_url=mirror.url, progress=False)
    again = data.fetch(["cow_states"], base_url=mirror.url, progress=False)
    assert [r.downloaded for r in again] == [False]
    assert mirror.requests == ["peacesciencer/cow_states.rda"]


def test_fetch_uses_foedus_data_mirror_and_quotes_paths_with_spaces(
    cache: Path, mirror: LoopbackMirror, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FOEDUS_DATA_MIRROR", mirror.url + "/")
    (result,) = data.fetch(["cow_directed_dyadic_war_dta"], progress=False)
    assert result.downloaded
    assert result.path.name == "directed dyadic war may 2018.dta"
    assert mirror.requests == ["cow/directed dyadic war may 2018.dta"]


def test_tampered_download_raises_checksum_mismatch_and_leaves_no_file(
    cache: Path, tampering_mirror: LoopbackMirror
) -> None:
    with pytest.raises(ChecksumMismatch, match="nothing was saved") as caught:
        data.fetch(["cow_states"], base_url=tampering_mirror.url, progress=False)
    assert "\n" not in str(caught.value)
    assert _files_under(cache) == []  # neither the file nor a half-written temporary one


def test_unreachable_mirror_raises_data_missing_on_one_line(cache: Path) -> None:
    with pytest.raises(DataMissing, match="could not download 'cow_states'") as caught:
        data.fetch(["cow_states"], base_url="http://127.0.0.1:9", progress=False)
    assert "\n" not in str(caught.value)
    assert _files_under(cache) == []


def test_a_corrupt_copy_in_the_cache_is_replaced_by_fetch(
    cache: Path, mirror: LoopbackMirror
) -> None:
    (first,) = data.fetch(["cow_states"], base_url=mirror.url, progress=False)
    _flip_a_byte(first.path)
    with pytest.raises(
        ChecksumMismatch, match="run `foedus data fetch cow_states` to download it again"
    ):
        data.path("cow_states")
    (second,) = data.fetch(["cow_states"], base_url=mirror.url, progress=False)
    assert second.downloaded
    assert _sha256(second.path) == data.dataset("cow_states").sha256


def test_foedus_data_dir_takes_precedence_over_the_cache(
    cache: Path, mirror: LoopbackMirror, monkeypatch: pytest.MonkeyPatch
) -> None:
    data.fetch(["cow_states"], base_url=mirror.url, progress=False)
    monkeypatch.setenv("FOEDUS_DATA_DIR", str(SHARED))
    assert data.path("cow_states") == SHARED / "peacesciencer" / "cow_states.rda"
    (result,) = data.fetch(["cow_majors"], base_url=mirror.url, progress=False)
    assert not result.downloaded
    assert result.path == SHARED / "peacesciencer" / "cow_majors.rda"
    assert mirror.requests == ["peacesciencer/cow_states.rda"]


# ---------------------------------------------------------------------------------------------
# Missing and corrupt files
# ---------------------------------------------------------------------------------------------


def test_missing_dataset_raises_data_missing_naming_the_fetch_command(cache: Path) -> None:
    with pytest.raises(DataMissing, match=r"run `foedus data fetch cow_states`"):
        data.load("cow_states")


def test_corrupt_file_raises_checksum_mismatch_with_one_line_that_says_what_to_do(
    corrupt_data_dir: Path,
) -> None:
    with pytest.raises(ChecksumMismatch) as caught:
        data.load("cow_states")
    message = str(caught.value)
    assert "\n" not in message
    assert "cow_states.rda is corrupt or another version of dataset 'cow_states'" in message
    assert "unset FOEDUS_DATA_DIR and run `foedus data fetch cow_states`" in message


def test_status_reports_ok_missing_and_checksum_mismatch(corrupt_data_dir: Path) -> None:
    frame = data.status()
    by_name = dict(zip(frame["name"], frame["status"], strict=True))
    assert by_name["cow_states"] == "checksum mismatch"
    assert by_name["atop5_1a"] == "missing"
    assert set(frame.columns) >= {"name", "status", "version", "path", "citation", "licence"}


# ---------------------------------------------------------------------------------------------
# The parquet cache
# ---------------------------------------------------------------------------------------------


def _parquet(name: str) -> Path:
    return _store._parquet_path(data.dataset(name))


def test_parquet_cache_is_written_once_and_reused(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FOEDUS_DATA_DIR", str(SHARED))
    first = data.load("cow_states")
    assert _parquet("cow_states").is_file()
    _store._load_cached.cache_clear()

    def no_parsing(*args: object) -> pl.DataFrame:
        raise AssertionError("the .rda was parsed again although its parquet copy is cached")

    monkeypatch.setattr(_store, "_read", no_parsing)
    assert data.load("cow_states").equals(first)


def test_damaged_parquet_cache_is_rebuilt(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FOEDUS_DATA_DIR", str(SHARED))
    original = data.load("atop5_1a")
    parquet = _parquet("atop5_1a")
    parquet.write_bytes(parquet.read_bytes()[: parquet.stat().st_size // 2])  # truncated
    _store._load_cached.cache_clear()
    assert data.load("atop5_1a").equals(original)
    assert pl.read_parquet(parquet).equals(original)


def test_damaged_parquet_copy_that_cannot_be_deleted_is_still_rebuilt(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A shared or read-only cache: the copy cannot be removed, but it can be replaced or read past.
    monkeypatch.setenv("FOEDUS_DATA_DIR", str(SHARED))
    original = data.load("cow_states")
    parquet = _parquet("cow_states")
    parquet.write_bytes(b"not parquet")
    _store._load_cached.cache_clear()

    def refuse(self: Path, missing_ok: bool = False) -> None:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "unlink", refuse)
    assert data.load("cow_states").equals(original)
    assert pl.read_parquet(parquet).equals(original)


def test_write_atomic_gives_the_file_the_permissions_of_any_new_file(tmp_path: Path) -> None:
    # mkstemp makes its file private (0600); sweep partitions written this way are results to share.
    umask = os.umask(0o022)
    try:
        target = tmp_path / "frame.parquet"
        _store.write_atomic(pl.DataFrame({"a": [1]}), target)
    finally:
        os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o644


def test_write_atomic_leaves_nothing_when_writing_fails(tmp_path: Path) -> None:
    class Exploding:
        def write_parquet(self, file: str) -> None:
            Path(file).write_bytes(b"half")
            raise OSError("disk full")

    target = tmp_path / "out" / "frame.parquet"
    with pytest.raises(OSError, match="disk full"):
        _store.write_atomic(Exploding(), target)  # type: ignore[arg-type]
    assert _files_under(tmp_path) == []


# ---------------------------------------------------------------------------------------------
# The `foedus data` commands
# ---------------------------------------------------------------------------------------------


def _run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_:
        main(args)
    out, err = capsys.readouterr()
    return int(exit_.value.code or 0), out, err


def test_cli_corrupt_file_exits_2_with_one_line_and_no_traceback(corrupt_data_dir: Path) -> None:
    # A real subprocess, as a user would run it.
    run = subprocess.run(
        [sys.executable, "-m", "foedus", "state", "North Korea"],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        timeout=120,
        check=False,
    )
    assert run.returncode == 2
    assert run.stdout == ""
    assert len(run.stderr.strip().splitlines()) == 1
    assert run.stderr.startswith("error: ")
    assert "foedus data fetch cow_states" in run.stderr
    assert "Traceback" not in run.stderr


def test_cli_fetch_downloads_from_a_mirror(
    cache: Path, mirror: LoopbackMirror, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _err = _run_cli(["data", "fetch", "cow_states", "--mirror", mirror.url], capsys)
    assert code == 0
    assert "downloaded" in out
    assert "cow_states" in out
    code, out, _err = _run_cli(["data", "fetch", "cow_states", "--mirror", mirror.url], capsys)
    assert code == 0
    assert "present" in out


def test_cli_fetch_without_names_or_all_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run_cli(["data", "fetch"], capsys)
    assert code == 2
    assert out == ""
    assert "--all" in err
    assert len(err.strip().splitlines()) == 1


def test_cli_tampered_download_exits_2(
    cache: Path, tampering_mirror: LoopbackMirror, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, err = _run_cli(
        ["data", "fetch", "cow_states", "--mirror", tampering_mirror.url, "-q"], capsys
    )
    assert code == 2
    assert "does not match its pinned sha256" in err
    assert _files_under(cache) == []


def test_cli_status_json_lists_every_dataset(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = _run_cli(["data", "status", "--json"], capsys)
    rows = json.loads(out)
    assert code == 0
    assert len(rows) == len(data.datasets())
    assert {r["status"] for r in rows} == {"ok"}
    cow = next(r for r in rows if r["name"] == "cow_states")
    assert cow["path"].endswith("peacesciencer/cow_states.rda")
    assert cow["citation"].startswith("Correlates of War")


def test_cli_status_table_shows_status_and_citation(
    corrupt_data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run_cli(["data", "status"], capsys)
    assert code == 0
    assert re.search(r"cow_states\s+checksum mismatch", out)
    assert "Correlates of War Project" in out
    assert "foedus data fetch" in err


def test_cli_cite_prints_citation_and_licence(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = _run_cli(["data", "cite", "gw_states"], capsys)
    assert code == 0
    assert out.startswith("Gleditsch, Kristian S. and Michael D. Ward. 1999.")
    assert "Licence:" in out


def test_cli_cite_unknown_dataset_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = _run_cli(["data", "cite", "cow_state"], capsys)
    assert code == 2
    assert "did you mean cow_states" in err


def test_cli_prints_any_foedus_error_verbatim_on_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Messages carry user text (file names, queries): no emoji codes, markup or line breaks.
    def cite(name: str) -> str:
        raise DataMissing(f"no dataset '{name}' in /tmp/a\nb :thumbs_up: [bold]x[/]")

    monkeypatch.setattr(data, "cite", cite)
    code, out, err = _run_cli(["data", "cite", ":smile:"], capsys)
    assert code == 2
    assert out == ""
    assert err == "error: no dataset ':smile:' in /tmp/a b :thumbs_up: [bold]x[/]\n"


def test_cli_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = _run_cli(["data", "fetch", "--no-such-option"], capsys)
    assert code == 2
    assert "--no-such-option" in err
