"""A whole synthetic county, for ``pairing generate`` and the benchmarks."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from shapely.geometry import Polygon

from ..errors import InputError
from .geography import partition_region, voronoi_villages, weld_borders
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
def synthetic_county(villages: int, townships: int, seed: int) -> gpd.GeoDataFrame:
    """A whole synthetic county: outline, townships, village polygons and indicators.

    The outline is an irregular blob of about :data:`AREA_PER_VILLAGE_M2` per
    village centred near 119°E 36°N (UTM 50N, :data:`SYNTHETIC_CRS`). Each
    township gets a random number of villages (at least 3) and a contiguous
    area proportional to it (:func:`partition_region`), tiled by its villages
    (:func:`voronoi_villages`); borders between townships are welded
    (:func:`weld_borders`). Indicators come from
    :func:`synthetic_indicators` with a mean of :data:`MEAN_POPULATION` people.

    Parameters
    ----------
    villages : int
        Number of villages, at least 3 per township.
    townships : int
        Number of townships, at least 1.
    seed : int
        Random seed (non-negative); the same seed gives the same county.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``village_id`` (``G{seed}{township:03d}{village:03d}``),
        ``name`` (村0001...), ``township`` (乡镇01...), ``population``,
        ``collective_income``, ``committee_rating``, ``industry``,
        ``strength``, ``weak`` and ``geometry`` (polygons, metres).

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
    """
    if townships < 1:
        raise InputError(f"townships = {townships}", fix="ask for at least 1 township", column="townships")
    if villages < _MIN_VILLAGES_PER_TOWNSHIP * townships:
        raise InputError(f"{villages} villages are too few for {townships} townships",
                         fix=f"ask for at least {_MIN_VILLAGES_PER_TOWNSHIP * townships} villages (3 per township)", column="villages")
    if seed < 0:
        raise InputError(f"seed = {seed} is negative", fix="use a seed of 0 or more", column="seed")
    rng = np.random.default_rng(seed)
    outline = _county_outline(villages * AREA_PER_VILLAGE_M2, rng)
    spare = villages - _MIN_VILLAGES_PER_TOWNSHIP * townships
    counts = _MIN_VILLAGES_PER_TOWNSHIP + rng.multinomial(spare, rng.dirichlet(np.full(townships, 4.0)))
    areas = partition_region(outline, counts.tolist(), rng)
    village_width = max(3, len(str(int(counts.max()))))
    name_width = max(4, len(str(villages)))
    rows, cells = [], []
    for township, (count, area) in enumerate(zip(counts, areas), start=1):
        for village, cell in enumerate(voronoi_villages(area, int(count), rng), start=1):
            rows.append((f"G{seed}{township:03d}{village:0{village_width}d}", f"乡镇{township:02d}"))
            cells.append(cell)
    cells = weld_borders(cells)  # villages of neighbouring townships share borders exactly
    table = pd.DataFrame(rows, columns=["village_id", "township"])
    table.insert(1, "name", [f"村{number:0{name_width}d}" for number in range(1, villages + 1)])
    indicators = synthetic_indicators(villages, MEAN_POPULATION, rng, townships=table["township"])
    table = pd.concat([table, indicators], axis=1)
    return gpd.GeoDataFrame(table, geometry=cells, crs=SYNTHETIC_CRS)


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
