"""The grouping rules and the solver parameters, one frozen dataclass per concern.

Both are loadable from the ``[rules]`` and ``[solver]`` sections of a TOML config
(see :mod:`pairing.config`); defaults are the Anqiu rules of ``DOMAIN.md``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from functools import partial
from numbers import Integral, Real
from typing import Any, Literal

from .errors import InputError, Problems

Contiguity = Literal["connected", "star"]

#: CP-SAT takes its random seed as a 32-bit signed integer.
MAX_SEED = 2**31 - 1


# -- checking config values -------------------------------------------------------------
# Each check returns the value (converted where the config's spelling differs from the
# field's type) or raises an InputError that quotes the value as the user wrote it in TOML
# and says how to write it, e.g. `time_limit = "60" is text, not a number`.
def toml_text(value: Any, limit: int = 80) -> str:
    """``value`` as it is written in TOML, shortened to about ``limit`` characters for a message.

    Examples
    --------
    >>> toml_text("60"), toml_text(True), toml_text([3, "5"]), toml_text({"好": 1.0})
    ('"60"', 'true', '[3, "5"]', '{ "好" = 1.0 }')
    """
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, str):
        text = json.dumps(value, ensure_ascii=False)
    elif isinstance(value, Mapping):
        text = "{ " + ", ".join(f"{toml_text(str(key))} = {toml_text(item)}" for key, item in value.items()) + " }" if value else "{}"
    elif is_list(value):
        text = "[" + ", ".join(toml_text(item) for item in value) + "]"
    else:
        text = str(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def is_list(value: Any) -> bool:
    """Whether ``value`` is a TOML array (any iterable but text and tables)."""
    return isinstance(value, Iterable) and not isinstance(value, (str, bytes, Mapping))


def _name(key: str) -> str:
    return key.rpartition(".")[2]


def _written_number(value: Any, whole: bool) -> str | None:
    """The number a text value spells (``"60"`` -> ``60``), or None when it spells none."""
    if not isinstance(value, str):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return value.strip() if math.isfinite(number) and (not whole or number.is_integer()) else None


def _wrong(value: Any, key: str, name: str, kind: str, example: str, unquoted: str | None) -> InputError:
    if unquoted is not None:
        return InputError(f"{name} = {toml_text(value)} is text, not {kind}", fix=f"write it without quotes: {name} = {unquoted}", column=key)
    return InputError(f"{name} = {toml_text(value)} is not {kind}", fix=f"write e.g. {name} = {example}", column=key)


def _as_number(value: Any, whole: bool) -> float | int | None:
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value):
        return None
    if isinstance(value, Integral):
        return int(value)
    if whole:
        return int(value) if float(value).is_integer() else None
    return value


def check_number(value: Any, key: str, example: str, *, whole: bool = False, at_least: float | None = None,
                 above: float | None = None, at_most: float | None = None, name: str = "") -> Any:
    """``value`` when it is a (whole) number within the bounds, else an error naming ``key``.

    Whole numbers given as floats (``2.0``) become ints; other values are kept as given.

    Examples
    --------
    >>> check_number(2.0, "solver.workers", "2", whole=True, at_least=1)
    2
    >>> check_number("60", "solver.time_limit", "60", above=0)
    Traceback (most recent call last):
    ...
    pairing.errors.InputError: key solver.time_limit: time_limit = "60" is text, not a number; write it without quotes: time_limit = 60
    """
    name = name or _name(key)
    number = _as_number(value, whole)
    if number is None:
        raise _wrong(value, key, name, "a whole number" if whole else "a number", example, _written_number(value, whole))
    if at_least is not None and number < at_least:
        broken = f"is below {at_least}"
    elif above is not None and number <= above:
        broken = f"is not above {above}"
    elif at_most is not None and number > at_most:
        broken = f"is above {at_most}"
    else:
        return number if whole else value
    raise InputError(f"{name} = {toml_text(value)} {broken}", fix=f"write e.g. {name} = {example}", column=key)


def check_bool(value: Any, key: str) -> bool:
    """``value`` when it is true or false (a TOML boolean), else an error naming ``key``.

    Examples
    --------
    >>> check_bool("false", "rules.same_township")
    Traceback (most recent call last):
    ...
    pairing.errors.InputError: key rules.same_township: same_township = "false" is text, not true/false; write it without quotes: same_township = false
    """
    if isinstance(value, bool):
        return value
    name = _name(key)
    meant = {"true": "true", "yes": "true", "1": "true", "false": "false", "no": "false", "0": "false"}.get(str(value).strip().lower())
    if isinstance(value, str):
        fix = f"write it without quotes: {name} = {meant}" if meant else f"write {name} = true or {name} = false, without quotes"
        raise InputError(f"{name} = {toml_text(value)} is text, not true/false", fix=fix, column=key)
    raise InputError(f"{name} = {toml_text(value)} is not true/false", fix=f"write {name} = {meant}" if meant else f"write {name} = true or {name} = false",
                     column=key)


def check_text(value: Any, key: str, example: str, name: str = "") -> str:
    """``value`` when it is text, else an error naming ``key``."""
    if isinstance(value, str):
        return value
    name = name or _name(key)
    raise InputError(f"{name} = {toml_text(value)} is not text", fix=f"write it in quotes, e.g. {name} = {example}", column=key)


def check_choice(value: Any, key: str, choices: tuple[str, ...]) -> str:
    """``value`` when it is one of ``choices``, else an error naming ``key``."""
    if isinstance(value, str) and value in choices:
        return value
    raise InputError(f"{_name(key)} = {toml_text(value)} is unknown", fix=f"use {' or '.join(toml_text(choice) for choice in choices)}", column=key)


def check_table(value: Any, key: str, example: str, name: str = "") -> dict:
    """``value`` as a dict when it is a TOML table, else an error naming ``key``."""
    if isinstance(value, Mapping):
        return dict(value)
    name = name or _name(key)
    raise InputError(f"{name} = {toml_text(value)} is not a table", fix=f"write e.g. {name} = {example}", column=key)


def check_pair(value: Any, key: str, example: str) -> tuple[int, int]:
    """``value`` as (low, high) when it is a pair of whole numbers, low first.

    Examples
    --------
    >>> check_pair([3, 5], "rules.group_size", "[3, 5]")
    (3, 5)
    >>> check_pair(["3", "5"], "rules.group_size", "[3, 5]")
    Traceback (most recent call last):
    ...
    pairing.errors.InputError: key rules.group_size: group_size = ["3", "5"] holds text, not numbers; write it without quotes: group_size = [3, 5]
    """
    name = _name(key)
    items = list(value) if is_list(value) else []
    numbers = [_as_number(item, whole=True) for item in items]
    if len(items) == 2 and None not in numbers:
        low, high = numbers
        if low > high:
            raise InputError(f"{name} = [{low}, {high}] has low > high", fix="swap the two numbers", column=key)
        return (low, high)
    spelled = [_written_number(item, whole=True) or (None if number is None else str(number)) for item, number in zip(items, numbers)]
    if len(items) == 2 and None not in spelled:
        raise InputError(f"{name} = {toml_text(value)} holds text, not numbers", fix=f"write it without quotes: {name} = [{', '.join(spelled)}]",
                         column=key)
    raise InputError(f"{name} = {toml_text(value)} is not a pair [low, high] of whole numbers", fix=f"write e.g. {name} = {example}", column=key)


def check_section(values: Any, section: str) -> dict:
    """A config section's table, or an error when the section was given as a value."""
    if isinstance(values, Mapping):
        return dict(values)
    raise InputError(f"{section} = {toml_text(values)} is a value, not a section",
                     fix=f"write [{section}] on a line of its own, with its keys on the lines below it")


def validate_fields(instance: Any, checks: Mapping[str, Callable[[Any], Any]]) -> None:
    """Replace fields of a frozen dataclass by their checked values; every problem is raised at once."""
    problems = Problems()
    for name, check in checks.items():
        with problems.collecting():
            object.__setattr__(instance, name, check(getattr(instance, name)))
    problems.raise_any()


@dataclass(frozen=True)
class Rules:
    """What makes a group valid.

    Parameters
    ----------
    group_size : (int, int)
        Fewest and most villages in a group, lead included.
    group_population : (int, int)
        Least and most total population of a group.
    same_township : bool
        Whether every group must stay inside one township.
    contiguity : {"connected", "star"}
        ``connected``: the group's villages induce a connected subgraph of the
        adjacency graph; ``star``: every member is adjacent to its lead.
    lead_top_share : float
        Without a ``lead_eligible`` column, only the strongest this share of the
        county's villages may lead a group.

    Examples
    --------
    >>> Rules(group_size=(2, 6)).group_population
    (1000, 2000)
    """

    group_size: tuple[int, int] = (3, 5)
    group_population: tuple[int, int] = (1000, 2000)
    same_township: bool = True
    contiguity: Contiguity = "connected"
    lead_top_share: float = 0.3

    def __post_init__(self) -> None:
        validate_fields(self, {
            "group_size": _group_size,
            "group_population": _group_population,
            "same_township": partial(check_bool, key="rules.same_township"),
            "contiguity": partial(check_choice, key="rules.contiguity", choices=("connected", "star")),
            "lead_top_share": partial(check_number, key="rules.lead_top_share", example="0.3", above=0, at_most=1),
        })

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> "Rules":
        """Rules from a ``[rules]`` table; unknown keys are an error."""
        return cls(**known_keys(cls, values, "rules"))


def _group_size(value: Any) -> tuple[int, int]:
    low, high = check_pair(value, "rules.group_size", "[3, 5]")
    if low < 2:
        raise InputError(f"group_size starts at {low}", fix="a group needs a lead and at least one member: use 2 or more", column="rules.group_size")
    return (low, high)


def _group_population(value: Any) -> tuple[int, int]:
    low, high = check_pair(value, "rules.group_population", "[1000, 2000]")
    if high <= 0:
        raise InputError("group_population ceiling must be positive", fix="write e.g. group_population = [1000, 2000]", column="rules.group_population")
    return (low, high)


@dataclass(frozen=True)
class SolverParams:
    """How long and how the solver searches.

    Parameters
    ----------
    time_limit : float
        Wall-clock seconds for the whole solve; the best plan found by then is
        returned, marked FEASIBLE unless it was proven optimal.
    workers : int
        CP-SAT search workers (threads).
    seed : int
        CP-SAT random seed.
    log : bool
        Print CP-SAT's search log.
    windows_from : int
        Blocks of at least this many candidates are improved window by window
        (:mod:`pairing.model.windows`) before each search over the whole block.
        Generated 3,000 villages across townships (244,000 candidates, 60 s):
        villages grouped 2,797 -> 2,963 of at most 2,975; Anqiu across townships
        (65,000 candidates): proven in 41 s with windows, 30-37 s without.
    windows_only_from : int
        Above this many candidates a block is searched only window by window,
        and its later levels' bounds are the trivial ones: on generated 10,000
        villages (847,000 candidates) the search over the whole block reached no
        LP bound in 48 s, added 12 villages to the windows' 9,572, and took the
        peak memory from about 1.5 GB to 4.5 GB.
    window_villages : int
        Villages per grid cell of the windows (a window is two cells). Generated
        3,000 villages, 24 s of windows: 30 a cell took the plan from 2,435
        villages grouped to 2,961, 40 to 2,956, 60 to 2,917, 20 to 2,946.

    Examples
    --------
    >>> SolverParams(time_limit=30).with_overrides(workers=1, seed=None)
    SolverParams(time_limit=30, workers=1, seed=0, log=False, windows_from=100000, windows_only_from=500000, window_villages=30)
    """

    time_limit: float = 60.0
    workers: int = 2
    seed: int = 0
    log: bool = False
    windows_from: int = 100_000
    windows_only_from: int = 500_000
    window_villages: int = 30

    def __post_init__(self) -> None:
        whole = partial(check_number, whole=True)
        validate_fields(self, {
            "time_limit": partial(check_number, key="solver.time_limit", example="60", above=0),
            "workers": partial(whole, key="solver.workers", example="2", at_least=1),
            "seed": _seed,
            "log": partial(check_bool, key="solver.log"),
            "windows_from": partial(whole, key="solver.windows_from", example="100000", at_least=0),
            "windows_only_from": partial(whole, key="solver.windows_only_from", example="500000", at_least=0),
            "window_villages": partial(whole, key="solver.window_villages", example="30", at_least=1),
        })

    def with_overrides(self, **overrides: Any) -> "SolverParams":
        """These parameters with the given fields replaced, ignoring those given as
        None (options the user did not set)."""
        return replace(self, **{key: value for key, value in overrides.items() if value is not None})

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> "SolverParams":
        """Parameters from a ``[solver]`` table; unknown keys are an error."""
        return cls(**known_keys(cls, values, "solver"))


def _seed(value: Any) -> int:
    seed = check_number(value, "solver.seed", "0", whole=True, at_least=0)
    # A larger seed (e.g. --seed 99999999999) would fail deep inside CP-SAT, after the data are read.
    if seed > MAX_SEED:
        raise InputError(f"seed = {seed} is above {MAX_SEED:,}, the largest seed CP-SAT takes (32 bits)", fix="use a smaller seed, e.g. seed = 0",
                         column="solver.seed")
    return seed


def known_keys(cls: type, values: dict[str, Any], section: str) -> dict[str, Any]:
    """``values`` as a dict when it is a table whose every key is a field of ``cls``,
    else an error naming every unknown key."""
    values = check_section(values, section)
    known = {f.name for f in fields(cls)}
    problems = Problems()
    for key in sorted(set(values) - known, key=str):
        problems.add(InputError(f"unknown key {key!r} in [{section}]", fix=f"use one of {', '.join(sorted(known))}", column=f"{section}.{key}"))
    problems.raise_any()
    return values


@dataclass(frozen=True)
class Locks:
    """A planner's fixed decisions, which every plan must keep.

    Parameters
    ----------
    exclude : tuple of str
        Villages never grouped.
    leads : tuple of str
        Villages that must lead a group (they may lead even when not among the
        strongest ``lead_top_share``; they must still be the strongest of their
        group and not weak).
    not_lead : tuple of str
        Villages that may not lead.
    together : tuple of tuple of str
        Sets of villages that must share a group.
    apart : tuple of (str, str)
        Pairs that must not share a group.
    pin : dict
        Village -> the lead it must be grouped under (that lead may lead even when
        not among the strongest ``lead_top_share``).

    Examples
    --------
    >>> locks = Locks.from_dict({"apart": [["a", "b"]], "pin": {"c": "d"}})
    >>> locks.apart, locks.pin, bool(locks)
    ((('a', 'b'),), {'c': 'd'}, True)
    >>> bool(Locks())
    False
    """

    exclude: tuple[str, ...] = ()
    leads: tuple[str, ...] = ()
    not_lead: tuple[str, ...] = ()
    together: tuple[tuple[str, ...], ...] = ()
    apart: tuple[tuple[str, str], ...] = ()
    pin: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        validate_fields(self, {
            "exclude": partial(_lock_ids, key="locks.exclude"),
            "leads": partial(_lock_ids, key="locks.leads"),
            "not_lead": partial(_lock_ids, key="locks.not_lead"),
            "together": _together,
            "apart": _apart,
            "pin": _pins,
        })

    def __bool__(self) -> bool:
        return any((self.exclude, self.leads, self.not_lead, self.together, self.apart, self.pin))

    @property
    def may_lead(self) -> frozenset[str]:
        """Villages the planner named as leads (``leads`` and the leads of ``pin``)."""
        return frozenset(self.leads) | frozenset(self.pin.values())

    def villages(self) -> list[tuple[str, str]]:
        """Every (lock, village id) the locks name, to check them against an instance."""
        named = [("exclude", v) for v in self.exclude] + [("leads", v) for v in self.leads]
        named += [("not_lead", v) for v in self.not_lead]
        named += [("together", v) for villages in self.together for v in villages]
        named += [("apart", v) for pair in self.apart for v in pair]
        named += [("pin", v) for pair in self.pin.items() for v in pair]
        return named

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> "Locks":
        """Locks from a ``[locks]`` table; unknown keys are an error."""
        return cls(**known_keys(cls, values, "locks"))


#: Two ids for the examples in lock messages.
_EXAMPLE_IDS = '"370784001200", "370784001201"'


def _village_id(value: Any) -> str | None:
    """A lock's village id as text (ids given as TOML integers are fine), or None when it is no id."""
    if isinstance(value, str):
        return value
    return str(int(value)) if isinstance(value, Integral) and not isinstance(value, bool) else None


def _lock_ids(value: Any, key: str, example: str = f"[{_EXAMPLE_IDS}]") -> tuple[str, ...]:
    """A lock's list of village ids; text where a list belongs would be read as its characters."""
    name = _name(key)
    if not is_list(value):
        one = _village_id(value)
        kind = "text" if isinstance(value, str) else "a table" if isinstance(value, Mapping) else "one value"
        raise InputError(f"{name} = {toml_text(value)} is {kind}, not a list", fix=f"write {name} = [{toml_text(one) if one else _EXAMPLE_IDS}]",
                         column=key)
    odd = [item for item in value if _village_id(item) is None]
    if odd:
        raise InputError(f"{name} holds {toml_text(odd[0])}, which is not a village id", fix=f"write the ids as text: {name} = {example}", column=key)
    return tuple(_village_id(item) for item in value)


def _lock_groups(value: Any, key: str) -> tuple[tuple[str, ...], ...]:
    """A lock's list of lists of village ids (``together``, ``apart``)."""
    name = _name(key)
    if not is_list(value):
        raise InputError(f"{name} = {toml_text(value)} is not a list of lists", fix=f"write {name} = [[{_EXAMPLE_IDS}]]", column=key)
    items = list(value)
    if items and all(_village_id(item) is not None for item in items):
        raise InputError(f"{name} = {toml_text(items)} is a flat list, not a list of lists", fix=f"write {name} = [{toml_text(items)}]", column=key)
    odd = [item for item in items if not is_list(item)]
    if odd:
        raise InputError(f"{name} = {toml_text(items)} holds {toml_text(odd[0])}, which is not a list of villages",
                         fix=f"write one list per lock: {name} = [[{_EXAMPLE_IDS}], ...]", column=key)
    return tuple(_lock_ids(item, key, f"[[{_EXAMPLE_IDS}]]") for item in items)


def _together(value: Any) -> tuple[tuple[str, ...], ...]:
    together = _lock_groups(value, "locks.together")
    for villages in together:
        if len(set(villages)) < 2:
            raise InputError(f"together {toml_text(list(villages))} needs two or more different villages", fix="list the villages that must share a group", column="locks.together")
    return together


def _apart(value: Any) -> tuple[tuple[str, str], ...]:
    apart = _lock_groups(value, "locks.apart")
    for pair in apart:
        if len(pair) != 2 or pair[0] == pair[1]:
            raise InputError(f"apart {toml_text(list(pair))} is not a pair of two villages", fix=f"write apart = [[{_EXAMPLE_IDS}], ...]",
                             column="locks.apart")
    return apart


def _pins(value: Any) -> dict[str, str]:
    example = "{ " + _EXAMPLE_IDS.replace(", ", " = ") + " } (village = the lead it is grouped under)"
    pins = {}
    for village, lead in check_table(value, "locks.pin", example).items():
        village_id, lead_id = _village_id(village), _village_id(lead)
        if village_id is None or lead_id is None:
            raise InputError(f"pin {toml_text(village)} = {toml_text(lead)} is not a village and its lead", fix=f"write e.g. pin = {example}", column="locks.pin")
        pins[village_id] = lead_id
    return pins


@dataclass(frozen=True)
class ObjectiveWeights:
    """Weights of the third objective level, after weak villages grouped and
    villages grouped: minimise, per group,

        compactness × distance − industry × members − strength_gap × gap

    where distance is the total member-to-lead distance in kilometres (adjacency
    hops without coordinates), members counts members whose ``industry`` equals
    their lead's, and gap is the sum of (lead strength − member strength), the
    strong helping the weak. Weights are in kilometres: ``industry = 2`` means a
    shared industry is worth 2 km of distance. The defaults minimise distance only.

    ``stability`` matters only when re-solving against a previous plan
    (:func:`pairing.explore.resolve`): a level of its own, right after weak
    villages grouped, maximises villages grouped − stability × villages whose
    assignment (the lead they are grouped under, or none) changed. With 1 (the
    default) no reshuffle is worth the villages it would group; 0 re-solves from
    scratch.

    Examples
    --------
    >>> ObjectiveWeights.from_dict({"industry": 2.0}).compactness
    1.0
    >>> ObjectiveWeights.from_dict({"stability": 0.5}).stability
    0.5
    """

    compactness: float = 1.0
    industry: float = 0.0
    strength_gap: float = 0.0
    stability: float = 1.0

    def __post_init__(self) -> None:
        validate_fields(self, {name: partial(check_number, key=f"objective.{name}", example="1.0", at_least=0)
                               for name in ("compactness", "industry", "strength_gap", "stability")})

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> "ObjectiveWeights":
        """Weights from an ``[objective]`` table; unknown keys are an error."""
        return cls(**known_keys(cls, values, "objective"))
