"""The JSON API under ``/api/``: each route returns what the matching CLI command prints with ``--json``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse

from foedus.web import answers
from foedus.web.answers import MAX_PARAM

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "Bad input (a malformed date, an impossible scenario, an unknown kind)"},
    404: {"description": "Unknown state, place or treaty (the message lists the closest names)"},
    414: {"description": "Query string or path too long"},
    422: {"description": "A parameter is missing or malformed"},
}

State = Annotated[
    str,
    Query(
        min_length=1,
        max_length=MAX_PARAM,
        description="A state: name, ISO3, COW abbreviation or COW code",
        examples=["PRK"],
    ),
]
Date = Annotated[
    str | None,
    Query(
        max_length=MAX_PARAM,
        description="A date, YYYY-MM-DD (or YYYY), 1816-01-01 to today; default today",
        examples=["2025-06-01"],
    ),
]


# Routes return a JSONResponse themselves (compact UTF-8 JSON, as Starlette writes it): the
# answers are JSON types already, so FastAPI's jsonable_encoder pass would only cost time.
router = APIRouter(
    prefix="/api", tags=["api"], default_response_class=JSONResponse, responses=ERRORS
)


@router.get("/allies", summary="A state's treaty allies on a date")
def get_allies(
    state: State,
    date: Date = None,
    kind: Annotated[
        str | None,
        Query(max_length=MAX_PARAM, description="Only ties with this obligation, e.g. defense"),
    ] = None,
) -> Any:
    """Each ally of `state` on `date` with the treaty, obligation kinds and since when
    (as `foedus allies STATE --date D [--kind K] --json`)."""
    return JSONResponse(answers.allies(state, date, kind))


@router.get(
    "/respond",
    summary="Who must act if the target is attacked",
)
def get_respond(
    attacker: Annotated[
        list[str],
        Query(
            min_length=1,
            max_length=answers.MAX_ATTACKERS,
            description="Attacking state(s); repeat the parameter for several",
            examples=[["USA"]],
        ),
    ],
    target: Annotated[
        str,
        Query(
            min_length=1, max_length=MAX_PARAM, description="The attacked state", examples=["PRK"]
        ),
    ],
    date: Date = None,
    place: Annotated[
        str | None,
        Query(
            max_length=MAX_PARAM,
            description="Where the attack falls (default: the target's own territory), "
            "e.g. Guam, Hawaii, Crimea, Pacific area",
        ),
    ] = None,
    kind: Annotated[
        str | None,
        Query(
            max_length=MAX_PARAM,
            description="state-of-war (default: an armed attack that puts the target "
            "in a state of war), armed-attack or threat",
        ),
    ] = None,
    cascade: Annotated[
        bool, Query(description="Follow the obligations triggered by joining states")
    ] = False,
    provoked: Annotated[
        bool | None,
        Query(
            description="Whether the target provoked the attack (absent: the scenario does not say)"
        ),
    ] = None,
) -> Any:
    """Verdicts (`obligated`, `consult`, `not_obligated`, `unknown`) with traces
    (as `foedus respond --attacker A --target T --date D --json`)."""
    return JSONResponse(answers.respond(attacker, target, date, place, kind, cascade, provoked))


@router.get(
    "/treaties",
    summary="Treaties, filtered by state, date, kind",
)
def get_treaties(
    state: Annotated[
        str | None, Query(max_length=MAX_PARAM, description="Only treaties this state belongs to")
    ] = None,
    date: Annotated[
        str | None, Query(max_length=MAX_PARAM, description="Only treaties in force on this date")
    ] = None,
    kind: Annotated[
        str | None,
        Query(max_length=MAX_PARAM, description="Only treaties with this provision, e.g. defense"),
    ] = None,
) -> Any:
    """As `foedus treaties [--state X] [--date D] [--kind K] --json`."""
    return JSONResponse(answers.treaties_list(state, date, kind))


@router.get("/treaty/{treaty_id}", summary="One treaty in full")
def get_treaty(
    treaty_id: Annotated[
        str, Path(min_length=1, max_length=MAX_PARAM, description="A treaty id, e.g. rus_prk_2024")
    ],
) -> Any:
    """Members with dates, articles, provisions and sources (as `foedus treaty ID --json`)."""
    return JSONResponse(answers.treaty(treaty_id))


@router.get(
    "/atop/{number}",
    summary="ATOP's own record of an alliance",
)
def get_atop(
    number: Annotated[
        str,
        Path(min_length=1, max_length=MAX_PARAM, description="An ATOP id, e.g. 3440 or atop:3440"),
    ],
) -> Any:
    """ATOP 5.1's record of alliance `number` as foedus imports it, even where a curated treaty is
    the same treaty (`/api/treaty/atop:N` returns the curated treaty then); `linked_to` names it."""
    return JSONResponse(answers.atop_record(number))


@router.get("/history", summary="Every treaty tie between two states")
def get_history(a: State, b: State) -> Any:
    """The timeline of ties between `a` and `b`, 1816 to today (as `foedus history A B --json`)."""
    return JSONResponse(answers.history(a, b))


@router.get("/states", summary="The states in the system on a date")
def get_states(date: Date = None) -> Any:
    """COW code, abbreviation, name, ISO3 and membership spell of each state in the COW system
    on `date` (as `foedus states --date D --json`)."""
    return JSONResponse(answers.states_on(date))


@router.get("/search", summary="States and treaties by name")
def get_search(
    q: Annotated[
        str,
        Query(
            min_length=1,
            max_length=MAX_PARAM,
            description="Part of a name, a code or an alias",
            examples=["korea"],
        ),
    ],
) -> Any:
    """States and treaties whose name, code or alias matches `q`."""
    return JSONResponse(answers.search(q))


@router.get(
    "/map",
    summary="The world map's countries as states on a date",
)
def get_map(date: Date = None) -> Any:
    """For each country of the bundled world map (keyed by ISO 3166 numeric id), its COW code on
    `date` and whether it is a state of the system then. The map page colours countries with it."""
    return JSONResponse(answers.world_map(date))


@router.get("/network", summary="The alliance network on a date: ties, blocs, central states")
def get_network(
    date: Date = None,
    year: Annotated[
        str | None,
        Query(
            max_length=MAX_PARAM,
            description="A year, 1816 to this year: the network on 1 January (instead of `date`)",
            examples=["1914"],
        ),
    ] = None,
    seed: Annotated[
        int, Query(ge=0, le=2**32 - 1, description="Random seed of the bloc detection")
    ] = 0,
    kinds: Annotated[
        str | None,
        Query(
            max_length=MAX_PARAM,
            description="Only ties of these obligations, comma-separated, e.g. defense,offense",
        ),
    ] = None,
) -> Any:
    """Density, poles, every tie, each state's bloc (Louvain) with its capability share, and
    centrality, most central first (as `foedus network --date D|--year Y --json`)."""
    return JSONResponse(answers.network(date, year, seed, kinds))
