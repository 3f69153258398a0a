"""Writes for institutions, branches and staff memberships."""

from __future__ import annotations

from types import ModuleType

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from loanhub.accounts.models import Role, User

from .models import Branch, FinancialInstitution, InstitutionMembership, StaffRole


@transaction.atomic
def institution_create(**fields: object) -> FinancialInstitution:
    institution = FinancialInstitution(**fields)
    institution.full_clean()
    institution.save()
    _portal().institution_portal_setup(institution)  # its page, editors' group, rights
    return institution


@transaction.atomic
def branch_create(*, institution: FinancialInstitution, **fields: object) -> Branch:
    branch = Branch(institution=institution, **fields)
    branch.full_clean()
    branch.save()
    return branch


@transaction.atomic
def institution_add_staff(
    *,
    institution: FinancialInstitution,
    user: User,
    role: str = StaffRole.OFFICER,
    branch: Branch | None = None,
) -> InstitutionMembership:
    """Attach a user to one institution as officer or manager; sets the user's role."""
    existing = InstitutionMembership.objects.filter(user=user).first()
    if existing and existing.institution_id != institution.pk:
        raise ValidationError(
            _("该用户已属于其他金融机构（%(name)s）。") % {"name": existing.institution},
            code="other_institution",
        )
    if branch is not None and branch.institution_id != institution.pk:
        raise ValidationError(_("网点不属于该机构。"), code="branch_mismatch")
    user.role = Role.BANK_MANAGER if role == StaffRole.MANAGER else Role.BANK_OFFICER
    user.save(update_fields=["role"])
    membership, _created = InstitutionMembership.objects.update_or_create(
        user=user,
        defaults={"institution": institution, "role": role, "branch": branch},
    )
    _portal().staff_portal_access_sync(user=user)  # the bank's Wagtail editors' group
    return membership


def _portal() -> ModuleType:  # cms builds on institutions: imported at call time
    from cms import services

    return services
