"""Cascades: whose obligations the states that join a war trigger, round after round.

**The rule (co-belligerents in the theatre).** Round 1 is the scenario itself. Every state
``obligated`` in a round joins the target's side. In the next round each state that has just
joined is treated as a new target: the original attackers are at war with it *in the theatre*
— the scenario's place (the original target's territory by default), because that is where the
joiner's forces fight — with the scenario's kind of attack and ``provoked=None`` (the joiner chose
to enter the war, which a non-provocation clause may or may not excuse). Its own allies are then
checked exactly as in round 1; those obligated join in turn. Rounds stop when a round adds no one.
States already on the defending side and the attackers are never responders.

Why this rule:

* It asks only what the treaties ask. A joiner's treaty partners owe it help when it is attacked;
  in the theatre it *is* fighting the attackers, so its allies' clauses are checked against that
  fighting, with the place where it happens. Clauses that cover a party's forces abroad (NATO
  Art. 6(2): forces in Europe, the Mediterranean, the North Atlantic) can then be met; clauses that
  protect only a party's territory leave the fighting abroad undecidable (``unknown``), and
  ``unknown`` does not join: a cascade never runs on a guess.
* It does not widen the attacker's side. A joiner's entry is collective self-defence against an
  attack the attackers began (UN Charter Art. 51, which almost every post-1945 defence clause
  invokes); it is not the "armed attack" those clauses answer, and ATOP codes the opposite reading
  as an explicit non-provocation condition where a treaty has one. Treating the defence as an
  attack on the aggressor would make every aggressor's allies "obligated" by the aggression
  itself — a guess foedus does not make. (Chain-ganging on the attacker's side, as in 1914, needs
  a separate scenario: the joiner attacking the attacker's ally.)
* It is deterministic and monotone: a state joins at most once, so it terminates in at most as
  many rounds as there are states.

**Batch form.** :func:`foedus.obligations.batch.cascade_all` runs this rule for every directed
pair of a date at once (round 1 from ``respond_all``, the theatre rounds from
``theatre_obligated``); whether a joiner's ally is ``obligated`` in the theatre does not depend on
who else already fights (``exclude`` only drops responders), which is what lets the rounds be
answered as joins over (attacker, theatre, joiner) triples.
"""

from __future__ import annotations

from foedus import states
from foedus.obligations.engine import (
    VERDICT_ORDER,
    Compiled,
    Response,
    Round,
    StateResponse,
    _respond_once,
    sort_responses,
)
from foedus.obligations.scenario import Scenario

RULE = (
    "co-belligerents in the theatre: each state obligated in a round joins the target's side; in the next round "
    "every state that has just joined is a new target of the original attackers, at the scenario's place (the "
    "theatre where it fights), with the scenario's kind of attack and provocation left open; its allies are checked "
    "as in round 1; rounds stop when no state joins. The attacker's side is not widened: joining in collective "
    "self-defence is not treated as an armed attack on the aggressor."
)


def _trigger(target: int, attackers: tuple[int, ...], place: str, why: str) -> dict:
    return {
        "target": {"ccode": target, "name": states.name(target)},
        "attackers": [{"ccode": a, "name": states.name(a)} for a in attackers],
        "place": place,
        "because": why,
    }


def run_cascade(compiled: Compiled, scenario: Scenario) -> Response:
    """Rounds of :func:`~foedus.obligations.respond` under :data:`RULE` until nothing changes."""
    theatre = scenario.place if scenario.place is not None else f"state:{scenario.target}"
    theatre_name = scenario.place_info.name
    defending: set[int] = {scenario.target}
    rounds: list[Round] = []
    best: dict[int, StateResponse] = {}

    responses, pledges = _respond_once(compiled, scenario)
    triggers = [_trigger(scenario.target, scenario.attackers, theatre_name, "the scenario")]
    number = 1
    while True:
        joined = sorted(
            {r.ccode for r in responses if r.verdict == "obligated" and r.ccode not in defending}
        )
        rounds.append(
            Round(
                number=number,
                triggers=tuple(triggers),
                joined=tuple(joined),
                responses=sort_responses(responses),
            )
        )
        for r in responses:
            held = best.get(r.ccode)
            if held is None or VERDICT_ORDER.index(r.verdict) < VERDICT_ORDER.index(held.verdict):
                best[r.ccode] = r
        defending.update(joined)
        if not joined:
            break
        # The obligated response each joiner entered under (the last where several targets obliged it).
        entered = {r.ccode: r for r in responses if r.verdict == "obligated" and r.ccode in joined}
        number += 1
        responses, triggers = [], []
        for joiner in (entered[code] for code in joined):
            sub = Scenario(
                attackers=scenario.attackers,
                target=joiner.ccode,
                date=scenario.date,
                place=theatre,
                kind=scenario.kind,
                provoked=None,
                check_system=False,
            )
            why = f"joined in round {number - 1} under {joiner.treaty_id} Art. {joiner.article} and now fights the attackers in {theatre_name}"
            triggers.append(_trigger(joiner.ccode, scenario.attackers, theatre_name, why))
            found, _ = _respond_once(compiled, sub, exclude=frozenset(defending), round_no=number)
            responses.extend(found)
    final = [r for code, r in best.items() if code != scenario.target]
    return Response(
        scenario=scenario,
        responses=sort_responses(final),
        attacker_pledges=tuple(pledges),
        rounds=tuple(rounds),
        rule=RULE,
    )
