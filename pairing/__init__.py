"""pairing: exact cross-village grouping (跨村联建) plans for county planners.

The Python API in a few lines::

    import pairing
    instance = pairing.read_villages("instances/anqiu.gpkg")
    plan = pairing.solve(instance, time_limit=30)
    assert pairing.check(plan) == []
"""

from .check import Violation, check
from .config import Config
from .diagnose import diagnose
from .errors import InputError
from .instance import Instance
from .io import read_plan, read_villages, write_plan
from .plan import Group, Objective, Plan
from .compare import diff
from .explore import Revision, alternatives, compare_plans, frontier, resolve
from .rules import Locks, ObjectiveWeights, Rules, SolverParams
from .solve import solve

__all__ = ["Config", "Group", "InputError", "Instance", "Locks", "Objective", "ObjectiveWeights", "Plan", "Revision", "Rules", "SolverParams",
           "Violation", "alternatives", "check", "compare_plans", "diagnose", "diff", "frontier", "read_plan", "read_villages", "resolve",
           "solve", "write_plan"]
__version__ = "0.1.0"
