"""A village's *assignment*, the notion the re-solve, the alternatives and the
diff share: the lead it is grouped under (itself when it leads), or none. Two
plans differ at a village when its assignment differs, so a group that keeps
its villages under a new lead counts all of them as changed, and a group that
gains a member counts only that member."""

from __future__ import annotations

import numpy as np

from .instance import Instance
from .model.candidates import Candidates
from .plan import Plan


def previous_leads(previous: Plan) -> dict[str, str]:
    """Each village of a previous plan -> the lead it was grouped under (itself when
    it led), "" when it was ungrouped: a village's *assignment*.

    Examples
    --------
    >>> previous_leads(Plan(path_county(strength=[4.0, 1, 2, 3]), Rules(), (Group("G1", ("a",), ("b", "c")),)))
    {'a': 'a', 'b': 'a', 'c': 'a', 'd': ''}
    """
    leads = dict.fromkeys(previous.instance.ids, "")
    leads.update({village: group.lead for group in previous.groups for village in group.villages})
    return leads


def assignment_changes(instance: Instance, candidates: Candidates, leads: dict[str, str]) -> np.ndarray:
    """Per candidate group, how choosing it changes the count of villages whose
    assignment differs from ``leads`` (see :func:`previous_leads`): +1 for each
    of its villages that was ungrouped, -1 for each that keeps its lead.

    A plan's changed villages are then ``(villages grouped in leads) + Σ chosen
    changes``: a village grouped before counts as changed unless a chosen group
    keeps it under the same lead. Villages missing from ``leads`` (new ones)
    count neither way. The same count measures how far apart two plans are
    (:func:`pairing.alternatives.alternatives`).

    Examples
    --------
    >>> from pairing.model.candidates import enumerate_candidates
    >>> instance = path_county(strength=[4.0, 1, 2, 3])
    >>> candidates = enumerate_candidates(instance, Rules(group_size=(3, 3), group_population=(1000, 2000)))
    >>> candidates.groups, assignment_changes(instance, candidates, {"a": "a", "b": "a", "c": "a", "d": ""}).tolist()
    (((0, 1, 2), (3, 1, 2)), [-3, 1])
    """
    ids = instance.ids
    known = [ids[row] in leads for row in range(instance.n)]
    before = [leads.get(village, "") for village in ids]
    return np.array([sum(1 for row in rows if known[row] and not before[row])
                     - sum(1 for row in rows if known[row] and before[row] == ids[rows[0]])
                     for rows in candidates.groups], dtype=np.int64)


def differing_villages(a: Plan, b: Plan) -> list[str]:
    """The villages (of both plans' instances) whose assignment differs: grouped
    under another lead, or grouped in one plan only.

    Examples
    --------
    >>> instance = path_county(strength=[4.0, 1, 2, 3])
    >>> differing_villages(Plan(instance, Rules(), (Group("G1", ("a",), ("b", "c")),)),
    ...                    Plan(instance, Rules(), (Group("G1", ("d",), ("b", "c")),)))
    ['a', 'b', 'c', 'd']
    """
    before, after = previous_leads(a), previous_leads(b)
    return [village for village in before if village in after and before[village] != after[village]]
