#!/usr/bin/env bash
# One command from a fresh Debian machine: install, ingest the bundled fictional corpus into an
# embedded SQLite database under ./caselearn-data, and serve http://127.0.0.1:8000
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
CASELEARN_SETUP=minimal bash scripts/setup.sh
exec .venv/bin/caselearn demo "$@"
