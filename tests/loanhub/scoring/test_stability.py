"""Model health: PSI against the model's own first scores here, not its training book."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from loanhub.scoring.models import ModelVersion, ScoreRecord
from loanhub.scoring.stability import MIN_SAMPLE, score_stability
from loanhub.stats.selectors import model_health
from tests.factories.enterprises import EnterpriseFactory

pytestmark = pytest.mark.django_db

EDGES = [300.0 + 50 * i for i in range(13)]
# A training book whose scores sit in 400-500: nothing like the firms scored below.
TRAINING_BASELINE = {"edges": EDGES, "shares": [0, 0, 0.5, 0.5, 0, 0, 0, 0, 0, 0, 0, 0]}


def scored(version: ModelVersion, enterprises: list, scores: list[int], *, at) -> None:
    for enterprise, score in zip(enterprises, scores, strict=True):
        ScoreRecord.objects.create(
            enterprise=enterprise, model_version=version, as_of=at.date(), inputs_hash="x",
            pd=0.05, score=score, grade="C", trigger="batch", created_at=at,
        )  # fmt: skip


@pytest.fixture
def version():
    return ModelVersion.objects.create(
        version="fresh", path="/nonexistent", card={"psi_baseline": TRAINING_BASELINE}, is_active=True
    )


@pytest.fixture
def firms():
    return [EnterpriseFactory() for _ in range(40)]


def spread(n: int) -> list[int]:
    return [520 + (i * 37) % 220 for i in range(n)]  # 520-739


def test_a_freshly_activated_model_reads_as_stable(version, firms):
    scored(version, firms, spread(40), at=timezone.now())
    health = model_health()
    assert health.psi is not None
    assert health.psi < 0.1  # the training book alone would give a PSI far above 0.25


def test_scores_moving_after_the_first_run_show_a_shift(version, firms):
    start = timezone.now() - timedelta(days=30)
    scored(version, firms, spread(40), at=start)
    scored(version, firms, [score - 180 for score in spread(40)], at=timezone.now())
    stability = score_stability(version=version)
    assert stability.reference_count == stability.current_count == 40
    assert stability.psi is not None and stability.psi > 0.25


def test_too_few_scores_give_no_psi_instead_of_a_retraining_alarm(version, firms):
    scored(version, firms[: MIN_SAMPLE - 1], spread(MIN_SAMPLE - 1), at=timezone.now())
    assert score_stability(version=version).psi is None
    assert model_health().psi is None
