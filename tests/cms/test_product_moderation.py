"""A bank's new or changed product goes live only after a platform moderator approves."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse
from wagtail.models import WorkflowState

from cms.models import FinancingProductPage
from tests.factories.cms import product_create

from .admin_forms import product_form_data


def approve(client, moderator, page) -> None:
    state = WorkflowState.objects.get(base_content_type__isnull=False, object_id=str(page.pk), status="in_progress")
    client.force_login(moderator)
    url = reverse(
        "wagtailadmin_pages:workflow_action",
        args=[page.pk, "approve", state.current_task_state.pk],
    )
    response = client.post(url, {"comment": ""})
    assert response.status_code in (200, 302)


def test_officer_edit_stays_off_the_live_page_until_a_platform_admin_approves(
    client, officer_a, bank_a_page, platform_admin
):
    product = product_create(bank_a_page, rate_min="3.45", rate_max="4.20")
    client.force_login(officer_a)

    response = client.post(
        reverse("wagtailadmin_pages:edit", args=[product.pk]),
        product_form_data(product, rate_min="2.95", **{"action-submit": "1"}),
    )
    assert response.status_code == 302, response.context and response.context["form"].errors

    client.logout()
    live = client.get(product.url)
    assert "年化利率 3.45%–4.20%" in live.content.decode()
    assert "2.95%" not in live.content.decode()

    approve(client, platform_admin, product)
    client.logout()

    live = client.get(product.url)
    assert "年化利率 2.95%–4.20%" in live.content.decode()
    assert FinancingProductPage.objects.get(pk=product.pk).rate_min == Decimal("2.95")


def test_officer_cannot_publish_directly_even_when_asking_to(client, officer_a, bank_a_page):
    product = product_create(bank_a_page, rate_min="3.45", rate_max="4.20")
    client.force_login(officer_a)

    client.post(
        reverse("wagtailadmin_pages:edit", args=[product.pk]),
        product_form_data(product, rate_min="1.00", **{"action-publish": "1"}),
    )

    assert FinancingProductPage.objects.get(pk=product.pk).rate_min == Decimal("3.45")


def test_new_product_from_an_officer_is_not_live_until_approved(client, officer_a, bank_a_page, platform_admin):
    client.force_login(officer_a)
    url = reverse("wagtailadmin_pages:add", args=["cms", "financingproductpage", bank_a_page.pk])

    response = client.post(url, product_form_data(title="甲银行新品贷", slug="new-loan", **{"action-submit": "1"}))
    assert response.status_code == 302, response.context and response.context["form"].errors
    product = FinancingProductPage.objects.get(slug="new-loan")
    assert not product.live
    client.logout()
    assert "甲银行新品贷" not in client.get("/products/").content.decode()

    approve(client, platform_admin, product)

    assert FinancingProductPage.objects.get(slug="new-loan").live
    client.logout()
    assert "甲银行新品贷" in client.get("/products/").content.decode()
