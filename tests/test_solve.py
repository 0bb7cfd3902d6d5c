"""The solver on hand-drawn instances whose optimal plans were worked out by hand."""


import networkx as nx
import numpy as np
from hypothesis import given, settings, strategies as st

from hand import as_sets, hand_instance
from pairing import Rules, check, solve
from pairing.model import merged as packing
from pairing.model.candidates import Candidates, enumerate_candidates
from pairing.model.merged import MergedLevels
from pairing.model.packing import StageResult


def test_path_splits_into_two_groups_one_per_strong_end():
    # a-b-c-d-e-f, 400 people each: only {a,b,c} led by a and {d,e,f} led by f keep all six.
    instance = hand_instance([("a", "b"), ("b", "c"), ("c", "d"), ("d", "e"), ("e", "f")],
                             dict.fromkeys("abcdef", 400), dict(a=10, b=1, c=2, d=3, e=4, f=9), weak="bcde", eligible="af")
    plan = solve(instance, time_limit=10)
    assert plan.status == "OPTIMAL"
    assert as_sets(plan) == {("a", frozenset("abc")), ("f", frozenset("def"))}
    assert plan.objective.weak_grouped == 4 and plan.objective.villages_grouped == 6
    assert check(plan) == []


def test_star_rule_needs_every_member_next_to_the_lead():
    # b-a-c-d with a strongest: connected takes all four, star cannot reach d.
    edges = [("b", "a"), ("a", "c"), ("c", "d")]
    instance = hand_instance(edges, dict.fromkeys("abcd", 400), dict(a=9, b=1, c=2, d=3), weak="bcd", eligible="a")
    assert as_sets(solve(instance, time_limit=10)) == {("a", frozenset("abcd"))}
    star = solve(instance, Rules(contiguity="star"), time_limit=10)
    assert as_sets(star) == {("a", frozenset("abc"))}
    assert check(star) == []


def test_population_ceiling_is_inclusive():
    edges = [("a", "b"), ("b", "c")]
    at_ceiling = hand_instance(edges, dict(a=1000, b=500, c=500), dict(a=9, b=1, c=2), weak="bc", eligible="a")
    assert as_sets(solve(at_ceiling, time_limit=10)) == {("a", frozenset("abc"))}
    over = hand_instance(edges, dict(a=1000, b=501, c=500), dict(a=9, b=1, c=2), weak="bc", eligible="a")
    plan = solve(over, time_limit=10)
    assert plan.groups == () and plan.status == "OPTIMAL"


def test_groups_stay_in_their_township_unless_allowed():
    # 300 people each: a group needs all four villages, and d is in another township.
    edges = [("a", "b"), ("b", "c"), ("c", "d")]
    instance = hand_instance(edges, dict.fromkeys("abcd", 300), dict(a=9, b=1, c=2, d=3), weak="bc", eligible="a",
                             township=dict(a="T1", b="T1", c="T1", d="T2"))
    assert solve(instance, time_limit=10).groups == ()
    across = solve(instance, Rules(same_township=False), time_limit=10)
    assert as_sets(across) == {("a", frozenset("abcd"))}
    assert [v.rule for v in check(across, rules=Rules())] == ["same_township"]


def test_weak_villages_come_before_more_villages_and_distance_breaks_ties():
    # A (800) can lead {x, y, z} (4 villages, no weak one) or {w, one of x/y/z} (3 villages, w weak).
    # Weak first: take w, then the nearest of x, y, z.
    edges = [("A", "w"), ("A", "x"), ("A", "y"), ("A", "z")]
    instance = hand_instance(edges, dict(A=800, w=800, x=400, y=400, z=400), dict(A=9, w=1, x=2, y=3, z=4), weak="w",
                             eligible="A", xy=dict(A=(0, 0), w=(0, 900), x=(1500, 0), y=(0, -1000), z=(-2000, 0)))
    plan = solve(instance, time_limit=10)
    assert as_sets(plan) == {("A", frozenset("Awy"))}
    assert plan.objective.distance == 1900
    assert plan.status == "OPTIMAL" and plan.gap == 0.0
    assert [stage["objective"] for stage in plan.stages[1:]] == ["weak_grouped", "villages_grouped", "distance"]


def test_lead_is_strongest_eligible_and_not_weak():
    # c is strongest but weak: a group of {a, b, c} would need c as lead, so no group forms.
    instance = hand_instance([("a", "b"), ("b", "c")], dict.fromkeys("abc", 400), dict(a=5, b=1, c=9), weak="bc")
    assert solve(instance, time_limit=10).groups == ()


def test_empty_instance_graph_gives_empty_optimal_plan():
    instance = hand_instance([], dict(a=400, b=400), dict(a=1, b=2), weak="a")
    plan = solve(instance, time_limit=5)
    assert plan.groups == () and plan.status == "OPTIMAL" and plan.metrics()["weak_grouped"] == 0


def _best_by_brute_force(instance, rules):
    """Lexicographic (weak, grouped, -distance) optimum by trying every disjoint set of candidates."""
    candidates = enumerate_candidates(instance, rules)
    best = (0, 0, 0)

    def grow(start, used, weak, size, distance):
        nonlocal best
        best = max(best, (weak, size, -distance))
        for c in range(start, len(candidates)):
            rows = set(candidates.groups[c])
            if not rows & used:
                grow(c + 1, used | rows, weak + candidates.weak[c], size + candidates.size[c], distance + candidates.distance[c])

    grow(0, set(), 0, 0, 0)
    return best


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), contiguity=st.sampled_from(["connected", "star"]),
       merge=st.sampled_from(["merged", "one level at a time"]))
def test_random_small_instances_are_optimal_and_valid(seed, contiguity, merge):
    rng = np.random.default_rng(seed)
    graph = nx.connected_watts_strogatz_graph(9, 4, 0.3, seed=seed)
    ids = [f"v{i}" for i in range(9)]
    population = {ids[i]: int(rng.integers(150, 700)) for i in range(9)}
    strength = {ids[i]: float(rng.random()) for i in range(9)}
    weak = {v for v in ids if strength[v] < 0.5}
    xy = {v: (int(rng.integers(0, 5000)), int(rng.integers(0, 5000))) for v in ids}
    instance = hand_instance([(ids[a], ids[b]) for a, b in graph.edges], population, strength, weak,
                             eligible={v for v in ids if strength[v] > 0.4}, xy=xy)
    rules = Rules(contiguity=contiguity)
    # MERGE_RANGE = 1 leaves every level to a search of its own.
    merge_range, packing.MERGE_RANGE = packing.MERGE_RANGE, packing.MERGE_RANGE if merge == "merged" else 1
    try:
        plan = solve(instance, rules, time_limit=10, workers=1)
    finally:
        packing.MERGE_RANGE = merge_range
    assert plan.status == "OPTIMAL"
    assert check(plan) == []
    objective = plan.objective
    assert (objective.weak_grouped, objective.villages_grouped, -objective.distance) == _best_by_brute_force(instance, rules)


def _three_candidates() -> Candidates:
    # Rows 0-5; candidates {0,1,2}, {2,3,4} and {3,4,5}.
    return Candidates(((0, 1, 2), (2, 3, 4), (3, 4, 5)), weak=np.array([1, 0, 1]), size=np.array([3, 3, 3]),
                      distance=np.array([900, 100, 4000]))


def test_merged_weights_outweigh_everything_the_levels_below_can_add():
    levels = [("villages_grouped", np.array([3, 3, 3]), True), ("distance", np.array([900, 100, 4000]), False)]
    (merged,) = MergedLevels.merge(_three_candidates(), 6, levels)
    # A plan's distance lies within [-4,901, 1] (every village at its costliest group's share, one either side):
    # one village more must outweigh all of it.
    assert merged.weights == (4_903, 1)
    assert merged.coefficients.tolist() == [3 * 4_903 - 900, 3 * 4_903 - 100, 3 * 4_903 - 4000]


def test_levels_too_wide_for_doubles_get_searches_of_their_own(monkeypatch):
    levels = [("villages_grouped", np.array([3, 3, 3]), True), ("distance", np.array([900, 100, 4000]), False)]
    monkeypatch.setattr(packing, "MERGE_RANGE", 1_000)
    assert [m.names for m in MergedLevels.merge(_three_candidates(), 6, levels)] == [("villages_grouped",), ("distance",)]


def test_split_proves_a_level_when_the_merged_bound_leaves_it_no_room():
    levels = [("villages_grouped", np.array([3, 3, 3]), True), ("distance", np.array([900, 100, 4000]), False)]
    (merged,) = MergedLevels.merge(_three_candidates(), 6, levels)
    selection = (0, 2)  # 6 villages, 4,900 m
    value = int(merged.coefficients[list(selection)].sum())
    # Unproven, the merged bound 1,000 above: 6 villages is still the most (7 would need 4,903 more), and
    # distance can be at best 4,900 - 1,000.
    stages = merged.split(StageResult("villages_grouped+distance", "FEASIBLE", value, value + 1000, 1.0, selection), selection)
    assert [(s.objective, s.status, s.value, s.bound) for s in stages] == [
        ("villages_grouped", "OPTIMAL", 6, 6), ("distance", "FEASIBLE", 4900, 3900)]
    # A bound a whole village above leaves even the first level unproven; distance keeps its value, with no bound.
    stages = merged.split(StageResult("villages_grouped+distance", "FEASIBLE", value, value + 4_903, 1.0, selection), selection)
    assert [(s.objective, s.status, s.value, s.bound) for s in stages] == [("villages_grouped", "FEASIBLE", 6, 7),
                                                                          ("distance", "FEASIBLE", 4900, None)]


def test_same_input_seed_and_one_worker_give_the_same_plan():
    import networkx as nx
    import pandas as pd
    from pairing import Instance
    from pairing.graph import polygon_adjacency
    from pairing.synth import synthetic_county

    county = synthetic_county(120, 3, seed=5)
    edges, _ = polygon_adjacency(county.geometry, list(county["village_id"]), 5.0)
    points = county.geometry.representative_point()
    instance = Instance(pd.DataFrame(county.drop(columns="geometry")).assign(x=points.x.values, y=points.y.values), nx.Graph(edges))
    first, second = (solve(instance, time_limit=20, workers=1, seed=7) for _ in range(2))
    assert first.status == "OPTIMAL"
    assert first.assignment().equals(second.assignment())


def test_a_failure_inside_cp_sat_is_raised_as_a_solver_error():
    import pytest
    from ortools.sat.python import cp_model

    from pairing.model.cpsat import SolverError, run_solver

    class Failing:
        def solve(self, model, callback=None):
            raise RuntimeError("the search thread broke")

        def stop_search(self):
            pass

    with pytest.raises(SolverError, match="the search thread broke"):
        run_solver(Failing(), cp_model.CpModel())
    invalid = cp_model.CpModel()
    invalid.proto.variables.add().domain.extend([5, 3])  # an empty domain: CP-SAT says MODEL_INVALID
    with pytest.raises(SolverError, match="invalid"):
        run_solver(cp_model.CpSolver(), invalid)
