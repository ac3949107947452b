"""The one place that talks to the casus-foederis engine (:mod:`foedus.obligations`).

The cascade never decides who is obligated: every verdict here is the engine's, and the cascade
follows the engine's own rule (:data:`foedus.obligations.CASCADE_RULE`, "co-belligerents in the
theatre"): states obligated to help the target join its side; each joiner is then a new target
of the original attackers, at the scenario's place (the theatre), with the scenario's kind of
attack and provocation left open; the attacker's side never grows.

:func:`closure` asks the engine, target by target, for every responder that *could* join — the
states it calls ``obligated`` or ``unknown`` — so that the Monte Carlo can run on the resulting
verdict table; :func:`engine_rounds` is the engine's deterministic cascade itself.
"""

from __future__ import annotations

import datetime as dt
import functools

import polars as pl

from foedus import states
from foedus.errors import DataMissing

VERDICT_SCHEMA = {
    "attacker": pl.Int64,
    "target": pl.Int64,
    "responder": pl.Int64,
    "verdict": pl.Utf8,
    "treaty_id": pl.Utf8,
    "kind": pl.Utf8,
    "article": pl.Utf8,
}

ROUNDS_SCHEMA = {
    "round": pl.Int64,
    "ccode": pl.Int64,
    "abbrev": pl.Utf8,
    "name": pl.Utf8,
    "side": pl.Utf8,
    "verdict": pl.Utf8,
    "trigger_attacker": pl.Int64,
    "trigger_target": pl.Int64,
    "treaty_id": pl.Utf8,
    "article": pl.Utf8,
}


def obligations():
    try:
        from foedus import obligations as engine
    except ImportError as err:  # the engine ships with foedus; this only guards a broken install
        raise DataMissing(
            f"the casus-foederis engine (foedus.obligations) is not available: {err}"
        ) from None
    return engine


def scenario(attackers, target, date, *, place=None, kind=None, provoked=None):
    """The engine's :class:`~foedus.obligations.Scenario` from what users type."""
    engine = obligations()
    kw = {"place": place, "provoked": provoked}
    if kind is not None:
        kw["kind"] = kind
    return engine.Scenario.build(attackers, target, date, **kw)


def theatre(sc) -> str:
    """Where joiners fight: the scenario's place, or the target's own territory."""
    return sc.place if sc.place is not None else f"state:{sc.target}"


@functools.lru_cache(maxsize=4096)
def _responses(
    attackers: tuple[int, ...],
    target: int,
    day: dt.date,
    place: str | None,
    kind: str,
    provoked,
    original: bool,
):
    engine = obligations()
    sub = engine.Scenario(
        attackers=attackers,
        target=target,
        date=day,
        place=place,
        kind=kind,
        provoked=provoked,
        check_system=original,
    )
    return engine.respond(sub).responses


def _kind_of(response) -> str | None:
    try:
        return response.cited.provision_kind
    except (AttributeError, IndexError):
        return None


def closure(sc, *, include_unknown: bool = True) -> pl.DataFrame:
    """The engine's verdicts for the target and every state that could join its side.

    Starting from the scenario's target, each responder the engine calls ``obligated`` (and,
    with ``include_unknown``, ``unknown``) is asked about in turn as a new target of the same
    attackers in the theatre, until no new state appears. One row per (target, responder);
    ``attacker`` is the first attacker (the rows stand for the whole attacking coalition).
    """
    return closure_of(
        tuple(sc.attackers), (sc.target,), sc.date, place=sc.place, kind=sc.kind, provoked=sc.provoked,
        include_unknown=include_unknown, check_system=True,
    )  # fmt: skip


def closure_of(
    attackers: tuple[int, ...],
    targets: tuple[int, ...],
    day: dt.date,
    *,
    place: str | None = None,
    kind: str | None = None,
    provoked: bool | None = None,
    include_unknown: bool = True,
    check_system: bool = True,
) -> pl.DataFrame:
    """:func:`closure` for one or more initial targets (a war that began against several states).

    Each initial target is attacked at ``place`` (its own territory by default); joiners fight in
    the theatre of the first target.
    """
    engine = obligations()
    kind = kind or engine.DEFAULT_KIND
    wanted = ("obligated", "unknown") if include_unknown else ("obligated",)
    where = place if place is not None else f"state:{targets[0]}"
    rows: list[tuple] = []
    queue = list(targets)
    seen = {*targets, *attackers}
    lead = attackers[0]
    while queue:
        j = queue.pop(0)
        first = j in targets
        found = _responses(
            attackers,
            j,
            day,
            place if first else where,
            kind,
            provoked if first else None,
            first and check_system,
        )
        for r in found:
            if r.verdict not in wanted or r.ccode in attackers:
                continue
            rows.append((lead, j, r.ccode, r.verdict, r.treaty_id, _kind_of(r), r.article))
            if r.ccode not in seen:
                seen.add(r.ccode)
                queue.append(r.ccode)
    return pl.DataFrame(rows, schema=VERDICT_SCHEMA, orient="row")


def engine_rounds(sc) -> pl.DataFrame:
    """The engine's deterministic cascade as a frame: one row per joiner and trigger.

    Round 0 lists the attackers and the target; round n ≥ 1 the states that joined in it, each
    with the state whose defence triggered it (``trigger_target``), the attacker, the treaty and
    article the engine cites.
    """
    engine = obligations()
    response = engine.respond(sc, cascade=True)
    rows = []
    for a in sc.attackers:
        rows.append(_row(0, a, "attacker", None, None, None, None, None))
    rows.append(_row(0, sc.target, "target", None, None, None, None, None))
    for rnd in response.rounds:
        joined = set(rnd.joined)
        for r in rnd.responses:
            if r.ccode in joined and r.verdict == "obligated":
                rows.append(
                    _row(
                        rnd.number,
                        r.ccode,
                        "target",
                        r.verdict,
                        sc.attackers[0],
                        r.target,
                        r.treaty_id,
                        r.article,
                    )
                )
    frame = pl.DataFrame(rows, schema=ROUNDS_SCHEMA, orient="row")
    return frame.unique(maintain_order=True)


def _row(rnd, code, side, verdict, attacker, target, treaty, article) -> tuple:
    return (
        rnd,
        code,
        states.abbrev(code),
        states.name(code),
        side,
        verdict,
        attacker,
        target,
        treaty,
        article,
    )
