"""``python manage.py check_lead_deadlines [--schedule]``.

Marks overdue leads now. With ``--schedule`` it enqueues the recurring task, which
``manage.py db_worker`` then runs every 15 minutes (it books its own next run).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from loanhub.matching.lifecycle import check_deadlines
from loanhub.matching.tasks import check_deadlines_task


class Command(BaseCommand):
    help = "Mark leads whose claim or decision deadline has passed as overdue."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--schedule", action="store_true", help="enqueue the recurring task")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["schedule"]:
            check_deadlines_task.enqueue(True)
            self.stdout.write("已排入每15分钟运行一次的时限检查任务（需运行 manage.py db_worker）。")
            return
        self.stdout.write(f"标记超时线索 {check_deadlines()} 条。")
