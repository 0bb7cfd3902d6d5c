"""Writing one file whole: into a temp file beside it, renamed into place, so a
failed write never leaves half a file or destroys an old one."""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import geopandas as gpd
import pandas as pd

from .errors import InputError


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """A temp path beside ``path`` to write into; renamed onto ``path`` when the
    block succeeds, removed when it fails (the old ``path`` stays intact).

    The temp name ends with the same suffix, for writers that choose the format
    by it.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "out.txt"
    >>> with atomic_path(path) as temp:
    ...     _ = temp.write_text("done")
    >>> path.read_text(), [p.name for p in path.parent.iterdir()]
    ('done', ['out.txt'])
    """
    path = Path(path)
    temp = path.with_name(f".{path.stem}.{secrets.token_hex(4)}.tmp{path.suffix}")
    try:
        yield temp
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)


def write_text(path: str | Path, text: str) -> Path:
    """Write UTF-8 text atomically.

    Examples
    --------
    >>> import tempfile
    >>> path = write_text(Path(tempfile.mkdtemp()) / "a.html", "<p>东村</p>")
    >>> path.read_text(encoding="utf-8")
    '<p>东村</p>'
    """
    path = Path(path)
    with atomic_path(path) as temp:
        temp.write_text(text, encoding="utf-8")
    return path


def write_bytes(path: str | Path, data: bytes) -> Path:
    """Write bytes (an image) atomically, creating the folder when missing.

    Examples
    --------
    >>> import tempfile
    >>> write_bytes(Path(tempfile.mkdtemp()) / "a.png", b"\\x89PNG").read_bytes()
    b'\\x89PNG'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as temp:
        temp.write_bytes(data)
    return path


def write_villages(table: pd.DataFrame | gpd.GeoDataFrame, path: str | Path) -> Path:
    """Write a table with one row per village, atomically, in the format of the suffix.

    ``.gpkg`` (layer ``villages``) and ``.geojson``/``.json`` need a
    GeoDataFrame (GeoJSON is written in longitude/latitude). ``.csv`` (UTF-8
    with BOM, for Excel) and ``.xlsx`` replace the geometry by a point per
    village: ``lon``/``lat`` (or ``x``/``y`` without a CRS), so that
    :func:`read_villages` can read the file back.

    Parameters
    ----------
    table : pandas.DataFrame or geopandas.GeoDataFrame
        The table.
    path : str or pathlib.Path
        Where to write it.

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "villages.csv"
    >>> _ = write_villages(pd.DataFrame({"village_id": ["037"], "name": ["东村"]}), path)
    >>> path.read_bytes().decode("utf-8")
    '\\ufeffvillage_id,name\\n037,东村\\n'
    """
    path = Path(path)
    suffix = path.suffix.lower()
    geographic = isinstance(table, gpd.GeoDataFrame) and table.active_geometry_name in table.columns
    if suffix in (".gpkg", ".geojson", ".json") and not geographic:
        raise InputError("the table has no geometry", fix="write it as .csv or .xlsx", file=str(path))
    if suffix not in (".gpkg", ".geojson", ".json", ".csv", ".xlsx"):
        raise InputError(f"cannot write {suffix or 'files without a suffix'}", fix="use .gpkg, .geojson, .csv or .xlsx", file=str(path))
    with atomic_path(path) as temp:
        if suffix == ".gpkg":
            table.to_file(temp, layer="villages", driver="GPKG")
        elif suffix in (".geojson", ".json"):
            (table.to_crs("EPSG:4326") if table.crs is not None else table).to_file(temp, driver="GeoJSON")
        else:
            plain = pd.DataFrame(table).drop(columns=table.active_geometry_name if geographic else [])
            if geographic:
                plain = plain.assign(**anchor_columns(table))
            if suffix == ".csv":
                plain.to_csv(temp, index=False, encoding="utf-8-sig")
            else:
                plain.to_excel(temp, index=False)
    return path


def anchor_columns(table: gpd.GeoDataFrame) -> dict[str, pd.Series]:
    """A point inside each village as lon/lat (to 0.1 m), or as x/y without a CRS; none if the table has them."""
    axes = ("lon", "lat") if table.crs is not None else ("x", "y")
    if set(axes) & set(table.columns):
        return {}
    anchors = table.geometry.representative_point()
    if table.crs is not None:
        anchors = anchors.to_crs("EPSG:4326")
    return {axes[0]: anchors.x.round(6), axes[1]: anchors.y.round(6)}


def file_sha256(path: str | Path) -> str:
    """The SHA-256 of a file, in hex, read in blocks.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "x.txt"
    >>> _ = path.write_bytes(b"abc")
    >>> file_sha256(path)[:16]
    'ba7816bf8f01cfea'
    """
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
