"""A challenger trained on the platform's book is compared with the active model and activated
only by an administrator who confirmed, audited; nothing switches silently."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

from loanhub.audit.models import AuditEvent, AuditKind
from loanhub.learning.services import challenger_train
from loanhub.scoring.models import ModelVersion
from tests.factories.cms import product_create
from tests.loanhub.learning.book import build_book

pytestmark = pytest.mark.django_db


@pytest.fixture
def challenger(bank_a_page, active_model, tmp_path):
    built = build_book(bank_a_page, n=240)
    product_create(bank_a_page, title="B级门槛产品", min_grade="B")
    version = challenger_train(force=True, out_dir=tmp_path / "challenger")
    return built, version


def test_challenger_is_registered_inactive_with_its_comparison(challenger, active_model):
    _built, version = challenger
    active_model.refresh_from_db()
    assert active_model.is_active and not version.is_active and version.is_challenger
    c = version.comparison
    window = c["window"]
    assert c["champion"]["version"] == active_model.version and c["challenger"]["version"] == version.version
    assert c["rows"] >= 40 and 0 < c["bads"] < c["rows"]
    assert window[0] <= window[1]
    for side in ("champion", "challenger"):
        assert 0 <= c[side]["auc"] <= 1 and 0 <= c[side]["ks"] <= 1
        assert [g["grade"] for g in c[side]["grades"]] == list("ABCDE")
        assert sum(g["count"] for g in c[side]["grades"]) == c["rows"]
    # The book's signal (penalties, D tax ratings) is learned: the challenger ranks the window well.
    assert c["challenger"]["auc"] > 0.7
    assert c["psi"] is not None and c["psi"] >= 0
    assert {row["grade"] for row in c["cutoffs"]} == {"B", "C"}
    for row in c["cutoffs"]:
        assert row["change"] == pytest.approx(row["challenger"] - row["champion"], abs=1e-3)
    # The window is later than every row the challenger was trained on.
    assert version.card["metrics"].get("oot_from", "") <= window[0] or "oot_from" not in version.card["metrics"]


def test_model_page_shows_the_comparison_and_activation_needs_confirmation(
    client, challenger, active_model, platform_admin
):
    _built, version = challenger
    client.force_login(platform_admin)
    page = client.get(reverse("scoring_admin:detail", args=[version.pk])).content.decode()
    assert "挑战者与启用模型对比" in page and "按等级的校准" in page and "对产品准入的影响" in page
    assert "comparison-chart" in page and "PSI" in page
    index = client.get(reverse("scoring_admin:index")).content.decode()
    assert "挑战者（待比较后启用）" in index
    url = reverse("scoring_admin:activate", args=[version.pk])
    confirm = client.get(url).content.decode()
    assert "我已查看对比结果，确认启用该模型" in confirm
    client.post(url)  # no confirmation: the page again, nothing activated
    version.refresh_from_db()
    assert not version.is_active
    assert not AuditEvent.objects.filter(kind=AuditKind.MODEL_ACTIVATED, object_id=str(version.pk)).exists()
    client.post(url, {"confirmed": "1"})
    version.refresh_from_db()
    active_model.refresh_from_db()
    assert version.is_active and not active_model.is_active
    event = AuditEvent.objects.get(kind=AuditKind.MODEL_ACTIVATED, object_id=str(version.pk))
    assert event.user == platform_admin and event.details["challenger"] is True


def test_train_challenger_command_and_page_need_an_active_model(bank_a_page, client, platform_admin, capsys):
    with pytest.raises(Exception, match="没有启用的评分模型"):
        call_command("train_challenger")
    client.force_login(platform_admin)
    page = client.get(reverse("learning_admin:index")).content.decode()
    assert "没有启用的评分模型，无法比较" in page
    assert not ModelVersion.objects.filter(is_challenger=True).exists()


def test_training_from_the_page_reports_a_refusal_and_registers_nothing(
    bank_a_page, active_model, client, platform_admin, settings, tmp_path
):
    """The page runs the task; a book too small for the training guards is refused, with the reason."""
    settings.LOANHUB_MODEL_DIR = tmp_path
    build_book(bank_a_page, n=60)
    client.force_login(platform_admin)
    page = client.post(reverse("learning_admin:challenger"), follow=True).content.decode()
    assert "训练失败" in page and "tiny_data" in page
    assert not ModelVersion.objects.filter(is_challenger=True).exists()
