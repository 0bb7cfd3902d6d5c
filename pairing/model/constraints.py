"""The planner's locks as constraints over candidate groups, and the explanation
of an infeasible set of locks.

``exclude`` and ``not_lead`` shape the candidates themselves (see
:func:`pairing.model.candidates.enumerate_candidates`); the others become a
:class:`LockConstraint`: candidates it forbids, and candidates of which the plan
must use exactly one. Forbidden candidates are simply left out of every model
(:func:`usable_candidates`); the required ones hold in every model a search
builds, over whatever part of the candidates it sees (:class:`RequiredLocks`).

Every candidate a lock requires contains the lock's village (``leads v`` and
``pin v -> l``: v; ``together``: all of them), so a plan holds at most one of
them anyway, and adding a candidate disjoint from a plan never breaks a lock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from ortools.sat.python import cp_model

from ..errors import InputError
from ..instance import Instance
from ..deadline import Deadline
from ..locks import Locks
from ..rules import Rules
from .candidates import Candidates, enumerate_candidates


@dataclass(frozen=True)
class LockConstraint:
    """One lock over the candidates: ``forbidden`` may not be used; when
    ``required`` is not None, exactly one of them must be."""

    lock: str
    forbidden: tuple[int, ...]
    required: tuple[int, ...] | None


@dataclass(frozen=True)
class RequiredLocks:
    """The locks that need exactly one of some candidates (``leads``,
    ``together``, ``pin``), over one list of candidates (a block, the weak
    level's pruned candidates, a window): ``required[k]`` are the positions in
    that list of the candidates lock ``names[k]`` accepts.

    Examples
    --------
    >>> constraints = [LockConstraint("leads a", (), (4, 7)), LockConstraint("apart a, b", (5,), None)]
    >>> locks = RequiredLocks.of(constraints, [7, 6, 4])
    >>> locks.required, locks.kept_by([0]), locks.kept_by([1]), locks.kept_by([0, 2])
    (((0, 2),), True, False, False)
    >>> locks.subset([2, 1]).required, locks.within([1]).names
    (((0,),), ())
    """

    names: tuple[str, ...] = ()
    required: tuple[tuple[int, ...], ...] = ()

    @classmethod
    def of(cls, constraints: Sequence[LockConstraint], positions: Sequence[int]) -> "RequiredLocks":
        """The required candidates of ``constraints`` (indices of all candidates)
        among ``positions``, as positions in that list; locks with none there are
        left out (their candidates are all in another block)."""
        local = {c: k for k, c in enumerate(positions)}
        names, required = [], []
        for constraint in constraints:
            if constraint.required is None:
                continue
            here = tuple(sorted(local[c] for c in constraint.required if c in local))
            if here:
                names.append(constraint.lock)
                required.append(here)
        return cls(tuple(names), tuple(required))

    def __bool__(self) -> bool:
        return bool(self.names)

    def __len__(self) -> int:
        return len(self.names)

    @property
    def candidates(self) -> list[int]:
        """Every candidate some lock accepts, in order: a search over part of the
        candidates keeps them all."""
        return sorted({c for required in self.required for c in required})

    def subset(self, keep: Sequence[int]) -> "RequiredLocks":
        """The same locks over the candidates at positions ``keep`` (as
        :meth:`Candidates.subset` takes them); a lock left with no candidate is
        kept with none, so that it still cannot hold."""
        position = {c: k for k, c in enumerate(keep)}
        return RequiredLocks(self.names, tuple(tuple(position[c] for c in required if c in position) for required in self.required))

    def within(self, block: Sequence[int]) -> "RequiredLocks":
        """The locks over an independent block of the candidates (positions
        ``block``): those with candidates there, the others being another
        block's (a lock's candidates share a village, so they are all in one)."""
        kept = self.subset(block)
        names, required = zip(*[(name, here) for name, here in zip(kept.names, kept.required) if here]) if any(kept.required) else ((), ())
        return RequiredLocks(tuple(names), tuple(required))

    def kept_by(self, selection: Sequence[int]) -> bool:
        """Whether a selection (positions) holds exactly one candidate of every lock."""
        chosen = set(selection)
        return all(sum(c in chosen for c in required) == 1 for required in self.required)

    def by_candidate(self) -> dict[int, list[int]]:
        """Position -> the locks (indices into ``names``) that accept it."""
        locks: dict[int, list[int]] = {}
        for k, required in enumerate(self.required):
            for c in required:
                locks.setdefault(c, []).append(k)
        return locks

    def add_to(self, model: cp_model.CpModel, chosen: Sequence, only: Sequence[int] | None = None) -> None:
        """Each lock (or each of ``only``) as "exactly one of its candidates" in a packing model."""
        for k in range(len(self.required)) if only is None else only:
            model.add_exactly_one(chosen[c] for c in self.required[k])


@dataclass(frozen=True)
class LockedCandidates:
    """A county's candidates under the planner's locks: all of them (for the
    reasons of ungrouped villages and the explanation of conflicting locks), the
    locks as constraints, and the ``usable`` ones no lock forbids (at
    ``positions`` among all) with the locks that need one of them.

    Examples
    --------
    >>> county = path_county(villages=4, strength=[4.0, 1, 2, 3])
    >>> locked = LockedCandidates.enumerate(county, Rules(group_size=(3, 3)), Locks(apart=[("a", "b")]))
    >>> locked.all.groups, locked.positions, locked.usable.groups
    (((0, 1, 2), (3, 1, 2)), [1], ((3, 1, 2),))
    """

    all: Candidates
    constraints: tuple[LockConstraint, ...]
    positions: list[int]
    usable: Candidates
    locks: RequiredLocks

    @classmethod
    def enumerate(cls, instance: Instance, rules: Rules, locks: Locks, deadline: Deadline | None = None) -> "LockedCandidates":
        """Every candidate the rules and the locks allow, with the locks over them."""
        check_lock_ids(instance, locks)
        candidates = enumerate_candidates(instance, rules, locks, deadline=deadline)
        constraints = tuple(lock_constraints(instance, candidates, locks))
        forbidden = {c for constraint in constraints for c in constraint.forbidden}
        positions = [c for c in range(len(candidates)) if c not in forbidden]
        return cls(candidates, constraints, positions, candidates.subset(positions), RequiredLocks.of(constraints, positions))

    def unsatisfiable(self) -> list[LockConstraint]:
        """The locks that no usable candidate can keep (the locks over the usable
        candidates leave out those with none there)."""
        kept = set(self.locks.names)
        return [constraint for constraint in self.constraints if constraint.required is not None and constraint.lock not in kept]


def check_lock_ids(instance: Instance, locks: Locks) -> None:
    """Every village a lock names must be in the instance."""
    for lock, village in locks.villages():
        if village not in instance:
            raise InputError(f"[locks] {lock} names unknown village {village}", fix="use a village_id from the input table",
                             row=f"village {village}", column=f"locks.{lock}")


def lock_constraints(instance: Instance, candidates: Candidates, locks: Locks) -> list[LockConstraint]:
    """The locks ``leads``, ``together``, ``apart`` and ``pin`` as constraints.

    A lock that needs one group (``leads v``, ``together``, ``pin v -> l``) also
    forbids every other candidate holding its villages, which no plan keeping it
    can use: the models are smaller, and the locked 3,000-village benchmark's
    exact-cover question is settled sooner. Found through the candidates that
    hold each named village, so the cost is that of those candidates, not of
    all candidates per lock.

    Examples
    --------
    >>> instance = path_county(strength=[4.0, 1, 2, 3])
    >>> from pairing.model.candidates import enumerate_candidates
    >>> candidates = enumerate_candidates(instance, Rules(group_size=(3, 3)))
    >>> candidates.groups
    ((0, 1, 2), (3, 1, 2))
    >>> [(c.lock, c.forbidden, c.required) for c in lock_constraints(instance, candidates, Locks(leads=["d"], apart=[("a", "b")]))]
    [('leads d', (), (1,)), ('apart a, b', (0,), None)]
    """
    if not locks:
        return []
    containing = candidates.containing(instance.n)
    lead = np.fromiter((rows[0] for rows in candidates.groups), dtype=np.int64, count=len(candidates))

    def holding(villages) -> set[int]:
        return set.intersection(*(set(containing[instance.index(v)]) for v in villages))

    def holding_any(villages) -> set[int]:
        return set().union(*(containing[instance.index(v)] for v in villages))

    def led_by(village: str, lead_village: str) -> set[int]:
        row = instance.index(lead_village)
        return {c for c in containing[instance.index(village)] if lead[c] == row}

    def exactly(name: str, required: set[int], villages) -> LockConstraint:
        # Every chosen group holding one of these villages must be the lock's group:
        # the other candidates holding them can never be used.
        return LockConstraint(name, tuple(sorted(holding_any(villages) - required)), tuple(sorted(required)))

    constraints = [exactly(f"leads {v}", led_by(v, v), [v]) for v in locks.leads]
    constraints += [exactly(f"together {', '.join(villages)}", holding(villages), villages) for villages in locks.together]
    constraints += [LockConstraint(f"apart {a}, {b}", tuple(sorted(holding((a, b)))), None) for a, b in locks.apart]
    constraints += [exactly(f"pin {v} -> {l}", led_by(v, l), [v, l]) for v, l in locks.pin.items()]
    return constraints
