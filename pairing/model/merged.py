"""Consecutive objective levels merged into one weighted objective, exactly
lexicographic, and split back into one stage per level."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from ..errors import InputError
from .candidates import Candidates
from .packing import StageResult


#: CP-SAT's LP works in doubles, exact on whole numbers up to 2**53: a level whose
#: values span more is refused.
EXACT_RANGE = 2**53
#: Levels are merged into one weighted objective only while every value it can
#: take stays below this (lower it to search the levels one at a time).
MERGE_RANGE = EXACT_RANGE


@dataclass(frozen=True)
class MergedLevels:
    """Consecutive objective levels as one weighted sum that CP-SAT maximises:
    each level's value, oriented so that more is better and shifted to start at
    0, times a weight larger than every value the levels below it can add up to.
    The sum's optimum is then the levels' lexicographic optimum, found in one
    search instead of one per level (Anqiu, 12 township blocks: villages and
    distance levels 38 s apart, 13 s merged).

    Built by :meth:`merge`; :meth:`split` turns the merged stage back into one
    stage per level, each with its own value and a bound derived from the merged
    bound.
    """

    names: tuple[str, ...]
    oriented: tuple[np.ndarray, ...]
    maximise: tuple[bool, ...]
    lows: tuple[int, ...]
    weights: tuple[int, ...]

    @classmethod
    def merge(cls, candidates: Candidates, n: int, levels: list[tuple[str, np.ndarray, bool]], *,
              limit: int | None = None) -> list["MergedLevels"]:
        """``levels`` (name, coefficients per candidate, maximise) grouped into as
        few merged objectives as ``limit`` (default :data:`MERGE_RANGE`) allows, in
        order; ``limit=1`` leaves each level on its own."""
        limit = MERGE_RANGE if limit is None else limit
        merged: list[MergedLevels] = []
        group: list[tuple[str, np.ndarray, bool, int, int]] = []
        rows = np.fromiter((row for rows in candidates.groups for row in rows), dtype=np.int64, count=int(candidates.size.sum()))
        for name, coefficients, maximise in levels:
            oriented = np.asarray(coefficients, dtype=np.int64) * (1 if maximise else -1)
            low, high = plan_value_range(candidates, n, rows, oriented)
            if high - low + 1 > EXACT_RANGE:
                raise InputError(f"the objective level {name} spans {high - low + 1:,} values, more than 2^53, beyond which "
                                 "the solver's arithmetic is not exact", fix="use smaller weights", column="[objective]")
            if group and math.prod(h - lo + 1 for *_, lo, h in group) * (high - low + 1) > limit:
                merged.append(cls._of(group))
                group = []
            group.append((name, oriented, maximise, low, high))
        if group:
            merged.append(cls._of(group))
        return merged

    @classmethod
    def _of(cls, group) -> "MergedLevels":
        weights, weight = [], 1
        for *_, low, high in reversed(group):
            weights.append(weight)
            weight *= high - low + 1
        return cls(tuple(g[0] for g in group), tuple(g[1] for g in group), tuple(g[2] for g in group),
                   tuple(g[3] for g in group), tuple(reversed(weights)))

    @property
    def coefficients(self) -> np.ndarray:
        return sum(weight * oriented for weight, oriented in zip(self.weights, self.oriented))

    def split(self, stage: "StageResult", selection: tuple[int, ...]) -> list["StageResult"]:
        """One stage per level from the merged ``stage``: a level is proven when the
        levels before it are and its value reaches the bound the merged bound
        leaves for it. The levels after the first one not proven keep their
        values (the search optimised them too) but have no bound from it."""
        stages = []
        rest = None if stage.bound is None else stage.bound - sum(w * lo for w, lo in zip(self.weights, self.lows))
        for name, oriented, maximise, low, weight in zip(self.names, self.oriented, self.maximise, self.lows, self.weights):
            value = int(oriented[list(selection)].sum())
            bound = None if rest is None else low + rest // weight
            proven = stage.status == "OPTIMAL" or (bound is not None and value >= bound)
            stages.append(replace(stage, objective=name, search=stage.objective, status="OPTIMAL" if proven else stage.status,
                                  value=value if maximise else -value,
                                  bound=(value if proven else bound) if bound is None or maximise else -(value if proven else bound)))
            # A level not proven leaves the levels after it no share of the merged bound.
            rest = (rest - (value - low) * weight) if proven and rest is not None else None
            if stage.status not in ("OPTIMAL", "FEASIBLE"):
                break
        return stages


def plan_value_range(candidates: Candidates, n: int, rows: np.ndarray, coefficients: np.ndarray) -> tuple[int, int]:
    """Bounds on ``coefficients`` summed over any packing: a chosen group's
    coefficient spread over its villages, and each village in one group at most.
    ``rows`` are the candidates' rows, one group after another."""
    share = coefficients / candidates.size
    shares = np.repeat(share, candidates.size)
    most, least = np.zeros(n), np.zeros(n)
    np.maximum.at(most, rows, shares)
    np.minimum.at(least, rows, shares)
    # One either side for the floats' rounding.
    return math.floor(least.sum()) - 1, math.ceil(most.sum()) + 1
