"""``python manage.py import_credit_records FILE --category C``."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from loanhub.credit_data.catalog import CATEGORY_CODES
from loanhub.credit_data.exceptions import ImportFileError
from loanhub.credit_data.models import ImportBatch
from loanhub.credit_data.services import credit_records_import
from loanhub.credit_data.validation import check_import_size


class Command(BaseCommand):
    help = "Import a CSV / Excel (.xlsx) / JSON Lines file of public-credit records."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--category", required=True, choices=CATEGORY_CODES)
        parser.add_argument("--show-rejections", type=int, default=20)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        try:
            check_import_size(path.stat().st_size)  # before reading it into memory
        except ImportFileError as exc:
            raise CommandError(str(exc)) from exc
        started = time.monotonic()

        def progress(batch: ImportBatch) -> None:
            self.stderr.write(f"  已处理 {batch.rows_done}/{batch.rows_total} 行 ({time.monotonic() - started:.1f}s)")

        try:
            batch = credit_records_import(
                data=path.read_bytes(),
                file_name=path.name,
                category=str(options["category"]),
                progress=progress,
            )
        except ImportFileError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"导入批次 #{batch.pk}：共 {batch.rows_total} 行，新增 {batch.rows_loaded}，"
            f"更新 {batch.rows_updated}，重复跳过 {batch.rows_skipped}，拒收 {batch.rows_rejected}"
            f"（{time.monotonic() - started:.1f}s）"
        )
        limit = int(options["show_rejections"])
        for rejection in batch.rejections.all()[:limit]:
            self.stdout.write(f"  第{rejection.row_number}行：{rejection.reason}")
        if batch.rows_rejected > limit:
            self.stdout.write(f"  ……另有 {batch.rows_rejected - limit} 行被拒收，见后台导入报告。")
