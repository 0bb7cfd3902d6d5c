"""The planner's locks: villages left out, leads kept, pairs kept together or
apart, villages pinned under a lead. Every plan the solver returns keeps them
(see :mod:`pairing.model.constraints` for how), and the checker checks them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import partial
from numbers import Integral
from typing import Any

from .errors import InputError
from .fields import check_table, is_list, key_name, known_keys, toml_text, validate_fields


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
    name = key_name(key)
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
    name = key_name(key)
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
