"""``pairing.assign``: read the inputs that are paths, build the problem, solve it."""

from __future__ import annotations

from pathlib import Path

from ..config import Config
from ..deadline import Deadline, StopLike
from ..instance import Instance
from ..plan import Plan
from ..read import read_villages
from ..read_plan import read_plan
from .helpers import read_helpers, read_previous, read_units
from .model import solve_assignment
from .needs import village_needs
from .problem import Assignment, AssignProblem, Helper, Unit
from .settings import AssignSettings
from .targets import build_problem


def assignment_problem(villages: Instance | str | Path, helpers: tuple[Helper, ...] | str | Path, *,
                       units: tuple[Unit, ...] | str | Path | None = None, plan: Plan | str | Path | None = None,
                       previous: dict[str, str] | str | Path | None = None, config: str | Path | None = None,
                       settings: AssignSettings | None = None) -> AssignProblem:
    """The problem :func:`assign` solves, every input read and checked (paths are read, objects used as they are)."""
    settings = settings or AssignSettings.from_toml(config)
    village_config = Config.from_toml(config) if config is not None else Config()
    instance = villages if isinstance(villages, Instance) else read_villages(villages, village_config)
    if units is not None and not isinstance(units, tuple):
        units = read_units(units, settings)
    units = units or ()
    if not isinstance(helpers, tuple):
        helpers = read_helpers(helpers, instance, settings, units)
    if plan is not None and not isinstance(plan, Plan):
        plan = read_plan(plan, instance, village_config.rules)
    if previous is not None and not isinstance(previous, dict):
        previous = read_previous(previous)
    return build_problem(instance, village_needs(instance, settings), helpers, settings, units=units, plan=plan, previous=previous)


def assign(villages: Instance | str | Path, helpers: tuple[Helper, ...] | str | Path, *, units: tuple[Unit, ...] | str | Path | None = None,
           plan: Plan | str | Path | None = None, previous: dict[str, str] | str | Path | None = None, config: str | Path | None = None,
           settings: AssignSettings | None = None, time_limit: float | None = None, workers: int | None = None, seed: int | None = None,
           stop: StopLike | None = None) -> Assignment:
    """Send helpers to the villages (or, with ``plan``, the groups) that need them.

    Parameters
    ----------
    villages : Instance, str or pathlib.Path
        The village table (read with ``config``), with a needs column or
        ``[assign.derive]`` rules in the config.
    helpers : tuple of Helper, str or pathlib.Path
        The helpers table (CSV/XLSX).
    units : tuple of Unit, str or pathlib.Path, optional
        The units table: their skills, capacity and villages.
    plan : Plan, str or pathlib.Path, optional
        A grouping plan: first secretaries go to its groups, resident cadres to
        the villages in need in them.
    previous : dict, str or pathlib.Path, optional
        Last year's assignment (helper -> village or group, or its
        ``assignment.csv``); else the helpers table's ``previous`` column.
    config : str or pathlib.Path, optional
        The TOML config: its ``[assign]`` sections, and the village table's.
    settings : AssignSettings, optional
        Instead of the config's ``[assign]``.
    time_limit, workers, seed : optional
        Override the config's ``[solver]``.
    stop : threading.Event or callable, optional
        Set (or returning True) to end the search with the best found so far.

    Returns
    -------
    Assignment

    Examples
    --------
    >>> county = path_county(villages=3, weak=[False, True, True], x=[0.0, 1000.0, 2000.0], y=0.0, needs=["", "income", "industry"])
    >>> helpers = (Helper("H1", "Li", "U1", "resident_cadre", ("income", "industry"), (0.0, 0.0)),)
    >>> result = assign(county, helpers, settings=AssignSettings.from_dict({"per_village": {"resident_cadre": 1}}))
    >>> result.status, [(p.helper_id, p.target_id, p.need) for p in result.postings]
    ('OPTIMAL', [('H1', 'b', 'income')])
    """
    problem = assignment_problem(villages, helpers, units=units, plan=plan, previous=previous, config=config, settings=settings)
    params = (Config.from_toml(config) if config is not None else Config()).solver.with_overrides(time_limit=time_limit, workers=workers,
                                                                                                   seed=seed)
    return solve_assignment(problem, params, Deadline.after(params.time_limit, stop))
