#!/usr/bin/env bash
# One command to run Quanke: install, migrate, load demo data, serve (SQLite, jobs inline).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install.sh
export QUANKE_INSTANCE_PATH="${QUANKE_INSTANCE_PATH:-$PWD/instance}"
.venv/bin/quanke db upgrade
.venv/bin/quanke demo-data
exec .venv/bin/quanke serve --host "${HOST:-127.0.0.1}" --port "${PORT:-5000}"
