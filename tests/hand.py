"""Small hand-drawn instances for exact assertions."""

from __future__ import annotations

import networkx as nx
import pandas as pd

from pairing import Instance


def hand_instance(edges, population, strength, weak, *, eligible=None, township=None, xy=None, industry=None) -> Instance:
    """An instance from dicts keyed by village id (``xy`` in metres, optional)."""
    ids = list(population)
    table = pd.DataFrame({
        "village_id": ids, "name": [f"村{v}" for v in ids],
        "township": [township[v] if township else "T" for v in ids],
        "population": [population[v] for v in ids],
        "strength": [strength[v] for v in ids],
        "weak": [v in weak for v in ids],
    })
    if eligible is not None:
        table["lead_eligible"] = [v in eligible for v in ids]
    if industry is not None:
        table["industry"] = [industry[v] for v in ids]
    if xy is not None:
        table["x"] = [xy[v][0] for v in ids]
        table["y"] = [xy[v][1] for v in ids]
    graph = nx.Graph()
    graph.add_edges_from(edges)
    return Instance(table, graph)


def as_sets(plan) -> set[tuple[str, frozenset]]:
    """A plan's groups as (lead, all villages) pairs, independent of group ids."""
    return {(group.lead, frozenset(group.villages)) for group in plan.groups}
