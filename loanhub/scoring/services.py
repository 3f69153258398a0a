"""The Django side of risk scoring: records → pandas frames → risk_models → ScoreRecord.

This module is the only adapter between the record store and ``risk_models``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from functools import partial
from pathlib import Path
from threading import Lock
from typing import Any

import numpy as np
import pandas as pd
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from loanhub.accounts.models import User
from loanhub.audit.models import AuditKind
from loanhub.audit.services import audit_record
from loanhub.consent.selectors import Scope
from loanhub.credit_data.models import CreditRecord
from loanhub.credit_data.validation import payload_hash_key
from loanhub.enterprises.models import Enterprise
from risk_models.model import RiskModel, is_logistic

from .exceptions import NoActiveModel
from .models import ApprovalModelVersion, JobStatus, ModelVersion, RescoreJob, ScoreRecord, Trigger

CHUNK = 500
_cache: dict[str, RiskModel] = {}
_cache_lock = Lock()

ScoreListener = Callable[[list[int]], object]
_score_listeners: list[ScoreListener] = []


def on_score_recorded(listener: ScoreListener) -> None:
    """Register ``listener(enterprise_ids)``, called after the commit that stored new full-scope
    scores of these enterprises (one call per batch; scoped scores for a viewer are not announced).

    The post-loan early warning (``loanhub.loans``) listens here for sharp score drops: it may
    import scoring, scoring must not import it."""
    if listener not in _score_listeners:
        _score_listeners.append(listener)


def _scores_recorded(records: Sequence[ScoreRecord]) -> None:
    ids = sorted({r.enterprise_id for r in records if r.scope == "full"})
    if not ids:
        return
    for listener in _score_listeners:
        transaction.on_commit(partial(listener, ids))


# -- model registry ---------------------------------------------------------------


@transaction.atomic
def model_register(*, path: Path) -> ModelVersion:
    """Register a model folder (model.txt + model_card.json); idempotent by version."""
    model = RiskModel.load(path)
    version, _created = ModelVersion.objects.update_or_create(
        version=model.version, defaults={"path": str(Path(path).resolve()), "card": model.card}
    )
    return version


@transaction.atomic
def model_activate(*, version: ModelVersion, user: User | None = None) -> ModelVersion:
    RiskModel.load(version.path)  # refuse a folder that no longer loads
    ModelVersion.objects.filter(is_active=True).exclude(pk=version.pk).update(is_active=False)
    version.is_active = True
    version.activated_at = timezone.now()
    version.activated_by = user
    version.save(update_fields=["is_active", "activated_at", "activated_by"])
    audit_record(kind=AuditKind.MODEL_ACTIVATED, user=user, obj=version, challenger=version.is_challenger)
    return version


def model_load(version: ModelVersion) -> RiskModel:
    key = f"{version.version}@{version.path}"
    with _cache_lock:
        if key not in _cache:
            _cache[key] = RiskModel.load(version.path)
        return _cache[key]


def model_get_active() -> tuple[ModelVersion, RiskModel]:
    version = ModelVersion.objects.filter(is_active=True).first()
    if version is None:
        raise NoActiveModel(_("没有启用的评分模型，请管理员在模型管理中启用一个版本。"))
    return version, model_load(version)


# -- frames -----------------------------------------------------------------------


def enterprise_frame(enterprises: Sequence[Enterprise]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "uscc": [e.uscc for e in enterprises],
            "registration_date": pd.to_datetime([e.registration_date for e in enterprises]),
            "registered_capital": [float(e.registered_capital) / 10000 for e in enterprises],
            "industry": [e.industry[:1] for e in enterprises],
            "region": [e.region for e in enterprises],
            "size_class": [e.size_class for e in enterprises],
        }
    )


def record_frames(usccs: Iterable[str], *, scope: Scope | None = None) -> dict[str, pd.DataFrame]:
    """Stored records as risk_models frames; objection-removed records left out.

    A credit repair recorded on the record overrides the payload's ``repaired_on``.
    With a ``scope``, only its categories and date range are used.
    """
    qs = CreditRecord.objects.filter(uscc__in=list(usccs), removed_at__isnull=True)
    if scope is not None:
        qs = qs.filter(category__in=list(scope.categories))
    rows: dict[str, list[dict]] = defaultdict(list)
    for uscc, category, record_date, payload, repaired_on in qs.values_list(
        "uscc", "category", "record_date", "payload", "repaired_on"
    ).iterator(chunk_size=5000):
        if scope is not None and not scope.allows(category, record_date):
            continue
        row = {**payload, "uscc": uscc, "record_date": record_date}
        if repaired_on:
            row["repaired_on"] = repaired_on.isoformat()
        rows[category].append(row)
    return {category: pd.DataFrame(items) for category, items in rows.items()}


def _feature_row(features: pd.DataFrame, uscc: str) -> pd.Series:
    row = features.loc[uscc]
    if not isinstance(row, pd.Series):  # the features are one row per enterprise
        raise ValueError(f"more than one feature row for {uscc}")
    return row


def _rows(frame: pd.DataFrame) -> Iterable[Any]:
    """``itertuples`` rows; pandas-stubs types their cells as any scalar."""
    return frame.itertuples(index=False)


def _inputs_hash(version: str, features: pd.Series) -> str:
    """Keyed (HMAC-SHA256, the key of sensitive record hashes): the features include
    tax amounts, which a plain hash would let anyone with the table guess back."""
    data = json.dumps({k: _plain(v) for k, v in features.items()}, sort_keys=True, default=str)
    return hmac.new(payload_hash_key(), f"{version}|{data}".encode(), hashlib.sha256).hexdigest()


def _plain(value: object) -> object:
    """One JSON value per feature value, whatever dtype its column had in the frame.

    A column's dtype depends on the other rows scored with it (a count is int64 in one
    batch and float64 beside a missing value in another; a flag bool or object), so the
    same enterprise must give the same value, and the same inputs hash, in any batch or
    partition: numpy scalars become Python ones and a whole float becomes an int.
    """
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float):
        if np.isnan(value):
            return None
        return int(value) if value.is_integer() else round(value, 6)
    return value


# -- scoring ----------------------------------------------------------------------


def scope_key(scope: Scope | None) -> str:
    if scope is None or scope.is_own:
        return "full"
    if scope.institution is not None:
        return f"institution:{scope.institution.pk}"
    return "platform"


def score_enterprises(
    enterprises: Sequence[Enterprise],
    *,
    trigger: str,
    scope: Scope | None = None,
    as_of: date | None = None,
) -> list[ScoreRecord]:
    """Score enterprises in one vectorized pass and store one ScoreRecord each."""
    records = ScoreRecord.objects.bulk_create(_compute(enterprises, trigger=trigger, scope=scope, as_of=as_of))
    _scores_recorded(records)
    return records


def _compute(
    enterprises: Sequence[Enterprise], *, trigger: str, scope: Scope | None, as_of: date | None
) -> list[ScoreRecord]:
    """Unsaved score records of ``enterprises`` (one vectorized pass)."""
    if not enterprises:
        return []
    version, model = model_get_active()
    as_of = as_of or timezone.localdate()
    from risk_models.features import build_features

    features = build_features(
        enterprise_frame(enterprises), record_frames([e.uscc for e in enterprises], scope=scope), as_of
    )
    scored = model.score(features, reasons=True, top_n=4)
    categories = sorted(scope.categories) if scope is not None and not scope.is_own else []
    key = scope_key(scope)
    records = [
        ScoreRecord(
            enterprise=enterprise,
            model_version=version,
            as_of=as_of,
            categories=categories,
            scope=key,
            inputs_hash=_inputs_hash(version.version, _feature_row(features, enterprise.uscc)),
            pd=float(row.pd),
            score=int(row.score),
            grade=str(row.grade),
            knockout=bool(getattr(row, "knockout", False)),
            reasons=list(row.reasons),
            features={k: _plain(v) for k, v in _feature_row(features, enterprise.uscc).items()},
            trigger=trigger,
        )
        for enterprise, row in zip(enterprises, _rows(scored), strict=True)
    ]
    return records


def score_enterprise(
    enterprise: Enterprise, *, trigger: str = Trigger.ON_DEMAND, scope: Scope | None = None
) -> ScoreRecord:
    return score_enterprises([enterprise], trigger=trigger, scope=scope)[0]


def score_for_scope(enterprise: Enterprise, scope: Scope) -> ScoreRecord:
    """A score computed only from what ``scope`` may see; reused while inputs are unchanged."""
    fresh = _compute([enterprise], trigger=Trigger.ON_DEMAND, scope=scope, as_of=None)[0]
    previous = (
        ScoreRecord.objects.filter(
            enterprise=enterprise, scope=fresh.scope, inputs_hash=fresh.inputs_hash,
            model_version=fresh.model_version, as_of=fresh.as_of,
        ).order_by("-created_at").first()
    )  # fmt: skip
    if previous is not None:
        return previous  # identical inputs: one audit row, not one per page view
    fresh.save()
    return fresh


def rescore_safely(enterprise: Enterprise, trigger: str) -> ScoreRecord | None:
    """Rescore after a change; a missing model must not break the change itself."""
    try:
        return score_enterprise(enterprise, trigger=trigger)
    except NoActiveModel:
        return None


def rescore_registered(usccs: Sequence[str], *, enqueue: Callable[[list[str]], object]) -> int:
    """Rescore the registered enterprises among ``usccs`` after their data changed.

    ``enqueue`` runs the rescoring in the background (``tasks.rescore_usccs_task.enqueue``,
    passed in by ``ScoringConfig.ready``): the tasks call this module, not the reverse.
    """
    registered = list(Enterprise.objects.filter(uscc__in=list(usccs)).values_list("uscc", flat=True))
    if registered and ModelVersion.objects.filter(is_active=True).exists():
        enqueue(registered)
    return len(registered)


def rescore_usccs(usccs: Sequence[str], trigger: str = Trigger.DATA_CHANGE) -> int:
    done = 0
    for start in range(0, len(usccs), CHUNK):
        chunk = list(Enterprise.objects.filter(uscc__in=usccs[start : start + CHUNK]))
        done += len(score_enterprises(chunk, trigger=trigger))
    return done


# -- batch rescoring ---------------------------------------------------------------


def rescore_job_create(*, user: User | None = None) -> RescoreJob:
    version, _model = model_get_active()
    return RescoreJob.objects.create(requested_by=user, model_version=version, total=Enterprise.objects.count())


def rescore_job_run(job: RescoreJob, *, progress: Callable[[RescoreJob], object] | None = None) -> RescoreJob:
    """Rescore every enterprise in chunks, recording progress after each chunk.

    Resumable: a rerun of a job that stopped midway continues after ``done``.
    """
    if job.status == JobStatus.DONE:
        return job
    ids = list(Enterprise.objects.order_by("pk").values_list("pk", flat=True))
    job.total = len(ids)
    with job_running(job):
        for start in range(job.done, len(ids), CHUNK):
            chunk = list(Enterprise.objects.filter(pk__in=ids[start : start + CHUNK]).order_by("pk"))
            with transaction.atomic():
                score_enterprises(chunk, trigger=Trigger.BATCH)
                job.done = start + len(chunk)
                job.save(update_fields=["done", "total"])
            if progress:
                progress(job)
    return job


@contextmanager
def job_running(job: RescoreJob) -> Iterator[None]:
    """The job's status around its work: running, then done, or failed with the error (re-raised)."""
    job.status = JobStatus.RUNNING
    job.save(update_fields=["status"])
    try:
        yield
    except Exception as exc:
        job.status, job.error = JobStatus.FAILED, str(exc)[:2000]
        job.save(update_fields=["status", "error"])
        raise
    job.status, job.finished_at = JobStatus.DONE, timezone.now()
    job.save(update_fields=["status", "finished_at"])


def validate_model_dir(path: str) -> Path:
    """A model folder has a card; a LightGBM model also has model.txt (a logistic scorecard keeps
    its coefficients in the card). Whether the files agree is checked when the model loads."""
    folder = Path(path)
    card_file = folder / "model_card.json"
    if not card_file.is_file():
        raise ValidationError(_("目录中缺少 model_card.json。"))
    try:
        card = json.loads(card_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValidationError(_("model_card.json 无法读取：%(e)s") % {"e": exc}) from exc
    if not (isinstance(card, dict) and is_logistic(card)) and not (folder / "model.txt").is_file():
        raise ValidationError(_("目录中缺少 model.txt。"))
    return folder


# -- learning from the platform's own book (loanhub.learning calls these) ---------------


def features_as_of(pairs: Sequence[tuple[Enterprise, date]]) -> pd.DataFrame:
    """Model features of each (enterprise, day), one row per pair in order, from the records
    dated on or before that day only (no look-ahead: a record dated later, or a repair,
    removal or closing dated later, is not known yet). Records read once, every pair built
    in one vectorized pass (``build_features_at``, each row with its own as-of day)."""
    from risk_models.features import build_features_at

    if not pairs:
        return pd.DataFrame()
    enterprises = {e.uscc: e for e, _day in pairs}
    frames = record_frames(list(enterprises))
    features = build_features_at(enterprise_frame([e for e, _day in pairs]), frames, [day for _e, day in pairs])
    return features.reset_index(drop=True)


def model_train_challenger(
    book: pd.DataFrame,
    *,
    target: str,
    time_col: str,
    id_col: str,
    exclude: Sequence[str] = (),
    out_dir: Path,
    version: str,
    force: bool = False,
) -> ModelVersion:
    """Train a PD model on ``book`` and register it as a challenger: never active by itself."""
    from risk_models.training import train

    model = train(
        book, target, time_col=time_col, id_col=id_col, exclude=list(exclude), version=version,
        source={"kind": "platform_book", "rows": len(book)}, force=force,
    )  # fmt: skip
    model.save(out_dir)
    registered = model_register(path=out_dir)
    registered.is_challenger = True
    registered.save(update_fields=["is_challenger"])
    return registered


def model_compare(
    *,
    challenger: ModelVersion,
    champion: ModelVersion,
    features: pd.DataFrame,
    bad: Sequence[int],
    cutoffs: dict[str, int],
    window: tuple[str, str],
) -> ModelVersion:
    """Compare ``challenger`` with ``champion`` on one out-of-time window; stored on the challenger."""
    from risk_models.challenger import compare

    result = compare(
        model_load(champion), model_load(challenger), features, np.asarray(bad), cutoffs=cutoffs, window=window
    )
    result["champion_id"] = champion.pk
    result["compared_at"] = timezone.now().isoformat()
    challenger.comparison = result
    challenger.save(update_fields=["comparison"])
    return challenger


_approval_cache: dict[int, Any] = {}


@transaction.atomic
def approval_model_register(
    *, inputs: dict[str, np.ndarray], approved: Sequence[int], order: Sequence[Any], formula: Sequence[float],
    out_dir: Path, user: User | None = None, force: bool = False,
) -> ApprovalModelVersion:  # fmt: skip
    """Learn the approval likelihood from decided leads, store it and make it the one in use (audited).

    Refuses (``ValueError``) below ``risk_models.approval.MIN_DECISIONS`` decisions or
    ``MIN_APPROVALS`` approvals unless ``force``: until then matching keeps its formula."""
    from risk_models.approval import train_approval

    model = train_approval(inputs, approved, order=order, formula=formula, force=force)
    folder = model.save(out_dir / model.version)
    version = ApprovalModelVersion.objects.create(version=model.version, path=str(folder), card=model.card)
    ApprovalModelVersion.objects.filter(is_active=True).update(is_active=False)
    version.is_active, version.activated_at, version.activated_by = True, timezone.now(), user
    version.save(update_fields=["is_active", "activated_at", "activated_by"])
    audit_record(kind=AuditKind.MODEL_ACTIVATED, user=user, obj=version, model="approval_likelihood")
    return version


def approval_model_in_use() -> Any:
    """The learned approval-likelihood model matching uses (``ApprovalModel``), or None: the formula."""
    from risk_models.approval import ApprovalModel

    row = ApprovalModelVersion.objects.filter(is_active=True).values_list("pk", "card").first()
    if row is None:
        return None
    pk, card = row
    if pk not in _approval_cache:
        _approval_cache.clear()
        _approval_cache[pk] = ApprovalModel(card)
    return _approval_cache[pk]


def approval_thresholds() -> tuple[int, int]:
    """(decisions, approvals) needed before the approval likelihood is learned."""
    from risk_models.approval import MIN_APPROVALS, MIN_DECISIONS

    return MIN_DECISIONS, MIN_APPROVALS
