"""Audit events as people read them: a sentence per event, objects by their names.

The trail keeps the codes (``details`` is JSON, exports carry it as is); the back-office
list shows sentences: categories, purposes, channels, decisions and reasons by their
Chinese labels, amounts in 万元.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.apps import apps
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from loanhub.consent.models import Channel, Purpose
from loanhub.credit_data.catalog import CATEGORY_BY_CODE
from loanhub.matching.models import DeclineReason, LeadStatus

from .models import AuditEvent

ITEMS = {"legal_rep_phone": gettext_lazy("法定代表人手机号")}
DETAIL_LABELS = {
    "categories": gettext_lazy("信息类别"),
    "category": gettext_lazy("信息类别"),
    "purpose": gettext_lazy("用途"),
    "channel": gettext_lazy("渠道"),
    "item": gettext_lazy("查看项目"),
    "lead": gettext_lazy("线索"),
    "decision": gettext_lazy("决定"),
    "amount": gettext_lazy("金额"),
    "rate": gettext_lazy("年化利率"),
    "term": gettext_lazy("期限（月）"),
    "on": gettext_lazy("日期"),
    "reasons": gettext_lazy("原因"),
    "refer": gettext_lazy("转介"),
    "loaded": gettext_lazy("新增"),
    "rejected": gettext_lazy("拒收"),
    "error": gettext_lazy("错误"),
    "enterprise": gettext_lazy("企业"),
    "uscc": gettext_lazy("统一社会信用代码"),
    "username": gettext_lazy("用户名"),
    "reason": gettext_lazy("原因"),
    "result": gettext_lazy("结果"),
    "step": gettext_lazy("步骤"),
    "device": gettext_lazy("验证方式"),
    "workflow": gettext_lazy("审核流程"),
    "institution": gettext_lazy("金融机构"),
    "url": gettext_lazy("接收地址"),
    "events": gettext_lazy("事件"),
    "is_active": gettext_lazy("启用"),
    "number": gettext_lazy("报告编号"),
    "member": gettext_lazy("成员"),
    "size": gettext_lazy("文件大小（字节）"),
    "content_type": gettext_lazy("文件类型"),
    "deleted": gettext_lazy("删除条数"),
    "cutoff": gettext_lazy("截止时间"),
    "action": gettext_lazy("操作"),
    "token_revoked": gettext_lazy("已撤销接口令牌"),
    "key_hashes": gettext_lazy("令牌"),
    "mismatched": gettext_lazy("不一致的要素"),
    "ip": gettext_lazy("IP 地址"),
    "pk": gettext_lazy("编号"),
}
VALUE_LABELS = {
    "result": {"locked": gettext_lazy("已锁定"), "matched": gettext_lazy("一致"), "mismatch": gettext_lazy("不一致")},
    "device": {"backup_code": gettext_lazy("备用码"), "totp": gettext_lazy("验证器应用")},
    "step": {"enrol": gettext_lazy("启用")},
}


def _wan(value: object) -> str:
    try:
        wan = Decimal(str(value)) / 10000
    except (InvalidOperation, ValueError):
        return str(value)
    text = f"{wan:,.2f}".rstrip("0").rstrip(".")
    return _("%(a)s 万元") % {"a": text}


def _categories(codes: object) -> str:
    if not isinstance(codes, list | tuple):
        codes = [codes]
    order = list(CATEGORY_BY_CODE)
    codes = sorted(codes, key=lambda c: order.index(c) if c in order else len(order))
    return "、".join(str(CATEGORY_BY_CODE[c].name) if c in CATEGORY_BY_CODE else str(c) for c in codes)


def _value(key: str, value: object) -> str:
    if key in ("categories", "category"):
        return _categories(value)
    if key == "purpose":
        return str(dict(Purpose.choices).get(str(value), value))
    if key == "channel":
        return str(dict(Channel.choices).get(str(value), value))
    if key == "decision":
        return str(dict(LeadStatus.choices).get(str(value), value))
    if key == "reasons" and isinstance(value, list):
        return "；".join(str(dict(DeclineReason.choices).get(r, r)) for r in value)
    if key == "amount":
        return _wan(value)
    if key == "item":
        return str(ITEMS.get(str(value), value))
    if key == "key_hashes":
        return _("%(n)d 个") % {"n": len(value)} if isinstance(value, list) else "—"
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, list):
        return "、".join(str(v) for v in value) or "—"
    return str(VALUE_LABELS.get(key, {}).get(str(value), value))


def event_sentence(event: AuditEvent) -> str:
    """One sentence saying what happened (the codes in ``details`` put into words)."""
    d = event.details or {}
    kind = event.kind
    if kind == "credit_data_read" and d.get("item"):
        return _("在线索 #%(lead)s 查看了%(item)s（完整号码）。") % {
            "lead": d.get("lead", "—"),
            "item": _value("item", d["item"]),
        }
    if kind == "credit_data_read" and "categories" in d:
        return _("以“%(p)s”用途经%(c)s查询了 %(n)d 类信用信息：%(names)s。") % {
            "p": _value("purpose", d.get("purpose", "")), "c": _value("channel", d.get("channel", "")),
            "n": len(d["categories"]), "names": _categories(d["categories"]),
        }  # fmt: skip
    if kind == "lead_decision":
        decision = d.get("decision")
        if decision == "approved":
            return _("批准：%(a)s，年化利率 %(r)s%%，期限 %(t)s 个月。") % {
                "a": _wan(d.get("amount")), "r": d.get("rate"), "t": d.get("term")}  # fmt: skip
        if decision == "declined":
            text = _("未通过，原因：%(r)s。") % {"r": _value("reasons", d.get("reasons", []))}
            return text + (_("已转介给其他符合条件的金融机构。") if d.get("refer") else "")
        if decision == "disbursed":
            return _("放款：%(a)s（%(on)s）。") % {"a": _wan(d.get("amount")), "on": d.get("on", "—")}
    if kind == "credit_import":
        text = _("导入“%(c)s”数据：新增 %(l)s 条，拒收 %(r)s 条。") % {
            "c": _categories(d.get("category", "")), "l": d.get("loaded", 0), "r": d.get("rejected", 0)}  # fmt: skip
        return text + (_("错误：%(e)s") % {"e": d["error"]} if d.get("error") else "")
    parts = [f"{DETAIL_LABELS.get(k, k)}：{_value(k, v)}" for k, v in d.items()]  # an unknown key keeps its name
    return "；".join(parts) + "。" if parts else ""


def object_label(event: AuditEvent) -> str:
    """The object by its name and kind (其 verbose name), never an app label like ``matching.lead``."""
    if not event.object_type:
        return ""
    try:
        name = str(apps.get_model(event.object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        name = _("对象")
    return f"{name} #{event.object_id}"
