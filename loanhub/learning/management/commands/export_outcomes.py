"""``python manage.py export_outcomes --out book.csv [--since YYYY-MM-DD] [--until YYYY-MM-DD]``."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from loanhub.audit.models import AuditKind
from loanhub.audit.services import audit_record
from loanhub.learning.services import TRAIN_COMMAND, book_build, book_write_csv


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"not a date (YYYY-MM-DD): {text!r}") from exc


class Command(BaseCommand):
    help = "Write the platform's labelled book (features as of each decision day, decision, outcome) as CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", required=True, help="CSV file to write")
        parser.add_argument("--since", type=_day, help="first decision day (YYYY-MM-DD)")
        parser.add_argument("--until", type=_day, help="last decision day (YYYY-MM-DD)")
        parser.add_argument(
            "--labelled-only", action="store_true", help="leave out declined leads and unknown outcomes"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        book = book_build(since=options["since"], until=options["until"], labelled_only=options["labelled_only"])
        rows = book_write_csv(book, Path(options["out"]))
        audit_record(
            kind=AuditKind.CREDIT_DATA_READ, action="export_outcomes", channel="command", rows=rows,
            since=options["since"], until=options["until"], outcomes=dict(book.counts),
        )  # fmt: skip
        counts = ", ".join(f"{k} {v}" for k, v in sorted(book.counts.items()))
        self.stdout.write(f"{rows} rows written to {options['out']} ({counts})")
        self.stdout.write(f"train on it: {TRAIN_COMMAND}")
