"""Families of synthetic counties: how villages are laid out, how many people
they hold, which are weak and which may lead.

A solver tuned on one kind of county can fail on another, so ``pairing
generate`` draws counties of several families (:data:`FAMILIES`), each a
:class:`CountyFamily` whose fields can also be set one by one.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import partial
from typing import Any, Literal

from ..errors import InputError
from ..fields import check_bool, check_choice, check_number, check_pair, validate_fields

Layout = Literal["even", "clustered"]


@dataclass(frozen=True)
class CountyFamily:
    """How a synthetic county is drawn.

    Parameters
    ----------
    layout : {"even", "clustered"}
        ``even``: townships are contiguous parts of the county sized by their
        villages, tiled by evenly shaped Voronoi villages; ``clustered``: the
        villages crowd around township seats (small cells near a seat, large
        ones between seats) over a uniform background, and a village belongs to
        the township of its nearest seat.
    background_share : float
        ``clustered``: share of villages spread uniformly over the county.
    seat_spread : float
        ``clustered``: spread of the villages around a seat, as a share of the
        distance between seats.
    population_median : float or None
        Median village population of a lognormal; ``None`` keeps the default
        draw (lognormal with a heavier tail, mean 440, as Anqiu's census).
    population_sigma : float
        Log-sd of the lognormal with ``population_median``.
    population_clip : (int, int)
        Fewest and most people of a village.
    weak_share : float
        The least strong this share of villages is weak.
    weak_noise : float
        Noise (sd, in shares of the ranking) on strength when choosing the weak
        ones, so that some rather strong villages are weak (a hollowed-out
        village can be rich) and some weak-looking ones are not.
    weak_below : int
        Villages under this many people are weak as well (0: none).
    weak_may_lead : bool
        Whether a weak village may lead a group; ``False`` writes a
        ``lead_eligible`` column without them.
    lead_share : float
        Leads come from the strongest this share of villages (written as a
        ``lead_eligible`` column when it is not the rules' default 0.3 or weak
        villages may not lead).

    Examples
    --------
    >>> FAMILIES["clustered"].population_median
    490.0
    >>> CountyFamily().with_overrides(weak_share=0.5, lead_share=None).weak_share
    0.5
    """

    layout: Layout = "even"
    background_share: float = 0.3
    seat_spread: float = 0.25
    population_median: float | None = None
    population_sigma: float = 0.55
    population_clip: tuple[int, int] = (50, 100_000)
    weak_share: float = 0.4
    weak_noise: float = 0.0
    weak_below: int = 300
    weak_may_lead: bool = True
    lead_share: float = 0.3

    def __post_init__(self) -> None:
        share = partial(check_number, example="0.4", at_least=0, at_most=1)
        validate_fields(self, {
            "layout": partial(check_choice, key="layout", choices=("even", "clustered")),
            "background_share": partial(share, key="background_share"),
            "seat_spread": partial(check_number, key="seat_spread", example="0.25", above=0),
            "population_median": _population_median,
            "population_sigma": partial(check_number, key="population_sigma", example="0.6", at_least=0),
            "population_clip": _population_clip,
            "weak_share": partial(share, key="weak_share"),
            "weak_noise": partial(check_number, key="weak_noise", example="0.1", at_least=0),
            "weak_below": partial(check_number, key="weak_below", example="300", at_least=0, whole=True),
            "weak_may_lead": partial(check_bool, key="weak_may_lead"),
            "lead_share": partial(check_number, key="lead_share", example="0.3", above=0, at_most=1),
        })

    def with_overrides(self, **values: Any) -> "CountyFamily":
        """This family with the fields given (``None`` values are left as they are)."""
        return replace(self, **{key: value for key, value in values.items() if value is not None})

    @property
    def writes_lead_eligible(self) -> bool:
        """Whether a ``lead_eligible`` column says who may lead (the rules' default would not)."""
        return not self.weak_may_lead or self.lead_share != 0.3


def _population_median(value: Any) -> float | None:
    return None if value is None else float(check_number(value, key="population_median", example="490", above=0))


def _population_clip(value: Any) -> tuple[int, int]:
    low, high = check_pair(value, "population_clip", "[80, 3000]")
    if low < 1:
        raise InputError(f"population_clip starts at {low}", fix="a village has at least 1 person: e.g. [80, 3000]", column="population_clip")
    return (low, high)


#: The families ``pairing generate --family`` knows. ``even`` is the default
#: county of earlier versions (the same seed gives the same county);
#: ``clustered`` crowds villages around 15-odd township seats with a background,
#: weak villages chosen with noise and never leading; ``hilly`` has small,
#: scattered villages, half of them weak, few leads; ``plains`` has large
#: villages, fewer weak ones and more leads, so groups are of 3 villages.
FAMILIES: dict[str, CountyFamily] = {
    "even": CountyFamily(),
    "clustered": CountyFamily(layout="clustered", population_median=490.0, population_sigma=0.6,
                              population_clip=(80, 3000), weak_noise=0.1, weak_below=0, weak_may_lead=False),
    "hilly": CountyFamily(layout="clustered", background_share=0.6, seat_spread=0.4, population_median=300.0,
                          population_sigma=0.75, population_clip=(60, 2500), weak_share=0.5, weak_noise=0.15,
                          weak_below=150, weak_may_lead=False, lead_share=0.2),
    "plains": CountyFamily(population_median=620.0, population_sigma=0.45, population_clip=(150, 3000),
                           weak_share=0.3, weak_noise=0.05, weak_below=0, lead_share=0.4),
}


def family_named(name: str) -> CountyFamily:
    """The family of that name, or an error listing the known ones."""
    try:
        return FAMILIES[name]
    except KeyError:
        raise InputError(f"no county family {name!r}", fix=f"use one of {', '.join(FAMILIES)}", column="family") from None
