"""The frontier's chart: weak villages grouped against distance (or groups)."""

from __future__ import annotations

import pandas as pd


def frontier_figure(curve: pd.DataFrame, measure: str = "distance", unit: str = "m"):
    """The frontier as a matplotlib Figure (no pyplot state): weak villages grouped
    against ``measure``, proven points filled, unproven ones hollow.

    Examples
    --------
    >>> curve = pd.DataFrame({"weak_grouped": [2, 4], "groups": [1, 2], "distance": [2000, 5000], "status": ["OPTIMAL", "FEASIBLE"]})
    >>> frontier_figure(curve, "groups").axes[0].get_xlabel()
    'weak villages grouped'
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6.5, 4.5), dpi=120)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    found = curve.dropna(subset=["weak_grouped"])
    values = found[measure] / (1000 if measure == "distance" and unit == "m" else 1)
    axes.plot(found["weak_grouped"], values, color="#1f77b4", linewidth=1.2)
    proven = (found["status"] == "OPTIMAL").to_numpy()
    axes.scatter(found["weak_grouped"][proven], values[proven], color="#1f77b4", zorder=3, label="proven least")
    axes.scatter(found["weak_grouped"][~proven], values[~proven], facecolor="white", edgecolor="#1f77b4", zorder=3,
                 label="best found (not proven)")
    axes.set_xlabel("weak villages grouped")
    axes.set_ylabel({"distance": f"total member-to-lead distance ({'km' if unit == 'm' else unit})", "groups": "groups"}[measure])
    axes.set_title("What grouping more weak villages costs")
    axes.grid(alpha=0.3)
    axes.legend(frameon=False)
    figure.tight_layout()
    return figure
