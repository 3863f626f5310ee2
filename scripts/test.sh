#!/usr/bin/env bash
# Install what the tests need (Python packages; Chromium and CJK fonts for the browser tests),
# then lint and run the whole test suite. Used by the README and by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then
  if [ "$(id -u)" = "0" ]; then SUDO=""; else SUDO="sudo"; fi
  echo "== installing chromium and fonts-noto-cjk (Debian packages) for the browser tests"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
fi

echo "== installing Python dependencies"
python3 -m pip install -q --disable-pip-version-check -r requirements-dev.txt

echo "== ruff"
python3 -m ruff check .
python3 -m ruff format --check .

echo "== pytest"
python3 -m pytest "$@"
