"""``python manage.py demo_logins`` — print the demo logins and portal URLs."""

from __future__ import annotations

import os

from django.core.management.base import BaseCommand

from loanhub.demo.data import DEMO_PASSWORD_DEFAULT, DEMO_LOGINS


class Command(BaseCommand):
    help = "Print the sandbox demo's logins and the portal's URLs."

    def add_arguments(self, parser) -> None:  # noqa: ANN001
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args: object, **options: object) -> None:
        password = os.environ.get("LOANHUB_DEMO_PASSWORD", DEMO_PASSWORD_DEFAULT)
        base = f"http://127.0.0.1:{options['port']}"
        lines = [
            "",
            "=" * 64,
            f"LoanHub 信易贷 门户: {base}/",
            f"  登录            {base}/accounts/login/",
            f"  内容与机构后台  {base}/cms-admin/",
            f"  数据管理后台    {base}/django-admin/",
            f"演示账号（密码均为 {password}，可用环境变量 LOANHUB_DEMO_PASSWORD 修改）:",
        ]
        lines += [f"  {username:<18} {label}" for username, label in DEMO_LOGINS]
        lines += ["演示数据均为沙箱合成数据。按 Ctrl+C 停止服务。", "=" * 64, ""]
        self.stdout.write("\n".join(lines))
