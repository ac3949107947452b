"""foedus: military alliance treaties as data."""

from foedus.dates import parse_date
from foedus.errors import (
    ChecksumMismatch,
    DataMissing,
    FoedusError,
    InvalidArgument,
    InvalidDate,
    InvalidScenario,
    InvalidTreaty,
    UnknownPlace,
    UnknownState,
    UnknownTreaty,
)
from foedus.states import resolve
from foedus.treaties import (
    Ally,
    Registry,
    Timeline,
    Treaty,
    allies,
    history,
    registry,
    ties_frame,
    treaty,
)

__version__ = "0.1.0"

__all__ = [
    "Ally",
    "ChecksumMismatch",
    "DataMissing",
    "FoedusError",
    "InvalidArgument",
    "InvalidDate",
    "InvalidScenario",
    "InvalidTreaty",
    "Registry",
    "Timeline",
    "Treaty",
    "UnknownPlace",
    "UnknownState",
    "UnknownTreaty",
    "allies",
    "history",
    "parse_date",
    "registry",
    "resolve",
    "ties_frame",
    "treaty",
]
