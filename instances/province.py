"""Build Shandong 2020 and 2021 (every village committee) as batch inputs, from the real public data.

Usage::

    python instances/province.py [--shared ../shared] [--out DIR] [--cities 3707 ...]

Real: village codes, names, townships, counties and cities (NBS 2020 and 2021), county outlines
(DataV, 2019), census 2020 rural residents per county. Synthetic: the rest, from
:mod:`pairing.synth` (see ``instances/README.md``, "Shandong 2020 and 2021"). 2020 is built first;
2021 merges, keeps and cuts the 2020 polygons, so the two years are consistent. Fixed seeds per
county: a rebuild is identical, and a ``--cities`` selection holds the same rows as the whole
province (no city's data depend on another's).

Writes, in ``DIR`` (default ``instances/cache/``): ``shandong-2020.gpkg``, ``shandong-2021.gpkg``
(layers ``villages`` and ``counties``), ``shandong-renames-2020-2021.csv`` and ``configs-2020/``,
``configs-2021/`` (one ``<county_code>.toml`` per county whose villages are too large for the
default rules). A selection is named after its cities, to sit beside other instances:
``weifang-2020.gpkg``, ``weifang-2021.gpkg``, ``weifang-renames.csv``, ``weifang-configs-2021/``.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely

from pairing.instance import derive_strength, derive_weak
from pairing.synth import STRENGTH_SPEC, WEAK_SPEC, partition_region, synthetic_indicators, voronoi_villages, weld_borders
from province_geometry import STORED_CRS, WORK_CRS, county_outlines, cut, grow, on_grid, shared_borders, union_polygon

HERE = Path(__file__).resolve().parent
DEFAULT_SHARED = Path(__file__).resolve().parents[2] / "shared"
GRID_DEGREES = 1e-6  # stored coordinates, ~0.1 m: the same as the bundled instances
CITY_FILE_NAMES = {"3701": "jinan", "3702": "qingdao", "3703": "zibo", "3704": "zaozhuang", "3705": "dongying", "3706": "yantai",
                   "3707": "weifang", "3708": "jining", "3709": "taian", "3710": "weihai", "3711": "rizhao", "3713": "linyi",
                   "3714": "dezhou", "3715": "liaocheng", "3716": "binzhou", "3717": "heze"}
COLUMNS = ["village_id", "name", "township", "township_code", "county_code", "county_name", "city_code", "city_name", "population",
           "collective_income", "committee_rating", "industry", "strength", "weak", "geometry"]
FIGURES = ["population", "collective_income", "committee_rating", "industry"]
DEFAULT_POPULATION = (1000, 2000)  # README "Rules": the Anqiu rule
MATCH_SHARE = 0.5  # a renumbered township: at least half its new village names are gone names of one 2020 township


def read_lists(raw: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Village committees of 2020 and 2021 (sorted by code, with city code and name) and the counties table."""
    counties = pd.read_csv(raw / "nbs-villages-2021-shandong" / "counties.csv", dtype={"county_code": str, "city_code": str})
    cities = dict(zip(counties["city_code"], counties["city_name"]))
    lists = []
    for folder in ("nbs-villages-2020-shandong", "nbs-villages-2021-shandong"):
        table = pd.read_csv(raw / folder / "villages.csv", dtype=str)
        table = table[table["unit_type_by_code"] == "village_committee"].sort_values("village_code").reset_index(drop=True)
        table["city_code"] = table["county_code"].str[:4]
        table["city_name"] = table["city_code"].map(cities)
        assert table["village_code"].str.fullmatch(r"\d{12}").all() and table["village_code"].is_unique and table["city_name"].notna().all()
        lists.append(table)
    return lists[0], lists[1], counties


def mean_populations(villages: pd.DataFrame, counties: pd.DataFrame) -> dict[str, float]:
    """Census 2020 rural residents per village committee of each county; the province's mean where the
    census gives 0 rural residents (槐荫区 370104) or lacks the county (历下区 370102, 2020 only)."""
    rural = counties.set_index("county_code")["census2020_rural"].astype(float)
    count = villages.groupby("county_code").size()
    usable = count.index[count.index.isin(rural.index[rural > 0])]
    province = rural[usable].sum() / count[usable].sum()
    return {county: rural[county] / n if county in usable else province for county, n in count.items()}


def name_key(names: pd.Series) -> pd.Series:
    """A village name without its committee suffix: 烟市街村委会, 烟市街居委会 -> 烟市街."""
    return names.str.replace(r"(村民委员会|村委会|居民委员会|居委会)$", "", regex=True).str.replace(r"(社区|村)$", "", regex=True)


def township_sources(v20: pd.DataFrame, v21: pd.DataFrame, gone: pd.DataFrame) -> dict[str, list[str]]:
    """2021 township -> the 2020 township(s) whose land it has: the same code; else the same name in the
    same county; else the 2020 township of the city holding most of its new villages' names among its
    gone ones (at least half: 桥头镇 moved from 371072 to 371002 with all 51 names); else none."""
    old = v20.groupby("township_code").agg(name=("township_name", "first"), county=("county_code", "first"))
    gone = gone.assign(key=name_key(gone["village_name"]))
    sources = {}
    for township, rows in v21.groupby("township_code", sort=True):
        county = rows["county_code"].iloc[0]
        same_name = old.index[(old["county"] == county) & (old["name"] == rows["township_name"].iloc[0])].tolist()
        new_keys = set(name_key(rows.loc[~rows["village_code"].isin(v20["village_code"]), "village_name"]))
        hits = gone[(gone["city_code"] == county[:4]) & gone["key"].isin(new_keys)].groupby("township_code").size()
        matched = [hits.idxmax()] if len(hits) and hits.max() >= MATCH_SHARE * len(new_keys) else []
        sources[township] = [township] if township in old.index else same_name or matched
    return sources


def build_2020(v20: pd.DataFrame, outlines: dict, means: dict[str, float]) -> gpd.GeoDataFrame:
    """Synthetic polygons (townships by ``partition_region``, villages by ``voronoi_villages``, welded) and
    figures of the 2020 villages, county by county, in :data:`WORK_CRS`."""
    frames = []
    for county, rows in v20.groupby("county_code", sort=True):
        rng = np.random.default_rng([int(county), 2020, 0])
        counts = rows.groupby("township_code", sort=True).size()
        cells = []
        for count, area in zip(counts, partition_region(outlines[county][0], counts.tolist(), rng)):
            cells.extend(voronoi_villages(area, int(count), rng))  # Hilbert order, and codes ascend: neighbouring codes are neighbours
        figures = synthetic_indicators(len(rows), means[county], np.random.default_rng([int(county), 2020, 1]),
                                       townships=rows["township_code"].tolist())
        frames.append(gpd.GeoDataFrame(pd.concat([rows.reset_index(drop=True), figures], axis=1), geometry=weld_borders(cells), crs=WORK_CRS))
    frame = pd.concat(frames, ignore_index=True)
    frame["geometry"], moved = on_grid(frame.geometry.values, GRID_DEGREES)
    print(f"2020: {moved} parts pinched off by rounding handed to a neighbour")
    return frame


class Change:
    """2020 -> 2021: which 2020 polygons (and pieces of them) make each 2021 village.

    Units are the 2020 villages (index = row of the 2020 table) followed by the pieces cut off them.
    Regions are the 2021 villages (index = row of the 2021 table)."""

    def __init__(self, y2020: gpd.GeoDataFrame, v21: pd.DataFrame):
        self.y2020, self.v21 = y2020, v21
        self.codes = y2020["village_code"].tolist()
        kept = set(self.codes) & set(v21["village_code"])
        self.kept = y2020["village_code"].isin(kept).to_numpy()
        self.geometry = list(y2020.geometry.values)
        self.township = y2020["township_code"].tolist()
        self.county = y2020["county_code"].tolist()
        self.members: list[list[int]] = [[] for _ in range(len(v21))]
        self.owner: list[int] = [-1] * len(y2020)
        self.sources = township_sources(y2020, v21, y2020[~self.kept])
        self.stats = Counter()
        self.donors: set[int] = set()
        row = {code: index for index, code in enumerate(self.codes)}
        for r, code in enumerate(v21["village_code"]):
            if code in kept:
                self.own(row[code], r)
        self.rngs = {county: np.random.default_rng([int(county), 2021, 0]) for county in v21["county_code"].unique()}

    def own(self, unit: int, region: int) -> None:
        """Give a unit to a 2021 village."""
        self.owner[unit] = region
        self.members[region].append(unit)

    def seed_and_cut(self) -> None:
        """Each new village takes one gone village of its sources (spread along the Hilbert order) where
        there are enough; the others get a piece cut off the largest gone polygons of their sources, else
        off the largest kept ones of their township, else off the largest polygon of their county."""
        gone_by_township = self.y2020[~self.kept].groupby("township_code").groups
        new = self.v21[~self.v21["village_code"].isin(self.y2020["village_code"])]
        for township, regions in new.groupby("township_code", sort=True).groups.items():
            pool = [unit for source in self.sources[township] for unit in gone_by_township.get(source, []) if self.owner[unit] == -1]
            seeded = min(len(pool), len(regions))
            for i in range(seeded):
                self.own(pool[int((i + 0.5) * len(pool) / seeded)], regions[i])
            self.stats["new with a gone village"] += seeded
            if seeded < len(regions):
                self.cut_pieces(township, list(regions[seeded:]))
        self.weld_cuts()

    def weld_cuts(self) -> None:
        """Weld the cut polygons and their neighbours: a piece's corners on its donor's border become
        vertices of the neighbour across it too, so that rounding moves both sides alike (no slivers).
        County by county, as in 2020: a county's villages never depend on another county's."""
        cut = np.array(sorted(self.donors) + list(range(len(self.y2020), len(self.geometry))), dtype=np.int64)
        if not len(cut):
            return
        first, near = shapely.STRtree(self.geometry).query(np.asarray(self.geometry, dtype=object)[cut], predicate="dwithin", distance=1e-3)
        county = np.asarray(self.county)
        touched = np.union1d(cut, near[county[cut[first]] == county[near]])
        for name in np.unique(county[touched]):
            units = touched[county[touched] == name]
            for unit, polygon in zip(units, weld_borders([self.geometry[u] for u in units])):
                self.geometry[unit] = polygon

    def cut_pieces(self, township: str, regions: list[int]) -> None:
        """Give each of ``regions`` (new villages of ``township`` left without a gone village) a piece."""
        county = township[:6]
        candidates = [unit for source in self.sources[township] for unit in self.y2020.index[(self.y2020["township_code"] == source) & ~self.kept]]
        kind = "gone polygon of its sources"
        if not candidates:
            candidates, kind = [unit for unit in self.y2020.index[self.y2020["township_code"] == township] if self.kept[unit]], "kept polygon of its township"
        if not candidates:  # its township has no 2020 land (it held resident committees only, or is new)
            units = self.y2020.index[self.y2020["county_code"] == county]
            candidates, kind = [max(units, key=lambda unit: self.geometry[unit].area)], "polygon of its county (township without 2020 land)"
        pieces = Counter()
        for _ in regions:  # D'Hondt: the next piece comes off the polygon with most area per piece
            pieces[max(candidates, key=lambda unit: (self.geometry[unit].area / (pieces[unit] + 1), -unit))] += 1
        waiting = iter(regions)
        for unit in sorted(pieces):
            self.geometry[unit], cells = cut(self.geometry[unit], pieces[unit], self.rngs[county])
            self.donors.add(unit)
            for cell in cells:
                self.geometry.append(cell)
                self.township.append(self.township[unit])
                self.county.append(self.county[unit])
                self.owner.append(-2)
                self.members[next(waiting)].append(len(self.geometry) - 1)
        self.stats[f"new with a piece of a {kind}"] += len(regions)
        self.stats["kept villages cut"] += sum(1 for unit in pieces if self.kept[unit])

    def grow(self) -> None:
        """The other gone villages join adjacent 2021 villages: of a township they are a source of; else
        of their county (their township has no village committee left); else across a county border."""
        owner = np.asarray(self.owner)
        areas = shapely.area(self.geometry)
        points = shapely.get_coordinates(shapely.point_on_surface(self.geometry))
        neighbours = shared_borders(self.geometry)
        kept = set(self.codes)
        order = [(int(code in kept), code) for code in self.v21["village_code"]]  # new villages first at equal area
        assert all(self.members), "a 2021 village has no land"
        sources = {township: set(found) for township, found in self.sources.items()}
        regions_township, regions_county = self.v21["township_code"].tolist(), self.v21["county_code"].tolist()
        rounds = {"joined in a source township": lambda u, r: self.township[u] in sources[regions_township[r]],
                  "joined across a township border (their 2020 township is no 2021 township's source)": lambda u, r: self.county[u] == regions_county[r],
                  "joined across a county border": lambda u, r: True}
        for name, allowed in rounds.items():
            crossing = owner == -1
            if name.endswith("county border") and crossing.any():  # borders of counties are not welded: 1 m apart
                extra = shared_borders(self.geometry, tolerance=1.0, among=crossing)
                neighbours = [np.union1d(a, b) for a, b in zip(neighbours, extra)]
            self.stats[name] = grow(owner, self.members, neighbours, areas, points, order, allowed)
        assert (owner[: len(self.codes)] >= 0).all(), f"{int((owner == -1).sum())} gone villages joined no 2021 village"
        self.owner = owner.tolist()
        self.clip_crossings(np.flatnonzero(crossing & (owner >= 0)), regions_county)

    def clip_crossings(self, units: np.ndarray, regions_county: list[str]) -> None:
        """A village joining another county (历下区 370102 has no village committee left) loses what
        overlaps that county: the 2019 outlines of neighbouring counties overlap by up to a few hectares."""
        land = {}
        for unit in units:
            county = regions_county[self.owner[unit]]
            if county not in land:
                land[county] = shapely.union_all([g for g, c in zip(self.geometry, self.county) if c == county])
            clipped = shapely.difference(self.geometry[unit], land[county])
            self.geometry[unit] = shapely.union_all([part for part in shapely.get_parts(clipped) if part.area > 1.0])

    def renames(self) -> pd.DataFrame:
        """``old,new``: each gone 2020 code and the 2021 village holding its (larger) polygon."""
        gone = np.flatnonzero(~self.kept)
        return pd.DataFrame({"old": [self.codes[u] for u in gone], "new": self.v21["village_code"].to_numpy()[[self.owner[u] for u in gone]]})


def build_2021(y2020: gpd.GeoDataFrame, v21: pd.DataFrame, means: dict[str, float]) -> tuple[gpd.GeoDataFrame, pd.DataFrame, Counter]:
    """The 2021 villages from the 2020 ones; polygons, population and income add up, rating and
    industry are those of the most populous part; a new village of pieces only gets synthetic figures."""
    change = Change(y2020, v21)
    change.seed_and_cut()
    change.grow()
    geometry, change.stats["parts pinched off by rounding handed to a neighbour"] = on_grid(
        [union_polygon([change.geometry[u] for u in members]) for members in change.members], GRID_DEGREES)
    figures = y2020[FIGURES].assign(region=change.owner[: len(y2020)])
    parts = figures.groupby("region")
    biggest = figures.loc[parts["population"].idxmax()].set_index("region")
    table = v21.reset_index(drop=True).copy()
    table["population"] = parts["population"].sum()
    table["collective_income"] = parts["collective_income"].sum().round(1)
    table["committee_rating"], table["industry"] = biggest["committee_rating"], biggest["industry"]
    pieces_only = table["population"].isna()
    for county, rows in table[pieces_only].groupby("county_code", sort=True):
        drawn = synthetic_indicators(len(rows), means[county], np.random.default_rng([int(county), 2021, 1]), townships=rows["township_code"].tolist())
        table.loc[rows.index, FIGURES] = drawn[FIGURES].to_numpy()
    table = table.astype({"population": "int64", "collective_income": "float64"})
    change.stats["new with synthetic figures (pieces only)"] = int(pieces_only.sum())
    return gpd.GeoDataFrame(table, geometry=geometry, crs=WORK_CRS), change.renames(), change.stats


def with_strength(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Strength and weak derived per county, as a county's planner would (STRENGTH_SPEC, WEAK_SPEC)."""
    frame = frame.copy()
    frame["village_id"] = frame["village_code"]
    for _, rows in frame.groupby("county_code"):
        strength = derive_strength(rows, STRENGTH_SPEC)
        frame.loc[rows.index, "strength"] = strength
        frame.loc[rows.index, "weak"] = derive_weak(strength, rows["population"], WEAK_SPEC)
    return frame.astype({"strength": "float64", "weak": "bool"})


def check_tiling(y2020: gpd.GeoDataFrame, y2021: gpd.GeoDataFrame, renames: pd.DataFrame) -> list[set[str]]:
    """Assert that the 2021 polygons of a county do not overlap and tile the area of its 2020 ones, except
    where villages moved between counties: there over the counties linked by the moves (returned).
    (Neighbouring counties' 2019 outlines overlap a little, so counties are checked apart.)"""
    home = dict(zip(y2021["village_code"], y2021["county_code"]))
    links = nx.Graph()
    links.add_nodes_from(set(y2020["county_code"]) | set(y2021["county_code"]))
    old_county = dict(zip(y2020["village_code"], y2020["county_code"]))
    links.add_edges_from({(old_county[old], home[new]) for old, new in zip(renames["old"], renames["new"]) if old_county[old] != home[new]})
    groups = [set(group) for group in nx.connected_components(links)]
    for group in groups:
        before = shapely.union_all(y2020.geometry[y2020["county_code"].isin(group)].values)
        after = shapely.union_all(y2021.geometry[y2021["county_code"].isin(group)].values)
        assert shapely.symmetric_difference(before, after).area <= 1e-6 * before.area, f"2021 does not tile 2020 in {sorted(group)}"
    for county, polygons in y2021.geometry.groupby(y2021["county_code"]):
        assert abs(polygons.area.sum() - shapely.union_all(polygons.values).area) <= 1e-6 * polygons.area.sum(), f"2021 polygons overlap in {county}"
    return [group for group in groups if len(group) > 1]


def stored(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """EPSG:4326, rounded to :data:`GRID_DEGREES`; every polygon checked valid, non-empty and single."""
    frame = frame.to_crs(STORED_CRS)
    # normalised (canonical start vertex, exterior counter-clockwise): a kept village that took nothing
    # is then stored with exactly the bytes of its 2020 polygon
    frame["geometry"] = shapely.orient_polygons(shapely.normalize(shapely.set_precision(frame.geometry.values, GRID_DEGREES)))
    bad = ~frame.geometry.is_valid | frame.geometry.is_empty | (frame.geometry.geom_type != "Polygon")
    assert not bad.any(), f"{int(bad.sum())} polygons not valid single polygons, e.g. {frame[bad].iloc[0].drop('geometry').to_dict()}"
    return frame


def counties_layer(villages: pd.DataFrame, outlines: dict) -> gpd.GeoDataFrame:
    """One row per county of the year: codes, names, the kind of outline and the outline used."""
    table = villages.groupby("county_code", sort=True)[["county_name", "city_code", "city_name"]].first().reset_index()
    table["outline"] = [outlines[county][1] for county in table["county_code"]]
    return stored(gpd.GeoDataFrame(table, geometry=[outlines[county][0] for county in table["county_code"]], crs=WORK_CRS))


def fit_share(frame: pd.DataFrame, high: float) -> float:
    """Share of villages that fit the smallest group under ``high`` people with the two smallest other
    villages of their township (a necessary condition of any group of 3-5)."""
    fits = 0
    for _, population in frame.groupby("township_code")["population"]:
        values = np.sort(population.to_numpy())
        if len(values) >= 3:
            fits += int((values + np.where(values <= values[1], values[:3].sum() - values, values[0] + values[1]) <= high).sum())
    return fits / len(frame)


def write_configs(frame: pd.DataFrame, year: int, reference: float, folder: Path) -> list[str]:
    """A ``[rules] group_population`` for each county where most villages fit no group of the default range."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.toml"):
        old.unlink()
    written = []
    for county, rows in frame.groupby("county_code", sort=True):
        share = fit_share(rows, DEFAULT_POPULATION[1])
        if len(rows) < 3 or share >= 0.5:
            continue
        median = float(rows["population"].median())
        low, high = (int(round(end * median / reference, -2)) for end in DEFAULT_POPULATION)
        (folder / f"{county}.toml").write_text(
            f"# {rows['county_name'].iloc[0]} {county}, {year}: {len(rows)} village committees, median population {median:,.0f}.\n"
            f"# With the default 1,000-2,000 people per group only {share:.0%} of its villages fit any group of three in\n"
            f"# their township: its villages are too large. Both ends are scaled by its median over the median\n"
            f"# village of the province in 2020 ({reference:,.0f}), rounded to hundreds: {fit_share(rows, high):.0%} then fit.\n"
            f"[rules]\ngroup_population = [{low}, {high}]\n", encoding="utf-8")
        written.append(county)
    if not written:
        folder.rmdir()
    return written


def write_geopackage(path: Path, villages: gpd.GeoDataFrame, counties: gpd.GeoDataFrame) -> None:
    """Layers ``villages`` (what pairing reads) and ``counties`` (for a province map)."""
    path.unlink(missing_ok=True)
    villages[COLUMNS].to_file(path, layer="villages", driver="GPKG")
    counties.to_file(path, layer="counties", driver="GPKG", mode="a")


def main(argv: list[str] | None = None) -> None:
    """Build 2020, then 2021 from it; check; write the files of the whole province or of ``--cities``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="the shared folder holding data/raw (default: %(default)s)")
    parser.add_argument("--out", type=Path, default=HERE / "cache", help="output folder (default: %(default)s)")
    parser.add_argument("--cities", nargs="+", choices=sorted(CITY_FILE_NAMES), help="only these prefecture cities (4-digit codes)")
    args = parser.parse_args(argv)
    raw = args.shared / "data" / "raw"
    v20, v21, counties = read_lists(raw)
    means20, means21 = mean_populations(v20, counties), mean_populations(v21, counties)
    reference = float(synthetic_figures_median(v20, means20))
    per_county = v20.groupby("county_code").agg(city=("city_code", "first"), villages=("village_code", "size"))
    outlines = county_outlines(raw / "county-boundaries-shandong-datav" / "shandong_counties.gpkg",
                               {county: (row.city, int(row.villages)) for county, row in per_county.iterrows()})
    if args.cities:
        v20, v21 = (table[table["city_code"].isin(args.cities)].reset_index(drop=True) for table in (v20, v21))
    y2020 = build_2020(v20, outlines, means20)
    y2021, renames, stats = build_2021(y2020, v21, means21)
    moved = check_tiling(y2020, y2021, renames)
    gone = set(y2020["village_code"]) - set(y2021["village_code"])
    assert len(renames) == len(gone) and set(renames["old"]) == gone and renames["new"].isin(y2021["village_code"]).all()
    stem = "-".join(CITY_FILE_NAMES[city] for city in sorted(args.cities)) if args.cities else "shandong"
    names = {"renames": f"{stem}-renames.csv", "configs": f"{stem}-configs-"} if args.cities else \
        {"renames": "shandong-renames-2020-2021.csv", "configs": "configs-"}
    args.out.mkdir(parents=True, exist_ok=True)
    renames.to_csv(args.out / names["renames"], index=False)
    for year, frame, source in ((2020, y2020, v20), (2021, y2021, v21)):
        frame = stored(with_strength(frame.rename(columns={"village_name": "name", "township_name": "township"})))
        path = args.out / f"{stem}-{year}.gpkg"
        write_geopackage(path, frame, counties_layer(source, outlines))
        configs = write_configs(frame, year, reference, args.out / f"{names['configs']}{year}")
        print(f"{path.name}: {len(frame):,} villages, {frame['county_code'].nunique()} counties, {int(frame['population'].sum()):,} people, "
              f"{int(frame['weak'].sum()):,} weak, {path.stat().st_size / 1e6:.1f} MB; configs: {', '.join(configs) or 'none'}")
    print(f"kept {int(y2020['village_code'].isin(y2021['village_code']).sum()):,}, gone {len(gone):,}, "
          f"new {int((~v21['village_code'].isin(y2020['village_code'])).sum()):,}; counties linked by moved townships: {moved}")
    for name, count in stats.items():
        print(f"  {name}: {count:,}")


def synthetic_figures_median(v20: pd.DataFrame, means: dict[str, float]) -> float:
    """Median village population of the whole province in 2020 (the figures have a seed stream of their
    own, so this needs no geometry): the reference the county configs scale the default rule by."""
    return float(np.median(np.concatenate([
        synthetic_indicators(len(rows), means[county], np.random.default_rng([int(county), 2020, 1]), townships=rows["township_code"].tolist())["population"]
        for county, rows in v20.groupby("county_code", sort=True)])))


if __name__ == "__main__":
    main()
