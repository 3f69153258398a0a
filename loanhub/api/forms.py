"""Back-office forms for a bank's webhook endpoints (validation proper is in the
service functions of ``webhooks.py``; these only shape the input)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import WebhookEvent, all_events
from .webhooks import MIN_SECRET_LENGTH


class EndpointForm(forms.Form):
    url = forms.URLField(
        label=_("接收地址"), max_length=500, assume_scheme="https",
        help_text=_("贵行系统接收推送的 HTTPS 地址，须可从公网访问；不能是内网、本机或保留地址。"),
    )  # fmt: skip
    events = forms.MultipleChoiceField(
        label=_("订阅事件"), choices=WebhookEvent.choices, initial=all_events,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    description = forms.CharField(label=_("说明"), max_length=200, required=False)


class EndpointCreateForm(EndpointForm):
    secret = forms.CharField(
        label=_("签名密钥（可选）"), min_length=MIN_SECRET_LENGTH, max_length=200, required=False,
        strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("留空则自动生成（推荐）；自行设置至少16个字符。保存后只显示一次。"),
    )  # fmt: skip


class EndpointEditForm(EndpointForm):
    is_active = forms.BooleanField(label=_("启用"), required=False)
    new_secret = forms.BooleanField(
        label=_("更换签名密钥"), required=False,
        help_text=_("生成新的签名密钥并只显示一次；旧密钥立即失效，请同步更新贵行系统。"),
    )  # fmt: skip


def add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: on its field when the form has
    one, otherwise at the top."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)
