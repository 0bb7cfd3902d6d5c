"""Writing one file whole: into a temp file beside it, renamed into place, so a
failed write never leaves half a file or destroys an old one; and a workbook
set up to print (:func:`write_workbook`)."""

from __future__ import annotations

import datetime
import hashlib
import math
import os
import re
import secrets
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from .errors import InputError
from .labels import CJK_START


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
                # Twelve significant digits: 0.439, not the 0.43899999999999995 that arithmetic leaves.
                plain.to_csv(temp, index=False, encoding="utf-8-sig", float_format="%.12g")
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


# -- workbooks that print ------------------------------------------------------------------------
#: What one printed A4 page holds across, in Excel's column-width units (about a
#: digit of the default font), at 100% with the margins of :func:`write_workbook`.
A4_COLUMNS = {"portrait": 92, "landscape": 138}
#: A column holding longer text than this many units is this wide, its text wrapped.
WRAP_WIDTH = 60
#: Paper size code of A4 in a workbook's page setup.
A4 = 9
#: The height of a row of text in the default font, in points.
ROW_POINTS = 15.0


def write_workbook(path: str | Path, sheets: Mapping[str, pd.DataFrame], *, key_columns: Mapping[str, int] | None = None,
                   header: str = "", footer: str = "&P / &N") -> Path:
    """Write tables as the sheets of an XLSX workbook (with xlsxwriter),
    atomically, each set up to print on A4.

    Each sheet has a bold header row with filters, frozen and repeated on every
    printed page; columns as wide as their text (a Chinese character counts
    twice), up to :data:`WRAP_WIDTH`, beyond which the text wraps; whole numbers
    with thousands separators and decimals without float noise; A4 paper,
    landscape when the columns are wider than a portrait page, fitted to the
    page's width, gridlines printed, the sheet's name and ``header`` at the top
    of each page and ``footer`` (page numbers: ``&P`` of ``&N``) at the bottom.
    The first ``key_columns[sheet]`` columns (one by default) are frozen too and
    repeated on every page. Text is never read as a formula, number or link.

    Examples
    --------
    >>> import tempfile, openpyxl
    >>> path = write_workbook(Path(tempfile.mkdtemp()) / "book.xlsx", {"groups": pd.DataFrame({"group_id": ["G001"], "population": [1200]})})
    >>> sheet = openpyxl.load_workbook(path)["groups"]
    >>> sheet.page_setup.paperSize, sheet.print_title_rows, sheet.freeze_panes, sheet["B2"].number_format
    (9, '$1:$1', 'B2', '#,##0')
    """
    import xlsxwriter

    path = Path(path)
    with atomic_path(path) as temp:
        book = xlsxwriter.Workbook(str(temp), {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False})
        try:
            formats = {
                "header": book.add_format({"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#F2F2F2"}),
                "wrap": book.add_format({"text_wrap": True, "valign": "top"}),
                "text": book.add_format({"valign": "top"}),
                "date": book.add_format({"num_format": "yyyy-mm-dd hh:mm", "valign": "top"}),
            }
            for name, table in sheets.items():
                _write_sheet(book, formats, name, table, (key_columns or {}).get(name, 1), header, footer)
        finally:
            book.close()
    return path


def _write_sheet(book, formats: dict, name: str, table: pd.DataFrame, key_columns: int, header: str, footer: str) -> None:
    sheet = book.add_worksheet(name)
    widths, lines = [], {}
    for position, column in enumerate(table.columns):
        cells, kind, shown, number_format = _column_cells(table[column])
        title = str(column)
        # A bold header is about a tenth wider than its text.
        width = min(WRAP_WIDTH, max(max(shown, default=0), math.ceil(1.1 * text_width(title)), 4)) + 2
        widths.append(width)
        wraps = kind == "text" and any(size > width - 2 for size in shown)
        cell_format = formats["wrap"] if wraps else formats["text"] if kind == "text" else \
            formats["date"] if kind == "date" else book.add_format({"num_format": number_format, "valign": "top"})
        sheet.set_column(position, position, width, cell_format)
        sheet.write_string(0, position, title, formats["header"])
        lines[0] = max(lines.get(0, 1), wrapped_lines(title, width - 1))
        write = {"text": sheet.write_string, "number": sheet.write_number, "bool": sheet.write_boolean, "date": sheet.write_datetime}[kind]
        for row, cell in enumerate(cells, start=1):
            if cell is not None:
                write(row, position, cell, cell_format)
                if wraps and shown[row - 1] > width - 2:
                    lines[row] = max(lines.get(row, 1), wrapped_lines(cell, width - 1))
    # Spreadsheet programs do not all grow a row for its wrapped text (LibreOffice does not): give the height.
    for row, count in lines.items():
        if count > 1:
            sheet.set_row(row, ROW_POINTS * count)
    rows, columns = len(table), len(table.columns)
    key_columns = min(key_columns, columns)
    sheet.freeze_panes(1, key_columns)
    if rows and columns:
        sheet.autofilter(0, 0, rows, columns - 1)
    sheet.set_paper(A4)
    if sum(widths) > A4_COLUMNS["portrait"]:
        sheet.set_landscape()
    else:
        sheet.set_portrait()
    sheet.fit_to_pages(1, 0)  # one page wide, as many pages long as it takes
    sheet.repeat_rows(0)
    if key_columns:
        sheet.repeat_columns(0, key_columns - 1)
    sheet.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    sheet.set_header(f"&L&A&R{header.replace('&', '&&')}", margin=0.25)
    sheet.set_footer(f"&C{footer}", margin=0.25)
    sheet.hide_gridlines(0)  # printed too
    sheet.center_horizontally()


def wrapped_lines(text: str, width: int) -> int:
    """How many lines ``text`` takes wrapped in a column ``width`` digits wide
    (at spaces, and between Chinese characters), by :func:`text_width`.

    Examples
    --------
    >>> wrapped_lines("not chosen: it fits a valid group", 12), wrapped_lines("东十里村委会、城里村委会", 10)
    (3, 3)
    """
    count, used = 1, 0
    for token in re.findall(r"[\u2e80-\U0010ffff]|[^\s\u2e80-\U0010ffff]+\s*|\s+", text):
        size = text_width(token.rstrip())
        if used and used + size > width:
            count, used = count + 1, 0
        while size > width:  # a word longer than the line is broken
            count, size = count + 1, size - width
        used += size + text_width(token) - text_width(token.rstrip())
    return count


def text_width(text: str) -> int:
    """How wide a text shows in a spreadsheet, in digits: a Chinese character counts twice.

    Examples
    --------
    >>> text_width("G001"), text_width("东十里村")
    (4, 8)
    """
    return len(text) if text.isascii() else len(text) + len(_WIDE.findall(text))


#: A character that shows two digits wide.
_WIDE = re.compile(f"[{chr(CJK_START)}-\U0010ffff]")


def _column_cells(values: pd.Series) -> tuple[list, str, list[int], str]:
    """A column's cells as Python values (None for an empty one), their kind
    (``text``, ``number``, ``bool``, ``date``), the widths they show at (each
    text cell's, measured once; one width for the other kinds) and their number format."""
    if pd.api.types.is_bool_dtype(values):
        return [bool(value) for value in values], "bool", [5], ""
    if pd.api.types.is_datetime64_any_dtype(values):
        if getattr(values.dt, "tz", None) is not None:
            values = values.dt.tz_localize(None)
        return [None if pd.isna(value) else value.to_pydatetime() for value in values], "date", [16], ""
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_complex_dtype(values):
        numbers = values.astype(float).to_numpy()
        finite = numbers[np.isfinite(numbers)]
        decimals = _decimals(finite)
        number_format = "#,##0" + ("." + "0" * decimals if decimals else "")
        largest = float(np.abs(finite).max()) if len(finite) else 0.0
        digits = len(f"{largest:,.{decimals}f}") + (1 if (finite < 0).any() else 0)
        return [float(number) if math.isfinite(number) else None for number in numbers], "number", [digits], number_format
    cells = [_text(value) for value in values]
    return cells, "text", [0 if cell is None else text_width(cell) for cell in cells], ""


def _decimals(numbers: np.ndarray, most: int = 3) -> int:
    """The fewest decimals (up to ``most``) that show every number as it is to ``most`` places."""
    rounded = np.round(numbers, most)
    for decimals in range(most):
        if np.allclose(np.round(numbers, decimals), rounded, rtol=0, atol=10.0 ** -(most + 1)):
            return decimals
    return most


def _text(value) -> str | None:
    """A cell of a text column as text, or None when it is empty (text is
    looked at first: nearly every cell is)."""
    if isinstance(value, str):
        return value or None
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, (datetime.date, datetime.datetime, pd.Timestamp)):
        return value.isoformat()
    return str(value)
