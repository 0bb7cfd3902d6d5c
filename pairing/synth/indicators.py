"""Plausible synthetic village indicators: population, collective income,
committee rating and industry, with strength and weakness derived from them as
a planner's config would (:data:`STRENGTH_SPEC`, :data:`WEAK_SPEC`)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..config import StrengthSpec, WeakSpec
from ..instance import derive_strength, derive_weak
from .family import CountyFamily

#: Levels of the party-committee rating (党组织评定) and their strength scores.
RATING_LEVELS: dict[str, float] = {"好": 1.0, "较好": 0.7, "一般": 0.4, "较差": 0.0}

#: How strength is derived from the synthetic indicators (the same weights the
#: bundled ``instances/anqiu_zh.toml`` declares for the planner's spreadsheet).
STRENGTH_SPEC = StrengthSpec(
    weights={"collective_income": 0.5, "population": 0.2, "committee_rating": 0.3},
    normalise="rank",
    levels={"committee_rating": RATING_LEVELS},
)

#: Weak villages: the weakest 40% by strength, plus any village under 300 people.
WEAK_SPEC = WeakSpec()

#: Leading industries (主导产业) and how common each is county-wide.
INDUSTRY_SHARES: dict[str, float] = {
    "粮食": 0.30, "蔬菜": 0.20, "生姜": 0.10, "果品": 0.12, "畜牧": 0.10, "乡村旅游": 0.06, "工贸": 0.12,
}

#: Smallest population a synthetic village can have.
MINIMUM_POPULATION = 50

_POPULATION_SIGMA = 0.55         # log-sd of population (lognormal)
_LARGE_VILLAGE_SHARE = 0.04      # share of villages drawn from the heavy tail
_MEDIAN_INCOME_WAN = 15.0        # median collective income, 万元
_RATING_CUTS = (-1.476, -0.385, 0.674)  # standard-normal cuts: 7% 较差, 28% 一般, 40% 较好, 25% 好
_RATING_ORDER = ("较差", "一般", "较好", "好")
_INDUSTRY_PERSISTENCE = 0.5      # chance a village copies the previous (nearby) village's industry


# --------------------------------------------------------------------------
# Indicators
# --------------------------------------------------------------------------
def synthetic_indicators(n: int, mean_population: float, rng: np.random.Generator,
                         townships: Sequence[object] | None = None,
                         industry_shares: dict[str, float] | None = None, family: CountyFamily | None = None) -> pd.DataFrame:
    """Draw plausible village indicators and derive strength and weakness.

    * ``population``: lognormal (log-sd 0.55) with a few large villages from a
      heavier tail, rescaled so that the mean is ``mean_population``, at least
      :data:`MINIMUM_POPULATION`;
    * ``collective_income`` (村集体收入, 万元): lognormal around 15 万元, rising
      with population (log-log correlation about 0.5);
    * ``committee_rating`` (党组织评定): 好/较好/一般/较差 (about 25/40/28/7%),
      better for larger and richer villages;
    * ``industry`` (主导产业): drawn from ``industry_shares``; each township
      favours a few industries, and a village often shares the industry of the
      previous one, so rows given in spatial order form industry clusters;
    * ``strength`` from :data:`STRENGTH_SPEC` and ``weak`` from :data:`WEAK_SPEC`;

    a ``family`` changes the population's draw, which villages are weak and
    who may lead (a ``lead_eligible`` column), as :class:`CountyFamily` says.

    Parameters
    ----------
    n : int
        Number of villages.
    mean_population : float
        Target mean population per village.
    rng : numpy.random.Generator
        Source of randomness.
    townships : sequence, optional
        Township of each row (same length as ``n``), for township-level
        industry preferences; rows should be in spatial order within a township.
    industry_shares : dict, optional
        Industry name -> county-wide share; default :data:`INDUSTRY_SHARES`
        (a north-China plain mix with Anqiu's ginger).
    family : CountyFamily, optional
        Population, weakness and leads; default ``CountyFamily()``, the draw above.

    Returns
    -------
    pandas.DataFrame
        Columns ``population`` (int), ``collective_income`` (float),
        ``committee_rating``, ``industry``, ``strength`` (float), ``weak`` (bool),
        and ``lead_eligible`` (bool) when the family says who may lead.

    Examples
    --------
    >>> import numpy as np
    >>> table = synthetic_indicators(500, 440, np.random.default_rng(0))
    >>> list(table.columns)
    ['population', 'collective_income', 'committee_rating', 'industry', 'strength', 'weak']
    >>> bool(abs(table["population"].mean() - 440) < 5), int(table["population"].min()) >= 50
    (True, True)
    """
    if n < 1:
        raise ValueError(f"synthetic_indicators needs n >= 1, got {n}")
    if townships is not None and len(townships) != n:
        raise ValueError(f"townships has {len(townships)} entries for {n} villages")
    family = family or CountyFamily()
    if family.population_median is None:
        population = _draw_population(n, mean_population, rng)
    else:
        low, high = family.population_clip
        drawn = family.population_median * rng.lognormal(0.0, family.population_sigma, n)
        population = np.clip(np.round(drawn), low, high).astype(np.int64)
    log_population = np.log(population)
    population_score = _standardised(log_population)
    log_income = np.log(_MEDIAN_INCOME_WAN) + 0.45 * population_score + rng.normal(0.0, 0.8, n)
    income = np.maximum(np.round(np.exp(log_income), 1), 0.1)
    latent = 0.45 * population_score + 0.55 * _standardised(np.log(income)) + rng.normal(0.0, 0.8, n)
    rating = np.asarray(_RATING_ORDER, dtype=object)[np.digitize(_standardised(latent), _RATING_CUTS)]
    table = pd.DataFrame({
        "population": population,
        "collective_income": income,
        "committee_rating": rating.astype(str),
        "industry": _draw_industries(n, rng, townships, industry_shares or INDUSTRY_SHARES),
    })
    table["strength"] = derive_strength(table, STRENGTH_SPEC)
    table["weak"] = _weak(table, family, rng)
    if family.writes_lead_eligible:
        strongest = table["strength"].rank(method="first", ascending=False) <= max(1, np.ceil(family.lead_share * n - 1e-9))
        table["lead_eligible"] = strongest & (family.weak_may_lead | ~table["weak"])
    return table


def _weak(table: pd.DataFrame, family: CountyFamily, rng: np.random.Generator) -> pd.Series:
    """The weakest ``weak_share`` by strength (ranked with noise), or under ``weak_below`` people."""
    spec = WeakSpec(strength_share=family.weak_share, population_below=family.weak_below)
    score = table["strength"]
    if family.weak_noise > 0:
        score = score.rank(pct=True) + rng.normal(0.0, family.weak_noise, len(table))
    return derive_weak(score, table["population"], spec).astype(bool)


def _standardised(values: np.ndarray) -> np.ndarray:
    spread = values.std()
    return (values - values.mean()) / spread if spread > 0 else np.zeros_like(values, dtype=float)


def _draw_population(n: int, mean_population: float, rng: np.random.Generator) -> np.ndarray:
    """Lognormal populations with a heavy tail, rescaled to ``mean_population``."""
    raw = rng.lognormal(0.0, _POPULATION_SIGMA, n)
    large = rng.random(n) < _LARGE_VILLAGE_SHARE
    raw[large] *= rng.uniform(1.5, 3.0, int(large.sum()))
    scale = mean_population / raw.mean()
    for _ in range(8):  # the floor raises the mean a little; shrink the scale until it is stable
        scale *= mean_population / np.maximum(raw * scale, MINIMUM_POPULATION).mean()
    values = np.maximum(raw * scale, MINIMUM_POPULATION)
    return np.maximum(np.round(values), MINIMUM_POPULATION).astype(np.int64)


def _draw_industries(n: int, rng: np.random.Generator, townships: Sequence[object] | None,
                     industry_shares: dict[str, float]) -> np.ndarray:
    """Industries with township preferences and spatial persistence along the rows."""
    names = np.array(list(industry_shares), dtype=object)
    shares = np.array(list(industry_shares.values()), dtype=float)
    if len(shares) == 0 or (shares <= 0).any():
        raise ValueError(f"industry shares must be positive, got {industry_shares}")
    shares = shares / shares.sum()
    labels = np.zeros(n, dtype=np.int64) if townships is None else pd.factorize(pd.Series(list(townships)))[0]
    preferences = {label: rng.dirichlet(shares * 6.0) for label in np.unique(labels)}
    industries = np.empty(n, dtype=object)
    for i in range(n):
        if i and labels[i] == labels[i - 1] and rng.random() < _INDUSTRY_PERSISTENCE:
            industries[i] = industries[i - 1]
        else:
            industries[i] = names[rng.choice(len(names), p=preferences[labels[i]])]
    return industries.astype(str)
