"""Research tables in the style of peacesciencer: state-years, dyad-years and ``add_*`` verbs.

Start with :func:`state_years` or :func:`dyad_years`, then add columns with the verbs; each
takes a polars DataFrame and returns a new one (nothing is changed in place, nothing is
printed), so they compose with ``.pipe``:

>>> from foedus.panels import dyad_years, add_atop_alliance, add_nmc, add_contiguity
>>> t = dyad_years(years=(1816, 2018)).pipe(add_atop_alliance).pipe(add_nmc).pipe(add_contiguity)
>>> t.height, t.columns[:5]
(1987950, ['ccode1', 'ccode2', 'year', 'atop_defense', 'atop_offense'])

Column names are peacesciencer's, so R scripts port over; ``t.to_pandas()`` gives pandas.
Outside a source's years a column is null, never 0: "not covered" is not "no". Every verb's
docstring says where its data come from and what to cite
(``foedus.data.dataset(name).citation``); a verb whose data file is missing raises
:class:`~foedus.errors.DataMissing` naming the dataset to fetch.

One verb per module: :mod:`.systems` (state_years, dyad_years), :mod:`.atop`,
:mod:`.foedus_alliance`, :mod:`.nmc`, :mod:`.majors`, :mod:`.contiguity`, :mod:`.capitals`,
:mod:`.distance`, :mod:`.wars`, :mod:`.mids`, :mod:`.democracy`, :mod:`.sdp_gdp`,
:mod:`.igos`, :mod:`.rivalries`, :mod:`.peace_years`, :mod:`.prd`, :mod:`.codes`.
"""

from foedus.panels.atop import add_atop_alliance
from foedus.panels.capitals import add_capital_distance
from foedus.panels.codes import add_ccode_to_gw, add_gwcode_to_cow
from foedus.panels.contiguity import add_contiguity
from foedus.panels.democracy import add_democracy
from foedus.panels.distance import add_minimum_distance
from foedus.panels.foedus_alliance import add_foedus_alliance, foedus_vs_atop
from foedus.panels.igos import add_igos
from foedus.panels.majors import add_cow_majors
from foedus.panels.mids import add_cow_mids, add_gml_mids
from foedus.panels.nmc import add_nmc
from foedus.panels.peace_years import add_peace_years
from foedus.panels.prd import filter_prd
from foedus.panels.rivalries import add_strategic_rivalries
from foedus.panels.sdp_gdp import add_sdp_gdp
from foedus.panels.systems import coverage, dyad_years, state_years
from foedus.panels.verbs import VERBS, apply_verbs
from foedus.panels.wars import add_cow_wars

__all__ = [
    "VERBS",
    "add_atop_alliance",
    "add_capital_distance",
    "add_ccode_to_gw",
    "add_contiguity",
    "add_cow_majors",
    "add_cow_mids",
    "add_cow_wars",
    "add_democracy",
    "add_foedus_alliance",
    "add_gml_mids",
    "add_gwcode_to_cow",
    "add_igos",
    "add_minimum_distance",
    "add_nmc",
    "add_peace_years",
    "add_sdp_gdp",
    "add_strategic_rivalries",
    "apply_verbs",
    "coverage",
    "dyad_years",
    "filter_prd",
    "foedus_vs_atop",
    "state_years",
]
