"""Who may call which resource: one class per kind of caller."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from loanhub.accounts.models import User


def api_user(request: Request) -> User:
    """The caller, behind one of the permissions below (401 if there is none)."""
    user = request.user
    if not isinstance(user, User):
        raise NotAuthenticated
    return user


class IsSme(BasePermission):
    message = _("只有企业用户可以使用该接口。")

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        return isinstance(user, User) and user.is_sme


class IsBankStaff(BasePermission):
    message = _("只有金融机构人员可以使用该接口。")

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        return bool(
            isinstance(user, User) and user.is_bank_staff
            and getattr(user, "institution_membership", None) is not None
        )  # fmt: skip


class IsBankManager(IsBankStaff):
    message = _("只有金融机构主管可以使用该接口。")

    def has_permission(self, request: Request, view: APIView) -> bool:
        from loanhub.institutions.models import StaffRole

        return super().has_permission(request, view) and (
            api_user(request).institution_membership.role == StaffRole.MANAGER
        )


class IsPlatformAdmin(BasePermission):
    message = _("只有平台管理员可以使用该接口。")

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        return isinstance(user, User) and (user.is_platform_admin or user.is_superuser)
