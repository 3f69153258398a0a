"""PostgreSQL's bulk path for the record store: COPY into a staging table, then set-based SQL.

``services.store_records`` uses it when the database is PostgreSQL (SQLite keeps the
ORM path). Rows arrive validated (``validation.validate_frame``: natural key, payload
hash and canonical payload text already computed, vectorized in pandas). One chunk is:

1. ``COPY`` the chunk into a temporary staging table (text format, built in pandas);
2. one ``UPDATE … FROM staging`` for stored rows whose content changed (payload hash);
3. one ``INSERT … SELECT … FROM staging ON CONFLICT (natural_key, uscc) DO NOTHING`` for new rows.

The caller runs each chunk (``services.CHUNK`` rows) in its own transaction, so a crash keeps the chunks already
committed and re-importing the file resumes: stored rows are recognised by their
natural key (a unique constraint), so nothing is stored twice. ``ON CONFLICT`` names
the natural key only: any other refusal of a row raises instead of dropping it. The
record table is partitioned by a hash of the USCC on PostgreSQL (migration 0003), so the
unique natural key is ``(natural_key, uscc)`` (``models.NATURAL_KEY_FIELDS``): the key
hashes the category and the USCC, so this is the same uniqueness as the key alone.

A sensitive category's payload is encrypted here as ``EncryptedJSONField`` stores a
``Sealed`` value: the Fernet token of the payload's JSON, kept as a JSON string.
"""

from __future__ import annotations

import json

import pandas as pd
from django.db import connection

from loanhub.security.fields import field_fernet

from .catalog import CATEGORY_BY_CODE
from .models import NATURAL_KEY_FIELDS, CreditRecord

STAGING = "loanhub_credit_staging_v1"  # a temporary table: one per database session
STAGING_COLUMNS = ("natural_key", "uscc", "record_date", "payload", "payload_hash", "source_ref")


def _copy_escape(values: pd.Series) -> pd.Series:
    """Text cells as COPY's text format reads them (backslash, tab, newline, return escaped)."""
    text = values.astype(str)
    if not text.str.contains(r"[\\\t\n\r]", regex=True).any():
        return text
    return (
        text.str.replace("\\", "\\\\", regex=False)
        .str.replace("\t", "\\t", regex=False)
        .str.replace("\n", "\\n", regex=False)
        .str.replace("\r", "\\r", regex=False)
    )


def stored_payloads(category: str, payload_json: pd.Series) -> pd.Series:
    """The payload column's JSON as stored: the canonical text, or for a sensitive category
    the Fernet token of that text as a JSON string (what ``EncryptedJSONField`` stores)."""
    if not CATEGORY_BY_CODE[category].sensitive:
        return payload_json
    fernet = field_fernet()
    tokens = [fernet.encrypt(text.encode("utf-8")).decode("ascii") for text in payload_json]
    return pd.Series([json.dumps(token) for token in tokens], index=payload_json.index, dtype=object)


def copy_text(chunk: pd.DataFrame, category: str, source_refs: pd.Series) -> bytes:
    """The chunk as COPY text-format lines, in ``STAGING_COLUMNS`` order."""
    dates = pd.to_datetime(pd.Series(chunk["record_date"].to_numpy(), index=chunk.index)).dt.strftime("%Y-%m-%d")
    line = (
        chunk["natural_key"].astype(str)
        + "\t"
        + chunk["uscc"].astype(str)
        + "\t"
        + dates
        + "\t"
        + _copy_escape(stored_payloads(category, chunk["payload_json"]))
        + "\t"
        + chunk["payload_hash"].astype(str)
        + "\t"
        + _copy_escape(source_refs)
    )
    return ("\n".join(line.tolist()) + "\n").encode("utf-8") if len(line) else b""


def upsert_chunk(
    chunk: pd.DataFrame, *, category: str, provider_id: int, batch_id: int, source_refs: pd.Series
) -> tuple[int, int]:
    """Store one chunk of validated rows (unique natural keys); returns (loaded, updated).

    Call inside a transaction: the staging table is emptied first and the chunk's
    rows are in it only until the next chunk."""
    meta = CreditRecord._meta
    qn = connection.ops.quote_name
    table = qn(meta.db_table)

    columns = {f.name: str(f.column) for f in meta.concrete_fields}

    def col(name: str) -> str:
        return qn(columns[name])

    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {STAGING} (natural_key varchar(64) NOT NULL, "
            "uscc varchar(18) NOT NULL, record_date date NOT NULL, payload jsonb NOT NULL, "
            "payload_hash varchar(64) NOT NULL, source_ref varchar(200) NOT NULL)"
        )
        cursor.execute(f"TRUNCATE {STAGING}")
        # Not waiting for this chunk's commit to reach the disk: a server crash can lose only
        # the last chunks, with their counts (same transaction), and re-importing restores them;
        # the batch's final save commits synchronously, which flushes every chunk before it.
        cursor.execute("SET LOCAL synchronous_commit TO off")
        with cursor.copy(f"COPY {STAGING} ({', '.join(STAGING_COLUMNS)}) FROM STDIN") as copy:
            copy.write(copy_text(chunk, category, source_refs))
        cursor.execute(
            f"UPDATE {table} AS r SET {col('payload')} = s.payload, {col('payload_hash')} = s.payload_hash, "  # noqa: S608 (identifiers are our own, quoted)
            f"{col('batch')} = %s, {col('source_ref')} = s.source_ref "
            f"FROM {STAGING} AS s WHERE r.{col('natural_key')} = s.natural_key "
            # the key hashes the USCC, so this is implied: it probes the unique (natural_key, uscc) index and
            # lets PostgreSQL prune to one partition per row at run time. Not the category as well: in a generic
            # plan (a prepared statement) that made PostgreSQL read every row of the category (13 s a chunk).
            f"AND r.{col('uscc')} = s.uscc "
            f"AND r.{col('payload_hash')} <> s.payload_hash",
            [batch_id],
        )
        updated = cursor.rowcount
        targets = ["uscc", "category", "record_date", "payload", "natural_key", "payload_hash", "provider", "batch"]
        targets += ["source_ref", "under_objection", "created_at", "updated_at"]
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(col(name) for name in targets)}) "  # noqa: S608 (identifiers are our own, quoted)
            "SELECT s.uscc, %s, s.record_date, s.payload, s.natural_key, s.payload_hash, %s, %s, "
            f"s.source_ref, false, now(), now() FROM {STAGING} AS s "
            f"ON CONFLICT ({', '.join(col(name) for name in NATURAL_KEY_FIELDS)}) DO NOTHING",
            [category, provider_id, batch_id],
        )
        loaded = cursor.rowcount
        cursor.execute(f"TRUNCATE {STAGING}")
    return loaded, updated
