"""The TOML config: how a county's own table maps onto pairing's columns, how
strength and weakness are derived when the table lacks them, how adjacency is
built, the rules and the solver parameters.

Every section is optional; an absent section takes the defaults below.
"""

from __future__ import annotations

import codecs
import tomllib
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Literal

import pyproj

from .errors import CONFIG_SECTIONS, InputError, Problems
from .locks import Locks
from .fields import check_choice, check_number, check_section, check_table, check_text, known_keys, toml_text, validate_fields
from .rules import ObjectiveWeights, Rules, SolverParams

#: Canonical columns, and the extra inputs ``[columns]`` may map.
CANONICAL_COLUMNS = ("village_id", "name", "township", "population", "strength", "weak", "lead_eligible", "industry")
COORDINATE_COLUMNS = ("lon", "lat", "x", "y")


@dataclass(frozen=True)
class StrengthSpec:
    """Strength as a weighted sum of normalised indicators.

    Parameters
    ----------
    weights : dict
        Indicator column (as named in the input) -> weight.
    normalise : {"rank", "minmax"}
        ``rank``: each indicator becomes its percentile rank in [0, 1] (robust to
        outliers); ``minmax``: (value - min) / (max - min).
    levels : dict
        For categorical indicators, column -> {level text -> score}; the scores
        are used as given (not normalised again), so give them on [0, 1].
    """

    weights: dict[str, float]
    normalise: Literal["rank", "minmax"] = "rank"
    levels: dict[str, dict[str, float]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        validate_fields(self, {
            "weights": _weights,
            "normalise": partial(check_choice, key="strength.normalise", choices=("rank", "minmax")),
            "levels": _levels,
        })


_WEIGHTS_EXAMPLE = '{ "村集体收入(万元)" = 0.5, "党组织评定" = 0.5 }'
_LEVELS_EXAMPLE = '{ "好" = 1.0, "一般" = 0.4 }'


def _weights(value: Any) -> dict[str, float]:
    weights = {str(column): weight for column, weight in check_table(value, "strength.weights", _WEIGHTS_EXAMPLE).items()}
    if not weights:
        raise InputError("[strength] has no weights", fix='add weights = { "column" = 1.0 }', column="strength.weights")
    problems = Problems()
    for column, weight in weights.items():
        with problems.collecting():
            check_number(weight, "strength.weights", "0.5", name=toml_text(column))
    problems.raise_any()
    return weights


def _levels(value: Any) -> dict[str, dict[str, float]]:
    """Each categorical indicator's table of level -> score."""
    problems, levels = Problems(), {}
    for column, scores in check_table(value, "strength.levels", f'{{ "党组织评定" = {_LEVELS_EXAMPLE} }}').items():
        with problems.collecting():
            levels[str(column)] = check_table(scores, "strength.levels", _LEVELS_EXAMPLE, name=toml_text(str(column)))
        for level, score in levels.get(str(column), {}).items():
            with problems.collecting():
                check_number(score, f"strength.levels.{column}", "1.0", name=toml_text(str(level)))
    problems.raise_any()
    return {column: {str(level): score for level, score in scores.items()} for column, scores in levels.items()}


@dataclass(frozen=True)
class WeakSpec:
    """Which villages are weak, when the table has no ``weak`` column.

    Parameters
    ----------
    strength_share : float
        The weakest this share of villages by strength are weak.
    population_below : int
        Any village with fewer people (hollowed-out) is weak too.
    """

    strength_share: float = 0.4
    population_below: int = 300

    def __post_init__(self) -> None:
        validate_fields(self, {
            "strength_share": partial(check_number, key="weak.strength_share", example="0.4", at_least=0, at_most=1),
            "population_below": partial(check_number, key="weak.population_below", example="300", at_least=0),
        })


@dataclass(frozen=True)
class GraphSpec:
    """How adjacency is computed.

    Parameters
    ----------
    tolerance_m : float
        Polygons closer than this many metres count as neighbours (slivers and
        gaps of hand-digitised borders).
    max_edge_m : float
        Points: Delaunay neighbours farther apart than this are not neighbours.
    """

    tolerance_m: float = 5.0
    max_edge_m: float = 5000.0

    def __post_init__(self) -> None:
        validate_fields(self, {
            "tolerance_m": partial(check_number, key="graph.tolerance_m", example="5", at_least=0),
            "max_edge_m": partial(check_number, key="graph.max_edge_m", example="5000", above=0),
        })


@dataclass(frozen=True)
class Config:
    """A whole config file. See the README for every key and its default.

    Examples
    --------
    >>> Config().rules.group_size
    (3, 5)
    >>> Config.from_dict({"rules": {"same_township": False}}).rules.same_township
    False
    """

    columns: dict[str, str] = field(default_factory=dict)
    crs: str | None = None
    strength: StrengthSpec | None = None
    weak: WeakSpec = field(default_factory=WeakSpec)
    graph: GraphSpec = field(default_factory=GraphSpec)
    rules: Rules = field(default_factory=Rules)
    solver: SolverParams = field(default_factory=SolverParams)
    locks: Locks = field(default_factory=Locks)
    objective: ObjectiveWeights = field(default_factory=ObjectiveWeights)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Config":
        """A config from the tables of a TOML file; every problem of every section is raised at once."""
        problems, values = Problems(), {}
        for section, table in data.items():
            with problems.collecting():
                if section == "columns":
                    values["columns"], values["crs"] = _columns(table)
                elif section in _SECTIONS:
                    values[section] = _SECTIONS[section](table)
                elif section == "assign":
                    pass  # helper pairing's, read by pairing.assign.settings
                else:
                    raise InputError(f"unknown section [{section}]", fix=f"use the sections {', '.join(sorted(CONFIG_SECTIONS))}")
        problems.raise_any()
        return cls(**values)

    @classmethod
    def from_toml(cls, path: str | Path) -> "Config":
        """Read a TOML config; errors name the file and the key."""
        return cls.from_tomls([path])

    @classmethod
    def from_tomls(cls, paths: list[str | Path]) -> "Config":
        """A config from several TOML files, each overriding the keys the ones
        before it set (a county's own config over a province's), section by
        section; errors name the last file and the key.

        Examples
        --------
        >>> import tempfile
        >>> folder = Path(tempfile.mkdtemp())
        >>> _ = (folder / "province.toml").write_text("[rules]\\nsame_township = false\\ngroup_size = [3, 4]\\n")
        >>> _ = (folder / "county.toml").write_text("[rules]\\ngroup_population = [1500, 3000]\\n")
        >>> rules = Config.from_tomls([folder / "province.toml", folder / "county.toml"]).rules
        >>> rules.same_township, rules.group_size, rules.group_population
        (False, (3, 4), (1500, 3000))
        """
        data: dict[str, Any] = {}
        for path in paths:
            for section, values in toml_table(path).items():
                data[section] = {**data[section], **values} if isinstance(values, dict) and isinstance(data.get(section), dict) else values
        try:
            return cls.from_dict(data)
        except InputError as error:
            raise error.in_file(str(paths[-1])) if paths else error from None


def toml_table(path: str | Path) -> dict[str, Any]:
    """A TOML file's table, unchecked; errors name the file and the line."""
    try:
        return tomllib.loads(_config_text(Path(path)))
    except tomllib.TOMLDecodeError as error:
        raise InputError(f"not valid TOML ({error})", fix="fix the syntax at that line", file=str(path)) from None
    except InputError as error:
        raise error.in_file(str(path)) from None


def _config_text(path: Path) -> str:
    """A config file's text: UTF-8, with or without the byte-order mark Notepad writes."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError("config file not found", fix="check the path given to --config") from None
    except IsADirectoryError:
        raise InputError("is a folder, not a config file", fix="give the path of the .toml file to --config") from None
    except OSError as error:
        raise InputError(f"cannot read the config file ({error.strerror or error})", fix="check that it exists and that you may read it") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        position = error.start + (len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0)  # utf-8-sig counts after the mark
        line = data.count(b"\n", 0, position) + 1
        raise InputError(f"the file is not UTF-8 text (byte 0x{data[position]:02x})", fix="save it as UTF-8 (in Notepad: File, Save as, Encoding UTF-8)",
                         row=f"line {line}") from None


def _columns(values: Any) -> tuple[dict[str, str], str | None]:
    """The ``[columns]`` mapping, and its ``crs``."""
    columns = check_section(values, "columns")
    problems, crs = Problems(), None
    with problems.collecting():
        crs = _crs(columns.pop("crs")) if "crs" in columns else None
    for key, value in columns.items():
        with problems.collecting():
            if key not in CANONICAL_COLUMNS + COORDINATE_COLUMNS:
                raise InputError(f"unknown key {key!r} in [columns]", fix=f"map one of {', '.join(CANONICAL_COLUMNS + COORDINATE_COLUMNS)}, or crs",
                                 column=f"columns.{key}")
            check_text(value, f"columns.{key}", '"村代码"')
    problems.raise_any()
    return columns, crs


def _crs(value: Any) -> str:
    """``[columns] crs``, refused here when pyproj does not know it, rather than when the data are read."""
    check_text(value, "columns.crs", '"EPSG:4547"')
    try:
        pyproj.CRS.from_user_input(value)
    except pyproj.exceptions.CRSError:
        raise InputError(f"crs = {toml_text(value)} is not a CRS pyproj knows", fix='give an EPSG code, e.g. crs = "EPSG:4547"',
                         column="columns.crs") from None
    return value


def _strength_spec(values: Any) -> StrengthSpec:
    # Without weights there is nothing to derive: say so, rather than that an argument is missing.
    return StrengthSpec(**{"weights": {}, **known_keys(StrengthSpec, values, "strength")})


#: How each section other than ``[columns]`` is built from its table.
_SECTIONS = {
    "strength": _strength_spec,
    "weak": lambda values: WeakSpec(**known_keys(WeakSpec, values, "weak")),
    "graph": lambda values: GraphSpec(**known_keys(GraphSpec, values, "graph")),
    "rules": Rules.from_dict,
    "solver": SolverParams.from_dict,
    "locks": Locks.from_dict,
    "objective": ObjectiveWeights.from_dict,
}
