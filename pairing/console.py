"""The words a command prints: its summary (rules, status and what it proved,
metrics, each objective level, the checker's verdict, the files and the time),
in the report's language, with units, and tables without float noise."""

from __future__ import annotations

import time

from .labels import LABELS, label
from .tables import violation_text


def words(key: str, lang: str, **values) -> str:
    """A console text of :data:`pairing.labels.LABELS` (``console:<key>``)."""
    return label(f"console:{key}", lang, **values)


def known(key: str) -> bool:
    return f"console:{key}" in LABELS


def percent(share: float) -> str:
    """A share as a percentage, with the digits that matter.

    Examples
    --------
    >>> percent(0.0007), percent(0.054), percent(0.2149), percent(0.0)
    ('0.07%', '5.4%', '21%', '0%')
    """
    if share == 0:
        return "0%"
    return f"{share:.2%}" if share < 0.01 else f"{share:.1%}" if share < 0.1 else f"{share:.0%}"


def amount(value, unit: str, lang: str = "en") -> str:
    """A value of an objective level in its unit: metres from 1 km as km.

    Examples
    --------
    >>> amount(1198803, "m"), amount(850, "m"), amount(431, "weak villages"), amount(1198803, "m", "zh")
    ('1,198.8 km', '850 m', '431 weak villages', '1,198.8 公里')
    >>> amount(12.5, "km"), amount(7, "hops"), amount(3.25, "villages grouped - stability x villages changed")
    ('12.5 km', '7 hops', '3.25')
    """
    if value is None:
        return "-"
    if unit == "m" and abs(value) >= 1000:
        return words("km", lang, value=value / 1000)
    if known(unit):
        return words(unit, lang, value=value)
    return f"{value:,}" if isinstance(value, int) else f"{value:,.4g}" if abs(value) < 1000 else f"{value:,.1f}"


def level_name(name: str, lang: str) -> str:
    """An objective level in words (the names of levels searched together joined)."""
    return " + ".join(words(f"level:{part}", lang) if known(f"level:{part}") else part for part in name.split("+"))


def stage_status(status: str, lang: str) -> str:
    return words(f"stage:{status}", lang) if known(f"stage:{status}") else status


def header_lines(title: str, instance, lang: str = "en") -> list[str]:
    """The first lines of a command's summary, printed as soon as the data are
    read: the command and its input, then the data."""
    return [f"{title} {instance.source}",
            "  " + words("data", lang, villages=instance.n, townships=len(set(instance.township)),
                         edges=instance.graph.number_of_edges())]


def summary_text(plan, violations, output, command, lang: str = "en") -> str:
    """The rest of a solve's summary, after its header: the rules, the status and
    what it proved, the metrics, each objective level, the checker's verdict, the
    files and the time."""
    rules = plan.rules
    enumeration = plan.stages[0] if plan.stages else {}
    lines = ["  " + words("rules", lang, size=f"{rules.group_size[0]}-{rules.group_size[1]}",
                          people=f"{rules.group_population[0]:,}-{rules.group_population[1]:,}",
                          contiguity=words(rules.contiguity, lang) if known(rules.contiguity) else rules.contiguity,
                          township=words("same_township" if rules.same_township else "across_townships", lang),
                          candidates=enumeration.get("candidates", 0))]
    if enumeration.get("note"):
        lines.append("  " + words("note", lang, note=enumeration["note"]))
    signals = " and ".join(command.stops.received) or words("a_stop", lang)
    lines.append("  " + words("status", lang, status=plan.status, proof=proof_text(plan, lang),
                              stopped=words("stopped", lang, signals=signals) if plan.stopped else "",
                              seconds=plan.solve_seconds, seed=plan.seed, workers=plan.workers))
    lines.append(metrics_line(plan.metrics(), lang))
    lines += stage_lines(plan, lang)
    if plan.conflicts:
        lines.append("  " + words("conflicts", lang))
        lines += [f"    {conflict}" for conflict in plan.conflicts]
    elif plan.groups or plan.status != "UNKNOWN":
        lines.append("  " + (words("checker_ok", lang) if not violations else words("checker_bad", lang, count=len(violations))))
        lines += [f"    {violation_text(violation, lang)}" for violation in violations]
    lines.append(written_line(output, lang))
    lines.append(time_line(command, lang))
    return "\n".join(lines)


def proof_text(plan, lang: str = "en") -> str:
    """What the solver proved, for the status line: for a plan not proven, the gap
    of the first level not proven and the state of every level after it, so
    the headline never reads better than the plan is."""
    stages = [stage for stage in plan.stages[1:] if "value" in stage]
    if plan.status == "UNKNOWN":
        detail = plan.stages[-1].get("detail", "no plan was found") if plan.stages else "no plan was found"
        return words("proof:UNKNOWN", lang, detail=detail)
    if plan.status != "FEASIBLE":
        return words(f"proof:{plan.status}", lang) if known(f"proof:{plan.status}") else plan.status
    unproven = [stage for stage in stages if stage["status"] != "OPTIMAL"]
    if not unproven:
        return words("proof:FEASIBLE", lang)
    first, *later = unproven
    gap = plan.gap if plan.gap is not None else first.get("gap")
    parts = [words("proof:gap", lang, gap=percent(gap or 0.0), level=level_name(first["objective"], lang)) if gap is not None
             else words("proof:FEASIBLE", lang)]
    for stage in later:
        if stage["status"] == "NOT_REACHED":
            parts.append(words("proof:not_reached", lang, level=level_name(stage["objective"], lang)))
        else:
            parts.append(words("proof:later", lang, level=level_name(stage["objective"], lang), gap=percent(stage.get("gap") or 0.0)))
    return ("; " if lang == "en" else "；").join(parts)


def stage_lines(plan, lang: str = "en") -> list[str]:
    """One line per objective level: its value and bound in its unit, its status,
    and its seconds (said once for levels searched together; summed over the
    blocks, which can exceed the solve's wall time when blocks run side by side,
    and then says so)."""
    rows, searched = [], None
    for stage in plan.stages[1:]:
        name = level_name(stage["objective"], lang)
        if "value" not in stage:
            rows.append((name, stage_status(stage["status"], lang), stage.get("detail", "")))
            continue
        unit = stage.get("unit", "")
        value = amount(stage["value"], unit, lang)
        if stage["objective"] == "stability" and stage.get("villages_changed") is not None:
            value += f" ({words('villages_changed', lang, count=stage['villages_changed'])})"
        bound = "" if stage["bound"] in (None, stage["value"]) else words("bound", lang, bound=amount(stage["bound"], unit, lang))
        if stage.get("search") and stage.get("search") == searched:
            seconds = words("same_search", lang)
        else:
            seconds = label("seconds", lang, value=stage["seconds"])
            if stage["seconds"] > plan.solve_seconds + 0.05:
                seconds = words("summed", lang, seconds=seconds)
        searched = stage.get("search")
        rows.append((name, value + bound, stage_status(stage["status"], lang), seconds))
    widths = [max((display_width(row[k]) for row in rows if len(row) > k + 1), default=0) for k in range(3)]
    return ["    " + "  ".join([*(pad(cell, width) for cell, width in zip(row[:-1], widths)), row[-1]]).rstrip() for row in rows]


def display_width(text: str) -> int:
    """Columns ``text`` takes on a terminal: Chinese characters take two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def pad(text: str, width: int) -> str:
    """``text`` padded to ``width`` terminal columns.

    Examples
    --------
    >>> pad("总距离", 8) + "|", pad("distance", 10) + "|"
    ('总距离  |', 'distance  |')
    """
    return text + " " * max(0, width - display_width(text))


def metrics_line(metrics: dict, lang: str = "en") -> str:
    return "  " + words("metrics", lang, groups=metrics["groups"], grouped=metrics["villages_grouped"], villages=metrics["villages"],
                        weak_grouped=metrics["weak_grouped"], weak=metrics["weak"], people=metrics["population_grouped"])


def written_line(output, lang: str = "en") -> str:
    files = ", ".join(str(path) for path in output.committed) or words("nothing", lang)
    lines = "  " + words("wrote", lang, files=files)
    if output.skipped:
        skipped = ", ".join(f"{name} ({words(f'why:{why}', lang) if known(f'why:{why}') else why})" for name, why in output.skipped.items())
        lines += "\n  " + words("skipped", lang, files=skipped)
        if any(why == "time limit" for why in output.skipped.values()):
            lines += words("skip_hint", lang)
    return lines


def time_line(command, lang: str = "en") -> str:
    total = time.perf_counter() - command.started
    parts = ("，" if lang == "zh" else ", ").join(words("lap", lang, phase=words(f"phase:{name}", lang) if known(f"phase:{name}") else name, seconds=seconds)
                      for name, seconds in command.timing.items())
    limit = words("limit", lang, limit=command.time_limit) if command.time_limit else ""
    return "  " + words("time", lang, total=total, limit=limit, parts=parts)


def table_text(table, lang: str = "en", shares=(), km=()) -> str:
    """A table the command prints: its columns named in ``lang``, whole numbers
    with thousands separators, ``shares`` as percentages, ``km`` (metres) in km,
    and no float noise anywhere (0.43899999999999995 is 43.9%, 1198.8029999 is
    1,198.8).

    Examples
    --------
    >>> import pandas as pd
    >>> print(table_text(pd.DataFrame({"plan": ["alt-1"], "distance": [1198803], "differs_from_first": [0.43899999999999995]}),
    ...                  shares=["differs_from_first"], km=["distance"]))
     plan distance (km) differs from first
    alt-1       1,198.8              43.9%
    """
    import pandas as pd

    def cell(column, value) -> str:
        if value is None or (isinstance(value, float) and pd.isna(value)):
            return "-"
        if column in shares:
            return f"{100 * value:.1f}%"
        if column in km:
            return f"{value / 1000:,.1f}"
        if isinstance(value, bool) or not isinstance(value, (int, float)) and not hasattr(value, "dtype"):
            return str(value)
        if float(value).is_integer():
            return f"{int(value):,}"
        return f"{float(value):,.4g}" if abs(value) < 1000 else f"{float(value):,.1f}"

    shown = pd.DataFrame({column: [cell(column, value) for value in table[column].tolist()] for column in table.columns})

    def heading(column: str) -> str:
        name = words(f"column:{column}", lang) if known(f"column:{column}") else column
        return words("column:km", lang, name=name) if column in km else name

    return shown.rename(columns={column: heading(column) for column in table.columns}).to_string(index=False)
