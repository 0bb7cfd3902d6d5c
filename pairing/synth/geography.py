"""Plausible synthetic geography: a region cut into contiguous parts of given
areas (townships inside a county), a region tiled with village-like cells whose
shared borders give a natural adjacency, and polygons cut out separately welded
so that they share their borders exactly. Geometry is in metres (a projected
CRS); everything is driven by a :class:`numpy.random.Generator`."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import shapely
import shapely.affinity
from shapely.geometry import MultiPoint, MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry

_CUT_SEARCH_STEPS = 48


# --------------------------------------------------------------------------
# Regions
# --------------------------------------------------------------------------
def partition_region(region: Polygon | MultiPolygon, weights: Sequence[float], rng: np.random.Generator) -> list[BaseGeometry]:
    """Cut a region into contiguous parts whose areas are proportional to ``weights``.

    Recursive bisection: the weights are split into two halves (in order), the
    region is cut across its longer axis by a gently wavy line whose position is
    searched (regula falsi) so that the area fraction matches, and each side is
    partitioned in turn. The first half of the weights gets the south-western
    end of the axis (smaller x + y), so the last part of a region that is long
    from north to south is its northern end. Pieces that a cut detaches from
    their side (a cut through a bay or a peninsula) are handed to the side they
    border, so every part of a connected region is one polygon. The parts tile
    the region: their union is the region and they overlap only along shared
    borders.

    Parameters
    ----------
    region : Polygon or MultiPolygon
        The area to cut, in a metric CRS.
    weights : sequence of float
        One positive weight per part, e.g. the number of villages of each township.
    rng : numpy.random.Generator
        Source of the small random tilt and waviness of the cuts.

    Returns
    -------
    list of shapely geometries
        One part per weight, in the order of ``weights``.

    Raises
    ------
    ValueError
        If ``weights`` is empty or has a weight that is not positive, or the
        region has no area.

    Examples
    --------
    >>> import numpy as np
    >>> from shapely.geometry import box
    >>> parts = partition_region(box(0, 0, 4000, 1000), [1, 2, 1], np.random.default_rng(0))
    >>> [round(part.area / 1e6, 2) for part in parts]
    [1.0, 2.0, 1.0]
    """
    weights = [float(weight) for weight in weights]
    if not weights:
        raise ValueError("partition_region needs at least one weight")
    if min(weights) <= 0 or not np.all(np.isfinite(weights)):
        raise ValueError(f"weights must be positive numbers, got {weights}")
    if region.is_empty or region.area <= 0:
        raise ValueError("cannot partition a region without area")
    if len(weights) == 1:
        return [region]
    half = len(weights) // 2
    low, high = _cut_by_area(region, sum(weights[:half]) / sum(weights), rng)
    return partition_region(low, weights[:half], rng) + partition_region(high, weights[half:], rng)


def _cut_by_area(region: BaseGeometry, fraction: float, rng: np.random.Generator) -> tuple[BaseGeometry, BaseGeometry]:
    """Split ``region`` in two by a wavy line across its longer axis; the first
    side gets ``fraction`` of the area. When pieces handed across the cut (in a
    very ragged region) keep the search from matching the fraction within 0.1%,
    other directions are tried and the closest split is kept."""
    axis = _longer_axis_angle(region) + rng.uniform(-0.15, 0.15)
    best = None
    for turn in (0.0, np.pi / 2, np.pi / 4, -np.pi / 4):
        error, low, high = _cut_across(region, fraction, axis + turn, rng)
        if best is None or abs(error) < abs(best[0]):
            best = (error, low, high)
        if abs(best[0]) <= 1e-3 * fraction * region.area:
            break
    return best[1], best[2]


def _cut_across(region: BaseGeometry, fraction: float, axis: float, rng: np.random.Generator) -> tuple[float, BaseGeometry, BaseGeometry]:
    """Bisection search for the position of a wavy cut across direction ``axis``;
    returns (area error of the first side, first side, second side)."""
    along = np.array([np.cos(axis), np.sin(axis)])
    if along.sum() < 0:  # point north-east, so that the first side is the south-western end
        along = -along
    across = np.array([-along[1], along[0]])
    coords = shapely.get_coordinates(region)
    t_coords, s_coords = coords @ along, coords @ across
    t_min, t_max = t_coords.min(), t_coords.max()
    s_min, s_max = s_coords.min(), s_coords.max()
    length, width = t_max - t_min, s_max - s_min
    margin = 0.05 * (length + width) + 1.0
    # A smooth wiggle: a few random sinusoids across the region, amplitude ~3% of its length.
    s = np.linspace(s_min - margin, s_max + margin, 65)
    wiggle = np.zeros_like(s)
    for k in (1, 2, 3):
        wiggle += rng.uniform(-1, 1) / k * np.sin(2 * np.pi * k * (s - s_min) / max(width, 1.0) + rng.uniform(0, 2 * np.pi))
    wiggle *= 0.03 * length / max(np.abs(wiggle).max(), 1e-9)
    reach = np.abs(wiggle).max()
    back = t_min - reach - margin

    def sides(position: float) -> tuple[BaseGeometry, BaseGeometry]:
        curve = np.outer(position + wiggle, along) + np.outer(s, across)
        closing = np.array([back * along + s[-1] * across, back * along + s[0] * across])
        half_plane = Polygon(np.vstack([curve, closing]))
        low = shapely.intersection(region, half_plane)
        high = shapely.difference(region, half_plane)
        return _contiguous_sides(low, high)

    # Regula falsi (Illinois variant) on the area of the first side, which grows
    # with the position; every fourth step is a bisection, for safety at jumps.
    target = fraction * region.area
    a, f_a = t_min - reach, -target            # first side empty
    b, f_b = t_max + reach, region.area - target  # first side is everything
    kept = 0
    best = None
    for step in range(_CUT_SEARCH_STEPS):
        middle = (a * f_b - b * f_a) / (f_b - f_a) if f_b != f_a else 0.5 * (a + b)
        if step % 4 == 3 or not a < middle < b:
            middle = 0.5 * (a + b)
        low, high = sides(middle)
        error = low.area - target
        if best is None or abs(error) < abs(best[0]):
            best = (error, low, high)
        if abs(error) <= 1e-7 * region.area:
            break
        if error < 0:
            a, f_a = middle, error
            f_b, kept = (f_b / 2 if kept == -1 else f_b), -1
        else:
            b, f_b = middle, error
            f_a, kept = (f_a / 2 if kept == 1 else f_a), 1
    return best


def _longer_axis_angle(region: BaseGeometry) -> float:
    """Angle (radians) of the longer side of the region's minimum rotated rectangle."""
    ring = np.asarray(shapely.minimum_rotated_rectangle(region).exterior.coords)
    first, second = ring[1] - ring[0], ring[2] - ring[1]
    side = first if np.hypot(*first) >= np.hypot(*second) else second
    return float(np.arctan2(side[1], side[0]))


def _polygons(geometry: BaseGeometry) -> list[Polygon]:
    """The non-empty polygons of a geometry (collections flattened, lines and points dropped)."""
    parts = shapely.get_parts(geometry)
    polygons: list[Polygon] = []
    for part in parts:
        if isinstance(part, Polygon):
            if not part.is_empty and part.area > 0:
                polygons.append(part)
        elif hasattr(part, "geoms"):
            polygons.extend(_polygons(part))
    return polygons


def _contiguous_sides(low: BaseGeometry, high: BaseGeometry) -> tuple[BaseGeometry, BaseGeometry]:
    """Hand the detached pieces of each side to the side they border, so that
    each side keeps one main piece plus only pieces connected to it."""
    low_parts, high_parts = _polygons(low), _polygons(high)
    if len(low_parts) <= 1 and len(high_parts) <= 1:
        return low, high
    pieces = low_parts + high_parts
    side = np.full(len(pieces), -1)
    if low_parts:
        side[int(np.argmax([part.area for part in low_parts]))] = 0
    if high_parts:
        side[len(low_parts) + int(np.argmax([part.area for part in high_parts]))] = 1
    side = _assign_by_shared_border(pieces, side, default=np.array([0] * len(low_parts) + [1] * len(high_parts)))
    merged = []
    for label in (0, 1):
        chosen = [piece for piece, owner in zip(pieces, side) if owner == label]
        merged.append(shapely.union_all(chosen) if chosen else Polygon())
    return merged[0], merged[1]


def _assign_by_shared_border(pieces: list[Polygon], owner: np.ndarray, default: np.ndarray) -> np.ndarray:
    """Give every unowned piece (``owner == -1``) the owner of the owned piece it
    shares the longest border with, repeatedly; pieces that touch nothing owned
    (islands) fall back to ``default``."""
    owner = owner.copy()
    tree = shapely.STRtree(pieces)
    while (owner < 0).any():
        progress = False
        for index in np.flatnonzero(owner < 0):
            best_owner, best_length = -1, 0.0
            for other in tree.query(pieces[index], predicate="intersects"):
                if owner[other] < 0 or other == index:
                    continue
                length = shapely.intersection(pieces[index].boundary, pieces[other].boundary).length
                if length > best_length:
                    best_owner, best_length = owner[other], length
            if best_owner >= 0:
                owner[index] = best_owner
                progress = True
        if not progress:
            unowned = owner < 0
            owner[unowned] = default[unowned]
    return owner


# --------------------------------------------------------------------------
# Villages
# --------------------------------------------------------------------------
def voronoi_villages(region: Polygon | MultiPolygon, n: int, rng: np.random.Generator, relaxation_rounds: int = 2,
                     points: np.ndarray | None = None) -> list[BaseGeometry]:
    """Tile a region with ``n`` village-like Voronoi cells.

    Seed points are drawn uniformly in the region (or given) and moved by Lloyd relaxation
    (each point to the centre of its cell) so that cells have even, natural
    shapes. The Voronoi cells are clipped to the region; a cell that the
    clipping splits (across a bay, around a lake) keeps the piece with its seed
    and hands the other pieces to the neighbour they share the longest border
    with. Cells are returned along a Hilbert curve through their seeds, so
    consecutive cells are near each other.

    Parameters
    ----------
    region : Polygon or MultiPolygon
        The area to tile, in a metric CRS.
    n : int
        Number of cells, at least 1.
    rng : numpy.random.Generator
        Source of the seed points.
    relaxation_rounds : int, default 2
        Rounds of Lloyd relaxation.
    points : numpy.ndarray, optional
        ``n`` distinct seed points (x, y) inside the region, instead of uniform ones.

    Returns
    -------
    list of shapely geometries
        ``n`` valid, non-empty cells (polygons for a connected region) that tile
        the region; neighbouring cells share borders exactly.

    Examples
    --------
    >>> import numpy as np
    >>> from shapely.geometry import box
    >>> cells = voronoi_villages(box(0, 0, 3000, 2000), 6, np.random.default_rng(1))
    >>> len(cells), all(cell.is_valid and not cell.is_empty for cell in cells)
    (6, True)
    >>> round(sum(cell.area for cell in cells) / 1e6, 6)
    6.0
    """
    if n < 1:
        raise ValueError(f"voronoi_villages needs n >= 1, got {n}")
    if region.is_empty or region.area <= 0:
        raise ValueError("cannot place villages in a region without area")
    if n == 1:
        return [region]
    shapely.prepare(region)
    points = random_points_in(region, n, rng) if points is None else np.asarray(points, dtype=float)
    for _ in range(relaxation_rounds):
        cells = _clipped_voronoi(points, region)
        centres = shapely.centroid(cells)
        outside = ~shapely.contains(region, centres)
        centres[outside] = shapely.point_on_surface(cells[outside])
        points = shapely.get_coordinates(centres)
    cells = _clipped_voronoi(points, region)
    cells = _keep_seed_pieces(cells, points)
    order = _hilbert_order(points, region.bounds)
    return [cells[i] for i in order]


def random_points_in(region: BaseGeometry, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` uniform random points strictly inside ``region`` (rejection sampling), as an (n, 2) array."""
    x_min, y_min, x_max, y_max = region.bounds
    found: list[np.ndarray] = []
    count = 0
    fill = max(region.area / ((x_max - x_min) * (y_max - y_min)), 0.01)
    while count < n:
        batch = int((n - count) / fill * 1.3) + 16
        xy = rng.uniform((x_min, y_min), (x_max, y_max), size=(batch, 2))
        xy = xy[shapely.contains_xy(region, xy[:, 0], xy[:, 1])]
        found.append(xy)
        count += len(xy)
    return np.vstack(found)[:n]


def _clipped_voronoi(points: np.ndarray, region: BaseGeometry) -> np.ndarray:
    """Voronoi cells of ``points`` (in point order), clipped to ``region``."""
    diagram = shapely.voronoi_polygons(MultiPoint(points), extend_to=region, ordered=True)
    cells = np.asarray(shapely.get_parts(diagram))
    if len(cells) != len(points):
        raise RuntimeError(f"Voronoi diagram has {len(cells)} cells for {len(points)} points (duplicate points?)")
    return shapely.intersection(cells, region)


def _keep_seed_pieces(cells: np.ndarray, points: np.ndarray) -> list[BaseGeometry]:
    """Make each cell the single piece holding its seed; detached pieces join a neighbour."""
    pieces: list[Polygon] = []
    owner: list[int] = []
    for index, cell in enumerate(cells):
        parts = _polygons(cell)
        if len(parts) == 1:
            pieces.append(parts[0])
            owner.append(index)
            continue
        seed = Point(points[index])
        home = next((k for k, part in enumerate(parts) if part.covers(seed)), int(np.argmax([part.area for part in parts])))
        for k, part in enumerate(parts):
            pieces.append(part)
            owner.append(index if k == home else -1)
    owner_array = np.asarray(owner)
    if (owner_array < 0).any():
        fallback = np.repeat(np.arange(len(cells)), [len(_polygons(cell)) for cell in cells])
        owner_array = _assign_by_shared_border(pieces, owner_array, default=fallback)
    result: list[BaseGeometry] = []
    for index in range(len(cells)):
        mine = [pieces[k] for k in np.flatnonzero(owner_array == index)]
        result.append(mine[0] if len(mine) == 1 else shapely.union_all(mine))
    return result


def _hilbert_order(points: np.ndarray, bounds: tuple[float, float, float, float], level: int = 16) -> np.ndarray:
    """Positions of ``points`` sorted along a Hilbert curve over ``bounds``."""
    x_min, y_min, x_max, y_max = bounds
    side = 2 ** level
    span = max(x_max - x_min, y_max - y_min, 1e-9)
    x = np.clip(((points[:, 0] - x_min) / span * (side - 1)).astype(np.int64), 0, side - 1)
    y = np.clip(((points[:, 1] - y_min) / span * (side - 1)).astype(np.int64), 0, side - 1)
    distance = np.zeros(len(points), dtype=np.int64)
    step = side // 2
    while step > 0:  # the classic xy -> d conversion, vectorised
        right = (x & step) > 0
        up = (y & step) > 0
        distance += step * step * ((3 * right) ^ up)
        flip = ~up
        swap_x = np.where(flip & right, side - 1 - x, x)
        swap_y = np.where(flip & right, side - 1 - y, y)
        x, y = np.where(flip, swap_y, x), np.where(flip, swap_x, y)
        step //= 2
    return np.argsort(distance, kind="stable")


def weld_borders(polygons: Sequence[BaseGeometry], tolerance: float = 1e-3) -> list[BaseGeometry]:
    """Make neighbouring polygons share their borders exactly.

    Polygons cut out separately (the villages of two townships) meet along a
    common line but with vertices at different places, so float noise leaves
    micro-gaps and ``intersects`` may miss a neighbour. Each polygon is snapped
    to the boundaries of the polygons within ``tolerance`` of it (GEOS snapping
    inserts their nearby vertices), so both sides of a border carry the same
    vertices. A polygon that snapping would make invalid, or change in area by
    more than moving its whole boundary by ``tolerance`` could, is kept as it was.

    Parameters
    ----------
    polygons : sequence of shapely geometries
        Polygons in a metric CRS that tile an area.
    tolerance : float, default 1e-3
        Largest gap closed, in CRS units (1 mm in metres).

    Returns
    -------
    list of shapely geometries
        The polygons, in the same order.

    Examples
    --------
    >>> from shapely.geometry import Polygon
    >>> left = Polygon([(0, 0), (1, 0), (1, 1), (0, 1)])
    >>> right = Polygon([(1 + 1e-9, 0), (2, 0), (2, 1), (1 + 1e-9, 1), (1 + 2e-9, 0.5)])
    >>> left.intersects(right)
    False
    >>> welded = weld_borders([left, right])
    >>> welded[0].intersects(welded[1]), round(welded[0].area, 6)
    (True, 1.0)
    """
    polygons = np.asarray(polygons, dtype=object)
    first, second = shapely.STRtree(polygons).query(polygons, predicate="dwithin", distance=tolerance)
    welded = list(polygons)
    for index in range(len(polygons)):
        neighbours = second[(first == index) & (second != index)]
        if not len(neighbours):
            continue
        # snap to the neighbours as already welded, so that vertices move only once
        borders = shapely.union_all([welded[other].boundary for other in neighbours])
        snapped = shapely.snap(polygons[index], borders, tolerance)
        moved_area = abs(snapped.area - polygons[index].area)
        if snapped.is_valid and not snapped.is_empty and moved_area <= tolerance * polygons[index].length:
            welded[index] = snapped
    return welded
