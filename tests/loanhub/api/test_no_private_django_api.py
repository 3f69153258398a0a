"""No module of ours reaches into Django's private internals: the SQL compiler, its
converters, or the related-object caches that ``select_related`` fills. They change
without notice between Django releases (CONVENTIONS.md, "Types and style")."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
FORBIDDEN = re.compile(
    r"django\.db\.models\.sql\.compiler|\bSQLCompiler\b|\bapply_converters\b|\bget_converters\b|\bset_cached_value\b"
)


def project_sources() -> list[Path]:
    return [path for folder in ("loanhub", "cms") for path in sorted((ROOT / folder).rglob("*.py"))]


def test_the_scan_reads_the_project():
    names = {path.relative_to(ROOT).as_posix() for path in project_sources()}
    assert {"loanhub/api/tokens.py", "loanhub/api/lead_rows.py", "cms/models.py"} <= names


def test_no_module_uses_djangos_sql_compiler_or_related_caches():
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in project_sources()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if FORBIDDEN.search(line)
    ]
    assert found == []
