#!/usr/bin/env bash
# One command from a fresh Debian machine: install everything, start a local PostgreSQL, and run
# the whole pytest suite twice: on SQLite, then on PostgreSQL. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh

PG_URL="postgresql+psycopg://caselearn:caselearn@127.0.0.1:5432/postgres"
start_postgres() {
  local SUDO=""; [[ $(id -u) -eq 0 ]] || SUDO="sudo"
  if ! pg_lsclusters -h 2>/dev/null | grep -q online; then
    local cluster
    cluster=$(pg_lsclusters -h | awk 'NR==1 {print $1" "$2}')
    [[ -n "$cluster" ]] || { echo "no PostgreSQL cluster found" >&2; return 1; }
    $SUDO pg_ctlcluster $cluster start
  fi
  $SUDO su postgres -c "psql -q -tAc \"SELECT 1 FROM pg_roles WHERE rolname='caselearn'\"" | grep -q 1 ||
    $SUDO su postgres -c "psql -q -c \"CREATE ROLE caselearn LOGIN CREATEDB PASSWORD 'caselearn'\""
  # DROP DATABASE ... WITH (FORCE) must be able to end an autovacuum worker in a test database.
  $SUDO su postgres -c "psql -q -c 'GRANT pg_signal_backend TO caselearn'"
}

.venv/bin/ruff check .
.venv/bin/ruff format --check .

echo "== pytest on SQLite"
.venv/bin/python -m pytest -q -p no:cacheprovider -n 2 "$@"

echo "== pytest on PostgreSQL"
start_postgres
CASELEARN_TEST_DATABASE_URL="$PG_URL" .venv/bin/python -m pytest -q -p no:cacheprovider -n 2 "$@"
