"""A plan's deliverables: ``plan.csv``, ``summary.json``, ``plan.gpkg``,
``plan.xlsx``, ``report.html`` and ``map.png``, written as one set (see
:mod:`pairing.outputs`), the quick ones first and the map last."""

from __future__ import annotations

import functools
import json
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from .check import check
from .deadline import Deadline
from .diagnose import with_reasons
from .errors import InputError
from .files import file_sha256, write_text, write_villages, write_workbook
from .labels import check_lang, label, localise
from .outputs import OutputFolder
from .plan import Plan
from .resolve import Revision
from .report.html import report_html
from .report.layers import group_shapes
from .report.png import map_png
from .tables import group_table, summary_rows, ungrouped_table, village_table, violation_text
from .version import VERSION


#: What :func:`write_plan` can write: format -> file name, in the order written.
PLAN_FILES = {"csv": "plan.csv", "json": "summary.json", "gpkg": "plan.gpkg", "xlsx": "plan.xlsx", "html": "report.html", "png": "map.png"}


def parse_formats(formats: str | Iterable[str]) -> tuple[str, ...]:
    """Output formats from ``"csv,json,..."`` or a sequence, checked, in writing order.

    Examples
    --------
    >>> parse_formats("png, csv")
    ('csv', 'png')
    """
    names = [name.strip().lower() for name in (formats.split(",") if isinstance(formats, str) else formats) if name.strip()]
    unknown = [name for name in names if name not in PLAN_FILES]
    if unknown or not names:
        raise InputError(f"unknown output format {unknown[0] if unknown else '(none)'}", fix=f"choose among {','.join(PLAN_FILES)}", column="--format")
    return tuple(name for name in PLAN_FILES if name in names)


@dataclass(frozen=True)
class _Deliverable:
    """What every writer of :func:`write_plan` may need, computed once."""

    lang: str
    extra: dict
    provenance: dict
    violations: tuple


def write_plan(plan: Plan, out_dir: str | Path, extra: dict | None = None, *,
               formats: str | Iterable[str] = ("csv", "json"), lang: str = "en", violations=None,
               deadline: Deadline | None = None) -> list[Path]:
    """Write a plan's deliverables into ``out_dir`` as one set (see
    :class:`pairing.outputs.OutputFolder`): all of them or, when anything
    fails, none, and no file of an earlier run's plan is left beside them.

    - ``csv``: ``plan.csv``, one row per village (UTF-8 with BOM so that Excel
      shows Chinese names);
    - ``json``: ``summary.json``, the solve's account, the metrics, and which
      files were written and how long each took (written last);
    - ``gpkg``: ``plan.gpkg`` for QGIS, layer ``villages`` (every input attribute
      plus ``group_id, role, lead_id, lead_name, reason``) and layer ``groups``
      (one feature per group: the union of its villages, or the convex hull of
      its points, with lead, members, size, population, weak count, township);
    - ``xlsx``: ``plan.xlsx``, sheets groups, villages, ungrouped (with reasons)
      and summary (rules, solver status and proof, date, input file and SHA-256);
    - ``html``: ``report.html``, the self-contained offline report with the map;
    - ``png``: ``map.png``, the printable map.

    ``gpkg`` and ``png`` need geometry: without it they are skipped with a
    warning. Ungrouped villages get their reasons computed when the plan lacks
    them (a plan read from a file).

    Parameters
    ----------
    plan : Plan
        The plan.
    out_dir : str or pathlib.Path
        Created when missing.
    extra : dict, optional
        More entries for ``summary.json`` (e.g. the checker's verdict).
    formats : str or iterable of str
        Any of ``csv, json, gpkg, xlsx, html, png`` (a comma-separated string or
        a sequence); ``csv`` and ``json`` by default.
    lang : {"en", "zh"}
        Language of the headers and labels of the xlsx, html and png.
    violations : list of Violation, optional
        The checker's verdict, when already known.
    deadline : Deadline, optional
        A file still being written when it passes is skipped (and so are the
        files after it), except ``summary.json``, which says so.

    Returns
    -------
    list of pathlib.Path
        The files written.

    Examples
    --------
    >>> import tempfile, networkx as nx
    >>> from pairing.plan import Group
    >>> plan = Plan(path_county([500, 400, 300], weak=[False, True, True], names=['A', 'B', 'C']), Rules(), (Group("g1", ("a",), ("b", "c")),))
    >>> [path.name for path in write_plan(plan, tempfile.mkdtemp())]
    ['plan.csv', 'summary.json']
    >>> [path.name for path in write_plan(plan, tempfile.mkdtemp(), formats="xlsx,html", lang="zh")]
    ['plan.xlsx', 'report.html']
    """
    formats = parse_formats(formats)
    with OutputFolder(out_dir, owned=PLAN_FILES.values()) as output:
        write_plan_into(output, plan, extra, formats=formats, lang=lang, violations=violations, deadline=deadline)
    return [Path(out_dir) / PLAN_FILES[name] for name in formats if PLAN_FILES[name] in output.written]


def write_plan_into(output: OutputFolder, plan: Plan, extra: dict | None = None, *, formats: Iterable[str] = ("csv", "json"),
                    lang: str = "en", violations=None, deadline: Deadline | None = None, folder: str = "") -> None:
    """Write a plan's deliverables (see :func:`write_plan`) into an open output
    set, under ``folder`` within it: the fast files first, the map last, and
    ``summary.json`` after them all, with what was written and skipped."""
    formats = parse_formats(formats)
    check_lang(lang)  # before anything is written
    plan = with_reasons(plan)
    if violations is None and {"xlsx", "html"} & set(formats):
        violations = check(plan)
    deliverable = _Deliverable(lang, extra or {}, plan_provenance(plan), tuple(violations or ()))
    for name in sorted((name for name in formats if name != "json"), key=WRITING_ORDER.index):
        # The plan itself is never skipped: a solve that overran its share by a
        # fraction of a second must not lose the plan it found.
        output.write(f"{folder}/{PLAN_FILES[name]}".lstrip("/"), functools.partial(_WRITERS[name], plan, deliverable=deliverable),
                     None if name == "csv" else deadline)
    if "json" in formats:
        def account(path: Path) -> None:
            files = {"written": {Path(name).name: seconds for name, seconds in output.written.items() if name.startswith(folder)},
                     "skipped": {Path(name).name: why for name, why in output.skipped.items() if name.startswith(folder)}}
            _write_json(plan, path, replace(deliverable, extra={**deliverable.extra, "files": files}))

        output.write(f"{folder}/{PLAN_FILES['json']}".lstrip("/"), account)


#: What a re-solve writes beside the plan's files.
REVISION_FILES = ("changes.csv", "group_changes.csv")


def write_solved_into(output: OutputFolder, plan: Plan, *, revision: Revision | None = None, extra: dict | None = None,
                      formats: Iterable[str] = ("csv", "json"), lang: str = "en", deadline: Deadline | None = None,
                      violations: list | None = None) -> list:
    """Check a plan that a solve (or, with ``revision``, a re-solve) made and
    write it into an open output set, with the checker's verdict in
    ``summary.json``; a plan whose locks cannot hold gets ``summary.json`` alone.
    Returns the violations (none, but for a bug); ``violations`` when the
    caller checked the plan already.

    Examples
    --------
    >>> import tempfile
    >>> from pairing.outputs import OutputFolder
    >>> plan = Plan(path_county([500, 400, 300], weak=[False, True, True]), Rules(), (Group("G001", ("a",), ("b", "c")),),
    ...             status="OPTIMAL")
    >>> with OutputFolder(tempfile.mkdtemp(), PLAN_FILES.values()) as output:
    ...     write_solved_into(output, plan)
    []
    >>> sorted(output.written)
    ['plan.csv', 'summary.json']
    """
    if violations is None:
        violations = [] if plan.status in ("INFEASIBLE", "UNKNOWN") and not plan.groups else check(plan)
    account = {"check": {"valid": not violations, "violations": [str(v) for v in violations]}, **(extra or {})}
    if plan.status == "INFEASIBLE":
        write_plan_into(output, plan, account, formats=["json"])
        return violations
    if revision is not None:
        account["revision"] = revision.summary()
        output.write(REVISION_FILES[0], lambda path: write_villages(revision.changes, path), deadline)
        output.write(REVISION_FILES[1], lambda path: write_villages(revision.groups, path), deadline)
    write_plan_into(output, plan, account, formats=formats, lang=lang, violations=violations, deadline=deadline)
    return violations


#: The order plan files are written in: the quick ones first, the map last.
WRITING_ORDER = ("csv", "gpkg", "xlsx", "html", "png", "json")
#: Seconds per village each format takes to write, measured on generated 10,000
#: villages (2 cores): what a command keeps for writing out of its time limit.
WRITING_SECONDS_PER_VILLAGE = {"csv": 1e-5, "json": 1e-5, "gpkg": 6e-5, "xlsx": 3.5e-4, "html": 2e-4, "png": 4e-4}


def writing_estimate(villages: int, formats: Iterable[str]) -> float:
    """About how many seconds writing ``formats`` of a plan of ``villages`` takes.

    Examples
    --------
    >>> round(writing_estimate(10_000, ["csv", "json"]), 2)
    0.7
    """
    return 0.5 + villages * sum(WRITING_SECONDS_PER_VILLAGE[name] for name in parse_formats(formats))


def plan_provenance(plan: Plan) -> dict[str, str]:
    """Where a plan's outputs come from: ``input`` file, its ``input_sha256``
    (empty when it is not a file), the ``written`` time and the ``pairing`` version.

    Examples
    --------
    >>> sorted(plan_provenance(Plan(path_county(), Rules(), ())))
    ['input', 'input_sha256', 'pairing', 'written']
    """
    source = Path(plan.instance.source) if plan.instance.source else None
    return {"input": str(source or ""), "input_sha256": file_sha256(source) if source and source.is_file() else "",
            "written": datetime.now().astimezone().isoformat(timespec="seconds"), "pairing": VERSION}


def _write_csv(plan: Plan, path: Path, deliverable: _Deliverable) -> Path:
    table = plan.assignment()
    for column in ("population", "weak", "strength"):
        table[column] = plan.instance.villages[column].to_numpy()
    return write_villages(table, path)


def _write_json(plan: Plan, path: Path, deliverable: _Deliverable) -> Path:
    summary = {**plan.summary(), **deliverable.extra}
    return write_text(path, json.dumps(summary, ensure_ascii=False, indent=2, default=json_value) + "\n")


def _write_gpkg(plan: Plan, path: Path, deliverable: _Deliverable) -> Path | None:
    geometry = plan.instance.geometry
    if geometry is None:
        warnings.warn(f"{path.name} not written: the input has no geometry", UserWarning, stacklevel=3)
        return None
    villages = gpd.GeoDataFrame(village_table(plan), geometry=_one_kind(geometry.to_numpy()), crs=geometry.crs)
    groups = gpd.GeoDataFrame(group_table(plan), geometry=_one_kind(group_shapes(plan)), crs=geometry.crs)
    # GeoPackage 1.2: what the GDAL of older QGIS installs (e.g. 3.6) reads without a warning.
    villages.to_file(path, layer="villages", driver="GPKG", VERSION="1.2")
    # A layer's geometry type must be known even when there is no group.
    groups.to_file(path, layer="groups", driver="GPKG", mode="a", geometry_type="MultiPolygon" if groups.empty else None)
    return path


def _one_kind(shapes) -> list:
    """Polygons and multipolygons mixed become all multipolygons: one geometry
    type per layer, as GIS software expects."""
    shapes = list(shapes)
    if any(shape is not None and shape.geom_type == "MultiPolygon" for shape in shapes):
        return [shapely.MultiPolygon([shape]) if shape is not None and shape.geom_type == "Polygon" else shape for shape in shapes]
    return shapes


def _write_xlsx(plan: Plan, path: Path, deliverable: _Deliverable) -> Path:
    """The workbook for the county office, set up to print on A4 (see
    :func:`pairing.files.write_workbook`): the group id (the village id on the
    other sheets) frozen and repeated on every printed page."""
    lang = deliverable.lang
    summary = summary_rows(plan, lang, provenance=deliverable.provenance, violations=deliverable.violations)
    summary += [(label("violations", lang), violation_text(violation, lang)) for violation in deliverable.violations]
    sheets = {
        label("sheet:groups", lang): localise(group_table(plan), lang),
        label("sheet:villages", lang): localise(village_table(plan), lang),
        label("sheet:ungrouped", lang): localise(ungrouped_table(plan), lang),
        label("sheet:summary", lang): pd.DataFrame(summary, columns=[label("item", lang), label("value", lang)]),
    }
    source = Path(plan.instance.source).name if plan.instance.source else ""
    return write_workbook(path, sheets, header=f"{label('title', lang)}: {source}" if source else label("title", lang),
                          footer=label("page_of", lang))


def _write_html(plan: Plan, path: Path, deliverable: _Deliverable) -> Path:
    return write_text(path, report_html(plan, deliverable.lang, provenance=deliverable.provenance, violations=deliverable.violations))


def _write_png(plan: Plan, path: Path, deliverable: _Deliverable) -> Path | None:
    if plan.instance.geometry is None:
        warnings.warn(f"{path.name} not written: the input has no geometry", UserWarning, stacklevel=3)
        return None
    path.write_bytes(map_png(plan, deliverable.lang))
    return path


_WRITERS = {"csv": _write_csv, "json": _write_json, "gpkg": _write_gpkg, "xlsx": _write_xlsx, "html": _write_html, "png": _write_png}


def json_value(value: object) -> object:
    """numpy scalars and anything else json does not know."""
    return value.item() if hasattr(value, "item") else str(value)
