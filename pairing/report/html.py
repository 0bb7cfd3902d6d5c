"""The self-contained HTML report, and the page and table every HTML output is
built from. Nothing here touches the disk, and the pages reference no URL of
any kind (county offices often have no reliable internet): styles are inline,
the map is inline SVG, the glyphs are embedded."""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ..check import Violation, check
from ..labels import label, localise
from ..plan import Plan
from ..tables import (group_table, number_text, proof_text, status_text, summary_rows, ungrouped_table, village_table,
                      violation_text)
from .fonts import CSS_FONTS, embedded_font_css
from .layers import GROUP_COLOURS, TOWNSHIP_COLOUR, WEAK_HATCH, legend_keys, map_layers
from .svg import map_svg

#: What each legend entry of the map (see :func:`pairing.report.layers.legend_keys`) shows before its words.
LEGEND_SWATCHES = {
    "legend:grouped": f'<span class="swatch" style="background:{GROUP_COLOURS[0]}"></span>',
    "legend:lead": "● ",
    "legend:group": '<span class="swatch" style="border:2px solid #1f1f1f"></span>',
    "legend:township": f'<span class="swatch" style="border:3px solid {TOWNSHIP_COLOUR}"></span>',
    "legend:point": "∘ ",
    "legend:ungrouped_weak": '<span class="swatch hatch"></span>',
    "legend:ungrouped": '<span class="swatch"></span>',
}

# -- the HTML report ---------------------------------------------------------------------------
CSS = f"""
body {{ font-family: {CSS_FONTS}; margin: 2em auto; max-width: 1100px; padding: 0 1em; color: #1f1f1f; line-height: 1.45; }}
h1 {{ font-size: 1.6em; margin-bottom: 0.2em; }}
h2 {{ border-bottom: 2px solid #ccc; padding-bottom: 0.2em; margin-top: 1.6em; }}
h3 {{ margin: 1.2em 0 0.2em; }}
table {{ border-collapse: collapse; margin: 0.5em 0 1em; font-size: 0.92em; }}
th, td {{ border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }}
th {{ background: #f0f0f0; }}
td.number {{ text-align: right; font-variant-numeric: tabular-nums; }}
table.summary th {{ width: 16em; }}
.weak {{ color: #b00020; }}
.status-OPTIMAL {{ color: #1b7f3b; font-weight: bold; }}
.status-FEASIBLE, .status-UNKNOWN {{ color: #9a6700; font-weight: bold; }}
.status-INFEASIBLE {{ color: #b00020; font-weight: bold; }}
.violations {{ border: 2px solid #b00020; background: #fff4f4; padding: 0.5em 1em; }}
.note {{ color: #555; }}
svg.map {{ width: 100%; height: auto; border: 1px solid #ddd; background: #fafafa; }}
.legend span {{ display: inline-block; margin-right: 1.4em; }}
.swatch {{ display: inline-block; width: 1.1em; height: 0.8em; border: 1px solid #888; vertical-align: middle; margin-right: 0.3em; }}
.hatch {{ background: repeating-linear-gradient(45deg, #fff 0 2px, {WEAK_HATCH} 2px 4px); }}
footer {{ margin-top: 3em; color: #666; font-size: 0.85em; }}
@page {{ size: A4; margin: 14mm; }}
@media print {{ body {{ margin: 0; max-width: none; }} h2 {{ break-after: avoid; }} tr, svg.map {{ break-inside: avoid; }} }}
"""


def html_page(title: str, body: str, lang: str = "en") -> str:
    """A whole HTML document around ``body``: inline styles, no external resource.

    Examples
    --------
    >>> page = html_page("方案", "<p>东村</p>", "zh")
    >>> page.startswith("<!DOCTYPE html>") and '<html lang="zh-CN">' in page and "http://" not in page
    True


    The characters the page uses are embedded as a small subset of the Chinese
    font (a ``data:`` URI, tens of KB), so that names render on a machine
    without Chinese fonts too; without such a font, the reader's fonts are used.
    """
    face = embedded_font_css(title + body)
    return (f'<!DOCTYPE html>\n<html lang="{"zh-CN" if lang == "zh" else "en"}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>{html.escape(title)}</title>\n'
            f"<style>{face}{CSS}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n")



def html_table(table: pd.DataFrame, numbers: Iterable[str] = (), raw: Iterable[str] = ()) -> str:
    """A table as HTML; ``numbers`` are right-aligned with thousands separators,
    ``raw`` columns hold HTML already escaped.

    Examples
    --------
    >>> html_table(pd.DataFrame({"村名": ["东村"], "人口": [1200], "实力": [0.43899999999999995]}), numbers=["人口"])
    '<table><thead><tr><th>村名</th><th>人口</th><th>实力</th></tr></thead><tbody><tr><td>东村</td><td class="number">1,200</td><td>0.439</td></tr></tbody></table>'
    """
    numbers, raw = set(numbers), set(raw)
    head = "".join(f"<th>{html.escape(str(column))}</th>" for column in table.columns)
    rows = []
    for values in table.itertuples(index=False):
        cells = []
        for column, value in zip(table.columns, values):
            shown = number_text(value) if isinstance(value, (int, float, np.number)) else value
            if column in numbers:
                cells.append(f'<td class="number">{html.escape(str(shown))}</td>')
            else:
                cells.append(f"<td>{shown if column in raw else html.escape('' if pd.isna(shown) else str(shown))}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def report_html(plan: Plan, lang: str = "en", *, provenance: dict | None = None,
                violations: Sequence[Violation] | None = None) -> str:
    """The plan as one self-contained HTML page that works offline.

    It holds the summary (solver status and what it proved, metrics, rules,
    checker verdict, input file and hash), any rule violations, the county map
    as inline SVG, a table of groups per township, and the ungrouped weak
    villages with the reason each is ungrouped. It references no URL: no
    script, style sheet, font or map tile is fetched.

    Parameters
    ----------
    plan : Plan
        Ideally with reasons for its ungrouped villages (see :func:`with_reasons`).
    lang : {"en", "zh"}
    provenance : dict, optional
        ``input``, ``input_sha256``, ``written``, ``pairing``: shown in the summary.
    violations : list of Violation, optional
        The checker's verdict; computed when not given.

    Examples
    --------
    >>> plan = Plan(path_county([500, 400, 300, 100], [3.0, 2, 1, 0], [False, True, True, True], names=['东村', '西村', '南村', '北村'], township='景芝镇'), Rules(), (Group("G001", ("a",), ("b", "c")),),
    ...             reasons={"d": "not_chosen: ..."})
    >>> page = report_html(plan, "zh")
    >>> "景芝镇" in page and "北村" in page and "http://" not in page and "https://" not in page
    True
    """
    violations = check(plan) if violations is None else list(violations)
    instance = plan.instance
    villages = village_table(plan)
    groups = group_table(plan)
    weak_ids = set(villages.loc[villages["weak"], "village_id"])
    names = dict(zip(villages["village_id"], villages["name"]))
    source = Path(instance.source).name or "pairing"
    parts = [f"<h1>{html.escape(label('title', lang))}: {html.escape(source)}</h1>",
             f'<p>{html.escape(label("status", lang))}: <span class="status-{html.escape(status_text(plan))}">{html.escape(status_text(plan, lang))}</span> '
             f"({html.escape(proof_text(plan, lang))})</p>"]
    if violations:
        items = "".join(f"<li>{html.escape(violation_text(violation, lang))}</li>" for violation in violations)
        parts.append(f'<div class="violations"><h2>{html.escape(label("violations", lang))} ({len(violations)})</h2><ul>{items}</ul></div>')
    rows = summary_rows(plan, lang, provenance=provenance, violations=violations)
    parts.append(f"<h2>{html.escape(label('summary', lang))}</h2>")
    parts.append('<table class="summary">' + "".join(f"<tr><th>{html.escape(key)}</th><td>{html.escape(value)}</td></tr>" for key, value in rows) + "</table>")

    parts.append(f"<h2>{html.escape(label('map', lang))}</h2>")
    svg = map_svg(plan, lang)
    if svg:
        legend = [f'<span>{LEGEND_SWATCHES[key]}{html.escape(label(key, lang))}</span>' for key in legend_keys(map_layers(plan))]
        parts.append(svg + f'<p class="legend">{"".join(legend)}</p>')
    else:
        parts.append(f'<p class="note">{html.escape(label("no_map", lang))}</p>')

    parts.append(f"<h2>{html.escape(label('by_township', lang))}</h2><p class=\"note\">{html.escape(label('weak_mark', lang))}</p>")
    marked = groups.assign(members=[_marked_names(group.members, names, weak_ids) for group in plan.groups],
                           lead_name=[_marked_names(group.leads, names, weak_ids) for group in plan.groups])
    shown = ["group_id", "lead_name", "members", "villages", "population", "weak_villages"]
    for township, rows_of_township in villages.groupby("township", sort=True):
        grouped = rows_of_township["role"] != "none"
        line = label("township_line", lang, groups=int((rows_of_township["role"] == "lead").sum()), grouped=int(grouped.sum()),
                     villages=len(rows_of_township), weak_grouped=int((grouped & rows_of_township["weak"]).sum()),
                     weak=int(rows_of_township["weak"].sum()))
        parts.append(f"<h3>{html.escape(str(township) or '—')}</h3><p class=\"note\">{html.escape(line)}</p>")
        here = marked[marked["township"].str.split("、").map(lambda names: str(township) in names)]
        if len(here):
            parts.append(html_table(localise(here[shown], lang), numbers=[label(c, lang) for c in ("villages", "population", "weak_villages")],
                                    raw=[label(c, lang) for c in ("members", "lead_name")]))
        else:
            parts.append(f'<p class="note">{html.escape(label("no_groups", lang))}</p>')

    ungrouped = ungrouped_table(plan)
    parts.append(f"<h2>{html.escape(label('ungrouped_weak', lang))}</h2>")
    columns = ["village_id", "name", "township", "population", "reason"]
    weak_ungrouped = ungrouped[ungrouped["weak"]]
    parts.append(html_table(localise(weak_ungrouped[columns], lang), numbers=[label("population", lang)]) if len(weak_ungrouped)
                 else f'<p class="note">{html.escape(label("none_left", lang))}</p>')
    other = ungrouped[~ungrouped["weak"]]
    if len(other):
        parts.append(f"<details><summary>{html.escape(label('ungrouped_other', lang, count=len(other)))}</summary>"
                     + html_table(localise(other[columns], lang), numbers=[label("population", lang)]) + "</details>")
    version = (provenance or {}).get("pairing", "")
    parts.append(f"<footer>{html.escape(label('footer', lang, version=version))}</footer>")
    return html_page(f"{label('title', lang)}: {source}", "\n".join(parts), lang)


def _marked_names(villages: Iterable[str], names: dict[str, str], weak: set[str]) -> str:
    """The villages' names joined by 、, escaped, the weak ones marked ▲ in the weak colour."""
    return "、".join(f'<span class="weak">▲{html.escape(names.get(village, village))}</span>' if village in weak
                    else html.escape(names.get(village, village)) for village in villages)
