"""Plan diff: groups matched by their villages and lead, never by id."""

from __future__ import annotations

import networkx as nx
import pandas as pd
import pytest
from county import solve_county, write_county

from pairing import Group, Instance, Plan, Rules
from pairing.cli import main
from pairing.diff import diff
from pairing.write import write_plan

IDS = list("abcdefghijklmnopqrstuvwx")
INSTANCE = Instance(pd.DataFrame({"village_id": IDS, "name": [f"{v}村" for v in IDS], "township": "T", "population": 400,
                                  "strength": [float(len(IDS) - i) for i in range(len(IDS))], "weak": False}), nx.path_graph(IDS))


def plan_of(*groups: tuple[str, str, str]) -> Plan:
    """Groups as (id, lead, members), e.g. ("G001", "a", "bc")."""
    return Plan(INSTANCE, Rules(), tuple(Group(group_id, (lead,), tuple(members)) for group_id, lead, members in groups))


OLD = plan_of(("G001", "a", "bc"), ("G002", "d", "ef"), ("G003", "g", "hi"), ("G004", "j", "kl"), ("G005", "m", "no"),
              ("G006", "t", "uvw"))
NEW = plan_of(("G001", "a", "bc"),        # the same group
              ("G007", "d", "ef"),        # the same group, renumbered
              ("G002", "g", "hip"),       # same lead, p joined
              ("G003", "k", "jl"),        # same villages, k leads instead of j
              ("G008", "q", "nrs"),       # new: shares only n with the old G005
              ("G009", "x", "uvw"))       # new lead x, 3 of its 5 villages shared with G006


def test_a_known_change_gives_exactly_the_expected_groups():
    result = diff(OLD, NEW)
    assert result.kept == (("G001", "G001"), ("G002", "G007"))
    assert [(c.old_id, c.new_id, c.old_leads, c.new_leads, c.joined, c.left) for c in result.changed] == [
        ("G003", "G002", ("g",), ("g",), ("p",), ()),
        ("G004", "G003", ("j",), ("k",), (), ()),
        ("G006", "G009", ("t",), ("x",), ("x",), ("t",)),
    ]
    assert [g.group_id for g in result.dissolved] == ["G005"] and [g.group_id for g in result.created] == ["G008"]
    changes = {c.village_id: (c.old_group, c.old_role, c.new_group, c.new_role) for c in result.villages}
    assert changes == {
        "j": ("G004", "lead", "G003", "member"), "k": ("G004", "member", "G003", "lead"),
        "m": ("G005", "lead", "", "none"), "n": ("G005", "member", "G008", "member"), "o": ("G005", "member", "", "none"),
        "p": ("", "none", "G002", "member"), "q": ("", "none", "G008", "lead"), "r": ("", "none", "G008", "member"),
        "s": ("", "none", "G008", "member"), "t": ("G006", "lead", "", "none"), "x": ("", "none", "G009", "lead"),
    }
    old, new = result.metrics
    assert (old["groups"], new["groups"]) == (6, 6) and (old["villages_grouped"], new["villages_grouped"]) == (19, 21)


def test_renumbered_plans_are_the_same():
    renumbered = plan_of(*[(f"X{i}", g.lead, "".join(g.members)) for i, g in enumerate(reversed(OLD.groups))])
    result = diff(OLD, renumbered)
    assert not result and len(result.kept) == 6 and not result.villages
    assert "The plans are the same." in result.to_text() and "两个方案相同。" in result.to_text("zh")


def test_renderings_name_every_change():
    result = diff(OLD, NEW)
    text = result.to_text()
    assert text.splitlines()[0] == "groups: 2 kept, 3 changed, 1 dissolved, 1 created"
    assert "Changed G004 -> G003: j j村 -> k k村" in text and "Dissolved G005" in text and "Created G008" in text
    assert "  p p村: none -> G002 member" in text and "Villages grouped" in text
    page = result.to_html("zh", title="old -> new")
    assert "http://" not in page and "https://" not in page and "联建组：保留 2，调整 3，撤销 1，新建 1" in page


@pytest.fixture(scope="module")
def two_plans(tmp_path_factory):
    """The solved county as plan.xlsx (Chinese), and a copy with one member left out by hand."""
    folder = tmp_path_factory.mktemp("diff")
    plan = solve_county(write_county(folder))
    write_plan(plan, folder / "old", formats="csv,xlsx", lang="zh")
    table = pd.read_csv(folder / "old" / "plan.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    left_out = plan.groups[0].members[0]
    table.loc[table["village_id"] == left_out, ["group_id", "role", "lead_id"]] = ["", "none", ""]
    table.to_csv(folder / "new.csv", index=False, encoding="utf-8-sig")
    return plan, folder / "old" / "plan.xlsx", folder / "new.csv", left_out


def test_diff_command_without_and_with_the_village_table(two_plans, tmp_path, capsys):
    plan, old, new, left_out = two_plans
    assert main(["diff", str(old), str(new)]) == 0
    printed = capsys.readouterr().out
    assert f"groups: {len(plan.groups) - 1} kept, 1 changed, 0 dissolved, 0 created" in printed
    assert f"{left_out} " in printed and "give --input" in printed
    page = tmp_path / "diff.html"
    assert main(["diff", str(old), str(new), "--input", str(plan.instance.source), "--html", str(page), "--lang", "zh"]) == 0
    printed = capsys.readouterr().out
    grouped = plan.metrics()["villages_grouped"]
    assert "已联建村数" in printed and f"{grouped:>12}  {grouped - 1:>12}" in printed and "-1" in printed
    html = page.read_text(encoding="utf-8")
    assert left_out in html and "http://" not in html and "https://" not in html
