"""Casus foederis: if A attacks B on date D, who is bound to act, under which article — and why.

>>> from foedus.obligations import Scenario, respond
>>> r = respond(Scenario.build(["USA"], "North Korea", "2025-01-01"))  # doctest: +SKIP
>>> [(x.name, x.treaty_id, x.article) for x in r.responses if x.verdict == "obligated"]  # doctest: +SKIP
[('China', 'prc_prk_1961', 'II'), ('Cuba', 'atop:3975', 'not recorded'), ('Russia', 'rus_prk_2024', '4')]

**Scenario.** Attackers, a target, a date, a place (the target's own territory by default; a
gazetteer place such as "Guam" or "Crimea"; see :mod:`foedus.places`), a kind — ``threat``,
``armed_attack`` (an armed attack, whether it puts the target in a state of war left open) or
``state_of_war`` (an armed attack that puts the target in a state of war, declared or not: the
default, what "A attacks B" ordinarily means) — and whether the target provoked it (default: not
stated).

**Verdicts.** Every treaty in force on the date is read (curated registry + ATOP 5.1). Each
state with a primary-obligation tie to the target (defence, offence, neutrality, non-aggression,
consultation) gets one verdict; each of its ties is checked by :func:`foedus.obligations.rules.assess`:

* a provision whose every condition is met gives its own verdict: defence → ``obligated``
  (duty ``defend``); consultation → ``consult``; neutrality → ``not_obligated`` with duty
  ``stay_neutral`` (the ally must stay out: not help the attacker); non-aggression →
  ``not_obligated`` with duty ``no_aggression``; an offence pledge answers wars the ally starts,
  never an attack on it, so it does not apply;
* a condition that is not met → the provision does not apply (``not_obligated``, duty ``none``);
* a condition the scenario cannot decide (ATOP flags a condition it does not spell out, an
  unclear region, provocation not stated, an attacker that is itself a party) → the provision
  *might* give its verdict: ``unknown``.

A state's verdict combines its ties: the strongest verdict that holds for sure, unless a tie
that cannot be decided could give a stronger one, in which case ``unknown`` (with ``at_least``
and ``at_most``). The order is therefore ``obligated`` > ``unknown`` > ``consult`` >
``not_obligated``: a duty that holds for sure is never weakened by another treaty's open
question; an open question about a duty to fight outranks a sure duty to consult, because
reporting ``consult`` would hide a possible duty to fight; and ``unknown`` about a mere
consultation ranks below a sure one. The verdict cites the provision that decides it (for
``not_obligated``: a neutrality or non-aggression duty first, else the strongest pledge that
did not apply), and the trace lists every tie, that one first. Procedural clauses (constitutional
processes, national law, at the request of the attacked party) are ``recorded``, never blocking.

**Cascade.** See :mod:`foedus.obligations.cascade` (:data:`CASCADE_RULE`).

**Batch.** :func:`respond_all` and :func:`respond_dyad_years` give the same verdicts for every
directed pair of states, vectorised (see :mod:`foedus.obligations.batch`).
"""

from foedus.obligations.batch import respond_all, respond_dyad_years
from foedus.obligations.cascade import RULE as CASCADE_RULE
from foedus.obligations.engine import (
    VERDICT_ORDER,
    AttackerPledge,
    Response,
    Round,
    StateResponse,
    Tie,
    compile_registry,
    respond,
    with_treaties,
)
from foedus.obligations.rules import Check
from foedus.obligations.scenario import DEFAULT_KIND, KINDS, AttackKind, Scenario

__all__ = [
    "CASCADE_RULE",
    "DEFAULT_KIND",
    "KINDS",
    "VERDICT_ORDER",
    "AttackKind",
    "AttackerPledge",
    "Check",
    "Response",
    "Round",
    "Scenario",
    "StateResponse",
    "Tie",
    "compile_registry",
    "respond",
    "respond_all",
    "respond_dyad_years",
    "with_treaties",
]
