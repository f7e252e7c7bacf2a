#!/usr/bin/env bash
# Installs everything Quanke needs on a fresh Debian machine: system packages (the CJK font
# for documents and its fallback for CJK Extension B in names; with --test also pdftoppm and chromium for the test suite), a virtualenv in
# .venv and the project with its extras. Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
fc-list 2>/dev/null | grep -qi "uming" || need+=(fonts-arphic-uming)
# HanaMin B: all of CJK Extension B (𠀀 U+20000, 𪚥 U+2A6A5 in real names), which UMing lacks.
[ -f /usr/share/fonts/truetype/hanazono/HanaMinB.ttf ] || need+=(fonts-hanazono)
if [ "${1:-}" = "--test" ]; then
  command -v pdftoppm >/dev/null || need+=(poppler-utils)
  command -v chromium >/dev/null || need+=(chromium)
fi
if [ ${#need[@]} -gt 0 ]; then
  echo ">> apt-get install ${need[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
  echo ">> creating .venv"
  python3 -m venv .venv
fi
# setuptools<82: face_recognition_models still needs pkg_resources.
.venv/bin/pip install -q --disable-pip-version-check --upgrade pip "setuptools<82" wheel
echo ">> pip install -e .[dev,face]"
.venv/bin/pip install -q --disable-pip-version-check -e ".[dev,face]"
# face_recognition only as the identity benchmark's baseline; --no-deps so pip never builds
# dlib from source (dlib-bin, from the face extra, provides the dlib module).
.venv/bin/python -c "import face_recognition" 2>/dev/null ||
  .venv/bin/pip install -q --disable-pip-version-check --no-deps "face_recognition==1.3.0"
echo ">> pip install -e examples/quanke_residence (example external plugin the tests use)"
.venv/bin/pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e examples/quanke_residence
