"""Writes of the portal: the page skeleton, per-bank editing rights and moderation.

Who edits what is Wagtail's own machinery, set up by code:

* group "平台审核员" (platform administrators): admin access, add/change/publish on
  the whole portal; it is the approver of the moderation workflow;
* one group per bank: admin access and add/change (never publish) on that bank's
  InstitutionPage subtree; the bank's officers and managers are its members;
* workflow "金融产品审核" on the institution index: every new or changed product (or
  bank profile) waits for a platform moderator before it goes live.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils.translation import gettext as _
from wagtail.models import (
    GroupApprovalTask,
    GroupPagePermission,
    Page,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from loanhub.accounts.models import Role, User
from loanhub.institutions.models import FinancialInstitution, InstitutionMembership

from .models import (
    HomePage,
    InstitutionIndexPage,
    InstitutionPage,
    NewsIndexPage,
    ProductIndexPage,
    ZoneIndexPage,
)

MODERATORS_GROUP = "平台审核员"
BANK_GROUP_PREFIX = "机构编辑："
WORKFLOW_NAME = "金融产品审核"
TASK_NAME = "平台审核员审核"
BANK_PAGE_PERMISSIONS = ("add", "change")  # not "publish": that is the moderators'
MODERATOR_PAGE_PERMISSIONS = ("add", "change", "publish", "lock", "unlock")

P = TypeVar("P", bound=Page)


@dataclass(frozen=True)
class PortalStructure:
    home: HomePage
    institutions: InstitutionIndexPage
    products: ProductIndexPage
    news: NewsIndexPage
    zones: ZoneIndexPage


@dataclass(frozen=True)
class InstitutionPortal:
    group: Group
    page: InstitutionPage | None


def page_child_ensure(parent: Page, model: type[P], *, slug: str, **fields: object) -> P:
    """The live child of ``parent`` with this slug, created and published if missing."""
    existing = model.objects.child_of(parent).filter(slug=slug).first()
    if existing is not None:
        return existing
    page = model(slug=slug, **fields)
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def _access_admin() -> Permission:
    return Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")


def _grant_page_permissions(group: Group, page: Page, kinds: tuple[str, ...]) -> None:
    for kind in kinds:
        permission = Permission.objects.get(content_type__app_label="wagtailcore", codename=f"{kind}_page")
        GroupPagePermission.objects.get_or_create(group=group, page=page, permission=permission)


@transaction.atomic
def portal_structure_ensure() -> PortalStructure | None:
    """Create the section pages under the home page; ``None`` when there is no home."""
    home = HomePage.objects.first()
    if home is None:
        return None
    structure = PortalStructure(
        home=home,
        institutions=page_child_ensure(
            home, InstitutionIndexPage, slug="institutions", title="金融机构",
            intro="入驻平台的银行与金融机构，以及它们发布的融资产品。",
        ),
        products=page_child_ensure(
            home, ProductIndexPage, slug="products", title="金融产品超市",
            intro="按额度、期限、利率、地区和专区筛选各家银行的融资产品，最多三款对比。",
        ),
        news=page_child_ensure(
            home, NewsIndexPage, slug="news", title="政策资讯",
            intro="信易贷、首贷续贷、绿色金融等普惠金融政策与平台动态。",
        ),
        zones=page_child_ensure(
            home, ZoneIndexPage, slug="zones", title="特色专区",
            intro="面向重点行业和领域的专属融资产品与政策。",
        ),
    )  # fmt: skip
    moderation_setup(structure)
    return structure


def moderation_setup(structure: PortalStructure) -> Workflow:
    """Platform moderators' group and the approval workflow on every bank subtree."""
    moderators, _created = Group.objects.get_or_create(name=MODERATORS_GROUP)
    moderators.permissions.add(_access_admin())
    _grant_page_permissions(moderators, structure.home, MODERATOR_PAGE_PERMISSIONS)
    task = GroupApprovalTask.objects.filter(name=TASK_NAME).first()
    if task is None:
        task = GroupApprovalTask.objects.create(name=TASK_NAME)
    task.groups.add(moderators)
    workflow, _created = Workflow.objects.get_or_create(name=WORKFLOW_NAME)
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    WorkflowPage.objects.update_or_create(page=structure.institutions, defaults={"workflow": workflow})
    moderators.user_set.add(*User.objects.filter(role=Role.PLATFORM_ADMIN))
    return workflow


def institution_group_name(institution: FinancialInstitution) -> str:
    return f"{BANK_GROUP_PREFIX}{institution.slug}"


@transaction.atomic
def institution_portal_setup(institution: FinancialInstitution) -> InstitutionPortal:
    """Give a bank its portal page, its editors' group and their rights. Idempotent.

    Without a home page (a bare database) only the group is made; run it again
    once the portal exists.
    """
    group, _created = Group.objects.get_or_create(name=institution_group_name(institution))
    group.permissions.add(_access_admin())
    structure = portal_structure_ensure()
    page = None
    if structure is not None:
        page = InstitutionPage.objects.filter(institution=institution).first()
        if page is None:
            page = page_child_ensure(
                structure.institutions,
                InstitutionPage,
                slug=institution.slug,
                title=institution.name,
                institution=institution,
                summary=_("%(type)s · %(region)s")
                % {"type": institution.get_type_display(), "region": institution.region_name},
                contact_phone=institution.phone,
            )
        _grant_page_permissions(group, page, BANK_PAGE_PERMISSIONS)
    for membership in InstitutionMembership.objects.filter(institution=institution):
        staff_portal_access_sync(user=membership.user)
    return InstitutionPortal(group=group, page=page)


@transaction.atomic
def staff_portal_access_sync(*, user: User) -> None:
    """Put a bank employee in exactly their own bank's editors' group."""
    membership = InstitutionMembership.objects.filter(user=user).first()
    own = None
    if membership is not None and user.is_bank_staff:
        own, _created = Group.objects.get_or_create(name=institution_group_name(membership.institution))
        own.permissions.add(_access_admin())
        user.groups.add(own)
    stale = user.groups.filter(name__startswith=BANK_GROUP_PREFIX)
    if own is not None:
        stale = stale.exclude(pk=own.pk)
    user.groups.remove(*stale)
