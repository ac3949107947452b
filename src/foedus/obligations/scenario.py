"""Scenarios: who attacks whom, when, where, and how.

>>> s = Scenario.build(attackers=["USA"], target="North Korea", date="2025-01-01")
>>> s.attackers, s.target, s.kind
((2,), 731, 'state_of_war')
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from foedus import places, states
from foedus.dates import parse_date
from foedus.errors import InvalidScenario, UnknownState

AttackKind = Literal["threat", "armed_attack", "state_of_war"]

#: The scenario kinds, mildest first, with what each means.
KINDS: dict[str, str] = {
    "threat": "a threat of armed attack; no attack yet",
    "armed_attack": "an armed attack; whether it puts the target in a state of war is left open (a strike, a border clash, an incident at sea)",
    "state_of_war": "an armed attack that puts the target in a state of war, declared or not — what 'A attacks B' ordinarily means (the default)",
}

DEFAULT_KIND: AttackKind = "state_of_war"


def parse_kind(value: str) -> AttackKind:
    """``"armed-attack"``, ``"armed attack"`` or ``"armed_attack"`` -> ``"armed_attack"``."""
    key = str(value).strip().lower().replace("-", "_").replace(" ", "_")
    if key not in KINDS:
        raise InvalidScenario(
            f"unknown attack kind '{value}': use one of armed-attack, state-of-war, threat"
        )
    return key  # type: ignore[return-value]


@dataclass(frozen=True)
class Scenario:
    """An attack: ``attackers`` (COW codes) attack ``target`` on ``date``.

    ``place`` is a gazetteer name ("Guam", "Senkaku Islands", "Pacific area") or a state (its own
    territory); ``None`` means the target's own territory. ``kind`` is ``"threat"``,
    ``"armed_attack"`` or ``"state_of_war"`` (see :data:`KINDS`). ``provoked`` says whether the
    target provoked the attack (``None``: the scenario does not say — conditions on provocation
    are then undecidable).

    Construct it with :meth:`build` to resolve names and check the input; the constructor checks
    too but expects COW codes.
    """

    attackers: tuple[int, ...]
    target: int
    date: dt.date
    place: str | places.Place | None = None
    kind: AttackKind = DEFAULT_KIND
    provoked: bool | None = None
    #: Skip the check that every state is in the COW system on the date (cascade rounds, tests).
    check_system: bool = field(default=True, compare=False, repr=False)

    def __post_init__(self) -> None:
        attackers = tuple(dict.fromkeys(int(a) for a in self.attackers))
        object.__setattr__(self, "attackers", attackers)
        object.__setattr__(self, "date", parse_date(self.date))
        object.__setattr__(self, "kind", parse_kind(self.kind))
        if not attackers:
            raise InvalidScenario("a scenario needs at least one attacker: pass --attacker STATE")
        if self.target in attackers:
            raise InvalidScenario(
                f"the attacker and the target are the same state ({states.name(self.target)}): name two different states"
            )
        for code in (*attackers, self.target):
            states.name(code)  # raises UnknownState for a code no system knows
            # Without the COW state list (nothing downloaded) membership periods are unknown.
            if self.check_system and states.has_periods() and not states.in_system(code, self.date):
                raise UnknownState(
                    f"{states.name(code)} ({code}) is not a state in the COW system on {self.date.isoformat()}: "
                    "choose a date when it existed (`foedus states` lists membership periods)"
                )
        self.place_info  # raises UnknownPlace  # noqa: B018

    @classmethod
    def build(
        cls,
        attackers: Iterable[str | int] | str | int,
        target: str | int,
        date: str | dt.date,
        *,
        place: str | None = None,
        kind: str = DEFAULT_KIND,
        provoked: bool | None = None,
    ) -> Scenario:
        """A scenario from what users type: state names, ISO3 or COW codes, an ISO date."""
        day = parse_date(date)
        if isinstance(attackers, (str, int)):
            attackers = [attackers]
        codes = tuple(states.resolve(a, on=day) for a in attackers)
        return cls(
            attackers=codes,
            target=states.resolve(target, on=day),
            date=day,
            place=place,
            kind=parse_kind(kind),
            provoked=provoked,
        )

    @property
    def place_info(self) -> places.Place:
        """The resolved place (the target's own territory when ``place`` is ``None``)."""
        return places.resolve(self.place, target=self.target, on=self.date)

    def to_dict(self) -> dict:
        """A JSON-able description."""
        return {
            "attackers": [{"ccode": a, "name": states.name(a)} for a in self.attackers],
            "target": {"ccode": self.target, "name": states.name(self.target)},
            "date": self.date.isoformat(),
            "place": self.place_info.to_dict()
            | {"query": self.place if not isinstance(self.place, places.Place) else self.place.key},
            "kind": self.kind,
            "provoked": self.provoked,
        }
