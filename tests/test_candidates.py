"""Candidate enumeration agrees with brute force and with the independent checker."""

import itertools

import networkx as nx
import numpy as np
import pytest

from hand import random_county
from pairing import Group, Plan, Rules, check
from pairing.model.candidates import connected_sets, enumerate_candidates


@pytest.mark.parametrize("seed", range(20))
def test_connected_sets_lists_each_connected_set_once(seed):
    rng = np.random.default_rng(seed)
    graph = nx.gnp_random_graph(11, 0.3, seed=seed)
    population = rng.integers(1, 5, size=11)
    found = list(connected_sets([sorted(graph[i]) for i in range(11)], population, 4, 10))
    expected = {rows for k in range(1, 5) for rows in itertools.combinations(range(11), k)
                if nx.is_connected(graph.subgraph(rows)) and population[list(rows)].sum() <= 10}
    assert len(found) == len(set(found))
    assert set(found) == expected


@pytest.mark.parametrize("contiguity", ["connected", "star"])
@pytest.mark.parametrize("seed", range(6))
def test_candidates_are_exactly_the_groups_the_checker_accepts(seed, contiguity):
    instance = random_county(seed, 10, (150, 700), township=lambda i: "T1" if i < 6 else "T2")
    ids, strength = list(instance.ids), dict(zip(instance.ids, instance.strength))
    rules = Rules(contiguity=contiguity, lead_top_share=0.5)
    found = {frozenset(instance.ids[r] for r in rows) for rows in enumerate_candidates(instance, rules).groups}
    accepted = set()
    for k in range(2, 7):
        for villages in itertools.combinations(ids, k):
            lead = max(villages, key=lambda v: strength[v])
            plan = Plan(instance, rules, (Group("G", (lead,), tuple(v for v in villages if v != lead)),))
            if not check(plan):
                accepted.add(frozenset(villages))
    assert found == accepted


@pytest.mark.parametrize("contiguity", ["connected", "star"])
@pytest.mark.parametrize("seed", range(6))
def test_the_reasons_search_agrees_with_enumerating_every_group(seed, contiguity):
    from pairing.diagnose import _fits_a_group_ignoring_leads
    from pairing.model.candidates import reachable_neighbours

    instance = random_county(seed, 12, (100, 900))
    rules = Rules(contiguity=contiguity)
    covered = {row for rows in enumerate_candidates(instance, rules, require_lead=False).groups for row in rows}
    neighbours = reachable_neighbours(instance, rules)
    assert {row for row in range(12) if _fits_a_group_ignoring_leads(instance, rules, neighbours, row)} == covered
