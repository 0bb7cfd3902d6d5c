"""Improve a plan one window of the map at a time (large-neighbourhood search).

CP-SAT's own neighbourhoods are generic and slow on a county-wide model of
hundreds of thousands of candidates. Here the map is cut into a grid of cells of
about :data:`CELL_VILLAGES` villages; a *window* is two neighbouring cells. In a
window, every group of the plan that lies wholly inside it is free, every other
group stays, and the candidates wholly inside the window that avoid the staying
groups are re-optimised exactly. The windows of one sweep (all horizontal pairs
starting at even columns, then odd columns, then the vertical pairs likewise) are
disjoint, so they are solved side by side and their improvements combine.
"""

from __future__ import annotations

import concurrent.futures
import math
import threading
import time
from typing import Callable

import numpy as np
from ortools.sat.python import cp_model

from .candidates import Candidates
from .packing import PackingModel

#: Villages per grid cell. Generated 3,000 villages across townships, 24 s of
#: windows: 30 villages a cell took the plan from 2,435 villages grouped to 2,961,
#: 40 to 2,956, 60 to 2,917 (fewer windows finished), 20 to 2,946.
CELL_VILLAGES = 30
#: Longest search in one window.
WINDOW_SECONDS = 1.0


def improve_in_windows(candidates: Candidates, xy: np.ndarray, weak: np.ndarray, coefficients: np.ndarray,
                       selection: tuple[int, ...], new_solver: Callable[[], cp_model.CpSolver], deadline: float,
                       lanes: int, interrupted: threading.Event) -> tuple[int, ...]:
    """A selection of ``candidates`` at least as good as ``selection`` under
    ``coefficients`` (maximised), with every weak village it groups still grouped.

    Sweeps the windows until ``deadline``, until a whole round of sweeps changes
    nothing, or until ``interrupted``; ``lanes`` windows at a time, each with a
    solver from ``new_solver``.
    """
    padded = candidates.padded()
    present = padded >= 0
    rows = np.unique(padded[present])
    if len(rows) <= 2 * CELL_VILLAGES:
        return selection
    low, high = xy[rows].min(axis=0), xy[rows].max(axis=0)
    side = math.sqrt(max(float(np.prod(high - low)), 1.0) * CELL_VILLAGES / len(rows))
    cell = np.zeros((len(xy), 2), dtype=np.int64)
    cell[rows] = np.floor((xy[rows] - low) / side).astype(np.int64)
    # Each candidate's span of cells, per axis.
    spans = [(np.where(present, cell[padded.clip(0), axis], np.iinfo(np.int64).max).min(axis=1),
              np.where(present, cell[padded.clip(0), axis], -1).max(axis=1)) for axis in (0, 1)]
    chosen = np.zeros(len(candidates), dtype=bool)
    chosen[list(selection)] = True
    sweeps = [(axis, offset) for axis in (0, 1) for offset in (0, 1)]
    quiet = 0
    while quiet < len(sweeps) and time.perf_counter() < deadline and not interrupted.is_set():
        axis, offset = sweeps[0]
        sweeps.append(sweeps.pop(0))
        windows = _windows(spans, axis, offset)

        def solve_window(inside: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
            if time.perf_counter() >= deadline or interrupted.is_set():
                return None
            current = inside[chosen[inside]]
            staying = chosen.copy()
            staying[current] = False
            fixed = np.zeros(len(xy), dtype=bool)
            fixed[padded[staying][present[staying]]] = True
            free = inside[~(fixed[padded[inside].clip(0)] & present[inside]).any(axis=1)]
            if len(free) <= len(current):
                return None
            model = PackingModel(candidates.subset(free.tolist()), len(xy))
            model.hold_cover(sorted({row for c in current for row in candidates.groups[c] if weak[row]}))
            position = {int(c): k for k, c in enumerate(free)}
            stage = model.optimise(new_solver(), "window", coefficients[free], maximise=True,
                                   hint=tuple(position[int(c)] for c in current),
                                   time_limit=min(WINDOW_SECONDS, deadline - time.perf_counter()))
            if stage.selection is None or stage.value <= int(coefficients[current].sum()):
                return None
            return current, free[list(stage.selection)]

        with concurrent.futures.ThreadPoolExecutor(lanes, thread_name_prefix="pairing-window") as pool:
            changes = [change for change in pool.map(solve_window, windows) if change is not None]
        for before, after in changes:
            chosen[before] = False
            chosen[after] = True
        quiet = 0 if changes else quiet + 1
    return tuple(int(c) for c in np.flatnonzero(chosen))


def _windows(spans, axis: int, offset: int) -> list[np.ndarray]:
    """The candidates inside each window of one sweep (as index arrays): two cells
    along ``axis`` starting at columns (or rows) of parity ``offset``."""
    (first_low, first_high), (other_low, other_high) = spans[axis], spans[1 - axis]
    start = first_low - ((first_low - offset) % 2)
    fits = np.flatnonzero((other_low == other_high) & (first_high <= start + 1))
    keys = np.stack([start[fits], other_low[fits]], axis=1)
    order = np.lexsort((keys[:, 1], keys[:, 0]))
    keys, fits = keys[order], fits[order]
    breaks = np.flatnonzero((np.diff(keys, axis=0) != 0).any(axis=1)) + 1
    return np.split(fits, breaks) if len(fits) else []
