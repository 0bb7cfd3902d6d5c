"""pairing: exact cross-village grouping (跨村联建) plans for county planners.

The Python API in a few lines::

    import pairing
    instance = pairing.read_villages("instances/anqiu.gpkg")
    plan = pairing.solve(instance, time_limit=30)
    assert pairing.check(plan) == []

The names below are imported when first used, so that ``import pairing`` (and
the command line's start) stays quick; the first also brings the notebook
displays of :mod:`pairing.report.display`.
"""

import sys
import types
from importlib import import_module

from .version import VERSION

#: Public name -> the module that defines it.
_EXPORTS = {
    "Violation": "check", "check": "check", "Config": "config", "diagnose": "diagnose", "InputError": "errors",
    "Instance": "instance", "read_villages": "read", "read_plan": "read_plan", "write_plan": "write", "Group": "plan",
    "Objective": "plan", "Plan": "plan", "diff": "diff", "Revision": "resolve", "alternatives": "alternatives",
    "compare_plans": "alternatives", "frontier": "frontier", "resolve": "resolve", "Locks": "locks", "ObjectiveWeights": "rules",
    "Rules": "rules", "SolverParams": "rules", "solve": "solve", "batch": "batch", "assign": "assign", "check_assignment": "assign",
}

__all__ = sorted(_EXPORTS)
__version__ = VERSION


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module 'pairing' has no attribute {name!r}")
    # The notebook displays (plan.plot(), the plan's table in Jupyter) come with the
    # first public name: pairing.report.display attaches them.
    import_module(".report.display", __name__)
    value = getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})


class _Package(types.ModuleType):
    """Importing a submodule binds it on its package: ``pairing.check`` would become
    the module, not the function, once ``pairing.check`` is imported. The public
    names stay what they are (the module is still ``sys.modules["pairing.check"]``)."""

    def __setattr__(self, name: str, value) -> None:
        if name in _EXPORTS and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
