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
from collections.abc import Callable, Sequence

import numpy as np
from ortools.sat.python import cp_model

from ..deadline import Deadline
from .candidates import Candidates
from .constraints import RequiredLocks
from .packing import PackingModel

#: Longest search in one window.
WINDOW_SECONDS = 1.0


def improve_in_windows(candidates: Candidates, xy: np.ndarray, weak: np.ndarray, coefficients: np.ndarray,
                       selection: Sequence[int], new_solver: Callable[[], cp_model.CpSolver], deadline: Deadline,
                       lanes: int, cell_villages: int, locks: RequiredLocks = RequiredLocks()) -> tuple[int, ...]:
    """A selection of ``candidates`` at least as good as ``selection`` under
    ``coefficients`` (maximised), with every weak village it groups still grouped
    and every lock it keeps still kept.

    Sweeps the windows (cells of about ``cell_villages`` villages, see
    :attr:`pairing.rules.SolverParams.window_villages`) until ``deadline``, or
    until a whole round of sweeps changes nothing; ``lanes`` windows at a time,
    each with a solver from ``new_solver``.
    """
    selection = tuple(selection)
    padded = candidates.padded()
    present = padded >= 0
    rows = np.unique(padded[present])
    if len(rows) <= 2 * cell_villages or xy is None:
        return selection
    low, high = xy[rows].min(axis=0), xy[rows].max(axis=0)
    side = math.sqrt(max(float(np.prod(high - low)), 1.0) * cell_villages / len(rows))
    cell = np.zeros((len(xy), 2), dtype=np.int64)
    cell[rows] = np.floor((xy[rows] - low) / side).astype(np.int64)
    # Each candidate's span of cells, per axis.
    spans = [(np.where(present, cell[padded.clip(0), axis], np.iinfo(np.int64).max).min(axis=1),
              np.where(present, cell[padded.clip(0), axis], -1).max(axis=1)) for axis in (0, 1)]
    chosen = np.zeros(len(candidates), dtype=bool)
    chosen[list(selection)] = True
    locks_of = locks.by_candidate()
    sweeps = [(axis, offset) for axis in (0, 1) for offset in (0, 1)]
    quiet = 0
    while quiet < len(sweeps) and not deadline.over():
        axis, offset = sweeps[0]
        sweeps.append(sweeps.pop(0))
        windows = _windows(spans, axis, offset)

        def solve_window(inside: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
            if deadline.over():
                return None
            current = inside[chosen[inside]]
            staying = chosen.copy()
            staying[current] = False
            fixed = np.zeros(len(xy), dtype=bool)
            fixed[padded[staying][present[staying]]] = True
            free = inside[~(fixed[padded[inside].clip(0)] & present[inside]).any(axis=1)]
            if len(free) <= len(current):
                return None
            window_locks = locks.subset(free.tolist())
            freed = sorted({lock for c in current for lock in locks_of.get(int(c), ())})
            model = PackingModel(candidates.subset(free.tolist()), len(xy))
            window_locks.add_to(model.model, model.chosen, only=freed)
            model.hold_cover(sorted({row for c in current for row in candidates.groups[c] if weak[row]}))
            position = {int(c): k for k, c in enumerate(free)}
            stage = model.optimise(new_solver(), "window", coefficients[free], maximise=True,
                                   hint=tuple(position[int(c)] for c in current), deadline=deadline.sooner(WINDOW_SECONDS))
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
