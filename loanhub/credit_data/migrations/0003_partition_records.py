"""Partition the record table by a hash of the USCC on PostgreSQL (issue 14); SQLite keeps one table.

Why a hash of the USCC (16 partitions) and not a list by category: docs/architecture.md
("The record table at provincial scale"), with the measurements of
benchmarks/bench_pg_partitioning.py and the query plans.

Steps, in one transaction:

1. ``uscc`` loses its own index (the ``(uscc, category, record_date)`` index starts with it) and
   ``natural_key`` its unique index: a partitioned table's unique constraints must contain the
   partition key. Both databases.
2. PostgreSQL only: the table is rebuilt as ``PARTITION BY HASH (uscc)`` with 16 partitions
   ``credit_data_creditrecord_p00`` … ``_p15``: the rows are copied (ids kept, the id sequence
   continues where it was), the old table dropped, then the primary key ``(id, uscc)``, the other
   indexes (same names and definitions) and the foreign keys to the provider and the batch are
   created on the partitioned table. Ids still come from one sequence, so ``id`` stays unique.
3. The unique natural key becomes ``(natural_key, uscc)`` (``models.NATURAL_KEY_FIELDS``). The key
   hashes the category and the USCC, so this is the same uniqueness; ``bulk_pg``'s
   ``ON CONFLICT`` names these columns. Both databases.

Tables that reference records (disputes' objections and repairs, loans' alerts) no longer carry a
database constraint (their migrations run first, see the dependencies): nothing unique on ``id``
alone can be referenced in a partitioned table. Django still applies their ``on_delete``, and
records are never deleted (an objection marks them removed).

Reversible: backwards rebuilds one unpartitioned table with the primary key on ``id``. On a large
table either direction rewrites every row under an exclusive lock: plan it in a maintenance window
(about a minute per few million rows on the benchmark machine).
"""

from __future__ import annotations

from typing import Any

from django.db import migrations, models

TABLE = "credit_data_creditrecord"
OLD = "credit_data_creditrecord_old"
PARTITIONS = 16


def _rebuild(schema_editor: Any, *, partitioned: bool) -> None:
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text FROM pg_constraint WHERE contype = 'f' AND confrelid = %s::regclass",
            [TABLE],
        )
        referencing = [row[0] for row in cursor.fetchall()]
        if referencing:
            raise RuntimeError(f"{TABLE} is still referenced by a foreign key constraint of {', '.join(referencing)}")
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'f' AND conrelid = %s::regclass ORDER BY conname",
            [TABLE],
        )
        foreign_keys = cursor.fetchall()
        cursor.execute(
            "SELECT conname FROM pg_constraint WHERE contype = 'u' AND conrelid = %s::regclass",
            [TABLE],
        )
        unique = [row[0] for row in cursor.fetchall()]
        if unique:  # the natural key is dropped before and added after this step
            raise RuntimeError(f"{TABLE} has unique constraints this migration does not rebuild: {unique}")
        # Indexes that back no constraint: recreated with the same name and definition.
        cursor.execute(
            "SELECT pg_get_indexdef(x.indexrelid) FROM pg_index x WHERE x.indrelid = %s::regclass "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid) "
            "ORDER BY x.indexrelid",
            [TABLE],
        )
        indexes = [row[0].replace(" ON ONLY ", " ON ", 1) for row in cursor.fetchall()]
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [TABLE])
        sequence = cursor.fetchone()[0]

        cursor.execute(f"ALTER TABLE {TABLE} RENAME TO {OLD}")
        cursor.execute(f"ALTER SEQUENCE {sequence} RENAME TO {OLD}_id_seq")
        how = " PARTITION BY HASH (uscc)" if partitioned else ""
        cursor.execute(
            f"CREATE TABLE {TABLE} (LIKE {OLD} INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING CONSTRAINTS "
            f"INCLUDING STORAGE INCLUDING COMMENTS){how}"
        )
        if partitioned:
            for remainder in range(PARTITIONS):
                cursor.execute(
                    f"CREATE TABLE {TABLE}_p{remainder:02d} PARTITION OF {TABLE} "
                    f"FOR VALUES WITH (MODULUS {PARTITIONS}, REMAINDER {remainder})"
                )
        cursor.execute(f"INSERT INTO {TABLE} OVERRIDING SYSTEM VALUE SELECT * FROM {OLD}")  # noqa: S608 (our own names)
        # The id sequence continues after the highest id ever given, as before.
        cursor.execute(
            f"SELECT greatest((SELECT max(id) FROM {OLD}), "  # noqa: S608 (our own names)
            f"(SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM {OLD}_id_seq))"
        )
        last = cursor.fetchone()[0]
        if last and last > 0:
            cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s, true)", [TABLE, last])
        cursor.execute(f"DROP TABLE {OLD}")  # with its partitions when going back
        key = "id, uscc" if partitioned else "id"
        cursor.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_pkey PRIMARY KEY ({key})")
        for definition in indexes:
            cursor.execute(definition)
        for name, definition in foreign_keys:
            cursor.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {name} {definition}")
        cursor.execute(f"ANALYZE {TABLE}")


def partition(apps: Any, schema_editor: Any) -> None:
    _rebuild(schema_editor, partitioned=True)


def unpartition(apps: Any, schema_editor: Any) -> None:
    _rebuild(schema_editor, partitioned=False)


class Migration(migrations.Migration):
    dependencies = [
        ("credit_data", "0002_encrypt_sensitive_payloads"),
        ("disputes", "0004_record_fk_without_db_constraint"),
        ("loans", "0002_alert_record_without_db_constraint"),
    ]

    operations = [
        migrations.AlterField(
            model_name="creditrecord",
            name="natural_key",
            field=models.CharField(max_length=64),
        ),
        migrations.AlterField(
            model_name="creditrecord",
            name="uscc",
            field=models.CharField(max_length=18, verbose_name="统一社会信用代码"),
        ),
        migrations.RunPython(partition, unpartition),
        migrations.AddConstraint(
            model_name="creditrecord",
            constraint=models.UniqueConstraint(fields=("natural_key", "uscc"), name="credit_data_record_natural_key"),
        ),
    ]
