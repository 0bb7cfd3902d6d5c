"""Alternatives, the frontier and the minimal-change re-solve, on hand-drawn
instances whose answers were worked out by hand.

    a - b - c - d - e - f        a path: 400 people each, a and f lead, b..e weak;
    x:  0  1000 2000 3000 4000 4500 metres      the optimum is {a,b,c} {f,d,e}

    r1 .. r6                     a ring (hexagon, 1,000 m sides), 400 people each,
                                 none weak, all may lead; strengths 6 5 1 2 3 4

The ring splits into two groups of three in three ways, grouping all six:
A = {r1 r2 r3} {r6 r4 r5} (5,464 m), B = {r2 r3 r4} {r1 r5 r6} (5,464 m),
C = {r5 r3 r4} {r1 r2 r6} (4,732 m): C is the optimum.
"""

import json
import math

import pandas as pd
import pytest

from hand import as_sets, hand_instance
from pairing import Config, Group, InputError, ObjectiveWeights, Plan, Rules, alternatives, check, compare_plans, frontier, resolve
from pairing.cli import main
from pairing.assignment import differing_villages

PATH = [("a", "b"), ("b", "c"), ("c", "d"), ("d", "e"), ("e", "f")]
RING = [(f"r{k}", f"r{k % 6 + 1}") for k in range(1, 7)]
HEXAGON = {f"r{k}": (20000 + 1000 * math.cos(math.pi * k / 3), 1000 * math.sin(math.pi * k / 3)) for k in range(1, 7)}
RING_A = (Group("G003", ("r1",), ("r2", "r3")), Group("G004", ("r6",), ("r4", "r5")))


def county(population=None, weak="bcde", renamed=None, drop=(), extra=None, edges=None):
    """The path and the ring in one instance (separate blocks)."""
    people = {**dict.fromkeys("abcdef", 400), **dict.fromkeys(HEXAGON, 400), **(population or {})}
    strength = dict(a=10, b=1, c=2, d=3, e=4, f=9, r1=6, r2=5, r3=1, r4=2, r5=3, r6=4)
    xy = {**{v: (x, 0) for v, x in dict(a=0, b=1000, c=2000, d=3000, e=4000, f=4500).items()}, **HEXAGON}
    for village in drop:
        for table in (people, strength, xy):
            table.pop(village)
    for village, (pop, power, point) in (extra or {}).items():
        people[village], strength[village], xy[village] = pop, power, point
    for old, new in (renamed or {}).items():
        for table in (people, strength, xy):
            table[new] = table.pop(old)
    return hand_instance((edges or PATH) + RING, people, strength, weak, eligible={"a", "f", *HEXAGON}, xy=xy)


def previous_plan(instance):
    plan = Plan(instance, Rules(), (Group("G001", ("a",), ("b", "c")), Group("G002", ("f",), ("d", "e")), *RING_A))
    assert check(plan) == []
    return plan


def test_unchanged_data_keeps_every_group():
    instance = county()
    revision = resolve(instance, previous_plan(instance), time_limit=10, workers=1)
    assert as_sets(revision.plan) == as_sets(previous_plan(instance))
    assert revision.changed == 0 and revision.changes.empty
    assert set(revision.groups["verdict"]) == {"kept"}


def test_a_broken_group_is_repaired_and_the_rest_kept():
    # c grows to 1,300 people: {a,b,c} has 2,100 (ceiling 2,000) and a can lead no other group.
    old, new = county(), county(population={"c": 1300})
    revision = resolve(new, previous_plan(old), time_limit=10, workers=1)
    plan = revision.plan
    assert plan.status == "OPTIMAL" and check(plan) == []
    assert as_sets(plan) == {("f", frozenset("def")), ("r1", frozenset({"r1", "r2", "r3"})), ("r6", frozenset({"r4", "r5", "r6"}))}
    assert revision.changed == 3
    groups = revision.groups.set_index("old_group")
    assert groups.loc["G001", "verdict"] == "dissolved"
    assert groups.loc["G001", "reason"] == "group_population: population 2,100, outside 1,000-2,000"
    assert list(groups["verdict"][["G002", "G003", "G004"]]) == ["kept"] * 3
    changes = revision.changes.set_index("village_id")
    assert sorted(changes.index) == ["a", "b", "c"]
    assert changes.loc["b", "reason"] == "old group G001 dissolved: group_population: population 2,100, outside 1,000-2,000"
    assert (changes.loc["b", "old_role"], changes.loc["b", "new_role"]) == ("member", "none")
    assert [stage["objective"] for stage in plan.stages[1:]] == ["weak_grouped", "stability", "villages_grouped", "distance"]


def test_without_the_stability_term_the_ring_is_reshuffled_too():
    # From scratch the ring takes its shortest split C: r3, r4, r5, r6 change lead; coverage is the same.
    old, new = county(), county(population={"c": 1300})
    scratch = resolve(new, previous_plan(old), weights=ObjectiveWeights(stability=0), time_limit=10, workers=1)
    assert ("r5", frozenset({"r3", "r4", "r5"})) in as_sets(scratch.plan)
    assert scratch.changed == 3 + 4
    stable = resolve(new, previous_plan(old), time_limit=10, workers=1)
    assert stable.plan.metrics()["villages_grouped"] == scratch.plan.metrics()["villages_grouped"] == 9
    assert stable.plan.objective.distance > scratch.plan.objective.distance
    assert [stage["objective"] for stage in scratch.plan.stages[1:]] == ["weak_grouped", "villages_grouped", "distance"]


def test_a_newly_weak_village_is_regrouped_even_if_a_valid_group_changes():
    # g (next to a) becomes weak: {a,g,b} groups two weak villages where {a,b,c} groups one,
    # and {a,g,b,c} has 2,100 people; weak villages come before stability.
    edges = [("g", "a"), ("a", "b"), ("b", "c")]
    people, strength = dict(g=400, a=900, b=400, c=400), dict(g=1, a=9, b=2, c=3)
    old = hand_instance(edges, people, strength, weak="b", eligible="a")
    new = hand_instance(edges, people, strength, weak="bg", eligible="a")
    previous = Plan(old, Rules(), (Group("G001", ("a",), ("b", "c")),))
    revision = resolve(new, previous, time_limit=10, workers=1)
    assert as_sets(revision.plan) == {("a", frozenset("agb"))}
    assert revision.changed == 2
    changes = revision.changes.set_index("village_id")
    assert changes.loc["g", "reason"] == "newly grouped (weak)"
    group = revision.groups.iloc[0]
    assert group["verdict"] == "changed"
    # Like for like: a, b, c and g before and after; the group grew by g and lost c.
    assert group["reason"] == ("still valid; regrouped with ungrouped villages (4 villages, 2 of them changed): "
                               "1 more weak village grouped, 1 hop less member-to-lead distance")


def test_renamed_gone_and_new_villages_are_reported():
    # b is renamed b2, c is gone, z is new between b2 and d.
    old = county()
    edges = [("a", "b2"), ("b2", "z"), ("z", "d"), ("d", "e"), ("e", "f")]
    new = county(renamed={"b": "b2"}, drop=["c"], extra={"z": (400, 2, (2000, 0))}, edges=edges, weak={"b2", "z", "d", "e"})
    revision = resolve(new, previous_plan(old), renames={"b": "b2", "q": "q2"}, time_limit=10, workers=1)
    assert check(revision.plan) == []
    assert as_sets(revision.plan) >= {("a", frozenset({"a", "b2", "z"})), ("f", frozenset("def"))}
    assert (revision.new, revision.gone, revision.renamed) == (("z",), ("c",), {"b": "b2"})
    assert revision.changed == 0
    group = revision.groups.set_index("old_group").loc["G001"]
    assert group["verdict"] == "repaired"
    assert group["reason"] == ("lost c (gone from the data); group_size: 2 villages, outside 3-5; "
                               "group_population: population 800, outside 1,000-2,000")
    changes = revision.changes.set_index("old_village_id")
    assert changes.loc["z", "reason"] == "new in the data" and changes.loc["z", "new_group"] != ""
    assert changes.loc["c", "reason"] == "gone: not in the new data" and changes.loc["c", "old_group"] == "G001"
    assert revision.diff().created or revision.diff().changed


def test_stability_in_the_config():
    assert Config.from_dict({"objective": {"stability": 2.5}}).objective.stability == 2.5
    with pytest.raises(InputError, match="objective.stability"):
        Config.from_dict({"objective": {"stability": -1}})


def test_alternatives_are_near_the_optimum_and_differ():
    instance = county()
    plans = alternatives(instance, k=5, within=0.2, min_diff=0.25, time_limit=20, workers=1)
    # Within 20%: no weak village fewer, 2 villages fewer and 1,946 m more at most, so the path keeps
    # its plan and the ring changes: its two other splits (all grouped) first, then groups of five.
    assert len(plans) == 5
    assert ("r5", frozenset({"r3", "r4", "r5"})) in as_sets(plans[0])
    best = plans[0].objective
    for position, plan in enumerate(plans):
        assert check(plan) == []
        assert plan.objective.weak_grouped >= 0.8 * best.weak_grouped
        assert plan.objective.distance <= best.distance + math.floor(0.2 * best.distance)
        for other in plans[:position]:
            assert len(differing_villages(plan, other)) >= math.ceil(0.25 * instance.n)
    table = compare_plans(plans)
    assert list(table["plan"]) == ["alt-1", "alt-2", "alt-3", "alt-4", "alt-5"] and (table["violations"] == 0).all()
    assert list(table["villages_grouped"][:3]) == [12, 12, 12] and (table["villages_grouped"] >= 10).all()
    assert (table["weak_grouped"] == 4).all()
    assert (table["differs_from_nearest"] >= 0.25).all()


def test_alternatives_refuse_a_bad_share():
    with pytest.raises(InputError, match="within"):
        alternatives(county(), within=1.5)


def test_frontier_trades_weak_villages_for_distance():
    curve = frontier(county(), points=3, span=0.5, time_limit=20, workers=1)
    # At most 4 weak villages; targets 2, 3, 4. Two weak villages: {f,d,e}, 2,000 m (nothing on the
    # ring, which has no weak village); four: {a,b,c} and {f,d,e}.
    assert list(curve["weak_target"]) == [2, 3, 4]
    assert (curve["weak_grouped"] >= curve["weak_target"]).all()
    assert list(curve["distance"]) == [2000, 4500, 5000]  # 3 weak: {f,e,d,c}, 4,500 m
    assert (curve["status"] == "OPTIMAL").all()


def test_cli_resolve_alternatives_frontier(tmp_path, capsys):
    from county import write_hand_county

    villages, edges = write_hand_county(tmp_path)
    assert main(["solve", str(villages), "--edges", str(edges), "--out", str(tmp_path / "old"), "--format", "csv,json",
                 "--time-limit", "10"]) == 0
    # 北庄村 j shrinks; 东王村 a is renamed.
    table = pd.read_csv(villages, dtype=str)
    table.loc[table["village_id"] == "j", "population"] = "500"
    table.loc[table["village_id"] == "a", "village_id"] = "a2"
    table.to_csv(tmp_path / "new.csv", index=False)
    (tmp_path / "new_edges.csv").write_text(edges.read_text(encoding="utf-8").replace("a,b", "a2,b"), encoding="utf-8")
    (tmp_path / "renames.csv").write_text("old,new\na,a2\n", encoding="utf-8")
    out = tmp_path / "new-plan"
    assert main(["resolve", str(tmp_path / "new.csv"), "--edges", str(tmp_path / "new_edges.csv"), "--previous",
                 str(tmp_path / "old" / "plan.csv"), "--renames", str(tmp_path / "renames.csv"), "--out", str(out),
                 "--format", "csv,json", "--time-limit", "10"]) == 0
    printed = capsys.readouterr().out
    assert "pairing resolve" in printed and "villages changed assignment" in printed and "renamed 1" in printed
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["check"]["valid"] and summary["revision"]["renamed"] == {"a": "a2"}
    changes = pd.read_csv(out / "changes.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert list(changes.columns[:3]) == ["village_id", "old_village_id", "name"]
    assert len(pd.read_csv(out / "group_changes.csv", encoding="utf-8-sig")) == summary["revision"]["previous_groups"]
    assert main(["diff", str(tmp_path / "old" / "plan.csv"), str(out / "plan.csv")]) == 0

    assert main(["alternatives", str(villages), "--edges", str(edges), "-k", "3", "--within", "50%", "--min-diff", "0.2",
                 "--out", str(tmp_path / "alts"), "--format", "csv", "--time-limit", "10"]) == 0
    compared = pd.read_csv(tmp_path / "alts" / "alternatives.csv", encoding="utf-8-sig")
    assert (compared["rules broken"] == 0).all() and len(compared) >= 1
    assert "villages with another lead than in the first plan (%)" in compared and "distance_unit" not in compared
    assert compared["villages with another lead than in the first plan (%)"].between(0, 100).all()
    assert all((tmp_path / "alts" / f"alt-{k}" / "plan.csv").exists() for k in range(1, len(compared) + 1))
    assert (tmp_path / "alts" / "alternatives.html").exists()

    assert main(["frontier", str(villages), "--edges", str(edges), "--points", "2", "--measure", "groups",
                 "--out", str(tmp_path / "front"), "--time-limit", "10"]) == 0
    assert (tmp_path / "front" / "frontier.png").read_bytes()[:4] == b"\x89PNG"
    assert len(pd.read_csv(tmp_path / "front" / "frontier.csv", encoding="utf-8-sig")) >= 1


def test_cli_refuses_a_bad_share(tmp_path, capsys):
    from county import write_hand_county

    villages, edges = write_hand_county(tmp_path)
    assert main(["alternatives", str(villages), "--edges", str(edges), "--within", "two"]) == 2
    assert "--within 'two' is not a share" in capsys.readouterr().err


def test_a_plan_in_a_notebook():
    plan = previous_plan(county())
    page = plan._repr_html_()
    assert "weak villages grouped" in page and "4 / 4" in page and "12 / 12" in page
    table = plan.to_geodataframe()
    assert list(table.set_index("village_id").loc[["a", "b", "r4"], "role"]) == ["lead", "member", "member"]
    with pytest.raises(InputError, match="no geometry"):
        plan.plot()  # coordinates only, no geometry
    revision = resolve(county(), plan, time_limit=5, workers=1)
    assert "villages changed" in revision._repr_html_()


def test_the_stability_level_is_reported_in_villages_with_the_villages_changed():
    old, new = county(), county(population={"c": 1300})
    plan = resolve(new, previous_plan(old), time_limit=10, workers=1).plan
    stability = next(stage for stage in plan.stages if stage["objective"] == "stability")
    assert stability["villages_changed"] == 3 and stability["unit"].startswith("villages")
    assert stability["value"] == stability["bound"] == 9 - 3  # villages grouped - 1 x villages changed
