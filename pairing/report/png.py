"""The county map as a PNG for printing, drawn with Pillow alone (no
matplotlib: its import and drawing took most of the map's time; the notebook's
matplotlib map is :func:`pairing.report.display.draw_map`)."""

from __future__ import annotations

import math
import struct
import warnings
import zlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import shapely

from ..errors import InputError
from ..labels import label
from ..plan import Plan
from .fonts import MapFontWarning, best_font, drawable, font_files
from .layers import (EDGE_COLOUR, GROUP_BORDER, GROUP_COLOURS, LEAD_COLOUR, TOWNSHIP_COLOUR, UNGROUPED_FILL, WEAK_HATCH,
                     MapLayers, legend_keys, map_layers, short_name)

#: Names smaller than this many points are not drawn on the PNG map (they would not be read).
MIN_LABEL_POINTS = 3.5
#: Up to this many groups, the leads' names on the PNG map have a white halo
#: (the members' names, grey on pale fills, go without).
HALO_LEADS = 600


def map_png(plan: Plan, lang: str = "en", *, dpi: int = 200) -> bytes:
    """The county map as a PNG for printing: groups coloured and outlined, every
    village named (leads in bold with a dot), ungrouped weak villages hatched
    red, township borders, a title and a legend of what is drawn. Points are
    drawn as their cells (see :func:`pairing.report.layers.point_cells`).

    Names are set in a font that has their glyphs (the bundled Noto Sans SC, else
    a Chinese font of the system). A name no available font can draw is labelled
    by its village id instead, with a :class:`MapFontWarning`: never silent boxes.

    Raises
    ------
    InputError
        The instance has no geometry.

    Examples
    --------
    >>> instance = path_county([500, 400, 300], weak=[False, True, True], names=["东村", "西村", "南村"], squares=True)
    >>> map_png(Plan(instance, Rules(), (Group("G001", ("a",), ("b", "c")),)))[:4]
    b'\\x89PNG'
    """
    from PIL import Image, ImageDraw, ImageFont

    layers = map_layers(plan)
    if layers is None:
        raise InputError("no map: the input has no geometry", fix="give polygons or coordinates to draw a map")
    instance = plan.instance
    names = [short_name(name) for name in instance.villages["name"]]
    title = label("map_title", lang, source=Path(instance.source).stem or "pairing", groups=len(plan.groups),
                  grouped=plan.metrics()["villages_grouped"], villages=instance.n)
    keys = legend_keys(layers)
    legend_texts = [label(key, lang) for key in keys]
    # The font that can draw the most labels; a name it cannot draw is shown as the
    # village id, with a warning, rather than as boxes.
    font_file = best_font([*names, title, *legend_texts], font_files())
    undrawable = [row for row, name in enumerate(names) if not drawable(name, font_file)]
    if undrawable:
        examples = "、".join(instance.villages["name"].iloc[row] for row in undrawable[:3])
        warnings.warn(f"map.png: no available font can draw {len(undrawable)} village names (e.g. {examples}), so they are labelled "
                      "by village id; install a font that has them (pip install pylopdf-fonts-zh-cn, or Debian fonts-noto-cjk)",
                      MapFontWarning, stacklevel=2)
        for row in undrawable:
            names[row] = instance.ids[row]
    if not all(drawable(text, font_file) for text in [title, *legend_texts]):
        title = f"{Path(instance.source).stem}: {len(plan.groups)} groups ({label('font_missing')})"
        legend_texts = [label(key) for key in keys]

    min_x, min_y, max_x, max_y = layers.bounds
    aspect = (max_y - min_y) / max(max_x - min_x, 1e-9)
    long_side = min(16.0, max(7.0, 0.5 * math.sqrt(instance.n)))  # inches: room for every name
    width, height = (long_side, max(4.0, long_side * aspect)) if aspect <= 1 else (max(4.0, long_side / aspect), long_side)
    points = dpi / 72  # pixels per typographic point
    legend_font = ImageFont.truetype(font_file, round(9 * points))
    legend = _legend_layout(keys, legend_texts, legend_font, width * dpi, points)
    title_room, legend_room = 0.45, 0.2 + 0.25 * len(legend)  # inches above and below the map
    size = (round(width * dpi), round((height + title_room + legend_room) * dpi))
    # The map's box, and the scale that fits the county (and a 1% margin) in it.
    box = (0.01 * size[0], title_room * dpi, 0.99 * size[0], size[1] - legend_room * dpi)
    margin = 0.01 * max(max_x - min_x, max_y - min_y, 1e-9)
    span_x, span_y = max_x - min_x + 2 * margin, max_y - min_y + 2 * margin
    scale = min((box[2] - box[0]) / span_x, (box[3] - box[1]) / span_y)
    left = box[0] + ((box[2] - box[0]) - scale * span_x) / 2 - (min_x - margin) * scale
    top = box[1] + ((box[3] - box[1]) - scale * span_y) / 2 + (max_y + margin) * scale

    def to_px(xy: np.ndarray) -> np.ndarray:
        return np.column_stack((left + xy[:, 0] * scale, top - xy[:, 1] * scale))

    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    _draw_layers(image, draw, layers, to_px, 1.0 / scale, points)
    # The name's size: about a village's width for a 4-character name; names too
    # small to read are left out (members first), and above HALO_LEADS leads the
    # leads' names go without their white halo.
    cell_points = 72 * width / max(math.sqrt(instance.n / max(aspect, 1e-3)), 1)
    member_size = min(10.0, cell_points / 6.0)
    lead_cell_points = 72 * width / max(math.sqrt(max(len(layers.lead_rows), 1) / max(aspect, 1e-3)), 1)
    lead_size = max(min(12.0, max(member_size * 1.25, lead_cell_points / 8.5)), MIN_LABEL_POINTS)
    member_size = member_size if member_size >= MIN_LABEL_POINTS else None
    _draw_names(draw, layers, to_px, names, font_file, member_size, lead_size, points, halo=len(layers.lead_rows) <= HALO_LEADS)
    title_font = ImageFont.truetype(font_file, round(14 * points))
    draw.text((size[0] / 2, 0.015 * size[1]), title, font=title_font, fill="black", anchor="mt")
    _draw_legend(draw, legend, legend_font, size, points)
    return png_bytes(np.asarray(image), dpi)


def png_bytes(pixels: np.ndarray, dpi: int) -> bytes:
    """An RGB image (height × width × 3 bytes) as a PNG file, its rows unfiltered
    and deflated at zlib level 3: a map's flat fills and text compress smaller
    so than with the adaptive filters of Pillow's encoder, and four times
    faster (0.1 s for Anqiu's 8 million pixels, where Pillow took 0.35 s).

    Examples
    --------
    >>> import io
    >>> from PIL import Image
    >>> pixels = np.zeros((2, 3, 3), dtype=np.uint8); pixels[0, 1] = (255, 0, 0)
    >>> image = Image.open(io.BytesIO(png_bytes(pixels, 200)))
    >>> image.size, image.getpixel((1, 0)), round(image.info["dpi"][0])
    ((3, 2), (255, 0, 0), 200)
    """
    height, width, _ = pixels.shape
    rows = np.zeros((height, 1 + 3 * width), dtype=np.uint8)  # each row: its filter type (0, none), then its pixels
    rows[:, 1:] = pixels.reshape(height, -1)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    per_metre = round(dpi / 0.0254)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"pHYs", struct.pack(">IIB", per_metre, per_metre, 1)) + chunk(b"IDAT", zlib.compress(rows, 3))
            + chunk(b"IEND", b""))


def _rings(shapes: np.ndarray, to_px, simplify: float) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """The rings of (multi)polygons in pixels, simplified to ``simplify`` map
    units: (rings, the shape each belongs to, whether it is an exterior)."""
    shapes = shapely.simplify(shapes, simplify, preserve_topology=True) if simplify > 0 else shapes
    parts, part_of = shapely.get_parts(shapes, return_index=True)
    polygons = shapely.get_type_id(parts) == 3
    parts, part_of = parts[polygons], part_of[polygons]
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    if not len(rings):
        return [], np.empty(0, dtype=int), np.empty(0, dtype=bool)
    exterior = np.r_[True, np.diff(ring_part) != 0]  # each polygon's rings: its exterior first, then its holes
    coordinates, ring_of = shapely.get_coordinates(rings, return_index=True)
    return np.split(to_px(coordinates), np.flatnonzero(np.diff(ring_of)) + 1), part_of[ring_part], exterior


def _ring_areas(rings: list[np.ndarray]) -> np.ndarray:
    """The area of each closed ring (shoelace, all rings at once)."""
    if not rings:
        return np.empty(0)
    lengths = np.array([len(ring) for ring in rings])
    every = np.vstack(rings)
    cross = np.append(every[:-1, 0] * every[1:, 1] - every[1:, 0] * every[:-1, 1], 0.0)
    ends = np.cumsum(lengths) - 1
    cross[ends] = 0.0  # a ring's last point pairs with the next ring's first
    return 0.5 * np.abs(np.add.reduceat(cross, ends - lengths + 1))


def _line_pixels(shapes, to_px, simplify: float) -> list[np.ndarray]:
    """Every line of ``shapes`` (lines, or the borders of polygons), in pixels, simplified."""
    parts = shapely.get_parts(np.array([shape for shape in shapes if shape is not None], dtype=object))
    areas = np.isin(shapely.get_type_id(parts), (3, 6))
    lines = np.concatenate([parts[~areas], shapely.get_parts(shapely.boundary(parts[areas]))])
    if simplify > 0 and len(lines):
        lines = shapely.simplify(lines, simplify)
    coordinates, line_of = shapely.get_coordinates(lines, return_index=True)
    return np.split(to_px(coordinates), np.flatnonzero(np.diff(line_of)) + 1) if len(coordinates) else []


def _draw_layers(image, draw, layers: MapLayers, to_px, pixel: float, points: float) -> None:
    """The villages' areas filled (larger first, so that a village in another's
    hole shows), the ungrouped weak ones hatched, their borders, the township
    and group borders, and for points a dot per village with a link to its lead."""
    rings, owner, exterior = _rings(layers.areas, to_px, pixel)
    # Each polygon (its exterior, then its holes), largest first.
    polygons = np.split(np.arange(len(rings)), np.flatnonzero(exterior)[1:]) if len(rings) else []
    areas = _ring_areas(rings)
    polygons.sort(key=lambda ring_rows: -areas[ring_rows[0]])
    for ring_rows in polygons:
        fill = layers.fills[owner[ring_rows[0]]]
        for ring in ring_rows:
            if len(rings[ring]) >= 3:
                draw.polygon(rings[ring].ravel().tolist(), fill=fill if exterior[ring] else UNGROUPED_FILL)
    if layers.hatched.any():
        _hatch(image, [rings[ring] for ring in range(len(rings)) if layers.hatched[owner[ring]] and exterior[ring]],
               [rings[ring] for ring in range(len(rings)) if layers.hatched[owner[ring]] and not exterior[ring]], points)
    for xy in rings:
        if len(xy) >= 2:
            draw.line(xy.ravel().tolist(), fill=EDGE_COLOUR, width=1)
    for xy in _line_pixels(layers.townships, to_px, pixel):
        draw.line(xy.ravel().tolist(), fill=TOWNSHIP_COLOUR, width=max(1, round(2.6 * points)), joint="curve")
    for xy in _line_pixels(layers.outlines, to_px, pixel):
        draw.line(xy.ravel().tolist(), fill=GROUP_BORDER, width=max(1, round(1.0 * points)), joint="curve")
    if not layers.polygonal:
        anchors = to_px(layers.anchors)
        for a, b in layers.links:
            draw.line([*anchors[a], *anchors[b]], fill="#444444", width=max(1, round(0.5 * points)))
        radius = 1.2 * points
        for (x, y), fill, hatched in zip(anchors, layers.fills, layers.hatched):
            draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=UNGROUPED_FILL if hatched else fill,
                         outline=WEAK_HATCH if hatched else "#555555", width=max(1, round(0.4 * points * (3 if hatched else 1))))


def _hatch(image, exteriors: list[np.ndarray], holes: list[np.ndarray], points: float) -> None:
    """Red diagonal hatching over the given areas (the ungrouped weak villages)."""
    from PIL import Image, ImageDraw

    if not exteriors:
        return
    every = np.vstack(exteriors)
    x0, y0 = np.floor(every.min(axis=0)).astype(int)
    x1, y1 = np.ceil(every.max(axis=0)).astype(int) + 1
    x0, y0 = max(x0, 0), max(y0, 0)
    x1, y1 = min(x1, image.width), min(y1, image.height)
    if x1 <= x0 or y1 <= y0:
        return
    mask = Image.new("L", (x1 - x0, y1 - y0), 0)
    draw = ImageDraw.Draw(mask)
    offset = np.array([x0, y0])
    for xy in exteriors:
        draw.polygon((xy - offset).ravel().tolist(), fill=255)
    for xy in holes:
        draw.polygon((xy - offset).ravel().tolist(), fill=0)
    period, thickness = max(4, round(4 * points)), max(1, round(0.8 * points))
    columns, rows = np.meshgrid(np.arange(x0, x1), np.arange(y0, y1))
    lines = ((columns + rows) % period < thickness).astype(np.uint8) * 255
    stripes = Image.fromarray(np.minimum(np.asarray(mask), lines))
    image.paste(WEAK_HATCH, (x0, y0, x1, y1), stripes)


def _draw_names(draw, layers: MapLayers, to_px, names: Sequence[str], font_file: str, member_size: float | None, lead_size: float,
                points: float, halo: bool) -> None:
    """The leads' dots, and the villages' names (members grey, leads bold black
    above their dot), stamped from glyphs rendered once each (see :class:`_Glyphs`)."""
    from PIL import ImageFont

    pixels = to_px(layers.anchors)
    offset = 0.0 if layers.polygonal else 3.0 * points
    leads = set(layers.lead_rows)
    if member_size is not None:
        glyphs = _Glyphs(ImageFont.truetype(font_file, max(1, round(member_size * points)), layout_engine=ImageFont.Layout.BASIC))
        for row, (x, y) in enumerate(pixels):
            if row not in leads:
                glyphs.stamp(draw, (x, y + offset), names[row], (0x33, 0x33, 0x33), middle=True)
    radius = 0.5 * math.sqrt(lead_size * 2.2) * points  # a dot of lead_size × 2.2 square points
    for row in layers.lead_rows:
        x, y = pixels[row]
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=LEAD_COLOUR, outline="white", width=max(1, round(0.6 * points)))
    font = ImageFont.truetype(font_file, max(1, round(lead_size * points)), layout_engine=ImageFont.Layout.BASIC)
    glyphs = _Glyphs(font, stroke=max(1, round(0.14 * lead_size * points)) if halo else 0)
    ink = tuple(int(LEAD_COLOUR[i:i + 2], 16) for i in (1, 3, 5))
    for row in layers.lead_rows:
        x, y = pixels[row]
        glyphs.stamp(draw, (x, y - 0.6 * lead_size * points / 2 - offset), names[row], ink, middle=False)


class _Glyphs:
    """Names stamped glyph by glyph from masks rendered once per character (and
    per font): Pillow spends a third of a millisecond setting any text, and
    Chinese names share their characters (Anqiu's 864 names use 350), so
    stamping is three times faster than setting each name. Names are laid out
    without kerning, which Chinese has none of; ``stroke`` pixels of white
    halo go under each name, as Pillow's ``stroke_width`` would draw them."""

    def __init__(self, font, stroke: int = 0) -> None:
        self.font, self.stroke = font, stroke
        self.ascent, self.descent = font.getmetrics()
        self.masks: dict[str, tuple] = {}

    def _mask(self, character: str) -> tuple:
        """(advance, left, top, fill mask, halo mask or None) of a character, from its baseline's start."""
        mask = self.masks.get(character)
        if mask is None:
            mask = self.masks[character] = self._render(character)
        return mask

    def _render(self, character: str) -> tuple:
        from PIL import Image, ImageDraw

        left, top, right, bottom = self.font.getbbox(character, anchor="ls", stroke_width=self.stroke)
        size = (max(1, right - left), max(1, bottom - top))
        fill = Image.new("L", size, 0)
        ImageDraw.Draw(fill).text((-left, -top), character, font=self.font, fill=255, anchor="ls")
        halo = None
        if self.stroke:
            halo = Image.new("L", size, 0)
            ImageDraw.Draw(halo).text((-left, -top), character, font=self.font, fill=255, anchor="ls",
                                      stroke_width=self.stroke, stroke_fill=255)
        return self.font.getlength(character), left, top, fill, halo

    def stamp(self, draw, xy: tuple[float, float], text: str, ink: tuple[int, int, int], *, middle: bool) -> None:
        """Draw ``text`` centred on ``xy`` (``middle``), or centred above it (its descender's line at ``xy``)."""
        masks = [self._mask(character) for character in text]
        x = xy[0] - sum(mask[0] for mask in masks) / 2
        baseline = xy[1] + (self.ascent - self.descent) / 2 if middle else xy[1] - self.descent
        places = []
        for advance, left, top, fill, halo in masks:
            places.append(((round(x + left), round(baseline + top)), fill, halo))
            x += advance
        if self.stroke:
            for corner, _, halo in places:
                draw.bitmap(corner, halo, fill=(255, 255, 255))
        for corner, fill, _ in places:
            draw.bitmap(corner, fill, fill=ink)


def _legend_layout(keys: Sequence[str], texts: Sequence[str], font, width: float, points: float) -> list[list[tuple[str, str, float]]]:
    """The legend's entries in rows that fit the image's width: (key, text, width) each."""
    handle, gap, spacing = 2.0 * 9 * points, 0.8 * 9 * points, 2.0 * 9 * points
    entries = [(key, text, handle + gap + font.getlength(text)) for key, text in zip(keys, texts)]
    rows, current, used = [], [], 0.0
    for entry in entries:
        needed = entry[2] + (spacing if current else 0)
        if current and used + needed > 0.96 * width:
            rows.append(current)
            current, used = [], 0.0
            needed = entry[2]
        current.append(entry)
        used += needed
    if current:
        rows.append(current)
    return rows


def _draw_legend(draw, rows: list[list[tuple[str, str, float]]], font, size: tuple[int, int], points: float) -> None:
    """The legend, centred at the bottom: a handle for each entry like what the map draws, then its words."""
    handle, gap, spacing, line = 2.0 * 9 * points, 0.8 * 9 * points, 2.0 * 9 * points, 0.25 * 72 * points
    y = size[1] - 0.1 * 72 * points - line * (len(rows) - 0.5)
    for row in rows:
        x = (size[0] - sum(entry[2] for entry in row) - spacing * (len(row) - 1)) / 2
        for key, text, entry_width in row:
            _draw_handle(draw, key, (x, y - 0.35 * 9 * points, x + handle, y + 0.35 * 9 * points), points)
            draw.text((x + handle + gap, y), text, font=font, fill="black", anchor="lm")
            x += entry_width + spacing
        y += line


def _draw_handle(draw, key: str, box: tuple[float, float, float, float], points: float) -> None:
    x0, y0, x1, y1 = box
    middle_x, middle_y = (x0 + x1) / 2, (y0 + y1) / 2
    if key == "legend:grouped":
        draw.rectangle(box, fill=GROUP_COLOURS[0], outline=EDGE_COLOUR, width=1)
    elif key == "legend:lead":
        radius = 0.3 * (y1 - y0) + points
        draw.ellipse((middle_x - radius, middle_y - radius, middle_x + radius, middle_y + radius), fill=LEAD_COLOUR, outline="white")
    elif key == "legend:group":
        draw.line((x0, middle_y, x1, middle_y), fill=GROUP_BORDER, width=max(1, round(1.5 * points)))
    elif key == "legend:township":
        draw.line((x0, middle_y, x1, middle_y), fill=TOWNSHIP_COLOUR, width=max(1, round(2.6 * points)))
    elif key == "legend:point":
        draw.line((x0, middle_y, x1, middle_y), fill="#444444", width=max(1, round(0.5 * points)))
        radius = 1.2 * points
        draw.ellipse((x0 + radius, middle_y - radius, x0 + 3 * radius, middle_y + radius), fill=GROUP_COLOURS[0], outline="#555555")
    elif key == "legend:ungrouped_weak":
        draw.rectangle(box, fill=UNGROUPED_FILL, outline=WEAK_HATCH, width=1)
        period = max(4, round(4 * points))
        for start in np.arange(x0 - (y1 - y0), x1, period):
            a, b = max(start, x0), min(start + (y1 - y0), x1)
            if b > a:
                draw.line((a, y1 - (a - start), b, y1 - (b - start)), fill=WEAK_HATCH, width=max(1, round(0.8 * points)))
    else:
        draw.rectangle(box, fill=UNGROUPED_FILL, outline=EDGE_COLOUR, width=1)
