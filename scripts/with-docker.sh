#!/usr/bin/env bash
# Runs a command with a private Docker daemon and the local test images, for CI machines that
# reach no container registry:
#
#   bash scripts/with-docker.sh pnpm test
#
# Installs docker.io and debootstrap from Debian when missing, starts its own dockerd (own data
# root in the cache, own socket and pid file, no bridge, no iptables rules: containers use host
# networking only), builds the images defined in scripts/test-images/ on a locally made Debian
# base, exports the variables that point the harness at them, runs the command, and on exit
# removes every container the daemon holds and stops that daemon by its pid, whatever happened.
# Images are cached in the data root and rebuilt when their definition changes. Needs root.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
cache="${SESSION_STORES_CACHE:-$HOME/.cache/session-stores}"
state="$cache/docker"
# The exec root and socket: a short path (socket paths are limited), kept between runs (dockerd
# leaves a network namespace mounted in it); the lock below makes it one daemon's at a time.
run_dir="/run/session-stores-docker"
# Debian's paths, named in full: another `docker` earlier on PATH may talk to another daemon.
DOCKER=/usr/bin/docker
DOCKERD=/usr/sbin/dockerd
DOCKER_START_TIMEOUT_S="${SESSION_STORES_DOCKER_TIMEOUT_S:-60}"

if [ "$#" -eq 0 ]; then
  echo "usage: $0 <command> [args...]" >&2
  exit 2
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "with-docker.sh: dockerd needs root; run it as root (CI does)" >&2
  exit 1
fi

log() { echo "[with-docker] $*" >&2; }

if [ ! -x "$DOCKERD" ] || [ ! -x "$DOCKER" ] || ! command -v debootstrap >/dev/null 2>&1; then
  log "installing docker.io and debootstrap from Debian"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker.io debootstrap >/dev/null
fi
[ -x "$DOCKERD" ] || DOCKERD="$(command -v dockerd)"

mkdir -p "$state/data" "$run_dir"
# One daemon per data root: a second run on the same machine waits for the first.
exec 9>"$state/lock"
if ! flock -w 600 9; then
  echo "with-docker.sh: another run holds $state/lock" >&2
  exit 1
fi

export DOCKER_HOST="unix://$run_dir/docker.sock"
dockerd_pid=""

cleanup() {
  local status=$?
  if [ -n "$dockerd_pid" ] && kill -0 "$dockerd_pid" 2>/dev/null; then
    local left
    left="$("$DOCKER" ps -aq 2>/dev/null || true)"
    if [ -n "$left" ]; then
      log "removing $(echo "$left" | wc -l) container(s) left behind"
      # shellcheck disable=SC2086
      "$DOCKER" rm -f -v $left >/dev/null 2>&1 || true
    fi
    kill -TERM "$dockerd_pid" 2>/dev/null || true
    for _ in $(seq 1 150); do
      kill -0 "$dockerd_pid" 2>/dev/null || break
      sleep 0.2
    done
    if kill -0 "$dockerd_pid" 2>/dev/null; then
      log "dockerd did not stop within 30 s; killing it"
      kill -KILL "$dockerd_pid" 2>/dev/null || true
    fi
    log "dockerd stopped"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

log "starting dockerd (data root $state/data, log $state/dockerd.log)"
"$DOCKERD" \
  --data-root "$state/data" \
  --exec-root "$run_dir/exec" \
  --pidfile "$run_dir/dockerd.pid" \
  --host "$DOCKER_HOST" \
  --bridge=none \
  --iptables=false \
  --ip-masq=false \
  >"$state/dockerd.log" 2>&1 &
dockerd_pid=$!

deadline=$((SECONDS + DOCKER_START_TIMEOUT_S))
until "$DOCKER" info >/dev/null 2>&1; do
  if ! kill -0 "$dockerd_pid" 2>/dev/null; then
    echo "with-docker.sh: dockerd exited while starting; its log:" >&2
    tail -n 30 "$state/dockerd.log" >&2
    exit 1
  fi
  if [ "$SECONDS" -ge "$deadline" ]; then
    echo "with-docker.sh: dockerd did not answer within ${DOCKER_START_TIMEOUT_S} s; its log:" >&2
    tail -n 30 "$state/dockerd.log" >&2
    exit 1
  fi
  sleep 0.2
done
log "dockerd $("$DOCKER" version --format '{{.Server.Version}}') answers (pid $dockerd_pid)"

# shellcheck source=test-images/build.sh
source "$here/test-images/build.sh"
build_test_images

# testcontainers: its reaper image cannot be pulled here (this script removes the containers),
# and this machine may be a container itself (/.dockerenv), where testcontainers would look for
# the daemon's ports on a bridge gateway: every server listens on 127.0.0.1 (host networking).
export TESTCONTAINERS_RYUK_DISABLED=true
export TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1

set +e
"$@"
status=$?
set -e
exit "$status"
