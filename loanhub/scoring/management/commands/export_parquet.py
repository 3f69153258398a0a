"""``python manage.py export_parquet DIR [--partitions N]``: the record store as a partitioned Parquet export."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from loanhub.audit.models import AuditKind
from loanhub.audit.services import audit_record
from loanhub.scoring.batch import export_parquet


class Command(BaseCommand):
    help = (
        "Write every enterprise and its records as a Parquet export partitioned by USCC hash, for "
        "'python -m risk_models features|score --records DIR' on a Dask cluster. The files hold credit "
        "data in clear (sensitive categories included): keep them on protected storage and delete them after use."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", type=Path, help="a new (or empty) folder")
        parser.add_argument("--partitions", type=int, default=None, help="default: one per 5,000 enterprises")

    def handle(self, *args: Any, **options: Any) -> None:
        partitions = options["partitions"]
        if partitions is not None and partitions < 1:
            raise CommandError("--partitions 必须至少为 1。")
        try:
            manifest = export_parquet(options["folder"], n_partitions=partitions)
        except FileExistsError as exc:
            raise CommandError(f"目标目录已存在且不为空：{options['folder']}") from exc
        rows = manifest["rows"]
        records = sum(v for k, v in rows.items() if k != "enterprises")
        audit_record(
            kind=AuditKind.CREDIT_DATA_READ, action="export_parquet", channel="command",
            folder=str(Path(options["folder"]).resolve()), partitions=manifest["n_partitions"], rows=rows,
        )  # fmt: skip
        self.stdout.write(
            f"exported {rows.get('enterprises', 0)} enterprises and {records} records "
            f"in {manifest['n_partitions']} partitions to {options['folder']}"
        )
