"""Enumerate every group the rules allow.

Groups are tiny (3-5 villages) and local, so all of them can be listed: a
connected set is grown from its smallest row outwards (the ESU scheme of
Wernicke 2006, which yields each connected set exactly once), pruned as soon as
the population ceiling is passed (populations are positive, so no superset can
come back under it). Set packing over these candidates has a far tighter LP
relaxation than an assignment model with flow-based contiguity.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import chain, combinations

import numpy as np
from networkx.utils import UnionFind

from ..deadline import Deadline
from ..instance import Instance
from ..locks import Locks
from ..rules import Rules

#: Long loops here check their deadline every this many candidates.
CHECK_EVERY = 20_000


@dataclass(frozen=True)
class Candidates:
    """Candidate groups as row tuples (lead first, then members in row order)."""

    groups: tuple[tuple[int, ...], ...]
    weak: np.ndarray
    size: np.ndarray
    distance: np.ndarray

    def __len__(self) -> int:
        return len(self.groups)

    def padded(self) -> np.ndarray:
        """The groups' rows as one array (see :func:`padded_rows`; computed once, do not change it)."""
        if "_padded" not in self.__dict__:
            padded = padded_rows(self.groups, int(self.size.max(initial=1)))
            padded.setflags(write=False)
            self.__dict__["_padded"] = padded
        return self.__dict__["_padded"]

    def subset(self, keep: list[int]) -> "Candidates":
        """The candidates at positions ``keep``, in that order."""
        return Candidates(tuple(self.groups[c] for c in keep), self.weak[keep], self.size[keep], self.distance[keep])

    def useful_for_weak(self, weak: np.ndarray, deadline: Deadline | None = None) -> list[int]:
        """Candidates worth keeping when only weak villages grouped counts: those
        with a weak village that do not contain a smaller candidate with the same
        weak villages (any plan using them can swap in the smaller one)."""
        if not len(self):
            return []
        if deadline is not None:
            deadline.check()
        smallest, largest = int(self.size.min()), int(self.size.max())
        # Only a candidate smaller than the largest can be inside another.
        known = {frozenset(rows) for rows, size in zip(self.groups, self.size.tolist()) if size < largest}
        keep = []
        for c, (rows, count) in enumerate(zip(self.groups, self.weak.tolist())):
            if deadline is not None and c % CHECK_EVERY == 0:
                deadline.check()
            if not count:
                continue
            if len(rows) == smallest:
                keep.append(c)
                continue
            weak_rows = [r for r in rows if weak[r]]
            others = [r for r in rows if not weak[r]]
            if not any(frozenset((*weak_rows, *kept)) in known
                       for k in range(max(0, smallest - len(weak_rows)), len(others)) for kept in combinations(others, k)):
                keep.append(c)
        return keep

    def blocks(self, n: int) -> list[list[int]]:
        """Candidates split into independent blocks: two candidates are in one block
        when a chain of candidates sharing villages links them. Blocks can be
        solved separately, and the lexicographic optimum of the whole is the union
        of the blocks' optima (the objective is a sum over candidates). Blocks come
        in the order of their first candidate, each in candidate order."""
        if not len(self):
            return []
        padded = self.padded()
        present = padded[:, 1:] >= 0
        leads = padded[:, 0]
        pairs = np.unique(np.repeat(leads[:, None], padded.shape[1] - 1, axis=1)[present] * n + padded[:, 1:][present])
        villages = UnionFind(range(n))
        for code in pairs.tolist():
            villages.union(code // n, code % n)
        root = np.array([villages[row] for row in range(n)], dtype=np.int64)
        _, first, block_of = np.unique(root[leads], return_index=True, return_inverse=True)
        order = np.argsort(block_of, kind="stable")
        parts = np.split(order, np.cumsum(np.bincount(block_of))[:-1])
        return [parts[k].tolist() for k in np.argsort(first)]

    def containing(self, n: int) -> list[list[int]]:
        """For each of ``n`` rows, the candidates it is in, in candidate order
        (computed once; do not change the lists)."""
        cached = self.__dict__.setdefault("_containing", {})
        if n not in cached:
            padded = self.padded()
            present = padded >= 0
            rows, candidate = padded[present], np.nonzero(present)[0]
            order = np.argsort(rows, kind="stable")
            cuts = np.cumsum(np.bincount(rows, minlength=n))[:-1]
            cached[n] = [part.tolist() for part in np.split(candidate[order], cuts)] if len(rows) else [[] for _ in range(n)]
        return cached[n]

    def keys(self, ids: tuple[str, ...]) -> list[tuple[str, frozenset[str]]]:
        """Each candidate's :func:`pairing.plan.group_key`, to match a plan's groups."""
        return [(ids[rows[0]], frozenset(ids[row] for row in rows)) for rows in self.groups]


def padded_rows(groups, width: int) -> np.ndarray:
    """Groups of rows as one array, each padded with -1 to ``width``, so that sums
    over members are computed for all groups at once.

    Examples
    --------
    >>> padded_rows([(3, 1), (0, 1, 2)], 3).tolist()
    [[3, 1, -1], [0, 1, 2]]
    """
    sizes = np.fromiter(map(len, groups), dtype=np.int64, count=len(groups))
    padded = np.full((len(groups), width), -1, dtype=np.int64)
    padded[np.arange(width) < sizes[:, None]] = np.fromiter(chain.from_iterable(groups), dtype=np.int64, count=int(sizes.sum()))
    return padded


def may_be_grouped(instance: Instance, locks: Locks | None) -> np.ndarray:
    """Rows not excluded by the planner."""
    allowed = np.ones(instance.n, dtype=bool)
    for village in locks.exclude if locks else ():
        allowed[instance.index(village)] = False
    return allowed


def may_lead(instance: Instance, rules: Rules, locks: Locks | None) -> np.ndarray:
    """Rows that may lead: eligible (or named a lead by the planner), not weak, not ``not_lead``."""
    can_lead = instance.lead_eligible(rules.lead_top_share).copy()
    for village in locks.may_lead if locks else ():
        can_lead[instance.index(village)] = True
    for village in locks.not_lead if locks else ():
        can_lead[instance.index(village)] = False
    return can_lead & ~instance.weak


def reachable_neighbours(instance: Instance, rules: Rules, allowed: np.ndarray | None = None) -> list[list[int]]:
    """Neighbours each row may share a group with: adjacent, both allowed, and in the
    same township when the rules say so."""
    township = instance.township
    allowed = np.ones(instance.n, dtype=bool) if allowed is None else allowed
    return [
        [j for j in instance.neighbours[i] if allowed[j] and (not rules.same_township or township[j] == township[i])]
        if allowed[i] else []
        for i in range(instance.n)
    ]


def connected_sets(neighbours: list[list[int]], population: np.ndarray, max_size: int, max_population: int):
    """Yield every connected row set of at most ``max_size`` rows and at most
    ``max_population`` people, each once, as a sorted tuple."""
    for root in range(len(neighbours)):
        if population[root] > max_population:
            continue
        yield from _extend(neighbours, population, max_size, max_population, root,
                           (root,), int(population[root]), [u for u in neighbours[root] if u > root], set(neighbours[root]) | {root})


def _extend(neighbours, population, max_size, max_population, root, chosen, people, extension, closed):
    yield tuple(sorted(chosen))
    if len(chosen) == max_size:
        return
    extension = list(extension)
    while extension:
        w = extension.pop()
        if people + population[w] > max_population:
            continue
        # Only neighbours of w that no chosen vertex already reaches may be added later
        # on this branch: that is what makes every set appear once.
        exclusive = [u for u in neighbours[w] if u > root and u not in closed]
        yield from _extend(neighbours, population, max_size, max_population, root, chosen + (w,),
                           people + int(population[w]), extension + exclusive, closed | set(neighbours[w]))


def enumerate_candidates(instance: Instance, rules: Rules, locks: Locks | None = None, *, require_lead: bool = True,
                         deadline: Deadline | None = None) -> Candidates:
    """Every group the rules allow.

    Parameters
    ----------
    instance : Instance
    rules : Rules
    locks : Locks, optional
        ``exclude`` keeps villages out of every candidate; ``not_lead`` stops a
        village leading; ``leads`` and ``pin`` let a village lead even when it is
        not among the strongest ``lead_top_share``. (The other locks are
        constraints of the model, see :mod:`pairing.model.constraints`.)
    require_lead : bool
        If False, skip the lead rules: every group of the right size, population
        and contiguity, whoever leads it.
    deadline : Deadline, optional
        Checked as the sets are listed (raises :class:`pairing.deadline.Stopped`).

    Returns
    -------
    Candidates
        Each group's lead is its strongest village (by ``Instance.strength_rank``);
        with ``rules.weak_in_every_group`` only groups holding a weak village.

    Examples
    --------
    >>> instance = path_county(strength=[4.0, 1, 2, 3], weak=[False, True, True, False])
    >>> enumerate_candidates(instance, Rules(group_size=(3, 3), group_population=(1000, 2000))).groups
    ((0, 1, 2), (3, 1, 2))
    >>> instance = path_county(strength=[4.0, 1, 2, 3], weak=[False, True, False, False])
    >>> enumerate_candidates(instance, Rules(group_size=(2, 2), group_population=(0, 2000), lead_top_share=1.0)).groups
    ((0, 1), (2, 1), (3, 2))
    >>> enumerate_candidates(instance, Rules(group_size=(2, 2), group_population=(0, 2000), lead_top_share=1.0, weak_in_every_group=True)).groups
    ((0, 1), (2, 1))
    """
    low_size, high_size = rules.group_size
    low_people, high_people = rules.group_population
    neighbours = reachable_neighbours(instance, rules, may_be_grouped(instance, locks))
    # Plain lists: this loop runs per connected set, where numpy's per-element
    # indexing costs more than the work itself.
    population, rank = instance.population.tolist(), instance.strength_rank.tolist()
    can_lead = may_lead(instance, rules, locks).tolist()
    weak_rows = instance.weak.tolist()
    if rules.contiguity == "star":
        sets = _star_sets(neighbours, population, rank, can_lead if require_lead else None, high_size, high_people)
    else:
        sets = connected_sets(neighbours, population, high_size, high_people)
    groups = []
    for count, rows in enumerate(sets):
        if deadline is not None and count % CHECK_EVERY == 0:
            deadline.check()
        if len(rows) < low_size or sum(population[row] for row in rows) < low_people:
            continue
        if rules.weak_in_every_group and not any(weak_rows[row] for row in rows):
            continue
        lead = max(rows, key=rank.__getitem__)
        if require_lead and not can_lead[lead]:
            continue
        groups.append((lead, *(row for row in rows if row != lead)))
    groups.sort()
    size = np.array([len(g) for g in groups], dtype=np.int64)
    padded = padded_rows(groups, max(high_size, 1))
    present = padded >= 0
    weak = (instance.weak[np.where(present, padded, 0)] & present).sum(axis=1).astype(np.int64)
    members = present[:, 1:]
    leads = np.repeat(padded[:, :1], members.shape[1], axis=1)[members]
    distance = np.zeros(len(groups), dtype=np.int64)
    np.add.at(distance, np.nonzero(members)[0], instance.distances(leads, padded[:, 1:][members]))
    return Candidates(tuple(groups), weak, size, distance)


def _star_sets(neighbours, population, rank, can_lead, max_size, max_population):
    """Star groups: a lead and 1..max_size-1 weaker neighbours of it. With
    ``can_lead`` None any village may be the hub."""
    for lead in range(len(neighbours)):
        if can_lead is not None and not can_lead[lead]:
            continue
        weaker = [u for u in neighbours[lead] if rank[u] < rank[lead]]
        for k in range(1, max_size):
            for members in combinations(weaker, k):
                if population[lead] + sum(population[m] for m in members) <= max_population:
                    yield tuple(sorted((lead, *members)))
