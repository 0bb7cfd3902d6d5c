"""The search of one block of candidates, in named steps: the start plan, the
weak level, the later levels (windows, then the merged search over the whole
block). Each step may be ended by the deadline or the caller's stop; the block
keeps the best plan found so far, and every plan it keeps holds the locks."""

from __future__ import annotations

import itertools
import logging
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from .deadline import Deadline, Stopped
from .instance import Instance
from .model.bounds import Relaxation, lp_bound
from .model.candidates import Candidates
from .model.constraints import RequiredLocks
from .model.cpsat import cp_sat_solver, overridden
from .model.greedy import greedy_selection
from .model.highs import HighsPacking, fits_highs
from .model.merged import MergedLevels, plan_value_range
from .model.packing import Held, PackingModel, StageResult
from .model.restricted import UNSETTLED, search_over_lp
from .model.windows import improve_in_windows
from .objective import Level
from .rules import SolverParams

log = logging.getLogger(__name__)

#: Share of a large block's time its windows get before the merged search over
#: the whole block.
WINDOWS_SHARE = 0.4
#: Share of a block's time left its weak level may take when maximised; what it
#: does not prove, the merged search of every level goes on with. A clustered
#: 3,000-village county across townships, 60 s (weak / villages grouped, the
#: bounds 1,182 / 2,755): 0.8 1,150 / 2,247; 0.5 1,142 / 2,301; none (the merged
#: search alone, without the presolve) 1,124 / 2,335. Weak villages come first.
WEAK_SHARE = 0.8
#: Share of a block's time the weak level's LP may take (it ends sooner when it
#: reaches the optimum: 0.01-0.3 s at 200-5,000 candidates, 1 s at 70,000). A
#: 1,016-village county on one worker, 40 s: 0.1 weak villages grouped 615,
#: 0.03 554 (the LPs of its 5,000-candidate townships cut short).
LP_SHARE = 0.1
#: Share of a block's time HiGHS may take for the first two levels.
HIGHS_SHARE = 0.5
#: Blocks of at least this many candidates log their steps.
LOGGED_BLOCK = 5_000


@dataclass(frozen=True)
class SearchSpace:
    """What every block's search reads: the county, the parameters, the usable
    candidates (no lock forbids them) with the locks over them and the objective
    levels, and the candidates to start from (a previous plan's groups)."""

    instance: Instance
    params: SolverParams
    candidates: Candidates
    locks: RequiredLocks
    levels: tuple[Level, ...]
    preferred: frozenset[int] = frozenset()
    #: Whether HiGHS searches the first two levels (see SolverParams.backend).
    highs: bool = False


@dataclass
class BlockOutcome:
    """What a block's search ended with: its plan (candidate positions of the
    search space), the levels it reached, whether its plan keeps the locks, and
    each level's trivial bound over the block."""

    selection: tuple[int, ...]
    stages: list[StageResult]
    keeps_locks: bool
    trivial: dict[str, int]


class BlockSearch:
    """The search of one block, in named steps: :meth:`start`, :meth:`weak_level`,
    :meth:`later_levels` (each with :meth:`windows` on large blocks). ``best`` is
    the block's best plan so far, as positions in the block's candidates."""

    def __init__(self, space: SearchSpace, block: list[int], workers: int, deadline: Deadline,
                 earlier: BlockOutcome | None = None):
        self.space, self.block, self.workers, self.deadline, self.earlier = space, block, workers, deadline, earlier
        self.instance, self.params = space.instance, space.params
        self.candidates = space.candidates.subset(block)
        self.locks = space.locks.within(block)
        self.levels = [level.restricted(block) for level in space.levels]
        self.solver = cp_sat_solver(self.params, workers)
        self.large = len(block) >= self.params.windows_from
        self.whole = len(block) <= self.params.windows_only_from
        self.stages: list[StageResult] = []
        self.best: tuple[int, ...] = ()
        self.keeps_locks = not self.locks
        self._full: PackingModel | None = None
        self._full_held = 0

    def run(self) -> BlockOutcome:
        try:
            self.start()
            if held := self.resumed():
                self.later_levels(held, first=len(held))
                return self.outcome()
            hold = self.first_levels_in_highs() if self.space.highs and len(self.levels) > 2 else None
            if hold is not None:
                self.later_levels([hold], first=2)
                return self.outcome()
            hold = self.weak_level()
            # A weak level not proven in its share still leaves the later levels
            # their time: a block searched whole searches them with it, merged (a
            # 3,000-village county whose weak level took the whole minute left
            # villages grouped at 2,148 where one merged search reaches 2,409); a
            # block searched by windows alone goes on, as windows never ungroup a
            # weak village.
            if hold is not None or (self.stages and self.keeps_locks):
                self.later_levels([] if hold is None else [hold])
        except Stopped:
            pass
        return self.outcome()

    def outcome(self) -> BlockOutcome:
        if not self.stages:
            self.stages.append(StageResult(self.levels[0].name, "UNKNOWN", None, None, 0.0, self.best))
        return BlockOutcome(tuple(self.block[k] for k in self.best), self.stages, self.keeps_locks, self.trivial_bounds())

    def adopt(self, selection: Sequence[int], coefficients: np.ndarray | None = None) -> None:
        """Make ``selection`` the best plan when it keeps the locks and, if the best
        already does, is no worse under ``coefficients``."""
        selection = tuple(sorted(selection))
        if not self.locks.kept_by(selection):
            return
        if self.keeps_locks and coefficients is not None and coefficients[list(selection)].sum() < coefficients[list(self.best)].sum():
            return
        self.best, self.keeps_locks = selection, True

    def start(self) -> None:
        """The earlier pass's plan over the block, or the previous plan's groups that
        are still candidates (re-solving), then a greedy plan that takes each
        lock's best candidate first."""
        preferred = self.space.preferred if self.earlier is None else frozenset(self.earlier.selection)
        first = [k for k, c in enumerate(self.block) if c in preferred]
        self.best = greedy_selection(self.candidates, self.instance.n, self.locks, first)
        self.keeps_locks = self.locks.kept_by(self.best)

    def resumed(self) -> list[Held]:
        """The levels an earlier pass over the block proved, held at its values,
        with its plan as the best one and their stages kept: a further pass goes
        on from the first level not proven (a 578-village county's township: its
        weak level searched again for 1.2 s of the 10.7 s the pass had)."""
        earlier = self.earlier
        if earlier is None or not earlier.keeps_locks:
            return []
        proven = list(itertools.takewhile(lambda stage: stage.status == "OPTIMAL", earlier.stages[:len(self.levels) - 1]))
        if not proven:
            return []
        local = {c: k for k, c in enumerate(self.block)}
        self.best, self.keeps_locks, self.stages = tuple(sorted(local[c] for c in earlier.selection)), True, proven
        coverable = sorted({row for rows in self.candidates.groups for row in rows if self.instance.weak[row]})
        return [self.held(level, self.best, coverable if k == 0 else ()) for k, level in enumerate(self.levels[:len(proven)])]

    def held(self, level: Level, selection: Sequence[int], coverable: Sequence[int] = ()) -> Held:
        """``level`` held at its value in ``selection``, a plan proven optimal on it:
        as an exact cover when that plan groups all of ``coverable`` (the weak
        villages some candidate holds, for the weak level)."""
        coefficients = level.sign * level.coefficients
        value = int(coefficients[list(selection)].sum())
        if coverable and value == len(coverable):
            return Held(coefficients, value, tuple(coverable))
        return Held(coefficients, value)

    def first_levels_in_highs(self) -> Held | None:
        """The first two levels merged, searched by HiGHS; returns them to hold
        once proven, else None (its plan, if it keeps the locks,
        is then where CP-SAT's levels start from)."""
        (merged, *_) = MergedLevels.merge(self.candidates, self.instance.n, [(l.name, l.coefficients, l.maximise) for l in self.levels[:2]])
        if len(merged.names) < 2 or not fits_highs(merged.coefficients):
            return None
        self.note("HiGHS: %s", "+".join(merged.names))
        stage = HighsPacking(self.candidates, self.instance.n, self.locks, self.workers).maximise(
            "+".join(merged.names), merged.coefficients, deadline=self.deadline.sooner(self.deadline.remaining() * HIGHS_SHARE))
        if stage.selection is None:
            return None
        self.adopt(stage.selection, merged.coefficients)
        if stage.status != "OPTIMAL" or tuple(sorted(stage.selection)) != self.best:
            return None
        self.record(merged.split(stage, self.best))
        return Held(merged.coefficients, stage.value)

    def weak_level(self) -> Held | None:
        """Weak villages grouped; returns the level to hold once it is proven, else None.

        Only weak villages count here, so candidates that contain a smaller one
        with the same weak villages can go (about half), unless a lock needs them.
        The level's LP relaxation comes first (column generation, see
        :func:`pairing.model.bounds.lp_bound`). Where it is the number of weak
        villages some group can cover (every connected benchmark), the
        exact-cover question comes next: settled in 0.2-0.9 s at 864 villages and
        0.7 s at 3,000, where maximising took 13-23 s at 864. Where the LP says
        all cannot be grouped (the star rule, many province counties) the
        question is not asked; otherwise, when it is not settled, it costs an
        eighth of the time. The level is then maximised, its bound the LP's where
        tighter, with CP-SAT's presolve, the one search it speeds up
        (generated 10,000 villages, star rule, largest block: 3.8 s with, 28 s
        without). A block too large to search whole keeps the windows' plan for
        this level, unproven, when the question is not settled."""
        level, n = self.levels[0], self.instance.n
        keep = sorted(set(self.candidates.useful_for_weak(self.instance.weak, self.deadline)) | set(self.locks.candidates))
        pruned, locks = self.candidates.subset(keep), self.locks.subset(keep)
        position = {c: k for k, c in enumerate(keep)}
        hint = tuple(position[c] for c in self.best if c in position)
        started = time.perf_counter()
        if self.large and self.keeps_locks:
            # Generated 10,000 villages: the question is not settled in 30 s from the
            # greedy plan; windows first bring the plan close to covering them all.
            hint = self.windows(pruned, locks, pruned.weak, hint, share=1 / 8)
            self.adopt(self.completed([keep[k] for k in hint]), level.coefficients)
        coverable = sorted({row for rows in pruned.groups for row in rows if self.instance.weak[row]})
        relaxed = lp_bound(pruned, pruned.weak, self.deadline.remaining() * LP_SHARE, start=hint)
        bound = relaxed.whole if relaxed.optimal else len(coverable)
        # The LP proves a plan that reaches it, and says when the exact-cover
        # question cannot be answered "yes" (it is then not asked).
        stage = None
        if relaxed.optimal and self.keeps_locks and int(pruned.weak[list(hint)].sum()) >= bound:
            stage = StageResult(level.name, "OPTIMAL", bound, bound, time.perf_counter() - started, hint, bound_from="LP")
        elif bound >= len(coverable):
            self.note("weak level: can all %s coverable weak villages be grouped?", f"{len(coverable):,}")
            stage = PackingModel(pruned, n, locks, self.deadline).cover_every(
                self.solver, level.name, coverable, hint=hint, deadline=self.deadline.sooner(self.deadline.remaining() / (8 if self.whole else 4)))
        if stage is None and not self.whole and self.keeps_locks:
            stage = StageResult(level.name, "FEASIBLE", int(pruned.weak[list(hint)].sum()), None, time.perf_counter() - started, hint)
        elif stage is None:
            self.deadline.check()
            self.note("weak level: maximising")
            with overridden(self.solver, cp_model_presolve=True):
                stage = self.maximise(pruned, locks, level.name, pruned.weak, [], hint, relaxed,
                                      self.deadline.sooner(self.deadline.remaining() * WEAK_SHARE))
        if relaxed.optimal and stage.value is not None and (stage.bound is None or bound < stage.bound):
            stage = replace(stage, bound=bound, bound_from="LP", status="OPTIMAL" if stage.value >= bound else stage.status)
        if stage.selection is not None:
            self.adopt(self.completed([keep[k] for k in stage.selection]), level.coefficients)
        self.stages.append(replace(stage, selection=self.best))
        return self.held(level, self.best, coverable) if stage.status == "OPTIMAL" else None

    def later_levels(self, held: list[Held], first: int = 1) -> None:
        """The levels after weak villages grouped, merged into one objective (one
        search instead of one per level, and nothing lost between them, see
        :class:`MergedLevels`), each merged search held once proven. Large blocks
        are improved window by window first; a block too large to search whole
        keeps the windows' plan, and the trivial bounds.

        With the weak level not proven (nothing ``held``), a block searched whole
        searches it again, merged with the others: its stage is then the merged
        search's, with the tighter of the two bounds."""
        again = not held and self.whole
        later = self.levels if again else self.levels[first:]
        held = list(held)
        specs = {l.name: (l.name, l.coefficients, l.maximise) for l in later}
        searches = deque(MergedLevels.merge(self.candidates, self.instance.n, list(specs.values())))
        while searches:
            merged = searches.popleft()
            self.deadline.check()
            coefficients, started, name = merged.coefficients, time.perf_counter(), "+".join(merged.names)
            # Windows weigh only the levels they are given: never after levels HiGHS held.
            windowed = self.large and self.keeps_locks and len(merged.names) == len(later) and first == 1
            if windowed:
                self.adopt(self.windows(self.candidates, self.locks, coefficients, self.best,
                                        share=WINDOWS_SHARE if self.whole else 1.0), coefficients)
            # What the windows did, should nothing more be done.
            so_far = StageResult(name, "FEASIBLE", int(coefficients[list(self.best)].sum()), None, time.perf_counter() - started, self.best)
            if not self.whole:
                self.record(merged.split(so_far, self.best))
                return
            self.note("searching %s", name)
            try:
                relaxed = lp_bound(self.candidates, coefficients, self.deadline.remaining() * LP_SHARE,
                                   at_least=[(level.coefficients, level.value) for level in held], start=self.best)
                stage = self.maximise(self.candidates, self.locks, name, coefficients, held, self.best, relaxed, self.deadline,
                                      whole=lambda: self.full_model(held), settle=len(merged.names) == 1)
            except Stopped:
                if windowed:
                    self.record(merged.split(so_far, self.best))
                raise
            if stage.selection is not None:
                self.adopt(stage.selection, coefficients)
            if stage.status == UNSETTLED:
                # The merged LP is loose where its first level's own is tight (a
                # 202-village county: villages grouped proven in 0.2 s alone, not
                # in 3 s merged with distance): the levels one by one.
                searches.extendleft(reversed(MergedLevels.merge(self.candidates, self.instance.n,
                                                                [specs[name] for name in merged.names], limit=1)))
                continue
            split = merged.split(stage, self.best)
            self.record(split)
            if len(split) < len(merged.names) or split[-1].status != "OPTIMAL":
                return
            held.append(Held(coefficients, stage.value))

    def maximise(self, candidates: Candidates, locks: RequiredLocks, objective: str, coefficients: np.ndarray, held: list[Held],
                 hint: Sequence[int], relaxed: Relaxation, deadline: Deadline,
                 whole: Callable[[], PackingModel] | None = None, settle: bool = True) -> StageResult:
        """One level (or merged levels) maximised over ``candidates`` with ``held``
        kept: over the candidates the LP points to when ``relaxed`` is the LP's
        optimum and ``hint`` keeps the locks (see :mod:`pairing.model.restricted`),
        else over all of them (``whole`` builds that model, if given). ``settle``:
        see :func:`pairing.model.restricted.search_over_lp`."""

        def model_of(positions: Sequence[int] | None) -> PackingModel:
            if positions is None and whole is not None:
                return whole()
            model = PackingModel(candidates if positions is None else candidates.subset(positions), self.instance.n,
                                 locks if positions is None else locks.subset(positions), self.deadline)
            for level in held:
                level.on(model, positions)
            return model

        if relaxed.optimal and locks.kept_by(hint):
            return search_over_lp(model_of, self.solver, objective, coefficients, relaxed, hint, deadline,
                                  keep=locks.candidates, settle=settle)
        return model_of(None).optimise(self.solver, objective, coefficients, maximise=True, hint=hint, deadline=deadline)

    def record(self, stages: list[StageResult]) -> None:
        """Add a merged search's stages; one for a level already recorded (the weak
        level, searched again) replaces it, with the tighter bound of the two."""
        for stage in stages:
            index = next((k for k, done in enumerate(self.stages) if done.objective == stage.objective), None)
            if index is None:
                self.stages.append(stage)
                continue
            earlier = self.stages[index]
            if stage.bound is None or (earlier.bound is not None and earlier.bound < stage.bound):
                stage = replace(stage, bound=earlier.bound)
            if stage.bound is not None and stage.value is not None and stage.value >= stage.bound:
                stage = replace(stage, status="OPTIMAL")
            self.stages[index] = replace(stage, seconds=earlier.seconds + stage.seconds)

    def full_model(self, held: list[Held]) -> PackingModel:
        """The block's whole model with its locks and ``held`` (a list that only
        grows), built when a search first needs it: at 10,000 villages it and the
        weak level's own model would not both fit in 2 GB."""
        if self._full is None:
            self.note("building the model of %s candidates", f"{len(self.candidates):,}")
            self._full, self._full_held = PackingModel(self.candidates, self.instance.n, self.locks, self.deadline), 0
        for level in held[self._full_held:]:
            level.on(self._full)
        self._full_held = len(held)
        return self._full

    def note(self, message: str, *values) -> None:
        """Log a step of this block (large blocks only: a county has hundreds of small ones)."""
        if len(self.block) >= LOGGED_BLOCK:
            log.info(f"block of %s candidates: {message}", f"{len(self.block):,}", *values)

    def windows(self, candidates: Candidates, locks: RequiredLocks, coefficients: np.ndarray, selection: Sequence[int],
                share: float) -> tuple[int, ...]:
        """``selection`` improved window by window for ``share`` of the time left."""
        self.note("improving the plan window by window")
        return improve_in_windows(candidates, self.instance.xy, self.instance.weak, coefficients, selection,
                                  lambda: cp_sat_solver(self.params, 1), self.deadline.sooner(self.deadline.remaining() * share),
                                  self.workers, self.params.window_villages, locks)

    def completed(self, selection: list[int]) -> list[int]:
        """``selection`` with the best plan's groups on the villages it leaves free: a
        better start for the next levels than the bare selection (and disjoint
        additions never break a lock)."""
        used = {row for c in selection for row in self.candidates.groups[c]}
        return selection + [c for c in self.best if not used & set(self.candidates.groups[c])]

    def trivial_bounds(self) -> dict[str, int]:
        """For a level the block never proved: every village (or weak village) its
        candidates cover, no group and no distance at all, the least cost any plan could have,
        and (stability) every candidate that would raise the level chosen at once."""
        covered = list({row for rows in self.candidates.groups for row in rows})
        bounds = {"weak_grouped": int(self.instance.weak[covered].sum()), "villages_grouped": len(covered), "groups": 0, "distance": 0}
        for level in self.levels:
            if level.name == "stability":
                bounds["stability"] = int(np.clip(level.coefficients, 0, None).sum())
            elif level.name == "cost":
                rows = np.fromiter((row for rows in self.candidates.groups for row in rows), dtype=np.int64,
                                   count=int(self.candidates.size.sum()))
                bounds["cost"] = min(0, plan_value_range(self.candidates, self.instance.n, rows, level.coefficients)[0])
        return bounds
