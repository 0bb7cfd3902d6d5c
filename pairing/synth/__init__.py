"""Plausible synthetic geography and village indicators.

Two uses: ``pairing generate`` builds a whole synthetic county with
:func:`~pairing.synth.county.synthetic_county`, and ``instances/build.py`` dresses the real village
lists of four counties (codes, names, townships) with synthetic polygons and
indicators using the same building blocks:

* :func:`partition_region` cuts a region into contiguous parts of given areas
  (townships inside a county);
* :func:`voronoi_villages` tiles a region with village-like cells whose shared
  borders give a natural adjacency graph;
* :func:`weld_borders` makes polygons cut out separately share their borders
  exactly;
* :func:`synthetic_indicators` draws population, collective income, committee
  rating and industry, then derives strength and weakness with
  :data:`STRENGTH_SPEC` and :data:`WEAK_SPEC`.

Everything is driven by a :class:`numpy.random.Generator`, so a seed gives the
same result on every run. Geometry is in metres (a projected CRS).
"""

from .county import MEAN_POPULATION, SYNTHETIC_CRS, synthetic_county
from .geography import partition_region, voronoi_villages, weld_borders
from .indicators import INDUSTRY_SHARES, RATING_LEVELS, STRENGTH_SPEC, WEAK_SPEC, synthetic_indicators

__all__ = ["INDUSTRY_SHARES", "MEAN_POPULATION", "RATING_LEVELS", "STRENGTH_SPEC", "SYNTHETIC_CRS", "WEAK_SPEC", "partition_region",
           "synthetic_county", "synthetic_indicators", "voronoi_villages", "weld_borders"]
