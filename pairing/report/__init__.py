"""The presentation layer: the map (its layers, SVG, PNG), the fonts, the HTML
report, the frontier chart and the notebook displays (see each module)."""
