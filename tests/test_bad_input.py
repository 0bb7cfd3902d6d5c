"""No input breaks pairing: every bad config or village file is an InputError that
names the file, the key or the row and column, and the fix; never a traceback."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import openpyxl
import pandas as pd
import pytest
from shapely import Polygon

from pairing import Config, InputError, Locks, SolverParams, read_villages
from pairing.graph import far_from_the_rest
from pairing.instance import Instance
from pairing.files import write_villages
from pairing.synth import synthetic_county

HEADER = "village_id,township,population,strength,x,y\n"
ROWS = "a,T,800,3,0,0\nb,T,500,2,1000,0\nc,T,400,1,0,1000\n"


def config_error(tmp_path: Path, text: str) -> InputError:
    path = tmp_path / "villages.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        Config.from_toml(path)
    return caught.value


def read_error(path: Path, config=None) -> InputError:
    with pytest.raises(InputError) as caught:
        read_villages(path, config)
    return caught.value


def assert_names(message: str, *parts: str) -> None:
    for part in parts:
        assert part in message, f"{part!r} not in {message!r}"


# -- 1. config values of the wrong type ------------------------------------------------
@pytest.mark.parametrize("text, key, fix", [
    ('[solver]\ntime_limit = "60"', "key solver.time_limit", 'time_limit = "60" is text, not a number; write it without quotes: time_limit = 60'),
    ('[solver]\nworkers = "2"', "key solver.workers", "write it without quotes: workers = 2"),
    ('[rules]\nlead_top_share = "0.3"', "key rules.lead_top_share", "write it without quotes: lead_top_share = 0.3"),
    ('[graph]\ntolerance_m = "5"', "key graph.tolerance_m", "write it without quotes: tolerance_m = 5"),
    ('[solver]\ntime_limit = "60s"', "key solver.time_limit", "write e.g. time_limit = 60"),
    ('[solver]\nworkers = "two"', "key solver.workers", "write e.g. workers = 2"),
    ('[solver]\ntime_limit = true', "key solver.time_limit", "is not a number"),
    ('[solver]\nlog = "yes"', "key solver.log", "write it without quotes: log = true"),
    ('[solver]\nseed = "1"', "key solver.seed", "write it without quotes: seed = 1"),
    ("[solver]\nseed = 99999999999", "key solver.seed", "the largest seed CP-SAT takes"),
    ('[rules]\nsame_township = "false"', "key rules.same_township", "write it without quotes: same_township = false"),
    ("[rules]\nsame_township = 0", "key rules.same_township", "write same_township = false"),
    ("[rules]\ngroup_size = 3", "key rules.group_size", "write e.g. group_size = [3, 5]"),
    ('[rules]\ngroup_size = ["3", "5"]', "key rules.group_size", "write it without quotes: group_size = [3, 5]"),
    ("[strength]\nweights = 1.0", "key strength.weights", "weights = 1.0 is not a table; write e.g. weights = {"),
    ('[strength]\nweights = { "评定" = 1.0 }\nlevels = "好"', "key strength.levels", 'levels = "好" is not a table'),
    ('[strength]\nweights = { "评定" = 1.0 }\nlevels = { "评定" = { "好" = "high" } }', "key strength.levels.评定",
     '"好" = "high" is not a number; write e.g. "好" = 1.0'),
    ("[columns]\npopulation = 3", "key columns.population", 'write it in quotes, e.g. population = "'),
    ("rules = 3", "rules = 3", "write [rules] on a line of its own"),
])
def test_config_value_of_the_wrong_type(tmp_path, text, key, fix):
    assert_names(str(config_error(tmp_path, text)), "villages.toml: ", key, fix)


def test_every_problem_of_a_config_is_listed(tmp_path):
    error = config_error(tmp_path, '[solver]\ntime_limit = "60"\nworkers = "2"\n[rules]\nsame_township = "no"\n')
    assert [problem.column for problem in error.problems()] == ["solver.time_limit", "solver.workers", "rules.same_township"]
    assert all(problem.file.endswith("villages.toml") for problem in error.problems())


def test_unknown_crs_is_refused_when_the_config_is_read(tmp_path):
    assert_names(str(config_error(tmp_path, '[columns]\ncrs = "EPSG:99999"')), "villages.toml: key columns.crs: ", '"EPSG:99999"',
                 'give an EPSG code, e.g. crs = "EPSG:4547"')


def test_seed_beyond_32_bits_is_refused_by_the_solver_parameters():
    for make in (lambda: SolverParams(seed=99999999999), lambda: SolverParams().with_overrides(seed=2**31), lambda: SolverParams(seed=-1)):
        with pytest.raises(InputError, match="key solver.seed"):
            make()
    assert SolverParams(seed=2**31 - 1).seed == 2**31 - 1


def test_config_file_saved_as_gbk(tmp_path):
    path = tmp_path / "villages.toml"
    path.write_bytes('[columns]\nvillage_id = "村代码"\n'.encode("gbk"))
    with pytest.raises(InputError) as caught:
        Config.from_toml(path)
    assert_names(str(caught.value), "villages.toml: line 2: ", "not UTF-8", "save it as UTF-8")


def test_config_that_is_a_folder_or_unreadable(tmp_path, monkeypatch):
    with pytest.raises(InputError, match="is a folder, not a config file; give the path of the .toml file"):
        Config.from_toml(tmp_path)
    path = tmp_path / "villages.toml"
    path.write_text("[rules]\n", encoding="utf-8")

    def refuse(self):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "read_bytes", refuse)
    with pytest.raises(InputError, match=r"villages\.toml: cannot read the config file \(Permission denied\); check that it exists"):
        Config.from_toml(path)


# -- 2. locks of the wrong shape ---------------------------------------------------------
@pytest.mark.parametrize("text, key, fix", [
    ('exclude = "420115001200"', "key locks.exclude", 'exclude = "420115001200" is text, not a list; write exclude = ["420115001200"]'),
    ('together = ["a", "b"]', "key locks.together", 'is a flat list, not a list of lists; write together = [["a", "b"]]'),
    ('apart = ["a", "b"]', "key locks.apart", 'write apart = [["a", "b"]]'),
    ('pin = ["a", "b"]', "key locks.pin", "is not a table; write e.g. pin = {"),
    ('pin = { a = ["b"] }', "key locks.pin", 'pin "a" = ["b"] is not a village and its lead'),
    ('together = [["a", ["b"]]]', "key locks.together", 'together holds ["b"], which is not a village id'),
    ('leads = [1.5]', "key locks.leads", "leads holds 1.5, which is not a village id"),
])
def test_locks_of_the_wrong_shape(tmp_path, text, key, fix):
    assert_names(str(config_error(tmp_path, f"[locks]\n{text}\n")), "villages.toml: ", key, fix)


def test_lock_ids_given_as_numbers_are_text():
    locks = Locks.from_dict({"exclude": [420115001200], "together": [[1, 2]], "pin": {"3": 4}})
    assert locks.exclude == ("420115001200",) and locks.together == (("1", "2"),) and locks.pin == {"3": "4"}


# -- 3. overflowing numbers ----------------------------------------------------------------
@pytest.mark.parametrize("population, shown", [("10000000000000000000", "value 10000000000000000000 is over 10,000,000 people"),
                                               ("20000000", "value 20000000 is over 10,000,000 people")])
def test_overflowing_population_is_reported_as_written(tmp_path, population, shown):
    path = tmp_path / "villages.csv"
    path.write_text(HEADER + ROWS.replace("800", population), encoding="utf-8")
    message = str(read_error(path))
    assert_names(message, "villages.csv: village a: column population: ", shown, "write the village's registered population")
    assert "e+19" not in message and "-" not in message.partition("population:")[2].partition(";")[0]


def test_instance_refuses_an_overflowing_population():
    table = pd.DataFrame({"village_id": ["a", "b"], "name": ["A", "B"], "township": "T", "population": [10**19, 500],
                          "strength": [1.0, 2.0], "weak": [False, True]}, dtype=object)
    with pytest.raises(InputError, match=r"village a: column population: population 10000000000000000000 is over 10,000,000"):
        Instance(table, nx.Graph())


# -- 4. a misplaced village ----------------------------------------------------------------
def test_a_village_at_0_0_changes_neither_the_crs_nor_the_others(tmp_path):
    clean_path = write_villages(synthetic_county(60, 3, 5), tmp_path / "clean.csv")
    table = pd.read_csv(clean_path, dtype=str, encoding="utf-8-sig")
    misplaced = table["village_id"][7]
    table.drop(index=7).to_csv(tmp_path / "without.csv", index=False)
    table.loc[7, ["lon", "lat"]] = ["0", "0"]
    table.to_csv(tmp_path / "moved.csv", index=False)
    clean, without = read_villages(clean_path), read_villages(tmp_path / "without.csv")
    with pytest.warns(UserWarning, match=rf"moved\.csv: 1 village is over 250 km from the others.*: {misplaced}; it is kept"):
        moved = read_villages(tmp_path / "moved.csv")
    assert moved.geometry.crs == clean.geometry.crs and moved.n == clean.n and moved.graph.degree(misplaced) == 0
    others = np.array([i for i in range(clean.n) if i != 7])
    a, b = (ends.ravel() for ends in np.meshgrid(others, others))
    np.testing.assert_array_equal(moved.distances(a, b), clean.distances(a, b))
    # The others' adjacency is the clean file's without the misplaced village (its hole is triangulated anew): every clean edge between them stays.
    edges = {frozenset(edge) for edge in moved.graph.edges()}
    assert edges == {frozenset(edge) for edge in without.graph.edges()}
    assert {frozenset(edge) for edge in clean.graph.edges() if misplaced not in edge} <= edges


def test_misplaced_villages_are_named_five_at_most(tmp_path):
    rows = [f"v{i:02d},T,500,{i},{119 + 0.01 * i:.2f},{36 + 0.005 * (i % 9):.3f}" for i in range(40)]
    rows += [f"w{i},T,500,1,0,0" for i in range(7)]
    path = tmp_path / "villages.csv"
    path.write_text("village_id,township,population,strength,lon,lat\n" + "\n".join(rows) + "\n", encoding="utf-8")
    with pytest.warns(UserWarning, match=r"7 villages are over 250 km from the others.*: w0, w1, w2, w3, w4 and 2 more; they are kept"):
        instance = read_villages(path)
    assert instance.geometry.crs.to_epsg() == 32650 and all(instance.graph.degree(f"w{i}") == 0 for i in range(7))


@pytest.mark.parametrize("shape", ["square", "one end"])
def test_a_county_200_km_across_has_no_misplaced_village(shape):
    rng = np.random.default_rng(0)
    span = 200 / 111  # degrees of latitude
    if shape == "square":
        lat, lon = rng.uniform(0, span / 1.4, 500), rng.uniform(0, span / 1.4 / np.cos(np.radians(36)), 500)
    else:  # most villages at one end, a few 200 km away
        lat, lon = np.r_[rng.uniform(0, 0.1, 480), rng.uniform(span - 0.05, span, 20)], rng.uniform(0, 0.1, 500)
    assert not far_from_the_rest(gpd.GeoSeries(gpd.points_from_xy(119 + lon, 36 + lat), crs="EPSG:4326")).any()


# -- 5. a file of several layers --------------------------------------------------------------
def test_the_layer_read_from_a_multi_layer_gpkg_is_named(tmp_path):
    county, path = synthetic_county(20, 2, 1), tmp_path / "county.gpkg"
    for layer in ("a", "b", "villages"):
        county.to_file(path, layer=layer, driver="GPKG", mode="w" if layer == "a" else "a")
    with pytest.warns(UserWarning, match=r"county\.gpkg has 3 layers \(a, b, villages\); read 'villages'"):
        assert read_villages(path).n == 20
    county.loc[3, "geometry"] = Polygon()
    county.to_file(path, layer="villages", driver="GPKG", mode="w")
    county.to_file(path, layer="roads", driver="GPKG", mode="a")
    with pytest.warns(UserWarning, match="read 'villages'"):
        assert "county.gpkg (layer villages): village G1001004: empty geometry" in str(read_error(path))


# -- 6. a CSV that is neither UTF-8 nor GBK -------------------------------------------------------
@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_stray_byte_is_named_by_its_line(tmp_path, encoding):
    path = tmp_path / "villages.csv"
    path.write_bytes((HEADER + "甲村,T,800,3,0,0\n" * 5).encode(encoding) + b"b\xff,T,500,2,1000,0\n")
    assert str(read_error(path)).endswith("villages.csv: line 7: a byte that is neither UTF-8 nor GBK text (0xff); save the file from Excel as CSV UTF-8")


# -- 7. XLSX formulas without a saved value -------------------------------------------------------
def test_formula_without_a_saved_value_is_named_as_a_formula(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["village_id", "township", "户籍人口", "strength", "x", "y"])
    for i in range(5):
        sheet.append([f"v{i}", "T", 500, i, i * 1000, 0])
    sheet["C5"] = "=C4*2"  # openpyxl saves no value with it, as a program that never opened Excel does
    path = tmp_path / "villages.xlsx"
    book.save(path)
    message = str(read_error(path, Config.from_dict({"columns": {"population": "户籍人口"}})))
    assert message == ("{}: line 5: column 户籍人口: the cell holds the formula =C4*2 but no saved value; "
                       "open the file in Excel and save it (or paste the values)").format(path)


# -- 8. every problem of a file at once ---------------------------------------------------------------
def test_every_bad_row_of_a_csv_is_listed(tmp_path):
    path = tmp_path / "villages.csv"
    path.write_text(HEADER + "a,T,-5,3,0,0\nb,T,500,strong,1000,0\nc,T,,1,0,1000\nd,T,400,1,1000,1000\n", encoding="utf-8")
    problems = read_error(path).problems()
    assert [(problem.row, problem.column) for problem in problems] == [("village a", "population"), ("village c", "population"),
                                                                       ("village b", "strength")]
    assert all(str(problem).startswith(f"{path}: village ") for problem in problems)
    assert "value is empty; write a whole number above 0" in str(problems[1])


def test_every_bad_row_of_an_instance_is_listed():
    table = pd.DataFrame({"village_id": ["a", "a", "c"], "name": ["A", "B", "C"], "township": "T", "population": [0, 500, "many"],
                          "strength": [1.0, None, 2.0], "weak": [False, True, True]})
    with pytest.raises(InputError) as caught:
        Instance(table, nx.Graph())
    assert [(problem.row, problem.column) for problem in caught.value.problems()] == [
        ("village a", "village_id"), ("village a", "population"), ("village c", "population"), ("village a", "strength")]


def test_the_command_prints_every_problem_capped_with_a_count(tmp_path, capsys):
    from pairing.cli import main

    rows = "".join(f"v{k},T,{-k},1,{1000 * k},0\n" for k in range(25))
    table = tmp_path / "villages.csv"
    table.write_text("village_id,township,population,strength,x,y\n" + rows, encoding="utf-8")
    assert main(["check", str(table)]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 21 and all("villages.csv" in line for line in lines[:20])
    assert lines[-1] == "pairing: ... and 5 more problems"


def test_a_lock_naming_an_unknown_village_names_the_config_file(tmp_path, capsys):
    from pairing.cli import main

    table = tmp_path / "villages.csv"
    table.write_text("village_id,township,population,strength,x,y\na,T,500,3,0,0\nb,T,400,2,1000,0\nc,T,300,1,0,1000\n",
                     encoding="utf-8")
    config = tmp_path / "locks.toml"
    config.write_text('[locks]\nleads = ["nowhere"]\n', encoding="utf-8")
    assert main(["check", str(table), "--config", str(config)]) == 2
    error = capsys.readouterr().err
    assert "locks.toml" in error and "nowhere" in error and error.count("\n") == 1
