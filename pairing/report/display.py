"""How the library's objects show themselves: a plan, a revision and a diff in
Jupyter, a plan on matplotlib axes (:func:`draw_map`) or as a GeoDataFrame, a
diff as a page.

The records themselves (:class:`~pairing.plan.Plan`,
:class:`~pairing.resolve.Revision`, :class:`~pairing.diff.PlanDiff`) stand
below every report and know nothing of them; this module, which stands above
both, gives them these methods when it is imported, and ``import pairing``
imports it as soon as any of its names is used. So data flows one way, and a
notebook still writes ``plan.plot()``.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import numpy as np
import pandas as pd
import shapely

from ..diagnose import with_reasons
from ..diff import PlanDiff
from ..errors import InputError
from ..labels import label
from ..plan import Plan
from ..resolve import Revision
from ..tables import village_table
from .html import html_page, html_table
from .layers import EDGE_COLOUR, GROUP_BORDER, LEAD_COLOUR, TOWNSHIP_COLOUR, WEAK_HATCH, MapLayers, map_layers, short_name


def plan_geodataframe(plan: Plan):
    """One row per village with the plan's columns (``group_id, role, lead_id,
    lead_name, reason``) and every input attribute, as a GeoDataFrame in the
    instance's metric CRS (no geometry column when the input had none): what
    ``plan.gpkg`` holds in its ``villages`` layer. It is ``plan.to_geodataframe()``.

    Examples
    --------
    >>> plan = Plan(path_county([500, 400, 300], weak=[False, True, True], squares=True), Rules(),
    ...             (Group("G001", ("a",), ("b", "c")),))
    >>> plan.to_geodataframe()[["village_id", "group_id", "role"]].values.tolist()
    [['a', 'G001', 'lead'], ['b', 'G001', 'member'], ['c', 'G001', 'member']]
    """
    import geopandas as gpd

    table = village_table(with_reasons(plan))
    geometry = plan.instance.geometry
    if geometry is None:
        return gpd.GeoDataFrame(table)
    return gpd.GeoDataFrame(table, geometry=list(geometry.to_numpy()), crs=geometry.crs)


def plot(plan: Plan, ax=None, *, names: bool = False):
    """Draw the plan with matplotlib: groups coloured (neighbouring groups
    differ) and outlined, leads as black dots, ungrouped weak villages hatched
    red. Returns the Axes. It is ``plan.plot(ax=None, names=False)``.

    Parameters
    ----------
    plan : Plan
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when not given.
    names : bool
        Label every village (readable on small counties only).

    Examples
    --------
    >>> plan = Plan(path_county([500, 400, 300], weak=[False, True, True], squares=True), Rules(),
    ...             (Group("G001", ("a",), ("b", "c")),))
    >>> ax = plan.plot()
    >>> len(ax.collections) > 0
    True
    """
    layers = map_layers(plan)
    if layers is None:
        raise InputError("no map: the input has no geometry", fix="give polygons or coordinates to draw a map")
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(9, 9))
    labels = [short_name(name) for name in plan.instance.villages["name"]] if names else None
    draw_map(ax, layers, names=labels, member_size=6 if names else None, lead_size=6 if names else None)
    metrics = plan.metrics()
    ax.set_title(f"{len(plan.groups)} groups, {metrics['villages_grouped']}/{metrics['villages']} villages, "
                 f"{metrics['weak_grouped']}/{metrics['weak']} weak grouped ({plan.status})")
    ax.set_axis_off()
    ax.set_aspect("equal")
    return ax


def draw_map(axes, layers: MapLayers, *, names: Sequence[str] | None = None, font=None, member_size: float | None = None,
             lead_size: float | None = None, halo: bool = True, simplify: float = 0.0) -> None:
    """Draw the map's layers on matplotlib ``axes``: villages filled by group
    (polygons, or for points their cells, with a dot for each village and a
    link to its lead), ungrouped weak villages hatched red, township and group
    borders, leads as dots, and names
    (members at ``member_size`` points, leads at ``lead_size``; None draws none).
    Shapes are simplified to ``simplify`` map units (about a pixel) and drawn as
    one collection each, so a county of 10,000 villages takes seconds."""
    import matplotlib.patheffects as effects
    from matplotlib.collections import LineCollection, PathCollection

    shapes = shapely.simplify(layers.areas, simplify, preserve_topology=True) if simplify > 0 else layers.areas
    dot = 6 * (member_size or 3.5)
    axes.add_collection(PathCollection(_paths(shapes), facecolors=list(layers.fills), edgecolors=EDGE_COLOUR, linewidths=0.3))
    if layers.hatched.any():
        axes.add_collection(PathCollection(_paths(shapes[layers.hatched]), facecolors="none", edgecolors=WEAK_HATCH,
                                           linewidths=0.0, hatch="////"))
    if layers.townships:
        axes.add_collection(LineCollection(_lines(layers.townships, simplify), colors=TOWNSHIP_COLOUR, linewidths=2.6))
    if layers.outlines:
        borders = [shapely.boundary(outline) for outline in layers.outlines]
        axes.add_collection(LineCollection(_lines(borders, simplify), colors=GROUP_BORDER, linewidths=1.0))
    if not layers.polygonal:
        if layers.links:
            axes.add_collection(LineCollection([layers.anchors[[a, b]] for a, b in layers.links], colors="#444444", linewidths=0.5))
        axes.scatter(layers.anchors[:, 0], layers.anchors[:, 1], s=dot / 3, c=list(layers.fills),
                     edgecolors=np.where(layers.hatched, WEAK_HATCH, "#555555"), linewidths=np.where(layers.hatched, 1.2, 0.4), zorder=3)
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


def plan_html(plan: Plan) -> str:
    """The plan in Jupyter: its status and metrics as a table (``plan._repr_html_()``).

    Examples
    --------
    >>> "villages grouped" in Plan(path_county(), Rules(), (Group("G001", ("a",), ("b", "c")),))._repr_html_()
    True
    """
    metrics = plan.metrics()
    rows = [("status", plan.status + ("" if plan.gap in (None, 0, 0.0) else f" (gap {plan.gap:.2%})")),
            ("groups", f"{metrics['groups']:,}"),
            ("villages grouped", f"{metrics['villages_grouped']:,} / {metrics['villages']:,}"),
            ("weak villages grouped", f"{metrics['weak_grouped']:,} / {metrics['weak']:,}"),
            ("people grouped", f"{metrics['population_grouped']:,} / {metrics['population']:,}"),
            ("distance", f"{metrics['distance']:,} {metrics['distance_unit']}"),
            ("solve", f"{plan.solve_seconds:.1f} s, seed {plan.seed}, {plan.workers} workers")]
    if plan.conflicts:
        rows.append(("conflicting locks", "; ".join(plan.conflicts)))
    source = html.escape(plan.instance.source or "plan")
    return f"<p><b>pairing plan</b> of {source}</p>" + html_table(pd.DataFrame(rows, columns=["", "value"]))


def revision_html(revision: Revision) -> str:
    """A revision in Jupyter: the new plan, then what changed (``revision._repr_html_()``)."""
    summary = revision.summary()
    rows = [(key.replace("_", " "), f"{value:,}" if isinstance(value, int) else str(len(value))) for key, value in summary.items()]
    return plan_html(revision.plan) + "<p><b>changes from the previous plan</b></p>" + html_table(pd.DataFrame(rows, columns=["", "value"]))


def diff_html(difference: PlanDiff, lang: str = "en", title: str = "") -> str:
    """The diff as a self-contained HTML page, no external resource (``difference.to_html(lang, title)``).

    Examples
    --------
    >>> from pairing.diff import diff
    >>> county = path_county(villages=6)
    >>> page = diff(Plan(county, Rules(), ()), Plan(county, Rules(), ())).to_html()
    >>> "The plans are the same." in page and "http" not in page
    True
    """
    heading = label("diff_title", lang) + (f": {title}" if title else "")
    parts = [f"<h1>{html.escape(heading)}</h1>", f"<p>{html.escape(difference.counts(lang))}</p>"]
    if not difference:
        parts.append(f"<p>{html.escape(label('diff:same', lang))}</p>")
    if difference.metrics is not None:
        parts.append(f"<h2>{html.escape(label('diff:metrics', lang))}</h2>")
        columns = ["", label("diff:old", lang), label("diff:new", lang), label("diff:change", lang)]
        parts.append(html_table(pd.DataFrame(difference.metric_rows(lang), columns=columns), numbers=columns[1:]))
    else:
        parts.append(f'<p class="note">{html.escape(label("diff:no_metrics", lang))}</p>')
    if difference.changed:
        rows = [(difference.group_ids(c.old_id, c.new_id), difference.lead_change(c), difference.named(c.joined), difference.named(c.left))
                for c in difference.changed]
        parts.append(f"<h2>{html.escape(label('diff:changed', lang))} ({len(rows)})</h2>")
        parts.append(html_table(pd.DataFrame(rows, columns=[label("group_id", lang), label("lead_name", lang),
                                                            label("diff:joined", lang), label("diff:left", lang)])))
    for kind, groups in (("diff:dissolved", difference.dissolved), ("diff:created", difference.created)):
        if groups:
            rows = [(group.group_id, difference.named(group.leads), difference.named(group.members)) for group in groups]
            parts.append(f"<h2>{html.escape(label(kind, lang))} ({len(rows)})</h2>")
            parts.append(html_table(pd.DataFrame(rows, columns=[label("group_id", lang), label("lead_name", lang), label("members", lang)])))
    if difference.villages:
        rows = [(c.village_id, c.name, difference.place(c.old_group, c.old_role, lang), difference.place(c.new_group, c.new_role, lang))
                for c in difference.villages]
        parts.append(f"<h2>{html.escape(label('diff:villages', lang, count=len(rows)))}</h2>")
        parts.append(html_table(pd.DataFrame(rows, columns=[label("village_id", lang), label("name", lang),
                                                            label("diff:old", lang), label("diff:new", lang)])))
    if difference.kept:
        kept = ", ".join(difference.group_ids(old, new) for old, new in difference.kept)
        parts.append(f"<h2>{html.escape(label('diff:kept', lang))} ({len(difference.kept)})</h2><p>{html.escape(kept)}</p>")
    return html_page(heading, "\n".join(parts), lang)


Plan.to_geodataframe = plan_geodataframe
Plan.plot = plot
Plan._repr_html_ = plan_html
Revision._repr_html_ = revision_html
PlanDiff.to_html = diff_html
