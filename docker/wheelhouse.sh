#!/usr/bin/env bash
# Build, on the host, the wheels an offline image build installs with `--no-index --find-links`.
#
# Usage: docker/wheelhouse.sh [TARGET_PYTHON_VERSION]   e.g. 3.11.2 (default: the host's Python)
#
# Give the image's full version: wheels may require a newer patch release than the image has.
#
# pip inside a container build cannot always reach the package index (no proxy, no certificate store);
# pip on the host can. The wheels land in docker/wheelhouse/, inside the build context. A stamp holding
# a hash of the dependency list and target version makes a second run return at once.
set -euo pipefail

log() { printf '[wheelhouse] %s\n' "$*" >&2; }

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT="$ROOT/docker/wheelhouse"
if [ -z "${PYTHON:-}" ]; then
    PYTHON=python3
    [ -x "$ROOT/.venv/bin/python" ] && PYTHON="$ROOT/.venv/bin/python"
fi
HOST_VERSION=$("$PYTHON" -c 'import platform; print(platform.python_version())')
TARGET=${1:-$HOST_VERSION}

REQS=$(mktemp)
PIPLOG=$(mktemp)
trap 'rm -f "$REQS" "$PIPLOG"' EXIT
# pip's output goes to a log that is shown only when pip fails.
pip_quietly() { "$PYTHON" -m pip "$@" --disable-pip-version-check >"$PIPLOG" 2>&1 || { cat "$PIPLOG" >&2; exit 1; }; }
"$PYTHON" "$ROOT/docker/requirements.py" "$ROOT/pyproject.toml" >"$REQS"

STAMP="$OUT/.stamp"
KEY=$(cat "$REQS" <(echo "$TARGET") | sha256sum | cut -c1-16)
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$KEY" ]; then
    log "up to date ($OUT)"
    exit 0
fi

mkdir -p "$OUT"
find "$OUT" -name '*.whl' -delete
start=$SECONDS
if [ "$TARGET" = "$HOST_VERSION" ]; then
    log "building wheels for Python $TARGET into $OUT"
    pip_quietly wheel -w "$OUT" -r "$REQS"
else
    # Another Python in the image: binary wheels only, for that version and this CPU.
    log "downloading wheels for Python $TARGET into $OUT"
    arch=$(uname -m)
    abi="cp$(echo "$TARGET" | cut -d. -f1,2 | tr -d .)"
    pip_quietly download -d "$OUT" -r "$REQS" \
        --only-binary=:all: --python-version "$TARGET" --implementation cp --abi "$abi" --abi abi3 --abi none \
        --platform "manylinux2014_$arch" --platform "manylinux_2_28_$arch" \
        --platform "manylinux_2_34_$arch" --platform any
fi
echo "$KEY" >"$STAMP"
log "$(find "$OUT" -name '*.whl' | wc -l) wheels in $((SECONDS - start))s"
