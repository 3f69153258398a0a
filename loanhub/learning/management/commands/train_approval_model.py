"""``python manage.py train_approval_model``: learn the approval likelihood from the banks' decisions."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from loanhub.learning.services import approval_status, approval_train


class Command(BaseCommand):
    help = "Learn approval likelihood and ranking from decided leads once there are enough; else keep the formula."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="learn even below the minimum number of decisions")

    def handle(self, *args: Any, **options: Any) -> None:
        status = approval_status()
        try:
            version = approval_train(force=options["force"])
        except ValueError as exc:
            raise CommandError(
                f"{exc}. The rule formula stays in use "
                f"({status['decisions']} decisions, {status['approvals']} approvals)."
            ) from exc
        m = version.metrics
        self.stdout.write(
            f"approval model {version.version} in use: {m.get('decisions')} decisions, held-out AUC "
            f"{m.get('holdout_auc')} (formula {m.get('formula_holdout_auc')})"
        )
