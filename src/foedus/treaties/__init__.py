"""Treaties: the typed model, the combined registry (curated + ATOP 5.1), and the queries on it.

>>> from foedus import treaties as tr
>>> [a.name for a in tr.allies("PRK", "2025-06-01", kind="defense")]  # doctest: +SKIP
['China', 'Russia']
>>> tr.treaty("atop:3440").id  # ATOP 3440 is the curated 1961 USSR–DPRK treaty  # doctest: +SKIP
'ussr_prk_1961'
"""

from foedus.treaties.model import (
    PRIMARY_KINDS,
    Article,
    Condition,
    Membership,
    Note,
    Provision,
    Source,
    Treaty,
)
from foedus.treaties.queries import (
    Ally,
    Gap,
    TieSpell,
    Timeline,
    TimelineEntry,
    allies,
    detail,
    history,
    kind_of,
    state_code,
    state_name,
    summary,
    ties_frame,
    treaties,
    treaty,
)
from foedus.treaties.registry import Registry, registry

__all__ = [
    "PRIMARY_KINDS",
    "Ally",
    "Article",
    "Condition",
    "Gap",
    "Membership",
    "Note",
    "Provision",
    "Registry",
    "Source",
    "TieSpell",
    "Timeline",
    "TimelineEntry",
    "Treaty",
    "allies",
    "detail",
    "history",
    "kind_of",
    "registry",
    "state_code",
    "state_name",
    "summary",
    "ties_frame",
    "treaties",
    "treaty",
]
