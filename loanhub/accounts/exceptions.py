"""The accounts app's own errors."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _


class PasswordRecheckLocked(PermissionDenied):
    """Too many wrong passwords for this user from this address (django-axes'
    lockout): the re-check is refused, even with the right password."""

    def __init__(self) -> None:
        super().__init__(_("密码错误次数过多，该账户已在此网络位置暂时锁定，请30分钟后再试。"))
