"""Each bank's staff edit only their own bank's subtree in the Wagtail admin."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.urls import reverse

from loanhub.accounts.models import Role
from loanhub.institutions.services import institution_add_staff
from tests.factories.accounts import UserFactory
from tests.factories.cms import product_create

from .admin_forms import product_form_data


def edit_url(page) -> str:
    return reverse("wagtailadmin_pages:edit", args=[page.pk])


def test_bank_officer_can_edit_own_product_but_not_another_banks(client, officer_a, bank_a_page, bank_b_page):
    own = product_create(bank_a_page, title="甲银行信用贷")
    other = product_create(bank_b_page, title="乙银行信用贷")
    client.force_login(officer_a)

    assert client.get(edit_url(own)).status_code == 200
    response = client.get(edit_url(other))
    assert response.status_code in (302, 403)
    assert "乙银行信用贷" not in response.content.decode()


def test_bank_officer_cannot_change_another_banks_product_by_posting(client, officer_a, bank_b_page):
    other = product_create(bank_b_page, title="乙银行信用贷")
    client.force_login(officer_a)

    response = client.post(edit_url(other), product_form_data(other, title="被篡改", **{"action-submit": "1"}))

    assert response.status_code in (302, 403)
    other.refresh_from_db()
    assert other.title == "乙银行信用贷"
    assert other.get_latest_revision().as_object().title == "乙银行信用贷"


def test_bank_officer_cannot_add_products_under_another_bank(client, officer_a, bank_b_page):
    client.force_login(officer_a)
    url = reverse("wagtailadmin_pages:add", args=["cms", "financingproductpage", bank_b_page.pk])

    assert client.get(url).status_code in (302, 403)


def test_bank_officer_may_edit_but_never_publish_own_bank_pages(officer_a, bank_a_page):
    product = product_create(bank_a_page)
    permissions = product.permissions_for_user(officer_a)

    assert permissions.can_edit()
    assert not permissions.can_publish()
    assert bank_a_page.permissions_for_user(officer_a).can_add_subpage()


def test_new_staff_member_joins_their_banks_editor_group_only(bank_a_page, bank_b_page):
    user = UserFactory(username="newcomer", role=Role.BANK_OFFICER)
    institution_add_staff(institution=bank_a_page.institution, user=user)

    names = set(user.groups.values_list("name", flat=True))
    assert names == {"机构编辑：bank-a"}
    assert user.has_perm("wagtailadmin.access_admin")
    assert Group.objects.get(name="机构编辑：bank-b").user_set.count() == 0
