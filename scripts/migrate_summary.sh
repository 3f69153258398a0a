#!/usr/bin/env bash
# `make run`'s migrate step: one summary line instead of one line per migration
# (a new database applies about 240). The full output is shown only if migrate fails.
set -euo pipefail
PY="${1:-.venv/bin/python}"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
if ! "$PY" manage.py migrate --noinput -v 1 >"$log"; then
  cat "$log"
  exit 1
fi
applied="$(grep -c '^  Applying ' "$log" || true)"
if [ "$applied" -eq 0 ]; then
  echo "数据库已是最新（没有待应用的迁移）"
else
  echo "数据库迁移：已应用 ${applied} 个迁移"
fi
