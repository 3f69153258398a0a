"""A background task for tests/loanhub/test_replicas.py: records which worker process ran
it, in a table that test makes, so a task run twice shows as two rows."""

from __future__ import annotations

import os
import time

from django.db import connection
from django_tasks import task

RUNS_TABLE = "replicas_check_task_runs"


@task()
def record_run(n: int) -> int:
    time.sleep(0.4)  # long enough that both workers take a share of the queue, even if one starts seconds late
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {RUNS_TABLE} (n, pid) VALUES (%s, %s)", [n, os.getpid()])  # noqa: S608 — constant
    return n
