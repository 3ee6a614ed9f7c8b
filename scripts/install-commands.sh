#!/usr/bin/env bash
# Installs `capstan` and the seed-compatible local commands (mkwpar, chkptwpar, …) as small
# wrappers in /usr/local/sbin (or $CAPSTAN_SBIN) that run this checkout's build.
# Idempotent: rewrites each wrapper atomically. The names are those of src/cli/local/index.ts.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
dest="${CAPSTAN_SBIN:-/usr/local/sbin}"
node_bin="$(command -v node)"
commands=(mkwpar chwpar wparexec startwpar stopwpar rmwpar lswpar chkptwpar restartwpar resumewpar killwpar)

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
printf '[install-commands] capstan %s in %s\n' "${commands[*]}" "$dest" >&2
