"""The assignment's page of the offline report: the solver's status and what
it proved, the figures, a map of who goes where (helpers' homes joined to the
villages and groups they serve, as inline SVG) and the tables of postings,
unmet needs and idle helpers. Like :mod:`pairing.report.html`, it loads nothing."""

from __future__ import annotations

import html

import numpy as np
import pandas as pd

from ..labels import label
from ..report.html import html_page, html_table
from .problem import Assignment
from .tables import localised

#: Line colours by role, and the colours of villages on the map.
ROLE_COLOURS = {"first_secretary": "#b2182b", "resident_cadre": "#2166ac"}
VILLAGE_COLOURS = {"none": "#c8c8c8", "need": "#f4a582", "weak": "#d6604d"}


def assignment_svg(assignment: Assignment, width: int = 900) -> str:
    """Villages as dots (in need: orange, weak and in need: red), each helper's
    home joined to where they serve by a line coloured by role.

    Examples
    --------
    >>> from pairing.assign.problem import AssignProblem, Helper, Posting, Target
    >>> target = Target("a", "village", "A村", "T", (0.0, 0.0), ("income",), True, {"resident_cadre": (1, 1)})
    >>> helper = Helper("H1", "李明", "U1", "resident_cadre", ("income",), (3000.0, 4000.0))
    >>> svg = assignment_svg(Assignment(AssignProblem((target,), (helper,), (), max_km=10.0), (Posting("H1", "a", "income"),)))
    >>> svg.startswith("<svg") and svg.count("<line") == 1
    True
    """
    problem = assignment.problem
    villages = list(problem.villages.values())
    points = [facts["xy"] for facts in villages] + [target.xy for target in problem.targets] + [helper.xy for helper in problem.helpers]
    if not points:
        return ""
    xy = np.array(points, dtype=float)
    low, high = xy.min(axis=0), xy.max(axis=0)
    span = max(float((high - low).max()), 1.0)
    height = int(width * max(0.3, (high[1] - low[1]) / span if span else 1.0)) + 20
    scale = (width - 20) / span

    def at(point) -> tuple[float, float]:
        return 10 + (point[0] - low[0]) * scale, height - 10 - (point[1] - low[1]) * scale

    parts = [f'<svg class="map" viewBox="0 0 {width} {height}" role="img">']
    for facts in villages:
        x, y = at(facts["xy"])
        kind = "weak" if facts["needs"] and facts["weak"] else "need" if facts["needs"] else "none"
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{3 if facts["needs"] else 1.6}" fill="{VILLAGE_COLOURS[kind]}">'
                     f'<title>{html.escape(facts["name"])} {html.escape(", ".join(facts["needs"]))}</title></circle>')
    for posting in assignment.postings:
        helper, target = problem.helper(posting.helper_id), problem.target(posting.target_id)
        (x1, y1), (x2, y2) = at(helper.xy), at(target.xy)
        parts.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{ROLE_COLOURS.get(helper.role, "#555")}" '
                     f'stroke-width="0.8" stroke-opacity="0.7"><title>{html.escape(helper.name)} → {html.escape(target.name)} '
                     f'({posting.need})</title></line>')
    for target in problem.targets:
        if target.kind == "group":
            x, y = at(target.xy)
            parts.append(f'<rect x="{x - 3:.1f}" y="{y - 3:.1f}" width="6" height="6" fill="none" stroke="#1f1f1f">'
                         f'<title>{html.escape(target.name)}</title></rect>')
    parts.append("</svg>")
    return "".join(parts)


def assignment_html(assignment: Assignment, assigned: pd.DataFrame, needs: pd.DataFrame, lang: str = "en", *,
                    violations: list | None = None, title: str = "") -> str:
    """The whole page, from the tables :mod:`pairing.assign.tables` made."""
    metrics = assignment.metrics()
    title = title or f"{label('assign:title', lang)}: {assignment.problem.source}"
    figures = pd.DataFrame([(key, value) for key, value in metrics.items()], columns=[label("item", lang), label("value", lang)])
    levels = pd.DataFrame([(label(f"assign:level:{stage['name']}", lang), stage["status"], stage["value"], stage["bound"], stage["seconds"])
                           for stage in assignment.stages], columns=["level", "status", "value", "bound", "seconds"])
    sent = assigned[assigned["target_id"] != ""].sort_values(["target_id", "role"])
    idle = assigned[assigned["target_id"] == ""]
    unmet = needs[needs["unmet"] != ""]
    problems = "".join(f"<li>{html.escape(str(violation))}</li>" for violation in violations or [])
    legend = " ".join(f'<span style="color:{colour}">━ {label(f"assign:role:{role}", lang)}</span>' for role, colour in ROLE_COLOURS.items())
    body = [f"<h1>{html.escape(title)}</h1>",
            f'<p class="status-{assignment.status}">{assignment.status}</p>',
            f'<div class="violations"><ul>{problems}</ul></div>' if problems else "",
            "".join(f"<p class=\"violations\">{html.escape(conflict)}</p>" for conflict in assignment.conflicts),
            html_table(figures), html_table(levels),
            f'<h2>{label("assign:sheet:assignment", lang)}</h2>', f'<p class="legend">{legend}</p>', assignment_svg(assignment),
            html_table(localised(sent.drop(columns=["reason"]), lang)),
            f'<h2>{label("assign:unmet", lang)} ({len(unmet):,})</h2>', html_table(localised(unmet, lang)),
            f'<h2>{label("assign:reason", lang)} ({len(idle):,})</h2>',
            html_table(localised(idle[["helper_id", "helper_name", "unit", "role", "reason"]], lang))]
    return html_page(title, "\n".join(part for part in body if part), lang)
