"""plan.xlsx prints on A4: the page setup read back with openpyxl (everywhere),
and the pages LibreOffice prints a long groups sheet on (where it is installed)."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from county import solve_county, write_county

from pairing.files import A4, A4_COLUMNS, WRAP_WIDTH, text_width, write_workbook
from pairing.labels import label
from pairing.tables import group_table
from pairing.write import write_plan

ROOT = Path(__file__).resolve().parents[1]


def check_xlsx_pages():
    """scripts/check_xlsx_pages.py as a module (scripts/ is not a package)."""
    spec = importlib.util.spec_from_file_location("check_xlsx_pages", ROOT / "scripts" / "check_xlsx_pages.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def plan(tmp_path_factory):
    return solve_county(write_county(tmp_path_factory.mktemp("county")))


@pytest.fixture(scope="module")
def workbooks(plan, tmp_path_factory):
    """The plan's workbook in each language: lang -> openpyxl workbook."""
    books = {}
    for lang in ("en", "zh"):
        folder = tmp_path_factory.mktemp(f"xlsx-{lang}")
        write_plan(plan, folder, formats="xlsx", lang=lang)
        books[lang] = openpyxl.load_workbook(folder / "plan.xlsx")
    return books


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_sheet_is_set_up_for_a4(workbooks, lang):
    book = workbooks[lang]
    for sheet in book.worksheets:
        assert int(sheet.page_setup.paperSize) == A4, sheet.title
        assert sheet.print_title_rows == "$1:$1"  # the header row on every printed page
        assert sheet.print_title_cols == "$A:$A"  # the group id (village id) on every printed page
        assert sheet.freeze_panes == "B2"
        # One page wide (1, the default, is left out of the file), as many long as it takes.
        assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.page_setup.fitToWidth in (None, 1) and sheet.page_setup.fitToHeight == 0
        assert sheet.oddFooter.center.text == label("page_of", lang)  # page numbers: "page 2 of 5"
        # Landscape where the columns are wider than a portrait page.
        width = sum(sheet.column_dimensions[cell.column_letter].width for cell in sheet[1])
        assert sheet.page_setup.orientation == ("landscape" if width > A4_COLUMNS["portrait"] else "portrait"), (sheet.title, width)
    assert book.worksheets[1].page_setup.orientation == "landscape"  # the villages, with every input column


def test_columns_are_as_wide_as_their_text(workbooks):
    """No text is cut: a column is as wide as its longest cell (a Chinese character
    counts twice), or wraps it at WRAP_WIDTH with the row made tall enough."""
    for book in workbooks.values():
        for sheet in book.worksheets:
            rows = list(sheet.iter_rows())
            for column, cells in enumerate(zip(*rows)):
                width = sheet.column_dimensions[cells[0].column_letter].width
                for cell in cells:
                    if isinstance(cell.value, str) and text_width(cell.value) > width - 2:
                        assert width >= WRAP_WIDTH and cell.alignment.wrap_text, (sheet.title, cell.coordinate, cell.value)
                        assert sheet.row_dimensions[cell.row].height, (sheet.title, cell.coordinate)


def test_numbers_show_without_float_noise(workbooks):
    villages = workbooks["en"].worksheets[1]
    header = [cell.value for cell in villages[1]]
    strength = villages.cell(row=2, column=header.index("Strength") + 1)
    population = villages.cell(row=2, column=header.index("Population") + 1)
    assert strength.number_format == "#,##0.000" and population.number_format == "#,##0"


def test_input_columns_keep_their_names(tmp_path):
    """With --lang zh too, a column a config mapped shows under the input's own
    header: 经度/纬度 stay 经度/纬度 in plan.xlsx and plan.gpkg."""
    import pyogrio

    from pairing import read_villages
    from pairing.config import Config
    from pairing.plan import Group, Plan
    from pairing.rules import Rules

    source = tmp_path / "villages.csv"
    source.write_text("村代码,村名,乡镇,户籍人口,主导产业,经度,纬度,实力\n"
                      "a,东村,景芝镇,500,粮食,118.80,36.10,3\nb,西村,景芝镇,400,果品,118.81,36.10,2\n"
                      "c,南村,景芝镇,300,蔬菜,118.80,36.11,1\n", encoding="utf-8")
    config = Config.from_dict({"columns": {"village_id": "村代码", "name": "村名", "township": "乡镇", "population": "户籍人口",
                                           "industry": "主导产业", "lon": "经度", "lat": "纬度", "strength": "实力"}})
    instance = read_villages(source, config)
    plan = Plan(instance, Rules(group_size=(3, 3), group_population=(1000, 2000)), (Group("G001", ("a",), ("b", "c")),))
    for lang in ("zh", "en"):
        out = tmp_path / lang
        write_plan(plan, out, formats="xlsx,gpkg", lang=lang)
        header = [cell.value for cell in openpyxl.load_workbook(out / "plan.xlsx").worksheets[1][1]]
        assert {"经度", "纬度", "主导产业"} <= set(header) and not {"lon", "lat", "industry"} & set(header), header
        fields = list(pyogrio.read_info(out / "plan.gpkg", layer="villages")["fields"])
        assert {"经度", "纬度", "主导产业"} <= set(fields) and not {"lon", "lat", "industry"} & set(fields), fields


needs_libreoffice = pytest.mark.skipif(shutil.which("soffice") is None and shutil.which("libreoffice") is None,
                                       reason="LibreOffice (soffice) is not installed: Debian apt-get install libreoffice-calc")


@needs_libreoffice
def test_a_long_groups_sheet_prints_on_a_handful_of_pages_each_with_its_header(plan, tmp_path):
    """200 groups (the plan's, repeated) print on a few A4 pages, one page wide,
    every page with the header row and group ids."""
    groups = group_table(plan)
    long = pd.concat([groups] * (200 // len(groups) + 1), ignore_index=True).head(200)
    long["group_id"] = [f"G{number:03d}" for number in range(1, len(long) + 1)]
    path = write_workbook(tmp_path / "groups.xlsx", {"groups": long}, header="pairing")
    module = check_xlsx_pages()
    pdf = module.to_pdf(path, tmp_path)
    pages = module.page_count(pdf)
    assert 3 <= pages <= 8, pages  # about 40 rows a page; the old workbook printed Anqiu's 223 groups on 20
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        printed = [page for page in text.split("\f") if page.strip()]
        assert len(printed) == pages
        for page in printed:
            assert "group_id" in page and "population" in page  # the header row, repeated
            assert "G0" in page or "G1" in page or "G2" in page  # and the group ids
