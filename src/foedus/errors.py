"""The few exception classes of foedus.

Every message says what went wrong *and* what to do about it; the CLI prints the message on one
line and exits with code 2, the web app turns it into a 4xx response.
"""

from __future__ import annotations


class FoedusError(Exception):
    """Base class: a problem with the user's input or data that has a clear fix."""


class UnknownState(FoedusError, LookupError):
    """A state name or code that no state system knows."""


class InvalidDate(FoedusError, ValueError):
    """A date that cannot be parsed or lies outside the covered period."""


class DataMissing(FoedusError):
    """A dataset that is neither in FOEDUS_DATA_DIR nor in the download cache."""


class ChecksumMismatch(FoedusError):
    """A data file whose SHA-256 differs from the registry's: corrupt or wrong version."""


class InvalidTreaty(FoedusError):
    """A malformed curated treaty file; the message names the file and the field."""


class UnknownTreaty(FoedusError, LookupError):
    """A treaty id that is in neither the curated registry nor ATOP."""


class UnknownPlace(FoedusError, LookupError):
    """A place or region name that the gazetteer does not know."""


class InvalidScenario(FoedusError, ValueError):
    """A scenario that makes no sense (attacker equal to target, no attacker, ...)."""


class InvalidArgument(FoedusError, ValueError):
    """Any other bad argument (unknown measure, unknown table verb, bad year range, ...)."""
