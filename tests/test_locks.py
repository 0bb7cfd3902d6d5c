"""Planner locks, infeasibility explanations and ungrouped reasons, on a path of six
villages whose optimal plans were worked out by hand.

    a - b - c - d - e - f        400 people each; a and f strong, b..e weak
    x:  0  1000 2000 3000 4000 4500 metres

Without locks the optimum is {a,b,c} and {f,d,e}: all six grouped, all four weak.
"""

import pytest

from hand import as_sets, hand_instance
from pairing import Config, InputError, Rules, check, solve
from pairing.locks import Locks

PATH = [("a", "b"), ("b", "c"), ("c", "d"), ("d", "e"), ("e", "f")]
X = dict(a=0, b=1000, c=2000, d=3000, e=4000, f=4500)


@pytest.fixture
def path():
    return hand_instance(PATH, dict.fromkeys("abcdef", 400), dict(a=10, b=1, c=2, d=3, e=4, f=9), weak="bcde",
                         eligible="af", xy={v: (x, 0) for v, x in X.items()})


def solved(instance, **locks):
    plan = solve(instance, locks=Locks(**locks), time_limit=10, workers=1)
    assert plan.status == "OPTIMAL", plan.conflicts
    assert check(plan) == []
    return plan


def test_no_locks(path):
    assert as_sets(solved(path)) == {("a", frozenset("abc")), ("f", frozenset("def"))}


def test_exclude_and_the_reasons_it_leaves(path):
    plan = solved(path, exclude=["c"])
    assert as_sets(plan) == {("f", frozenset("def"))}
    assert plan.reasons["c"] == "excluded"
    assert plan.reasons["b"] == "no_feasible_group: only 2 villages reachable, fewer than 3"
    assert plan.assignment().set_index("village_id").loc["c", "reason"] == "excluded"


def test_not_lead(path):
    # f may not lead, so {d,e,f} has no lead; a leads the largest group it can: 5 villages, 2,000 people.
    assert as_sets(solved(path, not_lead=["f"])) == {("a", frozenset("abcde"))}


def test_together_and_not_chosen(path):
    # c and d together: the best is one group of five; f's is closer (8,000 m against 10,000 m).
    plan = solved(path, together=[["c", "d"]])
    assert as_sets(plan) == {("f", frozenset("bcdef"))}
    assert plan.reasons["a"].startswith("not_chosen")


def test_apart(path):
    # Every group a can lead holds b and c.
    assert as_sets(solved(path, apart=[["b", "c"]])) == {("f", frozenset("cdef"))}


def test_pin(path):
    assert as_sets(solved(path, pin={"d": "a"})) == {("a", frozenset("abcde"))}


def test_leads_lets_a_village_lead_beyond_the_top_share():
    # Only a is eligible; leads = [d] lets d lead {d, e, f} (d is not weak and strongest there),
    # which groups all six villages.
    instance = hand_instance(PATH, dict.fromkeys("abcdef", 400), dict(a=10, b=1, c=2, d=5, e=4, f=3), weak="bce", eligible="a")
    assert as_sets(solved(instance, leads=["d"])) == {("a", frozenset("abc")), ("d", frozenset("def"))}
    assert all(group.lead != "d" for group in solved(instance).groups)


@pytest.mark.parametrize("locks, explanation", [
    (dict(together=[list("abcdef")]), ["together a, b, c, d, e, f: 6 villages exceed the group size limit 5"]),
    (dict(leads=["d"]), ["leads d: d is weak and a weak village may not lead"]),
    (dict(pin={"b": "f"}, exclude=["f"]), ["pin b -> f: f is excluded"]),
    (dict(pin={"a": "f"}), ["pin a -> f: a is stronger than the lead f, and a lead must be the strongest of its group"]),
])
def test_a_lock_no_group_can_keep_is_explained(path, locks, explanation):
    plan = solve(path, locks=Locks(**locks), time_limit=10)
    assert plan.status == "INFEASIBLE" and plan.groups == ()
    assert list(plan.conflicts) == explanation


def test_locks_that_conflict_with_each_other_are_named(path):
    # a can only lead groups holding c, and c is pinned to f.
    plan = solve(path, locks=Locks(leads=["a"], pin={"c": "f"}, apart=[["a", "f"]]), time_limit=10)
    assert plan.status == "INFEASIBLE"
    assert sorted(conflict.split(":")[0] for conflict in plan.conflicts) == ["leads a", "pin c -> f"]


def test_pin_across_townships():
    instance = hand_instance(PATH, dict.fromkeys("abcdef", 400), dict(a=10, b=1, c=2, d=3, e=4, f=9), weak="bcde",
                             eligible="af", township=dict(a="T1", b="T1", c="T1", d="T2", e="T2", f="T2"))
    plan = solve(instance, locks=Locks(pin={"c": "f"}), time_limit=10)
    assert plan.conflicts == ("pin c -> f: they are in different townships (T1, T2) and same_township = true",)
    assert solve(instance, Rules(same_township=False), locks=Locks(pin={"c": "f"}), time_limit=10).status == "OPTIMAL"


def test_together_over_the_population_ceiling():
    instance = hand_instance(PATH, dict(a=900, b=800, c=700, d=400, e=400, f=400), dict(a=10, b=1, c=2, d=3, e=4, f=9),
                             weak="bcde", eligible="af")
    plan = solve(instance, locks=Locks(together=[["a", "b", "c"]]), time_limit=10)
    assert plan.conflicts == ("together a, b, c: together they have 2,400 people, over the ceiling 2,000",)


def test_unknown_village_in_a_lock_is_an_input_error(path):
    with pytest.raises(InputError, match="locks.apart.*unknown village zz"):
        solve(path, locks=Locks(apart=[["a", "zz"]]))


def test_locks_from_config_and_the_checker_checks_them(path):
    config = Config.from_dict({"locks": {"exclude": ["a"], "together": [["c", "d"]], "apart": [["e", "f"]]}})
    assert config.locks.exclude == ("a",) and config.locks.together == (("c", "d"),)
    plan = solve(path, locks=Locks(), time_limit=10)  # ignores the locks: {a,b,c} {d,e,f}
    assert sorted(v.rule for v in check(plan, locks=config.locks)) == ["apart", "exclude", "together"]
