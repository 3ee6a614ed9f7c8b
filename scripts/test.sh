#!/usr/bin/env bash
# The whole test suite: the unit lane first (a broken build fails in seconds), lint, then
# every other test file under test/ with node's test runner, in two lanes side by side:
# the files that bring up lab hosts (machine-wide names: one such file at a time) followed by
# the CLI and capacity files, which evens the lanes' times out; and all the others. Starts
# the PostgreSQL the data-layer tests need (see scripts/test-postgres.sh).
# With file arguments: just those, one after another.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$#" -eq 0 ]; then
  bash scripts/test-unit.sh
  npm run --silent lint
fi

# The tests run the CLI, the manager and the agents from the build, as users do: build when a
# source is newer than it.
if [ ! -f dist/cli/main.js ] || [ -n "$(find src -newer dist/cli/main.js -print -quit)" ]; then
  npm run --silent build
fi

if [ -x scripts/test-postgres.sh ]; then
  CAPSTAN_TEST_PG="$(bash scripts/test-postgres.sh)"
  export CAPSTAN_TEST_PG
fi

# A limit per test file (node applies it to each file as a whole: 30 minutes), so one stuck file fails by
# name instead of eating the CI run's time; inside, every wait has its own named limit.
lane=(node --import tsx --test --test-concurrency=1 --test-timeout=1800000 --test-reporter=spec)

if [ "$#" -gt 0 ]; then exec "${lane[@]}" "$@"; fi

# The console's browser tests stay in the other lane, away from any file that adds or removes
# network links on the machine (engine tests, the README tour): Chromium aborts a page load
# when links change (ERR_NETWORK_CHANGED). The files that join the lab lane make none.
mapfile -t lab < <(grep -l "new LabHosts" test/agent/*.test.ts | sort; find test/cli test/capacity -name '*.test.ts' -not -name 'readme-tour.test.ts' | sort)
mapfile -t rest < <(find test -name '*.test.ts' -not -path 'test/unit/*' | sort | grep -vxF -f <(printf '%s\n' "${lab[@]}"))

# The lab lane's report is kept and printed whole after the other lane's, so neither interleaves.
lab_log="$(mktemp -t capstan-lab-lane.XXXXXX)"
"${lane[@]}" "${lab[@]}" >"$lab_log" 2>&1 &
lab_pid=$!
trap 'kill "$lab_pid" 2>/dev/null || true; rm -f "$lab_log"' EXIT
trap 'exit 143' INT TERM
rest_rc=0
"${lane[@]}" "${rest[@]}" || rest_rc=$?
lab_rc=0
wait "$lab_pid" || lab_rc=$?
printf '\n── lab lane: %s ──\n' "${lab[*]}"
cat "$lab_log"
printf '\nlanes: others exit %s, lab lane exit %s\n' "$rest_rc" "$lab_rc"
[ "$rest_rc" -eq 0 ] && [ "$lab_rc" -eq 0 ]
