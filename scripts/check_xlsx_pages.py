"""How many pages a workbook prints on: ``python scripts/check_xlsx_pages.py plan.xlsx``.

Converts the workbook to PDF with LibreOffice, headless (Debian
``libreoffice-calc``), and prints the page count of each sheet and of the whole
file, one ``sheet<TAB>pages`` line each, the total last. Each sheet is counted
by converting a copy of the workbook that holds only that sheet (made with
openpyxl, which keeps the sheet's page setup); the total comes from the file as
it is. Pages are counted with ``pdfinfo`` (poppler-utils) when it is
installed, else by counting the PDF's ``/Type /Page`` objects.

``--sheet NAME`` (repeatable) counts only those sheets; ``--json`` prints
``{"sheets": {name: pages}, "total": pages}`` instead. Exit code 2 when
LibreOffice (``soffice``) is missing or the conversion fails.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

#: Seconds one conversion may take.
TIMEOUT = 180


def soffice() -> str | None:
    """The LibreOffice binary, or None."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def to_pdf(xlsx: Path, out_dir: Path) -> Path:
    """Convert ``xlsx`` to PDF in ``out_dir`` with a private LibreOffice profile
    (so a LibreOffice already running is not disturbed)."""
    binary = soffice()
    if binary is None:
        raise RuntimeError("LibreOffice not found: install it (Debian: apt-get install libreoffice-calc)")
    profile = out_dir / "profile"
    command = [binary, f"-env:UserInstallation={profile.resolve().as_uri()}", "--headless", "--norestore",
               "--convert-to", "pdf", "--outdir", str(out_dir), str(xlsx)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT, env={**os.environ, "HOME": str(out_dir)})
    pdf = out_dir / f"{xlsx.stem}.pdf"
    if done.returncode != 0 or not pdf.is_file():
        raise RuntimeError(f"{xlsx.name}: LibreOffice did not convert it (exit {done.returncode}): {done.stderr.strip() or done.stdout.strip()}")
    return pdf


def page_count(pdf: Path) -> int:
    """The pages of a PDF: from ``pdfinfo``, else its ``/Type /Page`` objects."""
    if shutil.which("pdfinfo"):
        done = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, timeout=60)
        found = re.search(r"^Pages:\s+(\d+)", done.stdout, re.MULTILINE)
        if found:
            return int(found.group(1))
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf.read_bytes()))


def sheet_pages(xlsx: str | Path, sheets: list[str] | None = None) -> dict:
    """``{"sheets": {sheet: pages}, "total": pages}`` for a workbook."""
    import openpyxl

    xlsx = Path(xlsx)
    names = openpyxl.load_workbook(xlsx, read_only=True).sheetnames
    wanted = names if not sheets else [name for name in names if name in sheets]
    missing = sorted(set(sheets or ()) - set(names))
    if missing:
        raise RuntimeError(f"{xlsx.name}: no sheet {', '.join(missing)} (it has {', '.join(names)})")
    counts = {}
    with tempfile.TemporaryDirectory(prefix="xlsx-pages-") as temp:
        temp = Path(temp)
        total = page_count(to_pdf(xlsx, temp / "all")) if not sheets else None
        for position, name in enumerate(wanted):
            book = openpyxl.load_workbook(xlsx)
            for other in [sheet for sheet in book.sheetnames if sheet != name]:
                del book[other]
            copy = temp / f"sheet{position}" / f"sheet{position}.xlsx"
            copy.parent.mkdir()
            book.save(copy)
            counts[name] = page_count(to_pdf(copy, copy.parent))
    return {"sheets": counts, "total": total}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Count the pages a workbook prints on (LibreOffice, headless).")
    parser.add_argument("xlsx", type=Path)
    parser.add_argument("--sheet", action="append", help="count only this sheet (repeatable)")
    parser.add_argument("--json", action="store_true", help="print the counts as JSON")
    args = parser.parse_args(argv)
    try:
        counts = sheet_pages(args.xlsx, args.sheet)
    except (RuntimeError, subprocess.TimeoutExpired, OSError) as error:
        print(f"check_xlsx_pages: {error}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(counts, ensure_ascii=False))
    else:
        for name, pages in counts["sheets"].items():
            print(f"{name}\t{pages}")
        if counts["total"] is not None:
            print(f"total\t{counts['total']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
