"""Checking the values of a TOML config, field by field, before anything uses them.

Each check returns the value (converted where the config's spelling differs from
the field's type) or raises an :class:`~pairing.errors.InputError` that quotes the
value as the user wrote it in TOML and says how to write it, e.g. ``time_limit =
"60" is text, not a number``. The parameter dataclasses (:mod:`pairing.rules`,
:mod:`pairing.locks`, :mod:`pairing.config`) run them in ``__post_init__``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import fields
from numbers import Integral, Real
from typing import Any

from .errors import InputError, Problems


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


def key_name(key: str) -> str:
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
    name = name or key_name(key)
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
    name = key_name(key)
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
    name = name or key_name(key)
    raise InputError(f"{name} = {toml_text(value)} is not text", fix=f"write it in quotes, e.g. {name} = {example}", column=key)


def check_choice(value: Any, key: str, choices: tuple[str, ...]) -> str:
    """``value`` when it is one of ``choices``, else an error naming ``key``."""
    if isinstance(value, str) and value in choices:
        return value
    raise InputError(f"{key_name(key)} = {toml_text(value)} is unknown", fix=f"use {' or '.join(toml_text(choice) for choice in choices)}", column=key)


def check_table(value: Any, key: str, example: str, name: str = "") -> dict:
    """``value`` as a dict when it is a TOML table, else an error naming ``key``."""
    if isinstance(value, Mapping):
        return dict(value)
    name = name or key_name(key)
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
    name = key_name(key)
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


def check_share(value: Any, key: str) -> float:
    """A share in [0, 1) (``within``, ``min_diff``, ``span``), or an error naming ``key``.

    Examples
    --------
    >>> check_share(0.02, "within")
    0.02
    >>> check_share(2, "within")
    Traceback (most recent call last):
    ...
    pairing.errors.InputError: column within: within = 2 is outside [0, 1); give a share such as 0.02 (2%)
    """
    number = _as_number(value, whole=False)
    if number is None or not 0.0 <= number < 1.0:
        raise InputError(f"{key_name(key)} = {toml_text(value)} is outside [0, 1)", fix="give a share such as 0.02 (2%)", column=key)
    return float(number)
