"""Questions about treaties, answered from the combined registry: list, look up, allies, history.

>>> from foedus.treaties import allies, history
>>> [(a.name, a.treaty_id, a.provisions) for a in allies("PRK", "2025-06-01", kind="defense")]  # doctest: +SKIP
[('China', 'prc_prk_1961', ['defense', 'non_aggression']), ('Russia', 'rus_prk_2024', ['defense', ...])]

"Allies" are states bound to each other, either way, by a primary obligation (defense,
offense, neutrality, non-aggression or consultation) in force on the date. Obligations are
directed: an :class:`Ally` says what the state owes (``owes``) and what it is owed (``owed``).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

import polars as pl
from pydantic import BaseModel, ConfigDict

from foedus.dates import parse_date, today
from foedus.errors import InvalidArgument
from foedus.treaties.model import PRIMARY_KINDS, ProvisionKind, Treaty
from foedus.treaties.registry import registry

_KIND_ORDER = {k: i for i, k in enumerate(PRIMARY_KINDS)}

_ALL_KINDS: tuple[str, ...] = ProvisionKind.__args__  # type: ignore[attr-defined]

# What users type for a kind (ATOP's variable names, hyphens) -> foedus's kind.
_KIND_ALIASES = {
    "defence": "defense",
    "neutral": "neutrality",
    "nonagg": "non_aggression",
    "non-aggression": "non_aggression",
    "nonaggression": "non_aggression",
    "consul": "consultation",
    "consult": "consultation",
}


def kind_of(text: str) -> str:
    """A provision kind from what a user typed (``"nonagg"``, ``"non-aggression"`` → ``"non_aggression"``)."""
    key = str(text).strip().lower().replace(" ", "_")
    key = _KIND_ALIASES.get(key, _KIND_ALIASES.get(key.replace("_", "-"), key))
    if key not in _ALL_KINDS:
        raise InvalidArgument(
            f"unknown provision kind '{text}': use one of {', '.join(_ALL_KINDS)}"
        )
    return key


def _day(date: str | dt.date | None) -> dt.date:
    return today() if date is None else parse_date(date)


def _code(state: str | int, day: dt.date | None = None) -> int:
    from foedus import states

    if isinstance(state, int) and state in _NON_COW:
        return state
    return states.resolve(state, on=day)


_NON_COW = {8152: "Annam"}  # ATOP's own code (alliance 1320)


def state_name(code: int) -> str:
    """A readable name for a state code, including ATOP's non-COW code 8152 (Annam)."""
    from foedus import states

    if code in _NON_COW:
        return _NON_COW[code]
    try:
        return states.name(code)
    except Exception:  # not in the COW list: say the number
        return f"state {code}"


def _title(t: Treaty) -> str:
    # ATOP's short names are bare numbers; its long names say what the alliance is.
    return (t.short_name or t.name) if t.origin == "curated" else t.name


def _sorted_kinds(kinds) -> list[str]:
    return sorted(set(kinds), key=lambda k: _KIND_ORDER.get(k, 99))


# ----------------------------------------------------------------------------- lookups


def treaty(treaty_id: str | int) -> Treaty:
    """One treaty by id, ATOP id, short name or alias (``"nato_1949"``, ``"atop:3440"``, ``"NATO"``)."""
    return registry().get(treaty_id)


def treaties(
    state: str | int | None = None,
    date: str | dt.date | None = None,
    kind: str | None = None,
) -> list[Treaty]:
    """Treaties, optionally only those with ``state`` as a member, in force on ``date``, with a
    provision of ``kind`` (valid on ``date`` when given). Sorted by signature."""
    reg = registry()
    day = None if date is None else parse_date(date)
    code = None if state is None else _code(state, day)
    wanted = None if kind is None else kind_of(kind)
    out = reg.treaties if code is None else reg.for_state(code, day)
    if day is not None:
        out = [t for t in out if t.in_force_on(day)]
    if wanted is not None:
        out = [
            t
            for t in out
            if any(p.kind == wanted for p in (t.provisions_on(day) if day else t.provisions))
        ]
    return out


def ties_frame(source: Literal["registry", "atop", "curated"] = "registry") -> pl.DataFrame:
    """Directed obligations, one row per (treaty, obliged, beneficiary, kind, validity spell).

    ``source="registry"`` (default): the combined registry — curated treaties plus the ATOP
    alliances no curated treaty links. ``"atop"``: every ATOP alliance as ATOP codes it (for
    ATOP-only research tables). ``"curated"``: the curated treaties alone. Built once and cached.

    Columns (see :data:`foedus.treaties.ties.SCHEMA`): ``treaty_id``, ``origin``, ``atopid``,
    ``phase``, ``provision`` (index into ``Treaty.provisions``), ``kind``, ``obliged``,
    ``beneficiary``, ``valid_from`` (inclusive), ``valid_to`` (exclusive; null = in force
    today), ``observed_until`` (ATOP: 2018-12-31 for ties still in force then), ``year_from``
    and ``year_to`` (the yearly coding; null = open), ``has_conditions``, ``decidable``,
    ``conditions``, ``partner_specific``, ``article``.

    Yearly coding: ATOP ties follow ATOP's dyad-year rule (every year from entry to exit, both
    included; a phase change gives its year to the later phase), which reproduces
    peacesciencer's ``atop_alliance`` table; curated ties count in every year in which they are
    in force on at least one day.
    """
    reg = registry()
    if source == "registry":
        return reg.ties
    if source == "atop":
        return reg.atop_ties
    if source == "curated":
        return reg.curated_ties
    raise InvalidArgument(f"unknown ties source '{source}': use 'registry', 'atop' or 'curated'")


# ----------------------------------------------------------------------------- allies


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class Ally(_Out):
    """A state tied to the queried state by one treaty on the queried date.

    ``owes``: obligations the queried state owes the ally; ``owed``: what the ally owes it;
    ``provisions``: both together. ``since``: first day of the unbroken tie under this treaty
    that covers the date; ``until``: its last day + 1 (None = in force today). ``observed_until``:
    the last day the source observed an open tie (ATOP: 2018-12-31; later it is presumed).
    """

    ccode: int
    name: str
    treaty_id: str
    treaty_name: str
    origin: str
    provisions: list[str]
    owes: list[str]
    owed: list[str]
    since: dt.date
    until: dt.date | None = None
    observed_until: dt.date | None = None
    conditional: bool = False
    decidable: bool = True
    partner_specific: bool = False

    @property
    def symmetric(self) -> bool:
        """Whether both sides owe the same obligations."""
        return self.owes == self.owed


def _blocks(spans: list[tuple[dt.date, dt.date | None]]) -> list[tuple[dt.date, dt.date | None]]:
    """Merge intervals [start, end) (end None = open) that overlap or touch."""
    merged: list[tuple[dt.date, dt.date | None]] = []
    for start, end in sorted(spans, key=lambda s: s[0]):
        if merged and (merged[-1][1] is None or start <= merged[-1][1]):
            last_start, last_end = merged[-1]
            new_end = None if last_end is None or end is None else max(last_end, end)
            merged[-1] = (last_start, new_end)
        else:
            merged.append((start, end))
    return merged


def _covering(day: dt.date) -> pl.Expr:
    return (pl.col("valid_from") <= day) & (
        pl.col("valid_to").is_null() | (pl.col("valid_to") > day)
    )


def allies(
    state: str | int,
    date: str | dt.date | None = None,
    kind: str | None = None,
    *,
    include_nonaggression: bool = False,
) -> list[Ally]:
    """The states tied to ``state`` by a primary obligation in force on ``date`` (default: today).

    One :class:`Ally` per (ally, treaty); ``kind`` keeps only ties that include that obligation
    (either way). Sorted by the strongest obligation (defense first), then name.

    Ties made only of non-aggression pledges (the Helsinki Final Act, the Treaty of Amity and
    Cooperation, ...) are left out unless ``include_nonaggression`` or ``kind="non_aggression"``:
    ATOP itself ships "NNA" files without them, since a promise not to attack is not a promise
    to help.
    """
    day = _day(date)
    code = _code(state, day)
    wanted = None if kind is None else kind_of(kind)
    if wanted is not None and wanted not in PRIMARY_KINDS:
        raise InvalidArgument(
            f"'{wanted}' is not an obligation that makes allies: use one of {', '.join(PRIMARY_KINDS)}"
        )
    reg = registry()
    mine = reg.ties.filter(
        (pl.col("obliged") == code) | (pl.col("beneficiary") == code)
    ).with_columns(
        pl.when(pl.col("obliged") == code)
        .then(pl.col("beneficiary"))
        .otherwise(pl.col("obliged"))
        .alias("other")
    )
    now = mine.filter(_covering(day))
    out: list[Ally] = []
    for (treaty_id, other), rows in now.group_by(["treaty_id", "other"], maintain_order=True):
        owes = _sorted_kinds(rows.filter(pl.col("obliged") == code)["kind"])
        owed = _sorted_kinds(rows.filter(pl.col("beneficiary") == code)["kind"])
        both = _sorted_kinds([*owes, *owed])
        if wanted is not None and wanted not in both:
            continue
        if wanted is None and not include_nonaggression and both == ["non_aggression"]:
            continue
        history_rows = mine.filter((pl.col("treaty_id") == treaty_id) & (pl.col("other") == other))
        block = next(
            b
            for b in _blocks(
                list(zip(history_rows["valid_from"], history_rows["valid_to"], strict=True))
            )
            if b[0] <= day and (b[1] is None or day < b[1])
        )
        observed = rows.filter(pl.col("valid_to").is_null())["observed_until"].drop_nulls()
        t = reg.get(treaty_id)
        out.append(
            Ally(
                ccode=int(other),
                name=state_name(int(other)),
                treaty_id=treaty_id,
                treaty_name=_title(t),
                origin=t.origin,
                provisions=both,
                owes=owes,
                owed=owed,
                since=block[0],
                until=block[1],
                observed_until=observed.min() if block[1] is None and observed.len() else None,
                conditional=bool(rows["has_conditions"].any()),
                decidable=bool(rows["decidable"].all()),
                partner_specific=bool(rows["partner_specific"].any()),
            )
        )
    return sorted(out, key=lambda a: (_KIND_ORDER[a.provisions[0]], a.name, a.since, a.treaty_id))


# ----------------------------------------------------------------------------- history


class TieSpell(_Out):
    """A stretch of time in which the obligations between the two states did not change."""

    start: dt.date
    end: dt.date | None = None  # exclusive; None = in force today
    a_to_b: list[str]  # what A owes B
    b_to_a: list[str]  # what B owes A
    conditional: bool = False
    observed_until: dt.date | None = None


class TimelineEntry(_Out):
    """One treaty's ties between the two states over time."""

    treaty_id: str
    treaty_name: str
    origin: str
    start: dt.date
    end: dt.date | None = None
    kinds: list[str]
    spells: list[TieSpell]
    observed_until: dt.date | None = None


class Gap(_Out):
    """A period with no treaty tie between the two states (``end`` None = up to today)."""

    start: dt.date
    end: dt.date | None = None


class Timeline(_Out):
    """Every treaty tie between states ``a`` and ``b`` from 1816 to today, with the gaps."""

    a: int
    b: int
    a_name: str
    b_name: str
    entries: list[TimelineEntry]
    gaps: list[Gap]
    as_of: dt.date

    @property
    def first(self) -> dt.date | None:
        """The first day the two were tied."""
        return min((e.start for e in self.entries), default=None)


def _spells(rows: pl.DataFrame, a: int, b: int) -> list[TieSpell]:
    points = sorted({*rows["valid_from"], *rows["valid_to"].drop_nulls()})
    open_ = rows["valid_to"].null_count() > 0
    bounds = [(points[i], points[i + 1]) for i in range(len(points) - 1)]
    if open_:
        bounds.append((points[-1], None))
    out: list[TieSpell] = []
    for start, end in bounds:
        live = rows.filter(
            (pl.col("valid_from") <= start)
            & (pl.col("valid_to").is_null() | (pl.col("valid_to") > start))
        )
        if live.height == 0:
            continue
        a_to_b = _sorted_kinds(live.filter(pl.col("obliged") == a)["kind"])
        b_to_a = _sorted_kinds(live.filter(pl.col("obliged") == b)["kind"])
        conditional = bool(live["has_conditions"].any())
        observed = live["observed_until"].drop_nulls()
        observed_until = observed.min() if end is None and observed.len() else None
        previous = out[-1] if out else None
        if (
            previous is not None
            and previous.end == start
            and (previous.a_to_b, previous.b_to_a, previous.conditional)
            == (a_to_b, b_to_a, conditional)
        ):
            out[-1] = previous.model_copy(update={"end": end, "observed_until": observed_until})
        else:
            out.append(TieSpell(start=start, end=end, a_to_b=a_to_b, b_to_a=b_to_a, conditional=conditional,
                                observed_until=observed_until))  # fmt: skip
    return out


def history(a: str | int, b: str | int) -> Timeline:
    """Every treaty tie between ``a`` and ``b`` from 1816 to today, one entry per treaty, with gaps.

    Gaps are the periods between the first tie and today in which no treaty ties the two.
    """
    code_a, code_b = _code(a), _code(b)
    if code_a == code_b:
        raise InvalidArgument(f"'{a}' and '{b}' are the same state: give two different states")
    reg = registry()
    rows = reg.ties.filter(
        ((pl.col("obliged") == code_a) & (pl.col("beneficiary") == code_b))
        | ((pl.col("obliged") == code_b) & (pl.col("beneficiary") == code_a))
    )
    entries: list[TimelineEntry] = []
    for (treaty_id,), part in rows.group_by(["treaty_id"], maintain_order=True):
        spells = _spells(part, code_a, code_b)
        if not spells:
            continue
        t = reg.get(treaty_id)
        entries.append(
            TimelineEntry(
                treaty_id=treaty_id,
                treaty_name=_title(t),
                origin=t.origin,
                start=spells[0].start,
                end=spells[-1].end,
                kinds=_sorted_kinds(k for s in spells for k in (*s.a_to_b, *s.b_to_a)),
                spells=spells,
                observed_until=spells[-1].observed_until,
            )
        )
    entries.sort(key=lambda e: (e.start, e.treaty_id))
    now = today()
    blocks = _blocks([(s.start, s.end) for e in entries for s in e.spells])
    gaps = [
        Gap(start=blocks[i][1], end=blocks[i + 1][0])
        for i in range(len(blocks) - 1)
        if blocks[i][1]
    ]
    if blocks and blocks[-1][1] is not None and blocks[-1][1] <= now:
        gaps.append(Gap(start=blocks[-1][1], end=None))
    return Timeline(
        a=code_a,
        b=code_b,
        a_name=state_name(code_a),
        b_name=state_name(code_b),
        entries=entries,
        gaps=gaps,
        as_of=now,
    )


__all__ = [
    "Ally",
    "Gap",
    "TieSpell",
    "Timeline",
    "TimelineEntry",
    "allies",
    "history",
    "kind_of",
    "state_name",
    "ties_frame",
    "treaties",
    "treaty",
]
