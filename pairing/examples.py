"""A tiny county for the examples in the docstrings (and the tests): villages
``a``, ``b``, ``c``, ... in a row, each a neighbour of the next.

Every docstring example may call :func:`path_county` without importing it (the
doctest run puts it in their namespace); to run an example by hand, first
``from pairing.examples import path_county``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from string import ascii_lowercase

import networkx as nx
import pandas as pd

from .instance import Instance


def path_county(population: int | Sequence[int] = 400, strength: Sequence[float] | None = None,
                weak: bool | Sequence[bool] = False, *, names: Sequence[str] | None = None, township: str | Sequence[str] = "T",
                edges: Iterable[tuple[str, str]] | None = None, squares: bool = False, villages: int | None = None,
                **columns) -> Instance:
    """An :class:`~pairing.instance.Instance` of a few villages in a row.

    Parameters
    ----------
    population, weak, township : scalar or sequence
        Each village's, or one for all.
    strength : sequence of float, optional
        Each village's; by default the first is the strongest, then weaker and weaker.
    names : sequence of str, optional
        Village names; by default the ids.
    edges : iterable of (str, str), optional
        The adjacency instead of the row.
    squares : bool
        Give each village a 1 m square polygon (EPSG:32650), side by side, so
        that maps and GIS files can be drawn.
    villages : int, optional
        How many villages, when no sequence says it.
    **columns
        Further columns (``lead_eligible``, ``industry``, ``x`` ...), each a
        scalar or a sequence.

    Examples
    --------
    >>> county = path_county([500, 400, 300], weak=[False, True, True])
    >>> county.ids, sorted(county.graph.edges()), county.strength.tolist()
    (('a', 'b', 'c'), [('a', 'b'), ('b', 'c')], [3.0, 2.0, 1.0])
    """
    given = [value for value in (population, strength, weak, names, township, *columns.values())
             if isinstance(value, Sequence) and not isinstance(value, str)]
    n = villages if villages is not None else len(given[0]) if given else 3
    ids = list(ascii_lowercase[:n])
    table = pd.DataFrame({"village_id": ids, "name": list(names) if names is not None else ids, "township": township,
                          "population": population, "strength": strength if strength is not None else [float(n - k) for k in range(n)],
                          "weak": weak, **columns})
    graph = nx.Graph(list(edges)) if edges is not None else nx.path_graph(ids)
    geometry = None
    if squares:
        import geopandas as gpd
        from shapely import box

        geometry = gpd.GeoSeries([box(k, 0, k + 1, 1) for k in range(n)], crs="EPSG:32650")
    return Instance(table, graph, geometry=geometry)
