"""Running a batch of counties on Dask: a ``LocalCluster`` on this machine by
default, or an existing cluster by its scheduler's address. The client reads
the counties, sends each worker a county's data, gets its plan and rendered
files back and writes them; a county that fails (bad data, locks that cannot hold, a
worker that dies, a solve that overruns) is recorded with its one-line error
and the others go on. A stop (Ctrl-C) ends the counties running within about a
second, keeping their best plans, and every county finished so far."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from ..deadline import StopLike
from ..errors import InputError
from ..id_pairs import read_renames
from ..outputs import OutputFolder
from ..read_plan import read_plan
from ..write import PLAN_FILES, parse_formats
from .counties import County, county_config, read_counties
from .province import COLUMNS, county_row, write_province
from .render import COUNTY_FILES
from .task import CountyResult, CountyTask, run_county

log = logging.getLogger(__name__)

#: What each county's folder gets by default: the map and the report of every
#: county would take longer than the solves (rebuild one with `pairing report`).
BATCH_FORMATS = ("csv", "json", "gpkg", "xlsx")
#: A county's default time limit: a second per this many villages, within the bounds below.
VILLAGES_PER_SECOND = 20
TIME_LIMIT_BOUNDS = (5.0, 60.0)


@dataclass(frozen=True)
class BatchProgress:
    """How far a batch has come, for a progress display."""

    counties: int
    done: int
    failed: int
    running: int
    villages: int
    villages_done: int
    elapsed: float


def batch(inputs: list[str | Path], out: str | Path, *, by: str | None = None, config: str | Path | None = None,
          configs: str | Path | None = None, previous: str | Path | None = None, renames: str | Path | None = None,
          time_limit: float | None = None, workers: int | None = None, threads: int | None = None,
          scheduler: str | None = None, client=None,
          resume: bool = False, formats=BATCH_FORMATS, lang: str = "en", stop: StopLike | None = None,
          progress: Callable[[BatchProgress], None] | None = None) -> pd.DataFrame:
    """Solve (or re-solve) every county of the inputs, writing ``out/<county>/``
    for each and the province's ``batch.csv``, ``batch.xlsx``, ``province.gpkg``
    and ``report.html``.

    Parameters
    ----------
    inputs : list of path
        One file per county, folders of them, or files holding many counties (with ``by``).
    out : path
        The batch's folder.
    by : str, optional
        The column that splits a file into counties (e.g. ``county_code``).
    config, configs : path, optional
        The batch's TOML config, and a folder of ``<county>.toml`` that override it county by county.
    previous : path, optional
        A previous batch's folder: each county with a plan there is re-solved against it
        (:func:`pairing.resolve`), the others solved fresh.
    renames : path, optional
        Old id -> new id for the re-solve (``old,new``).
    time_limit : float, optional
        Seconds per county; by default a second per :data:`VILLAGES_PER_SECOND` villages,
        within :data:`TIME_LIMIT_BOUNDS`.
    workers : int, optional
        Worker processes of the local cluster (default: one per core); each county's
        CP-SAT gets the cores left over.
    threads : int, optional
        CP-SAT threads per county instead (on a cluster's workers, default 1).
    scheduler : str, optional
        The address of an existing Dask scheduler (``tcp://host:8786``) instead of a local cluster.
    client : distributed.Client, optional
        An existing client (a notebook's) to run on.
    resume : bool
        Skip the counties whose outputs in ``out`` are complete, pass the checker and
        were made from the same data (by the digest in their ``summary.json``).
    formats, lang
        What each county's folder gets, as for :func:`pairing.write_plan`.
    stop : threading.Event or callable, optional
        Set it to stop: running counties end with their best plans, the others are not started.
    progress : callable, optional
        Called with a :class:`BatchProgress` as counties start and finish.

    Returns
    -------
    pandas.DataFrame
        One row per county (see :data:`pairing.batch.province.COLUMNS`); ``error``
        is empty for the counties that succeeded.
    """
    out, formats, started = Path(out), parse_formats(formats), time.perf_counter()
    counties = read_counties(inputs, by)
    renamed = read_renames(renames) if renames else {}
    rows: dict[str, dict] = {}
    tasks: list[CountyTask] = []
    for county in counties:
        mode = "re-solved" if previous is not None and (Path(previous) / county.key / "plan.csv").is_file() else "solved"
        done = finished(out / county.key, county, formats, mode) if resume else None
        if done is not None:
            rows[county.key] = done
            log.info("county %s: done already, skipped", county.key)
            continue
        try:
            tasks.append(CountyTask(county.key, county.table, county.source, county_config(config, configs, county.key),
                                    time_limit or county_time_limit(len(county.table)), 1,
                                    read_plan(Path(previous) / county.key / "plan.csv") if mode == "re-solved" else None, renamed,
                                    formats, lang, {"county": county.key, "mode": mode}))
        except InputError as error:
            rows[county.key] = county_row(county, None, mode, error=str(error))
    by_key = {county.key: county for county in counties}
    gathered: dict[str, CountyResult] = {}

    def finish(result: CountyResult, mode: str) -> None:
        county = by_key[result.key]
        if result.plan is not None:
            _write_county(out / county.key, result.files)
            gathered[result.key] = replace(result, files={})
        rows[result.key] = county_row(county, result, mode)
        log.info("county %s %s: %s", county.key, mode, result.error or f"{result.plan.status} in {result.seconds:.1f} s")

    total_villages = sum(len(county.table) for county in counties)
    done_villages = sum(len(by_key[key].table) for key in rows)

    def report(running: int) -> None:
        if progress is not None:
            failed = sum(1 for row in rows.values() if row["error"])
            progress(BatchProgress(len(counties), len(rows) - failed, failed, running, total_villages,
                                   sum(len(by_key[key].table) for key in rows), time.perf_counter() - started))

    report(0)
    if tasks:
        with _client(client, scheduler, workers) as (dask, cores):
            modes = {task.key: "re-solved" if task.previous is not None else "solved" for task in tasks}
            for result in _run(dask, [replace(task, workers=threads or cores) for task in tasks], stop, report):
                finish(result, modes[result.key])
    log.info("%s counties, %s villages, %.0f s", len(rows), f"{done_villages:,}", time.perf_counter() - started)
    table = pd.DataFrame([rows[county.key] for county in counties if county.key in rows], columns=COLUMNS)
    write_province(out, table, gathered, lang)
    return table


def county_time_limit(villages: int) -> float:
    """A county's default time limit, by its size.

    Examples
    --------
    >>> county_time_limit(60), county_time_limit(864), county_time_limit(5000)
    (5.0, 43.2, 60.0)
    """
    low, high = TIME_LIMIT_BOUNDS
    return min(high, max(low, villages / VILLAGES_PER_SECOND))


def finished(folder: Path, county: County, formats, mode: str) -> dict | None:
    """The county's row when its folder holds a complete, valid plan of the same
    data and mode (a resumed batch skips it), else None."""
    try:
        summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    record = summary.get("batch", {})
    wanted = {PLAN_FILES[name] for name in formats} - {"summary.json"}
    if (record.get("input_digest") != county.digest or record.get("mode") != mode or not summary.get("check", {}).get("valid")
            or not wanted <= set(summary.get("files", {}).get("written", {})) or not all((folder / name).is_file() for name in wanted)):
        return None
    return county_row(county, None, mode, summary=summary)


def _write_county(folder: Path, files: dict[str, bytes]) -> None:
    """A county's outputs, as its worker rendered them, written as one set."""
    with OutputFolder(folder, COUNTY_FILES) as output:
        for name, content in files.items():
            output.write(name, lambda path, content=content: path.write_bytes(content))


@contextlib.contextmanager
def _client(client, scheduler: str | None, workers: int | None) -> Iterator[tuple[object, int]]:
    """A Dask client and the CP-SAT threads each county gets: the caller's client,
    one to a scheduler's address, or a local cluster of worker processes (one
    thread each, so that CP-SAT's threads and the processes share out the cores)."""
    import dask
    from distributed import Client, LocalCluster

    if client is not None:
        yield client, 1
        return
    if scheduler is not None:
        try:
            remote = Client(scheduler, timeout="10s")
        except OSError as error:
            raise InputError(f"cannot reach the Dask scheduler ({error})", fix="start it (dask scheduler) or check the address",
                             column="--scheduler") from None
        with remote:
            yield remote, 1
        return
    cores = os.cpu_count() or 1
    processes = max(1, workers or cores)
    # A county whose worker dies is recorded as failed, not retried elsewhere
    # (a county that kills its worker would kill the next one too).
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        with LocalCluster(n_workers=processes, threads_per_worker=1, processes=True, dashboard_address=None,
                          silence_logs=logging.ERROR) as cluster, Client(cluster) as local:
            yield local, max(1, cores // processes)


def _run(dask, tasks: list[CountyTask], stop: StopLike | None, report: Callable[[int], None]) -> Iterator[CountyResult]:
    """The tasks' results as they come, the largest counties submitted first. A
    stop sets a cluster-wide event that the running counties look at, and cancels
    the ones not started."""
    from distributed import Event, wait

    event_name = f"pairing-stop-{uuid.uuid4().hex}"
    futures = {dask.submit(run_on_worker, task, event_name, key=f"county-{task.key}-{uuid.uuid4().hex[:8]}", pure=False): task
               for task in tasks}
    pending, stopping = set(futures), False
    asked = stop.is_set if isinstance(stop, threading.Event) else stop or (lambda: False)
    while pending:
        running = {key for keys in dask.processing().values() for key in keys}
        report(sum(1 for future in pending if future.key in running))
        try:
            done, pending = wait(pending, timeout=0.5, return_when="FIRST_COMPLETED")
        except TimeoutError:  # none finished in the half second: look at the stop again
            done = set()
        for future in done:
            yield _result(future, futures[future])
        if not stopping and asked():
            stopping = True
            Event(event_name, client=dask).set()
            running = {key for keys in dask.processing().values() for key in keys}
            queued = [future for future in pending if future.key not in running]
            log.info("stopping: %s counties running end with their best plans", len(pending) - len(queued))
            dask.cancel(queued)
    report(0)


def _result(future, task: CountyTask) -> CountyResult:
    """A finished future's result; a cancelled one, or one whose worker died, as an error."""
    if future.cancelled():
        return CountyResult(task.key, error="not started: the batch was stopped")
    try:
        return replace(future.result(), received=time.time())
    except Exception as error:  # the worker died (KilledWorker), or Dask failed: recorded, and the batch goes on
        name = type(error).__name__
        why = "the worker solving it died" if name == "KilledWorker" else f"{name}: {error}".replace("\n", " ")
        return CountyResult(task.key, error=why)


def run_on_worker(task: CountyTask, event_name: str) -> CountyResult:
    """:func:`run_county` on a Dask worker, stopped by the batch's event (asked at most once a second)."""
    import resource

    from distributed import Event, get_worker

    worker = get_worker()
    # Bound to the worker's client here: the solve asks from a thread of its own.
    event, asked = Event(event_name, client=worker.client), [0.0, False]

    def stopped() -> bool:
        if not asked[1] and time.monotonic() - asked[0] >= 1.0:
            asked[0], asked[1] = time.monotonic(), event.is_set()
        return asked[1]

    result = run_county(task, stopped)
    return replace(result, worker=worker.address, peak_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1))
