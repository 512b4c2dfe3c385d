#!/usr/bin/env bash
# Installs the servers the test harness starts locally (packages/test-servers), on Debian or
# Ubuntu: Redis (with Sentinel), Memcached and PostgreSQL from apt, and FerretDB (a MongoDB
# wire-protocol server over SQLite) built from the Go module proxy into a cache directory.
#
# Idempotent: what is already present is left alone. Runs as root, or uses sudo for apt.
# The FerretDB binary goes to ${SESSION_STORES_CACHE:-$HOME/.cache/session-stores}/bin, which is
# where the harness looks for it (override there with FERRETDB_BIN).
set -euo pipefail

FERRETDB_VERSION=v1.24.2
FERRETDB_MODULE=github.com/FerretDB/FerretDB
CACHE_DIR="${SESSION_STORES_CACHE:-$HOME/.cache/session-stores}"
BIN_DIR="$CACHE_DIR/bin"
PACKAGES=(redis-server redis-sentinel memcached postgresql)

done_steps=()
WORK_DIR=""
trap '[ -z "$WORK_DIR" ] || rm -rf "$WORK_DIR"' EXIT
say() { printf '[install-test-servers] %s\n' "$*"; }
fail() { printf '[install-test-servers] error: %s\n' "$*" >&2; exit 1; }

if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1; then
  SUDO=(sudo)
else
  SUDO=()
fi

is_installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

# The packages start their own system services; the harness starts private servers on free
# ports instead, so the system ones only take memory and well-known ports. Only services of
# packages installed by this run are touched: a server someone already runs is theirs.
stop_service() {
  local svc="$1"
  if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
    "${SUDO[@]}" systemctl disable --now "$svc" >/dev/null 2>&1 || true
  else
    # Containers usually have no init system; `service` may then fail, which is fine.
    "${SUDO[@]}" service "$svc" stop >/dev/null 2>&1 || true
    if command -v update-rc.d >/dev/null 2>&1; then
      "${SUDO[@]}" update-rc.d "$svc" disable >/dev/null 2>&1 || true
    fi
  fi
  done_steps+=("stopped and disabled the system service $svc")
}

install_apt_packages() {
  local missing=() pkg
  for pkg in "${PACKAGES[@]}"; do
    if is_installed "$pkg"; then
      say "$pkg is already installed"
    else
      missing+=("$pkg")
    fi
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    return
  fi
  command -v apt-get >/dev/null 2>&1 || fail "apt-get not found: this script supports Debian and Ubuntu; install ${missing[*]} by other means"
  if [ "$(id -u)" -ne 0 ] && [ "${#SUDO[@]}" -eq 0 ]; then
    fail "installing ${missing[*]} needs root, and sudo is not available"
  fi
  say "installing ${missing[*]}"
  "${SUDO[@]}" apt-get update
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
  done_steps+=("installed ${missing[*]}")
  for pkg in "${missing[@]}"; do
    case "$pkg" in
      redis-server | redis-sentinel | memcached | postgresql) stop_service "$pkg" ;;
    esac
  done
}

ferretdb_is_current() {
  [ -x "$BIN_DIR/ferretdb" ] && "$BIN_DIR/ferretdb" --version 2>/dev/null | grep -qx "version: $FERRETDB_VERSION"
}

# Go 1.24 or later is needed (FerretDB's go.mod); GOTOOLCHAIN=local forbids downloading another one.
check_go() {
  command -v go >/dev/null 2>&1 || fail "go is missing: FerretDB $FERRETDB_VERSION is built from source and needs Go 1.24 or later on PATH (https://go.dev/doc/install). Install Go and rerun."
  local version major minor
  version="$(GOTOOLCHAIN=local go env GOVERSION)"
  major="$(printf '%s' "${version#go}" | cut -d. -f1)"
  minor="$(printf '%s' "${version#go}" | cut -d. -f2)"
  if [ "$major" -lt 1 ] || { [ "$major" -eq 1 ] && [ "$minor" -lt 24 ]; }; then
    fail "go is $version, FerretDB $FERRETDB_VERSION needs Go 1.24 or later"
  fi
}

build_ferretdb() {
  if ferretdb_is_current; then
    say "ferretdb $FERRETDB_VERSION is already at $BIN_DIR/ferretdb"
    return
  fi
  check_go
  export GOTOOLCHAIN=local
  say "building ferretdb $FERRETDB_VERSION into $BIN_DIR (about a minute)"
  # A plain `go install $FERRETDB_MODULE/cmd/ferretdb@$FERRETDB_VERSION` builds, but the binary
  # panics at start: FerretDB reads its version from build/version/version.txt, a generated file
  # that the module zip does not contain. So the module source is copied, the file is written,
  # and the command is built from the copy (same module path, same go.sum, no network beyond
  # the Go module proxy).
  local module_dir
  module_dir="$(go mod download -json "$FERRETDB_MODULE@$FERRETDB_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  [ -n "$module_dir" ] && [ -d "$module_dir" ] || fail "go mod download did not give a source directory for $FERRETDB_MODULE@$FERRETDB_VERSION"
  WORK_DIR="$(mktemp -d)"
  cp -R "$module_dir" "$WORK_DIR/src"
  chmod -R u+w "$WORK_DIR/src"
  printf '%s\n' "$FERRETDB_VERSION" > "$WORK_DIR/src/build/version/version.txt"
  mkdir -p "$BIN_DIR"
  (cd "$WORK_DIR/src" && go build -trimpath -o "$WORK_DIR/ferretdb" ./cmd/ferretdb)
  mv -f "$WORK_DIR/ferretdb" "$BIN_DIR/ferretdb"
  ferretdb_is_current || fail "the built $BIN_DIR/ferretdb does not report version $FERRETDB_VERSION"
  done_steps+=("built ferretdb $FERRETDB_VERSION at $BIN_DIR/ferretdb")
}

install_apt_packages
build_ferretdb

if [ "${#done_steps[@]}" -eq 0 ]; then
  say "nothing to do: every server is already installed"
else
  for step in "${done_steps[@]}"; do say "done: $step"; done
fi
