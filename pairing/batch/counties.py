"""The counties of a batch: one file per county, a folder of them, or one file
holding many counties split by a column; each county's config (the batch's,
overridden by its own), its previous plan when re-solving, and a digest of its
data by which a resumed batch knows it has been done already."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..config import Config
from ..errors import InputError
from ..table_files import GEO_SUFFIXES, TABLE_SUFFIXES, read_table, text_cells

#: Columns that name a county and its city, when a table has them.
NAME_COLUMNS = ("county_name", "city_code", "city_name")


@dataclass(frozen=True)
class County:
    """One county of a batch: its key (the ``--by`` value, or the file's stem),
    its village table, where it was read from, and its names when the table has them."""

    key: str
    table: pd.DataFrame = field(repr=False)
    source: str
    names: dict[str, str] = field(default_factory=dict)

    @property
    def digest(self) -> str:
        """The county's :func:`table_digest`."""
        return table_digest(self.table)


def table_digest(table: pd.DataFrame) -> str:
    """A SHA-256 of a county's data (cells and geometry): what a resumed batch
    compares with the digest in the county's ``summary.json``. Workers take it
    of the table they were sent (the same cells and shapes), sparing the client.

    Examples
    --------
    >>> table = pd.DataFrame({"village_id": ["a", "b"], "population": [500, 400]})
    >>> table_digest(table) == table_digest(table.copy()), table_digest(table) == table_digest(table.head(1))
    (True, False)
    """
    digest = hashlib.sha256()
    plain = pd.DataFrame(table.drop(columns=table.geometry.name)) if hasattr(table, "geometry") and "geometry" in table else table
    digest.update(pd.util.hash_pandas_object(plain.astype(str), index=False).to_numpy().tobytes())
    digest.update("\x1f".join(map(str, plain.columns)).encode())
    if hasattr(table, "geometry") and "geometry" in table:
        digest.update(b"".join(table.geometry.to_wkb().tolist()))
    return digest.hexdigest()


def read_counties(inputs: list[str | Path], by: str | None = None) -> list[County]:
    """The counties of the inputs, largest first (they take longest: started first,
    they do not finish last).

    Parameters
    ----------
    inputs : list of path
        Village files (GPKG, GeoJSON, shapefile, CSV, XLSX) and folders of them.
    by : str, optional
        A column that splits every file into counties (e.g. ``county_code``);
        without it each file is one county, named by its stem.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "province.csv"
    >>> _ = path.write_text("village_id,county_code,population\\na,370784,500\\nb,370784,400\\nc,370781,300\\n")
    >>> [(county.key, len(county.table)) for county in read_counties([path], by="county_code")]
    [('370784', 2), ('370781', 1)]
    """
    files = []
    for path in map(Path, inputs):
        if path.is_dir():
            files += sorted(child for child in path.iterdir() if child.suffix.lower() in GEO_SUFFIXES + TABLE_SUFFIXES)
        else:
            files.append(path)
    if not files:
        raise InputError("no village files", fix="give files (.gpkg, .csv, ...) or folders that hold them", file=", ".join(map(str, inputs)))
    counties: dict[str, County] = {}
    for path in files:
        table = read_table(path, name_layer=False)
        for county in _split(table, path, by):
            if county.key in counties:
                raise InputError(f"county {county.key} is in {counties[county.key].source} and in {county.source}",
                                 fix="give each county once", file=str(path))
            counties[county.key] = county
    return sorted(counties.values(), key=lambda county: (-len(county.table), county.key))


def _split(table: pd.DataFrame, path: Path, by: str | None) -> list[County]:
    if by is None:
        return [County(path.stem, table, str(path), _names(table))]
    if by not in table.columns:
        raise InputError(f"no column {by} to split the counties by", fix=f"give --by one of {', '.join(map(str, table.columns))}",
                         file=str(path), column="--by")
    keys = text_cells(table[by])
    if (keys == "").any():
        line = int((keys == "").to_numpy().argmax())
        raise InputError(f"the column {by} is empty", fix="give every village its county", file=str(path), row=f"row {line + 1}",
                         column=by)
    return [County(key, rows.reset_index(drop=True), f"{path} ({by} {key})", _names(rows)) for key, rows in table.groupby(keys, sort=True)]


def _names(table: pd.DataFrame) -> dict[str, str]:
    return {column: str(table[column].iloc[0]) for column in NAME_COLUMNS if column in table.columns and len(table)}


def county_config(config: str | Path | None, configs: str | Path | None, key: str) -> Config:
    """The batch's config, overridden key by key by the county's own
    ``<key>.toml`` in ``configs`` when there is one."""
    paths = [path for path in (config, Path(configs) / f"{key}.toml" if configs else None) if path is not None]
    paths = [path for path in paths if path == config or Path(path).is_file()]
    return Config.from_tomls(paths) if paths else Config()
