"""seed_demo builds the portal: every bank with its page and group, 30+ products."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from cms.demo import CMS_SEED_STEPS
from cms.models import FinancingProductPage, InstitutionPage, NewsPage, ZonePage
from cms.selectors import product_frame
from loanhub.demo import services as demo
from loanhub.institutions.models import FinancialInstitution

pytestmark = pytest.mark.django_db


def seed_portal_only() -> None:
    """The steps the portal needs (not the whole demo: credit data is not needed here)."""
    ctx = demo.SeedContext(password="Seed-test-pass-1", progress=lambda _msg: None)
    for step in [demo.seed_site, demo.seed_users, demo.seed_banks, *CMS_SEED_STEPS]:
        step(ctx)


def test_cms_steps_are_part_of_seed_demo():
    assert all(step in demo.SEED_STEPS for step in CMS_SEED_STEPS)


def test_seed_demo_builds_a_varied_live_portal_and_is_idempotent(client):
    seed_portal_only()
    seed_portal_only()

    banks = FinancialInstitution.objects.count()
    assert banks >= 5
    assert InstitutionPage.objects.live().count() == banks
    assert Group.objects.filter(name__startswith="机构编辑：").count() == banks
    frame = product_frame()
    assert len(frame) == FinancingProductPage.objects.count() >= 30
    assert frame["product_type"].nunique() >= 6
    assert frame["institution_id"].nunique() == banks
    assert {"制造业", "绿色金融", "科技创新", "乡村振兴"} <= set(frame["tags"].explode())
    assert ZonePage.objects.live().count() == 4
    assert NewsPage.objects.live().count() >= 6
    assert Group.objects.get(name="平台审核员").user_set.filter(username="demo_admin").exists()
    officer_groups = Group.objects.filter(user__username="demo_bank").values_list("name", flat=True)
    assert list(officer_groups) == ["机构编辑：yuexin-bank"]
    for url in ("/", "/products/", "/zones/green/", "/news/", "/institutions/yuexin-bank/"):
        assert client.get(url).status_code == 200, url
