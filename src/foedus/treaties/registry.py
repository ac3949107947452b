"""The combined treaty registry: the curated treaties plus ATOP 5.1's alliances, counted once.

A curated treaty that is the same treaty as an ATOP alliance lists it in ``atop_ids``; that
alliance is then hidden from the registry (not counted twice, no double ties), and looking it
up by its ATOP id returns the curated treaty. Without the ATOP files (a fresh install with no
download) the registry is the curated treaties alone.

>>> from foedus.treaties import registry
>>> registry().get("atop:3440").id  # doctest: +SKIP
'ussr_prk_1961'
"""

from __future__ import annotations

import datetime as dt
import functools
import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

import polars as pl
from rapidfuzz import fuzz, process

from foedus.errors import InvalidTreaty, UnknownTreaty
from foedus.treaties import ties as _ties
from foedus.treaties.curated import _show, load_curated
from foedus.treaties.model import Treaty

#: The ATOP files the import reads; all three must be present for ATOP to join the registry.
ATOP_DATASETS = ("atop5_1m", "atop5_1a", "atop5_1aph")


class Registry:
    """Treaties by id, with the queries every interface shares.

    ``curated``: the curated treaties; ``atop``: ATOP alliances by ATOP id (may be empty);
    ``atop_ties``: their ties frame (or a function that builds it on first use).
    """

    def __init__(
        self,
        curated: Iterable[Treaty] = (),
        atop: Mapping[int, Treaty] | None = None,
        atop_ties: pl.DataFrame | Callable[[], pl.DataFrame] | None = None,
    ) -> None:
        self._curated: dict[str, Treaty] = {}
        #: ATOP id -> id of the curated treaty that is the same treaty.
        self.linked: dict[int, str] = {}
        for t in curated:
            if t.id in self._curated:
                raise InvalidTreaty(
                    f"two curated treaties have the id '{t.id}': give each file its own id"
                )
            self._curated[t.id] = t
            for number in t.atop_ids:
                if number in self.linked:
                    raise InvalidTreaty(
                        f"curated treaties '{self.linked[number]}' and '{t.id}' both claim ATOP alliance {number}: "
                        "an ATOP alliance is one treaty; keep the id in one file"
                    )
                self.linked[number] = t.id
        self._atop: dict[int, Treaty] = dict(atop or {})
        self._atop_ties_source = atop_ties
        shown = [
            *self._curated.values(),
            *(t for n, t in self._atop.items() if n not in self.linked),
        ]
        #: Every treaty once, by first signature (then id).
        self.treaties: list[Treaty] = sorted(shown, key=lambda t: (t.signed or dt.date.min, t.id))
        self._by_key: dict[str, Treaty] = {}
        for t in self.treaties:
            for key in (t.id, t.short_name, *t.aliases):
                if key:
                    self._by_key.setdefault(key.casefold(), t)

    # ------------------------------------------------------------------ lookups

    @property
    def curated(self) -> list[Treaty]:
        """The curated treaties."""
        return list(self._curated.values())

    @property
    def has_atop(self) -> bool:
        """Whether ATOP's alliances are part of this registry."""
        return bool(self._atop)

    def plus(self, extra: Iterable[Treaty]) -> Registry:
        """This registry with ``extra`` curated treaties added (a variant; this one is unchanged)."""
        return Registry(
            curated=[*self.curated, *extra],
            atop=self._atop or None,
            atop_ties=self.atop_ties if self.has_atop else None,
        )

    def atop(self, number: int | str) -> Treaty:
        """ATOP's own record of alliance ``number``, even when a curated treaty links it."""
        from foedus.treaties.atop import atop_id

        n = atop_id(number)
        if not self._atop:
            raise UnknownTreaty(
                f"ATOP alliance {n} cannot be shown: the ATOP data are not present; run "
                "`foedus data fetch atop5_1m atop5_1a atop5_1aph` or set FOEDUS_DATA_DIR"
            )
        if n not in self._atop:
            raise UnknownTreaty(
                f"ATOP 5.1 has no alliance {n}: ids run from 1005 to 7050 (`foedus treaties` lists them)"
            )
        return self._atop[n]

    def get(self, treaty_id: str | int, *, follow_links: bool = True) -> Treaty:
        """The treaty with this id, ATOP id (``"atop:3440"``, ``3440``), short name or alias.

        An ATOP id that a curated treaty links returns the curated treaty (``follow_links=False``:
        ATOP's own record). Unknown ids raise :class:`UnknownTreaty` with the closest ids.
        """
        text = str(treaty_id).strip()
        key = text.casefold()
        bare = key.removeprefix("atop").strip()
        if key.startswith("atop:") or (bare.isascii() and bare.isdigit()):
            from foedus.treaties.atop import atop_id

            n = atop_id(text)
            if follow_links and n in self.linked:
                return self._curated[self.linked[n]]
            return self.atop(n)
        if key in self._by_key:
            return self._by_key[key]
        raise UnknownTreaty(
            f"no treaty {_show(text)}: did you mean {', '.join(self.suggestions(text))}? "
            "(`foedus treaties` lists all)"
        )

    def suggestions(self, text: str, limit: int = 3) -> list[str]:
        """The ids of the treaties whose id or name is closest to ``text``."""
        choices = {
            t.id: f"{t.id} {t.short_name or ''} {' '.join(t.aliases)}" for t in self.treaties
        }
        curated_first = {k: v for k, v in choices.items() if not k.startswith("atop:")} or choices
        found = process.extract(text, curated_first, scorer=fuzz.WRatio, limit=limit)
        return [m[2] for m in found]

    def in_force(self, day: dt.date) -> list[Treaty]:
        """Treaties binding at least two members on ``day``."""
        return [t for t in self.treaties if t.in_force_on(day)]

    def for_state(self, ccode: int, day: dt.date | None = None) -> list[Treaty]:
        """Treaties ``ccode`` has ever been a member of (on ``day`` when given)."""
        return [
            t
            for t in self.treaties
            if any(m.ccode == ccode and (day is None or m.active_on(day)) for m in t.members)
        ]

    # ------------------------------------------------------------------ ties

    @functools.cached_property
    def atop_ties(self) -> pl.DataFrame:
        """Ties of every ATOP alliance, including those a curated treaty links (ATOP-only panels)."""
        source = self._atop_ties_source
        if source is None:
            return _ties.empty()
        return source() if callable(source) else source

    @functools.cached_property
    def curated_ties(self) -> pl.DataFrame:
        """Ties of the curated treaties."""
        return _ties.frame(self._curated.values())

    @functools.cached_property
    def ties(self) -> pl.DataFrame:
        """Ties of every treaty in the registry: curated, plus ATOP alliances no curated treaty links."""
        atop_part = self.atop_ties
        if self.linked and atop_part.height:
            atop_part = atop_part.filter(~pl.col("atopid").is_in(list(self.linked)))
        return pl.concat([self.curated_ties, atop_part], how="vertical").sort(
            "treaty_id", "valid_from", "obliged", "beneficiary", "kind"
        )


def _load_curated() -> list[Treaty]:
    """The shipped treaty files, plus a user's own from ``FOEDUS_TREATIES_DIR`` when set.

    Adding a treaty never needs a code change: drop a TOML file (same schema as the shipped
    ones) into that folder. An id that a shipped file already uses is an error, not an override.
    """
    found = list(load_curated())
    extra = os.environ.get("FOEDUS_TREATIES_DIR")
    if extra:
        shipped = {t.id for t in found}
        for treaty in load_curated(Path(extra).expanduser()):
            if treaty.id in shipped:
                raise InvalidTreaty(
                    f"{treaty.id}.toml in FOEDUS_TREATIES_DIR={extra}: id '{treaty.id}' is already a "
                    "shipped treaty — give your file another id"
                )
            found.append(treaty)
    return found


def _atop_present() -> bool:
    from foedus import data

    return all(data.is_available(name) for name in ATOP_DATASETS)


@functools.cache
def registry() -> Registry:
    """The registry foedus answers from (built once per process).

    Curated treaties always; ATOP 5.1's alliances too when its files are present
    (``FOEDUS_DATA_DIR`` or ``foedus data fetch``).
    """
    curated = _load_curated()
    if not _atop_present():
        return Registry(curated)
    from foedus.treaties import atop

    return Registry(curated, atop.treaties(), atop.ties)
