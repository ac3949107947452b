"""The curated treaty registry: one human-readable TOML file per treaty, shipped with the package.

Each file in ``foedus/treaties/curated/`` is named after the treaty's id (``rus_prk_2024.toml``) and
validates into a :class:`~foedus.treaties.model.Treaty` with ``origin = "curated"``. Adding a
treaty is adding a file; no code changes.

>>> treaties = load_curated()
>>> nato = next(t for t in treaties if t.id == "nato_1949")
>>> 375 in nato.member_codes(datetime.date(2023, 4, 4))
True
"""

from __future__ import annotations

import datetime
import functools
import re
import tomllib
from collections.abc import Iterable
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from foedus.errors import InvalidTreaty
from foedus.treaties.model import Treaty

__all__ = ["load_curated"]

#: The package and folder that hold the shipped treaty files.
_PACKAGE = "foedus.treaties"
_PACKAGE_FOLDER = "curated"


def load_curated(directory: Path | None = None) -> list[Treaty]:
    """Every curated treaty, sorted by id.

    ``directory`` defaults to the package's own ``curated/`` folder (loaded once per process and
    cached: package data never changes at runtime). Pass a folder to load other files, e.g. a
    draft treaty under review; that load is not cached.

    Raises :class:`~foedus.errors.InvalidTreaty` with a one-line message naming the file and the
    field for a TOML syntax error, a field that fails validation, a file whose ``id`` differs from
    its name, a non-curated ``origin``, or two files with the same id.

    >>> [t.id for t in load_curated() if t.id.startswith("rus_prk")]
    ['rus_prk_2000', 'rus_prk_2024']
    """
    if directory is None:
        return list(_load_package())
    folder = Path(directory)
    if not folder.is_dir():
        raise InvalidTreaty(
            f"{folder}: not a folder of treaty files — pass a directory that holds *.toml files"
        )
    return _load_all(folder.iterdir())


@functools.cache
def _load_package() -> tuple[Treaty, ...]:
    folder = resources.files(_PACKAGE).joinpath(_PACKAGE_FOLDER)
    return tuple(_load_all(folder.iterdir()))


def _load_all(entries: Iterable[Traversable | Path]) -> list[Treaty]:
    files = sorted(
        (e for e in entries if e.name.endswith(".toml") and e.is_file()), key=lambda e: e.name
    )
    seen: dict[str, str] = {}
    treaties = []
    for entry in files:
        treaty = _load_file(entry.name, entry.read_bytes())
        # Duplicates first: a copied file keeps its id, and "already defined in" is the better hint.
        if treaty.id in seen:
            raise InvalidTreaty(
                f"{entry.name}: id: '{treaty.id}' is already defined in {seen[treaty.id]} — "
                f"treaty ids must be unique: give {entry.name} its own id (its file name)"
            )
        stem = entry.name.removesuffix(".toml")
        if treaty.id != stem:
            raise InvalidTreaty(
                f"{entry.name}: id: '{treaty.id}' does not match the file name — name the file "
                f'{treaty.id}.toml or set id = "{stem}"'
            )
        seen[treaty.id] = entry.name
        treaties.append(treaty)
    return sorted(treaties, key=lambda t: t.id)


def _load_file(name: str, content: bytes) -> Treaty:
    """Parse and validate one treaty file; every failure becomes a one-line InvalidTreaty."""
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidTreaty(
            f"{name}: not UTF-8 text ({exc.reason}) — save the file as UTF-8"
        ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidTreaty(_describe_syntax(name, text, str(exc))) from None
    try:
        treaty = Treaty.model_validate(data)
    except ValidationError as exc:
        raise InvalidTreaty(_describe(name, exc)) from None
    if treaty.origin != "curated":
        raise InvalidTreaty(
            f"{name}: origin: '{treaty.origin}' — curated treaty files must say origin = \"curated\""
        )
    return treaty


_LINE_NUMBER = re.compile(r"at line (\d+)")
_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\s]+?)\s*\]\]?\s*(#.*)?$")
_KEY_VALUE = re.compile(r"^\s*([A-Za-z0-9_]+)\s*=\s*(.*?)\s*(#.*)?$")
_DATE_LIKE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$")


def _describe_syntax(name: str, text: str, message: str) -> str:
    """One line for a TOML syntax error, naming the field when the bad line is ``key = value``.

    tomllib reports only a line and column, so the field path (``members.0.entry``) is rebuilt
    from the table headers above the bad line.
    """
    match = _LINE_NUMBER.search(message)
    lines = text.splitlines()
    number = int(match.group(1)) if match else 0
    if 1 <= number <= len(lines):
        pair = _KEY_VALUE.match(lines[number - 1])
        if pair is not None:
            key, value = pair.group(1), pair.group(2)
            field = ".".join([*_table_path(lines[: number - 1]), key])
            if _DATE_LIKE.match(value):
                problem = f"invalid date {_show(value)}: use YYYY-MM-DD with a real month and day"
            else:
                problem = f"invalid TOML value {_show(value)} ({_one_line(message)})"
            return f"{name}: {field}: {problem} — fix the field in that file"
    return f"{name}: invalid TOML: {_one_line(message)} — fix the syntax in that file"


def _table_path(lines: list[str]) -> list[str]:
    """The dotted path (with array indices) of the table that the next line belongs to."""
    counts: dict[tuple[object, ...], int] = {}
    index: dict[tuple[str, ...], int] = {}
    path: list[str] = []
    for line in lines:
        header = _HEADER.match(line)
        if header is None:
            continue
        names = [part.strip() for part in header.group(2).split(".")]
        if header.group(1) == "[[":
            parent = tuple((n, index.get(tuple(names[: i + 1]))) for i, n in enumerate(names[:-1]))
            slot = (parent, names[-1])
            counts[slot] = counts.get(slot, -1) + 1
            index[tuple(names)] = counts[slot]
        path = []
        for i, part in enumerate(names):
            path.append(part)
            position = index.get(tuple(names[: i + 1]))
            if position is not None and (i < len(names) - 1 or header.group(1) == "[["):
                path.append(str(position))
    return path


def _describe(name: str, exc: ValidationError) -> str:
    """``file: field.path: what is wrong — fix`` for the first error, with a count of the others."""
    errors = exc.errors(include_url=False)
    first = errors[0]
    field = ".".join(str(part) for part in first["loc"]) or "(top level)"
    problem = _problem(first)
    more = (
        f" (and {len(errors) - 1} more error{'s' if len(errors) > 2 else ''})"
        if len(errors) > 1
        else ""
    )
    return f"{name}: {field}: {problem} — fix the field in that file{more}"


def _problem(error: Any) -> str:
    kind: str = error["type"]
    value = error.get("input")
    if kind.startswith(("date_", "datetime_")):
        return f"invalid date {_show(value)}: use YYYY-MM-DD with a real month and day"
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return f"unknown field (value {_show(value)}); check the spelling against foedus.treaties.model"
    if kind == "literal_error":
        return f"{_one_line(error['msg']).lower()}, got {_show(value)}"
    if kind == "value_error":
        return _one_line(error["msg"]).removeprefix("Value error, ")
    return f"{_one_line(error['msg'])}, got {_show(value)}"


def _show(value: Any) -> str:
    if isinstance(value, str):
        text = value
    elif isinstance(value, datetime.date):
        text = value.isoformat()
    else:
        text = repr(value)
    text = _one_line(text)
    return f"'{text[:60]}…'" if len(text) > 60 else f"'{text}'"


def _one_line(text: str) -> str:
    return " ".join(text.split())
