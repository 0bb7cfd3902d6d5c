"""The TOML config: how a county's own table maps onto pairing's columns, how
strength and weakness are derived when the table lacks them, how adjacency is
built, the rules and the solver parameters.

Every section is optional; an absent section takes the defaults below.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from .errors import InputError
from .rules import Locks, ObjectiveWeights, Rules, SolverParams, _known_keys

#: Canonical columns, and the extra inputs ``[columns]`` may map.
CANONICAL_COLUMNS = ("village_id", "name", "township", "population", "strength", "weak", "lead_eligible", "industry")
COORDINATE_COLUMNS = ("lon", "lat", "x", "y")


@dataclass(frozen=True)
class StrengthSpec:
    """Strength as a weighted sum of normalised indicators.

    Parameters
    ----------
    weights : dict
        Indicator column (as named in the input) -> weight.
    normalise : {"rank", "minmax"}
        ``rank``: each indicator becomes its percentile rank in [0, 1] (robust to
        outliers); ``minmax``: (value - min) / (max - min).
    levels : dict
        For categorical indicators, column -> {level text -> score}; the scores
        are used as given (not normalised again), so give them on [0, 1].
    """

    weights: dict[str, float]
    normalise: Literal["rank", "minmax"] = "rank"
    levels: dict[str, dict[str, float]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.weights:
            raise InputError("[strength] has no weights", fix='add weights = { "column" = 1.0 }', column="strength.weights")
        if self.normalise not in ("rank", "minmax"):
            raise InputError(f"normalise = {self.normalise!r} is unknown", fix='use "rank" or "minmax"', column="strength.normalise")
        for column, weight in self.weights.items():
            if not isinstance(weight, (int, float)) or isinstance(weight, bool):
                raise InputError(f"weight of {column!r} is not a number", fix="write a number such as 0.5", column="strength.weights")


@dataclass(frozen=True)
class WeakSpec:
    """Which villages are weak, when the table has no ``weak`` column.

    Parameters
    ----------
    strength_share : float
        The weakest this share of villages by strength are weak.
    population_below : int
        Any village with fewer people (hollowed-out) is weak too.
    """

    strength_share: float = 0.4
    population_below: int = 300

    def __post_init__(self) -> None:
        if not 0.0 <= float(self.strength_share) <= 1.0:
            raise InputError(f"strength_share = {self.strength_share} is outside [0, 1]", fix="write a share such as 0.4", column="weak.strength_share")


@dataclass(frozen=True)
class GraphSpec:
    """How adjacency is computed.

    Parameters
    ----------
    tolerance_m : float
        Polygons closer than this many metres count as neighbours (slivers and
        gaps of hand-digitised borders).
    max_edge_m : float
        Points: Delaunay neighbours farther apart than this are not neighbours.
    """

    tolerance_m: float = 5.0
    max_edge_m: float = 5000.0

    def __post_init__(self) -> None:
        if float(self.tolerance_m) < 0 or float(self.max_edge_m) <= 0:
            raise InputError("graph distances must be non-negative", fix="write metres, e.g. tolerance_m = 5", column="graph")


@dataclass(frozen=True)
class Config:
    """A whole config file. See the README for every key and its default.

    Examples
    --------
    >>> Config().rules.group_size
    (3, 5)
    >>> Config.from_dict({"rules": {"same_township": False}}).rules.same_township
    False
    """

    columns: dict[str, str] = field(default_factory=dict)
    crs: str | None = None
    strength: StrengthSpec | None = None
    weak: WeakSpec = field(default_factory=WeakSpec)
    graph: GraphSpec = field(default_factory=GraphSpec)
    rules: Rules = field(default_factory=Rules)
    solver: SolverParams = field(default_factory=SolverParams)
    locks: Locks = field(default_factory=Locks)
    objective: ObjectiveWeights = field(default_factory=ObjectiveWeights)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Config":
        sections = {"columns", "strength", "weak", "graph", "rules", "solver", "locks", "objective"}
        unknown = sorted(set(data) - sections)
        if unknown:
            raise InputError(f"unknown section [{unknown[0]}]", fix=f"use the sections {', '.join(sorted(sections))}", column=unknown[0])
        columns = dict(data.get("columns", {}))
        crs = columns.pop("crs", None)
        for key, value in columns.items():
            if key not in CANONICAL_COLUMNS + COORDINATE_COLUMNS:
                raise InputError(f"unknown key {key!r} in [columns]", fix=f"map one of {', '.join(CANONICAL_COLUMNS + COORDINATE_COLUMNS)}, or crs", column=f"columns.{key}")
            if not isinstance(value, str):
                raise InputError(f"[columns] {key} must name a column as text", fix=f'write {key} = "column name"', column=f"columns.{key}")
        return cls(
            columns=columns,
            crs=crs,
            strength=StrengthSpec(**_known_keys(StrengthSpec, data["strength"], "strength")) if "strength" in data else None,
            weak=WeakSpec(**_known_keys(WeakSpec, data.get("weak", {}), "weak")),
            graph=GraphSpec(**_known_keys(GraphSpec, data.get("graph", {}), "graph")),
            rules=Rules.from_dict(data.get("rules", {})),
            solver=SolverParams.from_dict(data.get("solver", {})),
            locks=Locks.from_dict(data.get("locks", {})),
            objective=ObjectiveWeights.from_dict(data.get("objective", {})),
        )

    @classmethod
    def from_toml(cls, path: str | Path) -> "Config":
        """Read a TOML config; errors name the file and the key."""
        try:
            with open(path, "rb") as handle:
                data = tomllib.load(handle)
        except FileNotFoundError:
            raise InputError("config file not found", fix="check the path given to --config", file=str(path)) from None
        except tomllib.TOMLDecodeError as error:
            raise InputError(f"not valid TOML ({error})", fix="fix the syntax at that line", file=str(path)) from None
        try:
            return cls.from_dict(data)
        except InputError as error:
            raise error.in_file(str(path)) from None
        except TypeError as error:
            raise InputError(f"a value has the wrong type ({error})", fix="compare with the README's config reference", file=str(path)) from None
