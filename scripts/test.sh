#!/usr/bin/env bash
# Install what the tests need (Python packages; Chromium and CJK fonts for the browser tests;
# a PostgreSQL server for the SQL-source tests), then lint and run the whole test suite.
# Used by the README and by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" = "0" ]; then SUDO=""; else SUDO="sudo"; fi
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || need+=(fonts-noto-cjk)
ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || need+=(postgresql)
if [ ${#need[@]} -gt 0 ]; then
  echo "== installing Debian packages for the tests: ${need[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

# A real PostgreSQL server for the SQL-source tests (run as the postgres user; local only).
echo "== starting PostgreSQL"
pgver=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
if ! pg_lsclusters -h | awk -v v="$pgver" '$1 == v && $2 == "main"' | grep -q .; then
  $SUDO pg_createcluster "$pgver" main >/dev/null
fi
pg_lsclusters -h | awk -v v="$pgver" '$1 == v && $2 == "main" {print $4}' | grep -q online \
  || $SUDO pg_ctlcluster "$pgver" main start
if [ "$(id -u)" = "0" ]; then as_pg=(runuser -u postgres --); else as_pg=(sudo -u postgres); fi
"${as_pg[@]}" psql -qAt -c "ALTER USER postgres PASSWORD 'opskb-test'" >/dev/null
pgport=$(pg_lsclusters -h | awk -v v="$pgver" '$1 == v && $2 == "main" {print $3}')
export OPSKB_TEST_PG_URL="postgresql+psycopg://postgres:opskb-test@127.0.0.1:${pgport}/postgres"

echo "== installing Python dependencies"
python3 -m pip install -q --disable-pip-version-check -r requirements-dev.txt

echo "== ruff"
python3 -m ruff check .
python3 -m ruff format --check .

echo "== pytest"
python3 -m pytest "$@"
