"""What a batch writes for the whole province, as one set: ``batch.csv`` and
``batch.xlsx`` (a row per county), ``province.gpkg`` (every village and group,
with county columns, for QGIS) and an offline ``report.html`` (totals, a table
by city and county, the counties that failed or are not proven, and a map of
the counties coloured by how many of their weak villages are grouped)."""

from __future__ import annotations

import html
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..files import write_text, write_villages
from ..outputs import OutputFolder
from ..report.html import html_page, html_table
from ..report.svg import svg_path
from .counties import County
from .render import PROVINCE_CRS, CountyLayers, outline_of
from .task import CountyResult

#: The columns of ``batch.csv``, one row per county.
COLUMNS = ["county", "county_name", "city_code", "city_name", "mode", "villages", "groups", "weak", "weak_grouped", "villages_grouped",
           "status", "gap", "seconds", "villages_changed", "stopped", "error", "worker", "peak_mb", "started", "ended", "rendered",
           "received"]
#: The files a batch writes beside its county folders.
PROVINCE_FILES = ("batch.csv", "batch.xlsx", "province.gpkg", "report.html")
#: Fills of the province map, from few to all weak villages grouped (ColorBrewer YlGn).
COVERAGE_COLOURS = ("#f7fcb9", "#d9f0a3", "#addd8e", "#78c679", "#31a354", "#006837")


def county_row(county: County, result: CountyResult | None, mode: str, *, error: str = "", summary: dict | None = None) -> dict:
    """A county's row of ``batch.csv``: from its result, from the ``summary.json``
    of an earlier run (resumed), or with its error."""
    row = dict.fromkeys(COLUMNS, "")
    row.update(county=county.key, mode=mode, villages=len(county.table), **county.names)
    if summary is None and result is not None and result.plan is not None:
        plan = result.plan
        summary = {**plan.metrics(), "status": plan.status, "gap": plan.gap, "stopped": plan.stopped,
                   "batch": {"seconds": round(result.seconds, 3)},
                   "revision": {"villages_changed": result.revision.changed} if result.revision is not None else {}}
    if summary is not None:
        row.update({key: summary.get(key, "") for key in ("groups", "weak", "weak_grouped", "villages_grouped", "status", "gap", "stopped")})
        row.update(seconds=summary.get("batch", {}).get("seconds", ""), villages_changed=summary.get("revision", {}).get("villages_changed", ""))
        if mode == "re-solved" and row["villages_changed"] == "":
            row["villages_changed"] = 0
    if result is not None:
        row.update(worker=result.worker, peak_mb=result.peak_mb, started=result.started, ended=result.ended, rendered=result.rendered,
                   received=result.received)
    row["error"] = error or (result.error if result is not None else "")
    if row["error"]:
        row["status"] = "FAILED"
    return row


def write_province(out: Path, table: pd.DataFrame, results: dict[str, CountyResult], lang: str = "en") -> None:
    """The province's files; the villages and groups of counties not solved in
    this run (resumed) are read back from their ``plan.gpkg``."""
    villages, groups, outlines = _layers(out, table, results)
    with OutputFolder(out, PROVINCE_FILES) as output:
        output.write("batch.csv", lambda path: write_villages(table, path))
        output.write("batch.xlsx", lambda path: _xlsx(table, path))
        if villages is not None:
            output.write("province.gpkg", lambda path: _gpkg(villages, groups, path))
        output.write("report.html", lambda path: write_text(path, province_html(table, outlines, lang)))


def _layers(out: Path, table: pd.DataFrame, results: dict[str, CountyResult]):
    """Every village and group of the province, with county columns, and each
    county's outline, in :data:`PROVINCE_CRS`."""
    villages, groups, outlines = [], [], {}
    for row in table.itertuples(index=False):
        columns = {"county": row.county, "county_name": row.county_name, "city_code": row.city_code, "city_name": row.city_name}
        result = results.get(row.county)
        path = out / str(row.county) / "plan.gpkg"
        if result is not None and result.layers is not None:
            layers = result.layers
        elif result is None and path.is_file():
            shapes = gpd.read_file(path, layer="villages").to_crs(PROVINCE_CRS)
            layers = CountyLayers(shapes, gpd.read_file(path, layer="groups").to_crs(PROVINCE_CRS), outline_of(shapes))
        else:
            continue
        villages.append(layers.villages.assign(**columns))
        if layers.groups is not None:
            groups.append(layers.groups.assign(**columns))
        outlines[row.county] = layers.outline
    if not villages:
        return None, None, None
    merge = lambda frames: gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=PROVINCE_CRS)  # noqa: E731
    return merge(villages), merge(groups) if groups else None, gpd.GeoSeries(outlines, crs=PROVINCE_CRS)


def _gpkg(villages: gpd.GeoDataFrame, groups: gpd.GeoDataFrame | None, path: Path) -> None:
    villages.to_file(path, layer="villages", driver="GPKG")
    if groups is not None:
        groups["geometry"] = [shapely.MultiPolygon([shape]) if shape.geom_type == "Polygon" else shape for shape in groups.geometry]
        groups.to_file(path, layer="groups", driver="GPKG", mode="a")


def _xlsx(table: pd.DataFrame, path: Path) -> None:
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        table.to_excel(writer, sheet_name="counties", index=False)
        totals(table).to_excel(writer, sheet_name="totals", index=False)
        sheet = writer.sheets["counties"]
        sheet.freeze_panes = "B2"
        for column, cells in zip(table.columns, sheet.columns):
            sheet.column_dimensions[cells[0].column_letter].width = min(60, max(len(str(column)), *(len(str(v)) for v in table[column])) + 2)


def totals(table: pd.DataFrame) -> pd.DataFrame:
    """The province's totals: counties solved, proven, not proven and failed, and
    villages, weak villages and groups.

    Examples
    --------
    >>> table = pd.DataFrame({"villages": [10, 20], "weak": [4, 8], "weak_grouped": [4, ""], "villages_grouped": [9, ""],
    ...                       "groups": [3, ""], "status": ["OPTIMAL", "FAILED"], "gap": [0, ""]})
    >>> totals(table).set_index("item")["value"].to_dict()["counties failed"]
    '1'
    """
    number = lambda column: pd.to_numeric(table[column], errors="coerce").fillna(0)  # noqa: E731
    status = table["status"]
    gaps = pd.to_numeric(table["gap"], errors="coerce")
    items = [("counties", len(table)), ("counties proven optimal", int((status == "OPTIMAL").sum())),
             ("counties not proven", int((status == "FEASIBLE").sum())), ("counties with no plan", int((status == "UNKNOWN").sum())),
             ("counties failed", int((status == "FAILED").sum())), ("worst gap", f"{gaps.max():.2%}" if gaps.notna().any() else "-"),
             ("villages", int(number("villages").sum())), ("villages grouped", int(number("villages_grouped").sum())),
             ("weak villages", int(number("weak").sum())), ("weak villages grouped", int(number("weak_grouped").sum())),
             ("groups", int(number("groups").sum()))]
    return pd.DataFrame([(item, f"{value:,}" if isinstance(value, int) else value) for item, value in items], columns=["item", "value"])


def province_html(table: pd.DataFrame, outlines: gpd.GeoSeries | None, lang: str = "en") -> str:
    """The province's offline report: totals, the counties that need a look, a
    table by city and county, and a map of the counties (``outlines``, by county
    key) by weak coverage."""
    parts = ["<h1>Cross-village grouping: the province</h1>", "<h2>Totals</h2>", html_table(totals(table))]
    attention = table[table["status"].isin(["FAILED", "FEASIBLE", "UNKNOWN"])]
    parts.append(f"<h2>Counties that failed or are not proven ({len(attention)})</h2>")
    parts.append(html_table(attention[["county", "county_name", "status", "gap", "error"]]) if len(attention)
                 else '<p class="note">Every county was solved and proven optimal.</p>')
    if outlines is not None:
        parts += ["<h2>Map: share of weak villages grouped</h2>", _map(table, outlines)]
    parts.append("<h2>Counties by city</h2>")
    shown = ["county", "county_name", "mode", "villages", "groups", "weak", "weak_grouped", "villages_grouped", "status", "gap", "seconds"]
    for city, rows in table.groupby(table["city_name"].replace("", "—"), sort=True):
        parts.append(f"<h3>{html.escape(str(city))}</h3>" + html_table(rows[shown], numbers=["villages", "groups", "weak", "weak_grouped",
                                                                                              "villages_grouped"]))
    return html_page("Cross-village grouping: the province", "\n".join(parts), lang)


def _map(table: pd.DataFrame, outlines: gpd.GeoSeries, width: int = 900) -> str:
    """The counties' outlines as inline SVG, filled by the share of weak villages grouped."""
    outlines = outlines.to_crs("EPSG:3857")
    min_x, min_y, max_x, max_y = shapely.total_bounds(outlines.values)
    scale = width / max(max_x - min_x, 1.0)
    height = int((max_y - min_y) * scale) + 1
    outlines = shapely.simplify(outlines, 1.5 / scale)

    def to_px(xy: np.ndarray) -> np.ndarray:
        return np.column_stack(((xy[:, 0] - min_x) * scale, (max_y - xy[:, 1]) * scale))

    share = (pd.to_numeric(table.set_index("county")["weak_grouped"], errors="coerce")
             / pd.to_numeric(table.set_index("county")["weak"], errors="coerce").replace(0, np.nan))
    names = table.set_index("county")["county_name"]
    paths = []
    for county, outline in outlines.items():
        value = share.get(county, np.nan)
        fill = "#dddddd" if pd.isna(value) else COVERAGE_COLOURS[min(len(COVERAGE_COLOURS) - 1, int(value * len(COVERAGE_COLOURS)))]
        label = f"{names.get(county, '')} {county}: " + ("no plan" if pd.isna(value) else f"{value:.0%} of weak villages grouped")
        paths.append(f'<path d="{svg_path(outline, to_px)}" fill="{fill}"><title>{html.escape(label)}</title></path>')
    legend = "".join(f'<span><span class="swatch" style="background:{colour}"></span>{100 * k // len(COVERAGE_COLOURS)}%+</span>'
                     for k, colour in enumerate(COVERAGE_COLOURS))
    return (f'<svg class="map" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" aria-label="map">'
            f'<g stroke="#555" stroke-width="0.6">{"".join(paths)}</g></svg><p class="legend">{legend}</p>')
