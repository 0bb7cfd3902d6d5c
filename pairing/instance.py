"""The validated problem: a county's villages and their adjacency, built once.

An :class:`Instance` is what every other part of pairing takes: the solver, the
checker, the reports. It is validated when built and treated as immutable: its
numeric arrays are read-only, and nothing in pairing changes its table or graph.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import networkx as nx
import numpy as np
import pandas as pd

from .config import StrengthSpec, WeakSpec
from .errors import InputError, Problems

REQUIRED_COLUMNS = ("village_id", "name", "township", "population", "strength", "weak")

#: The most people a village can have: a larger number is a typing error (or a
#: total row), and near 2**63 it would wrap around in int64.
MAX_POPULATION = 10_000_000


def _frozen(values: np.ndarray) -> np.ndarray:
    values = np.array(values, copy=True)
    values.setflags(write=False)
    return values


@dataclass(frozen=True, eq=False)
class Instance:
    """A county's villages (one row each) and the graph of which are neighbours.

    Parameters
    ----------
    villages : pandas.DataFrame
        One row per village with the canonical columns ``village_id`` (text,
        unique), ``name``, ``township``, ``population`` (integer > 0),
        ``strength`` (number) and ``weak`` (bool); optionally ``lead_eligible``
        (bool), ``industry`` (text), ``x`` and ``y`` (metres, for distances) and
        any other attribute of the input, kept for the outputs.
    graph : networkx.Graph
        Adjacency between village ids. Villages missing from it are isolated.
    geometry : geopandas.GeoSeries, optional
        Village polygons or points in a metric CRS, aligned with ``villages``.
    source : str
        Where the instance was read from, for messages and summaries.
    tolerance_edges : int
        How many adjacency pairs only the snapping tolerance added.
    input_names : dict, optional
        A canonical column's name in the input file, where the config's
        ``[columns]`` mapped it (``lon`` -> ``经度``): outputs show the input's
        own attributes under the names the planner gave them.

    Examples
    --------
    >>> import networkx as nx, pandas as pd
    >>> table = pd.DataFrame({"village_id": ["a", "b", "c"], "name": ["A", "B", "C"],
    ...     "township": "T", "population": [500, 400, 300], "strength": [3.0, 2.0, 1.0],
    ...     "weak": [False, True, True]})
    >>> Instance(table, nx.path_graph(["a", "b", "c"])).n
    3
    """

    villages: pd.DataFrame
    graph: nx.Graph
    geometry: object = None
    source: str = ""
    tolerance_edges: int = 0
    input_names: dict[str, str] = field(default_factory=dict)
    _index: dict[str, int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        table = _validated_table(self.villages)
        object.__setattr__(self, "villages", table)
        object.__setattr__(self, "_index", {village: i for i, village in enumerate(table["village_id"])})
        graph = nx.Graph()
        graph.add_nodes_from(table["village_id"])
        problems = Problems()
        for a, b in self.graph.edges():
            a, b = str(a), str(b)
            unknown = [end for end in (a, b) if end not in self._index]
            for end in unknown:
                problems.add(InputError(f"edge {a}-{b} names unknown village {end}", fix="remove the edge or add the village", row=f"village {end}"))
            if a != b and not unknown:
                graph.add_edge(a, b)
        problems.raise_any()
        nx.freeze(graph)
        object.__setattr__(self, "graph", graph)

    # -- sizes and lookups --------------------------------------------------
    @property
    def n(self) -> int:
        """Number of villages."""
        return len(self.villages)

    @cached_property
    def ids(self) -> tuple[str, ...]:
        """Village ids in table order."""
        return tuple(self.villages["village_id"])

    def index(self, village_id: str) -> int:
        """Row position of a village id."""
        try:
            return self._index[str(village_id)]
        except KeyError:
            raise InputError(f"unknown village id {village_id}", fix="use an id from the village table", row=f"village {village_id}") from None

    def __contains__(self, village_id: object) -> bool:
        return str(village_id) in self._index

    # -- arrays for the solver and the checker -------------------------------
    @cached_property
    def population(self) -> np.ndarray:
        return _frozen(self.villages["population"].to_numpy(np.int64))

    @cached_property
    def strength(self) -> np.ndarray:
        return _frozen(self.villages["strength"].to_numpy(float))

    @cached_property
    def weak(self) -> np.ndarray:
        return _frozen(self.villages["weak"].to_numpy(bool))

    @cached_property
    def township(self) -> np.ndarray:
        return _frozen(self.villages["township"].to_numpy(object))

    @cached_property
    def xy(self) -> np.ndarray | None:
        """Village coordinates in metres, or None when the input had no geometry."""
        if not {"x", "y"} <= set(self.villages.columns) or self.villages[["x", "y"]].isna().any().any():
            return None
        return _frozen(self.villages[["x", "y"]].to_numpy(float))

    @cached_property
    def neighbours(self) -> tuple[tuple[int, ...], ...]:
        """Adjacency as row positions: ``neighbours[i]`` are the rows next to row ``i``."""
        return tuple(tuple(sorted(self._index[b] for b in self.graph[a])) for a in self.ids)

    @cached_property
    def strength_rank(self) -> np.ndarray:
        """0 for the weakest village up to n-1 for the strongest; ties go to the smaller id."""
        order = sorted(range(self.n), key=lambda i: (self.strength[i], _descending(self.ids[i])))
        rank = np.empty(self.n, dtype=np.int64)
        rank[order] = np.arange(self.n)
        return _frozen(rank)

    def lead_eligible(self, top_share: float) -> np.ndarray:
        """Which villages may lead: the ``lead_eligible`` column when the table has
        one, else the strongest ``top_share`` of the villages (at least one)."""
        column = self.villages.get("lead_eligible")
        if column is not None and column.notna().all():
            return _frozen(column.to_numpy(bool))
        count = max(1, int(np.ceil(top_share * self.n - 1e-9)))
        return _frozen(self.strength_rank >= self.n - count)

    def distance_unit(self) -> str:
        return "m" if self.xy is not None else "hops"

    def distance(self, a: int, b: int) -> int:
        """Distance between two rows: whole metres, or adjacency hops without coordinates."""
        return int(self.distances(np.array([a]), np.array([b]))[0])

    def distances(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Distances between rows ``a[i]`` and ``b[i]``, as :meth:`distance` gives them."""
        if self.xy is not None:
            return np.rint(np.hypot(*(self.xy[a] - self.xy[b]).T)).astype(np.int64)
        hops = []
        for i, j in zip(a, b):
            try:
                hops.append(nx.shortest_path_length(self.graph, self.ids[i], self.ids[j]))
            except nx.NetworkXNoPath:
                hops.append(self.n)
        return np.array(hops, dtype=np.int64)


def _validated_table(villages: pd.DataFrame) -> pd.DataFrame:
    """A copy of the village table with canonical types; every bad row of every column is raised at once."""
    table = villages.reset_index(drop=True).copy()
    missing = [column for column in REQUIRED_COLUMNS if column not in table.columns]
    if missing:
        raise InputError.of(InputError(f"missing column {column}", fix="add it, or map it in the config's [columns]", column=column) for column in missing)
    table["village_id"] = table["village_id"].astype(str)
    rows = [f"village {village}" for village in table["village_id"]]
    problems = Problems()
    for position in np.flatnonzero(table["village_id"].duplicated().to_numpy()):
        problems.add(InputError("duplicate village id", fix="give every village its own id", row=rows[position], column="village_id"))
    population = pd.to_numeric(table["population"], errors="coerce").astype(float)
    for position, value in enumerate(population):
        raw = table["population"].iloc[position]
        if not (np.isfinite(value) and value > 0 and value.is_integer()):
            problems.add(InputError(f"population {raw!r} is not a whole number above 0", fix="give the number of people", row=rows[position], column="population"))
        elif value > MAX_POPULATION:
            problems.add(InputError(f"population {raw!r} is over {MAX_POPULATION:,}, too many people for one village", fix="give the number of people",
                                    row=rows[position], column="population"))
    strength = pd.to_numeric(table["strength"], errors="coerce").astype(float)
    for position in np.flatnonzero(~np.isfinite(strength.to_numpy())):
        problems.add(InputError("strength is empty or not a number", fix="fill it in, or derive it with [strength]", row=rows[position], column="strength"))
    problems.raise_any()
    table["population"] = population.astype("int64")
    table["strength"] = strength
    table["weak"] = table["weak"].astype(bool)
    table["name"] = table["name"].fillna(table["village_id"]).astype(str)
    table["township"] = table["township"].fillna("").astype(str)
    return table


class _descending(str):
    """Reverses string order so that, among equal strengths, the smaller id ranks higher."""

    def __lt__(self, other: str) -> bool:  # type: ignore[override]
        return str.__gt__(self, other)


def derive_strength(table: pd.DataFrame, spec: StrengthSpec) -> pd.Series:
    """Strength as the weighted sum of normalised indicators.

    Numeric indicators are normalised to [0, 1] (percentile rank or min-max);
    categorical ones take the scores of their ``levels`` as given.

    Parameters
    ----------
    table : pandas.DataFrame
        The input table, with the indicator columns named in ``spec`` and a
        ``village_id`` column for messages.
    spec : StrengthSpec
        Weights, normalisation and categorical levels.

    Returns
    -------
    pandas.Series
        Strength per row, between 0 and the sum of the weights.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"village_id": ["a", "b"], "income": [10, 30], "rating": ["好", "一般"]})
    >>> spec = StrengthSpec(weights={"income": 0.5, "rating": 0.5}, normalise="minmax",
    ...                     levels={"rating": {"好": 1.0, "一般": 0.4}})
    >>> derive_strength(table, spec).round(2).tolist()
    [0.5, 0.7]
    """
    total, problems = pd.Series(0.0, index=table.index), Problems()
    for column, weight in spec.weights.items():
        if column not in table.columns:
            problems.add(InputError(f"missing indicator column {column}", fix="add it or remove it from [strength] weights", column=column))
            continue
        levels = spec.levels.get(column)
        values = _indicator_values(table, column, levels, problems)
        if levels is not None:
            normalised = values  # the planner's level scores are already on the common scale
        elif spec.normalise == "rank":
            normalised = values.rank(pct=True, method="average")
        else:
            span = values.max() - values.min()
            normalised = (values - values.min()) / span if span > 0 else values * 0.0
        total += weight * normalised
    problems.raise_any()
    return total


def _indicator_values(table: pd.DataFrame, column: str, levels: dict[str, float] | None, problems: Problems) -> pd.Series:
    """An indicator's values as floats, NaN where a value is not a number (or an unknown level), each added to ``problems``."""
    raw = table[column]
    if levels is not None:
        text = raw.astype(str).str.strip()
        for position in np.flatnonzero((~text.isin(levels.keys())).to_numpy()):
            problems.add(InputError(f"unknown level {text.iloc[position]!r}", fix=f"use one of {', '.join(levels)} or add it to [strength] levels",
                                    row=_village(table, position), column=column))
        return text.map(levels).astype(float)
    values = pd.to_numeric(raw, errors="coerce").astype(float)
    for position in np.flatnonzero(~np.isfinite(values.to_numpy())):
        problems.add(InputError(f"indicator value {raw.iloc[position]!r} is not a number", fix="give a number, or declare its levels in [strength] levels",
                                row=_village(table, position), column=column))
    return values


def _village(table: pd.DataFrame, position: int) -> str:
    """How a message names a row of an indicator table (synthetic ones have no ids)."""
    return f"village {table['village_id'].iloc[position]}" if "village_id" in table.columns else f"row {position + 1}"


def derive_weak(strength: pd.Series, population: pd.Series, spec: WeakSpec) -> pd.Series:
    """Weak = among the weakest ``strength_share`` by strength, or fewer people than
    ``population_below`` (hollowed-out).

    Examples
    --------
    >>> import pandas as pd
    >>> derive_weak(pd.Series([1.0, 2.0, 3.0, 4.0]), pd.Series([900, 900, 250, 900]), WeakSpec(0.25, 300)).tolist()
    [True, False, True, False]
    """
    count = int(round(spec.strength_share * len(strength)))
    weakest = pd.Series(False, index=strength.index)
    if count:
        weakest.loc[strength.sort_values(kind="stable").index[:count]] = True
    return weakest | (pd.to_numeric(population, errors="coerce") < spec.population_below)
