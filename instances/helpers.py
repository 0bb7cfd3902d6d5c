"""Build the bundled helper-pairing examples (``pairing assign``) from the bundled
instances, deterministically (fixed seeds).

Usage::

    python instances/helpers.py

Jiangxia 江夏区 (seed 004): its 61 "four-category" villages by the seed's counts
(2 weak organisation, 3 dirty environment, 5 poor old-revolutionary, 51 without
collective income), chosen among the instance's weak villages, in
``jiangxia_needs.csv`` (all 277 villages, Chinese headers, a 四类村类别 column);
county units in ``jiangxia_units.csv`` and their cadres (first secretaries and
resident cadres) in ``jiangxia_helpers.csv``; ``jiangxia_assign.toml`` maps it all.

Anqiu 安丘市: the 81 first secretaries the county sent to its joint village
committees, and resident cadres of its township offices, in
``anqiu_helpers.csv`` with ``anqiu_units.csv``; ``anqiu_assign.toml`` derives the
villages' needs from the instance's indicators. Used with a grouping plan
(``pairing solve instances/anqiu.gpkg`` first).

Real: the villages, townships and codes (see README.md). Synthetic: which
village is in which category, every unit's capacity, and every cadre (names,
skills, homes, last year's village).
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史黎贺顾毛郝龚邵万钱覃武戴孔汤庞"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉建国志文斌宁波海燕春雷宇浩凯亮林峰晨欣怡婷雪琳"

#: Jiangxia's four categories (seed 004), their counts and what they need.
JIANGXIA_CATEGORIES = {"软弱涣散村": (2, "organisation"), "环境脏乱差村": (3, "environment"), "贫困老区村": (5, "industry"),
                       "集体经济空壳村": (51, "income")}
#: County units by kind: the skills their cadres bring (seed 004: each category paired with the kind of unit that can fix it).
JIANGXIA_UNITS = {
    "党务": (["区委组织部", "区直机关工委", "区委宣传部", "区委政法委", "区委统战部"], "organisation、群众工作"),
    "环境建设": (["区生态环境分局", "区住建局", "区城管执法局", "区水务和湖泊局"], "environment"),
    "经济": (["区发改局", "区经信局", "区商务局", "区农业农村局", "区财政局", "区科技局", "区文旅局", "区自然资源和规划分局"], "industry、income"),
    "社会": (["区教育局", "区卫健局", "区民政局", "区人社局", "区供销社", "区农商行", "区供电公司"], "income、群众工作"),
}


def names(rng: np.random.Generator, count: int) -> list[str]:
    return [rng.choice(list(SURNAMES)) + "".join(rng.choice(list(GIVEN), size=rng.integers(1, 3))) for _ in range(count)]


def lonlat(table: gpd.GeoDataFrame) -> tuple[pd.Series, pd.Series]:
    points = table.geometry.to_crs("EPSG:32650").representative_point().to_crs("EPSG:4326")
    return points.x.round(6), points.y.round(6)


def jiangxia(rng: np.random.Generator) -> None:
    villages = gpd.read_file(HERE / "jiangxia.gpkg")
    weak = villages[villages["weak"]].sort_values("strength")
    category = pd.Series("", index=villages.index)
    # Villages without collective income: the weak ones with the least income; the other categories at random among the rest.
    income = weak.nsmallest(JIANGXIA_CATEGORIES["集体经济空壳村"][0], "collective_income").index
    category[income] = "集体经济空壳村"
    rest = weak.index.difference(income)
    organisation = weak.loc[rest][weak.loc[rest, "committee_rating"].isin(["较差", "一般"])].index[:2]
    category[organisation] = "软弱涣散村"
    others = rng.permutation(rest.difference(organisation))
    category[others[:3]] = "环境脏乱差村"
    category[others[3:8]] = "贫困老区村"
    lon, lat = lonlat(villages)
    table = pd.DataFrame({"村代码": villages["village_id"], "村名": villages["name"], "乡镇": villages["township"], "户籍人口": villages["population"],
                          "实力得分": villages["strength"].round(4), "薄弱村": villages["weak"].map({True: "是", False: "否"}), "经度": lon, "纬度": lat,
                          "四类村类别": category})
    table.to_csv(HERE / "jiangxia_needs.csv", index=False, encoding="utf-8-sig")
    units = []
    for kind, (unit_names, skills) in JIANGXIA_UNITS.items():
        for name in unit_names:
            units.append({"单位编号": f"JX{len(units) + 1:02d}", "单位名称": name, "单位类别": kind, "职能": skills,
                          "可派人数": int(rng.integers(6, 16))})
    pd.DataFrame(units).to_csv(HERE / "jiangxia_units.csv", index=False, encoding="utf-8-sig")
    needy = table[table["四类村类别"] != ""]
    townships = sorted(villages["township"].unique())
    helpers = []
    for role, count in (("第一书记", 64), ("驻村工作队员", 236)):
        for name in names(rng, count):
            unit = units[int(rng.integers(len(units)))]
            # Most county cadres live in the district seat (纸坊街道); the others in a township.
            home = "纸坊街道" if rng.random() < 0.7 else str(rng.choice(townships))
            skills = "组织建设、" + unit["职能"] if role == "第一书记" and "organisation" not in unit["职能"] else ""
            previous = str(rng.choice(needy["村代码"])) if rng.random() < 0.35 else ""
            helpers.append({"干部编号": f"JXH{len(helpers) + 1:03d}", "姓名": name, "派出单位": unit["单位编号"], "选派类别": role,
                            "专长": skills, "住址": home, "上年帮扶村": previous})
    pd.DataFrame(helpers).to_csv(HERE / "jiangxia_helpers.csv", index=False, encoding="utf-8-sig")


def anqiu(rng: np.random.Generator) -> None:
    villages = gpd.read_file(HERE / "anqiu.gpkg")
    townships = villages.groupby("township")["village_id"].first().str[:9].to_dict()
    # Each county unit can spare 10 cadres: enough for the first secretaries it sends.
    units = [{"unit_id": f"AQ{k + 1:02d}", "name": name, "kind": "county", "skills": skills, "capacity": 10}
             for k, (name, skills) in enumerate([
                 ("市委组织部", "organisation"), ("市直机关工委", "organisation mass_work"), ("市农业农村局", "industry income"),
                 ("市发改局", "industry"), ("市财政局", "income"), ("市商务局", "industry income"), ("市生态环境分局", "environment"),
                 ("市住建局", "environment"), ("市信访局", "mass_work"), ("市民政局", "mass_work income"),
                 ("市农商银行", "income"), ("市供销社", "industry income")])]
    units += [{"unit_id": f"T{code}", "name": f"{township}机关", "kind": "township", "skills": "organisation mass_work income", "capacity": 15}
              for township, code in sorted(townships.items())]
    pd.DataFrame(units).to_csv(HERE / "anqiu_units.csv", index=False, encoding="utf-8-sig")
    lon, lat = lonlat(villages)
    weak = villages.index[villages["weak"]]
    helpers = []
    county_units = [unit for unit in units if unit["kind"] == "county"]
    for name in names(rng, 81):
        unit = county_units[int(rng.integers(len(county_units)))]
        extra = str(rng.choice(["industry", "income", "mass_work"]))
        # First secretaries live in the city (兴安、新安街道), a few out in the townships.
        home = str(rng.choice(["兴安街道", "新安街道"])) if rng.random() < 0.8 else str(rng.choice(sorted(townships)))
        previous = villages.loc[rng.choice(weak), "village_id"] if rng.random() < 0.5 else ""
        helpers.append({"helper_id": f"AQF{len(helpers) + 1:03d}", "name": name, "unit": unit["unit_id"], "role": "first_secretary",
                        "skills": f"organisation {extra}", "home": home, "lon": "", "lat": "", "previous": previous})
    for township, code in sorted(townships.items()):
        inside = villages.index[villages["township"] == township]
        for name in names(rng, 12):
            # Township cadres live in one of their township's villages (given by coordinates).
            at = rng.choice(inside)
            helpers.append({"helper_id": f"AQR{len(helpers) - 80:03d}", "name": name, "unit": f"T{code}", "role": "resident_cadre",
                            "skills": "", "home": "", "lon": lon[at], "lat": lat[at], "previous": ""})
    pd.DataFrame(helpers).to_csv(HERE / "anqiu_helpers.csv", index=False, encoding="utf-8-sig")


if __name__ == "__main__":
    jiangxia(np.random.default_rng(420115))
    anqiu(np.random.default_rng(370784))
