"""Places: the gazetteer a casus-foederis scenario uses to say *where* an attack happens.

A treaty's duty often depends on the place: Art. V of the US–Japan treaty covers only "the
territories under the administration of Japan", NATO's Art. 5 only the Art. 6 area, the US–ROK
treaty only "the Pacific area". This module answers the two questions such clauses ask:

* who administers the place (and who else claims it), and
* whether it lies in a region that a treaty article names (region keys such as
  ``"nato_article_6_area"``, ``"pacific_area"``, ``"anzus_pacific_area"``, ``"rio_security_zone"``).

The gazetteer is data (``places.toml``, shipped in the package). A place is either a named place
("Guam", "Crimea", "Senkaku Islands", "Pacific area") or a state's own (metropolitan) territory,
which is what a scenario means when it names no place:

>>> guam = resolve("Guam")
>>> guam.administered_by, guam.in_region("nato_article_6_area").status
(2, 'not_met')
>>> resolve(None, target=740).in_region("pacific_area").status
'met'

Membership of a region has three answers: ``met``, ``not_met`` and ``undecidable`` (the gazetteer
marks the membership unclear, with the reason, or does not record it). The obligations engine
turns ``undecidable`` into the verdict ``unknown``: it never guesses.
"""

from __future__ import annotations

import datetime as dt
import functools
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from typing import Literal

from rapidfuzz import fuzz, process

from foedus import states
from foedus.errors import UnknownPlace, UnknownState

Status = Literal["met", "not_met", "undecidable"]
PlaceKind = Literal["state_territory", "territory", "region"]
PlaceStatus = Literal["undisputed", "disputed", "annexed", "contested_control", "region"]

#: Continental region keys: a place's ``continent`` sets these (true for its own, false for others).
CONTINENTS: tuple[str, ...] = (
    "europe",
    "north_america",
    "south_america",
    "africa",
    "middle_east",
    "asia",
    "oceania",
)


@dataclass(frozen=True)
class Region:
    """A region that treaty articles use as scope, with its definition and sources."""

    key: str
    name: str
    definition: str
    sources: tuple[dict, ...] = ()


@dataclass(frozen=True)
class RegionCheck:
    """Whether a place lies in a region: ``met``, ``not_met`` or ``undecidable``, and why."""

    status: Status
    reason: str


@dataclass(frozen=True)
class Place:
    """A named place or a state's own territory.

    ``administered_by`` is the COW code of the state that administers it (``None`` for a region or
    where no single state does); ``claimants`` are other states that claim it.
    """

    key: str
    name: str
    kind: PlaceKind
    status: PlaceStatus
    administered_by: int | None = None
    claimants: tuple[int, ...] = ()
    regions: dict[str, bool] = field(default_factory=dict)
    unclear: dict[str, str] = field(default_factory=dict)
    note: str = ""
    aliases: tuple[str, ...] = ()
    sources: tuple[dict, ...] = ()

    def __hash__(self) -> int:
        return hash(self.key)

    @property
    def state(self) -> int | None:
        """The state whose own territory this is (``None`` for a named place)."""
        return int(self.key.split(":", 1)[1]) if self.kind == "state_territory" else None

    def in_region(self, key: str) -> RegionCheck:
        """Whether this place lies in region ``key``, with the reason."""
        label = regions()[key].name if key in regions() else key
        if key in self.unclear:
            return RegionCheck(
                "undecidable",
                f"unclear whether {self.name} lies in the {label}: {self.unclear[key]}",
            )
        if key in self.regions:
            inside = self.regions[key]
            return RegionCheck(
                "met" if inside else "not_met",
                f"{self.name} {'lies' if inside else 'does not lie'} in the {label}",
            )
        return RegionCheck(
            "undecidable", f"the gazetteer does not record whether {self.name} lies in the {label}"
        )

    def to_dict(self) -> dict:
        """A JSON-able description (used in scenario output)."""
        return {
            "key": self.key,
            "name": self.name,
            "kind": self.kind,
            "status": self.status,
            "administered_by": self.administered_by,
            "claimants": list(self.claimants),
        }


@functools.cache
def _raw() -> dict:
    return tomllib.loads(resources.files("foedus").joinpath("places.toml").read_text("utf-8"))


@functools.cache
def regions() -> dict[str, Region]:
    """Every region key the gazetteer defines, with its definition and sources."""
    return {
        key: Region(
            key=key, name=r["name"], definition=r["definition"], sources=tuple(r.get("sources", ()))
        )
        for key, r in _raw()["regions"].items()
    }


def _continent_flags(continent: str | None) -> dict[str, bool]:
    if continent is None:
        return {}
    if continent not in CONTINENTS:
        raise ValueError(
            f"places.toml: unknown continent '{continent}' (use one of {', '.join(CONTINENTS)})"
        )
    return {c: c == continent for c in CONTINENTS}


@functools.cache
def places() -> dict[str, Place]:
    """The named places of the gazetteer, by key."""
    out: dict[str, Place] = {}
    for entry in _raw()["places"]:
        flags = {**_continent_flags(entry.get("continent")), **entry.get("regions", {})}
        unclear = dict(entry.get("unclear", {}))
        for key in (*flags, *unclear):
            if key not in regions():
                raise ValueError(
                    f"places.toml: place '{entry['key']}' names unknown region '{key}'"
                )
        for key in unclear:
            flags.pop(key, None)
        out[entry["key"]] = Place(
            key=entry["key"],
            name=entry["name"],
            kind=entry["kind"],
            status=entry["status"],
            administered_by=entry.get("administered_by"),
            claimants=tuple(entry.get("claimants", ())),
            regions=flags,
            unclear=unclear,
            note=entry.get("note", ""),
            aliases=tuple(entry.get("aliases", ())),
            sources=tuple(entry.get("sources", ())),
        )
    return out


def _codes(items: list[str]) -> set[int]:
    found: set[int] = set()
    for item in items:
        low, _, high = str(item).partition("-")
        found.update(range(int(low), int(high or low) + 1))
    return found


@functools.cache
def _home_tables() -> dict[str, tuple[set[int], set[int], str]]:
    return {
        key: (_codes(spec.get("yes", [])), _codes(spec.get("unclear", [])), spec.get("why", ""))
        for key, spec in _raw()["home"].items()
    }


@functools.cache
def home(ccode: int) -> Place:
    """A state's own (metropolitan) territory as a place: the default place of a scenario."""

    try:
        label = states.name(ccode)
    except UnknownState:
        label = f"state {ccode}"
    flags: dict[str, bool] = {}
    unclear: dict[str, str] = {}
    for key, (yes, maybe, why) in _home_tables().items():
        if ccode in maybe:
            unclear[key] = why
        else:
            flags[key] = ccode in yes
    claim = _raw().get("home_claims", {}).get(str(ccode), {})
    # A state administers its own territory, and the batch engine relies on every such territory
    # meeting a defence pledge's implicit place check alike (foedus.obligations.batch).
    if claim.get("status", "undisputed") not in ("undisputed", "disputed"):
        raise ValueError(
            f"places.toml: home_claims.{ccode} has status '{claim['status']}' (use undisputed or disputed)"
        )
    return Place(
        key=f"state:{ccode}",
        name=f"the territory of {label}",
        kind="state_territory",
        status=claim.get("status", "undisputed"),
        administered_by=ccode,
        claimants=tuple(claim.get("claimants", ())),
        regions=flags,
        unclear=unclear,
        note=claim.get(
            "note",
            f"The metropolitan (home) territory of {label}; overseas territories are separate places.",
        ),
    )


@functools.cache
def _index() -> dict[str, str]:
    table: dict[str, str] = {}
    for place in places().values():
        for label in (place.name, place.key, place.key.replace("_", " "), *place.aliases):
            table.setdefault(states.fold_name(label), place.key)
    return table


def suggestions(query: str, limit: int = 3) -> list[str]:
    """The closest place names to ``query`` (for error messages)."""
    labels = {label: places()[key].name for label, key in _index().items()}
    hits = process.extract(
        states.fold_name(query), list(labels), scorer=fuzz.WRatio, limit=limit * 4
    )
    found: list[str] = []
    for label, _score, _ in hits:
        if labels[label] not in found:
            found.append(labels[label])
    return found[:limit]


def resolve(
    query: str | int | None, *, target: int | None = None, on: dt.date | str | None = None
) -> Place:
    """The place a scenario names: a gazetteer entry, a state's own territory, or by default the target's.

    ``query=None`` means the target's own territory (``target`` is then required). A state name,
    ISO3 or COW code gives that state's own territory; a name resolves to the state in the system
    on ``on`` (the scenario's date: "Germany" is 260 in 1970). Anything else raises
    :class:`~foedus.errors.UnknownPlace` with the closest names.
    """

    if query is None or (isinstance(query, str) and not query.strip()):
        if target is None:
            raise UnknownPlace(
                "no place given and no target state to default to: name a place or a target"
            )
        return home(target)
    if isinstance(query, Place):
        return query
    if isinstance(query, str) and query.startswith("state:") and query[6:].isdigit():
        return home(int(query[6:]))
    if isinstance(query, str):
        key = _index().get(states.fold_name(query))
        if key is not None:
            return places()[key]
    try:
        return home(states.resolve(query, on=on))
    except UnknownState:
        pass
    close = "; ".join(suggestions(str(query)))
    raise UnknownPlace(
        f"unknown place '{query}': did you mean {close}? (a state name gives its own territory; "
        f"`foedus places` lists the gazetteer)"
    )
