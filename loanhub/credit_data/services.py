"""Writes to the record store: imports and provider fetches, all idempotent."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from functools import partial
from typing import TYPE_CHECKING, Any

import pandas as pd
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from loanhub.accounts.models import User
from loanhub.audit.models import AuditKind
from loanhub.audit.services import audit_record
from loanhub.security.fields import Sealed

from . import bulk_pg
from .catalog import CATEGORY_BY_CODE
from .exceptions import CreditDataError, ImportFileError
from .models import CreditRecord, ImportBatch, ImportRejection, ImportStatus, Provider, ProviderKind
from .validation import read_table, validate_frame

if TYPE_CHECKING:
    from loanhub.enterprises.models import Enterprise

    from .providers.base import RecordProvider

CHUNK = 5000
MAX_STORED_REJECTIONS = 10000
Progress = Callable[[ImportBatch], None]

DataListener = Callable[[list[str]], object]
_data_listeners: list[DataListener] = []


def on_data_change(listener: DataListener) -> None:
    """Register ``listener(usccs)``, called after records of these enterprises changed."""
    _data_listeners.append(listener)


def _data_changed(usccs: set[str]) -> None:
    if not usccs:
        return
    for listener in _data_listeners:
        transaction.on_commit(partial(listener, sorted(usccs)))


PROVIDER_NAMES = {
    ProviderKind.SANDBOX: "沙箱公共信用平台",
    ProviderKind.FILE: "文件交换",
    ProviderKind.HTTP: "省级公共信用信息平台接口",
}


def provider_get(kind: str, code: str | None = None) -> Provider:
    provider, _created = Provider.objects.get_or_create(
        code=code or kind, defaults={"name": PROVIDER_NAMES.get(ProviderKind(kind), kind), "kind": kind}
    )
    return provider


def credit_records_import(
    *,
    data: bytes,
    file_name: str,
    category: str,
    user: User | None = None,
    provider: Provider | None = None,
    progress: Progress | None = None,
) -> ImportBatch:
    """Import one exchange file; returns its batch with the report.

    A whole-file problem (unreadable, missing columns) fails the batch with a clear
    error and stores nothing; bad rows are rejected one by one.
    """
    if category not in CATEGORY_BY_CODE:
        raise ImportFileError(_("未知的信息类别“%(c)s”。") % {"c": category})
    batch = ImportBatch.objects.create(
        provider=provider or provider_get(ProviderKind.FILE),
        category=category,
        file_name=file_name[:255],
        file_sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by=user,
    )
    try:
        table = read_table(data, file_name)
        checked = validate_frame(table.frame, category, row_numbers=table.row_numbers, problems=table.problems)
    except ImportFileError as exc:
        _finish(batch, status=ImportStatus.FAILED, error=str(exc))
        raise
    batch.rows_total = checked.rows_total
    batch.save(update_fields=["rows_total"])
    _store_rejections(batch, checked.rejected)
    try:
        store_records(batch, category, checked.good, progress=progress)
    except Exception as exc:
        # Chunks stored so far stay; importing the same file again resumes (idempotent).
        _finish(batch, status=ImportStatus.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000])
        raise
    _finish(batch, status=ImportStatus.DONE)
    if batch.rows_loaded or batch.rows_updated:
        _data_changed(set(checked.good["uscc"]))
    return batch


def _finish(batch: ImportBatch, *, status: str, error: str = "") -> None:
    batch.status = status
    batch.error = error
    batch.finished_at = timezone.now()
    batch.save(update_fields=["status", "error", "finished_at"])
    audit_record(
        kind=AuditKind.CREDIT_IMPORT, user=batch.uploaded_by, obj=batch,
        outcome="success" if status == ImportStatus.DONE else "failure", category=batch.category,
        loaded=batch.rows_loaded, rejected=batch.rows_rejected, error=error,
    )  # fmt: skip


def _store_rejections(batch: ImportBatch, rejected: pd.DataFrame) -> None:
    batch.rows_rejected = len(rejected)
    batch.rows_done = len(rejected)
    batch.save(update_fields=["rows_rejected", "rows_done"])
    rows: Iterable[Any] = rejected.head(MAX_STORED_REJECTIONS).itertuples()  # cells typed as any scalar
    ImportRejection.objects.bulk_create(
        [ImportRejection(batch=batch, row_number=int(r.row_number), reason=r.reason[:500], raw=r.raw) for r in rows],
        batch_size=2000,
    )


def store_records(
    batch: ImportBatch,
    category: str,
    good: pd.DataFrame,
    *,
    source_ref: str = "",
    progress: Progress | None = None,
) -> ImportBatch:
    """Upsert validated rows chunk by chunk; each chunk commits on its own.

    Re-running after a crash is safe: rows already stored are recognised by their
    natural key and skipped (or updated when their content changed). On PostgreSQL
    a chunk goes through COPY and set-based SQL (``bulk_pg``); elsewhere through the ORM.
    """
    duplicates = good.duplicated("natural_key", keep="last")
    batch.rows_skipped += int(duplicates.sum())
    good = good[~duplicates]
    for start in range(0, len(good), CHUNK):
        _store_chunk(batch, category, good.iloc[start : start + CHUNK], source_ref)
        if progress:
            progress(batch)
    batch.rows_done = batch.rows_total
    batch.save(update_fields=["rows_done", "rows_skipped"])
    return batch


def _copy_chunk(batch: ImportBatch, category: str, chunk: pd.DataFrame, source_ref: str) -> None:
    if source_ref:
        refs = pd.Series(source_ref, index=chunk.index, dtype=object)
    else:
        refs = f"{batch.file_name}#" + chunk["row_number"].astype(str)
    loaded, updated = bulk_pg.upsert_chunk(
        chunk, category=category, provider_id=batch.provider_id, batch_id=batch.pk, source_refs=refs.str[:200]
    )
    batch.rows_loaded += loaded
    batch.rows_updated += updated
    batch.rows_skipped += len(chunk) - loaded - updated
    batch.rows_done += len(chunk)
    batch.save(update_fields=["rows_loaded", "rows_updated", "rows_skipped", "rows_done"])


@transaction.atomic
def _store_chunk(batch: ImportBatch, category: str, chunk: pd.DataFrame, source_ref: str) -> None:
    if connection.vendor == "postgresql":
        _copy_chunk(batch, category, chunk, source_ref)
        return
    existing = {
        key: (pk, payload_hash)
        for key, pk, payload_hash in CreditRecord.objects.filter(
            natural_key__in=list(chunk["natural_key"])
        ).values_list("natural_key", "pk", "payload_hash")
    }
    # Sealed explicitly: bulk_update below does not look at the category.
    sensitive = CATEGORY_BY_CODE[category].sensitive
    new, changed = [], []
    # pandas-stubs types every cell as any scalar; validate_frame made these str/date/dict.
    rows: Iterable[Any] = chunk.itertuples(index=False)
    for row in rows:
        record = CreditRecord(
            uscc=row.uscc,
            category=category,
            record_date=row.record_date,
            payload=Sealed(row.payload) if sensitive else row.payload,
            natural_key=row.natural_key,
            payload_hash=row.payload_hash,
            provider_id=batch.provider_id,
            batch=batch,
            source_ref=source_ref or f"{batch.file_name}#{row.row_number}",
        )
        found = existing.get(row.natural_key)
        if found is None:
            new.append(record)
        elif found[1] != row.payload_hash:
            record.pk = found[0]
            changed.append(record)
    # ignore_conflicts: a concurrent import of the same record must not fail the chunk
    CreditRecord.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
    new_keys = [r.natural_key for r in new]
    stored = CreditRecord.objects.filter(natural_key__in=new_keys).count()
    if stored != len(new_keys):  # a row the database refused must never vanish silently
        raise CreditDataError(f"{len(new_keys) - stored} rows could not be stored")
    CreditRecord.objects.bulk_update(changed, ["payload", "payload_hash", "batch", "source_ref"], batch_size=1000)
    batch.rows_loaded += len(new)
    batch.rows_updated += len(changed)
    batch.rows_skipped += len(chunk) - len(new) - len(changed)
    batch.rows_done += len(chunk)
    batch.save(update_fields=["rows_loaded", "rows_updated", "rows_skipped", "rows_done"])


def _as_strings(frame: pd.DataFrame, category: str) -> pd.DataFrame:
    """Provider frames → the exchange format's strings, so one validator serves all."""
    from .schema import column_names

    out = pd.DataFrame(index=frame.index)
    for name in column_names(category):
        if name not in frame.columns:
            out[name] = ""
            continue
        column = frame[name]
        if pd.api.types.is_datetime64_any_dtype(column):
            out[name] = column.dt.strftime("%Y-%m-%d").fillna("")
        elif pd.api.types.is_bool_dtype(column):
            out[name] = column.map({True: "true", False: "false"}).fillna("")
        else:
            out[name] = column.astype(object).where(column.notna(), "").astype(str)
    return out


def credit_records_fetch(
    *, provider_client: RecordProvider, enterprise: Enterprise, user: User | None = None
) -> list[ImportBatch]:
    """Fetch an enterprise's records from a provider, within its live authorizations.

    Only the categories (and date range) some live artefact covers are asked for;
    with no live artefact nothing is fetched.
    """
    from loanhub.consent.models import Authorization

    from .exceptions import ConsentRequired
    from .validation import validate_frame

    artefacts = list(Authorization.objects.live().filter(enterprise=enterprise))
    if not artefacts:
        raise ConsentRequired(_("企业没有生效中的授权，不能从数据源获取信用信息。"))
    categories = sorted({c for a in artefacts for c in a.categories})
    since = min(a.data_from for a in artefacts)
    frames = provider_client.fetch([enterprise.uscc], categories, since)
    provider = provider_get(provider_client.kind, provider_client.code)
    batches = []
    for category, frame in frames.items():
        if frame.empty:  # nothing in this category: no batch (hundreds would bury the real imports)
            continue
        batch = ImportBatch.objects.create(
            provider=provider, category=category, uploaded_by=user,
            file_name=f"{provider.code}:{enterprise.uscc}",
        )  # fmt: skip
        checked = validate_frame(_as_strings(frame, category).reset_index(drop=True), category, first_row=1)
        batch.rows_total = checked.rows_total
        batch.save(update_fields=["rows_total"])
        _store_rejections(batch, checked.rejected)
        store_records(batch, category, checked.good, source_ref=f"{provider.code}:{enterprise.uscc}")
        _finish(batch, status=ImportStatus.DONE)
        batches.append(batch)
    if any(b.rows_loaded or b.rows_updated for b in batches):
        _data_changed({enterprise.uscc})
    return batches


def sandbox_records_enabled() -> bool:
    """Whether the sandbox serves records to enterprises registered in the demo (never in production)."""
    from django.conf import settings

    return bool(getattr(settings, "LOANHUB_SANDBOX_RECORDS", False))


def sandbox_records_fetch(enterprise: Enterprise) -> list[ImportBatch]:
    """The demo's stand-in for the provincial platform, after the enterprise authorizes.

    With ``LOANHUB_SANDBOX_RECORDS`` on (development and the demo), a verified
    enterprise with a live authorization gets the sandbox's synthetic records for its
    code (the generated population's, or deterministic ones keyed by the code), within
    what it authorized. Re-fetching adds nothing already stored.
    """
    from loanhub.consent.models import Authorization

    from .providers.sandbox import Newcomer, SandboxProvider

    if not sandbox_records_enabled() or not enterprise.is_verified:
        return []
    if not Authorization.objects.live().filter(enterprise=enterprise).exists():
        return []
    about = Newcomer(enterprise.registration_date, float(enterprise.registered_capital) / 10000)
    provider = SandboxProvider(newcomers={enterprise.uscc: about})
    return credit_records_fetch(provider_client=provider, enterprise=enterprise)
