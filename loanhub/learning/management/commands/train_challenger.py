"""``python manage.py train_challenger [--force]``: a challenger trained on the platform's book."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from loanhub.learning.services import challenger_train
from loanhub.scoring.exceptions import NoActiveModel


class Command(BaseCommand):
    help = "Train a challenger PD model on the labelled book and compare it with the active model (never activates)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="train despite the training guards (small book)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            version = challenger_train(force=options["force"])
        except (NoActiveModel, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        c = version.comparison
        self.stdout.write(
            f"challenger {version.version} registered (not active); window {c['window']}: "
            f"AUC {c['challenger']['auc']} vs {c['champion']['auc']} (active), PSI {c['psi']}"
        )
