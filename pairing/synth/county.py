"""A whole synthetic county, for ``pairing generate`` and the benchmarks."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from shapely.geometry import Polygon

from ..errors import InputError
from .family import CountyFamily
from .geography import partition_region, random_points_in, voronoi_villages, weld_borders
from .indicators import synthetic_indicators

#: Projected CRS of :func:`synthetic_county` (UTM zone 50N, metres).
SYNTHETIC_CRS = "EPSG:32650"
#: Where the synthetic county is centred (lon, lat): near Anqiu, Shandong.
SYNTHETIC_CENTRE_LONLAT = (119.0, 36.0)
#: County area per village in :func:`synthetic_county`, in m² (Anqiu: 1,711 km² / 864 ≈ 2 km²).
AREA_PER_VILLAGE_M2 = 2.0e6
#: Mean village population of :func:`synthetic_county` (Anqiu: 381,660 rural residents / 864 villages).
MEAN_POPULATION = 440

_MIN_VILLAGES_PER_TOWNSHIP = 3


# --------------------------------------------------------------------------
# A whole county
# --------------------------------------------------------------------------
def synthetic_county(villages: int, townships: int, seed: int, family: CountyFamily | None = None) -> gpd.GeoDataFrame:
    """A whole synthetic county: outline, townships, village polygons and indicators.

    The outline is an irregular blob of about :data:`AREA_PER_VILLAGE_M2` per
    village centred near 119°E 36°N (UTM 50N, :data:`SYNTHETIC_CRS`). In the
    ``even`` layout each township gets a random number of villages (at least 3)
    and a contiguous area proportional to it (:func:`partition_region`), tiled
    by its villages (:func:`voronoi_villages`); borders between townships are
    welded (:func:`weld_borders`). In the ``clustered`` layout township seats
    are spread over the county, the villages crowd around them over a uniform
    background, one Voronoi diagram tiles the county, and a village belongs to
    the township of its nearest seat. Indicators come from
    :func:`synthetic_indicators` with a mean of :data:`MEAN_POPULATION` people,
    or as the family says.

    Parameters
    ----------
    villages : int
        Number of villages, at least 3 per township.
    townships : int
        Number of townships, at least 1.
    seed : int
        Random seed (non-negative); the same seed gives the same county.
    family : CountyFamily, optional
        Layout, populations, weakness and leads (:data:`~pairing.synth.family.FAMILIES`);
        default ``CountyFamily()``, the ``even`` family.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``village_id`` (``G{seed}{township:03d}{village:03d}``),
        ``name`` (村0001...), ``township`` (乡镇01...), ``population``,
        ``collective_income``, ``committee_rating``, ``industry``,
        ``strength``, ``weak``, ``lead_eligible`` when the family says who may
        lead, and ``geometry`` (polygons, metres).

    Raises
    ------
    InputError
        If there are fewer than 3 villages per township or no township.

    Examples
    --------
    >>> county = synthetic_county(30, 3, seed=7)
    >>> len(county), county["township"].nunique(), county.crs.to_epsg()
    (30, 3, 32650)
    >>> county["village_id"].iloc[0]
    'G7001001'
    >>> from pairing.synth.family import FAMILIES
    >>> clustered = synthetic_county(60, 3, seed=7, family=FAMILIES["clustered"])
    >>> len(clustered), bool((clustered["weak"] & clustered["lead_eligible"]).any())
    (60, False)
    """
    if townships < 1:
        raise InputError(f"townships = {townships}", fix="ask for at least 1 township", column="townships")
    if villages < _MIN_VILLAGES_PER_TOWNSHIP * townships:
        raise InputError(f"{villages} villages are too few for {townships} townships",
                         fix=f"ask for at least {_MIN_VILLAGES_PER_TOWNSHIP * townships} villages (3 per township)", column="villages")
    if seed < 0:
        raise InputError(f"seed = {seed} is negative", fix="use a seed of 0 or more", column="seed")
    family = family or CountyFamily()
    rng = np.random.default_rng(seed)
    outline = _county_outline(villages * AREA_PER_VILLAGE_M2, rng)
    layout = _even_layout if family.layout == "even" else _clustered_layout
    cells, township_of = layout(outline, villages, townships, family, rng)
    counts = np.bincount(township_of)
    village_width = max(3, len(str(int(counts.max()))))
    name_width = max(4, len(str(villages)))
    number_in_township = np.arange(villages) - np.concatenate([[0], np.cumsum(counts)[:-1]])[township_of] + 1
    table = pd.DataFrame({
        "village_id": [f"G{seed}{township + 1:03d}{number:0{village_width}d}" for township, number in zip(township_of, number_in_township)],
        "name": [f"村{number:0{name_width}d}" for number in range(1, villages + 1)],
        "township": [f"乡镇{township + 1:02d}" for township in township_of],
    })
    indicators = synthetic_indicators(villages, MEAN_POPULATION, rng, townships=table["township"], family=family)
    table = pd.concat([table, indicators], axis=1)
    return gpd.GeoDataFrame(table, geometry=cells, crs=SYNTHETIC_CRS)


def _even_layout(outline: Polygon, villages: int, townships: int, family: CountyFamily,
                 rng: np.random.Generator) -> tuple[list, np.ndarray]:
    """Townships as contiguous parts sized by their villages, each tiled evenly;
    returns the cells and each cell's township (0-based, cells grouped by township)."""
    spare = villages - _MIN_VILLAGES_PER_TOWNSHIP * townships
    counts = _MIN_VILLAGES_PER_TOWNSHIP + rng.multinomial(spare, rng.dirichlet(np.full(townships, 4.0)))
    areas = partition_region(outline, counts.tolist(), rng)
    cells = [cell for count, area in zip(counts, areas) for cell in voronoi_villages(area, int(count), rng)]
    cells = weld_borders(cells)  # villages of neighbouring townships share borders exactly
    return cells, np.repeat(np.arange(townships), counts)


def _clustered_layout(outline: Polygon, villages: int, townships: int, family: CountyFamily,
                      rng: np.random.Generator) -> tuple[list, np.ndarray]:
    """Villages crowded around spread-out township seats over a uniform
    background, one Voronoi diagram over the county, townships by nearest seat;
    returns the cells and each cell's township (0-based, numbered without gaps,
    cells grouped by township)."""
    seats = shapely.get_coordinates(shapely.point_on_surface(voronoi_villages(outline, townships, rng, relaxation_rounds=4)))
    background = int(round(family.background_share * villages))
    around = villages - background
    least = min(_MIN_VILLAGES_PER_TOWNSHIP, around // townships)
    per_seat = least + rng.multinomial(around - least * townships, rng.dirichlet(np.full(townships, 4.0)))
    spread = family.seat_spread * np.sqrt(outline.area / townships)
    points = np.vstack([random_points_in(outline, background, rng),
                        *(_points_near(seat, int(count), spread, outline, rng) for seat, count in zip(seats, per_seat))])
    cells = voronoi_villages(outline, villages, rng, relaxation_rounds=0, points=points)
    centres = shapely.get_coordinates(shapely.point_on_surface(cells))
    nearest = np.argmin(((centres[:, None, :] - seats[None, :, :]) ** 2).sum(axis=2), axis=1)
    township_of = np.unique(nearest, return_inverse=True)[1].ravel()  # townships left without a village are dropped
    order = np.argsort(township_of, kind="stable")  # along the Hilbert curve within a township
    return [cells[i] for i in order], township_of[order]


def _points_near(centre: np.ndarray, count: int, spread: float, region: Polygon, rng: np.random.Generator) -> np.ndarray:
    """``count`` points inside ``region`` drawn from a normal around ``centre``."""
    found: list[np.ndarray] = []
    while sum(len(part) for part in found) < count:
        xy = rng.normal(centre, spread, size=(2 * count + 8, 2))
        found.append(xy[shapely.contains_xy(region, xy[:, 0], xy[:, 1])])
    return np.vstack(found)[:count]


def _county_outline(area: float, rng: np.random.Generator) -> Polygon:
    """An irregular, star-shaped county outline of the given area (m²) around
    :data:`SYNTHETIC_CENTRE_LONLAT`, in :data:`SYNTHETIC_CRS`."""
    angles = np.linspace(0.0, 2 * np.pi, 360, endpoint=False)
    radius = np.ones_like(angles)
    for k in range(2, 25):
        amplitude = (0.3 if k < 6 else 0.06) / k ** 0.7 * rng.uniform(0.3, 1.0)
        radius += amplitude * np.cos(k * angles + rng.uniform(0, 2 * np.pi))
    radius = np.maximum(radius, 0.35)
    stretch = rng.uniform(1.0, 1.5)  # counties are rarely round
    shape = Polygon(np.column_stack([stretch * radius * np.cos(angles), radius * np.sin(angles)]))
    shape = shapely.affinity.rotate(shape, rng.uniform(0.0, 180.0), origin=(0, 0))
    scale = np.sqrt(area / shape.area)
    centre_x, centre_y = pyproj.Transformer.from_crs("EPSG:4326", SYNTHETIC_CRS, always_xy=True).transform(*SYNTHETIC_CENTRE_LONLAT)
    return shapely.affinity.affine_transform(shape, [scale, 0, 0, scale, centre_x, centre_y])
