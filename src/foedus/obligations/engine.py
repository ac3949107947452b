"""One scenario at a time: :func:`respond` and the result types it returns."""

from __future__ import annotations

import datetime as dt
import weakref
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import polars as pl

from foedus import states
from foedus.obligations.rules import (
    RANK_NAME,
    Assessment,
    Check,
    Facts,
    Obligation,
    Verdict,
    assess,
    citation_score,
    combine,
)
from foedus.obligations.scenario import Scenario
from foedus.places import Place
from foedus.treaties import state_name
from foedus.treaties.model import PRIMARY_KINDS, Provision, Treaty
from foedus.treaties.registry import Registry

#: Verdicts from the strongest to the weakest, in the order a responder's ties are combined and
#: the order tables list them: a duty that holds for sure; a stronger duty that might hold
#: (undecidable); a duty to consult; no duty to act.
VERDICT_ORDER: tuple[str, ...] = ("obligated", "unknown", "consult", "not_obligated")


# ------------------------------------------------------------------------------ results


@dataclass(frozen=True)
class Tie:
    """One provision that binds a responder to the target, checked against the scenario."""

    treaty_id: str
    treaty_name: str
    origin: str
    article: str
    provision_kind: str
    clause: str
    quote: bool
    verdict: Verdict
    obligation: Obligation
    checks: tuple[Check, ...]
    notes: tuple[str, ...] = ()
    sources: tuple[dict, ...] = ()

    def to_dict(self) -> dict:
        return {
            "treaty_id": self.treaty_id,
            "treaty_name": self.treaty_name,
            "origin": self.origin,
            "article": self.article,
            "provision": self.provision_kind,
            "clause": self.clause,
            "quote": self.quote,
            "verdict": self.verdict,
            "obligation": self.obligation,
            "checks": [c.to_dict() for c in self.checks],
            "notes": list(self.notes),
            "sources": list(self.sources),
        }


@dataclass(frozen=True)
class StateResponse:
    """The verdict for one state with a treaty tie to the target, and every tie behind it.

    ``treaty_id``/``article`` cite the provision that decides the verdict; ``at_least`` and
    ``at_most`` bound an ``unknown`` (e.g. at least ``consult``, at most ``obligated``).
    ``trace`` lists every tie, the cited one first.
    """

    ccode: int
    name: str
    verdict: Verdict
    obligation: Obligation
    treaty_id: str
    treaty_name: str
    article: str
    at_least: str
    at_most: str
    trace: tuple[Tie, ...]
    round: int = 1
    target: int | None = (
        None  # the state this verdict is toward (the scenario's target; a joiner in a cascade)
    )

    @property
    def cited(self) -> Tie:
        return self.trace[0]

    def to_dict(self) -> dict:
        return {
            "ccode": self.ccode,
            "name": self.name,
            "verdict": self.verdict,
            "obligation": self.obligation,
            "treaty_id": self.treaty_id,
            "treaty_name": self.treaty_name,
            "article": self.article,
            "at_least": self.at_least,
            "at_most": self.at_most,
            "round": self.round,
            "target": self.target,
            "trace": [t.to_dict() for t in self.trace],
        }


@dataclass(frozen=True)
class AttackerPledge:
    """A pledge an attacker itself owes the target (e.g. non-aggression): the attack runs against it."""

    ccode: int
    name: str
    treaty_id: str
    treaty_name: str
    article: str
    provision_kind: str

    def to_dict(self) -> dict:
        return {
            "ccode": self.ccode,
            "name": self.name,
            "treaty_id": self.treaty_id,
            "treaty_name": self.treaty_name,
            "article": self.article,
            "provision": self.provision_kind,
        }


@dataclass(frozen=True)
class Round:
    """One round of a cascade: the scenarios it evaluated and the states that joined."""

    number: int
    triggers: tuple[dict, ...]  # one per scenario evaluated: target, attackers, place, why
    joined: tuple[int, ...]
    responses: tuple[StateResponse, ...]  # every verdict reached in this round

    def to_dict(self) -> dict:
        return {
            "round": self.number,
            "triggers": list(self.triggers),
            "joined": [{"ccode": c, "name": states.name(c)} for c in self.joined],
            "responses": [r.to_dict() for r in self.responses],
        }


@dataclass(frozen=True)
class Response:
    """What :func:`respond` returns: the scenario, one verdict per tied state, and their traces.

    ``responses`` are sorted by verdict (obligated, unknown, consult, not_obligated), then name.
    States absent from it have no treaty tie to the target in force on the date.
    """

    scenario: Scenario
    responses: tuple[StateResponse, ...]
    attacker_pledges: tuple[AttackerPledge, ...] = ()
    rounds: tuple[Round, ...] | None = None
    rule: str | None = None  # the cascade rule, when cascading

    def get(self, state: int | str) -> StateResponse | None:
        """The response of ``state`` (name or code), or None when it has no tie."""
        by_code = {r.ccode: r for r in self.responses}
        text = str(state).strip()
        if text.isascii() and text.isdigit() and int(text) in by_code:  # also ATOP's 8152 (Annam)
            return by_code[int(text)]
        return by_code.get(states.resolve(state, on=self.scenario.date))

    def verdicts(self) -> dict[int, str]:
        """``{ccode: verdict}``."""
        return {r.ccode: r.verdict for r in self.responses}

    def frame(self) -> pl.DataFrame:
        """One row per responder: ``ccode``, ``name``, ``verdict``, ``obligation``, ``treaty_id``, ``article``, ``round``."""
        return pl.DataFrame(
            [
                {k: getattr(r, k) for k in ("ccode", "name", "verdict", "obligation", "treaty_id", "article", "round")}
                for r in self.responses
            ],
            schema={"ccode": pl.Int64, "name": pl.Utf8, "verdict": pl.Utf8, "obligation": pl.Utf8,
                    "treaty_id": pl.Utf8, "article": pl.Utf8, "round": pl.Int64},
        )  # fmt: skip

    def to_dict(self) -> dict:
        """The JSON the CLI prints with ``--json`` and the web app returns."""
        out = {
            "scenario": self.scenario.to_dict(),
            "responses": [r.to_dict() for r in self.responses],
            "attacker_pledges": [p.to_dict() for p in self.attacker_pledges],
        }
        if self.rounds is not None:
            out["cascade_rule"] = self.rule
            out["rounds"] = [r.to_dict() for r in self.rounds]
        return out


# ------------------------------------------------------------------------------ the compiled registry


@dataclass
class Compiled:
    """A registry prepared for answering scenarios: its primary ties with a stable order."""

    registry: Registry
    ties: pl.DataFrame  # primary ties + pid, order
    treaties: dict[str, Treaty]
    by_beneficiary: dict[int, list[dict]] = field(default_factory=dict)
    by_obliged: dict[int, list[dict]] = field(default_factory=dict)
    _members: dict[tuple[str, dt.date], frozenset[int]] = field(default_factory=dict)

    def provision(self, treaty_id: str, index: int) -> Provision:
        return self.treaties[treaty_id].provisions[index]

    def members(self, treaty_id: str, day: dt.date) -> frozenset[int]:
        key = (treaty_id, day)
        found = self._members.get(key)
        if found is None:
            # Bounded: a long-running server asks about ever new days; start afresh past the cap.
            if len(self._members) >= _MEMBERS_CAP:
                self._members.clear()
            found = self._members[key] = frozenset(self.treaties[treaty_id].member_codes(day))
        return found


#: Entries kept in a Compiled registry's (treaty, day) → members cache.
_MEMBERS_CAP = 200_000


_COMPILED: weakref.WeakKeyDictionary[Registry, Compiled] = weakref.WeakKeyDictionary()


def as_registry(registry: Registry | Iterable[Treaty] | None) -> Registry:
    """``None`` → the shipped registry; a :class:`Registry` as is; treaties → a registry of them."""
    if registry is None:
        from foedus.treaties import registry as shipped

        return shipped()
    if isinstance(registry, Registry):
        return registry
    return Registry(curated=list(registry))


def with_treaties(base: Registry, extra: Iterable[Treaty]) -> Registry:
    """``base`` plus ``extra`` treaties (a registry variant, e.g. to test that adding a treaty changes nothing else)."""
    return base.plus(extra)


def compile_registry(registry: Registry | Iterable[Treaty] | None = None) -> Compiled:
    """The registry's primary ties, each with an id (``pid``) and a citation ``order``; cached per registry.

    Order: curated treaties before ATOP alliances, then by signature date (the registry's own
    order), then by provision index.
    """
    reg = as_registry(registry)
    found = _COMPILED.get(reg)
    if found is not None:
        return found
    treaties = {t.id: t for t in reg.treaties}
    ranked = sorted(reg.treaties, key=lambda t: t.origin != "curated")
    rank = {t.id: i for i, t in enumerate(ranked)}
    ties = (
        reg.ties.filter(
            pl.col("kind").is_in(list(PRIMARY_KINDS)) & pl.col("treaty_id").is_in(list(treaties))
        )
        .with_columns(
            (
                pl.col("treaty_id").replace_strict(rank, return_dtype=pl.Int64) * 512
                + pl.col("provision")
            ).alias("order")
        )
        .sort("order", "obliged", "beneficiary", "valid_from")
        .with_row_index("pid")
        .with_columns(pl.col("pid").cast(pl.Int64))
    )
    compiled = Compiled(registry=reg, ties=ties, treaties=treaties)
    for row in ties.iter_rows(named=True):
        compiled.by_beneficiary.setdefault(row["beneficiary"], []).append(row)
        compiled.by_obliged.setdefault(row["obliged"], []).append(row)
    _COMPILED[reg] = compiled
    return compiled


def _active(row: dict, day: dt.date) -> bool:
    return row["valid_from"] <= day and (row["valid_to"] is None or day < row["valid_to"])


def _sources(p: Provision) -> tuple[dict, ...]:
    return tuple(
        {
            k: v
            for k, v in {
                "citation": s.citation,
                "url": s.url,
                "article": s.article,
                "verified": s.verified,
            }.items()
            if v is not None
        }
        for s in p.sources
    )


def _notes(row: dict, day: dt.date) -> tuple[str, ...]:
    notes = []
    if row["observed_until"] is not None and day > row["observed_until"]:
        notes.append(
            f"The source observes this tie until {row['observed_until'].isoformat()} (ATOP 5.1 ends in 2018); "
            "foedus presumes it still in force on the scenario's date."
        )
    if row.get("partner_specific"):
        notes.append(
            "ATOP codes this member's obligations as differing across partners (obvary=1): this tie may not run to the target."
        )
    return tuple(notes)


def facts_for(compiled: Compiled, treaty_id: str, attackers: tuple[int, ...], target: int, kind: str,
              place: Place, provoked: bool | None, day: dt.date) -> Facts:  # fmt: skip
    return Facts(attackers=attackers, target=target, kind=kind, place=place, provoked=provoked, date=day,
                 members=compiled.members(treaty_id, day))  # fmt: skip


def _summarise(
    code: int, scored: list[tuple[int, Assessment, Tie]], round_no: int, target: int
) -> StateResponse:
    certain = max(a.certain for _, a, _ in scored)
    possible = max(a.possible for _, a, _ in scored)
    verdict = combine(certain, possible)
    scored.sort(key=lambda item: -item[0])
    _, best, cited = scored[0]
    if verdict == "not_obligated":
        obligation = best.obligation if best.applies else "none"
    else:
        obligation = best.pledge
    return StateResponse(
        ccode=code,
        name=state_name(code),
        verdict=verdict,
        obligation=obligation,  # type: ignore[arg-type]
        treaty_id=cited.treaty_id,
        treaty_name=cited.treaty_name,
        article=cited.article,
        at_least=RANK_NAME[certain],
        at_most=RANK_NAME[possible],
        trace=tuple(t for _, _, t in scored),
        round=round_no,
        target=target,
    )


def _respond_once(compiled: Compiled, scenario: Scenario, *, exclude: frozenset[int] = frozenset(),
                  round_no: int = 1) -> tuple[list[StateResponse], list[AttackerPledge]]:  # fmt: skip
    day, target, attackers = scenario.date, scenario.target, scenario.attackers
    place = scenario.place_info
    per_state: dict[int, list[tuple[int, Assessment, Tie]]] = defaultdict(list)
    memo: dict[tuple[str, int], Assessment] = {}
    for row in compiled.by_beneficiary.get(target, ()):
        o = row["obliged"]
        if o in attackers or o in exclude or not _active(row, day):
            continue
        treaty = compiled.treaties[row["treaty_id"]]
        provision = treaty.provisions[row["provision"]]
        key = (row["treaty_id"], row["provision"])
        a = memo.get(key)
        if a is None:
            facts = facts_for(
                compiled, treaty.id, attackers, target, scenario.kind, place, scenario.provoked, day
            )
            a = memo[key] = assess(treaty, provision, facts)
        tie = Tie(
            treaty_id=treaty.id,
            treaty_name=treaty.short_name or treaty.name,
            origin=treaty.origin,
            article=provision.article,
            provision_kind=provision.kind,
            clause=provision.text,
            quote=provision.quote,
            verdict=a.verdict,
            obligation=a.obligation,
            checks=a.checks,
            notes=_notes(row, day),
            sources=_sources(provision),
        )
        per_state[o].append((citation_score(a, row["order"]), a, tie))
    responses = [_summarise(code, scored, round_no, target) for code, scored in per_state.items()]
    pledges = []
    for a_code in attackers:
        for row in compiled.by_obliged.get(a_code, ()):
            if row["beneficiary"] == target and _active(row, day):
                t = compiled.treaties[row["treaty_id"]]
                pledges.append(
                    AttackerPledge(
                        a_code,
                        states.name(a_code),
                        t.id,
                        t.short_name or t.name,
                        row["article"],
                        row["kind"],
                    )
                )
    return responses, pledges


def sort_responses(responses: Iterable[StateResponse]) -> tuple[StateResponse, ...]:
    return tuple(sorted(responses, key=lambda r: (VERDICT_ORDER.index(r.verdict), r.name)))


def respond(
    scenario: Scenario,
    *,
    cascade: bool = False,
    registry: Registry | Iterable[Treaty] | None = None,
) -> Response:
    """Who must act if ``scenario`` happens, under which article, and why.

    Every treaty in force on the scenario's date is evaluated (the curated registry and ATOP 5.1;
    pass ``registry`` to use another). Each state with a primary-obligation tie to the target gets
    a verdict — ``obligated``, ``consult``, ``not_obligated`` or ``unknown`` — and the trace of
    every tie behind it. With ``cascade=True`` the states obligated join the target's side and
    the next rounds ask whose obligations their entry triggers (see :mod:`foedus.obligations.cascade`).

    >>> s = Scenario.build(["USA"], "PRK", "2025-01-01")
    >>> r = respond(s)  # doctest: +SKIP
    >>> r.get("Russia").verdict, r.get("Russia").article  # doctest: +SKIP
    ('obligated', '4')
    """
    compiled = compile_registry(registry)
    if cascade:
        from foedus.obligations.cascade import run_cascade

        return run_cascade(compiled, scenario)
    responses, pledges = _respond_once(compiled, scenario)
    return Response(
        scenario=scenario, responses=sort_responses(responses), attacker_pledges=tuple(pledges)
    )
