"""Send webhook deliveries whose retry time has come (run it every minute from cron
or a systemd timer when tasks run on the immediate backend)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from loanhub.api.webhooks import deliveries_retry


class Command(BaseCommand):
    help = "Attempt every webhook delivery that is due for a retry."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--limit", type=int, default=500)

    def handle(self, *args: Any, **options: Any) -> None:
        done = deliveries_retry(limit=int(options["limit"]))
        self.stdout.write(f"attempted {done} webhook deliveries")
