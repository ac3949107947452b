"""A user adds a treaty by dropping a TOML file into FOEDUS_TREATIES_DIR: no code change."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from conftest import run_foedus

_SHIPPED = Path(__file__).resolve().parents[1] / "src" / "foedus" / "treaties" / "curated"


def _foedus(args: list[str], folder: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "FOEDUS_TREATIES_DIR": str(folder), "COLUMNS": "120"}
    return run_foedus(args, env)


def _copy_as(folder: Path, new_id: str, edit=lambda text: text) -> Path:
    text = (_SHIPPED / "rus_prk_2024.toml").read_text("utf-8")
    text = re.sub(r'(?m)^id = "rus_prk_2024"', f'id = "{new_id}"', text)
    target = folder / f"{new_id}.toml"
    target.write_text(edit(text), "utf-8")
    return target


def test_a_treaty_file_in_the_user_folder_joins_the_registry(tmp_path: Path) -> None:
    _copy_as(tmp_path, "draft_pact")
    done = _foedus(["allies", "PRK", "--date", "2025-06-01", "--json"], tmp_path)
    assert done.returncode == 0, done.stderr
    assert any(
        a["treaty_id"] == "draft_pact" and a["ccode"] == 365 for a in json.loads(done.stdout)
    )


def test_a_malformed_user_treaty_file_gives_one_line_naming_file_and_field(tmp_path: Path) -> None:
    _copy_as(
        tmp_path,
        "broken_pact",
        lambda text: re.sub(r"(?m)^entry = .*$", "entry = 2024-13-01", text, count=1),
    )
    done = _foedus(["allies", "PRK", "--date", "2025-06-01"], tmp_path)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "broken_pact.toml" in lines[0]
    assert "entry" in lines[0]
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("clash", ["rus_prk_2024"])
def test_a_user_file_may_not_reuse_a_shipped_id(tmp_path: Path, clash: str) -> None:
    (tmp_path / f"{clash}.toml").write_text(
        (_SHIPPED / f"{clash}.toml").read_text("utf-8"), "utf-8"
    )
    done = _foedus(["allies", "PRK"], tmp_path)
    assert done.returncode == 2
    assert "already a shipped treaty" in done.stderr
