"""The grouping rules and the solver parameters, one frozen dataclass per concern.

Both are loadable from the ``[rules]`` and ``[solver]`` sections of a TOML config
(see :mod:`pairing.config`); defaults are the Anqiu rules of ``DOMAIN.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, Literal

from .errors import InputError

Contiguity = Literal["connected", "star"]


def _pair(value: Any, key: str, kind: type) -> tuple:
    try:
        low, high = value
        low, high = kind(low), kind(high)
    except (TypeError, ValueError):
        raise InputError(f"{key} must be a pair [low, high], got {value!r}", fix=f"write e.g. {key} = [3, 5]", column=key) from None
    if low > high:
        raise InputError(f"{key} = [{low}, {high}] has low > high", fix="swap the two numbers", column=key)
    return (low, high)


@dataclass(frozen=True)
class Rules:
    """What makes a group valid.

    Parameters
    ----------
    group_size : (int, int)
        Fewest and most villages in a group, lead included.
    group_population : (int, int)
        Least and most total population of a group.
    same_township : bool
        Whether every group must stay inside one township.
    contiguity : {"connected", "star"}
        ``connected``: the group's villages induce a connected subgraph of the
        adjacency graph; ``star``: every member is adjacent to its lead.
    lead_top_share : float
        Without a ``lead_eligible`` column, only the strongest this share of the
        county's villages may lead a group.

    Examples
    --------
    >>> Rules(group_size=(2, 6)).group_population
    (1000, 2000)
    """

    group_size: tuple[int, int] = (3, 5)
    group_population: tuple[int, int] = (1000, 2000)
    same_township: bool = True
    contiguity: Contiguity = "connected"
    lead_top_share: float = 0.3

    def __post_init__(self) -> None:
        object.__setattr__(self, "group_size", _pair(self.group_size, "group_size", int))
        object.__setattr__(self, "group_population", _pair(self.group_population, "group_population", int))
        if self.group_size[0] < 2:
            raise InputError(f"group_size starts at {self.group_size[0]}", fix="a group needs a lead and at least one member: use 2 or more", column="group_size")
        if self.group_population[1] <= 0:
            raise InputError("group_population ceiling must be positive", fix="write e.g. group_population = [1000, 2000]", column="group_population")
        if self.contiguity not in ("connected", "star"):
            raise InputError(f"contiguity = {self.contiguity!r} is unknown", fix='use "connected" or "star"', column="contiguity")
        if not 0.0 < float(self.lead_top_share) <= 1.0:
            raise InputError(f"lead_top_share = {self.lead_top_share} is outside (0, 1]", fix="write a share such as 0.3", column="lead_top_share")
        if not isinstance(self.same_township, bool):
            raise InputError(f"same_township = {self.same_township!r} is not true/false", fix="write true or false", column="same_township")

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> "Rules":
        """Rules from a ``[rules]`` table; unknown keys are an error."""
        return cls(**_known_keys(cls, values, "rules"))


@dataclass(frozen=True)
class SolverParams:
    """How long and how the solver searches.

    Parameters
    ----------
    time_limit : float
        Wall-clock seconds for the whole solve; the best plan found by then is
        returned, marked FEASIBLE unless it was proven optimal.
    workers : int
        CP-SAT search workers (threads).
    seed : int
        CP-SAT random seed.
    log : bool
        Print CP-SAT's search log.
    """

    time_limit: float = 60.0
    workers: int = 2
    seed: int = 0
    log: bool = False

    def __post_init__(self) -> None:
        if not float(self.time_limit) > 0:
            raise InputError(f"time_limit = {self.time_limit} is not positive", fix="give seconds, e.g. 60", column="time_limit")
        if int(self.workers) < 1:
            raise InputError(f"workers = {self.workers} is below 1", fix="use 1 or more", column="workers")

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> "SolverParams":
        """Parameters from a ``[solver]`` table; unknown keys are an error."""
        return cls(**_known_keys(cls, values, "solver"))


def _known_keys(cls: type, values: dict[str, Any], section: str) -> dict[str, Any]:
    known = {f.name for f in fields(cls)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise InputError(f"unknown key {unknown[0]!r} in [{section}]", fix=f"use one of {', '.join(sorted(known))}", column=f"{section}.{unknown[0]}")
    return dict(values)
