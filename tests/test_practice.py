"""Each county's own practice: the weak-village-in-every-group rule and the
fewest-groups level on a hand-drawn path whose answers were worked out by hand,
the frontier's top point and monotonicity on a small county, the bundled
counties under their configs, and the note when the rules leave most villages
in no group.

    a - b - c - d - e - f        a path, 400 people each, 1,000 m apart; only c is weak;
    10   2   1   8   3   9       strengths; a, d and f may lead

Groups of three: {a,b,c} (lead a, 3,000 m), {b,c,d} (d, 3,000 m), {c,d,e} (d, 2,000 m),
{d,e,f} (f, 3,000 m). Most villages grouped: {a,b,c} and {d,e,f}, 6 villages in 2 groups, and
{d,e,f} holds no weak village. Fewest groups, or a weak village in every group: {c,d,e} alone.
"""

from pathlib import Path

import pandas as pd
import pytest

from hand import as_sets, hand_instance
from pairing import Config, Group, ObjectiveWeights, Plan, Rules, check, frontier, read_villages, resolve, solve
from pairing.alternatives import comparison_sheet
from pairing.cli import main
from pairing.diagnose import diagnose, no_group_reasons, rules_note
from pairing.model.candidates import enumerate_candidates

INSTANCES = Path(__file__).resolve().parents[1] / "instances"
RULES = Rules(group_size=(3, 3), group_population=(1000, 2000))


def path_county():
    strength = dict(a=10, b=2, c=1, d=8, e=3, f=9)
    xy = {v: (1000 * k, 0) for k, v in enumerate("abcdef")}
    edges = list(zip("abcde", "bcdef"))
    return hand_instance(edges, dict.fromkeys("abcdef", 400), strength, "c", eligible="adf", xy=xy)


def test_most_villages_grouped_takes_a_group_of_strong_villages_only():
    plan = solve(path_county(), RULES, time_limit=10, workers=1)
    assert as_sets(plan) == {("a", frozenset("abc")), ("f", frozenset("def"))}
    assert check(plan) == []
    assert [v.rule for v in check(plan, rules=Rules(group_size=(3, 3), weak_in_every_group=True))] == ["weak_in_group"]


def test_a_weak_village_in_every_group_in_the_enumeration_and_the_checker():
    county = path_county()
    rules = Rules(group_size=(3, 3), weak_in_every_group=True)
    groups = enumerate_candidates(county, rules).groups
    assert {frozenset(county.ids[r] for r in rows) for rows in groups} == {frozenset("abc"), frozenset("bcd"), frozenset("cde")}
    plan = solve(county, rules, time_limit=10, workers=1)
    assert as_sets(plan) == {("d", frozenset("cde"))} and plan.status == "OPTIMAL"
    assert check(plan) == []
    strong_only = Plan(county, rules, (Group("G001", ("f",), ("d", "e")),))
    violation, = check(strong_only)
    assert (violation.rule, violation.group_id, violation.villages) == ("weak_in_group", "G001", ("f", "d", "e"))
    # a, b and f fit groups of three, but only groups holding c are allowed: f fits none with c.
    assert no_group_reasons(county, rules)["f"].startswith("every group it could join lacks a weak village")
    assert Config.from_dict({"rules": {"weak_in_every_group": True}}).rules.weak_in_every_group


def test_fewest_groups_as_the_second_level():
    county = path_county()
    plan = solve(county, RULES, weights=ObjectiveWeights(second_level="fewest_groups"), time_limit=10, workers=1)
    assert as_sets(plan) == {("d", frozenset("cde"))} and plan.status == "OPTIMAL"
    assert [(s["objective"], s["value"]) for s in plan.stages[1:]] == [("weak_grouped", 1), ("groups", 1), ("distance", 2000)]
    assert Config.from_dict({"objective": {"second_level": "fewest_groups"}}).objective.second_level == "fewest_groups"
    with pytest.raises(Exception, match="second_level"):
        Config.from_dict({"objective": {"second_level": "fewest"}})


def test_frontier_tops_at_the_proven_most_weak_villages_and_is_monotone(tmp_path):
    from county import write_county

    # Proven in well under a second; the limits leave room for a busy machine.
    county = read_villages(write_county(tmp_path))
    plan = solve(county, time_limit=60, workers=1)
    assert plan.status == "OPTIMAL"
    curve = frontier(county, points=4, span=0.2, time_limit=60, workers=1)
    assert (curve["status"] == "OPTIMAL").all() and (curve["note"] == "").all()
    assert curve["weak_target"].iloc[-1] == curve["weak_grouped"].iloc[-1] == plan.objective.weak_grouped
    assert curve["weak_target"].is_monotonic_increasing and curve["distance"].is_monotonic_increasing
    assert (curve["weak_grouped"] >= curve["weak_target"]).all()
    by_groups = frontier(county, points=3, span=0.2, measure="groups", time_limit=60, workers=1)
    assert by_groups["groups"].is_monotonic_increasing and by_groups["weak_grouped"].iloc[-1] == plan.objective.weak_grouped


def test_a_frontier_ended_before_any_point_says_so():
    curve = frontier(path_county(), RULES, points=2, time_limit=10, workers=1, stop=lambda: True)
    assert curve[["status", "note"]].values.tolist() == [
        ["UNKNOWN", "stopped while listing the candidate groups: no point found; give more time (--time-limit)"]]


@pytest.mark.parametrize("name, groups, villages, weak", [("quangang", 15, 38, 21), ("jiangxia", 58, 116, 58), ("luoxi", 4, 11, 7)])
def test_bundled_counties_under_their_own_configs(name, groups, villages, weak):
    config = Config.from_toml(INSTANCES / f"{name}.toml")
    county = read_villages(INSTANCES / f"{name}.gpkg")
    plan = solve(county, config.rules, weights=config.objective, time_limit=30, workers=1)
    assert plan.status == "OPTIMAL" and check(plan) == []
    assert (len(plan.groups), plan.objective.villages_grouped, plan.objective.weak_grouped) == (groups, villages, weak)
    assert "note" not in plan.stages[0]
    if name == "quangang":
        # 1+N in every town: all 7 towns have a committee.
        assert len({county.township[county.index(group.lead)] for group in plan.groups}) == 7


def test_the_rules_say_when_they_leave_most_villages_in_no_group(capsys):
    county = read_villages(INSTANCES / "quangang.gpkg")
    plan = solve(county, time_limit=10, workers=1)
    assert plan.groups == ()
    note = plan.stages[0]["note"]
    assert note.startswith("the rules leave 91 of 91 villages with no feasible group")
    assert "because of the population range 1,000-2,000 per group (group_population)" in note
    assert "group_population = [1000, " in note
    assert diagnose(county, Rules())["note"] == note
    assert main(["check", str(INSTANCES / "quangang.gpkg")]) == 0
    printed = capsys.readouterr().out
    assert "note: the rules leave 91 of 91 villages" in printed and "too many people: at least" in printed
    # Anqiu's own rules leave 7 of its 864 villages out: no note.
    assert rules_note(path_county(), RULES, enumerate_candidates(path_county(), RULES)) is None


def test_the_reason_says_which_side_of_the_population_range_is_missed():
    county = path_county()
    assert no_group_reasons(county, Rules(group_size=(3, 3), group_population=(1300, 2000)))["a"] == (
        "too few people: at most 1,200 in 3-3 connected villages with it, below the floor 1,300")
    assert no_group_reasons(county, Rules(group_size=(3, 3), group_population=(100, 1100)))["a"] == (
        "too many people: at least 1,200 in 3-3 connected villages with it, above the ceiling 1,100")


def test_a_group_that_only_grew_is_kept_not_changed():
    # g, new and weak, joins the group {a,b,c}: none of its villages changed lead.
    edges = [("a", "b"), ("b", "c"), ("c", "g")]
    strength = dict(a=9, b=2, c=3, g=1)
    old = hand_instance(edges[:2], dict(a=400, b=300, c=400), {v: strength[v] for v in "abc"}, "b", eligible="a")
    new = hand_instance(edges, dict(a=400, b=300, c=400, g=300), strength, "bg", eligible="a")
    previous = Plan(old, Rules(), (Group("G001", ("a",), ("b", "c")),))
    revision = resolve(new, previous, time_limit=10, workers=1)
    assert as_sets(revision.plan) == {("a", frozenset("abcg"))}
    row = revision.groups.iloc[0]
    assert (row["verdict"], row["villages_changed"], row["reason"]) == ("kept", 0, "joined by g")


def test_alternatives_sheet_in_words_and_percentages():
    table = pd.DataFrame({"plan": ["alt-1", "alt-2"], "status": ["OPTIMAL", "FEASIBLE"], "distance": [1198803, 1210000],
                          "distance_unit": ["m", "m"], "distance_vs_first": [0.0, 0.00934], "differs_from_nearest": [0.2511, 0.2511],
                          "violations": [0, 0]})
    sheet = comparison_sheet(table)
    assert list(sheet.columns) == ["plan", "status", "member-to-lead distance (km)", "distance vs the first plan (%)",
                                   "villages with another lead than in the nearest other plan (%)", "rules broken"]
    assert sheet.iloc[1].tolist()[2:] == [1210.0, 0.9, 25.1, 0]
    assert list(comparison_sheet(table, "zh").columns)[2] == "成员村至领头雁总距离（km）"
