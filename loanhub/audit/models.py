"""The audit trail (审计日志): security-relevant events, append-only."""

from __future__ import annotations

from datetime import datetime
from typing import NoReturn

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

APPEND_ONLY = "The audit trail is append-only."


class AuditKind(models.TextChoices):
    LOGIN_SUCCEEDED = "login_succeeded", _("登录成功")
    LOGIN_FAILED = "login_failed", _("登录失败")
    LOGOUT = "logout", _("退出登录")
    LOCKOUT = "lockout", _("账户锁定")
    OTP_VERIFIED = "otp_verified", _("双因素验证通过")
    OTP_FAILED = "otp_failed", _("双因素验证失败")
    OTP_ENROLLED = "otp_enrolled", _("启用双因素认证")
    OTP_RESET = "otp_reset", _("重置双因素认证")
    BACKUP_CODES_REGENERATED = "backup_codes_regenerated", _("重新生成备用码")
    PASSWORD_RECHECK = "password_recheck", _("再次验证密码")
    SESSIONS_ENDED = "sessions_ended", _("结束其他会话并撤销令牌")
    PERMISSION_DENIED = "permission_denied", _("越权访问被拒绝")
    AUTHORIZATION_SIGNED = "authorization_signed", _("签署授权")
    AUTHORIZATION_REVOKED = "authorization_revoked", _("撤回授权")
    CREDIT_DATA_READ = "credit_data_read", _("查询信用数据")
    PRODUCT_APPROVED = "product_approved", _("审核通过金融产品")
    PRODUCT_REJECTED = "product_rejected", _("退回金融产品")
    MODEL_ACTIVATED = "model_activated", _("启用评分模型")
    CREDIT_IMPORT = "credit_import", _("导入信用数据")
    LEAD_DECISION = "lead_decision", _("线索审批决定")
    WEBHOOK_CHANGED = "webhook_changed", _("修改推送接收地址")
    AUDIT_PRUNED = "audit_pruned", _("清理过期审计日志")
    ENTERPRISE_ELEMENTS_CHECKED = "enterprise_elements_checked", _("企业要素核验")
    LICENCE_UPLOADED = "licence_uploaded", _("上传营业执照")
    LICENCE_APPROVED = "licence_approved", _("营业执照审核通过")
    LICENCE_REJECTED = "licence_rejected", _("营业执照审核驳回")
    ENTERPRISE_MEMBER_ADDED = "enterprise_member_added", _("添加企业成员")
    CREDIT_REPORT_ISSUED = "credit_report_issued", _("生成信用报告")
    CREDIT_REPORT_REVOKED = "credit_report_revoked", _("撤回信用报告")
    CREDIT_REPORT_REQUESTED = "credit_report_requested", _("申请查看信用报告")
    CREDIT_REPORT_REQUEST_DECIDED = "credit_report_request_decided", _("处理信用报告查看申请")
    COMPENSATION_SCHEME_SAVED = "compensation_scheme_saved", _("保存风险补偿方案")
    COMPENSATION_ENROLLED = "compensation_enrolled", _("贷款纳入风险补偿")
    COMPENSATION_CLAIM_FILED = "compensation_claim_filed", _("提交风险补偿申请")
    COMPENSATION_CLAIM_DECIDED = "compensation_claim_decided", _("审核风险补偿申请")
    LOAN_REPORT_CORRECTED = "loan_report_corrected", _("更正贷款表现报告")


class Outcome(models.TextChoices):
    SUCCESS = "success", _("成功")
    FAILURE = "failure", _("失败")


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs: object) -> int:
        raise PermissionError(APPEND_ONLY)

    def delete(self) -> NoReturn:
        raise PermissionError(APPEND_ONLY)

    def _prune_before(self, cutoff: datetime) -> int:
        """Retention only (prune_audit): the one way rows leave the trail."""
        return models.QuerySet.delete(self.filter(at__lt=cutoff))[0]


class AuditEvent(models.Model):
    """Who did what to which object, when (UTC), from where, and whether it worked."""

    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    kind = models.CharField(_("事件"), max_length=40, choices=AuditKind.choices)
    outcome = models.CharField(_("结果"), max_length=10, choices=Outcome.choices, default=Outcome.SUCCESS)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("用户"),
    )
    # Kept even if the user account is deleted later.
    username = models.CharField(_("用户名"), max_length=150, blank=True)
    object_type = models.CharField(_("对象类型"), max_length=100, blank=True)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    ip_address = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    user_agent = models.CharField(_("客户端"), max_length=300, blank=True)
    path = models.CharField(_("请求路径"), max_length=300, blank=True)
    details = models.JSONField(_("详情"), default=dict, blank=True, encoder=DjangoJSONEncoder)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计事件")
        verbose_name_plural = _("审计事件")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["kind", "at"], name="audit_kind_at"),
            models.Index(fields=["user", "at"], name="audit_user_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.kind} {self.username}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise PermissionError(APPEND_ONLY)
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> NoReturn:
        raise PermissionError(APPEND_ONLY)
