"""Every scenario at once: all directed (attacker, target) pairs on a date, and dyad-years.

The batch path gives the same verdicts as :func:`~foedus.obligations.respond` (a test checks
random pairs on several dates) without looping over scenarios. What a provision gives depends
on the attacker only through two facts — is the attacker named by an adversary condition, and is
it a party to the treaty — and on the target only through its territory (the default place).
So the rules (:func:`foedus.obligations.rules.assess`, the very function ``respond`` calls) run
once per provision and *variant* — "an attacker the treaty does not name", "a party", each named
adversary — and per target only for provisions with a location condition. The rest is joins
over integer keys: ties × attackers, variant lookup, and a group-by on (attacker, target,
responder) that takes the strongest verdict and the provision to cite, encoded in one integer
(:func:`foedus.obligations.rules.citation_score`).

Batch scenarios are single-attacker, on the target's own territory, with the scenario kind given
(default ``state_of_war``) and provocation left open.

Cascades: :func:`theatre_obligated` answers a cascade's later rounds — an attacker fighting a
state that joined, on the original target's territory (the theatre) — for many (attacker,
theatre, target) triples at once, and :func:`cascade_all` runs the whole cascade of every
directed pair on a date (round 1 from :func:`respond_all`, then theatre rounds until no one
joins), with the joiners ``respond(scenario, cascade=True)`` gives (tests compare them).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import get_args

import polars as pl

from foedus import places, states
from foedus.dates import parse_date, today
from foedus.obligations.engine import VERDICT_ORDER, Compiled, compile_registry
from foedus.obligations.rules import (
    INTRINSIC,
    NEUTRAL_RANK,
    PLACE_CHECKS,
    SCORE_SHIFT,
    Facts,
    Obligation,
    assess,
    citation_score,
    combine,
    named_adversaries,
)
from foedus.obligations.scenario import DEFAULT_KIND, parse_kind
from foedus.treaties.model import Treaty
from foedus.treaties.registry import Registry

GENERIC = -1  # an attacker the treaty neither names nor counts as a party
PARTY = -2  # an attacker that is a party to the treaty and not named as its adversary

_VERDICT = pl.Enum(list(VERDICT_ORDER))
_OBLIGATION = pl.Enum(list(get_args(Obligation)))

#: Columns of :func:`respond_all`.
COLUMNS = ("attacker", "target", "responder", "verdict", "obligation", "treaty_id", "article")


def _attacker_variants(
    named: tuple[int, ...], members: frozenset[int]
) -> list[tuple[int, tuple[int, ...], frozenset[int]]]:
    """(variant, attackers, members) for each kind of attacker a provision can tell apart: one it
    neither names nor counts as a party, a party, and each named adversary."""
    return [
        (GENERIC, (GENERIC,), members),
        (PARTY, (PARTY,), members | {PARTY}),
        *((a, (a,), members) for a in named),
    ]


def _active(ties: pl.DataFrame, day: dt.date) -> pl.DataFrame:
    return ties.filter(
        (pl.col("valid_from") <= day) & (pl.col("valid_to").is_null() | (pl.col("valid_to") > day))
    )


def _variants(
    compiled: Compiled, pledges: pl.DataFrame, day: dt.date, kind: str
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Assess every (provision, variant[, target]) once.

    Returns the assessments, the named adversaries per provision, the parties per treaty, and
    which provisions have a location condition (whose assessment depends on the target).
    """
    rows: list[tuple] = []
    named_rows: list[tuple[str, int, int]] = []
    located_rows: list[tuple[str, int, bool]] = []
    keys = (
        pledges.select("treaty_id", "provision", "beneficiary")
        .unique()
        .sort("treaty_id", "provision", "beneficiary")
    )
    by_provision: dict[tuple[str, int], list[int]] = {}
    for t_id, prov, b in keys.iter_rows():
        by_provision.setdefault((t_id, prov), []).append(b)
    for (t_id, prov), targets in by_provision.items():
        treaty = compiled.treaties[t_id]
        provision = treaty.provisions[prov]
        members = compiled.members(t_id, day)
        named = named_adversaries(provision)
        named_rows.extend((t_id, prov, a) for a in named)
        located = any(c.kind == "location" for c in provision.conditions)
        located_rows.append((t_id, prov, located))
        # Without a location condition only the implicit place check reads the target, and every
        # state's own territory meets it alike (places.home refuses an annexed home territory).
        for b in targets if located else targets[:1]:
            place = places.home(b)
            for variant, attackers, group in _attacker_variants(named, members):
                facts = Facts(
                    attackers=attackers,
                    target=b,
                    kind=kind,
                    place=place,
                    provoked=None,
                    date=day,
                    members=group,
                )
                a = assess(treaty, provision, facts)
                rows.append(
                    (
                        t_id,
                        prov,
                        b if located else GENERIC,
                        variant,
                        a.certain,
                        citation_score(a, 0) >> SCORE_SHIFT,
                    )
                )
    assessed = pl.DataFrame(
        rows,
        schema={"treaty_id": pl.Utf8, "provision": pl.Int32, "bkey": pl.Int64, "variant": pl.Int64,
                "certain": pl.Int8, "top": pl.Int64},
        orient="row",
    )  # fmt: skip
    named = pl.DataFrame(
        named_rows,
        schema={"treaty_id": pl.Utf8, "provision": pl.Int32, "attacker": pl.Int64},
        orient="row",
    )
    party_rows = [
        (t_id, a)
        for t_id in sorted({k[0] for k in by_provision})
        for a in compiled.members(t_id, day)
    ]
    parties = pl.DataFrame(
        party_rows, schema={"treaty_id": pl.Utf8, "attacker": pl.Int64}, orient="row"
    )
    located = pl.DataFrame(
        located_rows,
        schema={"treaty_id": pl.Utf8, "provision": pl.Int32, "located": pl.Boolean},
        orient="row",
    )
    return assessed, named, parties, located


_EMPTY = {"attacker": pl.Int64, "target": pl.Int64, "responder": pl.Int64, "verdict": _VERDICT,
          "obligation": _OBLIGATION, "treaty_id": pl.Utf8, "article": pl.Utf8}  # fmt: skip


def _key(a: pl.Expr, b: pl.Expr, o: pl.Expr) -> pl.Expr:
    # One int64 per (attacker, target, responder): COW codes (and ATOP's 8152) fit in 14 bits.
    return (a * (1 << 28)) + (b * (1 << 14)) + o


#: A responder's verdict for each ``possible * 3 + certain`` (possible >= certain): rules.combine's.
_COMBINED = {p * 3 + c: combine(c, p) for p in range(3) for c in range(p + 1)}
#: The duty a not_obligated verdict cites, by the ``neutral`` digit of the citation score.
_NEUTRAL_DUTY = {rank: duty for duty, rank in NEUTRAL_RANK.items()}


def _decide(frame: pl.DataFrame, cite: pl.DataFrame) -> pl.DataFrame:
    """From ``score``/``certain`` maxima to verdict, obligation and the cited treaty and article."""
    # Decodes rules.citation_score: base-3 digits possible, certain, neutral, would_be above the order.
    unit = 1 << SCORE_SHIFT
    top = pl.col("score") // unit
    return (
        frame.with_columns(
            (top // 27).alias("possible"),
            ((top // 3) % 3).alias("neutral"),
            (unit - 1 - (pl.col("score") % unit)).alias("order"),
        )
        .join(cite, on="order", how="left")
        .with_columns(
            (pl.col("possible") * 3 + pl.col("certain"))
            .replace_strict(_COMBINED, return_dtype=pl.Utf8).alias("verdict"),
        )
        .with_columns(
            pl.when(pl.col("verdict") != "not_obligated").then(pl.col("pledge"))
            .otherwise(pl.col("neutral").replace_strict(_NEUTRAL_DUTY, default="none", return_dtype=pl.Utf8))
            .alias("obligation"),
        )
        .with_columns(pl.col("verdict").cast(_VERDICT), pl.col("obligation").cast(_OBLIGATION))
    )  # fmt: skip


def _frame(compiled: Compiled, day: dt.date, kind: str, universe: list[int]) -> pl.DataFrame:
    """The batch kernel; see the module docstring for the shape of the computation."""
    pledges = _active(compiled.ties, day).filter(pl.col("beneficiary").is_in(universe))
    if pledges.height == 0:
        return pl.DataFrame(schema=_EMPTY)
    assessed, named, parties, located = _variants(compiled, pledges, day, kind)
    unit = 1 << SCORE_SHIFT
    orders = pledges.select("treaty_id", "provision", "order").unique()
    assessed = assessed.join(orders, on=["treaty_id", "provision"]).select(
        "order", "bkey", "variant", pl.col("certain").cast(pl.Int64), pl.col("top").cast(pl.Int64)
    )
    # Only attackers whose variant gives another result than the generic one matter.
    generic = assessed.filter(pl.col("variant") == GENERIC).select(
        "order", "bkey", pl.col("top").alias("g_top"), pl.col("certain").alias("g_certain")
    )
    differs = (
        assessed.filter(pl.col("variant") != GENERIC)
        .join(generic, on=["order", "bkey"])
        .filter((pl.col("top") != pl.col("g_top")) | (pl.col("certain") != pl.col("g_certain")))
        .select("order", "variant").unique()
    )  # fmt: skip
    named = named.join(orders, on=["treaty_id", "provision"]).select("order", "attacker")
    named = named.join(
        differs, left_on=["order", "attacker"], right_on=["order", "variant"], how="semi"
    )
    party_orders = differs.filter(pl.col("variant") == PARTY).select("order")
    parties = (
        parties.join(orders, on="treaty_id")
        .join(party_orders, on="order", how="semi")
        .select("order", "attacker")
    )

    base = (
        pledges.select(
            "treaty_id",
            "provision",
            "order",
            pl.col("obliged").alias("o"),
            pl.col("beneficiary").alias("b"),
        )
        .join(located, on=["treaty_id", "provision"], how="left")
        .with_columns(
            pl.when(pl.col("located"))
            .then(pl.col("b"))
            .otherwise(pl.lit(GENERIC, pl.Int64))
            .alias("bkey")
        )
        .select("order", "o", "b", "bkey")
    )
    cite = (
        compiled.ties.select("order", "treaty_id", "article", "kind").unique("order")
        .with_columns(pl.col("kind").replace_strict({k: v[0] for k, v in INTRINSIC.items()}, default="none").alias("pledge"))
        .drop("kind")
    )  # fmt: skip
    score = pl.col("top") * unit + (unit - 1 - pl.col("order"))

    # 1. The generic verdict of every (target, responder): attackers the treaties neither name nor count as parties.
    gen = base.join(
        assessed.filter(pl.col("variant") == GENERIC).drop("variant"),
        on=["order", "bkey"],
        how="left",
    )
    per_pair = gen.group_by("b", "o").agg(score.max().alias("score"), pl.col("certain").max())
    per_pair = _decide(per_pair, cite).select(
        "b",
        "o",
        "verdict",
        "obligation",
        pl.col("treaty_id").cast(pl.Categorical),
        pl.col("article").cast(pl.Categorical),
    )

    # 2. Special attackers of a pair: named by, or party to, one of its provisions (where that changes the result).
    special = (
        pl.concat(
            [
                base.join(named, on="order").select("attacker", "b", "o"),
                base.join(parties, on="order").select("attacker", "b", "o"),
            ]
        )
        .filter((pl.col("attacker") != pl.col("b")) & (pl.col("attacker") != pl.col("o")))
        .unique()
    )
    if special.height:
        rows = (
            special.join(base, on=["b", "o"])
            .join(
                named.with_columns(pl.lit(True).alias("is_named")),
                on=["order", "attacker"],
                how="left",
            )
            .join(
                parties.with_columns(pl.lit(True).alias("is_party")),
                on=["order", "attacker"],
                how="left",
            )
            .with_columns(
                pl.when(pl.col("is_named"))
                .then(pl.col("attacker"))
                .when(pl.col("is_party"))
                .then(pl.lit(PARTY, pl.Int64))
                .otherwise(pl.lit(GENERIC, pl.Int64))
                .alias("variant")
            )
            .join(assessed, on=["order", "bkey", "variant"], how="left")
        )
        per_special = rows.group_by("attacker", "b", "o").agg(
            score.max().alias("score"), pl.col("certain").max()
        )
        per_special = _decide(per_special, cite).select(
            "attacker", "b", "o", "verdict", "obligation",
            pl.col("treaty_id").cast(pl.Categorical), pl.col("article").cast(pl.Categorical),
        )  # fmt: skip
    else:
        per_special = per_pair.head(0).with_columns(pl.lit(0, pl.Int64).alias("attacker"))

    # 3. Every attacker gets its pair's generic verdict unless it is special for that pair. The cross
    # join runs attacker-major over pairs sorted by (target, responder), so the rows come out sorted.
    attackers = pl.DataFrame({"attacker": universe}, schema={"attacker": pl.Int64})
    values = ["verdict", "obligation", "treaty_id", "article"]
    expanded = (
        attackers.join(per_pair.sort("b", "o"), how="cross", maintain_order="left_right")
        .filter((pl.col("attacker") != pl.col("b")) & (pl.col("attacker") != pl.col("o")))
        .with_columns(_key(pl.col("attacker"), pl.col("b"), pl.col("o")).alias("key"))
    )
    per_special = per_special.select(
        _key(pl.col("attacker"), pl.col("b"), pl.col("o")).alias("key"),
        *[pl.col(c).alias(f"s_{c}") for c in values],
    )
    out = expanded.join(per_special, on="key", how="left", maintain_order="left").select(
        "attacker",
        pl.col("b").alias("target"),
        pl.col("o").alias("responder"),
        *[pl.coalesce(f"s_{c}", c).alias(c) for c in values],
    )
    return out


def respond_all(
    date: str | dt.date,
    *,
    kind: str = DEFAULT_KIND,
    registry: Registry | Iterable[Treaty] | None = None,
    states_in_system: Iterable[int] | None = None,
) -> pl.DataFrame:
    """Verdicts for every directed (attacker, target) pair of states in the system on ``date``.

    One row per (attacker, target, responder) for every responder with a primary-obligation tie
    to the target: ``attacker``, ``target``, ``responder``, ``verdict``, ``obligation``,
    ``treaty_id``, ``article``. Each pair is the scenario ``Scenario((attacker,), target, date,
    kind=kind)`` — the target's own territory, provocation open — and its rows equal
    ``respond()`` on it. ``states_in_system`` restricts the states (default: the COW system on
    the date).

    >>> df = respond_all("2025-01-01")  # doctest: +SKIP
    >>> df.filter(attacker=2, target=731, verdict="obligated")["responder"].to_list()  # doctest: +SKIP
    [40, 365, 710]
    """
    day = parse_date(date)
    universe = sorted(states_in_system) if states_in_system is not None else states.members_on(day)
    return _frame(compile_registry(registry), day, parse_kind(kind), universe)


def respond_dyad_years(
    years: Iterable[int] | range | None = None,
    *,
    kind: str = DEFAULT_KIND,
    month_day: tuple[int, int] = (12, 31),
    verdicts: Iterable[str] | None = ("obligated", "unknown", "consult"),
    registry: Registry | Iterable[Treaty] | None = None,
) -> pl.DataFrame:
    """:func:`respond_all` for every year, on one day of each year (31 December by default; today for this year).

    ``years`` defaults to 1816 to this year. ``verdicts`` keeps only rows with these verdicts
    (default: all but ``not_obligated``, which non-aggression pacts make numerous); ``None`` keeps
    all. Columns: ``year``, ``date``, then those of :func:`respond_all`. Size: 1816 to 2026 with
    the default filter is about 29 million rows (about 1.2 GB; 8 s on two cores) — pass a range of
    years to keep it small.
    """
    compiled = compile_registry(registry)
    kind = parse_kind(kind)
    keep = list(verdicts) if verdicts is not None else None
    frames = []
    for year in years if years is not None else range(1816, today().year + 1):
        day = min(dt.date(year, *month_day), today())
        frame = _frame(compiled, day, kind, states.members_on(day))
        if keep is not None:
            frame = frame.filter(pl.col("verdict").is_in(keep))
        frames.append(
            frame.with_columns(pl.lit(year, pl.Int32).alias("year"), pl.lit(day).alias("date"))
        )
    if not frames:
        return _frame(compiled, today(), kind, []).with_columns(
            pl.lit(None, pl.Int32).alias("year"), pl.lit(None, pl.Date).alias("date")
        )
    out = pl.concat(frames, how="vertical")
    return out.select("year", "date", *COLUMNS)


# ------------------------------------------------------------------------------ theatre rounds
#
# A cascade's later rounds (:mod:`foedus.obligations.cascade`) ask, for a state ``j`` that has
# joined, which of its allies are obligated when the original attacker ``a`` fights it *in the
# theatre*: the original target ``t``'s own territory. The batch form below answers that for many
# (attacker, theatre, target) triples at once, with the same rules as ``respond``.
#
# A responder is ``obligated`` exactly when one of its ties to the target gives ``certain == 2``
# (:func:`foedus.obligations.rules.combine`). An assessment depends on the attacker only through
# its variant (as in round 1), and on the place and target only through the checks in
# ``rules.PLACE_CHECKS`` — the location conditions and the implicit ``place`` check, which read the
# place and how the target relates to it (administers it, claims it, neither). So each
# (provision, variant) is first assessed once: if a check that does not read the place fails or is
# undecidable, no theatre can make it oblige. The rest are assessed once per (theatre, relation of
# target to the theatre) and joined to the triples. Every verdict is still :func:`assess`'s.

_TRIPLE = {"attacker": pl.Int64, "theatre": pl.Int64, "target": pl.Int64}
_THEATRE_OUT = {**_TRIPLE, "responder": pl.Int64}


def _relation(theatres: list[int]) -> pl.DataFrame:
    """(theatre, target, rel) for targets with a relation to the theatre's home territory:
    1 = administers it, 2 = claims it, 3 = both (every other target: 0)."""
    rows: dict[tuple[int, int], int] = {}
    for t in theatres:
        home = places.home(t)
        if home.administered_by is not None:
            rows[(t, home.administered_by)] = rows.get((t, home.administered_by), 0) | 1
        for c in home.claimants:
            rows[(t, c)] = rows.get((t, c), 0) | 2
    return pl.DataFrame(
        [(t, j, r) for (t, j), r in rows.items()],
        schema={"theatre": pl.Int64, "target": pl.Int64, "rel": pl.Int64},
        orient="row",
    )


def _theatre(compiled: Compiled, day: dt.date, kind: str, triples: pl.DataFrame) -> pl.DataFrame:
    """The kernel of :func:`theatre_obligated` (``triples`` unique, typed as :data:`_TRIPLE`)."""
    empty = pl.DataFrame(schema=_THEATRE_OUT)
    if triples.height == 0:
        return empty
    targets = triples["target"].unique()
    ties = (
        _active(compiled.ties, day)
        .filter(pl.col("beneficiary").is_in(targets.to_list()))
        .select("treaty_id", "provision", "order",
                pl.col("obliged").alias("responder"), pl.col("beneficiary").alias("target"))
        .unique()
    )  # fmt: skip
    # Only provisions that can oblige (a defence duty: rank 2) matter for "obligated".
    keys = ties.select("treaty_id", "provision", "order").unique()
    capable = [
        (t_id, prov, order)
        for t_id, prov, order in keys.iter_rows()
        if INTRINSIC.get(compiled.treaties[t_id].provisions[prov].kind, ("none", 0))[1] == 2
    ]
    if not capable:
        return empty
    ties = ties.filter(pl.col("order").is_in([c[2] for c in capable]))
    rel = _relation(triples["theatre"].unique().to_list())
    trel = (
        triples.select("theatre", "target").unique()
        .join(rel, on=["theatre", "target"], how="left")
        .with_columns(pl.col("rel").fill_null(0))
    )  # fmt: skip
    # (order, theatre, rel) → a target of that relation, to assess with.
    combos = (
        ties.select("order", "target").unique()
        .join(trel, on="target")
        .group_by("order", "theatre", "rel").agg(pl.col("target").min())
    )  # fmt: skip
    by_order: dict[int, list[tuple[int, int, int]]] = {}
    for order, t, r, j in combos.iter_rows():
        by_order.setdefault(order, []).append((t, r, j))

    ok_rows: list[tuple[int, int, int, int]] = []
    named_rows: list[tuple[int, int]] = []
    party_rows: list[tuple[int, int]] = []
    for t_id, prov, order in capable:
        todo = by_order.get(order)
        if not todo:
            continue
        treaty = compiled.treaties[t_id]
        provision = treaty.provisions[prov]
        members = compiled.members(t_id, day)
        named = named_adversaries(provision)
        named_rows.extend((order, a) for a in named)
        party_rows.extend((order, a) for a in members)
        t0, _, j0 = todo[0]
        for variant, attackers, group in _attacker_variants(named, members):

            def facts(t: int, j: int, attackers=attackers, group=group) -> Facts:
                return Facts(attackers=attackers, target=j, kind=kind, place=places.home(t),
                             provoked=None, date=day, members=group)  # fmt: skip

            probe = assess(treaty, provision, facts(t0, j0))
            if any(
                c.kind not in PLACE_CHECKS and c.status in ("not_met", "undecidable")
                for c in probe.checks
            ):
                continue  # fails whatever the theatre: never obliges
            for t, r, j in todo:
                if assess(treaty, provision, facts(t, j)).certain == 2:
                    ok_rows.append((order, variant, t, r))
    ok = pl.DataFrame(
        ok_rows,
        schema={"order": pl.Int64, "variant": pl.Int64, "theatre": pl.Int64, "rel": pl.Int64},
        orient="row",
    ).with_columns(pl.lit(True).alias("ok"))
    if ok.height == 0:
        return empty
    links = ties.select("order", "responder", "target")

    # 1. Attackers a treaty neither names nor counts as a party: one answer per (theatre, target).
    generic = (
        links.join(trel, on="target")
        .join(ok.filter(pl.col("variant") == GENERIC).drop("variant"), on=["order", "theatre", "rel"])
        .select("theatre", "target", "responder").unique()
    )  # fmt: skip
    out = triples.join(generic, on=["theatre", "target"]).filter(
        pl.col("responder") != pl.col("attacker")
    )

    # 2. Attackers named by, or party to, a capable provision of a (target, responder) pair: that
    # pair is decided tie by tie with each tie's variant, replacing its generic answer.
    named = pl.DataFrame(named_rows, schema={"order": pl.Int64, "attacker": pl.Int64}, orient="row")
    parties = pl.DataFrame(
        party_rows, schema={"order": pl.Int64, "attacker": pl.Int64}, orient="row"
    )
    special = (
        links.join(pl.concat([named, parties]).unique(), on="order")
        .select("attacker", "target", "responder").unique()
        .join(triples.select("attacker", "target").unique(), on=["attacker", "target"], how="semi")
        .filter(pl.col("responder") != pl.col("attacker"))
    )  # fmt: skip
    if special.height:
        decided = (
            triples.join(special, on=["attacker", "target"])
            .join(links, on=["target", "responder"])
            .join(named.with_columns(pl.lit(True).alias("is_named")), on=["order", "attacker"], how="left")
            .join(parties.with_columns(pl.lit(True).alias("is_party")), on=["order", "attacker"], how="left")
            .with_columns(
                pl.when(pl.col("is_named")).then(pl.col("attacker"))
                .when(pl.col("is_party")).then(pl.lit(PARTY, pl.Int64))
                .otherwise(pl.lit(GENERIC, pl.Int64)).alias("variant")
            )
            .join(trel, on=["theatre", "target"])
            .join(ok, on=["order", "variant", "theatre", "rel"], how="left")
            .group_by("attacker", "theatre", "target", "responder")
            .agg(pl.col("ok").fill_null(False).any())
            .filter(pl.col("ok"))
            .drop("ok")
        )  # fmt: skip
        out = pl.concat(
            [
                out.join(special, on=["attacker", "target", "responder"], how="anti"),
                decided.select(out.columns),
            ]
        )
    return out.select(*_THEATRE_OUT)


def theatre_obligated(
    triples: pl.DataFrame | Iterable[tuple[int, int, int]],
    date: str | dt.date,
    *,
    kind: str = DEFAULT_KIND,
    registry: Registry | Iterable[Treaty] | None = None,
) -> pl.DataFrame:
    """The responders ``obligated`` in a cascade's theatre rounds, for many scenarios at once.

    Each triple (``attacker``, ``theatre``, ``target``) is the scenario ``Scenario((attacker,),
    target, date, place=f"state:{theatre}", kind=kind, provoked=None)`` — the attacker fights
    ``target`` on ``theatre``'s own territory, as a state that joined a war on ``theatre``'s side
    does in :mod:`foedus.obligations.cascade`. One row per (attacker, theatre, target, responder)
    whose verdict ``respond`` gives as ``obligated`` (the attacker is never a responder).
    """
    day = parse_date(date)
    if not isinstance(triples, pl.DataFrame):
        triples = pl.DataFrame(list(triples), schema=list(_TRIPLE), orient="row")
    triples = triples.select(*(pl.col(c).cast(t) for c, t in _TRIPLE.items())).unique()
    return _theatre(compile_registry(registry), day, parse_kind(kind), triples).sort(*_THEATRE_OUT)


#: Columns of :func:`cascade_all`.
CASCADE_COLUMNS = {
    "attacker": pl.Int64,
    "target": pl.Int64,
    "round1": pl.List(pl.Int64),
    "joiners": pl.List(pl.Int64),
    "rounds": pl.Int64,
}


def cascade_all(
    date: str | dt.date,
    *,
    kind: str = DEFAULT_KIND,
    registry: Registry | Iterable[Treaty] | None = None,
    states_in_system: Iterable[int] | None = None,
    attackers: Iterable[int] | None = None,
) -> pl.DataFrame:
    """The cascade (:data:`foedus.obligations.CASCADE_RULE`) of every directed pair on ``date``, at once.

    Round 1 is :func:`respond_all`; each later round asks :func:`theatre_obligated` about every
    state that has just joined, as a new target of the attacker in the theatre (the original
    target's territory); responders already on the target's side are skipped, and rounds stop
    when no one joins — the rule of ``respond(scenario, cascade=True)``, whose joiners this equals
    pair by pair. One row per pair with a joiner in round 1: ``attacker``, ``target``, ``round1``
    (sorted), ``joiners`` (in order of entry: by round, then code), ``rounds`` (rounds in which
    someone joined). ``attackers`` restricts the attackers (each still against every target).
    """
    day = parse_date(date)
    compiled = compile_registry(registry)
    kind = parse_kind(kind)
    universe = sorted(states_in_system) if states_in_system is not None else states.members_on(day)
    first = _frame(compiled, day, kind, universe).filter(pl.col("verdict") == "obligated")
    if attackers is not None:
        first = first.filter(pl.col("attacker").is_in(list(attackers)))
    joined = first.select(
        "attacker",
        "target",
        pl.col("responder").alias("joiner"),
        pl.lit(1, pl.Int64).alias("round"),
    ).unique()
    defending = pl.concat(
        [
            joined.select("attacker", "target", "joiner"),
            joined.select("attacker", "target", pl.col("target").alias("joiner")).unique(),
        ]
    )
    frontier, number, found = joined, 1, [joined]
    while frontier.height:
        number += 1
        asked = frontier.select(
            "attacker", pl.col("target").alias("theatre"), pl.col("joiner").alias("target")
        )
        new = (
            _theatre(compiled, day, kind, asked)
            .select("attacker", pl.col("theatre").alias("target"), pl.col("responder").alias("joiner"))
            .unique()
            .join(defending, on=["attacker", "target", "joiner"], how="anti")
            .with_columns(pl.lit(number, pl.Int64).alias("round"))
        )  # fmt: skip
        defending = pl.concat([defending, new.select("attacker", "target", "joiner")])
        found.append(new)
        frontier = new
    rows = pl.concat(found).sort("attacker", "target", "round", "joiner")
    return (
        rows.group_by("attacker", "target", maintain_order=True)
        .agg(
            pl.col("joiner").filter(pl.col("round") == 1).alias("round1"),
            pl.col("joiner").alias("joiners"),
            pl.col("round").n_unique().cast(pl.Int64).alias("rounds"),
        )
        .select(*(pl.col(c).cast(t) for c, t in CASCADE_COLUMNS.items()))
    )
