"""Reading a table file as planners have them: a GPKG, GeoJSON or shapefile of
polygons or points, or a CSV/XLSX table with Chinese headers saved by Excel on
Chinese Windows; and turning its cells into text, numbers and yes/no, naming
every bad cell by its line."""

from __future__ import annotations

import codecs
import warnings
from collections.abc import Sequence
from io import StringIO
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio

from .errors import InputError, Problems
from .instance import MAX_POPULATION

GEO_SUFFIXES = (".gpkg", ".geojson", ".json", ".shp")
TABLE_SUFFIXES = (".csv", ".xlsx")
TRUE_WORDS = ("true", "1", "yes", "y", "是")
FALSE_WORDS = ("false", "0", "no", "n", "否")


def read_table(path: str | Path, prefer: Sequence[str] = ("villages",), *, name_layer: bool = True) -> pd.DataFrame | gpd.GeoDataFrame:
    """Read a village table, an edge list or a plan, by the file's suffix.

    GPKG, GeoJSON and shapefiles give a GeoDataFrame (the first layer named in
    ``prefer`` that the file has, else its first; when the file has several
    layers, the one read is in ``attrs["layer"]``). CSV and XLSX (likewise the
    first sheet named in ``prefer``, else the first sheet) give a
    DataFrame of text, so that ids such as ``037078410520`` keep every digit;
    only empty cells are missing values. A CSV is read as UTF-8 (with or without
    a byte-order mark), else as GB18030, which is what Excel writes on Chinese
    Windows.

    Parameters
    ----------
    path : str or pathlib.Path
        A ``.gpkg``, ``.geojson``, ``.json``, ``.shp``, ``.csv`` or ``.xlsx`` file.
    prefer : sequence of str
        Layer or sheet names to read, in order of preference.
    name_layer : bool
        Warn (UserWarning) which layer was read from a file of several layers.

    Returns
    -------
    pandas.DataFrame or geopandas.GeoDataFrame

    Raises
    ------
    InputError
        The file is missing, has an unknown suffix or cannot be read; a CSV
        has a byte that is neither UTF-8 nor GB18030 (named by its line); an
        XLSX has formula cells without a saved value (every one, by line).

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "villages.csv"
    >>> _ = path.write_bytes("村代码,户籍人口\\n037078410520,820\\n".encode("gb18030"))
    >>> read_table(path).to_dict("records")
    [{'村代码': '037078410520', '户籍人口': '820'}]
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in GEO_SUFFIXES + TABLE_SUFFIXES:
        raise InputError(f"unknown file type {suffix or '(no suffix)'}", fix=f"save it as one of {', '.join(GEO_SUFFIXES + TABLE_SUFFIXES)}", file=str(path))
    if path.is_dir():
        raise InputError("is a folder, not a file", fix="give the path of the village file", file=str(path))
    if not path.is_file():
        raise InputError("file not found", fix="check the path", file=str(path))
    try:
        if suffix in GEO_SUFFIXES:
            return _read_layer(path, prefer, name_layer)
        text_options = {"dtype": str, "keep_default_na": False, "na_values": [""]}
        if suffix == ".xlsx":
            table = _read_sheet(path, prefer, text_options)
        else:
            table = pd.read_csv(StringIO(_decode(path.read_bytes())), **text_options)
    except InputError as error:
        raise error.in_file(str(path)) from None
    except Exception as error:  # pandas, openpyxl and GDAL each raise their own kinds
        raise InputError(f"cannot read the file ({type(error).__name__}: {error})".replace("\n", " "),
                         fix="check that it opens in Excel or QGIS, and save it again", file=str(path)) from None
    table.columns = [str(column).strip() for column in table.columns]
    if suffix in TABLE_SUFFIXES:
        # Excel exports rows of bare commas and unnamed empty columns after formatted cells.
        table = table.loc[table.notna().any(axis=1), ~(table.columns.str.startswith("Unnamed:") & table.isna().all().to_numpy())]
    return table


def _read_layer(path: Path, prefer: Sequence[str], name_layer: bool) -> gpd.GeoDataFrame:
    """The layer of a GIS file to read; with several, the one read is said, and kept for messages."""
    layers = [str(name) for name, _ in pyogrio.list_layers(path)]
    layer = next((name for name in prefer if name in layers), layers[0])
    table = gpd.read_file(path, layer=layer)
    if len(layers) > 1:
        table.attrs["layer"] = layer
        if name_layer:
            warnings.warn(f"{path.name} has {len(layers)} layers ({', '.join(layers)}); read {layer!r}", UserWarning, stacklevel=3)
    return table


def _read_sheet(path: Path, prefer: Sequence[str], options: dict) -> pd.DataFrame:
    """The sheet of an XLSX file to read, its cells as pandas reads them (the values saved with formulas)."""
    with pd.ExcelFile(path) as book:
        sheet = next((name for name in prefer if name in book.sheet_names), book.sheet_names[0])
        table = pd.read_excel(book, sheet_name=sheet, **options)
    if table.isna().to_numpy().any():  # only an empty-looking cell can be a formula without its value
        _refuse_unsaved_formulas(path, sheet, table)
    return table


def _refuse_unsaved_formulas(path: Path, sheet: str, table: pd.DataFrame) -> None:
    """Refuse formula cells that have no saved value.

    pandas reads the value Excel saved with each formula; a file written by a
    program and never opened in Excel has none, and its formula cells would
    read as empty, then be reported as empty.
    """
    from openpyxl import load_workbook

    problems = Problems()
    book = load_workbook(path, read_only=True, data_only=False)
    try:
        # The first row is the header and the table's rows follow line by line, blank ones included.
        for position, cells in enumerate(book[sheet].iter_rows(min_row=2, max_row=len(table) + 1, max_col=table.shape[1])):
            for column, cell in enumerate(cells):
                if cell.data_type == "f" and pd.isna(table.iat[position, column]):
                    problems.add(InputError(f"the cell holds the formula {getattr(cell.value, 'text', cell.value)} but no saved value",
                                            fix="open the file in Excel and save it (or paste the values)", row=f"line {position + 2}",
                                            column=str(table.columns[column]).strip()))
    finally:
        book.close()
    problems.raise_any()


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        # utf-8-sig counts positions after the byte-order mark.
        utf8_stop = error.start + (len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0)
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as error:
        # The encoding read further is the file's: its stray byte is the one to show.
        position = max(utf8_stop, error.start)
    line = data.count(b"\n", 0, position) + 1
    raise InputError(f"a byte that is neither UTF-8 nor GBK text (0x{data[position]:02x})", fix="save the file from Excel as CSV UTF-8", row=f"line {line}")


def text_cells(values: pd.Series) -> pd.Series:
    """Cells as stripped text, missing as ""; whole floats (a GPKG's numeric ids) lose their ".0"."""
    if pd.api.types.is_float_dtype(values) and values.dropna().mod(1).eq(0).all():
        values = values.astype("Int64")
    return values.map(lambda value: "" if pd.isna(value) else str(value).strip()).astype(object)


def number_cells(values: pd.Series, rows: list[str], column: str, problems: Problems, *, whole_positive: bool = False) -> pd.Series:
    """Cells as floats, NaN where a cell is not a (finite, or whole and positive) number, each such cell added to ``problems``."""
    numbers = pd.to_numeric(values, errors="coerce").astype(float)
    bad = ~np.isfinite(numbers.to_numpy())
    if whole_positive:
        bad |= ~((numbers > 0) & (numbers % 1 == 0)).to_numpy()
    for position in np.flatnonzero(bad):
        raw = values.iloc[position]
        problem = ("is empty" if pd.isna(raw) or str(raw).strip() == "" else f"{raw!r} is not a number" if not np.isfinite(numbers.iloc[position])
                   else f"{raw} is not a whole number above 0")
        problems.add(InputError(f"value {problem}", fix="write a whole number above 0" if whole_positive else "write a number", row=rows[position],
                                column=column))
    return numbers.mask(bad)


def population_cells(values: pd.Series, rows: list[str], column: str, problems: Problems) -> pd.Series:
    """Population cells as floats (exact below :data:`MAX_POPULATION`), NaN where a cell is not a plausible population."""
    numbers = number_cells(values, rows, column, problems, whole_positive=True)
    over = (numbers > MAX_POPULATION).to_numpy()
    for position in np.flatnonzero(over):
        # The cell as written: the parsed number may print as 1e+19, or wrap around in int64.
        problems.add(InputError(f"value {values.iloc[position]} is over {MAX_POPULATION:,} people, too many for one village",
                                fix="write the village's registered population (check for extra digits)", row=rows[position], column=column))
    return numbers.mask(over)


def boolean_cells(values: pd.Series, rows: list[str], column: str, problems: Problems) -> pd.Series:
    words = text_cells(values).str.lower()
    for position in np.flatnonzero((~words.isin(TRUE_WORDS + FALSE_WORDS)).to_numpy()):
        problem = "value is empty" if words.iloc[position] == "" else f"{values.iloc[position]!r} is not yes or no"
        problems.add(InputError(problem, fix="write 是/否, yes/no, true/false, Y/N or 1/0", row=rows[position], column=column))
    return words.isin(TRUE_WORDS)


def line_labels(table: pd.DataFrame) -> list[str]:
    """How a user finds a row: its line in a CSV/XLSX (the index counts data rows, blank ones
    included), its feature number in a GIS file."""
    if isinstance(table, gpd.GeoDataFrame):
        return [f"feature {position + 1}" for position in range(len(table))]
    return [f"line {label + 2}" for label in table.index]
