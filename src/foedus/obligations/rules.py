"""The rules: how one provision of one treaty meets one scenario, condition by condition.

Both paths of the engine — :func:`foedus.obligations.respond` (one scenario, with a trace) and
:func:`foedus.obligations.respond_all` (every directed pair on a date, vectorised) — call
:func:`assess` here, so they cannot disagree.

A provision is *assessed* for a responder ``o`` that owes it to the target: every condition the
treaty (or ATOP) attaches to it is checked against the scenario, and foedus adds a few checks of
its own (``implicit=True`` in the trace; each says which rule it applies):

``attack_kind``
    When the provision has no conflict-type condition of its own: a defence pledge answers an
    armed attack (ATOP codebook: support "if an ally's sovereignty or territory is attacked"), so a
    mere threat does not engage it; an offence pledge answers wars the ally starts ("in any
    situation not triggered by an attack on an ally"), so an attack on the target never engages
    it; a neutrality pledge needs a war to stay out of; consultation answers threats and attacks.
``place``
    For a defence pledge with no location condition: the treaty protects a party against attack,
    so the attack must be on the party's own territory. An attack on a place the target
    administers (even where another state claims it) counts; a place the target holds by an
    annexation most states do not recognise, a place no single state administers, a region, or the
    target's forces abroad leave the treaty silent: ``undecidable``.
``intra_alliance``
    When an attacker is itself a party to the treaty (a NATO member attacking another NATO
    member), the treaty's text — in the terms foedus records — does not say whether the pledge runs
    against a fellow party: ``undecidable``, unless an adversary condition names the attacker.
    Non-aggression pledges skip this check: they bind the responder whoever attacks.

Statuses: ``met``, ``not_met``, ``undecidable`` and ``recorded`` — the last for procedural
conditions (constitutional processes, national law, at the request of the attacked party) that
say *how* a duty is carried out, not *whether* it arises; they never block.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from foedus.places import Place
from foedus.treaties import state_name
from foedus.treaties.model import Condition, Provision, Treaty

CheckStatus = Literal["met", "not_met", "undecidable", "recorded"]
Verdict = Literal["obligated", "consult", "not_obligated", "unknown"]
Obligation = Literal["defend", "consult", "stay_neutral", "no_aggression", "none"]

#: Rank of the definite verdicts: what a provision gives when every condition is met.
RANK: dict[str, int] = {"not_obligated": 0, "consult": 1, "obligated": 2}
RANK_NAME: dict[int, str] = {v: k for k, v in RANK.items()}

#: What each primary obligation makes the responder do when it applies, and its rank.
INTRINSIC: dict[str, tuple[str, int]] = {
    "defense": ("defend", 2),
    "offense": ("defend", 2),
    "consultation": ("consult", 1),
    "neutrality": ("stay_neutral", 0),
    "non_aggression": ("no_aggression", 0),
}

#: Among provisions that all give ``not_obligated``, which one the verdict cites first.
NEUTRAL_RANK: dict[str, int] = {"stay_neutral": 2, "no_aggression": 1}

#: Check kinds whose status reads the scenario's place, or how the target relates to it (administers
#: it, claims it); no other check does. The batch theatre rounds rely on this: keep it true here.
PLACE_CHECKS = frozenset({"location", "place"})

_KIND_LABEL = {
    "threat": "a threat of armed attack",
    "armed_attack": "an armed attack",
    "state_of_war": "an armed attack that puts the target in a state of war",
}


@dataclass(frozen=True)
class Check:
    """One condition checked against a scenario.

    ``kind`` is the condition's kind (``adversary``, ``location``, ...) or one of foedus's own
    checks (``attack_kind``, ``place``, ``intra_alliance``; then ``implicit=True``). ``text`` is
    what the condition says, ``reason`` why it came out as ``status``.
    """

    kind: str
    text: str
    status: CheckStatus
    reason: str
    implicit: bool = False

    def to_dict(self) -> dict:
        return {
            "kind": self.kind,
            "text": self.text,
            "status": self.status,
            "reason": self.reason,
            "implicit": self.implicit,
        }


@dataclass(frozen=True)
class Facts:
    """What the rules need to know about a scenario, as seen from one treaty.

    ``attackers`` are COW codes (the batch path uses negative codes for "an attacker the treaty
    does not name" and "a party to the treaty"); ``members`` are the treaty's parties on the date.
    """

    attackers: tuple[int, ...]
    target: int
    kind: str
    place: Place
    provoked: bool | None
    date: dt.date
    members: frozenset[int]


def _name(code: int) -> str:
    # state_name also names ATOP's non-COW code (8152, Annam) and never raises.
    return "the attacker" if code < 0 else state_name(code)


def _names(codes: tuple[int, ...] | list[int]) -> str:
    return ", ".join(_name(c) for c in codes)


# ------------------------------------------------------------------------------ conditions


def _conflict_type(c: Condition, f: Facts) -> tuple[CheckStatus, str]:
    if not c.decidable or not c.conflict_types:
        return (
            "undecidable",
            f"the source flags a condition on the conflict that it does not spell out: {c.text}",
        )
    wanted = set(c.conflict_types)
    # A state of war brought about by an armed attack is also an armed attack.
    facts = {
        "threat": {"threat"},
        "armed_attack": {"armed_attack"},
        "state_of_war": {"armed_attack", "state_of_war"},
    }[f.kind]
    listed = " or ".join(k.replace("_", " ") for k in c.conflict_types)
    if facts & wanted:
        return "met", f"the scenario is {_KIND_LABEL[f.kind]}; the condition asks for {listed}"
    if f.kind == "armed_attack" and "state_of_war" in wanted:
        return "undecidable", (
            "the scenario is an armed attack but does not say whether it puts the target in a state of war, "
            "which this clause requires (use kind 'state_of_war' for an attack that does)"
        )
    return "not_met", f"the scenario is {_KIND_LABEL[f.kind]}; the condition asks for {listed}"


def _adversary(c: Condition, f: Facts) -> tuple[CheckStatus, str]:
    if not c.decidable or not c.adversaries:
        return (
            "undecidable",
            f"the pledge holds only against a particular adversary, which the source does not name: {c.text}",
        )
    named = [a for a in f.attackers if a in c.adversaries]
    listed = _names(c.adversaries)
    if named:
        return "met", f"{_names(named)} is named as the adversary ({listed})"
    if len(c.adversaries) >= 2:
        return "undecidable", (
            f"the attacker is not among the named adversaries ({listed}), but the source records at most two "
            "named states, so a further adversary cannot be ruled out"
        )
    return "not_met", f"the pledge holds only against {listed}; {_names(f.attackers)} is not named"


def _location(c: Condition, f: Facts) -> tuple[CheckStatus, str]:
    if not c.decidable or not (c.regions or c.administered_by):
        return (
            "undecidable",
            f"the pledge holds only for a place the source does not spell out: {c.text}",
        )
    parts: list[tuple[CheckStatus, str]] = []
    if c.administered_by:
        admins = _names(c.administered_by)
        if f.place.administered_by is None:
            what = "a region" if f.place.kind == "region" else "a place no single state administers"
            parts.append(
                (
                    "undecidable",
                    f"{f.place.name} is {what}, so whether it is under the administration of {admins} cannot be decided",
                )
            )
        elif f.place.administered_by in c.administered_by:
            claim = (
                f" (sovereignty claimed by {_names(f.place.claimants)}; administration decides)"
                if f.place.claimants
                else ""
            )
            parts.append(
                (
                    "met",
                    f"{f.place.name} is under the administration of {_name(f.place.administered_by)}{claim}",
                )
            )
        else:
            parts.append(
                (
                    "not_met",
                    f"{f.place.name} is under the administration of {_name(f.place.administered_by)}, not {admins}",
                )
            )
    for key in c.regions:
        check = f.place.in_region(key)
        parts.append((check.status, check.reason))
    if any(s == "not_met" for s, _ in parts):
        return "not_met", "; ".join(r for s, r in parts if s == "not_met")
    if any(s == "undecidable" for s, _ in parts):
        return "undecidable", "; ".join(r for s, r in parts if s == "undecidable")
    return "met", "; ".join(r for _, r in parts)


def _attackers(c: Condition, f: Facts) -> tuple[CheckStatus, str]:
    if not c.decidable or (c.min_attackers is None and c.max_attackers is None):
        return (
            "undecidable",
            f"the pledge depends on the number of attackers in a way the source does not spell out: {c.text}",
        )
    n = len(f.attackers)
    low, high = c.min_attackers, c.max_attackers
    ok = (low is None or n >= low) and (high is None or n <= high)
    bounds = (
        f"at least {low}"
        if high is None
        else f"at most {high}"
        if low is None
        else f"{low} to {high}"
    )
    return ("met" if ok else "not_met"), f"{n} attacker(s); the pledge asks for {bounds}"


def _non_provocation(c: Condition, f: Facts) -> tuple[CheckStatus, str]:
    if f.provoked is None:
        return (
            "undecidable",
            "the pledge holds only if the ally did not provoke the attack, and the scenario does not say whether it did",
        )
    if f.provoked:
        return "not_met", "the scenario says the target provoked the attack"
    return "met", "the scenario says the target did not provoke the attack"


def _condition(c: Condition, f: Facts) -> Check:
    kind = c.kind
    if kind in ("procedure", "request"):
        why = (
            "a procedure (how the duty is carried out), recorded, not blocking"
            if kind == "procedure"
            else "at the request of the attacked party: the duty answers a request and is recorded, not blocking"
        )
        return Check(kind, c.text, "recorded", why)
    if kind == "conflict_type":
        status, why = _conflict_type(c, f)
    elif kind == "adversary":
        status, why = _adversary(c, f)
    elif kind == "location":
        status, why = _location(c, f)
    elif kind == "attackers":
        status, why = _attackers(c, f)
    elif kind == "non_provocation":
        status, why = _non_provocation(c, f)
    elif kind == "demands":
        status, why = (
            "undecidable",
            "the pledge depends on demands being met or rejected, which a scenario does not state",
        )
    else:  # "other": free text the engine cannot evaluate
        status, why = "undecidable", f"a condition foedus cannot check from a scenario: {c.text}"
    return Check(kind, c.text, status, why)


# ------------------------------------------------------------------------------ implicit checks


def named_adversaries(p: Provision) -> tuple[int, ...]:
    """The states ``p``'s decidable adversary conditions name, sorted: the only attackers (besides
    parties to the treaty) whose identity can change what ``p`` gives."""
    named = {
        a for c in p.conditions if c.kind == "adversary" and c.decidable for a in c.adversaries
    }
    return tuple(sorted(named))


def _attack_kind(p: Provision, f: Facts) -> Check | None:
    if any(c.kind == "conflict_type" and c.decidable and c.conflict_types for c in p.conditions):
        return None
    label = _KIND_LABEL[f.kind]
    if p.kind == "defense":
        ok = f.kind != "threat"
        text = "A defence pledge answers an armed attack on the ally (ATOP codebook: 'if an ally's sovereignty or territory is attacked')."
        return Check(
            "attack_kind",
            text,
            "met" if ok else "not_met",
            f"the scenario is {label}",
            implicit=True,
        )
    if p.kind == "offense":
        text = "An offence pledge covers wars the ally starts, 'in any situation not triggered by an attack on an ally' (ATOP codebook)."
        return Check(
            "attack_kind",
            text,
            "not_met",
            "the target is attacked: an attack on it does not engage an offence pledge",
            implicit=True,
        )
    if p.kind == "neutrality":
        ok = f.kind != "threat"
        text = "A neutrality pledge binds the responder not to help a third party that fights the ally."
        return Check(
            "attack_kind",
            text,
            "met" if ok else "not_met",
            f"the scenario is {label}" + ("" if ok else ": no war to stay out of"),
            implicit=True,
        )
    if p.kind == "consultation":
        text = "A consultation pledge answers a crisis: a threat or an attack."
        return Check("attack_kind", text, "met", f"the scenario is {label}", implicit=True)
    return None


def _place(p: Provision, f: Facts) -> Check | None:
    if p.kind != "defense" or any(c.kind == "location" for c in p.conditions):
        return None
    text = "The treaty sets no place: it protects a party against attack, so the attack must be on the party's own territory."
    place, target = f.place, f.target
    if place.kind == "region":
        return Check(
            "place",
            text,
            "undecidable",
            f"the scenario names a region ({place.name}), not the target's territory",
            implicit=True,
        )
    if place.administered_by is None:
        return Check(
            "place",
            text,
            "undecidable",
            f"no single state administers {place.name}; whether an attack there is an attack on {_name(target)}'s territory is open",
            implicit=True,
        )
    if place.administered_by == target:
        if place.status == "annexed":
            return Check(
                "place", text, "undecidable",
                f"{place.name} is held by {_name(target)} through an annexation most states do not recognise "
                f"(claimed by {_names(place.claimants)}); the treaty does not say whether it counts as {_name(target)}'s territory",
                implicit=True,
            )  # fmt: skip
        claim = f" (also claimed by {_names(place.claimants)})" if place.claimants else ""
        return Check(
            "place",
            text,
            "met",
            f"{place.name} is administered by {_name(target)}{claim}",
            implicit=True,
        )
    if target in place.claimants:
        return Check(
            "place",
            text,
            "undecidable",
            f"{_name(target)} claims {place.name} but {_name(place.administered_by)} administers it",
            implicit=True,
        )
    return Check(
        "place", text, "undecidable",
        f"{place.name} is administered by {_name(place.administered_by)}: the attack is on {_name(target)}'s forces or "
        "assets abroad, and the treaty does not say whether that counts",
        implicit=True,
    )  # fmt: skip


def _intra(p: Provision, f: Facts) -> Check | None:
    if p.kind == "non_aggression":
        return None
    inside = [a for a in f.attackers if a in f.members]
    if not inside:
        return None
    text = "The attacker must not itself be a party to the treaty, unless the treaty says how it treats attacks by a party."
    named = named_adversaries(p)
    if all(a in named for a in inside):
        return Check(
            "intra_alliance",
            text,
            "met",
            f"{_names(inside)} is a party, but the pledge names it as the adversary",
            implicit=True,
        )
    return Check(
        "intra_alliance", text, "undecidable",
        f"{_names(inside)} is itself a party to this treaty on {f.date.isoformat()}; the text does not say whether the "
        "pledge applies against a fellow party",
        implicit=True,
    )  # fmt: skip


# ------------------------------------------------------------------------------ assessment


@dataclass(frozen=True)
class Assessment:
    """A provision against a scenario: its checks and what it gives.

    ``certain``/``possible`` are ranks (0 not_obligated, 1 consult, 2 obligated): the verdict the
    provision gives for sure, and the strongest it could give if every undecidable check were met.
    ``applies`` is False when a check is not met.
    """

    checks: tuple[Check, ...]
    verdict: Verdict
    obligation: Obligation  # what the responder must do ("none" when the provision does not apply)
    pledge: Obligation  # what the provision would make it do if it applied
    certain: int
    possible: int
    applies: bool | None  # None: undecidable


def assess(treaty: Treaty, provision: Provision, facts: Facts) -> Assessment:
    """Check ``provision`` of ``treaty`` against ``facts``."""
    checks: list[Check] = []
    for rule in (_attack_kind, _intra):
        found = rule(provision, facts)
        if found is not None:
            checks.append(found)
    checks.extend(_condition(c, facts) for c in provision.conditions)
    found = _place(provision, facts)
    if found is not None:
        checks.append(found)
    obligation, rank = INTRINSIC.get(provision.kind, ("none", 0))
    statuses = {c.status for c in checks}
    if "not_met" in statuses:
        return Assessment(tuple(checks), "not_obligated", "none", obligation, 0, 0, False)  # type: ignore[arg-type]
    if "undecidable" in statuses:
        verdict: Verdict = "unknown" if rank > 0 else "not_obligated"
        # A neutrality or non-aggression duty that may not apply is no duty the verdict can cite.
        duty = obligation if rank > 0 else "none"
        return Assessment(tuple(checks), verdict, duty, obligation, 0, rank, None)  # type: ignore[arg-type]
    return Assessment(tuple(checks), RANK_NAME[rank], obligation, obligation, rank, rank, True)  # type: ignore[arg-type]


#: Bits of :func:`citation_score` below the verdict digits: the provision's order lives there.
SCORE_SHIFT = 24


def citation_score(a: Assessment, order: int) -> int:
    """An integer that ranks a responder's provisions: the highest is the one its verdict cites.

    Keys, most significant first: the strongest possible verdict, the strongest certain verdict, a
    neutrality/non-aggression duty that applies (cited for ``not_obligated``), the strength the
    provision would have had (a defence pledge that did not apply explains a ``not_obligated``
    better than a consultation pledge), and the provision's order in the registry (lower first).
    """
    neutral = NEUTRAL_RANK.get(a.obligation, 0) if a.applies else 0
    would_be = {"defend": 2, "consult": 1}.get(a.pledge, 0)
    # Base-3 digits above SCORE_SHIFT: possible, certain, neutral, would_be (the batch path decodes them).
    return ((((a.possible * 3 + a.certain) * 3 + neutral) * 3 + would_be) << SCORE_SHIFT) + (
        (1 << SCORE_SHIFT) - 1 - order
    )


def combine(certain: int, possible: int) -> Verdict:
    """The verdict of a responder from its strongest certain and possible ranks.

    A duty that holds for sure is the verdict, unless another provision might give a stronger one
    that the scenario cannot decide: then ``unknown`` (never a guess in either direction).
    """
    return RANK_NAME[certain] if possible == certain else "unknown"  # type: ignore[return-value]
