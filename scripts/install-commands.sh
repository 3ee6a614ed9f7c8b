#!/usr/bin/env bash
# Installs the seed-compatible local commands (mkwpar, chkptwpar, …) as small wrappers in
# /usr/local/sbin (or $CAPSTAN_SBIN) that run this checkout's build, dist/cli/local/run.js.
# Idempotent: rewrites each wrapper atomically. The names are those of src/cli/local/index.ts.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
dest="${CAPSTAN_SBIN:-/usr/local/sbin}"
node_bin="$(command -v node)"
commands=(mkwpar wparexec startwpar stopwpar rmwpar lswpar chkptwpar restartwpar resumewpar killwpar)

mkdir -p "$dest"
for c in "${commands[@]}"; do
  tmp="$(mktemp "$dest/.$c.XXXXXX")"
  cat > "$tmp" <<WRAPPER
#!/bin/sh
# Capstan local command, installed by $repo/scripts/install-commands.sh
exec "$node_bin" "$repo/dist/cli/local/run.js" $c "\$@"
WRAPPER
  chmod 755 "$tmp"
  mv -f "$tmp" "$dest/$c"
done
printf '[install-commands] %s in %s\n' "${commands[*]}" "$dest" >&2
