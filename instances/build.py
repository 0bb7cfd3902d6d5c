"""Build the bundled instances from the real public data in ``shared/data/raw``.

Usage::

    python instances/build.py [--shared ../shared]

Real: the 2023 village committees (codes, names, townships) of Anqiu 370784,
Jiangxia 420115 (without the four East Lake High-tech Zone streets), Quangang
350505 and Luoxi town 350504100. Synthetic: township areas inside the real
county boundary, village polygons and indicators, from :mod:`pairing.synth`.
See ``instances/README.md`` for what is what. Fixed seeds: re-running gives
identical attributes.

Writes ``anqiu.gpkg``, ``jiangxia.gpkg``, ``quangang.gpkg``, ``luoxi.gpkg``
(layer ``villages``, EPSG:4326) and the planner-style ``anqiu_zh.csv`` +
``anqiu_zh.toml`` next to this script.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from pairing.synth import (INDUSTRY_SHARES, RATING_LEVELS, STRENGTH_SPEC, WEAK_SPEC, partition_region, synthetic_indicators,
                           voronoi_villages, weld_borders)

HERE = Path(__file__).resolve().parent
DEFAULT_SHARED = Path(__file__).resolve().parents[2] / "shared"

#: Projected CRS used while generating (UTM 50N covers 114-120°E: all four counties).
WORK_CRS = "EPSG:32650"
#: Stored CRS; the source boundaries are probably GCJ-02 but are treated as WGS84.
STORED_CRS = "EPSG:4326"
#: Coordinates are rounded to this many degrees (~0.1 m).
GRID_DEGREES = 1e-6

#: The four streets of Jiangxia run by the East Lake High-tech Zone (their 61 village committees are excluded).
EAST_LAKE_STREETS = ("佛祖岭街道", "豹澥街道", "龙泉街道", "滨湖街道")

#: Area of 罗溪镇 (km²), from township-facts-web-pages/township_facts.csv.
LUOXI_AREA_KM2 = 108.49

#: Leading-industry mixes (synthetic, chosen to be plausible for each place).
ANQIU_INDUSTRIES = INDUSTRY_SHARES  # grain, vegetables and Anqiu's ginger (安丘大姜)
JIANGXIA_INDUSTRIES = {"粮食": 0.30, "水产": 0.18, "蔬菜": 0.15, "苗木花卉": 0.10, "畜牧": 0.07, "乡村旅游": 0.08, "工贸": 0.12}
QUANGANG_INDUSTRIES = {"水产": 0.22, "果品": 0.18, "蔬菜": 0.15, "粮食": 0.12, "工贸": 0.23, "乡村旅游": 0.10}
LUOXI_INDUSTRIES = {"茶叶": 0.25, "果品": 0.22, "乡村旅游": 0.15, "蔬菜": 0.13, "粮食": 0.12, "畜牧": 0.13}

COLUMNS = ["village_id", "name", "township", "township_code", "population", "collective_income",
           "committee_rating", "industry", "strength", "weak", "name_2021", "geometry"]


@dataclass(frozen=True)
class InstanceSpec:
    """One bundled instance.

    Parameters
    ----------
    key : str
        File stem, e.g. ``anqiu``.
    county_code : str
        6-digit county code (boundary file and census row).
    villages : int
        Expected number of village committees (asserted).
    townships : int
        Expected number of townships with villages (asserted).
    seed : int
        Seed of the geometry and indicators.
    township_code : str, optional
        Keep only this township (Luoxi).
    industries : dict
        Industry -> county-wide share, for :func:`pairing.synth.synthetic_indicators`.
    drop_townships : tuple of str
        Township names whose villages are excluded (Jiangxia's East Lake streets).
    dropped : int
        Expected number of excluded village committees (asserted).
    """

    key: str
    county_code: str
    villages: int
    townships: int
    seed: int
    industries: dict[str, float]
    township_code: str | None = None
    drop_townships: tuple[str, ...] = ()
    dropped: int = 0


INSTANCES = (
    InstanceSpec("anqiu", "370784", villages=864, townships=12, seed=370784, industries=ANQIU_INDUSTRIES),
    InstanceSpec("jiangxia", "420115", villages=277, townships=16, seed=420115, industries=JIANGXIA_INDUSTRIES,
                 drop_townships=EAST_LAKE_STREETS, dropped=61),
    InstanceSpec("quangang", "350505", villages=91, townships=7, seed=350505, industries=QUANGANG_INDUSTRIES),
    InstanceSpec("luoxi", "350504", villages=17, townships=1, seed=350504100, industries=LUOXI_INDUSTRIES,
                 township_code="350504100"),
)


def read_village_committees(raw: Path) -> pd.DataFrame:
    """The reconstructed 2023 list, village committees only (codes 200-399)."""
    table = pd.read_csv(raw / "nbs-changes-2023-njzjz-prcadmin" / "villages_2023_reconstructed.csv", dtype=str)
    return table[table["unit_type_by_code"] == "village_committee"].sort_values("village_code").reset_index(drop=True)


def mean_rural_population(raw: Path, county_code: str, committees: pd.DataFrame) -> float:
    """2020 census rural residents (乡村人口) of the county per village committee of the county."""
    census = pd.read_csv(raw / "census-county-2010-2020-leiii" / "census2020_county.csv", dtype={"区划代码": str})
    rural = float(census.loc[census["区划代码"] == county_code, "乡村人口"].iloc[0])
    return rural / int((committees["county_code"] == county_code).sum())


def county_region(raw: Path, county_code: str) -> BaseGeometry:
    """The county boundary in :data:`WORK_CRS`, repaired (buffer(0)) and without offshore islets:
    only the largest polygon is kept (Quangang loses 1.1 km² of islets)."""
    boundary = gpd.read_file(raw / "county-boundaries-datav-tnnevol-gmap" / f"{county_code}.geojson").set_crs(STORED_CRS, allow_override=True)
    geometry = shapely.union_all(boundary.geometry.buffer(0).values)
    projected = gpd.GeoSeries([geometry], crs=STORED_CRS).to_crs(WORK_CRS).iloc[0]
    parts = list(shapely.get_parts(projected))
    return max(parts, key=lambda part: part.area)


def select_villages(committees: pd.DataFrame, spec: InstanceSpec) -> pd.DataFrame:
    """The instance's villages, with the counts checked against the spec."""
    villages = committees[committees["county_code"] == spec.county_code]
    if spec.township_code:
        villages = villages[villages["township_code"] == spec.township_code]
    dropped = villages["township_name"].isin(spec.drop_townships)
    assert int(dropped.sum()) == spec.dropped, f"{spec.key}: dropped {int(dropped.sum())}, expected {spec.dropped}"
    villages = villages[~dropped].reset_index(drop=True)
    assert len(villages) == spec.villages, f"{spec.key}: {len(villages)} villages, expected {spec.villages}"
    assert villages["township_code"].nunique() == spec.townships, f"{spec.key}: {villages['township_code'].nunique()} townships"
    assert villages["village_code"].str.fullmatch(r"\d{12}").all() and villages["village_code"].is_unique
    return villages


def build_instance(raw: Path, committees: pd.DataFrame, spec: InstanceSpec) -> gpd.GeoDataFrame:
    """Real villages with synthetic township areas, village polygons and indicators."""
    rng = np.random.default_rng(spec.seed)
    villages = select_villages(committees, spec)
    region = county_region(raw, spec.county_code)
    if spec.township_code:  # Luoxi (地处洛江区北部): the northern 108.49 km² of Luojiang
        luojiang_km2 = region.area / 1e6
        region = partition_region(region, [luojiang_km2 - LUOXI_AREA_KM2, LUOXI_AREA_KM2], rng)[1]
    counts = villages.groupby("township_code", sort=True).size()
    township_areas = partition_region(region, counts.tolist(), rng)
    cells: list[BaseGeometry] = []
    for (township_code, count), area in zip(counts.items(), township_areas):
        cells.extend(voronoi_villages(area, int(count), rng))  # in Hilbert order; codes are sorted too
    cells = weld_borders(cells)  # villages on both sides of a township border share it exactly
    indicators = synthetic_indicators(len(villages), mean_rural_population(raw, spec.county_code, committees), rng,
                                      townships=villages["township_code"], industry_shares=spec.industries)
    renamed = villages["village_name_2021"] != villages["village_name_2023"]
    table = pd.DataFrame({
        "village_id": villages["village_code"],
        "name": villages["village_name_2023"],
        "township": villages["township_name"],
        "township_code": villages["township_code"],
    })
    table = pd.concat([table, indicators], axis=1)
    table["name_2021"] = villages["village_name_2021"].where(renamed, "")
    frame = gpd.GeoDataFrame(table, geometry=cells, crs=WORK_CRS).to_crs(STORED_CRS)
    frame["geometry"] = shapely.set_precision(frame.geometry.values, GRID_DEGREES)
    assert frame.geometry.is_valid.all() and not frame.geometry.is_empty.any()
    assert (frame.geometry.geom_type == "Polygon").all(), frame.geometry.geom_type.value_counts()
    return frame[COLUMNS]


def write_geopackage(frame: gpd.GeoDataFrame, path: Path) -> None:
    path.unlink(missing_ok=True)
    frame.to_file(path, layer="villages", driver="GPKG")


def planner_spreadsheet(frame: gpd.GeoDataFrame) -> pd.DataFrame:
    """The villages as a county planner's table: Chinese headers, no strength and no weak."""
    point = frame.geometry.representative_point()
    return pd.DataFrame({
        "村代码": frame["village_id"],
        "村名": frame["name"],
        "乡镇": frame["township"],
        "户籍人口": frame["population"],
        "村集体收入(万元)": frame["collective_income"],
        "党组织评定": frame["committee_rating"],
        "主导产业": frame["industry"],
        "经度": point.x.round(6),
        "纬度": point.y.round(6),
    })


def planner_config() -> str:
    """The TOML that maps :func:`planner_spreadsheet` onto pairing's columns."""
    weights = ", ".join(f'"{spreadsheet_column(column)}" = {weight}' for column, weight in STRENGTH_SPEC.weights.items())
    levels = ", ".join(f'"{level}" = {score}' for level, score in RATING_LEVELS.items())
    return f"""# Anqiu as a planner's spreadsheet (anqiu_zh.csv): real codes, names and townships, synthetic figures.
[columns]
village_id = "村代码"
name = "村名"
township = "乡镇"
population = "户籍人口"
industry = "主导产业"
lon = "经度"
lat = "纬度"

[strength]
normalise = "{STRENGTH_SPEC.normalise}"
weights = {{ {weights} }}
levels = {{ "党组织评定" = {{ {levels} }} }}

[weak]
strength_share = {WEAK_SPEC.strength_share}
population_below = {WEAK_SPEC.population_below}

[rules]
group_size = [3, 5]
group_population = [1000, 2000]
same_township = true
contiguity = "connected"
lead_top_share = 0.3

[solver]
time_limit = 60
workers = 2
seed = 0
"""


def spreadsheet_column(column: str) -> str:
    return {"collective_income": "村集体收入(万元)", "population": "户籍人口", "committee_rating": "党组织评定"}[column]


def summary_row(key: str, frame: gpd.GeoDataFrame, path: Path) -> str:
    return (f"| {key} | {len(frame)} | {frame['township'].nunique()} | {int(frame['population'].sum()):,} | "
            f"{frame['population'].mean():,.0f} | {int(frame['weak'].sum())} | {path.stat().st_size / 1024:,.0f} KB |")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="the shared folder holding data/raw (default: %(default)s)")
    args = parser.parse_args(argv)
    raw = args.shared / "data" / "raw"
    committees = read_village_committees(raw)
    print("| instance | villages | townships | population | mean | weak | file |")
    print("|---|---|---|---|---|---|---|")
    for spec in INSTANCES:
        frame = build_instance(raw, committees, spec)
        path = HERE / f"{spec.key}.gpkg"
        write_geopackage(frame, path)
        print(summary_row(spec.key, frame, path))
        if spec.key == "anqiu":
            planner_spreadsheet(frame).to_csv(HERE / "anqiu_zh.csv", index=False, encoding="utf-8-sig")
            (HERE / "anqiu_zh.toml").write_text(planner_config(), encoding="utf-8")


if __name__ == "__main__":
    main()
