"""The verbs by short name, for ``foedus panel … --add atop,nmc,contiguity,wars`` and scripts.

>>> from foedus.panels import dyad_years, apply_verbs
>>> apply_verbs(dyad_years(years=2000), ["atop", "nmc"]).width
22
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import polars as pl
from rapidfuzz import process

from foedus.errors import InvalidArgument
from foedus.panels.atop import add_atop_alliance
from foedus.panels.capitals import add_capital_distance
from foedus.panels.codes import add_ccode_to_gw, add_gwcode_to_cow
from foedus.panels.contiguity import add_contiguity
from foedus.panels.democracy import add_democracy
from foedus.panels.distance import add_minimum_distance
from foedus.panels.foedus_alliance import add_foedus_alliance
from foedus.panels.igos import add_igos
from foedus.panels.majors import add_cow_majors
from foedus.panels.mids import add_cow_mids, add_gml_mids
from foedus.panels.nmc import add_nmc
from foedus.panels.peace_years import add_peace_years
from foedus.panels.prd import filter_prd
from foedus.panels.rivalries import add_strategic_rivalries
from foedus.panels.sdp_gdp import add_sdp_gdp
from foedus.panels.wars import add_cow_wars
from foedus.similarity import add_similarity

Verb = Callable[[pl.DataFrame], pl.DataFrame]

#: Short name → verb, in the order ``foedus panel --help`` lists them.
VERBS: dict[str, Verb] = {
    "atop": add_atop_alliance,
    "foedus": add_foedus_alliance,
    "nmc": add_nmc,
    "majors": add_cow_majors,
    "contiguity": add_contiguity,
    "capdist": add_capital_distance,
    "mindist": add_minimum_distance,
    "wars": add_cow_wars,
    "mids": add_cow_mids,
    "gml": add_gml_mids,
    "democracy": add_democracy,
    "sdp": add_sdp_gdp,
    "igos": add_igos,
    "rivalries": add_strategic_rivalries,
    "peace": add_peace_years,
    "similarity": add_similarity,
    "prd": filter_prd,
    "ccode": add_ccode_to_gw,
    "gwcode": add_gwcode_to_cow,
}

# Other spellings users type: the function names, peacesciencer's, and a few obvious ones.
_ALIASES: dict[str, str] = {
    "atop_alliance": "atop",
    "foedus_alliance": "foedus",
    "cow_majors": "majors",
    "capital_distance": "capdist",
    "minimum_distance": "mindist",
    "cow_wars": "wars",
    "cow_mids": "mids",
    "gml_mids": "gml",
    "sdp_gdp": "sdp",
    "strategic_rivalries": "rivalries",
    "peace_years": "peace",
    "filter_prd": "prd",
    "fpsim": "similarity",
    "ccode_to_gw": "ccode",
    "gwcode_to_cow": "gwcode",
}


def verb(name: str) -> tuple[str, Verb]:
    """The canonical short name and function for ``name`` (``"atop"``, ``"add_atop_alliance"``, …)."""
    key = name.strip().lower().replace("-", "_")
    key = key.removeprefix("add_")
    key = _ALIASES.get(key, key)
    if key in VERBS:
        return key, VERBS[key]
    close = [m[0] for m in process.extract(key, list(VERBS) + list(_ALIASES), limit=3)]
    raise InvalidArgument(
        f"unknown table verb '{name}': did you mean {', '.join(close)}? (known: {', '.join(VERBS)})"
    )


def parse_verbs(names: str | Iterable[str]) -> list[str]:
    """Canonical short names of ``names`` (a comma-separated string or a list), all checked first."""
    items = names.split(",") if isinstance(names, str) else list(names)
    return [verb(n)[0] for n in items if n.strip()]


def apply_verbs(
    frame: pl.DataFrame,
    names: str | Iterable[str],
    *,
    on_step: Callable[[str], None] | None = None,
) -> pl.DataFrame:
    """Apply verbs ``names`` in order to ``frame``; every name is checked before any runs.

    ``on_step(name)`` is called after each verb (the CLI draws its progress bar with it).
    """
    for name in parse_verbs(names):
        frame = VERBS[name](frame)
        if on_step is not None:
            on_step(name)
    return frame
