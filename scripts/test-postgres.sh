#!/usr/bin/env bash
# Makes sure a local PostgreSQL (Debian's cluster, on loopback) runs with a role and a
# database for Capstan's tests, and prints its connection URL on stdout.
set -euo pipefail
ver=$(ls /usr/lib/postgresql | sort -n | tail -1)
if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -q "^$ver main$"; then
  pg_createcluster "$ver" main >/dev/null
fi
pg_ctlcluster "$ver" main start >/dev/null 2>&1 || true
port=$(pg_lsclusters -h | awk -v v="$ver" '$1==v && $2=="main" {print $3}')
for _ in $(seq 1 50); do
  runuser -u postgres -- psql -p "$port" -qAtc 'select 1' >/dev/null 2>&1 && break
  sleep 0.2
done
runuser -u postgres -- psql -p "$port" -qAtc \
  "do \$\$ begin if not exists (select from pg_roles where rolname='capstan_test') then create role capstan_test login password 'capstan_test' createdb; end if; end \$\$;" >/dev/null
runuser -u postgres -- psql -p "$port" -qAtc "select 1 from pg_database where datname='capstan_test'" | grep -q 1 \
  || runuser -u postgres -- createdb -p "$port" -O capstan_test capstan_test
echo "postgres://capstan_test:capstan_test@127.0.0.1:${port}/capstan_test"
