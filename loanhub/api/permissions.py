"""Who may call which resource: one class per kind of caller."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission


class IsSme(BasePermission):
    message = _("只有企业用户可以使用该接口。")

    def has_permission(self, request, view) -> bool:  # noqa: ANN001
        return bool(request.user.is_authenticated and request.user.is_sme)


class IsBankStaff(BasePermission):
    message = _("只有金融机构人员可以使用该接口。")

    def has_permission(self, request, view) -> bool:  # noqa: ANN001
        user = request.user
        return bool(
            user.is_authenticated and user.is_bank_staff
            and getattr(user, "institution_membership", None) is not None
        )  # fmt: skip


class IsBankManager(IsBankStaff):
    message = _("只有金融机构主管可以使用该接口。")

    def has_permission(self, request, view) -> bool:  # noqa: ANN001
        from loanhub.institutions.models import StaffRole

        return super().has_permission(request, view) and (
            request.user.institution_membership.role == StaffRole.MANAGER
        )


class IsPlatformAdmin(BasePermission):
    message = _("只有平台管理员可以使用该接口。")

    def has_permission(self, request, view) -> bool:  # noqa: ANN001
        user = request.user
        return bool(user.is_authenticated and (user.is_platform_admin or user.is_superuser))
