"""Users and their roles.

A user has exactly one role. SME users belong to enterprises through
``enterprises.EnterpriseMembership``; bank officers and managers belong to one
institution through ``institutions.InstitutionMembership``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SME = "sme", _("企业用户")
    BANK_OFFICER = "bank_officer", _("客户经理")
    BANK_MANAGER = "bank_manager", _("机构主管")
    PLATFORM_ADMIN = "platform_admin", _("平台管理员")


BANK_ROLES = (Role.BANK_OFFICER, Role.BANK_MANAGER)
# Django's own salt, so that at session epoch 0 the hash is exactly Django's.
SESSION_HASH_SALT = "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash"


class User(AbstractUser):
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, default=Role.SME)
    display_name = models.CharField(_("姓名"), max_length=60, blank=True)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    # Raised to end every session of the user at once (after a 2FA reset): it is part
    # of the session hash, as the password is (services.user_sessions_end_others).
    session_epoch = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    if TYPE_CHECKING:
        # Set on each request's user by django_otp's OTPMiddleware.
        def is_verified(self) -> bool: ...

    def __str__(self) -> str:
        return self.display_name or self.username

    def get_session_auth_hash(self) -> str:
        """Django's HMAC of the password, plus the session epoch once it was raised
        (at epoch 0 the hash is Django's own, so existing sessions stay valid)."""
        return self._session_hash(settings.SECRET_KEY)

    def get_session_auth_fallback_hash(self) -> Iterator[str]:
        for secret in settings.SECRET_KEY_FALLBACKS:
            yield self._session_hash(secret)

    def _session_hash(self, secret: str | bytes) -> str:
        value = f"{self.password}:{self.session_epoch}" if self.session_epoch else self.password
        return salted_hmac(SESSION_HASH_SALT, value, secret=secret, algorithm="sha256").hexdigest()

    @property
    def is_sme(self) -> bool:
        return self.role == Role.SME

    @property
    def is_bank_staff(self) -> bool:
        return self.role in BANK_ROLES

    @property
    def is_bank_manager(self) -> bool:
        return self.role == Role.BANK_MANAGER

    @property
    def is_platform_admin(self) -> bool:
        return self.role == Role.PLATFORM_ADMIN


class Notification(models.Model):
    """An in-app message; the same text goes out by e-mail."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    link = models.CharField(_("链接"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title
