"""pairing: exact cross-village grouping (跨村联建) plans for county planners.

The Python API in a few lines::

    import pairing
    instance = pairing.read_villages("instances/anqiu.gpkg")
    plan = pairing.solve(instance, time_limit=30)
    assert pairing.check(plan) == []

The names below are imported when first used, so that ``import pairing`` (and
the command line's start) stays quick.
"""

import sys
import types
from importlib import import_module, metadata

#: Public name -> the module that defines it.
_EXPORTS = {
    "Violation": "check", "check": "check", "Config": "config", "diagnose": "diagnose", "InputError": "errors",
    "Instance": "instance", "read_plan": "io", "read_villages": "io", "write_plan": "io", "Group": "plan", "Objective": "plan",
    "Plan": "plan", "diff": "compare", "Revision": "explore", "alternatives": "explore", "compare_plans": "explore",
    "frontier": "explore", "resolve": "explore", "Locks": "rules", "ObjectiveWeights": "rules", "Rules": "rules",
    "SolverParams": "rules", "solve": "solve",
}

__all__ = sorted(_EXPORTS)
__version__ = metadata.version("pairing")


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module 'pairing' has no attribute {name!r}")
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
