"""pairing: exact cross-village grouping (跨村联建) plans for county planners."""

from .config import Config
from .errors import InputError
from .instance import Instance
from .plan import Group, Objective, Plan
from .rules import Rules, SolverParams

__version__ = "0.1.0"
from .check import Violation, check
from .solve import solve
