"""Statistics and exports read from the PostgreSQL read replica when one is configured.

``DATABASE_REPLICA_URL`` (settings) adds the database alias ``replica`` (a streaming hot standby,
deploy/compose.yaml) and sets ``LOANHUB_READ_REPLICA = "replica"``. Code that only reads for
statistics or an export runs inside ``replica_reads()`` (a ``with`` block or a decorator,
``@replica_reads()``): ``ReplicaRouter`` sends its reads there. Without a replica everything
reads from ``default``, as before.

- Writes always go to ``default``, also the save of an object that was read from the replica
  (Django would otherwise write where the object came from) and the audit record an export writes.
- A queryset iterated after the block has ended (a streamed CSV) names its database itself:
  ``queryset.using(read_alias())``.
- The standby lags the primary by up to a few seconds (asynchronous streaming): right for
  statistics and exports, never for a page that must show what was just written, nor for
  ``select_for_update`` (a standby refuses locks).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS

_reading: ContextVar[bool] = ContextVar("loanhub_replica_reads", default=False)


def read_alias() -> str:
    """The database alias statistics and exports read from: the replica when configured."""
    alias = getattr(settings, "LOANHUB_READ_REPLICA", None)
    return alias if alias and alias in settings.DATABASES else DEFAULT_DB_ALIAS


@contextmanager
def replica_reads() -> Iterator[str]:
    """Reads inside go to the read replica (when configured); yields the alias read from."""
    token = _reading.set(True)
    try:
        yield read_alias()
    finally:
        _reading.reset(token)


class ReplicaRouter:
    """Reads in a ``replica_reads()`` block go to the replica; writes always to ``default``."""

    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        return read_alias() if _reading.get() else None

    def db_for_write(self, model: Any, **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        # the replica holds the primary's data: an object read there may relate to one from default
        same_data = {DEFAULT_DB_ALIAS, read_alias()}
        return True if {obj1._state.db, obj2._state.db} <= same_data else None

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        # a standby replays the primary's migrations; nothing is ever migrated on it directly
        replica = getattr(settings, "LOANHUB_READ_REPLICA", None)
        return False if replica and db == replica else None
