"""Dates in foedus: day precision, 1816 to today.

>>> parse_date("2024-12-04")
datetime.date(2024, 12, 4)
"""

from __future__ import annotations

import datetime as dt

from foedus.errors import InvalidDate

#: The first day of the COW state system.
EARLIEST = dt.date(1816, 1, 1)


def today() -> dt.date:
    """Today's date (a function, so tests and long-running servers see the real day)."""
    return dt.date.today()


def parse_date(value: str | dt.date | dt.datetime, *, check_range: bool = True) -> dt.date:
    """Parse an ISO date (``YYYY-MM-DD``; a bare ``YYYY`` means 1 January of that year).

    Raises :class:`InvalidDate` with a hint when the text is not a real date, or (with
    ``check_range``) when it lies before 1816-01-01 or after today.
    """
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    else:
        text = str(value).strip()
        try:
            day = (
                dt.date(int(text), 1, 1)
                if text.isdigit() and len(text) == 4
                else dt.date.fromisoformat(text)
            )
        except ValueError:
            raise InvalidDate(
                f"'{text}' is not a valid date: use YYYY-MM-DD with a real month and day, e.g. 2025-06-01"
            ) from None
    if check_range and not (EARLIEST <= day <= today()):
        raise InvalidDate(
            f"{day.isoformat()} is outside foedus's coverage: choose a date from "
            f"{EARLIEST.isoformat()} to today ({today().isoformat()})"
        )
    return day
