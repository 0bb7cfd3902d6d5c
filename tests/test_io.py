"""Reading villages, edge lists and plans; writing plans and tables."""

from __future__ import annotations

import hashlib
import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely import Polygon

from pairing.config import Config
from pairing.errors import InputError
from pairing.files import atomic_path, write_villages
from pairing.id_pairs import read_edges
from pairing.read_plan import read_plan
from pairing.table_files import read_table
from pairing.read import read_villages
from pairing.write import write_plan
from pairing.plan import Group, Plan
from pairing.rules import Rules

CONTRACT = """
[columns]
village_id = "村代码"
name = "村名"
township = "乡镇"
population = "户籍人口"
lon = "经度"
lat = "纬度"
[strength]
normalise = "rank"
weights = { "村集体收入(万元)" = 0.5, "户籍人口" = 0.2, "党组织评定" = 0.3 }
levels = { "党组织评定" = { "好" = 1.0, "较好" = 0.7, "一般" = 0.4, "较差" = 0.0 } }
[weak]
strength_share = 0.4
population_below = 300
"""

HEADER = ["村代码", "村名", "乡镇", "户籍人口", "村集体收入(万元)", "党组织评定", "经度", "纬度"]
ROWS = [
    ["370784105203", "东王村", "景芝镇", "820", "35.5", "好", "119.200", "36.400"],
    ["370784105204", "西王村", "景芝镇", "260", "8", "一般", "119.210", "36.400"],
    ["370784105205", "南庄村", "景芝镇", "540", "12", "较好", "119.200", "36.409"],
    ["370784105206", "北庄村", "景芝镇", "610", "20", "较差", "119.210", "36.409"],
    ["037078410520", "前岭村", "景芝镇", "450", "5.2", "一般", "119.220", "36.405"],
]


def write_csv(path, rows=ROWS, header=HEADER, encoding="utf-8"):
    path.write_bytes("\r\n".join(",".join(row) for row in [header, *rows]).encode(encoding) + b"\r\n")
    return path


@pytest.fixture
def contract(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text(CONTRACT, encoding="utf-8")
    return path


def error_of(*args, **kwargs) -> str:
    with pytest.raises(InputError) as caught:
        read_villages(*args, **kwargs)
    return str(caught.value)


def with_cell(row: int, column: str, value: str) -> list[list[str]]:
    rows = [list(cells) for cells in ROWS]
    rows[row][HEADER.index(column)] = value
    return rows


def gpkg(path, table: gpd.GeoDataFrame):
    table.to_file(path, layer="villages", driver="GPKG")
    return path


def grid_villages(polygon_grid, crs="EPSG:32650"):
    grid = polygon_grid(2, 2, crs=crs)
    return grid.assign(township="T", population=[600, 500, 400, 300], strength=[4.0, 3.0, 2.0, 1.0])


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- the planner's table ----------------------------------------------------------------
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_contract_csv_in_every_excel_encoding(tmp_path, contract, encoding):
    instance = read_villages(write_csv(tmp_path / "villages.csv", encoding=encoding), contract)
    reference = read_villages(write_csv(tmp_path / "reference.csv"), Config.from_toml(contract))
    assert list(instance.ids) == ["370784105203", "370784105204", "370784105205", "370784105206", "037078410520"]
    assert instance.villages["name"].tolist() == ["东王村", "西王村", "南庄村", "北庄村", "前岭村"]
    np.testing.assert_allclose(instance.strength, reference.strength)
    assert instance.weak.tolist() == reference.weak.tolist()
    # rank-normalised: 东王村 leads every indicator; 西王村 is weak (fewest people, and weakest 40%)
    assert instance.strength.argmax() == 0 and instance.weak[1]
    assert instance.weak.sum() == 2
    assert instance.graph.number_of_edges() >= 4 and instance.xy is not None
    assert instance.source.endswith("villages.csv")
    assert "村集体收入(万元)" in instance.villages.columns and "村代码" not in instance.villages.columns


def test_contract_xlsx_gives_the_same_instance(tmp_path, contract):
    csv = read_villages(write_csv(tmp_path / "villages.csv"), contract)
    xlsx_path = tmp_path / "villages.xlsx"
    pd.DataFrame(ROWS, columns=HEADER).to_excel(xlsx_path, index=False)
    xlsx = read_villages(xlsx_path, contract)
    assert xlsx.ids == csv.ids
    np.testing.assert_allclose(xlsx.strength, csv.strength)
    assert xlsx.weak.tolist() == csv.weak.tolist()
    assert sorted(xlsx.graph.edges()) == sorted(csv.graph.edges())


def test_read_table_keeps_ids_as_text(tmp_path):
    table = read_table(write_csv(tmp_path / "v.csv", encoding="gbk"))
    assert table["村代码"].tolist()[-1] == "037078410520" and pd.api.types.is_string_dtype(table["户籍人口"])


def test_blank_excel_rows_and_columns_are_dropped_but_lines_still_count(tmp_path, contract):
    rows = [[*cells, ""] for cells in ROWS[:2]] + [[""] * 9] + [[*ROWS[0], ""]] + [[""] * 9]
    path = write_csv(tmp_path / "villages.csv", rows, header=[*HEADER, ""])
    assert read_table(path).shape == (3, 8)
    assert "line 5: column 村代码: duplicate village id 370784105203 (also on line 2)" in error_of(path, contract)


# -- every bad input names file, row, column and fix ---------------------------------------
@pytest.mark.parametrize("rows, expected", [
    (with_cell(3, "村代码", "370784105203"), ["villages.csv", "line 5", "column 村代码", "duplicate village id 370784105203", "line 2", "give every village its own id"]),
    (with_cell(1, "户籍人口", ""), ["villages.csv", "village 370784105204", "column 户籍人口", "empty", "whole number above 0"]),
    (with_cell(1, "户籍人口", "约三百"), ["villages.csv", "village 370784105204", "column 户籍人口", "'约三百' is not a number", "whole number above 0"]),
    (with_cell(1, "户籍人口", "-5"), ["villages.csv", "village 370784105204", "column 户籍人口", "-5", "whole number above 0"]),
    (with_cell(1, "户籍人口", "12.5"), ["villages.csv", "village 370784105204", "column 户籍人口", "12.5", "whole number above 0"]),
    (with_cell(2, "党组织评定", "很好"), ["villages.csv", "village 370784105205", "column 党组织评定", "unknown level '很好'", "add it to [strength] levels"]),
    (with_cell(2, "经度", ""), ["villages.csv", "village 370784105205", "column 经度", "empty", "write a number"]),
])
def test_bad_cells(tmp_path, contract, rows, expected):
    message = error_of(write_csv(tmp_path / "villages.csv", rows), contract)
    for part in expected:
        assert part in message


def test_missing_mapped_column(tmp_path, contract):
    header = [("人口" if column == "户籍人口" else column) for column in HEADER]
    message = error_of(write_csv(tmp_path / "villages.csv", header=header), contract)
    assert "villages.csv" in message and "column 户籍人口" in message and "fix the [columns] mapping" in message


def test_missing_strength_without_weights(tmp_path):
    path = write_csv(tmp_path / "villages.csv", [["a", "T", "500", "0", "0"]], header=["village_id", "township", "population", "x", "y"])
    assert "missing column strength; add it or define [strength] weights in the config" in error_of(path)


def test_bad_yes_no_cell(tmp_path):
    path = write_csv(tmp_path / "villages.csv", [["a", "T", "500", "1", "是", "0", "0"], ["b", "T", "500", "2", "也许", "9", "0"]],
                     header=["village_id", "township", "population", "strength", "weak", "x", "y"])
    message = error_of(path)
    assert "villages.csv: village b: column weak: '也许' is not yes or no" in message and "是/否" in message


def test_no_geometry_and_no_edges(tmp_path):
    path = write_csv(tmp_path / "villages.csv", [["a", "T", "500", "1"]], header=["village_id", "township", "population", "strength"])
    assert "no geometry; add lon/lat (or x/y) columns, or give --edges FILE" in error_of(path)


@pytest.mark.parametrize("name, content, problem", [
    ("v.txt", b"", "unknown file type .txt"),
    ("missing.csv", None, "file not found"),
    ("empty.csv", b"", "cannot read the file"),
    ("header.csv", (",".join(HEADER) + "\n").encode("gbk"), "the file has no villages"),
    ("broken.xlsx", b"not a zip", "cannot read the file"),
    ("broken.gpkg", b"not sqlite", "cannot read the file"),
])
def test_unreadable_files(tmp_path, contract, name, content, problem):
    if content is not None:
        (tmp_path / name).write_bytes(content)
    assert f"{name}: {problem}" in error_of(tmp_path / name, contract)


# -- polygons ------------------------------------------------------------------------------
def test_polygons_give_queen_adjacency_and_metric_anchors(tmp_path, polygon_grid):
    villages = grid_villages(polygon_grid)
    projected = read_villages(gpkg(tmp_path / "villages.gpkg", villages))
    assert projected.graph.number_of_edges() == 6 and projected.tolerance_edges == 0
    assert projected.geometry.crs.to_epsg() == 32650 and "geometry" not in projected.villages.columns
    np.testing.assert_allclose(projected.xy[0], [500, 500])
    geographic = read_villages(gpkg(tmp_path / "lonlat.gpkg", villages.to_crs("EPSG:4326")))
    assert geographic.geometry.crs.is_projected and geographic.graph.number_of_edges() == 6


def test_invalid_polygon_is_refused_then_repaired_without_touching_the_file(tmp_path, polygon_grid):
    villages = grid_villages(polygon_grid)
    villages.loc[3, "geometry"] = Polygon([(1000, 1000), (2000, 2000), (2000, 1000), (1000, 2000)])  # bow-tie
    path = gpkg(tmp_path / "villages.gpkg", villages)
    before = digest(path)
    message = error_of(path)
    assert "villages.gpkg: village r1c1: invalid polygon (Self-intersection[1500 1500])" in message
    assert "repair it with buffer(0) or shapely.make_valid, or rerun with --repair" in message
    repaired = read_villages(path, repair=True)
    assert repaired.geometry.is_valid.all() and repaired.geometry.geom_type[3] == "MultiPolygon"
    assert repaired.graph.has_edge("r0c0", "r1c1")
    assert digest(path) == before


def test_empty_geometry(tmp_path, polygon_grid):
    villages = grid_villages(polygon_grid)
    villages.loc[2, "geometry"] = Polygon()
    message = error_of(gpkg(tmp_path / "villages.gpkg", villages))
    assert "villages.gpkg: village r1c0: empty geometry; draw the village" in message


@pytest.mark.filterwarnings("ignore:'crs' was not provided")
def test_polygons_without_crs_unless_the_config_gives_one(tmp_path, polygon_grid):
    path = gpkg(tmp_path / "villages.gpkg", grid_villages(polygon_grid, crs=None))
    assert "villages.gpkg: no CRS; set one in QGIS or give crs in [columns]" in error_of(path)
    instance = read_villages(path, Config.from_dict({"columns": {"crs": "EPSG:32650"}}))
    assert instance.geometry.crs.to_epsg() == 32650


# -- edge lists ----------------------------------------------------------------------------
@pytest.fixture
def line_of_points(tmp_path):
    """a - b - c along a line, 1 km apart."""
    return write_csv(tmp_path / "villages.csv", [["a", "T", "500", "3", "0", "0"], ["b", "T", "500", "2", "1000", "0"], ["c", "T", "500", "1", "2000", "0"]],
                     header=["village_id", "township", "population", "strength", "x", "y"])


def test_edges_replace_and_add_edges_add(tmp_path, line_of_points):
    extra = write_csv(tmp_path / "extra.csv", [["c", "a"]], header=["source", "target"])
    assert sorted(read_villages(line_of_points).graph.edges()) == [("a", "b"), ("b", "c")]
    assert sorted(map(sorted, read_villages(line_of_points, edges=extra).graph.edges())) == [["a", "c"]]
    assert sorted(map(sorted, read_villages(line_of_points, add_edges=extra).graph.edges())) == [["a", "b"], ["a", "c"], ["b", "c"]]


def test_edges_stand_in_for_missing_coordinates(tmp_path):
    villages = write_csv(tmp_path / "villages.csv", [["a", "T", "500", "1"], ["b", "T", "600", "2"]], header=["village_id", "township", "population", "strength"])
    edges = write_csv(tmp_path / "edges.csv", [["a", "b"]], header=["甲", "乙"])
    instance = read_villages(villages, edges=edges)
    assert list(instance.graph.edges()) == [("a", "b")] and instance.xy is None and instance.geometry is None


def test_unknown_id_in_an_edge_file(tmp_path, line_of_points):
    edges = write_csv(tmp_path / "edges.csv", [["a", "b"], ["b", "z"]], header=["from", "to"])
    message = error_of(line_of_points, edges=edges)
    assert "edges.csv: line 3: column to: unknown village id z; use ids from the village table" in message
    with pytest.raises(InputError, match="line 2: column a: unknown village id q"):
        read_edges(write_csv(tmp_path / "e.csv", [["q", "a"]], header=["a", "b"]), ["a", "b"])


# -- plans ---------------------------------------------------------------------------------
def test_write_plan_then_read_plan(tmp_path, contract):
    instance = read_villages(write_csv(tmp_path / "villages.csv"), contract)
    plan = Plan(instance, Rules(), (Group("g1", ("370784105203",), ("370784105204", "037078410520")),), status="OPTIMAL")
    paths = write_plan(plan, tmp_path / "out" / "run1", extra={"check": {"valid": True}})
    assert [path.name for path in paths] == ["plan.csv", "summary.json"]
    assert paths[0].read_bytes().startswith(b"\xef\xbb\xbf")
    written = pd.read_csv(paths[0], encoding="utf-8-sig", dtype=str)
    assert {"population", "weak", "strength", "group_id", "role"} <= set(written.columns) and "东王村" in set(written["name"])
    summary = json.loads(paths[1].read_text(encoding="utf-8"))
    assert summary["status"] == "OPTIMAL" and summary["check"] == {"valid": True} and summary["villages_grouped"] == 3 and "villages.csv" in summary["source"]
    assert read_plan(paths[0], instance, Rules()).groups == plan.groups
    xlsx = tmp_path / "plan.xlsx"
    write_villages(written, xlsx)
    assert read_plan(xlsx, instance, Rules()).groups == plan.groups


def test_read_plan_errors(tmp_path, contract):
    instance = read_villages(write_csv(tmp_path / "villages.csv"), contract)
    missing = write_csv(tmp_path / "plan.csv", [["370784105203", "g1"]], header=["village_id", "group_id"])
    with pytest.raises(InputError, match=r"plan\.csv: column role: missing column role; a plan needs"):
        read_plan(missing, instance, Rules())
    unknown = write_csv(tmp_path / "plan2.csv", [["370784105203", "g1", "lead"], ["999", "g1", "member"]], header=["village_id", "group_id", "role"], encoding="gbk")
    with pytest.raises(InputError, match=r"plan2\.csv: line 3: column village_id: unknown village id 999; use ids"):
        read_plan(unknown, instance, Rules())


# -- writing -------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["v.gpkg", "v.geojson", "v.csv", "v.xlsx"])
def test_write_villages_round_trips_by_suffix(tmp_path, polygon_grid, name):
    villages = grid_villages(polygon_grid).assign(村名=["甲", "乙", "丙", "丁"])
    back = read_table(write_villages(villages, tmp_path / name))
    assert list(back["村名"]) == ["甲", "乙", "丙", "丁"] and [str(v) for v in back["population"]] == ["600", "500", "400", "300"]
    geographic = name.endswith(("gpkg", "geojson"))
    assert ("geometry" in back.columns) == geographic and ({"lon", "lat"} <= set(back.columns)) == (not geographic)
    assert [path.name for path in tmp_path.iterdir()] == [name]
    # polygons: 6 queen pairs; the points a table carries instead: 4 sides and a diagonal of Delaunay
    assert read_villages(tmp_path / name).graph.number_of_edges() == (6 if geographic else 5)


def test_failed_write_keeps_the_old_file_and_leaves_no_temp(tmp_path):
    path = tmp_path / "plan.csv"
    path.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError):
        with atomic_path(path) as temp:
            temp.write_text("half", encoding="utf-8")
            raise RuntimeError("disk full")
    assert path.read_text(encoding="utf-8") == "old" and [p.name for p in tmp_path.iterdir()] == ["plan.csv"]
    with pytest.raises(InputError, match="has no geometry"):
        write_villages(pd.DataFrame({"village_id": ["a"]}), tmp_path / "v.gpkg")
    assert [p.name for p in tmp_path.iterdir()] == ["plan.csv"]


def test_csv_numbers_carry_no_float_noise(tmp_path):
    """0.1 + 0.2 is written 0.3, not 0.30000000000000004; ids and whole numbers as they are."""
    table = pd.DataFrame({"village_id": ["037"], "strength": [0.1 + 0.2], "share": [0.43899999999999995], "population": [1200],
                          "lon": [118.884048]})
    text = write_villages(table, tmp_path / "v.csv").read_text(encoding="utf-8-sig")
    assert text.splitlines()[1] == "037,0.3,0.439,1200,118.884048"
