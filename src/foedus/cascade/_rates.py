"""Honour rates: the probability that an obligated state keeps its word.

The default is the share of alliance commitments honoured in wars where their conditions held,
74.5 % (Leeds, Long & Mitchell 2000). ``unknown`` verdicts — the treaty text leaves the
obligation open for the scenario — get their own rate, an even chance by default: no study
measures how states act on commitments whose application is undecidable, so foedus assumes
neither side of the question.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import polars as pl

from foedus.errors import InvalidArgument

#: Leeds, Long & Mitchell (2000): "alliances are reliable 74.5% of the time".
LLM2000_RATE = 0.745

#: Where the default rate comes from (shown by the CLI and stored with results).
RATE_PROVENANCE = (
    "Leeds, Long & Mitchell (2000), 'Reevaluating Alliance Reliability: Specific Threats, Specific "
    "Promises', Journal of Conflict Resolution 44(5): 686-699, doi:10.1177/0022002700044005006 - "
    "'alliances are reliable 74.5% of the time' (ATOP alliances invoked in wars, 1816-1944)"
)

#: The rate for `unknown` verdicts: an even chance (a documented assumption, not an estimate).
UNKNOWN_RATE = 0.5


def _check(value: float, what: str) -> float:
    value = float(value)
    if not 0.0 <= value <= 1.0:
        raise InvalidArgument(f"{what} = {value} is not a probability: use a number from 0 to 1")
    return value


@dataclass(frozen=True)
class Rates:
    """Probabilities that an obligated state honours its commitment, with overrides.

    For an ``obligated`` verdict the most specific rate wins: ``by_state`` (the responder's COW
    code), then ``by_treaty`` (treaty id), then ``by_kind`` (provision kind: defense, offense, …),
    then ``default``. ``unknown`` verdicts use ``unknown``. A state bound by several commitments
    that are triggered acts on the most reliable of them (see :mod:`foedus.cascade`).

    >>> Rates().rate("obligated", responder=365, treaty_id="rus_prk_2024", kind="defense")
    0.745
    >>> Rates(by_state={365: 0.9}).rate("obligated", 365, "rus_prk_2024", "defense")
    0.9
    """

    default: float = LLM2000_RATE
    unknown: float = UNKNOWN_RATE
    by_kind: Mapping[str, float] = field(default_factory=dict)
    by_treaty: Mapping[str, float] = field(default_factory=dict)
    by_state: Mapping[int, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _check(self.default, "default rate")
        _check(self.unknown, "unknown rate")
        for name in ("by_kind", "by_treaty", "by_state"):
            for key, value in getattr(self, name).items():
                _check(value, f"{name}[{key!r}]")

    @classmethod
    def certain(cls) -> Rates:
        """Every obligated state honours its word; `unknown` never acts (the deterministic case)."""
        return cls(default=1.0, unknown=0.0)

    def rate(
        self, verdict: str, responder: int, treaty_id: str | None = None, kind: str | None = None
    ) -> float:
        """The honour rate for one commitment."""
        if verdict == "unknown":
            return self.unknown
        if verdict != "obligated":
            return 0.0
        if responder in self.by_state:
            return float(self.by_state[responder])
        if treaty_id is not None and treaty_id in self.by_treaty:
            return float(self.by_treaty[treaty_id])
        if kind is not None and kind in self.by_kind:
            return float(self.by_kind[kind])
        return float(self.default)

    def expression(self) -> pl.Expr:
        """The same rule as a polars expression over ``verdict``, ``responder``, ``treaty_id``, ``kind``."""
        obligated = pl.lit(float(self.default))
        if self.by_kind:
            obligated = pl.col("kind").replace_strict(
                {k: float(v) for k, v in self.by_kind.items()},
                default=obligated,
                return_dtype=pl.Float64,
            )
        if self.by_treaty:
            obligated = pl.col("treaty_id").replace_strict(
                {k: float(v) for k, v in self.by_treaty.items()},
                default=obligated,
                return_dtype=pl.Float64,
            )
        if self.by_state:
            obligated = pl.col("responder").replace_strict(
                {int(k): float(v) for k, v in self.by_state.items()},
                default=obligated,
                return_dtype=pl.Float64,
            )
        return (
            pl.when(pl.col("verdict") == "obligated")
            .then(obligated)
            .when(pl.col("verdict") == "unknown")
            .then(pl.lit(float(self.unknown)))
            .otherwise(pl.lit(0.0))
            .cast(pl.Float64)
        )

    def key(self) -> tuple:
        """A hashable form (for caches)."""
        return (
            self.default,
            self.unknown,
            tuple(sorted(self.by_kind.items())),
            tuple(sorted(self.by_treaty.items())),
            tuple(sorted(self.by_state.items())),
        )

    def to_dict(self) -> dict:
        return {
            "default": self.default,
            "unknown": self.unknown,
            "by_kind": dict(self.by_kind),
            "by_treaty": dict(self.by_treaty),
            "by_state": {int(k): v for k, v in self.by_state.items()},
            "source": RATE_PROVENANCE,
        }
