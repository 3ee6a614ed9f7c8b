#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine for Capstan, idempotently: system packages, the
# partition engine's runtime (runc + CRIU >= 4.2), npm dependencies, the build, and the
# systemd units where systemd runs.
# Fast when everything is already in place.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[setup] %s\n' "$*" >&2; }

# System packages the engine, the tests and the benchmarks need (g++ and make build node-pty).
APT_PACKAGES=(runc iptables iproute2 busybox-static debootstrap postgresql postgresql-client
  xz-utils ca-certificates procps psmisc util-linux chromium g++ make)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  log "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The engine runtime: CRIU >= 4.2 in a private prefix, and the seed-compatible local commands.
if [ -x scripts/install-criu.sh ]; then
  bash scripts/install-criu.sh
fi
if [ -x scripts/install-commands.sh ]; then
  bash scripts/install-commands.sh
fi

# npm dependencies: install when missing or when the lock file changed since the last install.
stamp=node_modules/.capstan-lock-stamp
if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
  log "installing npm dependencies"
  npm ci --no-fund --no-audit --loglevel=error
  cp package-lock.json "$stamp"
fi

log "building"
npm run --silent build
# The web console's own dependencies, the same way (its lock file, its stamp).
web_stamp=web/node_modules/.capstan-lock-stamp
if [ -f web/package-lock.json ] && { [ ! -f "$web_stamp" ] || ! cmp -s web/package-lock.json "$web_stamp"; }; then
  log "installing the web console's npm dependencies"
  (cd web && npm ci --no-fund --no-audit --loglevel=error)
  cp web/package-lock.json "$web_stamp"
fi
if [ -f web/package.json ]; then npm run --silent build:web; fi

# The systemd units of the manager and the agent, only where systemd runs (it is PID 1):
# `capstan manager start` and `capstan agent start` then use them; elsewhere they keep pid
# files. Neither unit is enabled or started here. For $CAPSTAN_DATA_DIR and $CAPSTAN_AGENT_DIR,
# or their defaults.
if [ -d /run/systemd/system ]; then
  log "installing the systemd units capstan-manager.service and capstan-agent.service"
  node dist/cli/main.js manager install-units
fi
