"""The HTML pages. Each page's URL holds its whole state (date, states, scenario), so links can be shared.

A page that gets bad input renders itself again with the user's input and the error's message,
under the error's 4xx status, so the user can correct it in place.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Collection
from typing import Annotated, Any, TypeVar
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from foedus import dates
from foedus.errors import FoedusError, InvalidArgument
from foedus.obligations import KINDS, VERDICT_ORDER
from foedus.treaties import PRIMARY_KINDS
from foedus.web import answers
from foedus.web.answers import MAX_PARAM
from foedus.web.app import html, status_for

router = APIRouter(include_in_schema=False)

Text = Annotated[str | None, Query(max_length=MAX_PARAM)]
T = TypeVar("T")


def _attempt(call: Callable[[], T]) -> tuple[T | None, str | None, int]:
    """Run ``call``; a foedus error becomes (None, its message, its status)."""
    try:
        return call(), None, 200
    except FoedusError as err:
        return None, str(err), status_for(err)


def _common(request: Request, **context: Any) -> dict[str, Any]:
    today = dates.today()
    return {
        "request": request,
        "today": today.isoformat(),
        "first_year": dates.EARLIEST.year,
        "this_year": today.year,
        **context,
    }


@router.get("/", response_class=HTMLResponse)
@router.get("/map", response_class=HTMLResponse)
def map_page(request: Request, date: Text = None, state: Text = None) -> HTMLResponse:
    """The world map on a date; with ``state``, that state's allies coloured by obligation kind."""
    on, error, status = _attempt(lambda: answers.day(date))
    shown = on or dates.today()
    panel: dict[str, Any] = {}
    if state and error is None:
        panel = _panel_context(state, shown.isoformat())
        error, status = panel.pop("error"), panel.pop("status")
    return html(
        request,
        "map.html",
        _common(
            request,
            page="map",
            date=shown.isoformat(),
            date_input=date or shown.isoformat(),
            state=state or "",
            error=error,
            **panel,
        ),
        status,
    )


def _panel_context(state: str, date: str) -> dict[str, Any]:
    def ask() -> dict[str, Any]:
        on = answers.day(date)
        code = answers.state(state, on)
        allies = answers.allies(str(code), date)
        return {
            "selected": answers.state_label(code),
            "allies": allies,
            "groups": _ally_groups(allies),
        }

    found, error, status = _attempt(ask)
    return {**(found or {}), "error": error, "status": status}


def _ally_groups(allies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Allies grouped by their strongest obligation (defense first), one entry per ally with its
    treaties, in the order the domain lists them."""
    by_ally: dict[int, dict[str, Any]] = {}
    for tie in allies:
        ally = by_ally.setdefault(
            tie["ccode"], {"ccode": tie["ccode"], "name": tie["name"], "ties": [], "kinds": set()}
        )
        ally["ties"].append(tie)
        ally["kinds"].update(tie.get("provisions", []))
    groups: dict[str, list[dict[str, Any]]] = {}
    for ally in by_ally.values():
        kind = _strongest(ally["kinds"])
        groups.setdefault(kind, []).append({**ally, "kind": kind})
    order = [*PRIMARY_KINDS, "other"]
    return [{"kind": k, "allies": groups[k]} for k in order if k in groups]


@router.get("/map/panel", response_class=HTMLResponse)
def map_panel(request: Request, date: Text = None, state: Text = None) -> HTMLResponse:
    """The map's side panel for one state (fetched by the map's script when a country is clicked)."""
    on, error, status = _attempt(lambda: answers.day(date))
    context: dict[str, Any] = {"error": error, "status": status}
    if on is not None and state:
        context = _panel_context(state, on.isoformat())
    status = context.pop("status")
    return html(
        request,
        "_allies_panel.html",
        _common(
            request,
            date=(on or dates.today()).isoformat(),
            state=state or "",
            fragment=True,
            **context,
        ),
        status,
    )


@router.get("/treaties", response_class=HTMLResponse)
def treaties_page(
    request: Request, state: Text = None, date: Text = None, kind: Text = None
) -> HTMLResponse:
    """Every treaty, filtered by state, date and obligation kind."""
    found, error, status = _attempt(lambda: answers.treaties_list(state, date, kind))
    return html(
        request,
        "treaties.html",
        _common(
            request,
            page="treaties",
            treaties=found or [],
            state=state or "",
            date=date or "",
            kind=kind or "",
            error=error,
        ),
        status,
    )


@router.get("/treaty/{treaty_id}", response_class=HTMLResponse)
def treaty_page(
    request: Request, treaty_id: Annotated[str, Path(max_length=MAX_PARAM)]
) -> HTMLResponse:
    """One treaty: parties with dates, articles with sources, the obligations it creates, ATOP links."""
    found, error, status = _attempt(lambda: answers.treaty(treaty_id))
    labels = _labels(found)
    return html(
        request,
        "treaty.html",
        _common(
            request, page="treaty", treaty=found, treaty_id=treaty_id, labels=labels, error=error
        ),
        status,
    )


@router.get("/atop/{number}", response_class=HTMLResponse)
def atop_page(request: Request, number: Annotated[str, Path(max_length=MAX_PARAM)]) -> HTMLResponse:
    """ATOP 5.1's own record of an alliance (a curated treaty's page links here for comparison)."""
    found, error, status = _attempt(lambda: answers.atop_record(number))
    labels = _labels(found)
    return html(
        request,
        "treaty.html",
        _common(request, page="treaty", treaty=found, treaty_id=number, labels=labels, error=error),
        status,
    )


def _labels(treaty: dict[str, Any] | None) -> dict[int, dict[str, Any] | None]:
    """Names for the members of a treaty (a member without a COW name gets none)."""
    labels: dict[int, dict[str, Any] | None] = {}
    for member in (treaty or {}).get("members", []):
        code = member["ccode"]
        if code not in labels:
            labels[code] = _attempt(lambda c=code: answers.state_label(c))[0]
    return labels


@router.get("/pair", response_class=HTMLResponse)
def pair_page(request: Request, a: Text = None, b: Text = None) -> HTMLResponse:
    """The timeline of every treaty tie between two states."""
    found, error, status = None, None, 200
    if a and b:
        found, error, status = _attempt(lambda: answers.history(a, b))
    elif a or b:
        error, status = "name both states, e.g. a=RUS and b=PRK", 422
    return html(
        request,
        "pair.html",
        _common(
            request,
            page="pair",
            history=found,
            chart=_timeline_chart(found) if found else None,
            a=a or "",
            b=b or "",
            error=error,
        ),
        status,
    )


def _strongest(kinds: Collection[str]) -> str:
    """The strongest primary obligation among ``kinds`` (defense first), else ``"other"``."""
    return next((k for k in PRIMARY_KINDS if k in kinds), "other")


#: Width of the pair page's timeline (SVG user units) and the height of one treaty's row.
_CHART_WIDTH, _ROW = 1000, 44


def _timeline_chart(history: dict[str, Any]) -> dict[str, Any]:
    """Geometry of the pair timeline: one row per treaty, one bar per spell, decade ticks.

    Drawn as SVG attributes (x, width) rather than inline styles, which the CSP forbids.
    """
    entries = history.get("entries", [])
    end = dt.date.fromisoformat(history.get("as_of") or dates.today().isoformat())
    if not entries:
        return {"rows": [], "ticks": [], "height": 0, "width": _CHART_WIDTH}
    first = min(dt.date.fromisoformat(e["start"]) for e in entries)
    start = dt.date(max(dates.EARLIEST.year, first.year - first.year % 10), 1, 1)
    span = max((end - start).days, 1)

    def x(day: str | None) -> float:
        at = end if day is None else dt.date.fromisoformat(day)
        return round((at - start).days / span * _CHART_WIDTH, 2)

    rows = []
    for i, entry in enumerate(entries):
        bars = []
        for spell in entry.get("spells", []):
            kind = _strongest([*spell.get("a_to_b", []), *spell.get("b_to_a", [])])
            left, right = x(spell["start"]), x(spell.get("end"))
            bars.append({"x": left, "width": max(right - left, 2), "kind": kind, "spell": spell})
        # Labels start at the first bar, or end at the last bar when it lies in the right half.
        first_x = bars[0]["x"] if bars else 0
        last_x = bars[-1]["x"] + bars[-1]["width"] if bars else 0
        right = first_x > _CHART_WIDTH / 2
        rows.append(
            {
                "y": i * _ROW,
                "entry": entry,
                "bars": bars,
                "label_x": last_x if right else first_x,
                "anchor": "end" if right else "start",
            }
        )
    years = end.year - start.year
    step = 10 if years <= 120 else 20 if years <= 240 else 50
    ticks = [
        {"x": x(f"{year}-01-01"), "year": year} for year in range(start.year, end.year + 1, step)
    ]
    gaps = [
        {"x": x(g["start"]), "width": max(x(g.get("end")) - x(g["start"]), 2), "gap": g}
        for g in history.get("gaps", [])
    ]
    return {
        "rows": rows,
        "ticks": ticks,
        "gaps": gaps,
        "height": len(rows) * _ROW + 40,
        "width": _CHART_WIDTH,
        "axis_y": len(rows) * _ROW + 8,
    }


@router.get("/scenario", response_class=HTMLResponse)
def scenario_page(
    request: Request,
    attacker: Annotated[list[str], Query(max_length=answers.MAX_ATTACKERS)] = [],  # noqa: B006
    target: Text = None,
    date: Text = None,
    place: Text = None,
    kind: Text = None,
    cascade: Text = None,
    provoked: Text = None,
) -> HTMLResponse:
    """The scenario builder: attacker(s), target, date, place, kind → verdicts with their traces."""
    attackers = [a for a in attacker if a]
    wants_cascade = bool(_flag(cascade))
    was_provoked = _flag(provoked)
    found, error, status = None, None, 200
    if attackers and target:
        found, error, status = _attempt(
            lambda: answers.respond(
                attackers, target, date, place, kind, wants_cascade, was_provoked
            )
        )
    elif attackers or target:
        error, status = "name at least one attacker and the target", 422
    return html(
        request,
        "scenario.html",
        _common(
            request,
            page="scenario",
            result=found,
            error=error,
            form={
                "attackers": attackers or [""],
                "target": target or "",
                "date": date or "",
                "place": place or "",
                "kind": (kind or "").strip().lower().replace("-", "_").replace(" ", "_"),
                "cascade": wants_cascade,
                "provoked": was_provoked,
            },
            kinds=KINDS,
            verdicts=VERDICT_ORDER,
            api_query=urlencode(
                [("attacker", a) for a in attackers]
                + [
                    (k, v)
                    for k, v in (
                        ("target", target),
                        ("date", date),
                        ("place", place),
                        ("kind", kind),
                    )
                    if v
                ]
                + ([("cascade", "true")] if wants_cascade else [])
                + ([("provoked", str(was_provoked).lower())] if was_provoked is not None else [])
            ),
        ),
        status,
    )


_NO = frozenset({"0", "false", "no", "off", "n", "f"})


def _flag(text: str | None) -> bool | None:
    """A yes/no query value (a checkbox, a select): None when absent or empty, False for
    0/false/no/off (any case), True otherwise. One reading for every flag of every page."""
    if text is None or not text.strip():
        return None
    return text.strip().lower() not in _NO


@router.get("/search", response_class=HTMLResponse)
def search_page(request: Request, q: Text = None) -> HTMLResponse:
    """States and treaties by name."""
    found, error, status = (None, None, 200) if not q else _attempt(lambda: answers.search(q))
    return html(
        request,
        "search.html",
        _common(request, page="search", q=q or "", found=found, error=error),
        status,
    )


@router.get("/docs", response_class=HTMLResponse)
def docs_page(request: Request) -> HTMLResponse:
    """The API's documentation, rendered from its OpenAPI schema (no CDN, no inline script)."""
    schema = request.app.openapi()
    operations = [
        {"path": path, "method": method.upper(), **operation}
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    ]
    return html(
        request, "docs.html", _common(request, page="docs", schema=schema, operations=operations)
    )


@router.get("/docs/", include_in_schema=False)
def docs_slash() -> RedirectResponse:
    return RedirectResponse("/docs", status_code=308)


#: Ties listed on the network page (strongest first); the JSON API lists every tie.
_MAX_TIES_SHOWN = 150
#: Central states listed on the network page.
_TOP_CENTRAL = 10


@router.get("/network", response_class=HTMLResponse)
def network_page(
    request: Request, year: Text = None, date: Text = None, seed: Text = None, kinds: Text = None
) -> HTMLResponse:
    """The alliance network on 1 January of a year (or on a date): blocs, poles, central states,
    ties, and the polarity series 1816 to today with the year marked."""

    def ask() -> dict[str, Any]:
        number = _seed(seed)
        found = answers.network(date, year, number, kinds)
        on = dt.date.fromisoformat(found["date"])
        return {
            "net": found,
            "summary": answers.network_summary(on, number, kinds),
            **_network_view(found),
        }

    found, error, status = _attempt(ask)
    shown = (found or {}).get("net", {}).get("date") or ""
    shown_year = int(shown[:4]) if shown else _year_or_today(year)
    polarity = _polarity_chart(dates.today().year)
    return html(
        request,
        "network.html",
        _common(
            request,
            page="network",
            year=year or "",
            date_input=date or "",
            shown_year=shown_year,
            seed=seed or "",
            kinds=kinds or "",
            error=error,
            polarity=polarity,
            marker_x=_year_x(polarity, shown_year),
            api_query=urlencode(
                [
                    (k, v)
                    for k, v in (("year", year), ("date", date), ("seed", seed), ("kinds", kinds))
                    if v
                ]
            ),
            **(found or {}),
        ),
        status,
    )


def _seed(text: str | None) -> int:
    value = (text or "").strip()
    if not value:
        return 0
    if not value.isascii() or not value.isdigit() or len(value) > 10:
        raise InvalidArgument(f"seed {text!r} is not a whole number: give e.g. seed=0")
    return int(value)


def _year_or_today(text: str | None) -> int:
    try:
        return answers.year(text or "")
    except FoedusError:
        return dates.today().year


def _network_view(net: dict[str, Any]) -> dict[str, Any]:
    """The network page's tables: blocs with two or more members (or poles), the states with no
    tie, the most central states, and the strongest ties."""
    blocs: dict[int, dict[str, Any]] = {}
    for row in net["blocs"]:
        bloc = blocs.setdefault(
            row["bloc"],
            {
                "bloc": row["bloc"],
                "leader": row["bloc_leader"],
                "share": row["bloc_cinc_share"],
                "pole": row["pole"],
                "size": row["bloc_size"],
                "members": [],
            },
        )
        bloc["members"].append(row)
    shown = [b for b in blocs.values() if b["size"] > 1 or b["pole"]]
    alone = [b["members"][0] for b in blocs.values() if not (b["size"] > 1 or b["pole"])]
    ties = sorted(net["ties"], key=lambda t: (-t["weight"], -t["n_treaties"], t["a"], t["b"]))
    order = [*PRIMARY_KINDS, *sorted({k for t in net["ties"] for k in t["kinds"]})]
    ties = [
        {**t, "kinds": sorted(t["kinds"], key=order.index)} for t in ties[:_MAX_TIES_SHOWN]
    ]  # strongest obligation first, as on the map's panel (a copy: the answer is cached)
    return {
        "blocs": shown,
        "alone": alone,
        "central": net["centrality"][:_TOP_CENTRAL],
        "ties": ties,
        "names": {row["ccode"]: row["name"] for row in net["blocs"]},
    }


#: The polarity chart's width and height (SVG user units).
_POLARITY_WIDTH, _POLARITY_HEIGHT = 1000, 200


@functools.lru_cache(maxsize=2)
def _polarity_chart(end: int) -> dict[str, Any]:
    """Geometry of the polarity series 1816 → ``end``: a step line of poles, a line of effective
    poles, one link per year. Computed once per process (the series takes a few seconds)."""
    rows = answers.polarity(dates.EARLIEST.year, end)
    first = rows[0]["year"]
    span = max(end - first + 1, 1)
    step = _POLARITY_WIDTH / span
    top = max(max(r["n_poles"] for r in rows), max(r["effective_poles"] or 0 for r in rows), 1)
    top = float(int(top) + 1)

    def y(value: float) -> float:
        return round(_POLARITY_HEIGHT - value / top * _POLARITY_HEIGHT, 2)

    poles = []
    effective = []
    years = []
    for i, r in enumerate(rows):
        x0, x1 = round(i * step, 2), round((i + 1) * step, 2)
        poles.append(f"{x0},{y(r['n_poles'])} {x1},{y(r['n_poles'])}")
        if r["effective_poles"] is not None:
            effective.append(f"{round((i + 0.5) * step, 2)},{y(r['effective_poles'])}")
        years.append({"year": r["year"], "x": x0, "width": round(step, 2), "row": r})
    return {
        "width": _POLARITY_WIDTH,
        "height": _POLARITY_HEIGHT,
        "first": first,
        "end": end,
        "step": step,
        "poles": " ".join(poles),
        "effective": " ".join(effective),
        "years": years,
        "grid": [{"y": y(v), "value": v} for v in range(0, int(top) + 1)],
        "ticks": [
            {"x": round((t - first) * step, 2), "year": t}
            for t in range(first - first % 25 + 25, end + 1, 25)
        ],
    }


def _year_x(chart: dict[str, Any], year: int) -> float:
    return round((year - chart["first"] + 0.5) * chart["step"], 2)
