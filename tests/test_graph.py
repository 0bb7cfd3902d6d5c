"""Adjacency from polygons and points."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely import MultiPolygon, Point, box

from pairing.errors import InputError
from pairing.graph import metric_crs, point_adjacency, polygon_adjacency


def test_grid_has_the_twenty_queen_edges(polygon_grid):
    grid = polygon_grid(3, 3)
    edges, tolerance_only = polygon_adjacency(grid.geometry, list(grid["village_id"]), tolerance_m=0)
    rook = {(f"r{r}c{c}", f"r{r}c{c + 1}") for r in range(3) for c in range(2)} | {(f"r{r}c{c}", f"r{r + 1}c{c}") for r in range(2) for c in range(3)}
    diagonal = {(f"r{r}c{c}", f"r{r + 1}c{c + 1}") for r in range(2) for c in range(2)} | {(f"r{r}c{c + 1}", f"r{r + 1}c{c}") for r in range(2) for c in range(2)}
    assert len(rook) == 12 and len(diagonal) == 8
    assert {tuple(sorted(edge)) for edge in edges} == {tuple(sorted(edge)) for edge in rook | diagonal}
    assert len(edges) == 20 and tolerance_only == 0


def test_gap_is_bridged_only_by_the_tolerance():
    squares = gpd.GeoSeries([box(0, 0, 100, 100), box(101, 0, 201, 100)], crs="EPSG:32650")
    assert polygon_adjacency(squares, ["a", "b"], tolerance_m=0) == ([], 0)
    assert polygon_adjacency(squares, ["a", "b"], tolerance_m=5) == ([("a", "b")], 1)


def test_multipolygon_is_one_village_with_the_neighbours_of_all_its_parts():
    split = MultiPolygon([box(0, 0, 1, 1), box(5, 0, 6, 1)])
    villages = gpd.GeoSeries([split, box(1, 0, 2, 1), box(6, 0, 7, 1), box(20, 0, 21, 1)])
    edges, _ = polygon_adjacency(villages, ["split", "west", "east", "far"], tolerance_m=0)
    assert edges == [("split", "west"), ("split", "east")]


def test_polygon_adjacency_is_vectorised_enough_for_ten_thousand_villages(polygon_grid):
    grid = polygon_grid(100, 100)
    edges, _ = polygon_adjacency(grid.geometry, list(grid["village_id"]), tolerance_m=5)
    assert len(edges) == 2 * 99 * 100 + 2 * 99 * 99


SQUARE = gpd.GeoSeries([Point(0, 0), Point(1000, 0), Point(0, 1000), Point(1000, 1000)])


def test_points_within_max_edge_are_delaunay_neighbours():
    edges = point_adjacency(SQUARE, ["a", "b", "c", "d"], max_edge_m=5000)
    sides = {("a", "b"), ("a", "c"), ("b", "d"), ("c", "d")}
    assert len(edges) == 5 and sides < set(edges)  # the four sides and one diagonal


def test_long_delaunay_edges_are_dropped():
    assert set(point_adjacency(SQUARE, ["a", "b", "c", "d"], max_edge_m=1200)) == {("a", "b"), ("a", "c"), ("b", "d"), ("c", "d")}
    assert point_adjacency(SQUARE, ["a", "b", "c", "d"], max_edge_m=500) == []


@pytest.mark.parametrize("points, expected", [
    ([Point(0, 0), Point(10, 0)], [("a", "b")]),
    ([Point(0, 0), Point(10, 0), Point(20, 0)], [("a", "b"), ("b", "c")]),
    ([Point(20, 0), Point(0, 0), Point(10, 0)], [("a", "c"), ("b", "c")]),
    ([Point(0, 0), Point(10, 0), Point(0, 10)], [("a", "b"), ("a", "c"), ("b", "c")]),
])
def test_two_or_three_points_even_collinear(points, expected):
    assert point_adjacency(gpd.GeoSeries(points), ["a", "b", "c"][: len(points)], max_edge_m=100) == expected


def test_duplicate_points_name_both_villages_and_the_fix():
    points = gpd.GeoSeries([Point(0, 0), Point(5, 5), Point(0, 0)])
    with pytest.raises(InputError, match=r"villages a and c are at the same point.*correct the coordinates"):
        point_adjacency(points, ["a", "b", "c"], max_edge_m=100)


def test_geographic_input_gets_its_utm_zone_and_projected_input_is_kept():
    anqiu = gpd.GeoSeries([Point(119.2, 36.4)], crs="EPSG:4326")
    assert metric_crs(anqiu).to_epsg() == 32650
    assert metric_crs(anqiu.to_crs("EPSG:4547")).to_epsg() == 4547
    with pytest.raises(InputError, match="no CRS"):
        metric_crs(gpd.GeoSeries([Point(0, 0)]))


def test_point_edges_match_a_brute_force_check_on_random_points():
    rng = np.random.default_rng(7)
    points = gpd.GeoSeries(shapely.points(rng.uniform(0, 10_000, (200, 2))))
    ids = [f"v{i:03d}" for i in range(200)]
    edges = point_adjacency(points, ids, max_edge_m=1500)
    assert edges == sorted(set(edges))  # once each, in input order
    for a, b in edges:
        assert points[ids.index(a)].distance(points[ids.index(b)]) <= 1500
