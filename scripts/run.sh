#!/usr/bin/env bash
# One command to run Quanke: install, migrate, load demo data, serve (SQLite, jobs inline).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install.sh
export QUANKE_INSTANCE_PATH="${QUANKE_INSTANCE_PATH:-$PWD/instance}"
# Every command below sees where we serve: without QUANKE_BASE_URL, the QR codes and links on
# the documents (the demo data's too) point at http://$HOST:$PORT (core.platform.config).
export HOST="${HOST:-127.0.0.1}" PORT="${PORT:-5000}"
.venv/bin/quanke db upgrade
.venv/bin/quanke demo-data
exec .venv/bin/quanke serve --host "$HOST" --port "$PORT"
