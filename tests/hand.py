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


def random_county(seed: int, villages: int, population: tuple[int, int], weak_below: float = 0.4, *, rewire: float = 0.4,
                  **options) -> Instance:
    """A county of ``villages`` on a random connected small-world graph, with
    random populations in ``population`` and strengths, the weakest below
    ``weak_below`` weak; ``options`` as for :func:`hand_instance` (``township``
    may be a function of the village's position)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    graph = nx.connected_watts_strogatz_graph(villages, 4, rewire, seed=seed)
    ids = [f"v{i}" for i in range(villages)]
    people = {v: int(rng.integers(*population)) for v in ids}
    strength = {v: float(rng.random()) for v in ids}
    if callable(options.get("township")):
        options["township"] = {v: options["township"](i) for i, v in enumerate(ids)}
    return hand_instance([(ids[a], ids[b]) for a, b in graph.edges], people, strength, {v for v in ids if strength[v] < weak_below},
                         **options)
