#!/usr/bin/env bash
# The whole test suite: the unit lane first (a broken build fails in seconds), lint, then
# every other test file under test/ with node's test runner. Starts the PostgreSQL the
# data-layer tests need (see scripts/test-postgres.sh). With file arguments: just those.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$#" -eq 0 ]; then
  bash scripts/test-unit.sh
  npm run --silent lint
fi

if [ -x scripts/test-postgres.sh ]; then
  CAPSTAN_TEST_PG="$(bash scripts/test-postgres.sh)"
  export CAPSTAN_TEST_PG
fi

mapfile -t files < <(find test -name '*.test.ts' -not -path 'test/unit/*' | sort)
if [ "$#" -gt 0 ]; then files=("$@"); fi
# A limit per test file (node applies it to each file as a whole: 30 minutes), so one stuck file fails by
# name instead of eating the CI run's time; inside, every wait has its own named limit.
exec node --import tsx --test --test-concurrency=1 --test-timeout=1800000 --test-reporter=spec "${files[@]}"
