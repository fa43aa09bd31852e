#!/usr/bin/env bash
# Build a local Debian base image with debootstrap, for machines that cannot pull from a registry.
#
# Usage: docker/base-image.sh            prints the image reference (NAME:TAG) on stdout
#        docker/base-image.sh --python   prints the full Python version of that image (e.g. 3.11.2)
#
# The image holds Debian's python3 (with venv), tini and CA certificates: what docker/Dockerfile needs
# from `python:3.12-slim`. The mirror is read from this machine's apt sources at run time, so the project
# names no host. The tag is a hash of the suite and package list: a second run finds the image and
# returns at once. Needs root (debootstrap) and a running engine (docker/engine.sh).
set -euo pipefail

log() { printf '[base-image] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# shellcheck disable=SC1091
SUITE=${BASE_SUITE:-$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")}
PACKAGES=${BASE_PACKAGES:-python3,python3-venv,tini,ca-certificates}
NAME=${BASE_IMAGE_NAME:-devserver-base}
# Bump FORMAT when the way the image is made changes, so that old images are not reused.
FORMAT=2
TAG="$SUITE-$(printf '%s %s %s' "$FORMAT" "$SUITE" "$PACKAGES" | sha256sum | cut -c1-12)"
IMAGE="$NAME:$TAG"

# Prints the first archive URI that serves $SUITE, from one-line and deb822 apt sources alike.
apt_mirror() {
    local files=()
    [ -f /etc/apt/sources.list ] && files+=(/etc/apt/sources.list)
    for f in /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] && files+=("$f")
    done
    [ "${#files[@]}" -gt 0 ] || return 1
    awk -v suite="$SUITE" '
        /^[[:space:]]*#/ { next }
        # one-line format: deb [options] URI SUITE COMPONENTS...
        $1 == "deb" { i = 2; if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
                      if ($(i + 1) == suite) { print $i; exit } next }
        # deb822 format: a stanza of "Key: value" lines, ended by a blank line
        /^URIs:/   { uri = $2 }
        /^Suites:/ { for (j = 2; j <= NF; j++) if ($j == suite) hit = 1 }
        /^[[:space:]]*$/ { if (hit && uri != "") { print uri; exit } uri = ""; hit = 0 }
        END { if (hit && uri != "") print uri }
    ' "${files[@]}" | head -n 1
}

print_result() {
    if [ "${1:-}" = --python ]; then
        docker image inspect -f '{{ index .Config.Labels "io.jupyter.devserver.python" }}' "$IMAGE"
    else
        echo "$IMAGE"
    fi
}

if docker image inspect "$IMAGE" >/dev/null 2>&1; then
    log "$IMAGE exists"
    print_result "$@"
    exit 0
fi

[ "$(id -u)" -eq 0 ] || die "debootstrap needs root; or build with the default base image (docs/container.md)"
command -v debootstrap >/dev/null 2>&1 || die "debootstrap is missing: apt-get install -y debootstrap"
MIRROR=${BASE_MIRROR:-$(apt_mirror || true)}
[ -n "$MIRROR" ] || die "no apt source serves suite '$SUITE'; set BASE_MIRROR"

ROOT=$(mktemp -d /var/tmp/devserver-rootfs.XXXXXX)
trap 'rm -rf "$ROOT"' EXIT
log "debootstrap $SUITE ($PACKAGES) into $ROOT"
start=$SECONDS
debootstrap --variant=minbase --include="$PACKAGES" "$SUITE" "$ROOT" "$MIRROR" >"$ROOT.log" 2>&1 \
    || { tail -n 30 "$ROOT.log" >&2; die "debootstrap failed (log: $ROOT.log)"; }
rm -f "$ROOT.log"
# The exact Python version goes into a label: docker/wheelhouse.sh picks wheels for it (a wheel may
# require a newer patch release than Debian's, e.g. Requires-Python >=3.11.5).
PYVER=$(chroot "$ROOT" python3 -c 'import platform; print(platform.python_version())')
# Package lists and the apt cache are only weight in an image; a build that needs apt runs update first.
rm -rf "$ROOT"/var/cache/apt/archives/*.deb "$ROOT"/var/lib/apt/lists/*
tar -C "$ROOT" -c . | docker import \
    --change 'ENV LANG=C.UTF-8' --change 'CMD ["bash"]' \
    --change "LABEL io.jupyter.devserver.python=$PYVER" - "$IMAGE" >/dev/null
log "built $IMAGE (Python $PYVER) in $((SECONDS - start))s"
print_result "$@"
