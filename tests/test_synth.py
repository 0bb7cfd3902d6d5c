"""Synthetic geography and indicators (pairing.synth) and the bundled instances."""

from __future__ import annotations

import itertools
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import Point, Polygon, box

from pairing.config import Config
from pairing.errors import InputError
from pairing.instance import derive_strength, derive_weak
from pairing.synth import (MEAN_POPULATION, RATING_LEVELS, STRENGTH_SPEC, WEAK_SPEC, partition_region, synthetic_county,
                           synthetic_indicators, voronoi_villages, weld_borders)

INSTANCES = Path(__file__).resolve().parents[1] / "instances"

#: A concave region (a U with a hole), so that straight cuts and Voronoi cells get split.
U_SHAPE = box(0, 0, 9000, 6000).difference(box(3000, 2000, 6000, 6000)).difference(Point(1500, 1500).buffer(400))
#: A comb: cuts and Voronoi cells cross its gaps, so detached pieces must be handed to a neighbour.
COMB = shapely.union_all([box(0, 0, 10000, 1000)] + [box(i * 1000, 1000, i * 1000 + 500, 6000) for i in range(10)])


def assert_tiles(parts: list, region) -> None:
    """The parts cover the region exactly and overlap only along borders."""
    union = shapely.union_all(parts)
    assert union.area == pytest.approx(region.area, rel=1e-9)
    assert sum(part.area for part in parts) == pytest.approx(region.area, rel=1e-9)
    assert shapely.symmetric_difference(union, region).area < 1e-6 * region.area
    tree = shapely.STRtree(parts)
    first, second = tree.query(parts, predicate="intersects")
    for a, b in zip(first, second):
        if a < b:
            assert shapely.intersection(parts[a], parts[b]).area < 1e-6 * region.area


def connected_under_intersects(geometries) -> bool:
    geometries = list(geometries)
    graph = nx.Graph()
    graph.add_nodes_from(range(len(geometries)))
    first, second = shapely.STRtree(geometries).query(geometries, predicate="intersects")
    graph.add_edges_from(zip(first.tolist(), second.tolist()))
    return nx.is_connected(graph)


# -- partition_region ---------------------------------------------------------
@pytest.mark.parametrize("region", [box(0, 0, 8000, 3000), U_SHAPE, COMB], ids=["rectangle", "u-shape", "comb"])
def test_partition_region_areas_match_weights_and_parts_tile(region):
    weights = [3, 1, 2, 5, 4, 1, 2]
    parts = partition_region(region, weights, np.random.default_rng(3))
    assert len(parts) == len(weights)
    for part, weight in zip(parts, weights):
        assert part.area == pytest.approx(region.area * weight / sum(weights), rel=0.01)
        assert part.is_valid and part.geom_type == "Polygon"  # contiguous
    assert_tiles(parts, region)


def test_partition_region_is_deterministic_and_puts_first_parts_south_west():
    tall = box(0, 0, 2000, 10000)
    first = partition_region(tall, [1, 1], np.random.default_rng(5))
    again = partition_region(tall, [1, 1], np.random.default_rng(5))
    assert all(a.equals_exact(b, 0) for a, b in zip(first, again))
    assert first[0].centroid.y < first[1].centroid.y


def test_partition_region_rejects_bad_weights():
    with pytest.raises(ValueError):
        partition_region(box(0, 0, 1, 1), [], np.random.default_rng(0))
    with pytest.raises(ValueError):
        partition_region(box(0, 0, 1, 1), [1, 0], np.random.default_rng(0))
    assert partition_region(box(0, 0, 1, 1), [7], np.random.default_rng(0))[0].equals(box(0, 0, 1, 1))


# -- voronoi_villages ---------------------------------------------------------
@pytest.mark.parametrize("region, n", [(box(0, 0, 6000, 4000), 40), (U_SHAPE, 60), (COMB, 6), (COMB, 25)],
                         ids=["rectangle", "u-shape", "comb-6", "comb-25"])
def test_voronoi_villages_gives_n_valid_cells_tiling_the_region(region, n):
    cells = voronoi_villages(region, n, np.random.default_rng(11))
    assert len(cells) == n
    for cell in cells:
        assert cell.is_valid and not cell.is_empty and cell.geom_type == "Polygon"
    assert_tiles(cells, region)
    assert connected_under_intersects(cells)


def test_voronoi_villages_orders_cells_so_consecutive_ones_are_close():
    cells = voronoi_villages(box(0, 0, 10000, 10000), 200, np.random.default_rng(2))
    centres = shapely.get_coordinates(shapely.centroid(cells))
    consecutive = np.hypot(*np.diff(centres, axis=0).T).mean()
    shuffled = centres[np.random.default_rng(0).permutation(len(centres))]
    assert consecutive < 0.3 * np.hypot(*np.diff(shuffled, axis=0).T).mean()


def test_voronoi_villages_single_cell_is_the_region():
    assert voronoi_villages(U_SHAPE, 1, np.random.default_rng(0)) == [U_SHAPE]


# -- synthetic_indicators -----------------------------------------------------
def test_synthetic_indicators_are_plausible_and_strength_follows_the_spec():
    table = synthetic_indicators(2000, 440, np.random.default_rng(4))
    assert table["population"].dtype == np.int64
    assert table["population"].mean() == pytest.approx(440, rel=0.02)
    assert table["population"].min() >= 50 and table["population"].max() > 3 * 440
    assert set(table["committee_rating"]) == set(RATING_LEVELS)
    assert (table["collective_income"] > 0).all()
    # larger villages are richer and better rated
    assert np.corrcoef(np.log(table["population"]), np.log(table["collective_income"]))[0, 1] > 0.3
    scores = table["committee_rating"].map(RATING_LEVELS)
    assert scores[table["population"] > 600].mean() > scores[table["population"] < 300].mean()
    frame = table.assign(village_id=[str(i) for i in range(len(table))])
    pd.testing.assert_series_equal(table["strength"], derive_strength(frame, STRENGTH_SPEC), check_names=False)
    pd.testing.assert_series_equal(table["weak"], derive_weak(table["strength"], table["population"], WEAK_SPEC), check_names=False)


# -- synthetic_county ---------------------------------------------------------
@pytest.fixture(scope="module")
def county() -> gpd.GeoDataFrame:
    return synthetic_county(300, 6, seed=1)


def test_synthetic_county_shape_and_columns(county):
    assert list(county.columns) == ["village_id", "name", "township", "population", "collective_income", "committee_rating",
                                    "industry", "strength", "weak", "geometry"]
    assert len(county) == 300 and county["village_id"].is_unique and county["name"].is_unique
    assert county["township"].nunique() == 6
    assert county.groupby("township").size().min() >= 3
    assert county.crs.to_epsg() == 32650
    assert county.geometry.is_valid.all() and (county.geometry.geom_type == "Polygon").all()
    assert county.area.sum() == pytest.approx(300 * 2e6, rel=1e-6)
    assert county["population"].mean() == pytest.approx(MEAN_POPULATION, rel=0.2)


def test_synthetic_county_townships_are_contiguous(county):
    for _, villages in county.groupby("township"):
        assert shapely.union_all(villages.geometry.values).geom_type == "Polygon"
        assert connected_under_intersects(villages.geometry.values)


def test_synthetic_county_neighbours_touch_exactly_even_across_townships(county):
    cells = county.geometry.values
    tree = shapely.STRtree(cells)
    touching = {tuple(pair) for pair in zip(*tree.query(cells, predicate="intersects"))}
    near = {tuple(pair) for pair in zip(*tree.query(cells, predicate="dwithin", distance=0.5))}
    assert touching == near
    townships = county["township"].to_numpy()
    assert any(townships[a] != townships[b] for a, b in touching)


def test_weld_borders_closes_micro_gaps_and_keeps_areas():
    left = box(0, 0, 100, 100)
    right = Polygon([(100 + 1e-7, 0), (200, 0), (200, 100), (100 + 3e-7, 100), (100 + 2e-7, 40)])
    assert not left.intersects(right)
    welded = weld_borders([left, right])
    assert welded[0].intersects(welded[1]) and all(shape.is_valid for shape in welded)
    assert [shape.area for shape in welded] == pytest.approx([left.area, right.area], abs=1e-3)
    far = box(500, 500, 600, 600)
    assert weld_borders([left, far])[1] is far or weld_borders([left, far])[1].equals(far)


def test_synthetic_county_is_deterministic(county):
    again = synthetic_county(300, 6, seed=1)
    pd.testing.assert_frame_equal(county.drop(columns="geometry"), again.drop(columns="geometry"))
    assert county.geometry.geom_equals_exact(again.geometry, tolerance=0).all()
    other = synthetic_county(300, 6, seed=2)
    assert not county["population"].equals(other["population"])


def test_synthetic_county_rejects_too_few_villages():
    with pytest.raises(InputError, match="too few"):
        synthetic_county(10, 4, seed=0)


# -- the bundled instances ----------------------------------------------------
DOCUMENTED = {"anqiu": (864, 12), "jiangxia": (277, 16), "quangang": (91, 7), "luoxi": (17, 1)}
INSTANCE_COLUMNS = ["village_id", "name", "township", "township_code", "population", "collective_income", "committee_rating",
                    "industry", "strength", "weak", "name_2021", "geometry"]


@pytest.fixture(scope="module", params=sorted(DOCUMENTED))
def instance(request) -> tuple[str, gpd.GeoDataFrame]:
    path = INSTANCES / f"{request.param}.gpkg"
    assert path.stat().st_size < 2 * 1024 * 1024
    return request.param, gpd.read_file(path, layer="villages")


def test_instance_has_the_documented_counts(instance):
    key, frame = instance
    villages, townships = DOCUMENTED[key]
    assert len(frame) == villages
    assert frame["township"].nunique() == townships == frame["township_code"].nunique()
    assert list(frame.columns) == INSTANCE_COLUMNS
    assert frame.crs.to_epsg() == 4326


def test_instance_ids_are_unique_nbs_codes_of_their_township(instance):
    _, frame = instance
    ids = frame["village_id"]
    assert ids.is_unique
    assert ids.map(lambda value: isinstance(value, str)).all() and ids.str.fullmatch(r"\d{12}").all()
    assert (ids.str[:9] == frame["township_code"]).all()
    assert ids.str[9:].astype(int).between(200, 399).all()  # village committees only


def test_instance_geometry_is_valid_and_villages_lie_in_their_township(instance):
    _, frame = instance
    assert frame.geometry.is_valid.all() and (frame.geometry.geom_type == "Polygon").all()
    for _, villages in frame.groupby("township_code"):
        union = shapely.union_all(villages.geometry.values)
        assert union.geom_type == "Polygon"  # one contiguous township
        assert shapely.covered_by(villages.geometry.values, union.buffer(1e-6)).all()
        assert connected_under_intersects(shapely.buffer(villages.geometry.values, 1e-6))


def test_instance_indicators_are_consistent(instance):
    _, frame = instance
    assert (frame["population"] >= 50).all()
    assert set(frame["committee_rating"]) <= set(RATING_LEVELS)
    table = frame.drop(columns="geometry")
    assert np.allclose(frame["strength"], derive_strength(table, STRENGTH_SPEC))
    assert (frame["weak"] == derive_weak(frame["strength"], frame["population"], WEAK_SPEC)).all()


def test_specific_instance_facts():
    jiangxia = gpd.read_file(INSTANCES / "jiangxia.gpkg")
    assert not jiangxia["township"].isin(["佛祖岭街道", "豹澥街道", "龙泉街道", "滨湖街道"]).any()
    luoxi = gpd.read_file(INSTANCES / "luoxi.gpkg")
    assert set(luoxi["township"]) == {"罗溪镇"} and set(luoxi["township_code"]) == {"350504100"}
    area_km2 = luoxi.to_crs(32650).area.sum() / 1e6
    assert area_km2 == pytest.approx(108.49, rel=0.02)


def test_planner_spreadsheet_matches_the_anqiu_instance():
    path = INSTANCES / "anqiu_zh.csv"
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM
    sheet = pd.read_csv(path, encoding="utf-8-sig", dtype={"村代码": str})
    assert list(sheet.columns) == ["村代码", "村名", "乡镇", "户籍人口", "村集体收入(万元)", "党组织评定", "主导产业", "经度", "纬度"]
    config = Config.from_toml(INSTANCES / "anqiu_zh.toml")
    assert config.columns["village_id"] == "村代码" and config.columns["industry"] == "主导产业"
    assert config.rules.group_population == (1000, 2000) and config.weak.population_below == 300
    anqiu = gpd.read_file(INSTANCES / "anqiu.gpkg")
    assert (sheet["村代码"] == anqiu["village_id"]).all() and len(sheet) == 864
    strength = derive_strength(sheet.rename(columns={"村代码": "village_id"}), config.strength)
    assert np.allclose(strength, anqiu["strength"])
    assert (derive_weak(strength, sheet["户籍人口"], config.weak) == anqiu["weak"]).all()
    points = gpd.GeoSeries(gpd.points_from_xy(sheet["经度"], sheet["纬度"]), crs=4326)
    assert points.within(anqiu.geometry.reset_index(drop=True)).mean() > 0.99


@pytest.mark.parametrize("a, b", list(itertools.combinations(sorted(DOCUMENTED), 2)))
def test_instances_do_not_share_villages(a, b):
    ids_a = set(gpd.read_file(INSTANCES / f"{a}.gpkg", ignore_geometry=True)["village_id"])
    ids_b = set(gpd.read_file(INSTANCES / f"{b}.gpkg", ignore_geometry=True)["village_id"])
    assert not ids_a & ids_b


@pytest.mark.parametrize("name", ["clustered", "hilly", "plains"])
def test_families_draw_the_traits_they_promise(name):
    from pairing.synth.family import FAMILIES

    family = FAMILIES[name]
    county = synthetic_county(400, 6, seed=3, family=family)
    assert len(county) == 400 and county["village_id"].is_unique and county.geometry.is_valid.all()
    low, high = family.population_clip
    assert county["population"].between(low, high).all()
    assert abs(county["population"].median() - family.population_median) < 0.25 * family.population_median
    assert abs(county["weak"].mean() - family.weak_share) < 0.1
    if not family.weak_may_lead:
        assert not (county["weak"] & county["lead_eligible"]).any()


def test_generate_takes_a_family_and_traits_and_names_a_bad_flag(tmp_path, capsys):
    import geopandas as gpd
    from pairing.cli import main

    out = tmp_path / "hilly.gpkg"
    assert main(["generate", "--villages", "120", "--townships", "3", "--family", "hilly", "--weak-share", "0.45",
                 "--weak-may-lead", "no", "--out", str(out)]) == 0
    county = gpd.read_file(out)
    assert abs(county["weak"].mean() - 0.45) < 0.1 and not (county["weak"] & county["lead_eligible"]).any()
    assert main(["generate", "--villages", "120", "--townships", "3", "--family", "mountains", "--out", str(out)]) == 2
    assert "flag --family: no county family 'mountains'; use one of even, clustered, hilly, plains" in capsys.readouterr().err
    assert main(["generate", "--villages", "120", "--townships", "3", "--weak-share", "2", "--out", str(out)]) == 2
    assert "flag --weak-share" in capsys.readouterr().err
