#!/usr/bin/env bash
# Installs everything caselearn needs on a Debian machine with Python 3.11+: system packages
# (OCR, PDF rendering, Chromium for browser tests, PostgreSQL), a virtual environment in .venv
# with caselearn and its test extras, and axe-core for accessibility checks.
# Idempotent: a second run only checks. Sourced by scripts/demo.sh and scripts/test.sh.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

APT_PACKAGES=(tesseract-ocr tesseract-ocr-eng libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core)
if [[ "${CASELEARN_SETUP:-full}" == "full" ]]; then
  APT_PACKAGES+=(chromium chromium-driver postgresql poppler-utils)
fi

missing=()
for package in "${APT_PACKAGES[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
command -v npm >/dev/null 2>&1 || [[ "${CASELEARN_SETUP:-full}" != "full" ]] || missing+=(npm)
if ((${#missing[@]})); then
  if command -v apt-get >/dev/null 2>&1; then
    SUDO=""; [[ $(id -u) -eq 0 ]] || SUDO="sudo"
    echo "setup: installing Debian packages: ${missing[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: please install these packages: ${missing[*]}" >&2
  fi
fi

PYTHON=${PYTHON:-python3}
if [[ ! -x .venv/bin/python ]]; then
  if ! "$PYTHON" -m venv .venv 2>/dev/null; then
    SUDO=""; [[ $(id -u) -eq 0 ]] || SUDO="sudo"
    $SUDO apt-get install -y -qq python3-venv >/dev/null
    "$PYTHON" -m venv .venv
  fi
fi
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[test,postgres]'

if [[ "${CASELEARN_SETUP:-full}" == "full" && ! -f .cache/npm/node_modules/axe-core/axe.min.js ]]; then
  mkdir -p .cache/npm
  npm install --silent --prefix .cache/npm --no-audit --no-fund axe-core@4 >/dev/null
fi
echo "setup: ready (.venv, $(.venv/bin/python --version))"
