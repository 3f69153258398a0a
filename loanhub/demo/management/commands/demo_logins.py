"""``python manage.py demo_logins`` — print the demo logins and portal URLs.

Also prints the demo staff users' TOTP secrets (random per installation, stored in
their devices by ``seed_demo``); ``--codes`` prints their current TOTP codes.
"""

from __future__ import annotations

import os
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from loanhub.accounts.models import User
from loanhub.accounts.two_factor import totp_code_at, totp_device, totp_seconds_left, totp_secret_base32
from loanhub.demo.data import DEMO_LOGINS, DEMO_PASSWORD_DEFAULT
from loanhub.demo.security import demo_allowed, demo_refusal

# Demo users whose role requires two-factor authentication.
TWO_FACTOR_USERS = ("demo_bank", "demo_bank2", "demo_bank_manager", "demo_admin")
NOT_SEEDED = "（未绑定，先运行 seed_demo）"


def demo_totp_devices() -> dict:
    """username → the demo user's confirmed TOTP device (None before seed_demo)."""
    users = {u.username: u for u in User.objects.filter(username__in=TWO_FACTOR_USERS)}
    return {name: totp_device(users[name]) if name in users else None for name in TWO_FACTOR_USERS}


class Command(BaseCommand):
    help = "Print the sandbox demo's logins and the portal's URLs."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--codes", action="store_true", help="print the demo staff's current TOTP codes")

    def handle(self, *args: Any, **options: Any) -> None:
        if not demo_allowed():
            raise CommandError(demo_refusal())
        if options["codes"]:
            self._codes()
            return
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
        lines += [
            "机构和管理员账号需要双因素认证（TOTP）。把下面的演示密钥加入任一身份验证器应用，",
            "或另开终端运行 .venv/bin/python manage.py demo_logins --codes 查看当前验证码:",
        ]
        lines += [f"  {u:<18} {totp_secret_base32(d) if d else NOT_SEEDED}" for u, d in demo_totp_devices().items()]
        lines += ["演示数据均为沙箱合成数据。按 Ctrl+C 停止服务。", "=" * 64, ""]
        self.stdout.write("\n".join(lines))

    def _codes(self) -> None:
        # The codes of now and of the next 30 seconds, and how long these still hold: a code
        # read just before it changes is still usable from the second list.
        now = time.time()
        devices = sorted(demo_totp_devices().items())
        for username, device in devices:
            self.stdout.write(f"{username:<18} {totp_code_at(device, now) if device else NOT_SEEDED}")
        seeded = [(username, device) for username, device in devices if device]
        if seeded:
            left = totp_seconds_left(seeded[0][1], now)
            self.stdout.write(f"以上验证码还可用 {left} 秒；之后是:")
            for username, device in seeded:
                self.stdout.write(f"  {username:<18} {totp_code_at(device, now + device.step)}")
        self.stdout.write("验证码每30秒更新一次。")
