"""``python manage.py prune_audit --older-than-days N`` — retention (N ≥ 365)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from loanhub.audit.services import MIN_RETENTION_DAYS, audit_prune


class Command(BaseCommand):
    help = f"Delete audit events older than N days (N must be at least {MIN_RETENTION_DAYS})."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--older-than-days", type=int, required=True, dest="days")

    def handle(self, *args: object, **options: Any) -> None:
        try:
            deleted = audit_prune(older_than_days=options["days"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"deleted {deleted} audit events older than {options['days']} days")
