#!/usr/bin/env bash
# Back up a LoanHub PostgreSQL database with `pg_dump -Fc`, restore the dump into a
# scratch database and compare the exact row count of every table. Exit 0 only when
# the restore is complete; the scratch database is always dropped.
#
#   scripts/backup_restore_check.sh [DATABASE_URL] [DUMP_FILE]
#
# DATABASE_URL defaults to $DATABASE_URL (postgres://user:pass@host:port/name); the
# role needs CREATEDB. DUMP_FILE defaults to a temporary file that is removed; pass
# a path to keep the checked dump (e.g. the nightly backup itself).
set -euo pipefail

URL="${1:-${DATABASE_URL:-}}"
case "$URL" in
  postgres://*|postgresql://*) ;;
  *) echo "backup_restore_check: need a postgres:// DATABASE_URL, got '${URL}'" >&2; exit 2 ;;
esac

DB="${URL##*/}"; DB="${DB%%\?*}"
BASE="${URL%/*}"
SCRATCH="${DB}_restore_check_$$"
SCRATCH_URL="${BASE}/${SCRATCH}"
ADMIN_URL="${BASE}/postgres"
KEEP_DUMP="${2:-}"
DUMP="${KEEP_DUMP:-$(mktemp -t loanhub-dump.XXXXXX)}"

cleanup() {
  psql -q -X "$ADMIN_URL" -c "DROP DATABASE IF EXISTS \"${SCRATCH}\"" >/dev/null 2>&1 || true
  if [ -z "$KEEP_DUMP" ]; then rm -f "$DUMP"; fi
}
trap cleanup EXIT

counts() {  # "table count" lines for every ordinary table in the public schema
  local url="$1"
  psql -X -At -F' ' "$url" -c "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename" |
  while read -r table; do
    printf '%s %s\n' "$table" "$(psql -X -At "$url" -c "SELECT count(*) FROM public.\"${table}\"")"
  done
}

echo "== pg_dump -Fc ${DB} -> ${DUMP}"
pg_dump -Fc --no-owner --no-privileges -f "$DUMP" "$URL"
BEFORE="$(counts "$URL")"

echo "== restore into scratch database ${SCRATCH}"
psql -q -X -v ON_ERROR_STOP=1 "$ADMIN_URL" -c "CREATE DATABASE \"${SCRATCH}\""
pg_restore --no-owner --no-privileges --exit-on-error -d "$SCRATCH_URL" "$DUMP"
AFTER="$(counts "$SCRATCH_URL")"

TABLES=$(printf '%s\n' "$BEFORE" | grep -c . || true)
ROWS=$(printf '%s\n' "$BEFORE" | awk '{s += $2} END {print s + 0}')
if [ "$TABLES" -eq 0 ]; then
  echo "== ${DB} has no tables: nothing was backed up (wrong database?)" >&2
  exit 1
fi
if [ "$BEFORE" != "$AFTER" ]; then
  echo "== MISMATCH between ${DB} and its restored copy:" >&2
  diff <(printf '%s\n' "$BEFORE") <(printf '%s\n' "$AFTER") >&2 || true
  exit 1
fi
echo "== OK: ${TABLES} tables, ${ROWS} rows, identical row counts after restore"
