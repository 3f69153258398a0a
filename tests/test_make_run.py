"""`make run`: the migrate step prints one summary line; the README says the first run takes minutes."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_make_run_migrates_through_the_summary_script():
    plan = subprocess.run(
        ["make", "-n", "run"], cwd=ROOT, capture_output=True, text=True, check=True, env=dict(os.environ)
    ).stdout
    assert "scripts/migrate_summary.sh" in plan
    assert "manage.py migrate" not in plan


def test_the_migrate_step_prints_one_line_with_the_count(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"

    def run() -> list[str]:
        result = subprocess.run(
            ["bash", "scripts/migrate_summary.sh", sys.executable],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=True,
        )  # fmt: skip
        return result.stdout.strip().splitlines()

    first = run()
    assert len(first) == 1, first
    match = re.fullmatch(r"数据库迁移：已应用 (\d+) 个迁移", first[0])
    assert match and int(match.group(1)) > 100
    assert run() == ["数据库已是最新（没有待应用的迁移）"]


def test_the_readme_says_the_first_run_takes_minutes_next_to_the_two_commands():
    top = "\n".join((ROOT / "README.md").read_text(encoding="utf-8").splitlines()[:20])
    assert "make run" in top and "make test" in top
    assert "first `make run` takes several minutes" in top
