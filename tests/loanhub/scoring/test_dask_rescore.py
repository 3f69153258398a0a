"""The platform's "rescore everything" and full rematch on Dask equal the in-process paths.

LOANHUB_DASK_SCHEDULER="local": a LocalCluster of threads in the test process; the workers
only compute (pandas), the database is read and written by the test's own thread.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pandas as pd
import pytest
from django.utils import timezone

from loanhub.consent.models import GranteeType
from loanhub.matching.matcher import products_changed
from loanhub.matching.needs import need_post
from loanhub.matching.tasks import rematch_all_partitioned, rematch_all_task
from loanhub.scoring import batch
from loanhub.scoring.models import JobStatus, ScoreRecord, Trigger
from loanhub.scoring.services import rescore_job_create, rescore_job_run
from loanhub.scoring.tasks import rescore_all_task
from tests.factories.accounts import UserFactory
from tests.factories.cms import product_create
from tests.factories.credit import authorize, import_rows, standard_records
from tests.factories.enterprises import MembershipFactory
from tests.factories.portal_fixtures import *  # noqa: F403 -- portal, bank pages

pytestmark = pytest.mark.django_db

COMPARED = ("pd", "score", "grade", "knockout", "reasons", "features", "inputs_hash", "as_of", "scope", "categories")


def _varied_enterprises(n: int) -> list:
    """Enterprises whose records differ: none, the standard set, or the standard set plus penalties."""
    today = timezone.localdate()
    made = []
    for i in range(n):
        enterprise = MembershipFactory().enterprise
        if i % 3:
            standard_records(enterprise.uscc)
        if i % 3 == 2:
            rows = [
                {"uscc": enterprise.uscc, "record_date": (today - timedelta(days=30 + 40 * k)).isoformat(),
                 "issuer": "生态环境局", "severity": "严重", "fine_amount": 20000 * (i + k)}
                for k in range(i % 4 + 1)
            ]  # fmt: skip
            import_rows("penalty", rows, name=f"p{i}.csv")
        made.append(enterprise)
    return made


def _latest(enterprises, trigger=Trigger.BATCH) -> dict[int, dict]:
    out = {}
    for enterprise in enterprises:
        record = ScoreRecord.objects.filter(enterprise=enterprise, trigger=trigger).order_by("-pk").first()
        out[enterprise.pk] = {name: getattr(record, name) for name in COMPARED}
    return out


@pytest.fixture
def dask_settings(settings):
    settings.LOANHUB_DASK_SCHEDULER = "local"
    settings.LOANHUB_DASK_PARTITION_ENTERPRISES = 2
    return settings


def test_partitions_are_the_uscc_hash_buckets_and_cover_every_enterprise_once(dask_settings):
    pairs = [(i, f"9144030000000{i:04d}X") for i in range(1, 12)]
    groups = batch.enterprise_partitions(pairs)
    assert sorted(pk for g in groups for pk in g) == [pk for pk, _ in pairs]
    n_parts = batch.partitions_for(len(pairs))
    assert n_parts == 6
    by_pk = dict(pairs)
    for group in groups:
        assert len({int(batch.partition_of([by_pk[pk]], n_parts)[0]) for pk in group}) == 1


def test_rescore_everything_on_dask_writes_the_same_scores_as_in_process(dask_settings, active_model):
    enterprises = _varied_enterprises(7)
    rescore_job_run(rescore_job_create())
    in_process = _latest(enterprises)
    assert len({r["score"] for r in in_process.values()}) > 1  # the enterprises really differ

    job = rescore_job_create()
    rescore_all_task.enqueue(job.pk)  # the immediate backend runs it now; LOANHUB_DASK_SCHEDULER picks Dask
    job.refresh_from_db()
    assert (job.status, job.done, job.total) == (JobStatus.DONE, 7, 7)
    assert ScoreRecord.objects.filter(trigger=Trigger.BATCH).count() == 14
    assert _latest(enterprises) == in_process


def test_a_dask_rescore_resumes_after_the_partitions_already_written(dask_settings, active_model):
    enterprises = _varied_enterprises(5)
    groups = batch.enterprise_partitions([(e.pk, e.uscc) for e in sorted(enterprises, key=lambda e: e.pk)])
    assert len(groups) >= 2
    job = rescore_job_create()
    job.done, job.status = len(groups[0]), JobStatus.RUNNING  # as if a worker died after the first partition
    job.save()
    seen = []
    batch.rescore_job_run_dask(job, progress=lambda j: seen.append(j.done))
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.done == job.total == 5
    scored = set(ScoreRecord.objects.filter(trigger=Trigger.BATCH).values_list("enterprise_id", flat=True))
    assert scored == {pk for group in groups[1:] for pk in group}
    assert seen == sorted(seen) and seen[-1] == 5


def test_without_a_scheduler_rescore_everything_stays_in_process(settings, active_model, monkeypatch):
    settings.LOANHUB_DASK_SCHEDULER = ""
    _varied_enterprises(2)

    def refuse(*args, **kwargs):
        raise AssertionError("Dask must not be used without LOANHUB_DASK_SCHEDULER")

    monkeypatch.setattr(batch, "rescore_job_run_dask", refuse)
    job = rescore_job_create()
    rescore_all_task.enqueue(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.done == 2


def test_full_rematch_per_partition_suggests_what_the_in_process_rematch_suggests(
    portal, bank_a_page, bank_b_page, active_model, settings
):
    product_create(bank_a_page, title="甲信用贷", rate_min=Decimal("3.50"))
    product_create(bank_b_page, title="乙信用贷", rate_min=Decimal("3.20"))
    product_create(bank_a_page, title="甲大额贷", amount_min=Decimal("5000000"), amount_max=Decimal("9e6"))
    products_changed()
    for i in range(5):
        membership = MembershipFactory(user=UserFactory(username=f"sme_{i}"))
        authorize(membership.enterprise, grantee_type=GranteeType.APPLIED, categories=["registration"])
        amount = 6_000_000 if i == 4 else 300_000 + 100_000 * i
        need_post(user=membership.user, enterprise=membership.enterprise, amount=amount, term_months=12, purpose="采购")
    settings.LOANHUB_DASK_SCHEDULER = ""
    in_process = rematch_all_task.call()
    assert in_process > 0
    settings.LOANHUB_DASK_SCHEDULER = "local"
    settings.LOANHUB_DASK_PARTITION_ENTERPRISES = 2
    assert rematch_all_task.call() == in_process
    assert rematch_all_partitioned("local") == in_process


def test_export_parquet_gives_the_features_scoring_computes(tmp_path, active_model):
    from django.core.management import CommandError, call_command

    from loanhub.enterprises.models import Enterprise
    from loanhub.scoring.services import enterprise_frame, record_frames
    from risk_models import distributed
    from risk_models.features import build_features

    _varied_enterprises(5)
    out = tmp_path / "export"
    call_command("export_parquet", str(out), "--partitions", "3")
    assert (out.stat().st_mode & 0o777) == 0o700
    manifest = distributed.read_manifest(out)
    assert manifest["n_partitions"] == 3 and manifest["rows"]["enterprises"] == 5
    # a bulk read of every enterprise's credit data: audited, with where it went
    from loanhub.audit.models import AuditEvent, AuditKind

    [event] = AuditEvent.objects.filter(kind=AuditKind.CREDIT_DATA_READ, details__action="export_parquet")
    assert event.details["folder"] == str(out.resolve()) and event.details["rows"]["enterprises"] == 5
    enterprises = list(Enterprise.objects.order_by("pk"))
    expected = build_features(
        enterprise_frame(enterprises), record_frames([e.uscc for e in enterprises]), timezone.localdate()
    )
    with distributed.connect(distributed.LOCAL):
        got = distributed.features_frame(out, timezone.localdate()).compute()
    pd.testing.assert_frame_equal(got.sort_index(), expected.sort_index())
    with pytest.raises(CommandError, match="不为空"):
        call_command("export_parquet", str(out))
