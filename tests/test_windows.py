"""Window-by-window improvement of a plan (pairing.model.windows)."""

import networkx as nx
import pandas as pd

from pairing import Instance, Rules
from pairing.graph import polygon_adjacency
from pairing.model.candidates import enumerate_candidates
from pairing.deadline import Deadline
from pairing.model.cpsat import cp_sat_solver
from pairing.model.greedy import greedy_selection
from pairing.model.windows import improve_in_windows
from pairing.rules import SolverParams
from pairing.synth import synthetic_county


def _county(villages: int) -> Instance:
    county = synthetic_county(villages, 4, seed=3)
    edges, _ = polygon_adjacency(county.geometry, list(county["village_id"]), 5.0)
    points = county.geometry.representative_point()
    return Instance(pd.DataFrame(county.drop(columns="geometry")).assign(x=points.x.values, y=points.y.values), nx.Graph(edges))


def test_windows_improve_the_greedy_plan_and_keep_it_a_packing_that_groups_its_weak_villages():
    instance = _county(300)
    candidates = enumerate_candidates(instance, Rules(same_township=False))
    start = greedy_selection(candidates, instance.n)
    improved = improve_in_windows(candidates, instance.xy, instance.weak, candidates.size, start,
                                  lambda: cp_sat_solver(SolverParams(workers=1)), Deadline.after(20), 2, 30)
    rows = [row for c in improved for row in candidates.groups[c]]
    assert len(rows) == len(set(rows))
    assert candidates.size[list(improved)].sum() > candidates.size[list(start)].sum()
    weak_before = {row for c in start for row in candidates.groups[c] if instance.weak[row]}
    assert weak_before <= set(rows)


def test_a_county_of_two_cells_or_fewer_is_left_as_it_is():
    instance = _county(50)
    candidates = enumerate_candidates(instance, Rules(same_township=False))
    start = greedy_selection(candidates, instance.n)
    assert improve_in_windows(candidates, instance.xy, instance.weak, candidates.size, start,
                              lambda: cp_sat_solver(SolverParams(workers=1)), Deadline.after(5), 1, 30) == start


def test_solve_with_windows_on_every_block_still_gives_a_valid_plan_with_its_proven_weak_level():
    from pairing import check, solve

    instance = _county(300)
    rules = Rules(same_township=False)
    without = solve(instance, rules, time_limit=8)
    plan = solve(instance, rules, params=SolverParams(time_limit=8, windows_from=0))
    assert check(plan) == []
    assert plan.stages[1]["status"] == "OPTIMAL"
    assert plan.objective.weak_grouped == without.objective.weak_grouped


def test_a_block_too_large_for_one_search_is_searched_by_windows_alone_and_not_called_optimal():
    from pairing import check, solve

    plan = solve(_county(300), Rules(same_township=False), params=SolverParams(time_limit=6, windows_from=0, windows_only_from=0))
    assert check(plan) == []
    levels = {stage["objective"]: stage for stage in plan.stages[1:]}
    assert levels["weak_grouped"]["status"] == "OPTIMAL"
    # Without a search over the whole block, the villages level has only its trivial bound: every
    # village some candidate holds.
    assert levels["villages_grouped"]["status"] == "FEASIBLE" and plan.status == "FEASIBLE"
    candidates = enumerate_candidates(plan.instance, plan.rules)
    assert levels["villages_grouped"]["bound"] == len({row for rows in candidates.groups for row in rows})


def test_windows_alone_go_on_to_the_later_levels_when_not_every_weak_village_can_be_grouped():
    from hand import hand_instance
    from pairing import check, solve

    # A can lead w1 or w2 (each with x or y), never both: 800 + 800 + 500 passes the ceiling.
    instance = hand_instance([("A", "w1"), ("A", "w2"), ("A", "x"), ("A", "y")],
                             dict(A=500, w1=800, w2=800, x=300, y=300), dict(A=9, w1=1, w2=2, x=3, y=4),
                             weak={"w1", "w2"}, eligible={"A"})
    plan = solve(instance, params=SolverParams(time_limit=5, windows_only_from=0))
    assert check(plan) == []
    levels = {stage["objective"]: stage for stage in plan.stages[1:]}
    # Not searched whole, the weak level has no bound from a search, and its trivial one is 2 (both weak
    # villages are in some group); the LP (1) proves it, and the later levels are still reached.
    assert (levels["weak_grouped"]["status"], levels["weak_grouped"]["value"], levels["weak_grouped"]["bound"],
            levels["weak_grouped"]["bound_from"]) == ("OPTIMAL", 1, 1, "LP")
    # The plan: A with one weak village, x and y (1,900 people).
    assert levels["villages_grouped"]["value"] == 4 and levels["villages_grouped"]["bound_from"] in ("LP", "Lagrangian", "proven")
