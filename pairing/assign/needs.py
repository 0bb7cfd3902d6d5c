"""What each village needs: read from its ``needs`` column (one or more needs
per cell, in the county's own words mapped by ``[assign] names``), or derived
from its indicators by ``[assign.derive]`` rules, as ``[weak]`` derives
weakness. Every unknown word of the file is reported at once, with the known
ones."""

from __future__ import annotations

import re

from ..errors import InputError, Problems
from ..instance import Instance
from .settings import BUILT_IN_NAMES, NEEDS, AssignSettings, canonical_word

#: What separates the needs written in one cell.
SEPARATORS = re.compile(r"[,，、;；/|+\s]+")


def split_words(text: str) -> list[str]:
    """The words of a cell of needs or skills, empty for an empty cell.

    Examples
    --------
    >>> split_words("organisation、产业; income"), split_words("")
    (['organisation', '产业', 'income'], [])
    """
    return [word for word in SEPARATORS.split(str(text).strip()) if word]


def known_words(settings: AssignSettings, allowed: tuple[str, ...] = NEEDS) -> str:
    """The words a cell may hold, for an error's fix."""
    spelled = [word for word, meaning in {**BUILT_IN_NAMES, **settings.names}.items() if meaning in allowed]
    return f"use {', '.join(allowed)} (or {', '.join(spelled)}), or map the word in [assign] names"


def parse_words(text: str, settings: AssignSettings, allowed: tuple[str, ...], row: str, column: str, problems: Problems) -> tuple[str, ...]:
    """A cell's words as canonical names in the order of ``allowed``; each unknown word added to ``problems``."""
    found = set()
    for word in split_words(text):
        meaning = canonical_word(word, settings.names, allowed)
        if meaning is None:
            problems.add(InputError(f"unknown {'need' if allowed == NEEDS else 'word'} {word!r}", fix=known_words(settings, allowed), row=row,
                                    column=column))
        else:
            found.add(meaning)
    return tuple(word for word in allowed if word in found)


def village_needs(instance: Instance, settings: AssignSettings) -> dict[str, tuple[str, ...]]:
    """Each village's needs (empty when it needs nothing), from the needs column or derived.

    Raises
    ------
    InputError
        An unknown need in the column (every one, by village), a derive rule's
        column missing, or neither a needs column nor derive rules.

    Examples
    --------
    >>> county = path_county(villages=3, needs=["income", "", "软弱涣散、环境"])
    >>> village_needs(county, AssignSettings())
    {'a': ('income',), 'b': (), 'c': ('organisation', 'environment')}
    >>> county = path_county(villages=3, collective_income=[2.0, 9.0, 0.0])
    >>> village_needs(county, AssignSettings.from_dict({"derive": {"income": {"column": "collective_income", "below": 3}}}))
    {'a': ('income',), 'b': (), 'c': ('income',)}
    """
    try:
        return _needs(instance, settings)
    except InputError as error:
        raise error.in_file(instance.source) if instance.source else error from None


def _needs(instance: Instance, settings: AssignSettings) -> dict[str, tuple[str, ...]]:
    table, column = instance.villages, settings.needs_column
    problems = Problems()
    if column in table.columns:
        cells = table[column].fillna("")
        needs = {village: parse_words(cell, settings, NEEDS, f"village {village}", column, problems) for village, cell in zip(instance.ids, cells)}
        problems.raise_any()
        return needs
    if not settings.derive:
        raise InputError(f"missing column {column} (the villages' needs)",
                         fix=f"add it (one or more of {', '.join(NEEDS)} per village), map it with [assign] needs_column, or derive needs in [assign.derive]",
                         column=column)
    for need, rule in settings.derive.items():
        if rule.column not in table.columns:
            problems.add(InputError(f"missing column {rule.column} (for [assign.derive] {need})", fix="add it to the file, or fix the rule",
                                    column=rule.column))
    problems.raise_any()
    held = {need: [rule.holds(value) for value in table[rule.column]] for need, rule in settings.derive.items()}
    return {village: tuple(need for need in NEEDS if need in held and held[need][row]) for row, village in enumerate(instance.ids)}
