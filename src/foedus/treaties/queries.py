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
from typing import Any, Literal

import polars as pl
from pydantic import BaseModel, ConfigDict

from foedus.dates import parse_date, today
from foedus.errors import InvalidArgument
from foedus.treaties.curated import _show
from foedus.treaties.model import NON_COW_CODES, PRIMARY_KINDS, ProvisionKind, Treaty
from foedus.treaties.registry import registry

_KIND_ORDER = {k: i for i, k in enumerate(PRIMARY_KINDS)}

_ALL_KINDS: tuple[str, ...] = ProvisionKind.__args__  # type: ignore[attr-defined]

# What users type for a kind (ATOP's variable names, spellings) -> foedus's kind. Hyphens and
# spaces are read as underscores first ("non-aggression", "military aid").
_KIND_ALIASES = {
    "defence": "defense",
    "neutral": "neutrality",
    "nonagg": "non_aggression",
    "nonaggression": "non_aggression",
    "consul": "consultation",
    "consult": "consultation",
}


def kind_of(text: str) -> str:
    """A provision kind from what a user typed (``"nonagg"``, ``"non-aggression"`` → ``"non_aggression"``)."""
    key = str(text).strip().lower().replace(" ", "_").replace("-", "_")
    key = _KIND_ALIASES.get(key, key)
    if key not in _ALL_KINDS:
        raise InvalidArgument(
            f"unknown provision kind {_show(str(text))}: use one of {', '.join(_ALL_KINDS)}"
        )
    return key


def _day(date: str | dt.date | None) -> dt.date:
    return today() if date is None else parse_date(date)


def state_code(state: str | int, date: str | dt.date | None = None) -> int:
    """The COW code of a state name, ISO3 or code (on ``date`` when given), including ATOP's
    non-COW code 8152 (Annam), as a number or as text.

    >>> state_code("North Korea"), state_code("8152")  # doctest: +SKIP
    (731, 8152)
    """
    from foedus import states

    text = str(state).strip()
    if text.isascii() and text.isdigit() and int(text) in NON_COW_CODES:
        return int(text)
    return states.resolve(state, on=date)


def state_name(code: int) -> str:
    """A readable name for a state code, including ATOP's non-COW code 8152 (Annam)."""
    from foedus import states

    if code in NON_COW_CODES:
        return NON_COW_CODES[code]
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
    code = None if state is None else state_code(state, day)
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


def summary(treaty: Treaty) -> dict[str, Any]:
    """One treaty in brief, as JSON types: the row ``foedus treaties --json`` and the web API give.

    ``members``: every state ever a member (COW codes, sorted); ``kinds``: the primary
    obligations among its provisions, strongest first; dates as ISO text.

    >>> summary(treaty("rus_prk_2024"))["kinds"]  # doctest: +SKIP
    ['defense', 'consultation']
    """
    found = {p.kind for p in treaty.provisions}
    return {
        "id": treaty.id,
        "name": treaty.name,
        "short_name": treaty.short_name,
        "origin": treaty.origin,
        "signed": treaty.signed.isoformat() if treaty.signed else None,
        "ended": treaty.ended.isoformat() if treaty.ended else None,
        "members": treaty.member_codes(),
        "kinds": [k for k in PRIMARY_KINDS if k in found],
        "atop_ids": list(treaty.atop_ids),
    }


def detail(treaty: Treaty) -> dict[str, Any]:
    """The whole treaty as JSON types (members, provisions, articles, notes, sources): what
    ``foedus treaty ID --json`` and the web API give."""
    return treaty.model_dump(mode="json")


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


# Stands for "no end" (a null valid_to) so that ends can be compared and maximised.
_OPEN = dt.date.max
_PAIR = ("treaty_id", "other")
# Days are shifted by _SHIFT (> the days from 1970 back to 1816, so all positive) and each pair
# gets its own band of _BAND days, so one running maximum over the sorted frame never carries
# an end from one pair into the next.
_SHIFT, _BAND = 1_000_000, 10_000_000


def _unbroken(mine: pl.LazyFrame, day: dt.date) -> pl.LazyFrame:
    """For each (treaty, other) tied on ``day``: the unbroken stretch of ties covering it.

    Gaps and islands: within a pair, sorted by start, a tie opens a new stretch when it starts
    after every earlier tie of the pair has ended; ties that overlap or touch form one stretch.
    """
    first = (pl.col("treaty_id") != pl.col("treaty_id").shift(1)) | (
        pl.col("other") != pl.col("other").shift(1)
    )
    band = pl.col("_pair").cast(pl.Int64) * _BAND + _SHIFT
    reach = (band + pl.col("_end").cast(pl.Int64)).cum_max().shift(1)
    return (
        mine.select(*_PAIR, "valid_from", _end=pl.col("valid_to").fill_null(_OPEN))
        .sort(*_PAIR, "valid_from")
        .with_columns(_pair=first.fill_null(True).cum_sum())
        .with_columns(_new=reach.is_null() | (band + pl.col("valid_from").cast(pl.Int64) > reach))
        .group_by(pl.col("_new").cum_sum().alias("_stretch"))
        .agg(
            pl.col(*_PAIR).first(),
            since=pl.col("valid_from").min(),
            until=pl.col("_end").max(),
        )
        .filter((pl.col("since") <= day) & (pl.col("until") > day))
        .select(*_PAIR, "since", until=pl.when(pl.col("until") < _OPEN).then(pl.col("until")))
    )


# One query per question, run in memory: a state's or a pair's ties are a few thousand rows at
# most, and on such small frames the streaming engine (polars' default) takes twice as long.
_ENGINE = "in-memory"


def _ties_on(code: int, day: dt.date) -> pl.DataFrame:
    """One row per (treaty, other state) tied to ``code`` on ``day``, in the ties' order."""
    mine = (
        registry()
        .ties.lazy()
        .filter((pl.col("obliged") == code) | (pl.col("beneficiary") == code))
        .with_columns(
            other=pl.when(pl.col("obliged") == code)
            .then(pl.col("beneficiary"))
            .otherwise(pl.col("obliged"))
        )
    )
    now = (
        mine.filter(_covering(day))
        .group_by(*_PAIR, maintain_order=True)
        .agg(
            owes=pl.col("kind").filter(pl.col("obliged") == code).unique(),
            owed=pl.col("kind").filter(pl.col("beneficiary") == code).unique(),
            observed=pl.col("observed_until").filter(pl.col("valid_to").is_null()).min(),
            conditional=pl.col("has_conditions").any(),
            decidable=pl.col("decidable").all(),
            partner_specific=pl.col("partner_specific").any(),
        )
    )
    return now.join(_unbroken(mine, day), on=_PAIR, how="left", maintain_order="left").collect(
        engine=_ENGINE
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
    code = state_code(state, day)
    wanted = None if kind is None else kind_of(kind)
    if wanted is not None and wanted not in PRIMARY_KINDS:
        raise InvalidArgument(
            f"'{wanted}' is not an obligation that makes allies: use one of {', '.join(PRIMARY_KINDS)}"
        )
    reg = registry()
    out: list[Ally] = []
    for row in _ties_on(code, day).iter_rows(named=True):
        owes, owed = _sorted_kinds(row["owes"]), _sorted_kinds(row["owed"])
        both = _sorted_kinds([*owes, *owed])
        if wanted is not None and wanted not in both:
            continue
        if wanted is None and not include_nonaggression and both == ["non_aggression"]:
            continue
        t = reg.get(row["treaty_id"])
        other = int(row["other"])
        out.append(
            Ally(
                ccode=other,
                name=state_name(other),
                treaty_id=row["treaty_id"],
                treaty_name=_title(t),
                origin=t.origin,
                provisions=both,
                owes=owes,
                owed=owed,
                since=row["since"],
                until=row["until"],
                observed_until=row["observed"] if row["until"] is None else None,
                conditional=bool(row["conditional"]),
                decidable=bool(row["decidable"]),
                partner_specific=bool(row["partner_specific"]),
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


_BIT = {k: 1 << i for i, k in enumerate(PRIMARY_KINDS)}


def _kinds_of(mask: int) -> list[str]:
    return [k for k in PRIMARY_KINDS if mask & _BIT[k]]


def _spell_frame(rows: pl.LazyFrame, a: int) -> pl.LazyFrame:
    """The spells of each treaty in ``rows`` (the ties between ``a`` and another state).

    Each treaty's start and end days cut its time into elementary intervals; an interval's
    obligations are those of the ties live on its first day (kinds as bit masks, so that they
    compare as numbers); intervals with no live tie are dropped, and a run of adjacent intervals
    with the same obligations and conditionality is one spell.
    """
    points = (
        pl.concat(
            [
                rows.select("treaty_id", point="valid_from"),
                rows.select("treaty_id", point="valid_to").drop_nulls(),
            ]
        )
        .unique()
        .sort("treaty_id", "point")
    )
    same_treaty = pl.col("treaty_id") == pl.col("treaty_id").shift(-1)
    # A treaty's last point starts an open interval; it has live ties only if one is open.
    intervals = points.select(
        "treaty_id", start="point", end=pl.when(same_treaty).then(pl.col("point").shift(-1))
    )
    bit = pl.col("kind").replace_strict(_BIT, return_dtype=pl.Int64)
    live = (
        intervals.join(rows, on="treaty_id")
        .filter(
            (pl.col("valid_from") <= pl.col("start"))
            & (pl.col("valid_to").is_null() | (pl.col("valid_to") > pl.col("start")))
        )
        .group_by("treaty_id", "start")
        .agg(
            pl.col("end").first(),
            a_to_b=bit.filter(pl.col("obliged") == a).unique().sum(),
            b_to_a=bit.filter(pl.col("obliged") != a).unique().sum(),
            conditional=pl.col("has_conditions").any(),
            observed=pl.col("observed_until").min(),
        )
        .sort("treaty_id", "start")
    )
    same = ["treaty_id", "a_to_b", "b_to_a", "conditional"]
    joins = pl.all_horizontal(
        *(pl.col(c) == pl.col(c).shift(1) for c in same),
        pl.col("start") == pl.col("end").shift(1),
    )
    return (
        live.with_columns(_spell=(~joins.fill_null(False)).cum_sum())
        .group_by("_spell", maintain_order=True)
        .agg(
            pl.col("treaty_id", "start", "a_to_b", "b_to_a", "conditional").first(),
            pl.col("end", "observed").last(),
        )
        .select(
            "treaty_id",
            "start",
            "end",
            "a_to_b",
            "b_to_a",
            "conditional",
            observed=pl.when(pl.col("end").is_null()).then(pl.col("observed")),
        )
    )


def history(a: str | int, b: str | int) -> Timeline:
    """Every treaty tie between ``a`` and ``b`` from 1816 to today, one entry per treaty, with gaps.

    Gaps are the periods between the first tie and today in which no treaty ties the two.
    """
    code_a, code_b = state_code(a), state_code(b)
    if code_a == code_b:
        raise InvalidArgument(f"'{a}' and '{b}' are the same state: give two different states")
    reg = registry()
    rows = reg.ties.lazy().filter(
        ((pl.col("obliged") == code_a) & (pl.col("beneficiary") == code_b))
        | ((pl.col("obliged") == code_b) & (pl.col("beneficiary") == code_a))
    )
    by_treaty: dict[str, list[TieSpell]] = {}
    spells = _spell_frame(rows, code_a).collect(engine=_ENGINE)
    for treaty_id, start, end, a_to_b, b_to_a, conditional, observed in spells.iter_rows():
        by_treaty.setdefault(treaty_id, []).append(
            TieSpell(
                start=start,
                end=end,
                a_to_b=_kinds_of(a_to_b),
                b_to_a=_kinds_of(b_to_a),
                conditional=conditional,
                observed_until=observed,
            )
        )
    entries: list[TimelineEntry] = []
    for treaty_id, spells in by_treaty.items():
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
    "detail",
    "history",
    "kind_of",
    "state_code",
    "state_name",
    "summary",
    "ties_frame",
    "treaties",
    "treaty",
]
