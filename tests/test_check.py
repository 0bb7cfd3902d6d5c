"""The checker names every kind of violation, and only those."""

import pytest

from hand import hand_instance
from pairing import Group, Plan, Rules, check

#   a - b - c - d - e      f (alone)      g - h (township T2)
EDGES = [("a", "b"), ("b", "c"), ("c", "d"), ("d", "e"), ("g", "h"), ("e", "g")]
POPULATION = dict(a=500, b=400, c=300, d=400, e=1500, f=400, g=300, h=300)
STRENGTH = dict(a=9, b=1, c=2, d=3, e=8, f=4, g=5, h=0.5)
TOWNSHIP = dict(a="T1", b="T1", c="T1", d="T1", e="T1", f="T1", g="T2", h="T2")


@pytest.fixture
def instance():
    return hand_instance(EDGES, POPULATION, STRENGTH, weak="bcdh", eligible="aeg", township=TOWNSHIP)


def rules_broken(instance, *groups, rules=Rules()):
    return sorted((v.rule, v.group_id) for v in check(Plan(instance, rules, tuple(groups))))


def test_valid_plan_has_no_violation(instance):
    assert rules_broken(instance, Group("G1", ("a",), ("b", "c"))) == []


@pytest.mark.parametrize("group, expected", [
    (Group("G1", ("a",), ("b",)), [("group_size", "G1"), ("group_population", "G1")]),
    (Group("G1", ("e",), ("d", "c")), [("group_population", "G1")]),  # 2,200 people
    (Group("G1", ("a",), ("b", "d")), [("connected", "G1")]),
    (Group("G1", ("a", "e"), ("b",)), [("connected", "G1"), ("group_population", "G1"), ("one_lead", "G1")]),
    (Group("G1", (), ("a", "b", "c")), [("one_lead", "G1")]),
    (Group("G1", ("b",), ("a", "c")), [("lead_eligible", "G1"), ("lead_not_weak", "G1"), ("lead_strongest", "G1")]),
    (Group("G1", ("a",), ("b", "zz")), [("group_population", "G1"), ("village_known", "G1")]),
    (Group("G1", ("g",), ("e", "h")), [("lead_strongest", "G1"), ("group_population", "G1"), ("same_township", "G1")]),
])
def test_each_broken_rule_is_named(instance, group, expected):
    assert rules_broken(instance, group) == sorted(expected)


def test_village_in_two_groups(instance):
    assert rules_broken(instance, Group("G1", ("a",), ("b", "c")), Group("G2", ("e",), ("c", "d")))[0] == ("disjoint", "G1, G2")


def test_star_rule_and_the_figures_in_the_message(instance):
    violations = check(Plan(instance, Rules(contiguity="star"), (Group("G1", ("a",), ("b", "c")),)))
    assert [str(v) for v in violations] == ["group G1: star: members c are not adjacent to lead a"]
    over = check(Plan(instance, Rules(), (Group("G1", ("e",), ("d", "c")),)))
    assert str(over[0]) == "group G1: group_population: population 2,200, outside 1,000-2,000"


def test_check_against_other_rules(instance):
    plan = Plan(instance, Rules(), (Group("G1", ("e",), ("d", "c")),))
    assert check(plan, rules=Rules(group_population=(1000, 2500))) == []
