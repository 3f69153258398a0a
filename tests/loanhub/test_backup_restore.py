"""scripts/backup_restore_check.sh: pg_dump -Fc, restore into a scratch database, equal
row counts. Needs PostgreSQL (CI sets DATABASE_URL); on SQLite it is skipped, loudly."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from django.db import connection

from loanhub.audit.models import AuditKind
from loanhub.audit.services import audit_record
from tests.factories.enterprises import EnterpriseFactory

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "backup_restore_check.sh"

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="backup/restore check needs PostgreSQL (set DATABASE_URL=postgres://…; CI does)",
    ),
]


def _url() -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def test_dump_restores_with_identical_row_counts(transactional_db, tmp_path):
    assert shutil.which("pg_dump") and shutil.which("pg_restore"), "PostgreSQL client tools missing"
    enterprise = EnterpriseFactory(legal_rep_id_number="440103199001011234")
    audit_record(kind=AuditKind.LOGOUT, obj=enterprise)
    dump = tmp_path / "loanhub.dump"
    result = subprocess.run(["bash", str(SCRIPT), _url(), str(dump)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "identical row counts after restore" in result.stdout
    assert dump.stat().st_size > 0 and dump.read_bytes()[:5] == b"PGDMP"  # custom format


def test_the_check_fails_on_a_database_without_tables(transactional_db):
    s = connection.settings_dict
    empty = _url().rsplit("/", 1)[0] + "/postgres"
    result = subprocess.run(["bash", str(SCRIPT), empty], capture_output=True, text=True, timeout=120)
    assert result.returncode != 0 and "no tables" in result.stderr, s["NAME"]
