"""Fixtures shared by the test files: small synthetic inputs built in memory."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely import box


def build_polygon_grid(rows: int, cols: int, size: float = 1000.0, crs: str | None = "EPSG:32650") -> gpd.GeoDataFrame:
    """A rows x cols grid of touching squares of ``size`` metres, ids ``r{row}c{col}`` row by row."""
    cells = [(row, col) for row in range(rows) for col in range(cols)]
    return gpd.GeoDataFrame(
        {"village_id": [f"r{row}c{col}" for row, col in cells]},
        geometry=[box(col * size, row * size, (col + 1) * size, (row + 1) * size) for row, col in cells],
        crs=crs,
    )


@pytest.fixture
def polygon_grid():
    """The :func:`build_polygon_grid` builder: ``polygon_grid(3, 3)``."""
    return build_polygon_grid
