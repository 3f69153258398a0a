"""Reaching the SME on a lead: messages between the bank and the SME, and the contact.

Who may take part: staff of the lead's bank once the lead is claimed (not while it is
new, and not after the SME withdrew it), and the members of the lead's enterprise.
Each message notifies the other side (the officer who claimed the lead; the SME's
members) with the existing in-app notifications.

The contact the SME chose to share (联系人 / 联系电话 / 联系邮箱 on its enterprise
page) is shown to the bank once it claimed the lead. The legal representative's mobile
is personal information, stored encrypted: the bank sees it masked and may reveal it on
a claimed lead; every reveal is recorded on the lead's timeline (the SME sees it) and in
the audit trail.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from loanhub.accounts.models import User
from loanhub.accounts.services import notify
from loanhub.audit.models import AuditKind
from loanhub.audit.services import audit_record
from loanhub.institutions.selectors import institution_for_user
from loanhub.security.masking import mask_phone

from .models import FinancingNeed, Lead, LeadEvent, LeadMessage, LeadStatus, MessageSide

MAX_BODY = 2000
# Statuses in which the bank may write to the SME and see its contact.
CONTACT_STATUSES = frozenset(
    {LeadStatus.CLAIMED, LeadStatus.IN_REVIEW, LeadStatus.APPROVED, LeadStatus.DECLINED, LeadStatus.DISBURSED}
)


def side_of(*, user: User, lead: Lead) -> str | None:
    """Which side of the lead's conversation ``user`` is on, or None (no part in it)."""
    if user.is_bank_staff:
        institution = institution_for_user(user=user)
        return MessageSide.BANK if institution is not None and institution.pk == lead.institution_id else None
    if user.is_sme and lead.enterprise.memberships.filter(user=user).exists():
        return MessageSide.SME
    return None


def conversation_open(lead: Lead) -> bool:
    """Messages can be written once the bank claimed the lead."""
    return lead.status in CONTACT_STATUSES


def lead_messages(*, lead: Lead, user: User) -> QuerySet[LeadMessage]:
    """The lead's thread, for a participant only (anyone else: PermissionDenied)."""
    if side_of(user=user, lead=lead) is None:
        raise PermissionDenied
    return lead.messages.select_related("sender")


@transaction.atomic
def lead_message_send(*, lead: Lead, sender: User, body: str) -> LeadMessage:
    side = side_of(user=sender, lead=lead)
    if side is None:
        raise PermissionDenied
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("请填写留言内容。")})
    if len(body) > MAX_BODY:
        raise ValidationError({"body": _("留言最多 %(n)d 字。") % {"n": MAX_BODY}})
    if not conversation_open(lead):
        raise ValidationError({"body": _("金融机构受理线索后才能留言。")})
    message = LeadMessage.objects.create(lead=lead, side=side, sender=sender, body=body)
    preview = body if len(body) <= 60 else body[:60] + "…"
    if side == MessageSide.BANK:
        for membership in lead.enterprise.memberships.select_related("user"):
            notify(
                user=membership.user,
                title=_("%(bank)s给您留言") % {"bank": lead.institution.short_name},
                body=preview,
                link=f"/enterprises/{lead.enterprise.uscc}/needs/{lead.need_id}/#lead-{lead.pk}",
            )
    else:
        for officer in _bank_recipients(lead):
            notify(
                user=officer,
                title=_("%(name)s回复了线索 #%(pk)d 的留言") % {"name": lead.enterprise.name, "pk": lead.pk},
                body=preview,
                link=f"/cms-admin/leads/{lead.pk}/#messages",
            )
    return message


def _bank_recipients(lead: Lead) -> list[User]:
    """The officer who claimed the lead; else whoever at the bank wrote on it."""
    if lead.claimed_by_id:
        return [lead.claimed_by] if lead.claimed_by else []
    ids = set(lead.messages.filter(side=MessageSide.BANK).values_list("sender_id", flat=True))
    return list(User.objects.filter(pk__in=ids))


def lead_messages_mark_read(*, lead: Lead, user: User) -> int:
    """Mark the other side's messages as read by ``user``'s side."""
    side = side_of(user=user, lead=lead)
    if side is None:
        return 0
    return lead.messages.filter(read_at__isnull=True).exclude(side=side).update(read_at=timezone.now())


def need_messages_mark_read(*, need: FinancingNeed, user: User) -> int:
    """The SME opened its need page: the banks' messages on its leads are read."""
    if not need.enterprise.memberships.filter(user=user).exists():
        return 0
    return (
        LeadMessage.objects.filter(lead__need=need, side=MessageSide.BANK, read_at__isnull=True)
        .update(read_at=timezone.now())
    )  # fmt: skip


# ------------------------------------------------------------------ the contact


@dataclass(frozen=True)
class Contact:
    name: str
    phone: str
    email: str
    address: str
    legal_representative: str
    legal_rep_phone_masked: str
    legal_rep_phone: str = ""  # only after an audited reveal


def lead_contact(*, lead: Lead, user: User, reveal: bool = False) -> Contact | None:
    """The SME's contact as the bank may see it now (None before the lead is claimed)."""
    if side_of(user=user, lead=lead) != MessageSide.BANK or not conversation_open(lead):
        return None
    enterprise = lead.enterprise
    phone = enterprise.legal_rep_phone or ""
    return Contact(
        name=enterprise.contact_name, phone=enterprise.contact_phone, email=enterprise.contact_email,
        address=enterprise.address, legal_representative=enterprise.legal_representative,
        legal_rep_phone_masked=mask_phone(phone) if phone else "", legal_rep_phone=phone if reveal else "",
    )  # fmt: skip


@transaction.atomic
def lead_contact_reveal(*, lead: Lead, officer: User) -> Contact:
    """Show the legal representative's mobile in full: on the lead's timeline and in the audit trail."""
    contact = lead_contact(lead=lead, user=officer, reveal=True)
    if contact is None:
        raise PermissionDenied
    LeadEvent.objects.create(
        lead=lead, kind="contact_revealed", from_status=lead.status, to_status=lead.status, actor=officer
    )
    audit_record(
        kind=AuditKind.CREDIT_DATA_READ, user=officer, obj=lead.enterprise, item="legal_rep_phone", lead=lead.pk
    )
    return contact
