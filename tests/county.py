"""Small instances for the output, report and diff tests: a solved synthetic county
with Chinese names, and a hand-made one whose broken plan breaks known rules."""

from __future__ import annotations

from pathlib import Path

from pairing import Plan, read_villages, solve
from pairing.files import write_villages
from pairing.synth import synthetic_county

#: Real Anqiu names given to the first villages, so that every format must carry them.
CHINESE_NAMES = ("东十里村委会", "凌河街道办村委会", "𠮷祥村")


def write_county(directory: Path, villages: int = 60, townships: int = 3, seed: int = 5) -> Path:
    """A synthetic county as a GPKG, its first villages renamed to :data:`CHINESE_NAMES`."""
    county = synthetic_county(villages, townships, seed)
    county.loc[: len(CHINESE_NAMES) - 1, "name"] = list(CHINESE_NAMES)
    return write_villages(county, directory / "county.gpkg")


def solve_county(path: Path) -> Plan:
    """The county's plan: proven optimal in well under a second."""
    return solve(read_villages(path), time_limit=20, workers=1, seed=0)


#: Ten villages of one township and their roads; leads are eligible and strongest.
HAND_VILLAGES = """village_id,name,township,population,strength,weak,lead_eligible
a,东王村,景芝镇,500,9,否,是
b,西王村,景芝镇,400,3,是,否
c,南庄村,景芝镇,300,2,是,否
j,北庄村,景芝镇,1200,4,否,否
d,前岭村,景芝镇,500,8,否,是
e,后岭村,景芝镇,400,3,是,否
f,河西村,景芝镇,400,2,是,否
g,河东村,景芝镇,500,7,否,是
h,上河村,景芝镇,400,6,否,是
i,下河村,景芝镇,300,1,是,否
"""
HAND_EDGES = "a,b\nb,c\nc,j\nd,e\ng,h\nh,i\nf,i\n"

#: G1 has 2,400 people (ceiling 2,000); G2's 河西村 f touches neither d nor e;
#: G3 has two leads. Each breaks exactly one rule.
BROKEN_PLAN = """village_id,group_id,role
a,G1,lead
b,G1,member
c,G1,member
j,G1,member
d,G2,lead
e,G2,member
f,G2,member
g,G3,lead
h,G3,lead
i,G3,member
"""
BROKEN_RULES = {("G1", "group_population"), ("G2", "connected"), ("G3", "one_lead")}


def write_hand_county(directory: Path) -> tuple[Path, Path]:
    """The hand-made villages and edge list, as CSV files."""
    villages, edges = directory / "villages.csv", directory / "edges.csv"
    villages.write_text(HAND_VILLAGES, encoding="utf-8")
    edges.write_text("from,to\n" + HAND_EDGES, encoding="utf-8")
    return villages, edges
