"""Writes for enterprises and their memberships."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from loanhub.accounts.models import User

from .exceptions import EnterpriseNotVerified
from .models import Enterprise, EnterpriseMembership, MemberRole
from .uscc import validate_uscc


def enterprise_require_verified(enterprise: Enterprise) -> None:
    """Refuse to act for an enterprise still 待认证 (or rejected)."""
    if not enterprise.is_verified:
        raise EnterpriseNotVerified()


@transaction.atomic
def enterprise_create(
    *,
    uscc: str,
    name: str,
    legal_representative: str,
    region: str,
    industry: str,
    registration_date: date,
    registered_capital: Decimal | int | float,
    owner: User | None = None,
    **extra: object,
) -> Enterprise:
    """Create an enterprise (one per USCC) and optionally make ``owner`` its owner."""
    code = validate_uscc(uscc)
    if Enterprise.objects.filter(uscc=code).exists():
        raise ValidationError(
            {"uscc": _("该统一社会信用代码已注册，请联系企业管理员邀请您加入。")},
            code="uscc_taken",
        )
    enterprise = Enterprise(
        uscc=code,
        name=name.strip(),
        legal_representative=legal_representative.strip(),
        region=region,
        industry=industry,
        registration_date=registration_date,
        registered_capital=Decimal(str(registered_capital)),
        **extra,
    )
    enterprise.full_clean()
    try:
        with transaction.atomic():
            enterprise.save()
    except IntegrityError as exc:  # a concurrent registration of the same USCC
        raise ValidationError({"uscc": _("该统一社会信用代码已注册。")}, code="uscc_taken") from exc
    if owner is not None:
        enterprise_add_member(enterprise=enterprise, user=owner, role=MemberRole.OWNER)
    return enterprise


@transaction.atomic
def enterprise_add_member(*, enterprise: Enterprise, user: User, role: str = MemberRole.MEMBER) -> EnterpriseMembership:
    if not user.is_sme:
        raise ValidationError(_("只有企业用户可以加入企业。"), code="not_sme")
    membership, _created = EnterpriseMembership.objects.update_or_create(
        enterprise=enterprise, user=user, defaults={"role": role}
    )
    return membership


# What the owner may edit in the portal. The code and the region (characters 3–8 of the
# code) never change; the legal representative is what verification checked.
EDITABLE_FIELDS = frozenset(
    {"name", "industry", "registration_date", "registered_capital", "size_class", "contact_name", "contact_phone",
     "contact_email", "address"}
)  # fmt: skip


@transaction.atomic
def enterprise_update(*, enterprise: Enterprise, user: User, **fields: object) -> Enterprise:
    """The owner edits the enterprise's details (``registered_capital`` in yuan)."""
    from django.core.exceptions import PermissionDenied

    from .selectors import enterprise_is_owner

    if not enterprise_is_owner(user=user, enterprise=enterprise):
        raise PermissionDenied(_("只有企业管理员可以修改企业信息。"))
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    industry = str(fields.get("industry", enterprise.industry))
    if industry[:1] == enterprise.industry[:1]:
        fields["industry"] = enterprise.industry  # same section: keep the finer code already held
    if "registered_capital" in fields:
        fields["registered_capital"] = Decimal(str(fields["registered_capital"])).quantize(Decimal("0.01"))
    for name, value in fields.items():
        setattr(enterprise, name, value.strip() if isinstance(value, str) else value)
    enterprise.full_clean()
    enterprise.save(update_fields=sorted(fields))
    return enterprise
