"""One county's work, as a Dask worker does it: build the instance from the
county's table, solve it (or re-solve it against its previous plan), render its
files and layers, and send them back. Nothing here touches the batch's folder:
a worker need share no file system with the client, which writes every output."""

from __future__ import annotations

import threading
import time
import traceback
from dataclasses import dataclass, field

import pandas as pd

from ..config import Config
from ..deadline import StopLike
from ..errors import InputError
from ..model.constraints import check_lock_ids
from ..plan import Plan
from ..read import instance_from_table
from ..resolve import Revision, resolve
from ..solve import solve
from .counties import table_digest
from .render import CountyLayers, county_layers, render_files

#: A solve that has not returned this long after its time limit is given up
#: (a bug): the county is recorded as failed and the worker goes on.
OVERRUN_SECONDS = 60.0


@dataclass(frozen=True)
class CountyTask:
    """What a worker needs for one county: its table and config, the previous
    plan and renames when re-solving, the solver's time and threads, and the
    files to render (``formats``, ``lang``, and ``record``: what the county's
    ``summary.json`` keeps under ``batch``, with the table's digest and the
    solve's seconds added)."""

    key: str
    table: pd.DataFrame = field(repr=False)
    source: str
    config: Config
    time_limit: float
    workers: int
    previous: Plan | None = field(default=None, repr=False)
    renames: dict[str, str] = field(default_factory=dict, repr=False)
    formats: tuple[str, ...] = ()
    lang: str = "en"
    record: dict = field(default_factory=dict)


@dataclass(frozen=True)
class CountyResult:
    """What came back: the plan (and the revision when re-solving), its files
    (name -> content) and layers, or the one-line error; when the solve ran on
    the worker (``time.time()``)."""

    key: str
    plan: Plan | None = field(default=None, repr=False)
    revision: Revision | None = field(default=None, repr=False)
    error: str = ""
    started: float = 0.0
    ended: float = 0.0
    files: dict[str, bytes] = field(default_factory=dict, repr=False)
    layers: CountyLayers | None = field(default=None, repr=False)
    #: When its files were rendered, where it ran (a worker's address), its
    #: process's peak memory so far (MB), and when the client had it back
    #: (``time.time()``): for the benchmarks.
    rendered: float = 0.0
    worker: str = ""
    peak_mb: float = 0.0
    received: float = 0.0

    @property
    def seconds(self) -> float:
        return self.ended - self.started


def run_county(task: CountyTask, stop: StopLike | None = None) -> CountyResult:
    """Solve (or re-solve) one county; any error becomes the result's one line.

    Examples
    --------
    >>> county = path_county([500, 400, 300], weak=[False, True, True], x=[0, 1000, 2000], y=0)
    >>> task = CountyTask("370000", county.villages, "example", Config(), time_limit=5, workers=1, formats=("csv", "json"))
    >>> result = run_county(task)
    >>> result.error, result.plan.status, len(result.plan.groups), sorted(result.files)
    ('', 'OPTIMAL', 1, ['plan.csv', 'summary.json'])
    """
    started = time.time()
    try:
        outcome = _bounded(task, stop)
        ended = time.time()
        plan, revision = (outcome.plan, outcome) if isinstance(outcome, Revision) else (outcome, None)
        record = {"batch": {**task.record, "input_digest": table_digest(task.table), "seconds": round(ended - started, 3)}}
        files = render_files(plan, revision, formats=task.formats, lang=task.lang, extra=record) if task.formats else {}
        layers = county_layers(plan)
    except InputError as error:
        return CountyResult(task.key, error=str(error).replace("\n", " "), started=started, ended=time.time())
    except Exception as error:  # a bug in pairing: recorded, and the batch goes on
        where = traceback.extract_tb(error.__traceback__)[-1]
        return CountyResult(task.key, error=f"{type(error).__name__}: {error} (at {where.filename}:{where.lineno}; please report it)",
                            started=started, ended=time.time())
    return CountyResult(task.key, plan, revision, started=started, ended=ended, files=files, layers=layers, rendered=time.time())


def _bounded(task: CountyTask, stop: StopLike | None) -> Plan | Revision:
    """The county's solve, in a thread given :data:`OVERRUN_SECONDS` past its
    time limit: one that overruns (a bug) is stopped and reported, rather than
    holding the worker."""
    halt = threading.Event()
    asked = stop.is_set if isinstance(stop, threading.Event) else stop or (lambda: False)
    outcome: dict = {}

    def work() -> None:
        try:
            outcome["value"] = _solve(task, lambda: halt.is_set() or bool(asked()))
        except BaseException as error:  # raised in the caller's thread below
            outcome["error"] = error

    worker = threading.Thread(target=work, name=f"pairing-county-{task.key}", daemon=True)
    worker.start()
    worker.join(task.time_limit + OVERRUN_SECONDS)
    if worker.is_alive():
        halt.set()
        worker.join(5.0)
        if worker.is_alive():
            raise InputError(f"the solve overran its time limit of {task.time_limit:g} s by {OVERRUN_SECONDS:g} s",
                             fix="give it more time (--time-limit), or report it")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def _solve(task: CountyTask, stop) -> Plan | Revision:
    config = task.config
    instance = instance_from_table(task.table, config, source=task.source)
    try:
        check_lock_ids(instance, config.locks)
    except InputError as error:
        raise error.in_file(task.source) from None
    params = config.solver.with_overrides(time_limit=task.time_limit, workers=task.workers)
    if task.previous is None:
        return solve(instance, config.rules, locks=config.locks, weights=config.objective, params=params, stop=stop)
    return resolve(instance, task.previous, config.rules, renames=task.renames, locks=config.locks, weights=config.objective,
                   params=params, stop=stop)
