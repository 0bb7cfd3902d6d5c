"""The lexicographic objective as levels over the candidate groups: weak villages
grouped; (re-solving) stability; villages grouped; then the member-to-lead
distance, or the ``[objective]`` weighted cost. Each level is a whole-number
coefficient per candidate, as CP-SAT needs, and says how it is reported.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from .assignment import assignment_changes, previous_leads
from .errors import InputError
from .instance import Instance
from .model.candidates import Candidates
from .model.merged import EXACT_RANGE
from .plan import Plan
from .rules import ObjectiveWeights

#: The stability level's coefficients are ``STABILITY_SCALE × (villages − stability ×
#: changed villages)``, rounded: CP-SAT needs whole numbers, and a weight such as 0.5
#: must still count.
STABILITY_SCALE = 100
#: The weighted third level (``[objective]``) in thousandths of a kilometre (or of a hop).
COST_SCALE = 1000


@dataclass(frozen=True)
class Level:
    """One objective level: a whole-number coefficient per candidate, its
    direction, and how it is reported (the sum over the chosen groups divided by
    ``scale``, in ``unit``)."""

    name: str
    coefficients: np.ndarray
    maximise: bool
    unit: str
    scale: int = 1
    offset: float = 0.0

    @property
    def sign(self) -> int:
        """1 for a level to maximise, -1 for one to minimise: ``sign × coefficients`` is always maximised."""
        return 1 if self.maximise else -1

    def restricted(self, positions: Sequence[int]) -> "Level":
        """The level over the candidates at ``positions``."""
        return replace(self, coefficients=self.coefficients[list(positions)])

    def report(self, value: int | None) -> int | float | None:
        """A plan's sum of coefficients in the level's unit (plus ``offset``, what
        every plan has in common and the coefficients leave out)."""
        if value is None or (self.scale == 1 and not self.offset):
            return value
        return round(value / self.scale + self.offset, 3)


def third_level(instance: Instance, candidates: Candidates, weights: ObjectiveWeights) -> Level:
    """The third objective level: the plain member-to-lead distance (metres, or
    adjacency hops without coordinates) with the default weights, else the
    ``[objective]`` cost per group, ``compactness × distance − industry × members
    sharing the lead's industry − strength_gap × Σ(lead − member strength)``, with
    distance in km (or hops), in thousandths.

    Examples
    --------
    >>> from pairing.model.candidates import enumerate_candidates
    >>> instance = path_county(industry=["姜", "姜", "粮"], x=[0, 1000, 2000], y=0)
    >>> candidates = enumerate_candidates(instance, Rules(group_size=(3, 3), group_population=(1000, 2000)))
    >>> level = third_level(instance, candidates, ObjectiveWeights(industry=2.0))
    >>> level.name, level.unit, level.report(int(level.coefficients[0]))
    ('cost', 'km', 1.0)
    """
    unit = instance.distance_unit()
    if (weights.compactness, weights.industry, weights.strength_gap) == (1.0, 0.0, 0.0):
        return Level("distance", candidates.distance, False, unit)
    industry = instance.villages["industry"].fillna("").astype(str).to_numpy() if "industry" in instance.villages else None
    per_unit = 1000 if unit == "m" else 1  # distances in metres, weights per km; hops stay hops
    cost = []
    for rows, distance in zip(candidates.groups, candidates.distance):
        lead, members = rows[0], rows[1:]
        shared = sum(1 for m in members if industry is not None and industry[lead] and industry[m] == industry[lead])
        gap = sum(instance.strength[lead] - instance.strength[m] for m in members)
        cost.append(COST_SCALE * (weights.compactness * distance / per_unit - weights.industry * shared - weights.strength_gap * gap))
    cost = np.rint(np.array(cost, dtype=float))
    # A plan's cost sums a group's per village at most: beyond this no sum is exact.
    if len(cost) and np.abs(cost).max() * instance.n >= EXACT_RANGE:
        raise InputError(f"the weights make one group's cost {np.abs(cost).max() / COST_SCALE:,.0f} {'km' if unit == 'm' else unit}, "
                         "so a plan's cost can pass 2^53, beyond which the solver's arithmetic is not exact",
                         fix="use smaller weights (they are km, or hops without coordinates)", column="[objective]")
    return Level("cost", cost.astype(np.int64), False, "km" if unit == "m" else "hops", COST_SCALE)


@dataclass(frozen=True)
class Levels:
    """The levels of one solve, in order, and what re-solving adds: the
    candidates that are the previous plan's groups (to start from), and each
    candidate's change to the count of villages whose assignment changes."""

    levels: tuple[Level, ...]
    preferred: frozenset[int] = frozenset()
    changes: np.ndarray | None = None
    grouped_before: int = 0

    @classmethod
    def of(cls, instance: Instance, candidates: Candidates, weights: ObjectiveWeights, previous: Plan | None = None) -> "Levels":
        """The levels over ``candidates``: weak villages grouped, (with a previous
        plan and ``weights.stability > 0``) stability, villages grouped (or the
        fewest groups, ``weights.second_level``), then distance or the weighted cost.

        Examples
        --------
        >>> from pairing import ObjectiveWeights
        >>> from pairing.model.candidates import enumerate_candidates
        >>> county = path_county(villages=4)
        >>> candidates = enumerate_candidates(county, Rules(group_size=(3, 3), lead_top_share=1.0))
        >>> [level.name for level in Levels.of(county, candidates, ObjectiveWeights()).levels]
        ['weak_grouped', 'villages_grouped', 'distance']
        >>> [level.name for level in Levels.of(county, candidates, ObjectiveWeights(second_level="fewest_groups")).levels]
        ['weak_grouped', 'groups', 'distance']
        """
        second = (Level("groups", np.ones(len(candidates), dtype=np.int64), False, "groups") if weights.second_level == "fewest_groups"
                  else Level("villages_grouped", candidates.size, True, "villages"))
        levels = [Level("weak_grouped", candidates.weak, True, "weak villages"), second, third_level(instance, candidates, weights)]
        if previous is None or weights.stability <= 0:
            return cls(tuple(levels))
        leads = previous_leads(previous)
        changes = assignment_changes(instance, candidates, leads)
        grouped_before = sum(1 for village, lead in leads.items() if lead and village in instance)
        coefficients = np.round(STABILITY_SCALE * (candidates.size - weights.stability * changes)).astype(np.int64)
        # Changed villages = those grouped before + Σ changes: the constant part is the offset.
        levels.insert(1, Level("stability", coefficients, True, "villages grouped - stability x villages changed", STABILITY_SCALE,
                               -weights.stability * grouped_before))
        kept = {group.key for group in previous.groups}
        preferred = frozenset(c for c, key in enumerate(candidates.keys(instance.ids)) if key in kept)
        return cls(tuple(levels), preferred, changes, grouped_before)

    def villages_changed(self, selection: Sequence[int]) -> int | None:
        """How many villages a selection changes from the previous plan (None without one)."""
        return None if self.changes is None else self.grouped_before + int(self.changes[list(selection)].sum())
