"""The ``[assign]`` sections of a config file: which needs villages have and how
they are read or derived, how many helpers of each role a village or a group
takes, how far a helper may be sent, and the planner's locks on helpers.

The needs and roles are fixed words (:data:`NEEDS`, :data:`ROLES`); a county's
own words for them (``软弱涣散``, ``驻村工作队员``) are mapped in ``names``. Every
value is checked once, here, with the key named in the error.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from ..config import toml_table
from ..errors import InputError, Problems
from ..fields import (
    check_bool,
    check_number,
    check_section,
    check_table,
    check_text,
    is_list,
    known_keys,
    toml_text,
    validate_fields,
)

#: What a village may need, "one key for one lock" (seeds 002 and 004).
NEEDS = ("organisation", "industry", "mass_work", "environment", "income")
#: What a helper is sent as.
ROLES = ("first_secretary", "resident_cadre")
#: Words planners write for the needs and the roles, besides the canonical ones.
BUILT_IN_NAMES = {
    "组织": "organisation", "党建": "organisation", "组织建设": "organisation", "软弱涣散": "organisation", "基层党建": "organisation",
    "产业": "industry", "产业发展": "industry", "项目": "industry", "经济": "industry",
    "群众工作": "mass_work", "矛盾纠纷": "mass_work", "信访": "mass_work",
    "环境": "environment", "人居环境": "environment", "环境整治": "environment",
    "集体收入": "income", "集体经济": "income", "增收": "income",
    "第一书记": "first_secretary", "驻村干部": "resident_cadre", "驻村工作队员": "resident_cadre", "工作队员": "resident_cadre",
}
#: Canonical columns of the helpers and units tables, and the Chinese headers read without a mapping.
HELPER_COLUMNS = {"helper_id": ("编号", "干部编号"), "name": ("姓名",), "unit": ("单位", "单位编号", "派出单位"), "role": ("职务", "角色", "选派类别"),
                  "skills": ("专长", "技能"), "home": ("住址", "驻地", "居住地"), "lon": ("经度",), "lat": ("纬度",), "x": (), "y": (),
                  "previous": ("上年帮扶", "上年帮扶村")}
UNIT_COLUMNS = {"unit_id": ("单位编号",), "name": ("单位名称", "名称"), "kind": ("类别", "单位类别"), "skills": ("专长", "职能"),
                "capacity": ("可派人数", "可派干部数"), "villages": ("可结对村数",)}


def canonical_word(text: str, names: dict[str, str], allowed: tuple[str, ...]) -> str | None:
    """``text`` as one of ``allowed`` (itself, a built-in name or one of the
    config's ``names``), or None.

    Examples
    --------
    >>> canonical_word("软弱涣散", {}, NEEDS), canonical_word("Mass_Work", {}, NEEDS), canonical_word("路灯", {}, NEEDS)
    ('organisation', 'mass_work', None)
    """
    word = text.strip()
    for candidate in (names.get(word), BUILT_IN_NAMES.get(word), word.lower()):
        if candidate in allowed:
            return candidate
    return None


@dataclass(frozen=True)
class NeedRule:
    """A need derived from an indicator: numbers ``below`` or ``above`` a
    threshold, or texts among ``levels``.

    Examples
    --------
    >>> NeedRule("collective_income", below=5.0).holds("3.2"), NeedRule("committee_rating", levels=("较差",)).holds("好")
    (True, False)
    """

    column: str
    below: float | None = None
    above: float | None = None
    levels: tuple[str, ...] = ()

    def holds(self, value: Any) -> bool:
        """Whether an indicator's cell means the need (an empty or non-numeric cell does not)."""
        if self.levels:
            return str(value).strip() in self.levels
        try:
            number = float(value)
        except (TypeError, ValueError):
            return False
        return math.isfinite(number) and (self.below is None or number < self.below) and (self.above is None or number > self.above)


def _need_rule(need: str, value: Any) -> NeedRule:
    key = f"assign.derive.{need}"
    table = check_table(value, key, '{ column = "collective_income", below = 5 }', name=need)
    known = {"column", "below", "above", "levels"}
    unknown = sorted(set(table) - known)
    if unknown:
        raise InputError(f"unknown key {unknown[0]!r} in {need}", fix=f"use {', '.join(sorted(known))}", column=key)
    if "column" not in table:
        raise InputError(f"{need} has no column", fix=f'write {need} = {{ column = "collective_income", below = 5 }}', column=key)
    levels = table.get("levels", [])
    if not is_list(levels) or not all(isinstance(level, str) for level in levels):
        raise InputError(f"levels = {toml_text(levels)} is not a list of texts", fix='write e.g. levels = ["较差"]', column=key)
    bounds = {side: check_number(table[side], key, "5", name=side) for side in ("below", "above") if side in table}
    if not levels and not bounds:
        raise InputError(f"{need} says neither below, above nor levels", fix="give a threshold (below = 5) or levels = [...]", column=key)
    return NeedRule(check_text(table["column"], key, '"collective_income"', name="column"), bounds.get("below"), bounds.get("above"),
                    tuple(levels))


def _derive(value: Any) -> dict[str, NeedRule]:
    problems, rules = Problems(), {}
    for need, rule in check_table(value, "assign.derive", '{ income = { column = "collective_income", below = 5 } }').items():
        with problems.collecting():
            if need not in NEEDS:
                raise InputError(f"unknown need {need!r}", fix=f"use one of {', '.join(NEEDS)}", column=f"assign.derive.{need}")
            rules[need] = _need_rule(need, rule)
    problems.raise_any()
    return rules


def _counts(value: Any, key: str) -> dict[str, tuple[int, int]]:
    """Role -> (at least, at most) helpers; a single number is both."""
    counts, problems = {}, Problems()
    for role, count in check_table(value, key, "{ resident_cadre = [3, 5] }").items():
        with problems.collecting():
            if role not in ROLES:
                raise InputError(f"unknown role {role!r}", fix=f"use one of {', '.join(ROLES)}", column=f"{key}.{role}")
            if is_list(count):
                low, high = (check_number(item, f"{key}.{role}", "[3, 5]", whole=True, at_least=0, name=role) for item in count) if len(
                    count) == 2 else (None, None)
                if low is None or low > high:
                    raise InputError(f"{role} = {toml_text(count)} is not [at least, at most]", fix=f"write e.g. {role} = [3, 5]", column=f"{key}.{role}")
            else:
                low = high = check_number(count, f"{key}.{role}", "1", whole=True, at_least=0, name=role)
            counts[role] = (low, high)
    problems.raise_any()
    return counts


def _names(value: Any) -> dict[str, str]:
    names, problems = {}, Problems()
    for word, meaning in check_table(value, "assign.names", '{ "软弱涣散" = "organisation" }').items():
        with problems.collecting():
            if meaning not in NEEDS + ROLES:
                raise InputError(f"{toml_text(word)} = {toml_text(meaning)} names no need or role",
                                 fix=f"map it to one of {', '.join(NEEDS + ROLES)}", column="assign.names")
            names[str(word)] = meaning
    problems.raise_any()
    return names


def _columns(value: Any, key: str, known: dict) -> dict[str, str]:
    columns = check_table(value, key, '{ helper_id = "编号" }')
    for canonical, column in columns.items():
        if canonical not in known:
            raise InputError(f"unknown column {canonical!r}", fix=f"map one of {', '.join(known)}", column=f"{key}.{canonical}")
        check_text(column, f"{key}.{canonical}", '"编号"')
    return columns


def _ids(value: Any, key: str) -> tuple[str, ...]:
    if not is_list(value) or not all(isinstance(item, (str, int)) and not isinstance(item, bool) for item in value):
        raise InputError(f"{key.rpartition('.')[2]} = {toml_text(value)} is not a list of ids", fix='write e.g. ["H001", "H002"]', column=key)
    return tuple(str(item) for item in value)


@dataclass(frozen=True)
class AssignLocks:
    """The planner's decisions on helpers.

    Parameters
    ----------
    pin : dict
        Helper id -> the village or group id it must serve.
    forbid : tuple of (helper id, target id)
        Pairings that must not be made.
    keep : tuple of str
        Helpers who must serve where they served last year.
    keep_previous : bool
        Every helper who served last year serves there again (where it still can).
    """

    pin: dict[str, str] = field(default_factory=dict)
    forbid: tuple[tuple[str, str], ...] = ()
    keep: tuple[str, ...] = ()
    keep_previous: bool = False

    def __post_init__(self) -> None:
        validate_fields(self, {
            "pin": lambda value: {str(helper): str(target) for helper, target in check_table(value, "assign.locks.pin", '{ "H001" = "420115001200" }').items()},
            "forbid": _forbid,
            "keep": partial(_ids, key="assign.locks.keep"),
            "keep_previous": partial(check_bool, key="assign.locks.keep_previous"),
        })

    @classmethod
    def from_dict(cls, values: Any) -> AssignLocks:
        return cls(**known_keys(cls, values, "assign.locks"))


def _forbid(value: Any) -> tuple[tuple[str, str], ...]:
    pairs = list(value) if is_list(value) else None
    if pairs is None or not all(is_list(pair) and len(pair) == 2 for pair in pairs):
        raise InputError(f"forbid = {toml_text(value)} is not a list of [helper, village] pairs", fix='write forbid = [["H001", "420115001200"]]',
                         column="assign.locks.forbid")
    return tuple((str(helper), str(target)) for helper, target in pairs)


@dataclass(frozen=True)
class AssignSettings:
    """The ``[assign]`` section: see the README's "Helper pairing" for every key.

    Examples
    --------
    >>> settings = AssignSettings.from_dict({"per_village": {"resident_cadre": [2, 4]}, "names": {"软弱涣散": "organisation"}})
    >>> settings.per_village, settings.max_km
    ({'resident_cadre': (2, 4)}, 50.0)
    >>> AssignSettings.from_dict({"max_km": "60"})
    Traceback (most recent call last):
    ...
    pairing.errors.InputError: key assign.max_km: max_km = "60" is text, not a number; write it without quotes: max_km = 60
    """

    needs_column: str = "needs"
    names: dict[str, str] = field(default_factory=dict)
    derive: dict[str, NeedRule] = field(default_factory=dict)
    per_village: dict[str, tuple[int, int]] = field(default_factory=lambda: {"first_secretary": (1, 1), "resident_cadre": (3, 5)})
    per_group: dict[str, tuple[int, int]] = field(default_factory=lambda: {"first_secretary": (1, 1)})
    max_km: float = 50.0
    helper_columns: dict[str, str] = field(default_factory=dict)
    unit_columns: dict[str, str] = field(default_factory=dict)
    locks: AssignLocks = field(default_factory=AssignLocks)

    def __post_init__(self) -> None:
        validate_fields(self, {
            "needs_column": partial(check_text, key="assign.needs_column", example='"四类村类别"'),
            "names": _names,
            "max_km": partial(check_number, key="assign.max_km", example="60", above=0),
            "helper_columns": partial(_columns, key="assign.helper_columns", known=HELPER_COLUMNS),
            "unit_columns": partial(_columns, key="assign.unit_columns", known=UNIT_COLUMNS),
        })
        object.__setattr__(self, "max_km", float(self.max_km))

    @classmethod
    def from_dict(cls, values: Any) -> AssignSettings:
        """The settings from an ``[assign]`` table; every problem at once."""
        values = known_keys(cls, values, "assign")
        problems, parsed = Problems(), {}
        readers = {"derive": _derive, "per_village": partial(_counts, key="assign.per_village"),
                   "per_group": partial(_counts, key="assign.per_group"), "locks": AssignLocks.from_dict}
        for key, value in values.items():
            with problems.collecting():
                parsed[key] = readers[key](value) if key in readers else value
        problems.raise_any()
        return cls(**parsed)

    @classmethod
    def from_toml(cls, path: str | Path | None) -> AssignSettings:
        """The ``[assign]`` section of a config file (the defaults without one); errors name the file."""
        if path is None:
            return cls()
        table = toml_table(path)
        try:
            return cls.from_dict(check_section(table.get("assign", {}), "assign"))
        except InputError as error:
            raise error.in_file(str(path)) from None
