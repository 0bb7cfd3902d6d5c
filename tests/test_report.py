"""The offline HTML report and the maps: no URL, the right content, Chinese
labels, honest font fallback, and fast enough for a whole county."""

from __future__ import annotations

import io
import re
import string
import time
from pathlib import Path

import numpy as np
import pytest
import shapely
from county import CHINESE_NAMES, solve_county, write_county
from PIL import Image

import pairing.report.png as report_png
from pairing import Group, Plan, Rules, read_villages
from pairing.diagnose import with_reasons
from pairing.files import write_villages
from pairing.labels import COLUMN_KEYS, LABELS, header_names, label
from pairing.report.fonts import MapFontWarning
from pairing.report.html import report_html
from pairing.report.layers import UNGROUPED_FILL, group_colours, legend_keys, map_layers
from pairing.report.png import map_png
from pairing.report.svg import map_svg
from pairing.synth import synthetic_county

INSTANCES = Path(__file__).resolve().parents[1] / "instances"


@pytest.fixture(scope="module")
def plan(tmp_path_factory):
    return solve_county(write_county(tmp_path_factory.mktemp("county")))


@pytest.fixture(scope="module")
def pages(plan):
    return {lang: report_html(plan, lang) for lang in ("en", "zh")}


def test_the_report_references_no_resource(pages):
    for page in pages.values():
        assert "http://" not in page and "https://" not in page and "xmlns" not in page
        assert not re.search(r"\b(src|href)\s*=", page)  # no script, image, style sheet or link to fetch
        assert all(url.startswith("data:") for url in re.findall(r"url\(([^)]*)\)", page))  # the embedded font only


def test_the_report_shows_the_plan(plan, pages):
    english, chinese = pages["en"], pages["zh"]
    assert "Cross-village grouping plan" in english and "proven optimal" in english and "every rule holds" in english
    assert "跨村联建方案" in chinese and "已证明最优" in chinese and "各乡镇联建组" in chinese
    for township in set(plan.instance.township):
        assert f"<h3>{township}</h3>" in english
    assert all(f"<td>{group.group_id}</td>" in english for group in plan.groups)
    assert all(name in chinese for name in CHINESE_NAMES)
    assert english.count("<svg") == 1 and english.count('class="map"') == 1


def test_ungrouped_weak_villages_are_listed_with_their_reasons(plan):
    instance = plan.instance
    weak = instance.ids[int(instance.weak.argmax())]
    without = Plan(instance, plan.rules, tuple(g for g in plan.groups if weak not in g.villages), status=plan.status,
                   bound=plan.bound, gap=plan.gap, stages=plan.stages)
    page = report_html(with_reasons(without))
    section = page.split("Ungrouped weak villages", 1)[1]
    assert f"<td>{weak}</td>" in section and "not chosen: it fits a valid group" in section


def test_the_map_marks_every_village_lead_and_group(plan):
    svg = map_svg(plan)
    villages = svg.split('<g class="villages"', 1)[1].split("</g>", 1)[0]
    assert villages.count("<path ") == plan.instance.n and villages.count("<title>") == plan.instance.n
    leads = svg.split('<g class="leads"', 1)[1]
    assert leads.count("<circle ") == len(plan.groups) and leads.count("<text ") == len(plan.groups)
    assert svg.split('<g class="groups"', 1)[1].split("</g>", 1)[0].count("<path ") == len(plan.groups)
    colours = group_colours(plan)
    group_of = {v: g.group_id for g in plan.groups for v in g.villages}
    for a, b in plan.instance.graph.edges():
        if a in group_of and b in group_of and group_of[a] != group_of[b]:
            assert colours[group_of[a]] != colours[group_of[b]]


def test_points_are_drawn_as_dots_with_links_to_their_lead(tmp_path):
    table = write_villages(synthetic_county(40, 2, seed=3), tmp_path / "points.csv")  # lon/lat columns, no polygons
    plan = solve_county(table)
    assert plan.instance.geometry.geom_type.iloc[0] == "Point" and plan.groups
    svg = map_svg(plan, "zh")
    assert svg.count("<circle ") == plan.instance.n + len(plan.groups)
    assert svg.count("<line ") - 1 == sum(len(g.members) for g in plan.groups)  # one more: the hatch pattern's
    assert map_png(plan, "zh")[:4] == b"\x89PNG"


def test_points_are_drawn_as_coloured_areas_with_township_borders(tmp_path):
    """A spreadsheet of coordinates reads like a polygon map: each village's cell
    filled by its group, township borders, and the legend lists what is drawn."""
    table = write_villages(synthetic_county(40, 2, seed=3), tmp_path / "points.csv")
    plan = solve_county(table)
    layers = map_layers(plan)
    points = plan.instance.geometry.to_numpy()
    assert not layers.polygonal and len(layers.areas) == plan.instance.n
    assert all(area.geom_type in ("Polygon", "MultiPolygon") for area in layers.areas)
    assert shapely.contains(layers.areas, points).all()  # each village's own cell
    assert abs(sum(area.area for area in layers.areas) - shapely.union_all(layers.areas).area) < 1.0  # cells do not overlap
    assert len(layers.townships) == len(set(plan.instance.township)) == 2
    assert all(outline.geom_type in ("Polygon", "MultiPolygon") for outline in layers.outlines)
    keys = legend_keys(layers)
    assert {"legend:grouped", "legend:group", "legend:township", "legend:point"} <= set(keys)
    svg = map_svg(plan, "zh")
    villages = svg.split('<g class="villages"', 1)[1].split("</g>", 1)[0]
    assert villages.count("<path ") == plan.instance.n and '<g class="townships"' in svg
    legend = report_html(plan, "zh").split('<p class="legend">', 1)[1].split("</p>", 1)[0]
    assert re.findall(r"(?:</span>|● |∘ )([^<]+)</span>", legend) == [label(key, "zh") for key in keys]
    # On the PNG, the groups' fills cover most of the county, not only dots.
    image = np.asarray(Image.open(io.BytesIO(map_png(plan, "zh"))).convert("RGB"))
    fills = {tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5)) for colour in set(layers.fills) if colour != UNGROUPED_FILL}
    filled = np.zeros(image.shape[:2], dtype=bool)
    for colour in fills:
        filled |= (image == colour).all(axis=2)
    assert filled.mean() > 0.25, filled.mean()


def test_without_a_chinese_font_names_become_ids_with_a_warning(plan, monkeypatch):
    latin_only = report_png.font_files()[-1:]
    assert "DejaVu" in latin_only[0]
    monkeypatch.setattr(report_png, "font_files", lambda: latin_only)
    with pytest.warns(MapFontWarning, match=f"no available font can draw {plan.instance.n} village names"):
        image = map_png(plan, "zh")
    assert image[:4] == b"\x89PNG"


def test_a_whole_county_renders_in_a_few_seconds():
    instance = read_villages(INSTANCES / "anqiu.gpkg")
    taken, groups = set(), []
    for village in instance.ids:  # a rough plan: each free village with two free neighbours
        free = [n for n in instance.graph[village] if n not in taken]
        if village not in taken and len(free) >= 2:
            taken.update([village, *free[:2]])
            groups.append(Group(f"G{len(groups) + 1:03d}", (village,), tuple(free[:2])))
    plan = Plan(instance, Rules(), tuple(groups))
    started = time.perf_counter()
    page = report_html(plan, "zh")
    image = map_png(plan, "zh")
    seconds = time.perf_counter() - started
    assert seconds < 15, f"report and map of 864 villages took {seconds:.1f} s"
    assert len(page) < 2_000_000 and len(image) < 8_000_000 and "东十里村委会" in page


def test_every_label_has_both_languages_with_the_same_fields():
    fields = string.Formatter()
    for key, (english, chinese) in LABELS.items():
        assert english and chinese, key
        assert {f[1] for f in fields.parse(english) if f[1]} == {f[1] for f in fields.parse(chinese) if f[1]}, key
    headers = header_names()
    for key in COLUMN_KEYS:
        assert headers[key] == headers[LABELS[key][0].lower()] == headers[LABELS[key][1].lower()] == key
