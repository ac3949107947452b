"""ATOP 5.1 alliances as :class:`~foedus.treaties.model.Treaty` records, and their directed ties.

ATOP (Leeds et al. 2002; codebook v5.1, Leeds 2022) codes each alliance's obligations per
member and per phase. This module reads the member-level file (``atop5_1m``: dates, the five
obligations and their condition flags), the alliance-phase file (``atop5_1aph``: institutional
provisions, phase dates) and the alliance-level file (``atop5_1a``: alliance dates), and turns
each of the 789 alliances into one ``Treaty`` with ``origin="atop"`` and id ``"atop:NNNN"``.

>>> from foedus.treaties import atop
>>> t = atop.treaty(3440)  # doctest: +SKIP
>>> t.name  # doctest: +SKIP
'ATOP 3440: defense and non-aggression pact of RUS and PRK, 1961'

How the codebook's values become dates and provisions (each rule is cited where it is applied):

* **Entry** is the member's signature date (``yrent``/``moent``/``dayent``). A blank ``dayent``
  (5 rows: alliances 1115, 3455, 3490) becomes the first of the month, and the membership says so.
* **Exit** (``yrexit``/``moexit``/``dayexit``) is exclusive, as everywhere in foedus: a phase
  that ends on day D and the next phase that starts on D do not overlap. ``yrexit=0`` means
  "still in force on 2018-12-31" (``ineffect=1``): the membership gets ``exit=None`` and
  ``observed_until=2018-12-31`` — foedus presumes the alliance still in force after ATOP's
  coverage unless a curated treaty says otherwise. A blank ``dayexit`` (31 rows; the member
  left but the day is unknown) becomes the **last day of the month**, noted on the membership.
* **Phases** (``phase`` 1..4) become provisions with ``valid_from``/``valid_to`` and
  memberships tagged with their ``phase``; phase 0 (single-phase alliance) maps to ``None``.
  The Czechoslovak split of 1993 gives two phases that run at the same time (one for 316, one
  for 317); provisions of multi-phase alliances therefore list their ``beneficiaries``
  explicitly (the phase's members), never "every member".
* **Obligations** become one provision per (phase, obligation, set of condition flags), obliging
  the members coded with that obligation and those flags in that phase.
* **Conditions** come from the member-level flags (``defcoadv`` … ``concoreq``, ``olimob``).
  ATOP records that a condition exists, not its content, so almost all are ``decidable=False``
  with a text that says what the flag means; the exception is an adversary condition when the
  alliance names threatening states (``statthr1``/``statthr2``, COW codes).
* **Partner-specific obligations** (``obvary=1``: the member's obligations differ across its
  partners, 54 rows) cannot be resolved from the member file; they are recorded toward every
  partner with an undecidable ``other`` condition and ``partner_specific=True`` in the ties.
* **Annam** (``8152``, alliance 1320) is ATOP's own code, not a COW state; it is kept.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
from collections import defaultdict
from typing import Any

import polars as pl

from foedus import data
from foedus.errors import UnknownTreaty
from foedus.treaties.curated import _show
from foedus.treaties.model import (
    NON_COW_CODES,
    Condition,
    Membership,
    Note,
    Provision,
    Source,
    Treaty,
)
from foedus.treaties.queries import state_name
from foedus.treaties.ties import SCHEMA

#: The last day ATOP 5.1 observes: alliances coded as in force are in force on this day.
OBSERVED_UNTIL = dt.date(2018, 12, 31)

#: ATOP's home page, cited on every record.
ATOP_URL = "http://www.atopdata.org/"

CITATION = (
    "Leeds, Brett Ashley, Jeffrey M. Ritter, Sara McLaughlin Mitchell and Andrew G. Long. 2002. "
    '"Alliance Treaty Obligations and Provisions, 1815-1944." International Interactions 28(3): '
    "237-260; ATOP v5.1 codebook (Leeds 2022)"
)

#: ATOP obligation variable -> foedus provision kind, in foedus's display order.
OBLIGATIONS: dict[str, str] = {
    "defense": "defense",
    "offense": "offense",
    "neutral": "neutrality",
    "nonagg": "non_aggression",
    "consul": "consultation",
}

# What each obligation promises (codebook §"Obligations"; field guide §4).
_OBLIGATION_TEXT = {
    "defense": "Defense: active military support if an ally's sovereignty or territory is attacked",
    "offense": "Offense: active military support in a situation not triggered by an attack on an ally",
    "neutral": "Neutrality: not to join or help a third party that fights an ally",
    "nonagg": "Non-aggression: not to use force against the partners and to settle disputes peacefully",
    "consul": "Consultation: to consult in a crisis that could become militarised, to coordinate policy",
}

_ADV = "against a particular adversary or type of adversary (e.g. 'Germany', 'a European power')"
_LOC = "to conflict in a particular place (e.g. home territory, a named region)"
_CON = "in a particular ongoing conflict"
_NUM = "depending on the number of adversaries (e.g. only a bilateral war, or only if two or more attack)"
_DEM = "if the ally or the adversary meets or rejects stated demands"
_NPR = "if the ally did not provoke the adversary"

#: Condition flags per obligation: (flag, foedus condition kind, what the flag means).
#: Codebook "Conditions on obligations"; field guide §5.
CONDITION_FLAGS: dict[str, list[tuple[str, str, str]]] = {
    "defense": [
        ("defcoadv", "adversary", _ADV),
        ("defcoloc", "location", _LOC),
        ("defcocon", "conflict_type", _CON),
        ("defconum", "attackers", _NUM),
        ("defcodem", "demands", _DEM),
        ("defconpr", "non_provocation", _NPR),
    ],
    "offense": [
        ("offcoadv", "adversary", _ADV),
        ("offcoloc", "location", _LOC),
        ("offcocon", "conflict_type", _CON),
        ("offconum", "attackers", _NUM),
        ("offcodem", "demands", _DEM),
    ],
    "neutral": [
        ("neucoadv", "adversary", _ADV),
        ("neucoloc", "location", _LOC),
        ("neucocon", "conflict_type", _CON),
        ("neuconum", "attackers", _NUM),
        ("neucodem", "demands", _DEM),
        ("neuconpr", "non_provocation", _NPR),
        ("neucoatt", "conflict_type", "if the ally is attacked"),
    ],
    "nonagg": [],
    "consul": [
        ("concoadv", "adversary", _ADV),
        (
            "concoloc",
            "location",
            _LOC + "; for consultation also 'only if attacked on its territory'",
        ),
        ("concocon", "conflict_type", _CON),
        (
            "concoreq",
            "request",
            "when an ally asks for consultation (acting without consulting is then no violation)",
        ),
    ],
}

# Institutional provisions coded per alliance-phase (codebook; field guide §7-8): code -> meaning.
_MILAID = {
    1: "general or unspecified military aid",
    2: "military aid as grants or loans",
    3: "military aid as training, technology and/or supplies",
    4: "military aid as grants or loans and as training/technology",
}
_BASE = {
    1: "joint bases on neutral territory",
    2: "reciprocal basing or use of facilities",
    3: "non-reciprocal stationing: one or more members station troops on another's territory",
}
_ECAID = {
    1: "general economic aid",
    2: "post-war recovery aid",
    3: "trade concessions or most-favoured-nation treatment",
}
_MILCON = {
    1: "military contact among armed services or planners only in the event of hostilities",
    2: "military contact among armed services or planners also in peacetime",
    3: "a common defence policy (common doctrine, coordinated training/procurement, joint planning)",
}
_ORGAN = {
    1: "regularly scheduled meetings of officials",
    2: "a named organisation with scheduled meetings",
    3: "a permanent bureaucracy or standalone international organisation",
}
_SUBORD = {
    1: "forces of one member placed under another's command in wartime (commanding state named)",
    2: "forces of one member placed under another's command in wartime (command depends on circumstances)",
}

_ARTICLE = "not recorded"  # ATOP codes obligations, not the articles that carry them

_MEMBER_FLAGS = [flag for flags in CONDITION_FLAGS.values() for flag, _, _ in flags]


def atop_id(value: str | int) -> int:
    """The ATOP alliance number in ``"atop:3440"``, ``"3440"`` or ``3440``."""
    text = str(value).strip().lower().removeprefix("atop:").removeprefix("atop").strip()
    if not (text.isascii() and text.isdigit()):  # "²".isdigit() is True, int("²") fails
        raise UnknownTreaty(
            f"{_show(str(value))} is not an ATOP id: use the form atop:NNNN, e.g. atop:3440"
        )
    return int(text)


# ----------------------------------------------------------------------------- tables


def _date(year: str, month: str, day: str) -> pl.Expr:
    return pl.date(pl.col(year), pl.col(month), pl.col(day))


@functools.cache
def spells() -> pl.DataFrame:
    """One row per ATOP member row (alliance × member × phase × spell) with day-precision dates.

    Columns: ``spell`` (row id), ``atopid``, ``phase`` (null for single-phase alliances),
    ``ccode``, ``entry``, ``exit`` (exclusive; null = in force at the end of coverage),
    ``observed_until``, ``entry_day_known``, ``exit_day_known``, the five obligation dummies,
    every condition flag, ``olimob``, ``obvary``, ``noothall``, ``statthr1``, ``statthr2``,
    ``source``.
    """
    m = data.load("atop5_1m")
    open_ = pl.col("yrexit") == 0  # ATOP: all three exit fields are 0 when ineffect=1
    return (
        m.with_row_index("spell")
        .with_columns(
            pl.col("spell").cast(pl.Int64),
            pl.when(pl.col("phase") == 0).then(None).otherwise(pl.col("phase")).alias("phase"),
            pl.col("member").alias("ccode"),
            # Blank dayent: the first of the month (codebook: day unknown).
            pl.date(pl.col("yrent"), pl.col("moent"), pl.col("dayent").fill_null(1)).alias("entry"),
            pl.when(open_)
            .then(None)
            # Blank dayexit: the member left that month, day unknown -> last day of the month.
            .when(pl.col("dayexit").is_null())
            .then(pl.date(pl.col("yrexit"), pl.col("moexit"), 1).dt.month_end())
            .otherwise(_date("yrexit", "moexit", "dayexit"))
            .alias("exit"),
            pl.when(open_).then(pl.lit(OBSERVED_UNTIL)).otherwise(None).alias("observed_until"),
            pl.col("dayent").is_not_null().alias("entry_day_known"),
            (open_ | pl.col("dayexit").is_not_null()).alias("exit_day_known"),
            pl.col("statthr1", "statthr2").fill_null(0),
        )
        .select(
            "spell", "atopid", "phase", "ccode", "entry", "exit", "observed_until",
            "entry_day_known", "exit_day_known", *OBLIGATIONS, *_MEMBER_FLAGS,
            "olimob", "obvary", "noothall", "statthr1", "statthr2", "source",
        )
    )  # fmt: skip


@functools.cache
def phases() -> pl.DataFrame:
    """One row per alliance-phase (``atop5_1aph``) with ``start``/``end`` dates and content codes."""
    ph = data.load("atop5_1aph")
    return ph.with_columns(
        pl.when(pl.col("phase") == 0).then(None).otherwise(pl.col("phase")).alias("phase"),
        pl.date(pl.col("begyr"), pl.col("begmo"), pl.col("begday").fill_null(1)).alias("start"),
        pl.when(pl.col("endyr") == 0)
        .then(None)
        .when(pl.col("endday").is_null())
        .then(pl.date(pl.col("endyr"), pl.col("endmo"), 1).dt.month_end())
        .otherwise(_date("endyr", "endmo", "endday"))
        .alias("end"),
    )


# ----------------------------------------------------------------------------- records


@functools.cache
def _source(note: str | None = None) -> Source:
    return Source(citation=f"ATOP 5.1: {CITATION}", url=ATOP_URL, note=note)


def _name(code: int) -> str:
    from foedus import states

    if code in NON_COW_CODES:
        return NON_COW_CODES[code]
    try:
        return states.abbrev(code)
    except Exception:  # a code outside the COW list: show the number
        return str(code)


def _phrase(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def treaty_name(atopid: int, kinds: list[str], codes: list[int], year: int) -> str:
    """The honest name of an ATOP alliance: ATOP has no treaty names, so say what it is.

    >>> treaty_name(3180, ["defense"], list(range(12)), 1949)
    'ATOP 3180: defense pact of 12 states, 1949'
    """
    words = [k.replace("_", "-") for k in kinds] or ["alliance"]
    who = _phrase([_name(c) for c in codes]) if len(codes) <= 3 else f"{len(codes)} states"
    return f"ATOP {atopid}: {_phrase(words)} pact of {who}, {year}"


def _olimob_text(n_obligations: int) -> str:
    if n_obligations == 1:
        return (
            "Depends on a further condition that ATOP's specific flags do not cover (ATOP olimob=1); "
            "the condition is not in the data."
        )
    return (
        "At least one of this member's obligations depends on a further condition that ATOP's specific "
        "flags do not cover (ATOP olimob=1); ATOP says neither which obligation nor what condition, so "
        "every obligation of the member carries it."
    )


_OBVARY_TEXT = (
    "This member's obligations differ across its partners (ATOP obvary=1); the member-level data "
    "cannot say toward which partners this obligation runs, so it is recorded toward all of them."
)


@functools.cache
def _condition(flag: str, kind: str, meaning: str, threats: tuple[int, ...]) -> Condition:
    src = [_source(f"atop5_1m.csv, variable {flag}")]
    if kind == "adversary" and threats:
        names = " and ".join(f"{state_name(c)} ({c})" for c in threats)
        return Condition(
            kind="adversary",
            adversaries=list(threats),
            text=(
                f"Only {meaning} (ATOP {flag}=1). The alliance names {names} as the threat "
                "(statthr1/statthr2); ATOP holds at most two named states and does not say which one "
                "this member's condition refers to."
            ),
            sources=[_source(f"atop5_1m.csv, variables {flag}, statthr1, statthr2")],
        )
    if flag == "neucoatt":  # "neutrality only if the ally is attacked": decidable from a scenario
        return Condition(
            kind="conflict_type",
            conflict_types=["armed_attack", "state_of_war"],
            text="Only if the ally is attacked (ATOP neucoatt=1).",
            sources=src,
        )
    if flag == "concoreq":
        return Condition(kind="request", text=f"Only {meaning} (ATOP concoreq=1).", sources=src)
    detail = {
        "adversary": "the adversary is not named in the data (statthr1/statthr2 blank or 0)",
        "location": "the place is not in the data",
        "conflict_type": "the conflict is not in the data",
        "attackers": "the number is not in the data",
        "demands": "the demands are not in the data",
        "non_provocation": "ATOP does not code who provoked",
    }[kind]
    return Condition(
        kind=kind, text=f"Only {meaning} (ATOP {flag}=1); {detail}.", decidable=False, sources=src
    )


@functools.cache
def _other_condition(text: str, flag: str) -> Condition:
    return Condition(
        kind="other",
        text=text,
        decidable=False,
        sources=[_source(f"atop5_1m.csv, variable {flag}")],
    )


def _conditions(row: dict[str, Any], var: str, n_obligations: int) -> tuple[Condition, ...]:
    threats = tuple(c for c in (row["statthr1"], row["statthr2"]) if c and c > 0)
    out = [
        _condition(flag, kind, meaning, threats)
        for flag, kind, meaning in CONDITION_FLAGS[var]
        if row[flag] == 1
    ]
    if row["olimob"] == 1:
        out.append(_other_condition(_olimob_text(n_obligations), "olimob"))
    if row["obvary"] == 1:
        out.append(_other_condition(_OBVARY_TEXT, "obvary"))
    return tuple(out)


def _signature(row: dict[str, Any], var: str, n_obligations: int) -> tuple:
    # Members whose rows give the same conditions share one provision.
    flags = tuple(flag for flag, _, _ in CONDITION_FLAGS[var] if row[flag] == 1)
    threats = (row["statthr1"], row["statthr2"]) if any(f.endswith("coadv") for f in flags) else ()
    return (
        flags,
        threats,
        row["olimob"] == 1 and (n_obligations == 1),
        row["olimob"] == 1,
        row["obvary"] == 1,
    )


def _membership(row: dict[str, Any]) -> Membership:
    notes = []
    if row["ccode"] in NON_COW_CODES:
        notes.append(
            f"{row['ccode']} is ATOP's own code for {NON_COW_CODES[row['ccode']]}, not a COW state code."
        )
    if not row["entry_day_known"]:
        notes.append(
            "ATOP gives no day of entry (dayent blank): foedus uses the first of the month."
        )
    if not row["exit_day_known"]:
        notes.append(
            "ATOP gives no day of exit (dayexit blank): foedus uses the last day of the month."
        )
    if row["exit"] is None:
        notes.append(
            "In force at the end of ATOP's coverage (2018-12-31); presumed still in force unless a curated "
            "treaty says otherwise."
        )
    return Membership.model_construct(
        ccode=row["ccode"],
        entry=row["entry"],
        exit=row["exit"],
        phase=row["phase"],
        observed_until=row["observed_until"],
        note=" ".join(notes) or None,
        sources=[
            _source(
                f"atop5_1m.csv, atopid {row['atopid']}: yrent/moent/dayent, yrexit/moexit/dayexit"
            )
        ],
    )


def _phase_provisions(
    atopid: int, ph: dict[str, Any], members: list[int], multi: bool
) -> tuple[list[Provision], list[Note]]:
    """Institutional provisions and notes of one alliance-phase (alliance-level codes)."""
    provisions: list[Provision] = []
    notes: list[Note] = []
    where = f"atop5_1aph.csv, atopid {atopid}" + (f" phase {ph['phase']}" if multi else "")
    common = {
        "article": _ARTICLE,
        "phase": ph["phase"],
        "valid_from": ph["start"] if multi else None,
        "valid_to": ph["end"] if multi else None,
        "beneficiaries": members if multi else None,
    }

    def add(kind: str, var: str, text: str) -> None:
        provisions.append(
            Provision.model_construct(
                kind=kind, text=f"{text} (ATOP {var}={ph[var]}).", quote=False, conditions=[],
                obliged=None, sources=[_source(f"{where}, variable {var}")], **common,
            )
        )  # fmt: skip

    if (ph["milaid"] or 0) > 0:
        add("military_aid", "milaid", "Military aid: " + _MILAID[ph["milaid"]])
    if ph["intcom"] == 1:
        add("integrated_command", "intcom", "Integrated military command in both peace and war")
    if (ph["base"] or 0) > 0:
        add("bases", "base", "Bases: " + _BASE[ph["base"]])
    if (ph["ecaid"] or 0) > 0:
        add("economic_aid", "ecaid", "Economic aid: " + _ECAID[ph["ecaid"]])
    # No provision kind fits these; they are kept as notes so nothing coded is lost.
    extras = []
    if (ph["milcon"] or 0) > 0:
        extras.append(f"{_MILCON[ph['milcon']]} (milcon={ph['milcon']})")
    if (ph["subord"] or 0) > 0:
        extras.append(f"{_SUBORD[ph['subord']]} (subord={ph['subord']})")
    if ph["contrib"] == 1:
        extras.append("specifies contributions or how costs are shared (contrib=1)")
    if (ph["organ1"] or 0) > 0:
        extras.append(f"creates {_ORGAN[ph['organ1']]} (organ1={ph['organ1']})")
    if extras:
        label = f"Phase {ph['phase']}" if multi else "The alliance"
        notes.append(Note(text=f"{label}: " + "; ".join(extras) + ".", sources=[_source(where)]))
    return provisions, notes


@functools.cache
def _build() -> tuple[dict[int, Treaty], pl.DataFrame]:
    """Every ATOP alliance as a Treaty, and a (spell, kind) -> provision index/conditions map."""
    sp = spells()
    ph = phases()
    alliances = data.load("atop5_1a").select(
        "atopid", "begyr", "begmo", "begday", "endyr", "endmo", "endday", "maxphase", "source", "asymm", "bilat",
        *OBLIGATIONS,
    )  # fmt: skip
    by_alliance: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in sp.iter_rows(named=True):
        by_alliance[row["atopid"]].append(row)
    phases_of: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in ph.sort("atopid", "phase", nulls_last=False).iter_rows(named=True):
        phases_of[row["atopid"]].append(row)

    treaties: dict[int, Treaty] = {}
    index_rows: list[tuple[int, str, int, bool, bool, list[str]]] = []
    for a in alliances.iter_rows(named=True):
        atopid = a["atopid"]
        rows = by_alliance[atopid]
        multi = a["maxphase"] > 0
        codes = sorted({r["ccode"] for r in rows})
        phase_members: dict[int | None, set[int]] = defaultdict(set)
        for r in rows:
            phase_members[r["phase"]].add(r["ccode"])
        phase_rows = {p["phase"]: p for p in phases_of[atopid]}

        # Primary obligations: one provision per (phase, obligation, conditions); obliged = the
        # members coded with it. Ordered by phase, then obligation, then first member.
        groups: dict[tuple, list[dict[str, Any]]] = {}
        for r in sorted(rows, key=lambda r: (r["phase"] or 0, r["ccode"], r["entry"])):
            n_obl = sum(r[v] == 1 for v in OBLIGATIONS)
            for kind_i, var in enumerate(OBLIGATIONS):
                if r[var] == 1:
                    key = (r["phase"] or 0, kind_i, var, _signature(r, var, n_obl))
                    groups.setdefault(key, []).append(r)
        provisions: list[Provision] = []
        for (phase0, _, var, _), members in sorted(
            groups.items(), key=lambda kv: (kv[0][0], kv[0][1])
        ):
            first = members[0]
            conds = _conditions(first, var, sum(first[v] == 1 for v in OBLIGATIONS))
            phase = phase0 or None
            p = phase_rows.get(phase)
            obliged = sorted({r["ccode"] for r in members})
            flags = [f for f, _, _ in CONDITION_FLAGS[var] if any(r[f] == 1 for r in members)]
            coded = f"{var}=1" + (", " + ", ".join(f"{f}=1" for f in flags) if flags else "")
            secondary = (
                " ATOP coded this alliance from secondary sources (source=2)."
                if a["source"] == 2
                else ""
            )
            idx = len(provisions)
            provisions.append(
                Provision.model_construct(
                    kind=OBLIGATIONS[var],
                    article=_ARTICLE,
                    text=f"{_OBLIGATION_TEXT[var]} (ATOP {coded}; the treaty article is not in the data).{secondary}",
                    quote=False,
                    conditions=list(conds),
                    obliged=obliged,
                    beneficiaries=sorted(phase_members[phase]) if multi else None,
                    phase=phase,
                    valid_from=p["start"] if multi and p else None,
                    valid_to=p["end"] if multi and p else None,
                    sources=[
                        _source(
                            f"atop5_1m.csv, atopid {atopid}"
                            + (f" phase {phase}" if multi else "")
                            + f": {coded}"
                        )
                    ],
                )
            )
            substantive = [c for c in conds if c.kind != "procedure"]
            for r in members:
                index_rows.append(
                    (r["spell"], OBLIGATIONS[var], idx, bool(substantive), all(c.decidable for c in conds),
                     sorted({c.kind for c in conds}))
                )  # fmt: skip

        notes: list[Note] = [
            Note(
                text=(
                    "ATOP gives alliances numbers, not names: this name says what ATOP codes (obligations, "
                    "members, year of the first signature). Find the treaty's own name in ATOP's codesheet."
                ),
                sources=[_source("codebook: atopid")],
            )
        ]
        for p in phases_of[atopid]:
            inst, extra = _phase_provisions(atopid, p, sorted(phase_members[p["phase"]]), multi)
            provisions.extend(inst)
            notes.extend(extra)
        # no_other_alliance is member-level (noothall): per phase, the members coded with it.
        for phase, members in sorted(phase_members.items(), key=lambda kv: kv[0] or 0):
            bound = sorted({r["ccode"] for r in rows if r["phase"] == phase and r["noothall"] == 1})
            if bound:
                p = phase_rows.get(phase)
                provisions.append(
                    Provision.model_construct(
                        kind="no_other_alliance", article=_ARTICLE,
                        text="Promises not to join alliances contrary to this one (ATOP noothall=1).",
                        quote=False, conditions=[], obliged=bound,
                        beneficiaries=sorted(members) if multi else None, phase=phase,
                        valid_from=p["start"] if multi and p else None, valid_to=p["end"] if multi and p else None,
                        sources=[_source(f"atop5_1m.csv, atopid {atopid}, variable noothall")],
                    )
                )  # fmt: skip
        if a["source"] == 2:
            notes.append(
                Note(
                    text="ATOP coded this alliance from secondary sources (source=2): the treaty text was not located.",
                    sources=[_source("atop5_1a.csv, variable source")],
                )
            )
        if any(r["obvary"] == 1 for r in rows):
            notes.append(
                Note(
                    text=_OBVARY_TEXT.replace("This member's", "Some members'"),
                    sources=[_source("obvary")],
                )
            )

        kinds = [OBLIGATIONS[v] for v in OBLIGATIONS if a[v] == 1]
        signed = dt.date(a["begyr"], a["begmo"], a["begday"] or 1)
        ended = None
        if a["endyr"] != 0:  # blank endday: the last day of the month, as for members
            day = a["endday"] or calendar.monthrange(a["endyr"], a["endmo"])[1]
            ended = dt.date(a["endyr"], a["endmo"], day)
        treaties[atopid] = Treaty.model_construct(
            id=f"atop:{atopid}",
            name=treaty_name(atopid, kinds, codes, a["begyr"]),
            short_name=f"ATOP {atopid}",
            aliases=[f"ATOP {atopid}", str(atopid)],
            origin="atop",
            signed=signed,
            in_force=None,
            ended=ended,
            supersedes=[],
            atop_ids=[atopid],
            members=[_membership(r) for r in sorted(rows, key=lambda r: (r["entry"], r["ccode"]))],
            provisions=provisions,
            articles=[],
            notes=notes,
            sources=[_source(f"atop5_1a.csv, atop5_1aph.csv, atop5_1m.csv; atopid {atopid}")],
        )
    index = pl.DataFrame(
        index_rows,
        schema={
            "spell": pl.Int64, "kind": pl.Utf8, "provision": pl.Int32, "has_conditions": pl.Boolean,
            "decidable": pl.Boolean, "conditions": pl.List(pl.Utf8),
        },
        orient="row",
    )  # fmt: skip
    return treaties, index


def treaties() -> dict[int, Treaty]:
    """Every ATOP 5.1 alliance as a Treaty, keyed by ATOP id (789 of them; built once, cached)."""
    return _build()[0]


def treaty(value: str | int) -> Treaty:
    """One ATOP alliance by id (``3440``, ``"3440"`` or ``"atop:3440"``)."""
    number = atop_id(value)
    found = treaties().get(number)
    if found is None:
        raise UnknownTreaty(
            f"ATOP 5.1 has no alliance {number}: ids run from 1005 to 7050 (`foedus treaties` lists them)"
        )
    return found


# ----------------------------------------------------------------------------- ties


@functools.cache
def ties() -> pl.DataFrame:
    """Directed obligations of every ATOP alliance: one row per obliged → beneficiary spell.

    A member's obligation runs to every other member of the same alliance-phase while both are
    members (the intersection of their spells). See :func:`foedus.treaties.ties_frame` for the
    columns. ``year_from``/``year_to`` follow ATOP's own dyad-year coding, which reproduces
    peacesciencer's ``atop_alliance`` (derived from ATOP's ``atop5_1ddyr``) exactly except for
    partner-specific obligations (``obvary``) and Annam (8152):

    * a tie counts in every calendar year from its start to its end, both included — the year of
      the exit date counts even when the exit falls on 1 January;
    * except that when an alliance moves to a new phase during a year and the pair continues in
      the new phase, that year belongs to the new phase only (e.g. the Anglo-Japanese alliance,
      1415: 1905 carries phase 2's obligations, not phase 1's offense and neutrality).
    """
    sp = spells()
    _, index = _build()
    x = sp.select(
        "spell", "atopid", "phase", pl.col("ccode").alias("obliged"), pl.col("entry").alias("x_entry"),
        pl.col("exit").alias("x_exit"), pl.col("obvary"), *OBLIGATIONS,
    )  # fmt: skip
    y = sp.select(
        "atopid", "phase", pl.col("ccode").alias("beneficiary"), pl.col("entry").alias("y_entry"),
        pl.col("exit").alias("y_exit"),
    )  # fmt: skip
    pairs = (
        x.join(y, on=["atopid", "phase"], nulls_equal=True)
        .filter(pl.col("obliged") != pl.col("beneficiary"))
        .with_columns(
            pl.max_horizontal("x_entry", "y_entry").alias("valid_from"),
            pl.min_horizontal("x_exit", "y_exit").alias("valid_to"),  # null only when both are open
        )
        .filter(pl.col("valid_to").is_null() | (pl.col("valid_from") < pl.col("valid_to")))
        .with_columns(
            pl.col("valid_from").dt.year().cast(pl.Int32).alias("year_from"),
            pl.col("valid_to").dt.year().cast(pl.Int32).alias("year_to"),
        )
    )
    # ATOP's yearly rule for phase changes: the pair's year of transition goes to the later phase.
    later = pairs.select(
        "atopid",
        "obliged",
        "beneficiary",
        pl.col("phase").alias("next_phase"),
        pl.col("valid_from").alias("next_from"),
    )
    continued = (
        pairs.select(
            "spell",
            "beneficiary",
            "atopid",
            "obliged",
            "phase",
            "valid_from",
            "valid_to",
            "year_to",
        )
        .join(later, on=["atopid", "obliged", "beneficiary"])
        .filter(
            (pl.col("next_phase") != pl.col("phase"))
            & (pl.col("next_from") >= pl.col("valid_to"))
            & (pl.col("next_from").dt.year() == pl.col("year_to"))
        )
        .select("spell", "beneficiary", "valid_from", pl.lit(True).alias("continued"))
        .unique()
    )
    pairs = (
        pairs.join(continued, on=["spell", "beneficiary", "valid_from"], how="left")
        .with_columns(
            pl.when(pl.col("continued"))
            .then(pl.col("year_to") - 1)
            .otherwise(pl.col("year_to"))
            .alias("year_to")
        )
        .drop("continued")
    )
    long = (
        pairs.unpivot(
            index=[
                "spell",
                "atopid",
                "phase",
                "obliged",
                "beneficiary",
                "valid_from",
                "valid_to",
                "year_from",
                "year_to",
                "obvary",
            ],
            on=list(OBLIGATIONS),
            variable_name="var",
            value_name="flag",
        )
        .filter(pl.col("flag") == 1)
        .with_columns(pl.col("var").replace_strict(OBLIGATIONS).alias("kind"))
        .join(index, on=["spell", "kind"], how="left")
    )
    return (
        long.select(
            pl.format("atop:{}", pl.col("atopid")).alias("treaty_id"),
            pl.lit("atop").alias("origin"),
            pl.col("atopid").cast(pl.Int64),
            pl.col("phase").cast(pl.Int64),
            "provision",
            "kind",
            pl.col("obliged").cast(pl.Int64),
            pl.col("beneficiary").cast(pl.Int64),
            "valid_from",
            "valid_to",
            pl.when(pl.col("valid_to").is_null())
            .then(pl.lit(OBSERVED_UNTIL))
            .otherwise(None)
            .alias("observed_until"),
            "year_from",
            "year_to",
            "has_conditions",
            "decidable",
            "conditions",
            (pl.col("obvary") == 1).alias("partner_specific"),
            pl.lit(_ARTICLE).alias("article"),
        )
        .cast(SCHEMA)
        .sort("treaty_id", "valid_from", "obliged", "beneficiary", "kind")
    )
