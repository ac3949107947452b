"""CLI commands: ``foedus treaties``, ``treaty``, ``allies``, ``history``.

Parsing and rendering only: every answer comes from :mod:`foedus.treaties`; ``--json`` prints
the same objects the Python API returns.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from foedus.cli._output import echo_json
from foedus.dates import today

_KIND_LABEL = {
    "defense": "defense",
    "offense": "offense",
    "neutrality": "neutrality",
    "non_aggression": "non-aggression",
    "consultation": "consultation",
}

# ATOP's own variable names, short enough for a table column.
_SHORT = {
    "defense": "def",
    "offense": "off",
    "neutrality": "neu",
    "non_aggression": "nonagg",
    "consultation": "consul",
}

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table")]


def _console() -> Console:
    return Console(highlight=False, soft_wrap=False)


def _kinds(kinds: list[str]) -> str:
    return ", ".join(_KIND_LABEL.get(k, k.replace("_", " ")) for k in kinds) or "—"


def _compact(kinds: list[str]) -> str:
    return ",".join(_SHORT.get(k, k) for k in kinds) or "none"


_LEGEND = (
    "def = defense, off = offense, neu = neutrality, nonagg = non-aggression, consul = consultation"
)


def _day(day: dt.date | None) -> str:
    return day.isoformat() if day else "—"


# ----------------------------------------------------------------------------- treaties


def treaties_cmd(
    state: Annotated[
        str | None,
        typer.Option("--state", help="Only treaties with this member (name, ISO3 or COW code)"),
    ] = None,
    date: Annotated[
        str | None, typer.Option("--date", help="Only treaties in force on this day (YYYY-MM-DD)")
    ] = None,
    kind: Annotated[
        str | None, typer.Option("--kind", help="Only treaties with this provision, e.g. defense")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """List treaties (curated, plus ATOP 5.1 alliances when its data are present)."""
    from foedus.treaties import registry, summary, treaties

    found = treaties(state=state, date=date, kind=kind)
    rows = [summary(t) for t in found]
    if as_json:
        echo_json(rows)
        return
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column("id", no_wrap=True)
    table.add_column("name", ratio=1, overflow="fold")
    table.add_column("signed", no_wrap=True)
    table.add_column("ended", no_wrap=True)
    table.add_column("states", justify="right", no_wrap=True)
    table.add_column("obligations", min_width=12, overflow="fold")
    for r in rows:
        curated = r["origin"] == "curated"
        ended = r["ended"] or ("in force" if curated else "in force*")
        # ATOP names start with "ATOP NNNN: ", which the id column already says.
        name = (r["short_name"] or r["name"]) if curated else r["name"].split(": ", 1)[-1]
        table.add_row(r["id"], name, r["signed"] or "—", ended, str(len(r["members"])),
                      ", ".join(_SHORT[k] for k in r["kinds"]))  # fmt: skip
    console = _console()
    console.print(table)
    reg = registry()
    origins = f"{sum(t.origin == 'curated' for t in found)} curated, {sum(t.origin == 'atop' for t in found)} ATOP 5.1"
    console.print(f"{len(found)} treaties ({origins}).")
    console.print(Text(_LEGEND, style="dim"))
    if any(t.origin == "atop" and not t.ended for t in found):
        console.print(
            "* in force at the end of ATOP 5.1's coverage (2018-12-31); presumed still in force."
        )
    if not reg.has_atop:
        console.print(
            "ATOP 5.1 data are not present: curated treaties only (`foedus data fetch` adds 789 alliances)."
        )


# ----------------------------------------------------------------------------- treaty


def treaty_cmd(
    treaty_id: Annotated[
        str, typer.Argument(metavar="ID", help="Treaty id, ATOP id (atop:3440) or alias")
    ],
    as_json: JsonFlag = False,
) -> None:
    """Show one treaty: members with dates, provisions with conditions, articles, notes, sources."""
    from foedus.treaties import detail, registry, state_name

    t = registry().get(treaty_id)
    if as_json:
        echo_json(detail(t))
        return
    console = _console()
    console.print(Text(t.name, style="bold"))
    facts = [f"id {t.id}", f"origin {t.origin}"]
    if t.signed:
        facts.append(f"signed {_day(t.signed)}")
    if t.in_force:
        facts.append(f"in force {_day(t.in_force)}")
    facts.append(f"ended {_day(t.ended)}" if t.ended else "not ended")
    if t.atop_ids and t.origin == "curated":
        facts.append("ATOP " + ", ".join(f"atop:{n}" for n in t.atop_ids))
    if t.supersedes:
        facts.append("supersedes " + ", ".join(t.supersedes))
    console.print(" · ".join(facts))

    members = Table(
        title="Members", title_justify="left", box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False
    )
    for column in ("state", "code", "entry", "exit", "phase", "note"):
        members.add_column(column, overflow="fold", no_wrap=column != "note")
    for m in sorted(t.members, key=lambda m: (m.entry, m.ccode)):
        exit_ = (
            _day(m.exit)
            if m.exit
            else (f"open (observed to {_day(m.observed_until)})" if m.observed_until else "—")
        )
        members.add_row(state_name(m.ccode), str(m.ccode), _day(m.entry), exit_,
                        "" if m.phase is None else str(m.phase), m.note or "")  # fmt: skip
    console.print(members)

    console.print(Text("Provisions", style="italic"))
    for p in t.provisions:
        head = f"• {_KIND_LABEL.get(p.kind, p.kind.replace('_', ' '))} — art. {p.article}"
        if p.phase is not None:
            head += f" (phase {p.phase})"
        if p.valid_from or p.valid_to:
            head += f", valid {_day(p.valid_from)} → {_day(p.valid_to) if p.valid_to else 'open'}"
        console.print(Text(head, style="bold"))
        console.print(Text(("  “" + p.text + "”") if p.quote else "  " + p.text))
        if p.obliged is not None:
            console.print("  obliged: " + ", ".join(state_name(c) for c in p.obliged))
        if p.beneficiaries is not None:
            console.print("  owed to: " + ", ".join(state_name(c) for c in p.beneficiaries))
        for c in p.conditions:
            flag = "" if c.decidable else " [not decidable from the data]"
            console.print(Text(f"  condition ({c.kind}){flag}: {c.text}"))
    if not t.provisions:
        console.print("  none recorded")

    if t.articles:
        console.print(Text("Articles", style="italic"))
        for a in t.articles:
            console.print(
                Text(f"Art. {a.number}" + (f" — {a.title}" if a.title else ""), style="bold")
            )
            console.print(Text("  " + a.text))
    if t.notes:
        console.print(Text("Notes", style="italic"))
        for n in t.notes:
            console.print(Text("• " + n.text))
    console.print(Text("Sources", style="italic"))
    for i, s in enumerate(t.sources, 1):
        line = (
            f"[{i}] {s.citation}"
            + (f" — {s.url}" if s.url else "")
            + (f" ({s.note})" if s.note else "")
        )
        if not s.verified:
            line += " [UNVERIFIED]"
        console.print(Text(line))


# ----------------------------------------------------------------------------- allies


def allies_cmd(
    state: Annotated[
        str, typer.Argument(help="State: name, ISO3 or COW code (e.g. PRK, 'North Korea', 731)")
    ],
    date: Annotated[
        str | None, typer.Option("--date", help="Day to ask about (YYYY-MM-DD); default today")
    ] = None,
    kind: Annotated[
        str | None, typer.Option("--kind", help="Only ties with this obligation, e.g. defense")
    ] = None,
    all_kinds: Annotated[
        bool,
        typer.Option("--all-kinds", help="Also list ties made only of non-aggression pledges"),
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """Each treaty ally of STATE on a date: the treaty, the obligations each way, and since when.

    Pure non-aggression pacts are left out unless --all-kinds (ATOP's "NNA" convention).
    """
    from foedus import dates
    from foedus.treaties import allies, state_code, state_name

    day = dates.parse_date(date) if date else today()
    found = allies(state, day, kind=kind, include_nonaggression=all_kinds)
    if as_json:
        echo_json([a.model_dump(mode="json") for a in found])
        return
    code = state_code(state, day)
    console = _console()
    console.print(
        Text(f"Treaty allies of {state_name(code)} ({code}) on {day.isoformat()}", style="bold")
    )
    if not found:
        console.print(
            "none: no treaty in the registry binds it to another state on that day by a primary obligation"
        )
        return
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    for column in ("ally", "code", "treaty", "obligations", "since", "notes"):
        table.add_column(column, overflow="fold", no_wrap=column in ("code", "since", "treaty"))
    observed = False
    for a in found:
        if a.owes == a.owed:
            obligations = _kinds(a.provisions) + " (both ways)"
        else:
            obligations = f"owes {_kinds(a.owes)}; owed {_kinds(a.owed)}"
        notes = []
        if a.observed_until and day > a.observed_until:
            notes.append(f"presumed* (ATOP to {a.observed_until.year})")
            observed = True
        if a.conditional:
            notes.append("conditional" if a.decidable else "conditional, undecidable")
        if a.partner_specific:
            notes.append("may not run to this partner (ATOP obvary)")
        if a.until:
            notes.append(f"until {a.until.isoformat()}")
        table.add_row(
            a.name, str(a.ccode), a.treaty_id, obligations, a.since.isoformat(), "; ".join(notes)
        )
    console.print(table)
    names = dict.fromkeys((a.treaty_id, a.treaty_name) for a in found)
    for treaty_id, name in names:
        if name != treaty_id:
            console.print(Text(f"{treaty_id}: {name}", style="dim"))
    if observed:
        console.print(
            "* ATOP 5.1 observes alliances to 2018-12-31; foedus presumes those in force then still in force "
            "unless a curated treaty records their end."
        )


# ----------------------------------------------------------------------------- history


_WIDTH = 24


def _bar(spans: list[tuple[dt.date, dt.date | None]], first: dt.date, last: dt.date) -> str:
    total = (last - first).days or 1
    cells = []
    for i in range(_WIDTH):
        lo = first + dt.timedelta(days=total * i / _WIDTH)
        hi = first + dt.timedelta(days=total * (i + 1) / _WIDTH)
        on = any(s < hi and (e is None or e > lo) for s, e in spans)
        cells.append("█" if on else "·")
    return "".join(cells)


def _years(start: dt.date, end: dt.date | None, now: dt.date) -> str:
    days = ((end or now) - start).days
    return f"{days / 365.25:.1f} yr" if days >= 365 else f"{days} days"


def history_cmd(
    a: Annotated[str, typer.Argument(help="First state (name, ISO3 or COW code)")],
    b: Annotated[str, typer.Argument(help="Second state")],
    as_json: JsonFlag = False,
) -> None:
    """Every treaty tie between A and B from 1816 to today: one line per treaty, then the gaps."""
    from foedus.treaties import history

    tl = history(a, b)
    if as_json:
        echo_json(tl.model_dump(mode="json"))
        return
    console = _console()
    console.print(
        Text(
            f"{tl.a_name} ({tl.a}) – {tl.b_name} ({tl.b}): every treaty tie to {tl.as_of.isoformat()}",
            style="bold",
        )
    )
    if not tl.entries:
        console.print("none: no treaty in the registry has tied them by a primary obligation")
        return
    first = dt.date(min(e.start for e in tl.entries).year, 1, 1)
    now = tl.as_of
    wide = console.width >= 120  # one line per treaty; else the name goes on its own line
    id_width = max(len(e.treaty_id) for e in tl.entries) if wide else 0
    console.print(
        " " * (id_width + 2 if wide else 2) + f"{first.year}{' ' * (_WIDTH - 8)}{now.year}"
    )
    observed = False
    for e in tl.entries:
        spans = [(s.start, s.end) for s in e.spells]
        to = _day(e.end) if e.end else "in force"
        if e.end is None and e.observed_until:
            to, observed = "in force*", True
        one = len(e.spells) == 1 and e.spells[0].a_to_b == e.spells[0].b_to_a
        kinds = (
            _compact(e.spells[0].a_to_b) + " both ways"
            if one
            else ("one-sided:" if len(e.spells) == 1 else "changes:")
        )
        dates = f"{e.start.isoformat()} → {to:<10}"
        if wide:
            line = Text(
                f"{e.treaty_id:<{id_width}}  {_bar(spans, first, now)}  {dates}  {kinds:<22} "
            )
            line.append(e.treaty_name, style="bold")
            line.truncate(console.width, overflow="ellipsis")
            console.print(line, no_wrap=True)
        else:
            console.print(Text(f"{e.treaty_name} [{e.treaty_id}]", style="bold"))
            console.print(Text(f"  {_bar(spans, first, now)}  {dates}  {kinds}"))
        if not one:
            for s in e.spells:
                detail = (
                    _compact(s.a_to_b) + " both ways"
                    if s.a_to_b == s.b_to_a
                    else f"{tl.a_name} owes {_compact(s.a_to_b)}; {tl.b_name} owes {_compact(s.b_to_a)}"
                )
                until = _day(s.end) if s.end else "in force"
                pad = " " * (id_width + 2 if wide else 2)
                console.print(Text(f"{pad}{s.start.isoformat()} → {until}: {detail}", style="dim"))
    if tl.gaps:
        console.print(
            "Gaps (no treaty tie): "
            + "; ".join(
                f"{g.start.isoformat()} → {_day(g.end) if g.end else 'today'} ({_years(g.start, g.end, now)})"
                for g in tl.gaps
            )
        )
    else:
        console.print("Gaps (no treaty tie): none since the first tie.")
    console.print(Text(_LEGEND, style="dim"))
    if observed:
        console.print(
            "* in force at the end of ATOP 5.1's coverage (2018-12-31); foedus presumes it still in force."
        )


def register(app: typer.Typer) -> None:
    """Add this module's commands to the `foedus` app."""
    app.command("treaties")(treaties_cmd)
    app.command("treaty")(treaty_cmd)
    app.command("allies")(allies_cmd)
    app.command("history")(history_cmd)
