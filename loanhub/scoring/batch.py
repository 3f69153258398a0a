"""Rescore everything as a partitioned Dask job (issue 14), when ``LOANHUB_DASK_SCHEDULER`` is set.

The enterprises are cut into partitions by the stable hash of their USCC
(``risk_models.distributed.partition_of``, about ``LOANHUB_DASK_PARTITION_ENTERPRISES``
each). For each partition this process reads the enterprises and their records from the
database (``services.enterprise_frame``, ``services.record_frames``: the same frames as
the in-process path, objection-removed records left out, repairs applied), a Dask worker
computes features and scores with the active model (``risk_models.distributed.score_bundle``:
``build_features`` and ``RiskModel.score``, unchanged), and this process writes the
partition's ``ScoreRecord`` rows in one ``bulk_create`` and one transaction, with the job's
progress. A few partitions are in flight at once, so reading, computing and writing overlap
while memory stays that of a few partitions. The results equal ``services.rescore_job_run``'s
(tests/loanhub/scoring/test_dask_rescore.py).

Workers get plain pandas frames and the model folder's path: they need ``risk_models``
and the model folder (shared storage), not Django or the database.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from loanhub.enterprises.models import Enterprise
from risk_models import distributed

from .models import JobStatus, ModelVersion, RescoreJob, ScoreRecord, Trigger
from .services import (
    _feature_row,
    _inputs_hash,
    _plain,
    enterprise_frame,
    job_running,
    model_get_active,
    record_frames,
)

#: Partitions submitted ahead of the one being written.
IN_FLIGHT = 3


def dask_scheduler() -> str:
    """The configured scheduler address, ``"local"``, or ``""`` (Dask not used)."""
    return str(getattr(settings, "LOANHUB_DASK_SCHEDULER", "") or "").strip()


def partitions_for(n_enterprises: int) -> int:
    """How many partitions ``n_enterprises`` are cut into (at least 1)."""
    size = max(1, int(getattr(settings, "LOANHUB_DASK_PARTITION_ENTERPRISES", 5000)))
    return max(1, math.ceil(n_enterprises / size))


def partition_of(usccs: Sequence[str], n_partitions: int) -> np.ndarray:
    """The partition of each USCC (see ``risk_models.distributed.partition_of``)."""
    return distributed.partition_of(list(usccs), n_partitions)


@contextmanager
def cluster(scheduler: str | None = None) -> Iterator[Any]:
    """A Dask client for the configured scheduler (a LocalCluster of threads for ``"local"``)."""
    address = scheduler if scheduler is not None else dask_scheduler()
    with distributed.connect(address or distributed.LOCAL, threads_per_worker=distributed.default_workers()) as client:
        yield client


def enterprise_partitions(pks_usccs: Sequence[tuple[int, str]]) -> list[list[int]]:
    """Enterprise ids grouped by partition (partitions in order, ids ascending within each)."""
    if not pks_usccs:
        return []
    n_parts = partitions_for(len(pks_usccs))
    parts = partition_of([uscc for _pk, uscc in pks_usccs], n_parts)
    groups: list[list[int]] = [[] for _ in range(n_parts)]
    for (pk, _uscc), part in zip(pks_usccs, parts, strict=True):
        groups[int(part)].append(pk)
    return [sorted(group) for group in groups if group]


def export_parquet(root: Path, *, n_partitions: int | None = None) -> dict[str, Any]:
    """Every enterprise and its records as a partitioned Parquet export (``risk_models.distributed`` layout).

    The frames are the ones scoring reads (``enterprise_frame``, ``record_frames``): objection-
    removed records left out, repairs applied, sensitive payloads decrypted. The folder is
    credit data in clear: it is created for this user only (mode 0700) and must be new.
    ``python -m risk_models features|score --records ROOT`` then run on it.
    """
    if root.exists() and any(root.iterdir()):
        raise FileExistsError(f"{root} exists and is not empty")
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    rows = list(Enterprise.objects.order_by("pk").values_list("pk", "uscc"))
    parts = n_partitions or partitions_for(len(rows))
    counts: dict[str, int] = {}
    for index, start in enumerate(range(0, len(rows), 5000)):
        chunk = list(Enterprise.objects.filter(pk__in=[pk for pk, _u in rows[start : start + 5000]]).order_by("pk"))
        frames = record_frames([e.uscc for e in chunk])
        written = distributed.write_partitioned(
            root, enterprise_frame(chunk), frames, None, parts, chunk_name=f"chunk-{index:05d}"
        )
        for key, value in written.items():
            counts[key] = counts.get(key, 0) + value
    distributed.write_manifest(root, parts, timezone.localdate(), counts, source="loanhub", synthetic=False)
    return distributed.read_manifest(root)


def _score_records(
    enterprises: Sequence[Enterprise], features: Any, scored: Any, version: ModelVersion, as_of: date
) -> list[ScoreRecord]:
    """Unsaved full-scope batch score records, built as ``services._compute`` builds them."""
    records = []
    for enterprise, row in zip(enterprises, scored.itertuples(index=False), strict=True):
        feature_row = _feature_row(features, enterprise.uscc)
        records.append(
            ScoreRecord(
                enterprise=enterprise,
                model_version=version,
                as_of=as_of,
                categories=[],
                scope="full",
                inputs_hash=_inputs_hash(version.version, feature_row),
                pd=float(row.pd),
                score=int(row.score),
                grade=str(row.grade),
                knockout=bool(getattr(row, "knockout", False)),
                reasons=list(row.reasons),
                features={k: _plain(v) for k, v in feature_row.items()},
                trigger=Trigger.BATCH,
            )
        )
    return records


def rescore_job_run_dask(
    job: RescoreJob, *, scheduler: str | None = None, progress: Callable[[RescoreJob], object] | None = None
) -> RescoreJob:
    """``services.rescore_job_run`` with features and scores computed per partition on Dask.

    Resumable like it: partitions are written in order and ``job.done`` counts the
    enterprises of the partitions written, so a rerun skips those partitions.
    """
    if job.status == JobStatus.DONE:
        return job
    version, _model = model_get_active()
    as_of = timezone.localdate()
    groups = enterprise_partitions(list(Enterprise.objects.order_by("pk").values_list("pk", "uscc")))
    job.total = sum(len(g) for g in groups)
    with job_running(job):
        _run_partitions(job, groups, version, as_of, scheduler, progress)
    return job


def _run_partitions(
    job: RescoreJob,
    groups: list[list[int]],
    version: ModelVersion,
    as_of: date,
    scheduler: str | None,
    progress: Callable[[RescoreJob], object] | None,
) -> None:
    skip, written = 0, 0
    while skip < len(groups) and written + len(groups[skip]) <= job.done:
        written += len(groups[skip])
        skip += 1
    job.done = written
    with cluster(scheduler) as client:
        pending: deque[tuple[list[Enterprise], Any]] = deque()
        for group in groups[skip:]:
            enterprises = list(Enterprise.objects.filter(pk__in=group).order_by("pk"))
            frames = record_frames([e.uscc for e in enterprises])
            future = client.submit(
                distributed.score_bundle, enterprise_frame(enterprises), frames, as_of, str(version.path), pure=False
            )
            pending.append((enterprises, future))
            if len(pending) >= IN_FLIGHT:
                _write(job, *pending.popleft(), version, as_of, progress)
        while pending:
            _write(job, *pending.popleft(), version, as_of, progress)


def _write(
    job: RescoreJob,
    enterprises: list[Enterprise],
    future: Any,
    version: ModelVersion,
    as_of: date,
    progress: Callable[[RescoreJob], object] | None,
) -> None:
    """One partition's score records and the job's progress, in one transaction."""
    features, scored = future.result()
    with transaction.atomic():
        ScoreRecord.objects.bulk_create(_score_records(enterprises, features, scored, version, as_of))
        job.done += len(enterprises)
        job.save(update_fields=["done", "total"])
    if progress:
        progress(job)
