"""What every docstring example may use without importing it: the tiny county of
:func:`pairing.examples.path_county` and the names a plan is built from."""

import networkx as nx
import numpy as np
import pandas as pd
import pytest


@pytest.fixture(autouse=True)
def docstring_names(doctest_namespace):
    from pairing import Group, Instance, Locks, Objective, Plan, Rules
    from pairing.examples import path_county

    doctest_namespace.update(Group=Group, Instance=Instance, Locks=Locks, Objective=Objective, Plan=Plan, Rules=Rules,
                             path_county=path_county, nx=nx, np=np, pd=pd)


@pytest.fixture(autouse=True)
def scratch_in_tmp_path(request, monkeypatch):
    """Docstring examples write into ``tempfile.mkdtemp()`` folders, as a reader
    would; under pytest those land in the test's own ``tmp_path``, which pytest
    cleans up, rather than piling up in the system's temporary folder."""
    import tempfile

    from _pytest.doctest import DoctestItem

    if isinstance(request.node, DoctestItem):
        monkeypatch.setattr(tempfile, "tempdir", str(request.getfixturevalue("tmp_path")))
