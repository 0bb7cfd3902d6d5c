"""A block searched again goes on from what an earlier pass proved: the levels
it proved are held at its values and not searched again, and the search ends
where a fresh one does."""

from dataclasses import replace

import pytest

from pairing import Rules
from pairing.block_search import BlockSearch, SearchSpace
from pairing.deadline import Deadline
from pairing.locks import Locks
from pairing.model.constraints import LockedCandidates
from pairing.objective import Levels
from pairing.rules import ObjectiveWeights, SolverParams
from tests.test_exact import county


def space_of(seed: int) -> SearchSpace:
    instance = county(40, seed)
    locked = LockedCandidates.enumerate(instance, Rules(same_township=False), Locks())
    levels = Levels.of(instance, locked.usable, ObjectiveWeights()).levels
    return SearchSpace(instance, SolverParams(), locked.usable, locked.locks, levels)


@pytest.mark.parametrize("seed", range(2))
@pytest.mark.parametrize("proven", [1, 2])
def test_a_resumed_block_holds_the_levels_proven_before(monkeypatch, seed, proven):
    space = space_of(seed)
    block = list(range(len(space.candidates)))
    fresh = BlockSearch(space, block, 1, Deadline.after(60)).run()
    assert [stage.status for stage in fresh.stages] == ["OPTIMAL"] * len(space.levels)
    # An earlier pass that proved the first ``proven`` levels and no more.
    earlier = replace(fresh, stages=[*fresh.stages[:proven], *(replace(stage, status="FEASIBLE") for stage in fresh.stages[proven:])])
    monkeypatch.setattr(BlockSearch, "weak_level", lambda self: pytest.fail("the proven weak level was searched again"))
    again = BlockSearch(space, block, 1, Deadline.after(60), earlier).run()
    assert again.stages[:proven] == earlier.stages[:proven]
    assert [stage.status for stage in again.stages] == ["OPTIMAL"] * len(space.levels)
    assert [stage.value for stage in again.stages] == [stage.value for stage in fresh.stages]


def test_a_block_without_a_proven_level_is_searched_from_the_start():
    space = space_of(0)
    block = list(range(len(space.candidates)))
    fresh = BlockSearch(space, block, 1, Deadline.after(60)).run()
    earlier = replace(fresh, stages=[replace(stage, status="FEASIBLE") for stage in fresh.stages])
    again = BlockSearch(space, block, 1, Deadline.after(60), earlier).run()
    assert [stage.status for stage in again.stages] == ["OPTIMAL"] * len(space.levels)
    assert [stage.value for stage in again.stages] == [stage.value for stage in fresh.stages]
