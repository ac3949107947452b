"""The typed treaty model: what a treaty promises, to whom, since when, and on what authority.

The same model holds the curated registry (one TOML file per treaty, shipped in the package) and
the ATOP 5.1 alliances (imported from the data files), so every query and the casus-foederis
engine see one kind of record. Every fact carries a :class:`Source`.

Vocabulary follows the ATOP codebook (Leeds 2022): five primary obligations (defense, offense,
neutrality, non-aggression, consultation), their conditions (adversary, location, conflict,
number of attackers, demands, non-provocation), and institutional provisions (military aid,
bases, integrated command, ...).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

#: The five ATOP obligations plus the institutional provisions foedus records.
ProvisionKind = Literal[
    "defense",
    "offense",
    "neutrality",
    "non_aggression",
    "consultation",
    "military_aid",
    "intelligence_sharing",
    "technology_transfer",
    "bases",
    "integrated_command",
    "economic_aid",
    "no_other_alliance",
]

#: Obligations that can make a state act when an ally is attacked (ATOP's primary obligations).
PRIMARY_KINDS: tuple[str, ...] = (
    "defense",
    "offense",
    "neutrality",
    "non_aggression",
    "consultation",
)

#: State codes in treaty data that are not COW codes: ATOP's own code for Annam (alliance 1320
#: with France, 1874-1883).
NON_COW_CODES: dict[int, str] = {8152: "Annam"}

#: What happened to the target in a scenario, from the mildest to the gravest.
AttackKind = Literal["threat", "armed_attack", "state_of_war"]

ConditionKind = Literal[
    "adversary",  # only against named states (ATOP *coadv)
    "location",  # only for attacks in a region / on territory of a given status (ATOP *coloc)
    "conflict_type",  # only for some kinds of conflict: threat, armed attack, state of war (*cocon)
    "attackers",  # depends on the number of attackers (ATOP *conum)
    "non_provocation",  # only if the ally did not provoke the attack (ATOP defconpr/neuconpr)
    "demands",  # only if an ally/adversary meets or rejects demands (ATOP *codem)
    "request",  # only at the request of the attacked party (ATOP concoreq)
    "procedure",  # acts through constitutional processes / national law: recorded, never blocking
    "other",  # any other condition (ATOP olimob)
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(_Strict):
    """Where a fact comes from. ``verified=False`` marks facts the research notes flag UNVERIFIED."""

    citation: str
    url: str | None = None
    article: str | None = None
    quote: bool = False  # the text it supports is verbatim from this source
    verified: bool = True
    note: str | None = None


class Condition(_Strict):
    """A condition on a provision; a scenario meets it, fails it, or leaves it undecidable.

    ``decidable=False`` marks a condition that a source flags but does not spell out (e.g. ATOP
    ``defcoadv=1`` without the adversary's name): the engine must answer ``unknown``.
    """

    kind: ConditionKind
    text: str
    adversaries: list[int] = Field(default_factory=list)  # COW codes, kind="adversary"
    regions: list[str] = Field(
        default_factory=list
    )  # region keys of foedus.places, kind="location"
    administered_by: list[int] = Field(
        default_factory=list
    )  # attack on territory administered by these
    conflict_types: list[AttackKind] = Field(default_factory=list)  # kind="conflict_type"
    min_attackers: int | None = None  # kind="attackers"
    max_attackers: int | None = None
    decidable: bool = True
    sources: list[Source] = Field(default_factory=list)

    @model_validator(mode="after")
    def _attackers_in_order(self) -> Condition:
        low, high = self.min_attackers, self.max_attackers
        if low is not None and high is not None and low > high:
            raise ValueError(f"min_attackers {low} is more than max_attackers {high}")
        return self


class Provision(_Strict):
    """One promise made in one article, with its conditions.

    ``obliged`` lists the members bound by it and ``beneficiaries`` those it protects; ``None``
    means every member (the symmetric case). ``phase`` ties an ATOP provision to one phase.
    ``valid_from``/``valid_to`` bound a provision that changed during the treaty's life.
    """

    kind: ProvisionKind
    article: str
    text: str
    quote: bool = False  # text is verbatim (a translation counts) rather than a summary
    conditions: list[Condition] = Field(default_factory=list)
    obliged: list[int] | None = None
    beneficiaries: list[int] | None = None
    phase: int | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    sources: list[Source] = Field(default_factory=list)

    @model_validator(mode="after")
    def _valid_to_after_valid_from(self) -> Provision:
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValueError(f"valid_to {self.valid_to} is before valid_from {self.valid_from}")
        return self


class Article(_Strict):
    """An article of the treaty text, for treaty pages (provisions point at it by ``number``)."""

    number: str
    title: str | None = None
    text: str
    quote: bool = False
    sources: list[Source] = Field(default_factory=list)


class Membership(_Strict):
    """One spell of one state in a treaty. A state that leaves and rejoins has two spells.

    ``exit=None`` means still a member today. ``observed_until`` is the last day a source
    observed the membership (ATOP: 2018-12-31); ``None`` means observed to the present.
    """

    ccode: int
    entry: dt.date
    exit: dt.date | None = None
    phase: int | None = None
    observed_until: dt.date | None = None
    note: str | None = None
    sources: list[Source] = Field(default_factory=list)

    @model_validator(mode="after")
    def _exit_after_entry(self) -> Membership:
        if self.exit is not None and self.exit < self.entry:
            raise ValueError(f"exit {self.exit} is before entry {self.entry}")
        return self

    def active_on(self, day: dt.date) -> bool:
        """Whether this spell covers ``day`` (entry inclusive, exit exclusive)."""
        return self.entry <= day and (self.exit is None or day < self.exit)


class Note(_Strict):
    """A remark with its source: an interpretation dispute, a missing clause, a caveat."""

    text: str
    sources: list[Source] = Field(default_factory=list)


class Treaty(_Strict):
    """A treaty (or ATOP alliance) with its members, provisions, articles and sources."""

    id: str
    name: str
    short_name: str | None = None
    aliases: list[str] = Field(default_factory=list)
    origin: Literal["curated", "atop"] = "curated"
    signed: dt.date | None = None
    in_force: dt.date | None = None
    ended: dt.date | None = None
    supersedes: list[str] = Field(default_factory=list)
    atop_ids: list[int] = Field(default_factory=list)
    members: list[Membership]
    provisions: list[Provision] = Field(default_factory=list)
    articles: list[Article] = Field(default_factory=list)
    notes: list[Note] = Field(default_factory=list)
    sources: list[Source] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> Treaty:
        codes = {m.ccode for m in self.members}
        for p in self.provisions:
            for group, label in ((p.obliged, "obliged"), (p.beneficiaries, "beneficiaries")):
                stray = set(group or ()) - codes
                if stray:
                    raise ValueError(
                        f"provision {p.kind} ({p.article}): {label} {sorted(stray)} are not members"
                    )
        if self.ended is not None:
            # The ties end with the treaty, but member_codes() and in_force_on() read the spells.
            late = sorted({m.ccode for m in self.members if m.exit is None or m.exit > self.ended})
            if late:
                raise ValueError(
                    f"members {late} stay members after the treaty ended on {self.ended}: "
                    f"give them an exit on or before {self.ended}"
                )
        return self

    def member_codes(self, day: dt.date | None = None) -> list[int]:
        """COW codes of the members (on ``day`` when given), sorted."""
        return sorted({m.ccode for m in self.members if day is None or m.active_on(day)})

    def in_force_on(self, day: dt.date) -> bool:
        """Whether at least two members are bound on ``day``."""
        return len(self.member_codes(day)) >= 2

    def provisions_on(self, day: dt.date) -> list[Provision]:
        """Provisions valid on ``day`` (phases are expressed as valid_from / valid_to)."""
        return [
            p
            for p in self.provisions
            if (p.valid_from is None or p.valid_from <= day)
            and (p.valid_to is None or day < p.valid_to)
        ]
