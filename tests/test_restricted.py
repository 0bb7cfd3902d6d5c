"""A level searched over the LP's columns and the candidates reduced-value fixing
keeps: the LP with a held level is the LP over every column (GLOP, solved
independently here), fixing never leaves out a candidate of a plan at least
as good, and the search's optimum is the whole model's, for the weak level and
for the merged later levels with the weak level held."""

from dataclasses import replace

import numpy as np
import pytest
from ortools.linear_solver import pywraplp

from pairing import Rules
from pairing.deadline import Deadline
from pairing.model.bounds import lp_bound
from pairing.model.candidates import enumerate_candidates
from pairing.model.cpsat import cp_sat_solver
from pairing.model.greedy import greedy_selection
from pairing.model.merged import MergedLevels
from pairing.model.packing import Held, PackingModel
from pairing.model.restricted import KEPT_SHARE, UNSETTLED, search_over_lp
from pairing.rules import SolverParams
from tests.test_exact import county


def full_lp(candidates, n: int, weights: np.ndarray, at_least: list[tuple[np.ndarray, int]]) -> float:
    """The LP relaxation over every column at once, with the held rows."""
    solver = pywraplp.Solver.CreateSolver("GLOP")
    chosen = [solver.NumVar(0.0, 1.0, "") for _ in range(len(candidates))]
    for village_candidates in candidates.containing(n):
        solver.Add(solver.Sum([chosen[c] for c in village_candidates]) <= 1)
    for a, b in at_least:
        solver.Add(solver.Sum([float(a[c]) * chosen[c] for c in range(len(candidates))]) >= b)
    solver.Maximize(solver.Sum([float(weights[c]) * chosen[c] for c in range(len(candidates))]))
    assert solver.Solve() == pywraplp.Solver.OPTIMAL
    return solver.Objective().Value()


def setting(seed: int):
    """A random county across townships, its candidates, the proven weak level
    and the merged later levels' coefficients."""
    instance = county(50, seed)
    candidates = enumerate_candidates(instance, Rules(same_township=False))
    weak = PackingModel(candidates, instance.n).optimise(cp_sat_solver(SolverParams(), 1), "weak", candidates.weak, maximise=True,
                                                        hint=(), deadline=Deadline.after(30))
    assert weak.status == "OPTIMAL"
    (later,) = MergedLevels.merge(candidates, instance.n, [("villages_grouped", candidates.size, True),
                                                           ("distance", candidates.distance, False)])
    return instance, candidates, weak, later.coefficients


def whole_optimum(candidates, n: int, coefficients: np.ndarray, held: list[Held]):
    model = PackingModel(candidates, n)
    for level in held:
        level.on(model)
    stage = model.optimise(cp_sat_solver(SolverParams(), 1), "whole", coefficients, maximise=True, hint=(), deadline=Deadline.after(60))
    assert stage.status == "OPTIMAL"
    return stage


@pytest.mark.parametrize("seed", range(3))
def test_column_generation_with_held_levels_is_the_lp_over_every_column(seed):
    instance, candidates, weak, later = setting(seed)
    best = whole_optimum(candidates, instance.n, later, [Held(candidates.weak, weak.value)])
    grouped = int(candidates.size[list(best.selection)].sum())
    # The merged later levels under the weak level; the distance alone under both levels before it.
    for weights, rows in ((later, [(candidates.weak, weak.value)]),
                          (-candidates.distance, [(candidates.weak, weak.value), (candidates.size, grouped)])):
        relaxed = lp_bound(candidates, weights, at_least=rows, start=best.selection)
        assert relaxed.optimal
        assert relaxed.value == pytest.approx(full_lp(candidates, instance.n, weights, rows), rel=1e-9, abs=1e-6)
        assert relaxed.value >= weights[list(best.selection)].sum() - 1e-6
        # The LP's solution rounded is a packing that keeps the rows, when there is one.
        if relaxed.rounded is not None:
            groups = [row for c in relaxed.rounded for row in candidates.groups[c]]
            assert len(groups) == len(set(groups))
            assert all(a[list(relaxed.rounded)].sum() >= b for a, b in rows)


@pytest.mark.parametrize("seed", range(3))
def test_fixing_keeps_every_candidate_of_every_plan_as_good(seed):
    instance, candidates, _, later = setting(seed)
    rng = np.random.default_rng(seed)
    for weights in (candidates.weak.astype(np.int64), later):
        relaxed = lp_bound(candidates, weights)
        for _ in range(30):
            plan = greedy_selection(candidates, instance.n, first=rng.permutation(len(candidates))[:40].tolist())
            value = int(weights[list(plan)].sum())
            assert set(plan) <= set(relaxed.could_reach(value).tolist())


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("start", ["no plan", "the greedy plan", "the optimum, and no LP columns"])
def test_the_search_over_the_lp_proves_the_whole_models_optimum(seed, start):
    instance, candidates, weak, later = setting(seed)
    held = Held(candidates.weak, weak.value)
    # The weak level; the merged later levels under it; a level every candidate costs (the empty plan
    # is worth most, but breaks the held level).
    for coefficients, levels in ((candidates.weak.astype(np.int64), []), (later, [held]), (-candidates.distance, [held])):
        best = whole_optimum(candidates, instance.n, coefficients, levels)
        hint = weak.selection if levels else () if start == "no plan" else greedy_selection(candidates, instance.n)
        relaxed = lp_bound(candidates, coefficients, at_least=[(level.coefficients, level.value) for level in levels], start=hint)
        if start == "the optimum, and no LP columns":
            # Where the LP is above the optimum, fixing is what proves it, over few candidates.
            hint, relaxed = best.selection, replace(relaxed, columns=np.zeros(0, dtype=np.int64))
            if int(coefficients[list(hint)].sum()) < np.floor(relaxed.value + 1e-6):
                assert len(relaxed.could_reach(int(coefficients[list(hint)].sum()) + 1)) < KEPT_SHARE * len(candidates)

        def model_of(positions, levels=levels):
            model = PackingModel(candidates if positions is None else candidates.subset(positions), instance.n)
            for level in levels:
                level.on(model, positions)
            return model

        stage = search_over_lp(model_of, cp_sat_solver(SolverParams(), 1), "level", coefficients, relaxed, hint, Deadline.after(30))
        assert stage.status == "OPTIMAL"
        assert stage.value == int(coefficients[list(stage.selection)].sum()) == best.value
        assert all(level.coefficients[list(stage.selection)].sum() >= level.value for level in levels)


def test_a_search_out_of_time_keeps_a_valid_bound():
    instance, candidates, weak, later = setting(5)
    held = Held(candidates.weak, weak.value)
    relaxed = lp_bound(candidates, later, at_least=[(candidates.weak, weak.value)], start=weak.selection)

    def model_of(positions):
        model = PackingModel(candidates if positions is None else candidates.subset(positions), instance.n)
        held.on(model, positions)
        return model

    stage = search_over_lp(model_of, cp_sat_solver(SolverParams(), 1), "level", later, replace(relaxed, columns=np.zeros(0, dtype=np.int64)),
                           weak.selection, Deadline.after(0.0))
    assert stage.bound >= whole_optimum(candidates, instance.n, later, [held]).value >= stage.value


@pytest.mark.parametrize("seed", range(2))
def test_a_search_asked_not_to_settle_stops_where_fixing_keeps_too_much(seed):
    instance, candidates, weak, later = setting(seed)
    held = Held(candidates.weak, weak.value)
    relaxed = lp_bound(candidates, later, at_least=[(candidates.weak, weak.value)], start=weak.selection)
    # A looser bound (still a bound) with no reduced values to fix by: fixing keeps every candidate.
    loose = replace(relaxed, value=relaxed.value + 1e6, columns=np.zeros(0, dtype=np.int64), rounded=None,
                    reduced=np.zeros(len(candidates)))
    optimum = whole_optimum(candidates, instance.n, later, [held]).value

    def model_of(positions):
        model = PackingModel(candidates if positions is None else candidates.subset(positions), instance.n)
        held.on(model, positions)
        return model

    search = lambda settle: search_over_lp(model_of, cp_sat_solver(SolverParams(), 1), "level", later, loose,  # noqa: E731
                                           weak.selection, Deadline.after(30), settle=settle)
    unsettled = search(False)
    assert unsettled.status == UNSETTLED
    assert unsettled.value == int(later[list(unsettled.selection)].sum()) <= optimum <= unsettled.bound
    assert candidates.weak[list(unsettled.selection)].sum() >= weak.value
    settled = search(True)
    assert (settled.status, settled.value) == ("OPTIMAL", optimum)


@pytest.mark.parametrize("seed", range(4))
def test_the_search_aims_at_the_bound_first_over_fewer_candidates(seed):
    instance, candidates, weak, later = setting(seed)
    held = Held(candidates.weak, weak.value)
    # No LP columns: the searches after the first (over the plan's candidates alone) are fixing's.
    relaxed = replace(lp_bound(candidates, later, at_least=[(candidates.weak, weak.value)], start=weak.selection),
                      columns=np.zeros(0, dtype=np.int64), rounded=None)
    searched = []

    def model_of(positions):
        searched.append(None if positions is None else list(positions))
        model = PackingModel(candidates if positions is None else candidates.subset(positions), instance.n)
        held.on(model, positions)
        return model

    stage = search_over_lp(model_of, cp_sat_solver(SolverParams(), 1), "level", later, relaxed, weak.selection, Deadline.after(30))
    optimum = whole_optimum(candidates, instance.n, later, [held]).value
    assert (stage.status, stage.value) == ("OPTIMAL", optimum)
    aimed = searched[1:]
    assert aimed[0] == sorted(set(relaxed.could_reach(relaxed.whole).tolist()) | set(weak.selection))
    assert len(aimed[0]) < KEPT_SHARE * len(candidates)
    # Each search after a higher aim holds every candidate the one before held.
    assert all(after is None or set(before) <= set(after) for before, after in zip(aimed, aimed[1:]))
    if optimum == relaxed.whole:  # found where it was first aimed at: proven there
        assert len(aimed) == 1


def test_every_candidate_of_a_plan_reaches_its_value():
    instance, candidates, _, later = setting(0)
    relaxed = lp_bound(candidates, later)
    rng = np.random.default_rng(0)
    for _ in range(30):
        plan = greedy_selection(candidates, instance.n, first=rng.permutation(len(candidates))[:40].tolist())
        assert relaxed.reach()[list(plan)].min() >= later[list(plan)].sum() - 1e-6 * max(1.0, abs(relaxed.value))
