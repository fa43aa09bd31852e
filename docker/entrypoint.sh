#!/bin/sh
# The container's main process, under tini: `devserver run` on the mounted extension folders.
#
#   run [OPTION ...]   devserver run on $DEVSERVER_EXTENSIONS_DIR (the default command)
#   anything else      run that command instead (e.g. `docker compose run devserver bash`)
#
# Polling (Docker Desktop) is read by devserver itself from $DEVSERVER_POLL / $WATCHFILES_FORCE_POLLING.
set -eu

if [ "${1:-run}" != run ]; then
    exec "$@"
fi
[ "$#" -gt 0 ] && shift
if [ -z "${JUPYTER_TOKEN:-}" ]; then
    echo "devserver: JUPYTER_TOKEN is empty; the dev server never runs without a token." >&2
    echo "devserver: copy .env.example to .env and set JUPYTER_TOKEN, or pass -e JUPYTER_TOKEN=..." >&2
    exit 2
fi
extensions=${DEVSERVER_EXTENSIONS_DIR:-/workspace/extensions}
# The URL as seen from the host (compose sets it), not the container's hostname.
if [ -n "${DEVSERVER_PUBLIC_URL:-}" ]; then
    set -- "--ServerApp.custom_display_url=$DEVSERVER_PUBLIC_URL" "$@"
fi
# 0.0.0.0 inside the container; compose publishes the port on the host's 127.0.0.1 only. The
# server's root is the mounted folder, so notebooks made in the browser land beside your code.
exec devserver run --ip 0.0.0.0 --port "${DEVSERVER_PORT:-8888}" \
    --base-url "${DEVSERVER_BASE_URL:-/}" --ServerApp.root_dir="$extensions" "$@" "$extensions"
