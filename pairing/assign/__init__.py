"""Helper pairing: cadres and county units matched to the villages and groups
that need them (``pairing assign``). The modules, in the order data flows:
``settings`` (the ``[assign]`` config), ``problem`` (the records), ``needs`` and
``helpers`` (reading), ``targets`` (the problem built), ``check`` (the
independent checker), ``model`` (CP-SAT), ``reasons``, ``run`` (:func:`assign`),
``tables`` and ``page`` (presentation), ``write`` (the files)."""

from .check import AssignViolation, check_assignment
from .problem import Assignment, AssignProblem, Helper, Posting, Target, Unit
from .run import assign, assignment_problem
from .settings import AssignSettings
from .write import write_assignment

__all__ = ["AssignProblem", "AssignSettings", "AssignViolation", "Assignment", "Helper", "Posting", "Target", "Unit", "assign",
           "assignment_problem", "check_assignment", "write_assignment"]
