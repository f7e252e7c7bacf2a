#!/usr/bin/env bash
# One command to test Quanke: install (with test tools) and run the whole suite against
# SQLite, PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install.sh --test
exec .venv/bin/python -m pytest -n 2 "$@"
