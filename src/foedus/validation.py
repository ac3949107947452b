"""History checks: do the engine's verdicts match what states did?

``validate_wars`` replays every COW inter-state war (Sarkees & Wayman 2010, v4.0) at its onset
and compares the states the engine finds *obligated* to defend a state attacked at onset with the
states that actually joined the war. The share of obligations honoured is the figure Leeds, Long &
Mitchell (2000) report as 74.5% for ATOP alliances 1816–1944 (see ``shared/research/treaties.md``,
"Reliability"): an alliance is honoured when, in a war in which its conditions were met, the ally
did what it promised.

How a war becomes scenarios (all choices are data-driven and listed in :data:`METHOD`):

* **Onset** is the earliest start date of any participant.
* **Initial participants** are those whose first start date is the onset. The **initiating side**
  is the side of the initial participants COW codes as initiators (``Initiator=1``); wars whose
  initial initiators sit on both sides, or that have none at onset, are skipped (listed).
* **Scenarios**: each initial participant on the other side is a target, attacked by every initial
  participant on the initiating side, on the onset date, with kind ``state_of_war`` and
  provocation left open. The place comes from COW's ``WhereFought`` region code: the target's own
  territory when its home lies in a region where the war was fought (by COW's regional code
  ranges), otherwise the region itself (:func:`theatre`) — so NATO is not "obligated" by fighting
  in Laos, and a war fought somewhere in the Western Hemisphere leaves NATO's Art. 6 undecidable.
* **Opportunities**: a state obligated (verdict ``obligated``) to defend at least one target, that
  was not itself an initial participant, counted once per war (citing the first such treaty).
  States whose verdict is ``unknown`` (a condition the scenario cannot decide) are listed with
  ``verdict="unknown"`` and scored in a second figure, never in the headline one.
* **Outcome**: ``honored`` when it entered the war later on the targets' side, ``fought_against``
  when its first later entry was on the initiating side, ``stayed_out`` otherwise. Neutrality
  pledges (verdict ``not_obligated``, obligation ``stay_neutral``, and no defence duty) are scored
  separately: honoured unless the state joined the initiating side.

The function is pure: it returns frames; ``foedus validate wars`` only renders them.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass

import polars as pl

from foedus import data
from foedus.obligations.engine import compile_registry, respond
from foedus.obligations.scenario import Scenario
from foedus.places import Place
from foedus.treaties import state_name as _name
from foedus.treaties.model import Treaty
from foedus.treaties.registry import Registry

#: The published figure this check is compared with.
LEEDS_2000 = {
    "share": 0.745,
    "period": "1816-1944",
    "citation": (
        'Leeds, Brett Ashley, Andrew G. Long and Sara McLaughlin Mitchell. 2000. "Reevaluating Alliance '
        'Reliability: Specific Threats, Specific Promises." Journal of Conflict Resolution 44(5): 686-699'
    ),
}

METHOD = (
    "Each COW inter-state war (v4.0) is replayed at its onset (earliest participant start date): every initial "
    "participant on the non-initiating side is a target attacked by all initial participants on the initiating side "
    "(kind state_of_war, target's own territory, provocation open). A state obligated to defend a target, not itself "
    "an initial participant, is one opportunity per war: honored if it later entered on the targets' side, "
    "fought_against if its first later entry was on the initiating side, stayed_out otherwise. Wars with initial "
    "initiators on both sides, or none, are skipped."
)


@functools.cache
def cow_wars() -> pl.DataFrame:
    """COW inter-state war participants (v4.0), one row per participation spell, with ``start`` dates.

    Read with :func:`foedus.data.load` (the verified file, parsed once).
    """
    wars = data.load("cow_inter_state_war")
    return wars.select(
        pl.col("WarNum").alias("war"),
        pl.col("WarName").alias("war_name"),
        pl.col("ccode"),
        pl.col("StateName").alias("state_name"),
        pl.col("Side").alias("side"),
        pl.col("Initiator").alias("initiator"),
        pl.date(pl.col("StartYear1"), pl.col("StartMonth1"), pl.col("StartDay1")).alias("start"),
        pl.col("WhereFought").alias("where_fought"),
    )


# COW WhereFought codes (Inter-State War codebook v4.0) -> the COW regions they name.
_WHERE: dict[int, tuple[str, ...]] = {
    1: ("W. Hemisphere",), 2: ("Europe",), 4: ("Africa",), 6: ("Middle East",), 7: ("Asia",), 9: ("Oceania",),
    11: ("Europe", "Middle East"), 12: ("Europe", "Asia"), 13: ("W. Hemisphere", "Asia"),
    14: ("Europe", "Africa", "Middle East"), 15: ("Europe", "Africa", "Middle East", "Asia"),
    16: ("Africa", "Middle East", "Asia", "Oceania"), 17: ("Asia", "Oceania"), 18: ("Africa", "Middle East"),
    19: ("Europe", "Africa", "Middle East", "Asia", "Oceania"),
}  # fmt: skip

# COW's regional code ranges (the same convention COW uses for WhereFought).
_RANGES: dict[str, tuple[int, int]] = {
    "W. Hemisphere": (2, 165), "Europe": (200, 399), "Africa": (400, 626), "Middle East": (630, 698),
    "Asia": (700, 899), "Oceania": (900, 999),
}  # fmt: skip

_NATO_WHY = {
    "W. Hemisphere": "parties' territory in North America and North Atlantic islands lie in it; South America and the Caribbean do not",
    "Europe": "parties' territory in Europe is covered, other European territory only for forces where occupation forces stood in 1949",
    "Africa": "Art. 6 named the Algerian departments of France (until 1962) and covers the Canary Islands and Madeira",
    "Middle East": "Turkey's territory is covered, the rest of the Middle East is not",
}
# For a war fought in a region (not on the target's own territory): membership of each treaty region.
_IN_REGION: dict[str, dict[str, bool | None]] = {
    "W. Hemisphere": {"nato_article_6_area": None, "rio_security_zone": True, "pacific_area": None, "anzus_pacific_area": None},
    "Europe": {"nato_article_6_area": None, "rio_security_zone": False, "pacific_area": False, "anzus_pacific_area": False},
    "Africa": {"nato_article_6_area": None, "rio_security_zone": False, "pacific_area": False, "anzus_pacific_area": False},
    "Middle East": {"nato_article_6_area": None, "rio_security_zone": False, "pacific_area": False, "anzus_pacific_area": False},
    "Asia": {"nato_article_6_area": False, "rio_security_zone": False, "pacific_area": None, "anzus_pacific_area": None},
    "Oceania": {"nato_article_6_area": False, "rio_security_zone": False, "pacific_area": True, "anzus_pacific_area": True},
}  # fmt: skip


def theatre(where_fought: int, target: int) -> Place | None:
    """Where a war's scenario happens: ``None`` (the target's own territory) or a region place.

    ``None`` when the target's home lies in a region the war was fought in (COW code ranges);
    otherwise a region built from COW's ``WhereFought`` code, whose membership of each treaty
    region is true or false only where every region of the code agrees, and unclear otherwise.
    """
    names = _WHERE.get(where_fought)
    if names is None:
        return None
    if any(low <= target <= high for low, high in (_RANGES[n] for n in names)):
        return None
    label = " and ".join(names)
    regions: dict[str, bool] = {}
    unclear: dict[str, str] = {}
    for key in ("nato_article_6_area", "rio_security_zone", "pacific_area", "anzus_pacific_area"):
        values = {_IN_REGION[n][key] for n in names}
        if values == {True} or values == {False}:
            regions[key] = values.pop()
        else:
            why = (
                "; ".join(_NATO_WHY[n] for n in names if n in _NATO_WHY)
                if key == "nato_article_6_area"
                else ""
            )
            unclear[key] = f"COW codes the war as fought in {label} without saying where" + (
                f" ({why})" if why else ""
            )
    return Place(
        key=f"cow_where_fought:{where_fought}",
        name=f"{label} (COW WhereFought {where_fought})",
        kind="region",
        status="region",
        regions=regions,
        unclear=unclear,
        note="A war theatre from COW's WhereFought code, used by foedus.validation.",
    )


@dataclass(frozen=True)
class WarValidation:
    """What :func:`validate_wars` returns.

    ``opportunities``: one row per (war, obligated state) with the cited treaty and the outcome;
    ``neutrality``: the same for neutrality pledges; ``wars``: one row per war with its scenario
    and counts; ``skipped``: wars that could not be turned into a scenario, and why;
    ``summary``: the honoured shares (all wars, and 1816–1944 for the comparison with Leeds et
    al. 2000).
    """

    opportunities: pl.DataFrame
    neutrality: pl.DataFrame
    wars: pl.DataFrame
    skipped: pl.DataFrame
    summary: dict

    def to_dict(self) -> dict:
        return {
            "summary": self.summary,
            "opportunities": self.opportunities.to_dicts(),
            "neutrality": self.neutrality.to_dicts(),
            "wars": self.wars.to_dicts(),
            "skipped": self.skipped.to_dicts(),
        }


def _share(frame: pl.DataFrame) -> dict:
    n = frame.height
    honored = frame.filter(pl.col("outcome") == "honored").height
    return {
        "opportunities": n,
        "honored": honored,
        "fought_against": frame.filter(pl.col("outcome") == "fought_against").height,
        "stayed_out": frame.filter(pl.col("outcome") == "stayed_out").height,
        "share_honored": round(honored / n, 4) if n else None,
    }


def validate_wars(
    registry: Registry | Iterable[Treaty] | None = None, *, until: int | None = None
) -> WarValidation:
    """Compare obligations at the onset of every COW inter-state war with who joined.

    ``until`` keeps wars whose onset year is at most ``until`` (e.g. 1944 for Leeds et al.'s period).
    """
    compiled = compile_registry(registry)
    parts = cow_wars()
    onsets = parts.group_by("war").agg(
        pl.col("start").min().alias("onset"),
        pl.col("war_name").first(),
        pl.col("where_fought").first(),
    )
    if until is not None:
        onsets = onsets.filter(pl.col("onset").dt.year() <= until)
    opp_rows: list[dict] = []
    neu_rows: list[dict] = []
    war_rows: list[dict] = []
    skipped: list[dict] = []
    for war, onset, war_name, where in onsets.sort("onset", "war").iter_rows():
        rows = parts.filter(pl.col("war") == war)
        first = rows.group_by("ccode", "side").agg(pl.col("start").min(), pl.col("initiator").min())
        initial = first.filter(pl.col("start") == onset)
        init_sides = initial.filter(pl.col("initiator") == 1)["side"].unique().to_list()
        if len(init_sides) != 1:
            why = (
                "no initiator among the participants at onset"
                if not init_sides
                else "initiators at onset on both sides"
            )
            skipped.append({"war": war, "war_name": war_name, "onset": onset, "reason": why})
            continue
        side_a = init_sides[0]
        attackers = tuple(sorted(initial.filter(pl.col("side") == side_a)["ccode"].to_list()))
        targets = sorted(initial.filter(pl.col("side") != side_a)["ccode"].to_list())
        if not targets:
            skipped.append(
                {
                    "war": war,
                    "war_name": war_name,
                    "onset": onset,
                    "reason": "no participant on the other side at onset",
                }
            )
            continue
        initial_codes = set(initial["ccode"].to_list())
        later = first.filter(pl.col("start") > onset).sort("start", "ccode")  # deterministic order
        entry: dict[int, tuple[int, dt.date]] = {}
        for code, side, start, _ in later.iter_rows():
            entry.setdefault(code, (side, start))
        obligated: dict[int, tuple[int, str, str, str]] = {}
        neutral: dict[int, tuple[int, str, str]] = {}
        undecided: dict[int, tuple[int, str, str, str]] = {}
        for target in targets:
            scenario = Scenario(
                attackers=attackers, target=target, date=onset, place=theatre(where, target), kind="state_of_war",
                check_system=False,
            )  # fmt: skip
            for r in respond(scenario, registry=compiled.registry).responses:
                if r.ccode in initial_codes:
                    continue
                if r.verdict == "unknown":
                    undecided.setdefault(r.ccode, (target, r.treaty_id, r.article, r.obligation))
                if r.verdict == "obligated":
                    obligated.setdefault(r.ccode, (target, r.treaty_id, r.article, r.obligation))
                elif r.obligation == "stay_neutral":
                    neutral.setdefault(r.ccode, (target, r.treaty_id, r.article))
        maybe = {c: v for c, v in undecided.items() if c not in obligated}
        for verdict, group in (("obligated", obligated), ("unknown", maybe)):
            for code, (target, treaty_id, article, _) in sorted(group.items()):
                side, joined = entry.get(code, (None, None))
                outcome = (
                    "stayed_out"
                    if side is None
                    else ("fought_against" if side == side_a else "honored")
                )
                opp_rows.append({
                    "war": war, "war_name": war_name, "onset": onset, "year": onset.year, "responder": code,
                    "name": _name(code), "verdict": verdict, "target": target, "target_name": _name(target),
                    "treaty_id": treaty_id, "article": article, "outcome": outcome, "joined": joined,
                })  # fmt: skip
        for code, (target, treaty_id, article) in sorted(neutral.items()):
            if code in obligated:
                continue
            side, joined = entry.get(code, (None, None))
            outcome = "fought_against" if side == side_a else "honored"
            neu_rows.append({
                "war": war, "war_name": war_name, "onset": onset, "year": onset.year, "responder": code,
                "name": _name(code), "verdict": "not_obligated", "target": target, "target_name": _name(target),
                "treaty_id": treaty_id, "article": article, "outcome": outcome, "joined": joined,
            })  # fmt: skip
        war_rows.append({
            "war": war, "war_name": war_name, "onset": onset,
            "attackers": ", ".join(_name(a) for a in attackers), "targets": ", ".join(_name(t) for t in targets),
            "place": "own territory" if (shown := theatre(where, targets[0])) is None else shown.name,
            "obligated": len(obligated),
            "unknown": len(maybe),
            "honored": sum(1 for r in opp_rows if r["war"] == war and r["verdict"] == "obligated" and r["outcome"] == "honored"),
            "joiners": ", ".join(f"{_name(c)} (side {'A' if s == side_a else 'B'})" for c, (s, _) in entry.items()),
        })  # fmt: skip
    opp_schema = {
        "war": pl.Int64, "war_name": pl.Utf8, "onset": pl.Date, "year": pl.Int32, "responder": pl.Int64, "name": pl.Utf8,
        "verdict": pl.Utf8, "target": pl.Int64, "target_name": pl.Utf8, "treaty_id": pl.Utf8, "article": pl.Utf8, "outcome": pl.Utf8,
        "joined": pl.Date,
    }  # fmt: skip
    opportunities = pl.DataFrame(opp_rows, schema=opp_schema)
    neutrality = pl.DataFrame(neu_rows, schema=opp_schema)
    wars = pl.DataFrame(
        war_rows,
        schema={"war": pl.Int64, "war_name": pl.Utf8, "onset": pl.Date, "attackers": pl.Utf8, "targets": pl.Utf8,
                "place": pl.Utf8, "obligated": pl.Int64, "unknown": pl.Int64, "honored": pl.Int64, "joiners": pl.Utf8},
    )  # fmt: skip
    skipped_frame = pl.DataFrame(
        skipped, schema={"war": pl.Int64, "war_name": pl.Utf8, "onset": pl.Date, "reason": pl.Utf8}
    )
    sure = opportunities.filter(pl.col("verdict") == "obligated")
    early = pl.col("year") <= 1944
    summary = {
        "all_wars": _share(sure),
        "1816_1944": _share(sure.filter(early)),
        "all_wars_with_unknown": _share(opportunities),
        "1816_1944_with_unknown": _share(opportunities.filter(early)),
        "neutrality": _share(neutrality),
        "wars": wars.height,
        "wars_with_obligations": wars.filter(pl.col("obligated") > 0).height,
        "skipped": skipped_frame.height,
        "published": LEEDS_2000,
        "method": METHOD,
    }
    return WarValidation(opportunities, neutrality, wars, skipped_frame, summary)
