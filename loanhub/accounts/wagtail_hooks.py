"""Back office: the account page links to the portal's security pages, where the
password is changed (Wagtail's own password form is off: its re-check would not
count toward the lockout)."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from wagtail import hooks


@hooks.register("register_account_menu_item")
def password_change_item(request: HttpRequest) -> dict:
    return {
        "url": reverse("accounts:password_change"),
        "label": _("修改密码"),
        "help_text": _("在门户的账户安全页面修改密码；修改后其他设备上的登录和所有接口令牌随即失效。"),
    }


@hooks.register("register_account_menu_item")
def two_factor_item(request: HttpRequest) -> dict:
    return {
        "url": reverse("accounts:2fa_manage"),
        "label": _("账户安全（双因素认证）"),
        "help_text": _("重新生成备用码或重置双因素认证。"),
    }
