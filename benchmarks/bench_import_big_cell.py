"""Benchmark: importing a small .xlsx that holds one huge cell (a zip bomb in spirit).

A 155 KB workbook whose one cell is 150 MB once unzipped. Prints the time, the peak
memory of this process and what the import kept.

    python benchmarks/bench_import_big_cell.py --cell-mb 150
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PLACEHOLDER = "BIG-CELL-PLACEHOLDER"


def big_cell_xlsx(cell_bytes: int, uscc: str) -> bytes:
    """A tax-rating workbook with one good row and one row whose grade is huge.

    openpyxl refuses to write a cell over 32,767 characters, so the sheet's XML is
    patched after writing.
    """
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("ratings")
    sheet.append(["uscc", "record_date", "year", "grade"])
    sheet.append([uscc, "2025-03-01", 2024, "A"])
    sheet.append([uscc, "2024-03-01", 2023, PLACEHOLDER])
    plain = io.BytesIO()
    book.save(plain)
    patched = io.BytesIO()
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(patched, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            dst.writestr(info.filename, body.replace(PLACEHOLDER.encode(), b"A" * cell_bytes))
    return patched.getvalue()


def prepare(path: Path, cell_mb: int) -> None:
    """Migrate the database and write the workbook (in a child process, so the peak
    memory the parent measures is the import's alone)."""
    from django.core.management import call_command

    from loanhub.enterprises.uscc import uscc_check_character

    call_command("migrate", verbosity=0)
    body = "91440100000000001"
    path.write_bytes(big_cell_xlsx(cell_mb * 1024 * 1024, body + uscc_check_character(body)))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cell-mb", type=int, default=150)
    parser.add_argument("--prepare", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "loanhub.settings.test")
    if not args.prepare:
        workdir = Path(tempfile.mkdtemp(prefix="loanhub-bench-"))
        os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
        path = workdir / "big-cell.xlsx"
        subprocess.run([sys.executable, __file__, "--cell-mb", str(args.cell_mb), "--prepare", str(path)], check=True)
    import django

    django.setup()
    if args.prepare:
        prepare(args.prepare, args.cell_mb)
        return
    from loanhub.credit_data.exceptions import ImportFileError
    from loanhub.credit_data.models import ImportBatch, ImportRejection
    from loanhub.credit_data.services import credit_records_import

    data = path.read_bytes()
    before_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    error = ""
    try:
        credit_records_import(data=data, file_name=path.name, category="tax_rating")
    except ImportFileError as exc:
        error = str(exc)
    seconds = time.perf_counter() - started
    batch = ImportBatch.objects.get()
    stored = max((len(json.dumps(r.raw, ensure_ascii=False)) for r in ImportRejection.objects.all()), default=0)
    print(
        json.dumps(
            {
                "benchmark": "import_big_cell_xlsx",
                "file_kb": round(len(data) / 1024),
                "cell_mb": args.cell_mb,
                "seconds": round(seconds, 2),
                "peak_rss_mb_before_import": round(before_mb),
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                "status": batch.status,
                "loaded": batch.rows_loaded,
                "rejected": batch.rows_rejected,
                "largest_stored_rejected_row_chars": stored,
                "error": error,
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
