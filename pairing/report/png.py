"""The county map drawn with matplotlib: as a PNG for printing, and on any
axes for a notebook (:func:`draw_map`)."""

from __future__ import annotations

import io as bytes_io
import math
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import shapely

from ..errors import InputError
from ..labels import label
from ..plan import Plan
from .fonts import MapFontWarning, drawable, font_files
from .layers import GROUP_COLOURS, LEAD_COLOUR, TOWNSHIP_COLOUR, UNGROUPED_FILL, WEAK_HATCH, MapLayers, map_layers, short_name

#: Names smaller than this many points are not drawn on the PNG map (they would not be read).
MIN_LABEL_POINTS = 3.5
#: Up to this many groups, the leads' names on the PNG map have a white halo (a
#: halo draws a name as a path: 1.6 s for Anqiu's 864 names, against 0.4 s
#: plain; the members' names, grey on pale fills, go without).
HALO_LEADS = 600


def draw_map(axes, layers: MapLayers, *, names: Sequence[str] | None = None, font=None, member_size: float | None = None,
             lead_size: float | None = None, halo: bool = True, simplify: float = 0.0) -> None:
    """Draw the map's layers on matplotlib ``axes``: villages filled by group
    (polygons, or dots for points with links to their leads), ungrouped weak
    villages hatched red, township and group borders, leads as dots, and names
    (members at ``member_size`` points, leads at ``lead_size``; None draws none).
    Shapes are simplified to ``simplify`` map units (about a pixel) and drawn as
    one collection each, so a county of 10,000 villages takes seconds."""
    from matplotlib.collections import LineCollection, PathCollection
    import matplotlib.patheffects as effects

    shapes = shapely.simplify(layers.shapes, simplify, preserve_topology=True) if simplify > 0 else layers.shapes
    dot = 6 * (member_size or 3.5)
    if layers.polygonal:
        axes.add_collection(PathCollection(_paths(shapes), facecolors=list(layers.fills), edgecolors="#9a9a9a", linewidths=0.3))
        if layers.hatched.any():
            axes.add_collection(PathCollection(_paths(shapes[layers.hatched]), facecolors="none", edgecolors=WEAK_HATCH,
                                               linewidths=0.0, hatch="////"))
        if layers.townships:
            axes.add_collection(LineCollection(_lines(layers.townships, simplify), colors=TOWNSHIP_COLOUR, linewidths=2.6))
    else:
        if layers.links:
            axes.add_collection(LineCollection([layers.anchors[[a, b]] for a, b in layers.links], colors="#444444", linewidths=0.5))
        axes.add_collection(PathCollection(_paths(np.array(layers.outlines, dtype=object)), facecolors="#00000010", edgecolors="none"))
        axes.scatter(layers.anchors[:, 0], layers.anchors[:, 1], s=dot, c=list(layers.fills),
                     edgecolors=np.where(layers.hatched, WEAK_HATCH, "#9a9a9a"), linewidths=np.where(layers.hatched, 1.2, 0.4), zorder=3)
    if layers.outlines:
        borders = [shapely.boundary(outline) for outline in layers.outlines]
        axes.add_collection(LineCollection(_lines(borders, simplify), colors="#1f1f1f", linewidths=1.0))
    min_x, min_y, max_x, max_y = layers.bounds
    offset = 0.0 if layers.polygonal else 0.004 * max(max_x - min_x, max_y - min_y)
    leads = set(layers.lead_rows)
    text = {"fontproperties": font} if font is not None else {}
    if names is not None and member_size is not None:
        for row, (x, y) in enumerate(layers.anchors):
            if row not in leads:
                axes.text(x, y - offset, names[row], size=member_size, color="#333333", ha="center", va="center",
                          zorder=4, **text)
    lead_xy = layers.anchors[list(layers.lead_rows)] if layers.lead_rows else np.empty((0, 2))
    axes.scatter(lead_xy[:, 0], lead_xy[:, 1], s=(lead_size or 3.5) * 2.2, c=LEAD_COLOUR, edgecolors="white", linewidths=0.6, zorder=5)
    if names is not None and lead_size is not None:
        lead_halo = [effects.withStroke(linewidth=2.2, foreground="white")] if halo else None
        for row, (x, y) in zip(layers.lead_rows, lead_xy):
            axes.text(x, y + 0.0015 * (max_y - min_y) + offset, names[row], size=lead_size, color=LEAD_COLOUR, ha="center",
                      va="bottom", path_effects=lead_halo, zorder=6, **text)
    margin = 0.01 * max(max_x - min_x, max_y - min_y, 1e-9)
    axes.set_xlim(min_x - margin, max_x + margin)
    axes.set_ylim(min_y - margin, max_y + margin)


def _paths(shapes: np.ndarray) -> list:
    """One matplotlib Path per (multi)polygon, its rings as closed sub-paths (holes
    included), built from all coordinates at once."""
    from matplotlib.path import Path as MplPath

    parts, part_owner = shapely.get_parts(shapes, return_index=True)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    coordinates, ring_of = shapely.get_coordinates(rings, return_index=True)
    codes = np.full(len(coordinates), MplPath.LINETO, dtype=np.uint8)
    if len(coordinates):
        starts = np.flatnonzero(np.r_[True, np.diff(ring_of) != 0])
        codes[starts] = MplPath.MOVETO
        codes[np.r_[starts[1:], len(coordinates)] - 1] = MplPath.CLOSEPOLY
    owner = part_owner[ring_part][ring_of]
    cuts = np.searchsorted(owner, np.arange(1, len(shapes)))
    return [MplPath(vertices, kinds) for vertices, kinds in zip(np.split(coordinates, cuts), np.split(codes, cuts))]


def _lines(shapes, simplify: float) -> list[np.ndarray]:
    """The coordinates of every line of ``shapes`` (lines or polygon borders), simplified."""
    lines = shapely.get_parts(np.array(list(shapes), dtype=object))
    if simplify > 0:
        lines = shapely.simplify(lines, simplify)
    coordinates, line_of = shapely.get_coordinates(lines, return_index=True)
    return np.split(coordinates, np.flatnonzero(np.diff(line_of)) + 1) if len(coordinates) else []


def map_png(plan: Plan, lang: str = "en", *, dpi: int = 200) -> bytes:
    """The county map as a PNG for printing: groups coloured and outlined, every
    village named (leads in bold with a dot), ungrouped weak villages hatched red.

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
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    layers = map_layers(plan)
    if layers is None:
        raise InputError("no map: the input has no geometry", fix="give polygons or coordinates to draw a map")
    instance = plan.instance
    names = [short_name(name) for name in instance.villages["name"]]
    title = label("map_title", lang, source=Path(instance.source).stem or "pairing", groups=len(plan.groups),
                  grouped=plan.metrics()["villages_grouped"], villages=instance.n)
    legend_keys = ("legend:grouped", "legend:lead", "legend:group", "legend:township", "legend:ungrouped_weak", "legend:ungrouped")
    legend_texts = [label(key, lang) for key in legend_keys]
    # The font that can draw the most labels; a name it cannot draw is shown as the
    # village id, with a warning, rather than as boxes.
    font_file = max(font_files(), key=lambda path: sum(drawable(text, path) for text in [*names, title, *legend_texts]))
    undrawable = [row for row, name in enumerate(names) if not drawable(name, font_file)]
    if undrawable:
        examples = "、".join(instance.villages["name"].iloc[row] for row in undrawable[:3])
        warnings.warn(f"map.png: no available font can draw {len(undrawable)} village names (e.g. {examples}), so they are labelled "
                      "by village id; install a font that has them (pip install pylopdf-fonts-zh-cn, or Debian fonts-noto-cjk)",
                      MapFontWarning, stacklevel=2)
        for row in undrawable:
            names[row] = instance.ids[row]
    if not all(drawable(text, font_file) for text in [title, *legend_texts]):
        lang = "en"
        title = f"{Path(instance.source).stem}: {len(plan.groups)} groups ({label('font_missing')})"
        legend_texts = [label(key) for key in legend_keys]
    font = FontProperties(fname=font_file)

    min_x, min_y, max_x, max_y = layers.bounds
    aspect = (max_y - min_y) / max(max_x - min_x, 1e-9)
    long_side = min(16.0, max(7.0, 0.5 * math.sqrt(instance.n)))  # inches: room for every name
    width, height = (long_side, max(4.0, long_side * aspect)) if aspect <= 1 else (max(4.0, long_side / aspect), long_side)
    legend_columns = 6 if width >= 12 else 3  # a narrow map's legend takes two rows
    title_room, legend_room = 0.45, 0.2 + 0.25 * math.ceil(6 / legend_columns)  # inches above and below the map
    total = height + title_room + legend_room
    figure = Figure(figsize=(width, total), dpi=dpi)
    FigureCanvasAgg(figure)
    axes = figure.add_axes((0.01, legend_room / total, 0.98, height / total))
    axes.set_axis_off()
    axes.set_aspect("equal")
    # The name's size: about a village's width for a 4-character name; names too
    # small to read are left out (members first), and above HALO_VILLAGES names
    # are drawn without their white halo (see HALO_LEADS).
    cell_points = 72 * width / max(math.sqrt(instance.n / max(aspect, 1e-3)), 1)
    member_size = min(10.0, cell_points / 6.0)
    lead_cell_points = 72 * width / max(math.sqrt(max(len(layers.lead_rows), 1) / max(aspect, 1e-3)), 1)
    lead_size = min(12.0, max(member_size * 1.25, lead_cell_points / 8.5))
    member_size = member_size if member_size >= MIN_LABEL_POINTS else None
    lead_size = max(lead_size, MIN_LABEL_POINTS)
    draw_map(axes, layers, lead_size=lead_size, simplify=(max_x - min_x) / (width * dpi))
    figure.suptitle(title, fontproperties=font, size=14, y=0.985)
    handles = [Patch(facecolor=GROUP_COLOURS[0], edgecolor="#9a9a9a", label=legend_texts[0]),
               Line2D([], [], marker="o", color="none", markerfacecolor=LEAD_COLOUR, markeredgecolor="white", markersize=7, label=legend_texts[1]),
               Line2D([], [], color="#1f1f1f", linewidth=1.5, label=legend_texts[2])]
    if layers.townships:
        handles.append(Line2D([], [], color=TOWNSHIP_COLOUR, linewidth=2.6, label=legend_texts[3]))
    handles += [Patch(facecolor="white", edgecolor=WEAK_HATCH, hatch="////", label=legend_texts[4]),
                Patch(facecolor=UNGROUPED_FILL, edgecolor="#9a9a9a", label=legend_texts[5])]
    legend_font = font.copy()
    legend_font.set_size(9)
    figure.legend(handles=handles, loc="lower center", ncol=legend_columns, prop=legend_font, frameon=False, bbox_to_anchor=(0.5, 0.0))
    figure.set_facecolor("white")
    figure.canvas.draw()
    image = _with_names(figure, axes, layers, names, font_file, member_size, lead_size, halo=len(layers.lead_rows) <= HALO_LEADS)
    buffer = bytes_io.BytesIO()
    # zlib level 3: a 10,000-village map encodes in 0.3 s instead of 1.1 s, for a file a fifth larger.
    image.save(buffer, format="PNG", compress_level=3, dpi=(dpi, dpi))
    return buffer.getvalue()


def _with_names(figure, axes, layers: MapLayers, names: Sequence[str], font_file: str, member_size: float | None, lead_size: float,
                halo: bool):
    """The drawn figure as an image, with the villages' names stamped on it by
    Pillow: a matplotlib text costs a millisecond to lay out and draw (a second
    for Anqiu's 864 names, more with a halo), Pillow's some microseconds."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.frombuffer("RGBA", figure.canvas.get_width_height(), figure.canvas.buffer_rgba(), "raw", "RGBA", 0, 1).convert("RGB")
    draw = ImageDraw.Draw(image)
    points = figure.dpi / 72
    pixels = axes.transData.transform(layers.anchors)
    pixels[:, 1] = image.height - pixels[:, 1]
    min_x, min_y, max_x, max_y = layers.bounds
    offset = 0.0 if layers.polygonal else 0.004 * max(max_x - min_x, max_y - min_y) * axes.transData.get_matrix()[0, 0]
    leads = set(layers.lead_rows)
    if member_size is not None:
        font = ImageFont.truetype(font_file, max(1, round(member_size * points)))
        for row, (x, y) in enumerate(pixels):
            if row not in leads:
                draw.text((x, y + offset), names[row], font=font, fill="#333333", anchor="mm")
    font = ImageFont.truetype(font_file, max(1, round(lead_size * points)))
    stroke = max(1, round(0.14 * lead_size * points)) if halo else 0
    for row in layers.lead_rows:
        x, y = pixels[row]
        draw.text((x, y - 0.6 * lead_size * points / 2 - offset), names[row], font=font, fill=LEAD_COLOUR, anchor="mb",
                  stroke_width=stroke, stroke_fill="white")
    return image
