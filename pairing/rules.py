"""The grouping rules and the solver parameters, one frozen dataclass per concern.

Both are loadable from the ``[rules]`` and ``[solver]`` sections of a TOML config
(see :mod:`pairing.config`); defaults are the Anqiu rules of ``DOMAIN.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
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


@dataclass(frozen=True)
class Locks:
    """A planner's fixed decisions, which every plan must keep.

    Parameters
    ----------
    exclude : tuple of str
        Villages never grouped.
    leads : tuple of str
        Villages that must lead a group (they may lead even when not among the
        strongest ``lead_top_share``; they must still be the strongest of their
        group and not weak).
    not_lead : tuple of str
        Villages that may not lead.
    together : tuple of tuple of str
        Sets of villages that must share a group.
    apart : tuple of (str, str)
        Pairs that must not share a group.
    pin : dict
        Village -> the lead it must be grouped under (that lead may lead even when
        not among the strongest ``lead_top_share``).

    Examples
    --------
    >>> locks = Locks.from_dict({"apart": [["a", "b"]], "pin": {"c": "d"}})
    >>> locks.apart, locks.pin, bool(locks)
    ((('a', 'b'),), {'c': 'd'}, True)
    >>> bool(Locks())
    False
    """

    exclude: tuple[str, ...] = ()
    leads: tuple[str, ...] = ()
    not_lead: tuple[str, ...] = ()
    together: tuple[tuple[str, ...], ...] = ()
    apart: tuple[tuple[str, str], ...] = ()
    pin: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("exclude", "leads", "not_lead"):
            object.__setattr__(self, name, tuple(str(v) for v in getattr(self, name)))
        object.__setattr__(self, "together", tuple(tuple(str(v) for v in villages) for villages in self.together))
        object.__setattr__(self, "pin", {str(v): str(lead) for v, lead in dict(self.pin).items()})
        for villages in self.together:
            if len(set(villages)) < 2:
                raise InputError(f"together {list(villages)} needs two or more different villages", fix="list the villages that must share a group", column="locks.together")
        apart = []
        for pair in self.apart:
            if len(pair) != 2 or pair[0] == pair[1]:
                raise InputError(f"apart {list(pair)} is not a pair of two villages", fix='write apart = [["a", "b"], ...]', column="locks.apart")
            apart.append((str(pair[0]), str(pair[1])))
        object.__setattr__(self, "apart", tuple(apart))

    def __bool__(self) -> bool:
        return any((self.exclude, self.leads, self.not_lead, self.together, self.apart, self.pin))

    @property
    def may_lead(self) -> frozenset[str]:
        """Villages the planner named as leads (``leads`` and the leads of ``pin``)."""
        return frozenset(self.leads) | frozenset(self.pin.values())

    def villages(self) -> list[tuple[str, str]]:
        """Every (lock, village id) the locks name, to check them against an instance."""
        named = [(f"exclude", v) for v in self.exclude] + [("leads", v) for v in self.leads]
        named += [("not_lead", v) for v in self.not_lead]
        named += [("together", v) for villages in self.together for v in villages]
        named += [("apart", v) for pair in self.apart for v in pair]
        named += [("pin", v) for pair in self.pin.items() for v in pair]
        return named

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> "Locks":
        """Locks from a ``[locks]`` table; unknown keys are an error."""
        return cls(**_known_keys(cls, values, "locks"))


@dataclass(frozen=True)
class ObjectiveWeights:
    """Weights of the third objective level, after weak villages grouped and
    villages grouped: minimise, per group,

        compactness × distance − industry × members − strength_gap × gap

    where distance is the total member-to-lead distance in kilometres (adjacency
    hops without coordinates), members counts members whose ``industry`` equals
    their lead's, and gap is the sum of (lead strength − member strength), the
    strong helping the weak. Weights are in kilometres: ``industry = 2`` means a
    shared industry is worth 2 km of distance. The defaults minimise distance only.

    ``stability`` matters only when re-solving against a previous plan
    (:func:`pairing.explore.resolve`): a level of its own, right after weak
    villages grouped, maximises villages grouped − stability × villages whose
    assignment (the lead they are grouped under, or none) changed. With 1 (the
    default) no reshuffle is worth the villages it would group; 0 re-solves from
    scratch.

    Examples
    --------
    >>> ObjectiveWeights.from_dict({"industry": 2.0}).compactness
    1.0
    >>> ObjectiveWeights.from_dict({"stability": 0.5}).stability
    0.5
    """

    compactness: float = 1.0
    industry: float = 0.0
    strength_gap: float = 0.0
    stability: float = 1.0

    def __post_init__(self) -> None:
        for name in ("compactness", "industry", "strength_gap", "stability"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
                raise InputError(f"{name} = {value!r} is not a number >= 0", fix="write a weight such as 1.0", column=f"objective.{name}")

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> "ObjectiveWeights":
        """Weights from an ``[objective]`` table; unknown keys are an error."""
        return cls(**_known_keys(cls, values, "objective"))
