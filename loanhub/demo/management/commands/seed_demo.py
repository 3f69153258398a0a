"""``python manage.py seed_demo`` — load the sandbox demo (idempotent)."""

from __future__ import annotations

import os
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.test.utils import override_settings

from loanhub.demo.data import DEMO_LOGINS, DEMO_PASSWORD_DEFAULT
from loanhub.demo.security import demo_allowed, demo_refusal
from loanhub.demo.services import demo_seed


class Command(BaseCommand):
    help = "Load the sandbox demo: banks, enterprises, users, products and a model."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--quiet-logins", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if not demo_allowed():
            raise CommandError(demo_refusal())
        password = os.environ.get("LOANHUB_DEMO_PASSWORD", DEMO_PASSWORD_DEFAULT)
        started = time.monotonic()

        def progress(message: str) -> None:
            elapsed = time.monotonic() - started
            self.stdout.write(f"[seed_demo {elapsed:5.1f}s] {message}")

        # The demo's own notifications stay in the app: no e-mail flood on the console.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            demo_seed(password=password, progress=progress)
        self.stdout.write(self.style.SUCCESS("沙箱演示数据已就绪（数据均为合成数据）。"))
        if not options["quiet_logins"]:
            self.stdout.write(f"演示账号（密码均为 {password}）：")
            for username, label in DEMO_LOGINS:
                self.stdout.write(f"  {username:<18} {label}")
