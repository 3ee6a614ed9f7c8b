#!/usr/bin/env bash
# The unit lane: the pure tests under test/unit (rules, placement, codewords, meter, reconcile
# plans, state rules, the route table), no setup, no services, no root; runs in seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(find test/unit -name '*.test.ts' | sort)
exec node --import tsx --test --test-reporter=spec "${files[@]}"
