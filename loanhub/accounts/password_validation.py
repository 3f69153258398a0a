"""A hook in ``AUTH_PASSWORD_VALIDATORS`` that runs after every password change.

Django calls ``password_changed()`` of each configured validator whenever a user's
new password is saved — the portal's change and reset pages, the Wagtail and Django
admin sites, ``manage.py changepassword`` — so this one place revokes the user's
API tokens whichever way the password was changed. It validates nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from .models import User


class RevokeAccessOnPasswordChange:
    def validate(self, password: str, user: User | None = None) -> None:
        return None

    def password_changed(self, password: str, user: User | None = None) -> None:
        from .services import user_credentials_reset

        if user is not None and user.pk is not None:
            user_credentials_reset(user=user)

    def get_help_text(self) -> str:
        return _("修改密码后，其他设备上的登录和所有接口令牌随即失效。")
