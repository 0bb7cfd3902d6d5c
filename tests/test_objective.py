"""The optional third-level terms: industry similarity and strength gap beside distance.

A (800 people, 生姜) leads w (800, weak) and one of x (400, 粮食, 1,000 m away)
or y (400, 生姜, 1,500 m away): 2,000 people either way. Distance alone picks x.
"""

import pytest

from hand import as_sets, hand_instance
from pairing import Config, InputError, check, solve
from pairing.rules import ObjectiveWeights


@pytest.fixture
def choice():
    return hand_instance([("A", "w"), ("A", "x"), ("A", "y")], dict(A=800, w=800, x=400, y=400), dict(A=9, w=3, x=2, y=1),
                         weak="w", eligible="A", xy=dict(A=(0, 0), w=(0, 900), x=(1000, 0), y=(0, -1500)),
                         industry=dict(A="生姜", w="粮食", x="粮食", y="生姜"))


@pytest.mark.parametrize("weights, member", [
    (ObjectiveWeights(), "x"),                          # 1,900 m against 2,400 m
    (ObjectiveWeights(industry=1.0), "y"),              # 2,400 - 1,000 < 1,900
    (ObjectiveWeights(industry=0.4), "x"),              # 2,400 - 400 > 1,900
    (ObjectiveWeights(strength_gap=1.0), "y"),          # y is 1 weaker than x: worth 1 km > 500 m
])
def test_weights_choose_the_member(choice, weights, member):
    plan = solve(choice, weights=weights, time_limit=10)
    assert as_sets(plan) == {("A", frozenset({"A", "w", member}))}
    assert plan.status == "OPTIMAL" and check(plan) == []
    assert plan.objective.distance == {"x": 1900, "y": 2400}[member]


def test_objective_section_in_config():
    assert Config.from_dict({"objective": {"industry": 2}}).objective == ObjectiveWeights(industry=2)
    with pytest.raises(InputError, match="objective.compactness"):
        Config.from_dict({"objective": {"compactness": -1}})


def test_each_level_is_reported_in_its_own_unit(choice):
    plain = solve(choice, time_limit=10)
    levels = {stage["objective"]: stage for stage in plain.stages[1:]}
    assert levels["distance"]["unit"] == "m" and levels["distance"]["value"] == plain.objective.distance == 1900
    weighted = solve(choice, weights=ObjectiveWeights(industry=1.0), time_limit=10)
    levels = {stage["objective"]: stage for stage in weighted.stages[1:]}
    # The weighted level is its own measure, in km: 2.4 km - 1 km for y's shared industry.
    assert levels["cost"]["unit"] == "km" and levels["cost"]["value"] == levels["cost"]["bound"] == 1.4
    assert weighted.objective.distance == 2400 and weighted.bound.distance is None


def test_without_coordinates_the_weights_count_hops(choice):
    # Every member is one hop from its lead: a shared industry worth 0.5 hops still picks y.
    hops = hand_instance([("A", "w"), ("A", "x"), ("A", "y")], dict(A=800, w=800, x=400, y=400), dict(A=9, w=3, x=2, y=1),
                         weak="w", eligible="A", industry=dict(A="生姜", w="粮食", x="粮食", y="生姜"))
    plan = solve(hops, weights=ObjectiveWeights(industry=0.5), time_limit=10)
    assert as_sets(plan) == {("A", frozenset({"A", "w", "y"}))}
    cost = next(stage for stage in plan.stages if stage["objective"] == "cost")
    assert cost["unit"] == "hops" and cost["value"] == 1.5


def test_weights_beyond_exact_arithmetic_are_refused(choice):
    with pytest.raises(InputError, match="can pass 2\\^53"):
        solve(choice, weights=ObjectiveWeights(strength_gap=1e15), time_limit=10)
