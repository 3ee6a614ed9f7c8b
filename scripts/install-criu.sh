#!/usr/bin/env bash
# Installs CRIU >= 4.2 for the partition engine, idempotently (DESIGN.md §3).
#
# Debian 12's CRIU (3.17) fails on this kernel and trixie's 4.1 cannot dump TCP sockets, so
# unless a system CRIU >= 4.2 is on PATH we take Debian sid's current CRIU and its library
# closure into a private prefix, without touching the system's apt configuration or
# libraries: apt runs with its own source list and state, packages are only unpacked
# (dpkg -x), and a wrapper runs criu through the prefix's own dynamic loader. Programs criu
# starts (iptables, ip) still run with the system's libraries, since no LD_LIBRARY_PATH leaks.
#
# Runs at every `npm test` (scripts/setup.sh): fast when a working CRIU is already in place.
# Prints the CRIU version used; exits non-zero when no CRIU >= 4.2 can be had.
set -euo pipefail

PREFIX="${CAPSTAN_CRIU_PREFIX:-/opt/capstan/criu}"
MIN_VERSION=4.2
WRAPPER="$PREFIX/bin/criu"
APT_DIR="$PREFIX/apt"
# The keys sid is signed with ship in debian-archive-keyring, like the system's own.
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

log() { printf '[install-criu] %s\n' "$*" >&2; }
die() { printf '[install-criu] ERROR: %s\n' "$*" >&2; exit 1; }

# Post-copy (lazy pages) keeps the memory still to be served in pipes: it needs unlimited
# pipe pages per user, and pipes of 4 MiB (CRIU's lazy page server sizes its pipe so and,
# when it may not, fails on the first page asked for). CRIU cannot lift these limits itself
# without CAP_SYS_RESOURCE. Not fatal: only lazy migration needs them.
PIPE_MAX_SIZE=4194304
set_pipe_sysctl() {
  local cur
  cur="$(sysctl -n fs.pipe-user-pages-soft 2>/dev/null || echo unknown)"
  if [ "$cur" != 0 ]; then
    sysctl -q -w fs.pipe-user-pages-soft=0 >/dev/null 2>&1 \
      || log "warning: could not set fs.pipe-user-pages-soft=0 (now $cur): lazy-pages migration may fail"
  fi
  cur="$(sysctl -n fs.pipe-max-size 2>/dev/null || echo 0)"
  # Only ever raised: a host may allow bigger pipes already.
  if [ "$cur" -lt "$PIPE_MAX_SIZE" ] 2>/dev/null; then
    sysctl -q -w fs.pipe-max-size="$PIPE_MAX_SIZE" >/dev/null 2>&1 \
      || log "warning: could not set fs.pipe-max-size=$PIPE_MAX_SIZE (now $cur): lazy-pages migration may fail"
  fi
}

criu_version() { "$1" --version 2>/dev/null | sed -n 's/^Version: *//p' | head -n 1; }

# Succeeds when $1 runs and reports a version >= MIN_VERSION; prints that version.
usable_criu() {
  local v
  v="$(criu_version "$1")" || return 1
  [ -n "$v" ] && dpkg --compare-versions "$v" ge "$MIN_VERSION" || return 1
  printf '%s\n' "$v"
}

# A system CRIU >= 4.2 wins; an older one is ignored (not removed: it is not ours).
fast_path() {
  local sys v
  if sys="$(command -v criu)" && [ "$sys" != "$WRAPPER" ]; then
    if v="$(usable_criu "$sys")"; then
      log "using system CRIU $v ($sys)"
      return 0
    fi
    v="$(criu_version "$sys")"
    log "ignoring system CRIU ${v:-of unknown version} at $sys: Capstan needs >= $MIN_VERSION"
  fi
  if [ -x "$WRAPPER" ] && v="$(usable_criu "$WRAPPER")"; then
    log "using CRIU $v ($WRAPPER)"
    return 0
  fi
  return 1
}

# The host part of the mirror the system already uses for Debian itself (not security),
# so this works wherever the machine's own apt works.
debian_mirror() {
  local uri=''
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    uri="$(awk '
      function flush() { if (uris != "" && suites !~ /-security/ && uris !~ /security/ && pick == "") { split(uris, u, " "); pick = u[1] } uris = ""; suites = "" }
      /^[[:space:]]*$/ { flush(); next }
      /^URIs:/ { sub(/^URIs:[[:space:]]*/, ""); uris = $0 }
      /^Suites:/ { sub(/^Suites:[[:space:]]*/, ""); suites = $0 }
      END { flush(); print pick }' /etc/apt/sources.list.d/debian.sources)"
  fi
  if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
    uri="$(awk '$1 == "deb" && $0 !~ /security/ { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }' /etc/apt/sources.list)"
  fi
  printf '%s\n' "${uri:-http://deb.debian.org/debian}"
}

install_private() {
  [ "$(dpkg --print-architecture)" = amd64 ] || die "only amd64 hosts are supported (this one is $(dpkg --print-architecture))"
  [ -f "$KEYRING" ] || die "$KEYRING is missing: install debian-archive-keyring"

  local mirror
  mirror="$(debian_mirror)"
  log "installing CRIU from Debian sid ($mirror) into $PREFIX"

  mkdir -p "$APT_DIR/lists/partial" "$APT_DIR/cache/archives/partial" "$APT_DIR/state"
  printf 'deb [signed-by=%s] %s sid main\n' "$KEYRING" "$mirror" >"$APT_DIR/sources.list"
  # An empty dpkg status: apt then resolves the full library closure, as if nothing were
  # installed, which is what the private prefix needs.
  : >"$APT_DIR/status"
  local -a apt_opts=(
    -o "Dir::Etc::SourceList=$APT_DIR/sources.list"
    -o Dir::Etc::SourceParts=/dev/null
    -o Dir::Etc::Preferences=/dev/null
    -o Dir::Etc::PreferencesParts=/dev/null
    -o "Dir::State=$APT_DIR/state"
    -o "Dir::State::Lists=$APT_DIR/lists"
    -o "Dir::State::Status=$APT_DIR/status"
    -o "Dir::Cache=$APT_DIR/cache"
    -o APT::Architecture=amd64
    -o APT::Architectures=amd64
    # The download dirs are root's; apt would otherwise warn that _apt cannot write them.
    -o APT::Sandbox::User=root
  )

  apt-get "${apt_opts[@]}" -qq update >/dev/null || die "apt-get update of Debian sid from $mirror failed"

  local candidate
  candidate="$(apt-cache "${apt_opts[@]}" policy criu | sed -n 's/^ *Candidate: *//p')"
  [ -n "$candidate" ] && [ "$candidate" != '(none)' ] || die "Debian sid offers no criu package"
  # Debian versions look like 4.2.1-1; compare the upstream part.
  dpkg --compare-versions "${candidate%%-*}" ge "$MIN_VERSION" \
    || die "Debian sid's CRIU is $candidate, older than the $MIN_VERSION Capstan needs; refusing it"

  local -a pkgs
  mapfile -t pkgs < <(apt-cache "${apt_opts[@]}" depends --recurse --no-recommends --no-suggests \
    --no-conflicts --no-breaks --no-replaces --no-enhances criu | grep -E '^[a-z0-9]' | sort -u)
  [ "${#pkgs[@]}" -gt 0 ] || die "could not resolve criu's dependencies"

  local debs="$APT_DIR/debs" stage="$PREFIX/root.new"
  rm -rf "$debs" "$stage"
  mkdir -p "$debs" "$stage"
  (cd "$debs" && apt-get "${apt_opts[@]}" -qq download "${pkgs[@]}" >/dev/null) \
    || die "downloading ${pkgs[*]} failed"
  local deb
  for deb in "$debs"/*.deb; do dpkg -x "$deb" "$stage" || die "unpacking $deb failed"; done

  local ld=/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2
  [ -f "$stage$ld" ] && [ -x "$stage/usr/sbin/criu" ] || die "the unpacked packages lack $ld or usr/sbin/criu"

  # Swap the new tree in whole, so a crash never leaves a half prefix behind the wrapper.
  rm -rf "$PREFIX/root.old"
  if [ -d "$PREFIX/root" ]; then mv "$PREFIX/root" "$PREFIX/root.old"; fi
  mv "$stage" "$PREFIX/root"
  # The package lists and caches (~20 MB) are only needed during an install.
  rm -rf "$PREFIX/root.old" "$debs" "$APT_DIR/lists" "$APT_DIR/cache" "$APT_DIR/state"

  mkdir -p "$PREFIX/bin"
  local root="$PREFIX/root"
  cat >"$WRAPPER.new" <<EOF
#!/bin/sh
# Generated by Capstan's scripts/install-criu.sh: Debian sid's CRIU $candidate, run from a
# private prefix through its own dynamic loader (--library-path instead of LD_LIBRARY_PATH,
# so the programs criu starts use the system's libraries).
R='$root'
exec "\$R$ld" --argv0 criu --library-path "\$R/usr/lib/x86_64-linux-gnu:\$R/lib/x86_64-linux-gnu" "\$R/usr/sbin/criu" "\$@"
EOF
  chmod 0755 "$WRAPPER.new"
  mv "$WRAPPER.new" "$WRAPPER"

  local v
  v="$(usable_criu "$WRAPPER")" || die "the installed CRIU at $WRAPPER does not run or is older than $MIN_VERSION"
  log "installed CRIU $v ($WRAPPER)"

  local out
  out="$("$WRAPPER" check 2>&1)" || true
  if grep -q 'Looks good' <<<"$out"; then
    log "criu check: Looks good"
  else
    log "warning: criu check did not say \"Looks good\"; some features may be missing:"
    printf '%s\n' "$out" | sed 's/^/[install-criu]   /' >&2
  fi
}

set_pipe_sysctl
fast_path && exit 0

mkdir -p "$PREFIX"
# Two setups at once (parallel test runs) must not unpack over each other.
exec 9>"$PREFIX/.install.lock"
flock 9
fast_path && exit 0
install_private
