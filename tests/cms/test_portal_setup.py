"""institution_portal_setup: a bank's page, editors' group, rights and moderation."""

from __future__ import annotations

from django.contrib.auth.models import Group
from wagtail.models import GroupPagePermission

from cms.models import InstitutionPage
from cms.services import institution_portal_setup
from loanhub.institutions.services import institution_create
from tests.factories.institutions import InstitutionFactory


def test_setup_is_idempotent(portal):
    bank = InstitutionFactory(slug="bank-x")
    first = institution_portal_setup(bank)
    second = institution_portal_setup(bank)
    assert first.page.pk == second.page.pk
    assert InstitutionPage.objects.filter(institution=bank).count() == 1
    assert Group.objects.filter(name="机构编辑：bank-x").count() == 1
    perms = set(GroupPagePermission.objects.filter(group=first.group).values_list("page_id", "permission__codename"))
    assert perms == {(first.page.pk, "add_page"), (first.page.pk, "change_page")}


def test_bank_pages_get_the_platform_approval_workflow(portal):
    page = institution_portal_setup(InstitutionFactory()).page
    workflow = page.get_workflow()
    assert workflow is not None and workflow.name == "金融产品审核"
    task = workflow.tasks.get().specific
    assert list(task.groups.values_list("name", flat=True)) == ["平台审核员"]


def test_creating_an_institution_through_the_service_sets_up_its_portal(portal):
    bank = institution_create(
        name="丙银行股份有限公司", short_name="丙银行", slug="bank-c", type="city_commercial",
        licence_number="B7777H244010001", head_office="广州市", region="440100",
    )  # fmt: skip
    page = InstitutionPage.objects.get(institution=bank)
    assert page.live and page.get_parent().specific_class.__name__ == "InstitutionIndexPage"
    assert Group.objects.filter(name="机构编辑：bank-c").exists()


def test_without_a_home_page_only_the_group_is_created(db):
    result = institution_portal_setup(InstitutionFactory(slug="lonely"))
    assert result.page is None
    assert result.group.name == "机构编辑：lonely"
