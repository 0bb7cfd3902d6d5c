"""The county map as inline SVG, for the offline HTML report: no URL of any
kind, a tooltip on every village."""

from __future__ import annotations

import html
import math

import numpy as np
import shapely

from ..labels import label, localise_reason
from ..plan import Plan
from .layers import LEAD_COLOUR, TOWNSHIP_COLOUR, UNGROUPED_FILL, WEAK_HATCH, map_layers, short_name

#: Up to this many villages, the HTML map names members too (beyond, hover for names).
SVG_MEMBER_NAMES = 300

def map_svg(plan: Plan, lang: str = "en", width: int = 1000) -> str:
    """The county map as an inline SVG element (for HTML: no ``xmlns``, no URL).

    Groups are coloured (neighbouring groups differently) and outlined, leads
    marked with a dot and their name; ungrouped weak villages are hatched red.
    Every village has a tooltip (``<title>``) with its name, id, group and role.
    An empty string when the instance has no geometry.

    Examples
    --------
    >>> instance = path_county([500, 400, 300], weak=[False, True, True], names=["东村", "西村", "南村"], squares=True)
    >>> svg = map_svg(Plan(instance, Rules(), (Group("G001", ("a",), ("b", "c")),)))
    >>> svg.startswith("<svg") and "东村" in svg and "http://" not in svg and "https://" not in svg
    True
    """
    layers = map_layers(plan)
    if layers is None:
        return ""
    instance = plan.instance
    min_x, min_y, max_x, max_y = layers.bounds
    span = max(max_x - min_x, max_y - min_y, 1e-9)
    margin = 0.02 * span
    scale = width / (max_x - min_x + 2 * margin) if max_x > min_x else width / (2 * margin + span)
    height = int(math.ceil((max_y - min_y + 2 * margin) * scale))

    def to_px(xy: np.ndarray) -> np.ndarray:
        return np.column_stack(((xy[:, 0] - min_x + margin) * scale, (max_y + margin - xy[:, 1]) * scale))

    pixel = 1.0 / scale
    cell_px = math.sqrt(width * height / max(instance.n, 1))  # a village's typical width on the map
    font_px = min(14.0, max(4.0, cell_px / 3.2))
    names = instance.villages["name"].tolist()
    assignment = plan.assignment()
    tooltips = [_tooltip(name, row, lang) for name, row in zip(names, assignment.itertuples(index=False))]
    parts = [f'<svg class="map" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
             f'aria-label="{html.escape(label("map", lang))}">',
             '<defs><pattern id="weak-hatch" patternUnits="userSpaceOnUse" width="5" height="5" patternTransform="rotate(45)">'
             f'<rect width="5" height="5" fill="{UNGROUPED_FILL}"/><line x1="0" y1="0" x2="0" y2="5" stroke="{WEAK_HATCH}" stroke-width="2"/></pattern></defs>',
             '<g class="villages" stroke="#9a9a9a" stroke-width="0.4">']
    # Villages as areas: their polygons, or for points their cells (see layers.point_cells).
    simplified = shapely.simplify(layers.areas, 0.4 * pixel, preserve_topology=True)
    for path, fill, hatched, tooltip in zip(area_paths(simplified, to_px), layers.fills, layers.hatched, tooltips):
        paint = "url(#weak-hatch)" if hatched else fill
        parts.append(f'<path d="{path}" fill="{paint}"><title>{tooltip}</title></path>')
    parts.append("</g>")
    if layers.townships:
        parts.append(f'<g class="townships" fill="none" stroke="{TOWNSHIP_COLOUR}" stroke-width="4" stroke-linejoin="round">')
        for border in shapely.simplify(np.array(layers.townships, dtype=object), 0.4 * pixel):
            parts.append(f'<path d="{svg_path(border, to_px, close=False)}"/>')
        parts.append("</g>")
    if layers.links:
        anchors = to_px(layers.anchors)
        parts.append('<g class="links" stroke="#444" stroke-width="0.8" pointer-events="none">')
        parts += [f'<line x1="{anchors[a, 0]:.1f}" y1="{anchors[a, 1]:.1f}" x2="{anchors[b, 0]:.1f}" y2="{anchors[b, 1]:.1f}"/>' for a, b in layers.links]
        parts.append("</g>")
    parts.append('<g class="groups" fill="none" stroke="#1f1f1f" stroke-width="1.6">')
    for group, outline in zip(plan.groups, shapely.simplify(np.array(layers.outlines, dtype=object), 0.4 * pixel)):
        parts.append(f'<path d="{svg_path(outline, to_px)}"><title>{html.escape(group.group_id)}</title></path>')
    parts.append("</g>")
    if not layers.polygonal:  # where each village is
        radius = max(1.5, min(4.0, cell_px / 10))
        centres = to_px(layers.anchors)
        parts.append('<g class="points" stroke="#555555" stroke-width="0.6" pointer-events="none">')
        for (x, y), fill, hatched in zip(centres, layers.fills, layers.hatched):
            paint, stroke = (UNGROUPED_FILL, f' stroke="{WEAK_HATCH}" stroke-width="1.2"') if hatched else (fill, "")
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius:.1f}" fill="{paint}"{stroke}/>')
        parts.append("</g>")
    if instance.n <= SVG_MEMBER_NAMES:
        lead_rows = set(layers.lead_rows)
        anchors = to_px(layers.anchors)
        offset = 0.0 if layers.polygonal else font_px
        parts.append(f'<g class="members" font-size="{0.8 * font_px:.1f}" fill="#444444" text-anchor="middle">')
        parts += [f'<text x="{x:.1f}" y="{y + offset + font_px / 3:.1f}">{html.escape(short_name(names[row]))}</text>'
                  for row, (x, y) in enumerate(anchors) if row not in lead_rows]
        parts.append("</g>")
    leads = to_px(layers.anchors[list(layers.lead_rows)]) if layers.lead_rows else np.empty((0, 2))
    parts.append(f'<g class="leads" font-size="{font_px:.1f}" paint-order="stroke" stroke="#ffffff" stroke-width="{font_px / 4:.1f}" '
                 f'stroke-linejoin="round" fill="{LEAD_COLOUR}" font-weight="bold">')
    dot = max(1.5, font_px / 3.5)
    for (x, y), row in zip(leads, layers.lead_rows):
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{dot:.1f}" stroke-width="0.8"/>'
                     f'<text x="{x + dot + 1:.1f}" y="{y + font_px / 3:.1f}">{html.escape(short_name(names[row]))}</text>')
    parts.append("</g></svg>")
    return "".join(parts)


def _tooltip(name: str, row, lang: str) -> str:
    role = label(f"role:{row.role}", lang)
    where = f"{row.group_id} {role}" if row.group_id else role
    reason = f" — {localise_reason(row.reason, lang)}" if getattr(row, "reason", "") else ""
    return html.escape(f"{name} ({row.village_id}) {row.township}: {where}{reason}")


def area_paths(shapes: np.ndarray, to_px) -> list[str]:
    """SVG path data of each (multi)polygon of ``shapes`` (holes included), in
    pixels: every coordinate taken and transformed at once, which a county's
    thousand villages need (one shape at a time took a tenth of a second).

    Examples
    --------
    >>> area_paths(np.array([shapely.box(0, 0, 2, 3), shapely.Point(0, 0)]), lambda xy: xy)
    ['M2.0,0.0 2.0,3.0 0.0,3.0 0.0,0.0Z', '']
    """
    parts, part_of = shapely.get_parts(shapes, return_index=True)
    polygons = shapely.get_type_id(parts) == 3
    parts, part_of = parts[polygons], part_of[polygons]
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    coordinates, ring_of = shapely.get_coordinates(rings, return_index=True)
    paths = [[] for _ in range(len(shapes))]
    if len(coordinates):
        owners = part_of[ring_part]
        for ring, xy in enumerate(np.split(to_px(coordinates), np.flatnonzero(np.diff(ring_of)) + 1)):
            xy = xy[:-1]  # a ring ends where it starts; Z closes it
            if len(xy) >= 2:
                paths[owners[ring]].append("M" + _points(xy) + "Z")
    return ["".join(path) for path in paths]


def svg_path(shape, to_px, close: bool = True) -> str:
    """SVG path data of a polygon, multipolygon or line(s), in pixels."""
    rings = []
    for part in getattr(shape, "geoms", [shape]):
        if part.geom_type == "Polygon":
            rings += [(ring, True) for ring in (part.exterior, *part.interiors)]
        elif part.geom_type in ("LineString", "LinearRing", "MultiLineString"):
            rings += [(line, False) for line in getattr(part, "geoms", [part])]
    data = []
    for ring, closed in rings:
        xy = to_px(np.asarray(ring.coords))
        if closed and close:
            xy = xy[:-1]
        if len(xy) < 2:
            continue
        data.append("M" + _points(xy) + ("Z" if closed and close else ""))
    return "".join(data)


def _points(xy: np.ndarray) -> str:
    """Points as SVG path coordinates, ``x,y x,y ...`` to a tenth of a pixel (one
    format for the whole ring: a county's rings are tens of thousands of points)."""
    return ("%.1f,%.1f " * len(xy))[:-1] % tuple(xy.ravel().tolist())
