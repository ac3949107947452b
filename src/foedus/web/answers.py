"""The questions the web app asks, each answered in the CLI's ``--json`` form.

Each function parses what the user typed (state names, dates, kinds) with the same parsers the
CLI uses, calls the same public domain function, and returns the JSON-able value the CLI prints
with ``--json``. The API routes return these values as they are; the HTML pages render them.
So the page, the API and the CLI can never disagree. The map and search have no CLI command:
their matching (ISO 3166 numeric ids to COW codes, name search) is done here, and belongs in
foedus.states and the treaty registry when those grow a public form of it.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from collections.abc import Sequence
from typing import Any

from foedus import dates, states
from foedus import network as _network
from foedus.errors import InvalidArgument, InvalidDate, UnknownState
from foedus.obligations import DEFAULT_KIND, Scenario
from foedus.obligations import respond as _respond

# Imported from the subpackage: `from foedus import treaties` would give the *function*
# foedus.treaties.treaties, which the package root re-exports under the subpackage's name.
from foedus.treaties import allies as _allies
from foedus.treaties import detail as _detail
from foedus.treaties import history as _history
from foedus.treaties import registry as _registry
from foedus.treaties import summary as _summary
from foedus.treaties import treaties as _treaties
from foedus.treaties import treaty as _treaty
from foedus.web.app import STATIC

#: The world map's topology (world-atlas countries-110m), bundled by web/build.mjs.
TOPOLOGY = STATIC / "data" / "countries-110m.json"

#: Longest value accepted for any one parameter (state names, dates, places, treaty ids).
MAX_PARAM = 100

#: Most attackers a scenario may name (the API refuses more: 4xx, not a slow request).
MAX_ATTACKERS = 8


# ------------------------------------------------------------------ parsing (same as the CLI)


def day(text: str | None) -> dt.date:
    """A query's date (today when absent), checked against foedus's coverage."""
    return dates.today() if text is None or text == "" else dates.parse_date(text)


def state(text: str, on: dt.date | None = None) -> int:
    """A state's COW code from whatever the user typed (name, ISO3, COW abbreviation or code)."""
    return states.resolve(text, on=on)


def state_label(code: int) -> dict[str, Any]:
    """A state's code, name and ISO3 code, for links and headings."""
    return {
        "ccode": code,
        "name": states.name(code),
        "iso3": states.iso3(code),
        "abbrev": states.abbrev(code),
    }


# ------------------------------------------------------------------ the questions


def allies(state_text: str, date_text: str | None, kind: str | None = None) -> list[dict[str, Any]]:
    """``foedus allies STATE [--date D] [--kind K] --json``."""
    return [
        a.model_dump(mode="json") for a in _allies(state_text, day(date_text), kind=kind or None)
    ]


def treaties_list(
    state_text: str | None, date_text: str | None, kind: str | None
) -> list[dict[str, Any]]:
    """``foedus treaties [--state X] [--date D] [--kind K] --json``."""
    found = _treaties(state=state_text or None, date=date_text or None, kind=kind or None)
    return [_summary(t) for t in found]


def treaty(treaty_id: str) -> dict[str, Any]:
    """``foedus treaty ID --json``."""
    return _detail(_treaty(treaty_id))


def atop_record(number: str) -> dict[str, Any]:
    """ATOP 5.1's own record of alliance ``number``, even where a curated treaty is the same treaty."""
    registry = _registry()
    record = registry.atop(number)
    linked_to = registry.linked.get(record.atop_ids[0]) if record.atop_ids else None
    return {**_detail(record), "linked_to": linked_to}


def history(a_text: str, b_text: str) -> dict[str, Any]:
    """``foedus history A B --json``."""
    return _history(a_text, b_text).model_dump(mode="json")


def respond(
    attackers: Sequence[str],
    target_text: str,
    date_text: str | None,
    place: str | None = None,
    kind: str | None = None,
    cascade: bool = False,
    provoked: bool | None = None,
) -> dict[str, Any]:
    """``foedus respond --attacker A [--attacker A2] --target T --date D ... --json``."""
    named = [a for a in attackers if a and a.strip()]
    if any(len(a) > MAX_PARAM for a in named):
        raise InvalidArgument(f"attacker names are at most {MAX_PARAM} characters")
    if len(named) > MAX_ATTACKERS:
        raise InvalidArgument(f"{len(named)} attackers: a scenario takes at most {MAX_ATTACKERS}")
    scenario = Scenario.build(
        named,
        target_text,
        day(date_text),
        place=place or None,
        kind=kind or DEFAULT_KIND,
        provoked=provoked,
    )
    return _respond(scenario, cascade=cascade).to_dict()


def states_on(date_text: str | None) -> list[dict[str, Any]]:
    """``foedus states --date D --json``: the states in the COW system on the date (default
    today), each with the spell(s) covering it."""
    return states.table(day(date_text))


# ------------------------------------------------------------------ the network


def year(text: str) -> int:
    """A query's year (four ASCII digits), checked against foedus's coverage."""
    value = text.strip()
    if not re.fullmatch(r"[0-9]{4}", value):
        raise InvalidDate(
            f"year {text!r} is not a year: give four digits from {dates.EARLIEST.year} to "
            f"{dates.today().year}, e.g. year=1914"
        )
    if not dates.EARLIEST.year <= int(value) <= dates.today().year:
        raise InvalidDate(
            f"year {value} is outside foedus's coverage: choose a year from "
            f"{dates.EARLIEST.year} to {dates.today().year}"
        )
    return int(value)


def network_day(date_text: str | None, year_text: str | None) -> dt.date:
    """The day of a network query: ``year`` (1 January) or ``date``, not both; default today."""
    if year_text and date_text:
        raise InvalidArgument("give either year or date, not both, e.g. year=1914")
    return dt.date(year(year_text), 1, 1) if year_text else day(date_text)


@functools.lru_cache(maxsize=64)
def _snapshot(on: dt.date, seed: int, kinds: str | None) -> dict[str, Any]:
    return _network.snapshot(on, seed=seed, weights=_network.weights_for(kinds))


def network(
    date_text: str | None, year_text: str | None = None, seed: int = 0, kinds: str | None = None
) -> dict[str, Any]:
    """``foedus network --date D|--year Y [--seed S] [--kinds K] --json`` (shared, do not mutate)."""
    if seed < 0:
        raise InvalidArgument(f"seed {seed} must be 0 or more")
    _network.weights_for(kinds or None)  # a bad kind is an error before anything is computed
    return _snapshot(network_day(date_text, year_text), seed, kinds or None)


def network_summary(on: dt.date, seed: int = 0, kinds: str | None = None) -> dict[str, Any]:
    """The day's :func:`foedus.network.summary` (modularity, effective poles, pole leaders...)."""
    return _network.summary(on, seed=seed, weights=_network.weights_for(kinds or None))


@functools.lru_cache(maxsize=4)
def polarity(start: int, end: int) -> tuple[dict[str, Any], ...]:
    """``foedus polarity --from START --to END --json`` (computed once per process: a few
    seconds for 1816 to today)."""
    return tuple(_network.polarity(start, end).to_dicts())


# ------------------------------------------------------------------ the map


@functools.cache
def _features() -> tuple[tuple[str, str, str | None], ...]:
    """(key, name, ISO3) for each country of the bundled topology; key = its ISO 3166 numeric id
    (pycountry gives the alpha-3 code), else its name: Kosovo, N. Cyprus and Somaliland have none."""
    import pycountry

    topology = json.loads(TOPOLOGY.read_text(encoding="utf-8"))
    features = []
    for g in topology["objects"]["countries"]["geometries"]:
        name = g["properties"]["name"]
        key = g.get("id") or name
        country = pycountry.countries.get(numeric=key) if key.isdigit() else None
        features.append((key, name, country.alpha_3 if country is not None else None))
    return tuple(features)


@functools.lru_cache(maxsize=256)
def _map_on(on: dt.date) -> dict[str, Any]:
    members = set(states.members_on(on))
    features = {}
    for key, name, iso3 in _features():
        try:  # the COW code on that date (foedus.states): DEU is 260 in 1960, 255 today
            code: int | None = states.resolve(iso3 or name, on=on)
        except UnknownState:
            code = None
        features[key] = {
            "name": states.name(code) if code is not None else name,
            "iso3": iso3,
            "ccode": code,
            "member": code in members,
        }
    return {"date": on.isoformat(), "features": features}


def world_map(date_text: str | None) -> dict[str, Any]:
    """Each country of the world map with its COW code on the date and whether it is a state then."""
    return _map_on(day(date_text))


# ------------------------------------------------------------------ search


def search(query: str, limit: int = 20) -> dict[str, Any]:
    """States and treaties whose name, code or alias matches ``query``."""
    from rapidfuzz import fuzz, process

    text = query.strip()
    if not text:
        raise InvalidArgument("empty search: type part of a state's or a treaty's name")
    folded = text.casefold()

    found_states: dict[int, dict[str, Any]] = {}
    try:
        code = states.resolve(text)
        found_states[code] = state_label(code)
    except UnknownState:
        pass
    names = {code: states.name(code) for code in states.codes()}
    for code, label in names.items():
        if folded in label.casefold():
            found_states.setdefault(code, state_label(code))
    for _label, score, code in process.extract(text, names, scorer=fuzz.WRatio, limit=5):
        if score >= 85:
            found_states.setdefault(code, state_label(code))

    found_treaties = []
    for t in _registry().treaties:
        haystack = [t.id, t.name, t.short_name or "", *t.aliases]
        if any(folded in h.casefold() for h in haystack):
            found_treaties.append(
                {
                    "id": t.id,
                    "name": t.short_name or t.name,
                    "origin": t.origin,
                    "in_force": _iso(t.in_force or t.signed),
                    "ended": _iso(t.ended),
                }
            )
    return {
        "query": text,
        "states": list(found_states.values())[:limit],
        "treaties": found_treaties[:limit],
    }


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None
