#!/usr/bin/env bash
# Installs `capstan` and the seed-compatible commands as small wrappers in /usr/local/sbin (or
# $CAPSTAN_SBIN) that run this checkout's build: the local ones (mkwpar, chkptwpar, …: the names
# of src/cli/local/index.ts), and those the manager answers, which `capstan` translates from the
# seed's syntax (icapstatus, icapmodify, icapnotify, lwiMapRole: see src/cli/main.ts).
# Idempotent: rewrites each wrapper atomically.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
dest="${CAPSTAN_SBIN:-/usr/local/sbin}"
node_bin="$(command -v node)"
commands=(mkwpar chwpar wparexec startwpar stopwpar rmwpar lswpar chkptwpar restartwpar resumewpar killwpar clogin)
remote_commands=(icapstatus icapmodify icapnotify lwiMapRole)

# install NAME COMMAND-LINE: a wrapper NAME that runs COMMAND-LINE with the caller's arguments.
install() {
  local tmp
  tmp="$(mktemp "$dest/.$1.XXXXXX")"
  cat > "$tmp" <<WRAPPER
#!/bin/sh
# Capstan command, installed by $repo/scripts/install-commands.sh
exec $2 "\$@"
WRAPPER
  chmod 755 "$tmp"
  mv -f "$tmp" "$dest/$1"
}

mkdir -p "$dest"
install capstan "\"$node_bin\" \"$repo/dist/cli/main.js\""
for c in "${commands[@]}"; do
  install "$c" "\"$node_bin\" \"$repo/dist/cli/local/run.js\" $c"
done
for c in "${remote_commands[@]}"; do
  install "$c" "\"$node_bin\" \"$repo/dist/cli/main.js\" $c"
done
printf '[install-commands] capstan %s %s in %s\n' "${commands[*]}" "${remote_commands[*]}" "$dest" >&2
