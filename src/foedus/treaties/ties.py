"""Directed ties: who owes which primary obligation to whom, from when to when.

A *tie* is one row of :data:`SCHEMA`: member ``obliged`` owes obligation ``kind`` (defense,
offense, neutrality, non_aggression, consultation) to member ``beneficiary`` under one
provision of one treaty, from ``valid_from`` (inclusive) to ``valid_to`` (exclusive; null =
still in force today). It is the intersection of three intervals: the obliged member's spell,
the beneficiary's spell, and the provision's validity (its phase). Panels (yearly alliance
flags), the obligations engine (batch form) and the network all read this one table.

ATOP ties are built vectorised in :mod:`foedus.treaties.atop`; this module builds the ties of
any other :class:`~foedus.treaties.model.Treaty` (the curated registry) the same way, and holds
the frame's schema.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import polars as pl

from foedus.treaties.model import PRIMARY_KINDS, Membership, Treaty

#: Columns of :func:`foedus.treaties.ties_frame`, in order.
SCHEMA: dict[str, pl.DataType] = {
    "treaty_id": pl.Utf8(),  # "nato_1949", "atop:3440"
    "origin": pl.Utf8(),  # "curated" or "atop"
    "atopid": pl.Int64(),  # the ATOP alliance for origin="atop", else null
    "phase": pl.Int64(),  # ATOP phase (null: single phase / not phased)
    "provision": pl.Int32(),  # index into Treaty.provisions
    "kind": pl.Utf8(),  # one of PRIMARY_KINDS
    "obliged": pl.Int64(),  # COW code of the state that owes the obligation
    "beneficiary": pl.Int64(),  # COW code of the state it is owed to
    "valid_from": pl.Date(),  # first day in force
    "valid_to": pl.Date(),  # first day no longer in force; null = in force today
    "observed_until": pl.Date(),  # last day a source observed an open tie (ATOP: 2018-12-31)
    "year_from": pl.Int32(),  # first year of the tie in yearly panels
    "year_to": pl.Int32(),  # last year in yearly panels; null = open
    "has_conditions": pl.Boolean(),  # conditions beyond procedure (constitutional processes)
    "decidable": pl.Boolean(),  # every condition can be decided from a scenario
    "conditions": pl.List(pl.Utf8()),  # condition kinds, sorted
    "partner_specific": pl.Boolean(),  # ATOP obvary=1: may not run to this partner
    "article": pl.Utf8(),  # the article that carries the provision
}


def empty() -> pl.DataFrame:
    """A ties frame with no rows."""
    return pl.DataFrame(schema=SCHEMA)


def _spells_by_code(treaty: Treaty, phase: int | None) -> dict[int, list[Membership]]:
    """Each member's spells that a provision of ``phase`` covers (all spells when it is None)."""
    found: dict[int, list[Membership]] = {}
    for m in treaty.members:
        if phase is None or m.phase is None or m.phase == phase:
            found.setdefault(m.ccode, []).append(m)
    return found


def _min_date(*days: dt.date | None) -> dt.date | None:
    known = [d for d in days if d is not None]
    return min(known) if known else None


def treaty_ties(treaty: Treaty) -> list[dict]:
    """The ties of one treaty as rows of :data:`SCHEMA` (any origin; used for curated treaties).

    Yearly coding for these ties: a tie counts in every year in which it is in force on at least
    one day (``year_to`` is the year of the last day in force).
    """
    rows: list[dict] = []
    codes = treaty.member_codes()
    for index, p in enumerate(treaty.provisions):
        if p.kind not in PRIMARY_KINDS:
            continue
        conditions = sorted({c.kind for c in p.conditions})
        substantive = [c for c in p.conditions if c.kind != "procedure"]
        decidable = all(c.decidable for c in p.conditions)
        spells = _spells_by_code(treaty, p.phase)
        for x in p.obliged if p.obliged is not None else codes:
            for y in p.beneficiaries if p.beneficiaries is not None else codes:
                if x == y:
                    continue
                for sx in spells.get(x, ()):
                    for sy in spells.get(y, ()):
                        start = max(d for d in (sx.entry, sy.entry, p.valid_from) if d is not None)
                        end = _min_date(sx.exit, sy.exit, p.valid_to, treaty.ended)
                        if end is not None and start >= end:
                            continue
                        observed = (
                            _min_date(sx.observed_until, sy.observed_until) if end is None else None
                        )
                        rows.append(
                            {
                                "treaty_id": treaty.id,
                                "origin": treaty.origin,
                                "atopid": None,
                                "phase": p.phase,
                                "provision": index,
                                "kind": p.kind,
                                "obliged": x,
                                "beneficiary": y,
                                "valid_from": start,
                                "valid_to": end,
                                "observed_until": observed,
                                "year_from": start.year,
                                "year_to": None
                                if end is None
                                else (end - dt.timedelta(days=1)).year,
                                "has_conditions": bool(substantive),
                                "decidable": decidable,
                                "conditions": conditions,
                                "partner_specific": False,
                                "article": p.article,
                            }
                        )
    return rows


def frame(treaties: Iterable[Treaty]) -> pl.DataFrame:
    """The ties of ``treaties`` as one frame of :data:`SCHEMA`."""
    rows = [row for t in treaties for row in treaty_ties(t)]
    return pl.DataFrame(rows, schema=SCHEMA) if rows else empty()
