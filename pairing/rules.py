"""The grouping rules, the objective's weights and the solver parameters, one
frozen dataclass per concern.

Each is loadable from its section of a TOML config (``[rules]``,
``[objective]``, ``[solver]``; see :mod:`pairing.config`); defaults are the Anqiu
rules of ``DOMAIN.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import partial
from typing import Any, Literal

from .errors import InputError
from .fields import check_bool, check_choice, check_number, check_pair, known_keys, validate_fields

Contiguity = Literal["connected", "star"]

#: What the objective may maximise (or minimise) right after weak villages grouped.
SECOND_LEVELS = ("villages_grouped", "fewest_groups")
#: CP-SAT takes its random seed as a 32-bit signed integer.
MAX_SEED = 2**31 - 1
#: Who searches the first objective levels (see SolverParams.backend).
BACKENDS = ("cp-sat", "highs")


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
    weak_in_every_group : bool
        Whether every group must hold at least one weak village ("强村带弱村": a
        group of strong villages only helps no one).

    Examples
    --------
    >>> Rules(group_size=(2, 6)).group_population
    (1000, 2000)
    >>> Rules.from_dict({"weak_in_every_group": True}).weak_in_every_group
    True
    """

    group_size: tuple[int, int] = (3, 5)
    group_population: tuple[int, int] = (1000, 2000)
    same_township: bool = True
    contiguity: Contiguity = "connected"
    lead_top_share: float = 0.3
    weak_in_every_group: bool = False

    def __post_init__(self) -> None:
        validate_fields(self, {
            "group_size": _group_size,
            "group_population": _group_population,
            "same_township": partial(check_bool, key="rules.same_township"),
            "contiguity": partial(check_choice, key="rules.contiguity", choices=("connected", "star")),
            "lead_top_share": partial(check_number, key="rules.lead_top_share", example="0.3", above=0, at_most=1),
            "weak_in_every_group": partial(check_bool, key="rules.weak_in_every_group"),
        })

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> "Rules":
        """Rules from a ``[rules]`` table; unknown keys are an error."""
        return cls(**known_keys(cls, values, "rules"))


def _group_size(value: Any) -> tuple[int, int]:
    low, high = check_pair(value, "rules.group_size", "[3, 5]")
    if low < 2:
        raise InputError(f"group_size starts at {low}", fix="a group needs a lead and at least one member: use 2 or more", column="rules.group_size")
    return (low, high)


def _group_population(value: Any) -> tuple[int, int]:
    low, high = check_pair(value, "rules.group_population", "[1000, 2000]")
    if high <= 0:
        raise InputError("group_population ceiling must be positive", fix="write e.g. group_population = [1000, 2000]", column="rules.group_population")
    return (low, high)


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
    windows_from : int
        Blocks of at least this many candidates are improved window by window
        (:mod:`pairing.model.windows`) before each search over the whole block.
        Generated 3,000 villages across townships (244,000 candidates, 60 s):
        villages grouped 2,797 -> 2,963 of at most 2,975. 864 villages across
        townships (65,000 candidates), 20 s, without windows -> with them from
        20,000: even family 762 -> 817 villages grouped (LP 857), clustered weak
        gap 0.87% -> 0.29%, hilly 14% -> 8.8%, plains proven either way (8.2 s ->
        9.3 s); Anqiu, 40 s: 812-856 (proven once in four runs) -> 848.
    windows_only_from : int
        Above this many candidates a block is searched only window by window,
        and its later levels' bounds are the trivial ones: on generated 10,000
        villages (847,000 candidates) the search over the whole block reached no
        LP bound in 48 s, added 12 villages to the windows' 9,572, and took the
        peak memory from about 1.5 GB to 4.5 GB.
    window_villages : int
        Villages per grid cell of the windows (a window is two cells). Generated
        3,000 villages, 24 s of windows: 30 a cell took the plan from 2,435
        villages grouped to 2,961, 40 to 2,956, 60 to 2,917, 20 to 2,946.
    backend : str
        Who searches the first two levels: ``"cp-sat"`` (the default), or
        ``"highs"``: HiGHS searches them merged for up to half of each block's
        time, and CP-SAT goes on from where it stopped (and always does the levels
        after). Measured in BENCHMARKS.md ("Solver strength"): neither wins on
        every family, and HiGHS through ``pywraplp`` loses its best plan when its
        time runs out, so CP-SAT stays the default.

    Examples
    --------
    >>> SolverParams(time_limit=30).with_overrides(workers=1, seed=None)
    SolverParams(time_limit=30, workers=1, seed=0, log=False, windows_from=20000, windows_only_from=500000, window_villages=30, backend='cp-sat')
    """

    time_limit: float = 60.0
    workers: int = 2
    seed: int = 0
    log: bool = False
    windows_from: int = 20_000
    windows_only_from: int = 500_000
    window_villages: int = 30
    backend: str = "cp-sat"

    def __post_init__(self) -> None:
        whole = partial(check_number, whole=True)
        validate_fields(self, {
            "time_limit": partial(check_number, key="solver.time_limit", example="60", above=0),
            "workers": partial(whole, key="solver.workers", example="2", at_least=1),
            "seed": _seed,
            "log": partial(check_bool, key="solver.log"),
            "windows_from": partial(whole, key="solver.windows_from", example="20000", at_least=0),
            "windows_only_from": partial(whole, key="solver.windows_only_from", example="500000", at_least=0),
            "window_villages": partial(whole, key="solver.window_villages", example="30", at_least=1),
            "backend": partial(check_choice, key="solver.backend", choices=BACKENDS),
        })

    def with_overrides(self, **overrides: Any) -> "SolverParams":
        """These parameters with the given fields replaced, ignoring those given as
        None (options the user did not set)."""
        return replace(self, **{key: value for key, value in overrides.items() if value is not None})

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> "SolverParams":
        """Parameters from a ``[solver]`` table; unknown keys are an error."""
        return cls(**known_keys(cls, values, "solver"))


def _seed(value: Any) -> int:
    seed = check_number(value, "solver.seed", "0", whole=True, at_least=0)
    # A larger seed (e.g. --seed 99999999999) would fail deep inside CP-SAT, after the data are read.
    if seed > MAX_SEED:
        raise InputError(f"seed = {seed} is above {MAX_SEED:,}, the largest seed CP-SAT takes (32 bits)", fix="use a smaller seed, e.g. seed = 0",
                         column="solver.seed")
    return seed


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
    (:func:`pairing.resolve.resolve`): a level of its own, right after weak
    villages grouped, maximises villages grouped − stability × villages whose
    assignment (the lead they are grouped under, or none) changed. With 1 (the
    default) no reshuffle is worth the villages it would group; 0 re-solves from
    scratch.

    ``second_level`` is the level right after weak villages grouped:
    ``"villages_grouped"`` (the default: most villages grouped) or
    ``"fewest_groups"``: the fewest groups that group those weak villages, so
    the fewest strong villages are tied up leading (a group of strong villages
    only never appears: it would only add a group).

    Examples
    --------
    >>> ObjectiveWeights.from_dict({"industry": 2.0}).compactness
    1.0
    >>> ObjectiveWeights.from_dict({"stability": 0.5}).stability
    0.5
    >>> ObjectiveWeights.from_dict({"second_level": "fewest_groups"}).second_level
    'fewest_groups'
    """

    compactness: float = 1.0
    industry: float = 0.0
    strength_gap: float = 0.0
    stability: float = 1.0
    second_level: str = "villages_grouped"

    def __post_init__(self) -> None:
        validate_fields(self, {
            **{name: partial(check_number, key=f"objective.{name}", example="1.0", at_least=0)
               for name in ("compactness", "industry", "strength_gap", "stability")},
            "second_level": partial(check_choice, key="objective.second_level", choices=SECOND_LEVELS),
        })

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> "ObjectiveWeights":
        """Weights from an ``[objective]`` table; unknown keys are an error."""
        return cls(**known_keys(cls, values, "objective"))
