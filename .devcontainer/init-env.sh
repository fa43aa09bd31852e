#!/bin/sh
# Runs on the host before the dev container starts (initializeCommand): compose needs a
# JUPYTER_TOKEN, so make ../.env from ../.env.example with a fresh token when there is no .env.
# An existing .env is never touched.
set -eu
cd "$(dirname "$0")/.."
[ -f .env ] && exit 0
token=$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')
sed "s/^JUPYTER_TOKEN=.*/JUPYTER_TOKEN=$token/" .env.example > .env
echo "devcontainer: wrote .env with a new JUPYTER_TOKEN"
